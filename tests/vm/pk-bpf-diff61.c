// SPDX-License-Identifier: MIT
/*
 * pk-bpf-diff61.c - the guest half of the differential against Linux 6.1
 * (issue 13; the host half is lib/bpf/vm/test-bpf-diff.c --write-61 and
 * --compare-61).
 *
 *   pk-bpf-diff61 FILE
 *
 * Loads each program of FILE with bpf_prog_load() as a sleepable
 * BPF_PROG_TYPE_SYSCALL program, runs the accepted ones once with
 * bpf_prog_test_run_opts() on their context (a syscall program's context
 * is copied back) and prints one line per program on stdout:
 *
 *   PKD61 IDX ok RETVAL CONTEXT-IN-HEX
 *   PKD61 IDX rej ERRNO the verifier's last line
 *   PKD61 IDX run ERRNO
 *   PKD61 END COUNT SECONDS
 *
 * Exit status: 0, or 1 if FILE cannot be read.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char klog[1 << 16];

/* the verifier's reason: the line before "processed N insns", or the last */
static const char *why(void)
{
	char *end = strstr(klog, "\nprocessed "), *b;

	if (!end)
		end = klog + strlen(klog);
	while (end > klog && end[-1] == '\n')
		end--;
	*end = 0;
	b = strrchr(klog, '\n');
	return b ? b + 1 : klog;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	uint32_t count, csz, i, n, h[3];
	struct bpf_insn *insns = NULL;
	uint8_t *ctx = NULL;
	char magic[8];
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: pk-bpf-diff61 FILE\n");
		return 1;
	}
	if (fread(magic, 8, 1, f) != 1 || memcmp(magic, "PKD61", 6) ||
	    fread(&count, 4, 1, f) != 1 || fread(&csz, 4, 1, f) != 1 || csz > 65535 ||
	    !(ctx = malloc(csz))) {
		fprintf(stderr, "pk-bpf-diff61: %s: bad header\n", argv[1]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, lopts, .prog_flags = BPF_F_SLEEPABLE);
		LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = ctx, .ctx_size_in = csz);
		int fd, err;

		if (fread(h, sizeof(h), 1, f) != 1 || h[2] > 4096 ||
		    !(insns = realloc(insns, (h[2] + 1) * sizeof(*insns))) ||
		    fread(insns, sizeof(*insns), h[2], f) != h[2] || fread(ctx, csz, 1, f) != 1) {
			fprintf(stderr, "pk-bpf-diff61: %s: record %u truncated\n", argv[1], i);
			return 1;
		}
		n = h[2];
		fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pk_diff61", "GPL", insns, n, &lopts);
		if (fd < 0) {
			/* again with the log, for the reason */
			LIBBPF_OPTS(bpf_prog_load_opts, l2, .prog_flags = BPF_F_SLEEPABLE,
				    .log_buf = klog, .log_size = sizeof(klog), .log_level = 1);

			err = errno;
			klog[0] = 0;
			fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pk_diff61", "GPL", insns, n, &l2);
			if (fd >= 0)
				close(fd);
			printf("PKD61 %u rej %d %s\n", i, err, fd >= 0 ? "(accepted with a log)" : why());
			continue;
		}
		err = bpf_prog_test_run_opts(fd, &topts);
		err = err ? errno : 0;
		close(fd);
		if (err) {
			printf("PKD61 %u run %d\n", i, err);
			continue;
		}
		printf("PKD61 %u ok %x ", i, topts.retval);
		for (n = 0; n < csz; n++)
			printf("%02x", ctx[n]);
		printf("\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("PKD61 END %u %.1f\n", count,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fclose(f);
	free(insns);
	free(ctx);
	return 0;
}
