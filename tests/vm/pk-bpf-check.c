// SPDX-License-Identifier: MIT
/*
 * pk-bpf-check.c - load (and attach) a BPF object with libbpf in the VM.
 *
 *   pk-bpf-check OBJECT.bpf.o
 *       diagnostics: print the verifier log of every program (when a
 *       parser program fails to load inside kexec_file_load(), the kernel
 *       only returns an errno; this shows why), attach and detach them;
 *       exit 0 if every program loads and attaches
 *   pk-bpf-check OBJECT.bpf.o CMD [ARG...]
 *       attacks: load and attach every program, run CMD while they are
 *       attached, detach; then print element 0 of the object's map
 *       "results" as 32-bit words ("pk-bpf-check: results: 1 0 0") on
 *       stderr.  Exit status: CMD's, or
 *       1 if loading or attaching failed
 *   pk-bpf-check -s OBJECT.bpf.o
 *       the verifier's statistics: load every program with log level
 *       BPF_LOG_STATS (4) into a buffer of our own, never attach, and
 *       print for each "pk-bpf-check: stats PROG: " and each line of the
 *       kernel's log ("processed N insns (limit 1000000) ..."), then
 *       "pk-bpf-check: verified_insns PROG N" from bpf_prog_info (the
 *       kernel's second record of the same count); exit 1 if a load fails.
 *       libbpf refuses a kfunc extern whose argument points to a struct
 *       the object only declares ("func_proto incompatible with kernel";
 *       bpf/parser.h has "struct bpf_parser_context;"), a check the
 *       light skeleton's loader and the kernel do not make: such forward
 *       declarations become empty structs in the object's BTF first.
 *       The instructions are not touched.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int verbose = 1;

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose && level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(verbose ? stdout : stderr, fmt, ap);
}

static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static void print_results(struct bpf_object *obj)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "results");
	uint32_t key = 0, *val;
	size_t i, sz;

	if (!map)
		return;
	sz = bpf_map__value_size(map);
	val = calloc(1, sz);
	if (!val || bpf_map__lookup_elem(map, &key, sizeof(key), val, sz, 0)) {
		fprintf(stderr, "pk-bpf-check: cannot read the map results\n");
		free(val);
		return;
	}
	fprintf(stderr, "pk-bpf-check: results:");
	for (i = 0; i < sz / 4; i++)
		fprintf(stderr, " %d", (int32_t)val[i]);
	fprintf(stderr, "\n");
	free(val);
}

#define STATS_PROGS 8
#define STATS_LOG (64 << 10)

static int stats(const char *path)
{
	static char logs[STATS_PROGS][STATS_LOG];
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct btf *btf;
	int err, n = 0;
	__u32 id;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "pk-bpf-check: cannot open %s\n", path);
		return 1;
	}
	btf = bpf_object__btf(obj);
	for (id = 1; btf && id < btf__type_cnt(btf); id++) {
		struct btf_type *t = (struct btf_type *)btf__type_by_id(btf, id);

		if (btf_is_fwd(t) && !btf_kflag(t)) {
			t->info = (__u32)BTF_KIND_STRUCT << 24; /* vlen 0, kflag 0 */
			t->size = 0;
		}
	}
	bpf_object__for_each_program(prog, obj) {
		if (n == STATS_PROGS) {
			fprintf(stderr, "pk-bpf-check: more than %d programs\n", n);
			bpf_object__close(obj);
			return 1;
		}
		bpf_program__set_log_level(prog, 4);
		bpf_program__set_log_buf(prog, logs[n++], STATS_LOG);
	}
	err = bpf_object__load(obj);
	printf("pk-bpf-check: load: %d\n", err);
	n = 0;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		const char *name = bpf_program__name(prog);
		char *line, *save = NULL;

		for (line = strtok_r(logs[n++], "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			printf("pk-bpf-check: stats %s: %s\n", name, line);
		memset(&info, 0, sizeof(info));
		if (!err && !bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			printf("pk-bpf-check: verified_insns %s %u\n", name,
			       info.verified_insns);
	}
	bpf_object__close(obj);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[16];
	struct bpf_program *prog;
	struct bpf_object *obj;
	int err, ret = 0, n = 0, i;

	if (argc < 2) {
		fprintf(stderr, "usage: pk-bpf-check OBJECT.bpf.o [CMD ARG...] | -s OBJECT.bpf.o\n");
		return 2;
	}
	verbose = argc == 2;
	libbpf_set_print(print);
	if (argc == 3 && !strcmp(argv[1], "-s"))
		return stats(argv[2]);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "pk-bpf-check: cannot open %s\n", argv[1]);
		return 1;
	}
	if (verbose)
		bpf_object__for_each_program(prog, obj)
			bpf_program__set_log_level(prog, 1);
	err = bpf_object__load(obj);
	fprintf(verbose ? stdout : stderr, "pk-bpf-check: load: %d\n", err);
	if (err) {
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link = bpf_program__attach(prog);

		err = (int)libbpf_get_error(link);
		fprintf(verbose ? stdout : stderr, "pk-bpf-check: attach %s: %d\n",
			bpf_program__name(prog), err);
		if (err)
			ret = 1;
		else if (n < 16)
			links[n++] = link;
		else
			bpf_link__destroy(link);
	}
	if (!ret && argc > 2)
		ret = run(argv + 2);
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	if (argc > 2)
		print_results(obj);
	bpf_object__close(obj);
	return ret;
}
