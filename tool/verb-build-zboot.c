// SPDX-License-Identifier: MIT
/*
 * verb-build-zboot.c - pekexec build-zboot: an EFI zboot image around a
 * kernel Image, compressed by the very commands of the kernel's build
 * (scripts/Makefile.lib and scripts/xz_wrap.sh of Linux 6.1), which this
 * verb runs; the library only lays out the image.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pekexec/build.h"
#include "pekexec/file.h"
#include "build-out.h"
#include "tool.h"

#define ZBOOT_MAX_IMAGE (1024ul * 1024 * 1024)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec build-zboot --image IMAGE --compress NAME [--machine M]\n"
		"                           [--parser zboot|FILE] [--key KEY --cert CERT] -o OUT\n"
		"\n"
		"Build an EFI zboot image (Linux 6.1 zboot-header.S layout) whose payload\n"
		"is IMAGE compressed as the kernel build does it, with a .bpf section.\n"
		"\n"
		"  --compress NAME     gzip, lz4, lzma, lzo, xzkern or zstd22\n"
		"  --machine M         arm64, riscv64, loongarch64 or x86_64 (default:\n"
		"                      from IMAGE's header, else arm64)\n"
		"  --parser NAME|FILE  .bpf content: built-in 'zboot' (default) or a file\n"
		"  --key, --cert       sign OUT (Authenticode, sha256)\n"
		"  -o, --output OUT    the image to write\n");
}

/*
 * The kernel's cmd_<name> for Makefile.zboot's comp-type; xzkern is
 * xz_wrap.sh, whose BCJ filter depends on the architecture (6.1: --x86
 * for x86, none for arm64, riscv and loongarch).
 */
static int compressor_argv(const char *name, uint16_t machine, const char **argv)
{
	static const char *const cmds[][6] = {
		{ "gzip", "gzip", "-n", "-f", "-9", NULL },
		{ "lz4", "lz4", "-l", "-9", "-", "-" },
		{ "lzma", "lzma", "-9", NULL },
		{ "lzo", "lzop", "-9", NULL },
		{ "zstd22", "zstd", "-22", "--ultra", NULL },
	};
	size_t i, j;

	if (!strcmp(name, "xzkern")) {
		j = 0;
		argv[j++] = "xz";
		argv[j++] = "--check=crc32";
		if (machine == PK_PE_MACHINE_X86_64)
			argv[j++] = "--x86";
		argv[j++] = "--lzma2=,dict=32MiB";
		argv[j] = NULL;
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(name, cmds[i][0]))
			continue;
		for (j = 1; j < 6 && cmds[i][j]; j++)
			argv[j - 1] = cmds[i][j];
		argv[j - 1] = NULL;
		return 0;
	}
	return -EINVAL;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads all of @fd from offset 0 into @out. */
static int read_all(int fd, struct pk_buf *out)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		ssize_t n;
		int r = pk_buf_reserve(out, 1 << 20);

		if (r < 0)
			return r;
		n = read(fd, out->data + out->len, out->cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		out->len += (size_t)n;
	}
}

/*
 * Runs @argv with @in on its stdin and its stdout in a memfd, and returns
 * what it wrote.  Its stderr is ours.
 */
static int run_filter(const char *const *argv, const uint8_t *in, size_t in_len,
		      struct pk_buf *out)
{
	int pipefd[2], outfd, status, r = 0;
	pid_t pid;

	outfd = memfd_create("pekexec-zboot", MFD_CLOEXEC);
	if (outfd < 0)
		return -errno;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		close(outfd);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		close(outfd);
		return r;
	}
	if (pid == 0) {
		if (dup2(pipefd[0], 0) < 0 || dup2(outfd, 1) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "pekexec: build-zboot: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[0]);
	r = write_all(pipefd[1], in, in_len);
	close(pipefd[1]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	if (!r && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = -ECHILD;
	if (!r)
		r = read_all(outfd, out);
	close(outfd);
	return r;
}

/* The machine an Image header names (arm64, RISC-V, LoongArch), or arm64. */
static uint16_t guess_machine(const uint8_t *img, size_t len)
{
	uint32_t m;

	if (len < 0x40)
		return PK_PE_MACHINE_ARM64;
	m = (uint32_t)img[0x38] | (uint32_t)img[0x39] << 8 |
	    (uint32_t)img[0x3a] << 16 | (uint32_t)img[0x3b] << 24;
	if (m == 0x05435352u)
		return PK_PE_MACHINE_RISCV64;
	if (m == 0x818223cdu)
		return PK_PE_MACHINE_LOONGARCH64;
	return PK_PE_MACHINE_ARM64;
}

struct zboot_args {
	const char *image, *comp, *machine;
	struct build_out out; /* --parser, --key, --cert, -o */
};

static int parse_args(int argc, char **argv, struct zboot_args *a)
{
	static const struct option opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "compress", required_argument, NULL, 'c' },
		{ "machine", required_argument, NULL, 'm' },
		BUILD_OUT_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (!build_out_take(&a->out, c, optarg))
			continue;
		switch (c) {
		case 'i': a->image = optarg; break;
		case 'c': a->comp = optarg; break;
		case 'm': a->machine = optarg; break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !a->image || !a->comp || !a->out.output) {
		tool_errorf("build-zboot", "--image, --compress and -o are required");
		return -1;
	}
	if (!pk_zboot_comp_is_known(a->comp)) {
		tool_errorf("build-zboot", "unknown compression '%s' (known: gzip, lz4, lzma, lzo, xzkern, zstd22)",
			    a->comp);
		return -1;
	}
	if (a->machine && !pk_build_machine_from_name(a->machine)) {
		tool_errorf("build-zboot", "unknown machine '%s' (known: arm64, riscv64, loongarch64, x86_64)",
			    a->machine);
		return -1;
	}
	if (build_out_check("build-zboot", &a->out) < 0)
		return -1;
	return 0;
}

/* Image padded as Makefile.zboot's vmlinux.bin, compressed, size appended. */
static int compress_image(struct tool *t, const struct zboot_args *a,
			  uint16_t machine, const struct pk_file *img,
			  struct pk_buf *payload)
{
	struct pk_buf padded = { 0 };
	const char *cmd[8];
	size_t len = pk_zboot_image_pad_size(img->data, img->len);
	uint8_t size_le[4];
	int r;

	(void)t;
	compressor_argv(a->comp, machine, cmd);
	r = pk_buf_append(&padded, img->data, img->len);
	if (r >= 0)
		r = pk_buf_append_zeros(&padded, len - img->len);
	if (r >= 0)
		r = run_filter(cmd, padded.data, padded.len, payload);
	pk_buf_free(&padded);
	if (r < 0) {
		tool_errorf("build-zboot", "compressing %s with '%s': %s", a->image, cmd[0],
			    r == -ECHILD ? "the command failed" : strerror(-r));
		return r;
	}
	if (strcmp(a->comp, "gzip")) {
		/* scripts/Makefile.lib size_append: the input size, le32 */
		size_le[0] = (uint8_t)len;
		size_le[1] = (uint8_t)(len >> 8);
		size_le[2] = (uint8_t)(len >> 16);
		size_le[3] = (uint8_t)(len >> 24);
		r = pk_buf_append(payload, size_le, 4);
		if (r < 0)
			tool_errorf("build-zboot", "%s", strerror(-r));
	}
	return r;
}

int verb_build_zboot(struct tool *t, int argc, char **argv)
{
	struct zboot_args a = { .out.parser = "zboot" };
	struct pk_file img = { 0 }, parser_file = { 0 };
	struct pk_buf payload = { 0 }, frame = { 0 }, out = { 0 };
	struct pk_zboot_opts zo = { 0 };
	const uint8_t *bpf;
	size_t bpf_len;
	uint16_t machine;
	int r, ret = PK_EXIT_FAILURE;

	r = parse_args(argc, argv, &a);
	if (r)
		return r > 0 ? PK_EXIT_OK : PK_EXIT_USAGE;
	r = pk_file_open(t->ctx, a.image, ZBOOT_MAX_IMAGE, &img);
	if (r < 0) {
		tool_error(t, "build-zboot", NULL);
		return PK_EXIT_FAILURE;
	}
	r = pk_parser_resolve(t->ctx, a.out.parser, &parser_file, &bpf, &bpf_len);
	if (r < 0) {
		tool_error(t, "build-zboot", NULL);
		goto out;
	}
	machine = a.machine ? pk_build_machine_from_name(a.machine) :
			      guess_machine(img.data, img.len);
	/* A dead compressor must not kill us while we feed it. */
	signal(SIGPIPE, SIG_IGN);
	if (compress_image(t, &a, machine, &img, &payload) < 0)
		goto out;
	zo.machine = machine;
	zo.comp_name = a.comp;
	zo.payload = (struct pk_blob){ payload.data, payload.len };
	r = pk_zboot_build(t->ctx, &zo, &frame);
	if (r >= 0)
		r = pk_add_bpf(t->ctx, frame.data, frame.len, bpf, bpf_len, &out, NULL);
	if (r < 0) {
		tool_error(t, "build-zboot", NULL);
		goto out;
	}
	if (build_out_finish(t, "build-zboot", &a.out, out.data, out.len) < 0)
		goto out;
	ret = PK_EXIT_OK;
out:
	pk_buf_free(&out);
	pk_buf_free(&frame);
	pk_buf_free(&payload);
	pk_file_close(&parser_file);
	pk_file_close(&img);
	return ret;
}
