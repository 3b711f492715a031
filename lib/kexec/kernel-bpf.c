// SPDX-License-Identifier: MIT
/*
 * kernel-bpf.c - does the running kernel unpack .bpf images itself?
 *
 * A kernel with CONFIG_KEXEC_BPF has the attach point of every parser
 * program, kexec_image_parser_anchor(), and a parser program can only
 * attach to it through the kernel's BTF (fentry needs BTF), so that FUNC
 * in /sys/kernel/btf/vmlinux is both necessary and sufficient.  It is
 * there whether or not debugfs is mounted, and unlike trying the kernel
 * first and falling back, asking never turns a signature failure into a
 * quiet user-space load (docs/kexec.md).
 */
#include <errno.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include "pekexec/kexec.h"

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"
#define ANCHOR "kexec_image_parser_anchor"

int pk_kexec_kernel_bpf(struct pk_ctx *ctx, const char *btf_path)
{
	struct btf *btf;
	int id;

	(void)ctx;
	btf = btf__parse_raw(btf_path ? btf_path : KERNEL_BTF);
	if (!btf)
		return 0; /* no kernel BTF: no parser program could attach */
	id = btf__find_by_name_kind(btf, ANCHOR, BTF_KIND_FUNC);
	btf__free(btf);
	return id > 0;
}
