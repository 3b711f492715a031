// SPDX-License-Identifier: MIT
/*
 * pk-bpf-check.c - VM test diagnostics: load (and attach) a BPF object with
 * libbpf, printing the verifier log.  When a parser program fails to load
 * inside kexec_file_load(), the kernel only returns an errno; this shows why.
 *
 *   pk-bpf-check OBJECT.bpf.o      exit 0 if every program loads and attaches
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stdout, fmt, ap);
}

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	int err, ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: pk-bpf-check OBJECT.bpf.o\n");
		return 2;
	}
	libbpf_set_print(print);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("pk-bpf-check: cannot open %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_log_level(prog, 1);
	err = bpf_object__load(obj);
	printf("pk-bpf-check: load: %d\n", err);
	if (!err) {
		bpf_object__for_each_program(prog, obj) {
			struct bpf_link *link = bpf_program__attach(prog);

			err = (int)libbpf_get_error(link);
			printf("pk-bpf-check: attach %s: %d\n",
			       bpf_program__name(prog), err);
			if (err)
				ret = 1;
			else
				bpf_link__destroy(link);
		}
	} else {
		ret = 1;
	}
	bpf_object__close(obj);
	return ret;
}
