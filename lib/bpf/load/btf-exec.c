// SPDX-License-Identifier: MIT
/*
 * btf-exec.c - the executor's own BTF: the types of the kexec BPF ABI
 * (include/kexec_bpf/kexec_bpf.h) as the kernel's vmlinux BTF describes
 * them, the kfuncs and the anchor function.
 *
 * It plays the role /sys/kernel/btf/vmlinux plays for the kernel: CO-RE
 * relocations of parser programs resolve against it, the light-skeleton
 * loader's bpf_btf_find_by_name_kind() answers from it, and `bpftool btf
 * dump file ... format c` of it is the vmlinux.h parser programs are
 * compiled against (tools/btf-dump.c writes it at build time).
 *
 * Built with libbpf's btf__add_*() API; the layout must match
 * struct kexec_context of the ABI header (checked by test-bpf-btf.c).
 */
#include <bpf/btf.h>
#include <linux/btf.h>

#include "internal.h"
#include "kexec_bpf/kexec_bpf.h"
#include "loader.h"

struct exec_btf_ids {
	int u8_t, char_t, int_t, uint_t, ulong_t, u16_t, u32_t, char_ptr;
	int kctx, kctx_ptr, pctx, pctx_ptr;
};

static int add_base_types(struct btf *b, struct exec_btf_ids *t)
{
	int uchar_t, ushort_t;

	uchar_t = btf__add_int(b, "unsigned char", 1, 0);
	t->char_t = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	t->int_t = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t->uint_t = btf__add_int(b, "unsigned int", 4, 0);
	t->ulong_t = btf__add_int(b, "long unsigned int", 8, 0);
	ushort_t = btf__add_int(b, "short unsigned int", 2, 0);
	if (uchar_t < 0 || t->char_t < 0 || t->int_t < 0 || t->uint_t < 0 ||
	    t->ulong_t < 0 || ushort_t < 0)
		return -ENOMEM;
	t->u8_t = btf__add_typedef(b, "__u8", uchar_t);
	t->u16_t = btf__add_typedef(b, "__u16", ushort_t);
	t->u32_t = btf__add_typedef(b, "__u32", t->uint_t);
	t->char_ptr = btf__add_ptr(b, t->char_t);
	return t->u8_t < 0 || t->u16_t < 0 || t->u32_t < 0 || t->char_ptr < 0 ?
	       -ENOMEM : 0;
}

/* struct kexec_context, struct cmd_hdr, struct bpf_parser_context */
static int add_abi_structs(struct btf *b, struct exec_btf_ids *t)
{
	static const struct {
		const char *name;
		int which; /* 0 __u8, 1 char *, 2 unsigned long */
	} kctx_fields[] = {
		{ "kdump", 0 },  { "kernel", 1 },  { "kernel_sz", 2 },
		{ "initrd", 1 }, { "initrd_sz", 2 }, { "cmdline", 1 },
		{ "cmdline_sz", 2 },
	};
	size_t i;
	int r = 0, hdr;

	t->kctx = btf__add_struct(b, "kexec_context", 56);
	if (t->kctx < 0)
		return -ENOMEM;
	for (i = 0; i < PK_ARRAY_SIZE(kctx_fields) && !r; i++) {
		int type = kctx_fields[i].which == 0 ? t->u8_t :
			   kctx_fields[i].which == 1 ? t->char_ptr : t->ulong_t;

		/* kdump at 0, then 8-byte members from offset 8 */
		r = btf__add_field(b, kctx_fields[i].name, type,
				   i ? (uint32_t)(i * 64) : 0, 0);
	}
	hdr = btf__add_struct(b, "cmd_hdr", 8);
	if (r || hdr < 0 || btf__add_field(b, "cmd", t->u16_t, 0, 0) ||
	    btf__add_field(b, "subcmd", t->u16_t, 16, 0) ||
	    btf__add_field(b, "payload_len", t->u32_t, 32, 0))
		return -ENOMEM;
	t->kctx_ptr = btf__add_ptr(b, t->kctx);
	t->pctx = btf__add_fwd(b, "bpf_parser_context", BTF_FWD_STRUCT);
	if (t->kctx_ptr < 0 || t->pctx < 0)
		return -ENOMEM;
	t->pctx_ptr = btf__add_ptr(b, t->pctx);
	return t->pctx_ptr < 0 ? -ENOMEM : 0;
}

static int add_func(struct btf *b, const char *name, int ret_type,
		    const char *const *pnames, const int *ptypes, int n)
{
	int proto = btf__add_func_proto(b, ret_type), i;

	if (proto < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (btf__add_func_param(b, pnames[i], ptypes[i]))
			return -ENOMEM;
	return btf__add_func(b, name, BTF_FUNC_GLOBAL, proto) < 0 ? -ENOMEM : 0;
}

static int add_funcs(struct btf *b, const struct exec_btf_ids *t)
{
	const char *get_n[] = { "id" }, *put_n[] = { "ctx" };
	const char *buf_n[] = { "buf", "buf_sz", "ctx" };
	const char *anchor_n[] = { "ctx", "parser_id" };
	int get_t[] = { t->ulong_t }, put_t[] = { t->pctx_ptr };
	int buf_t[] = { t->char_ptr, t->int_t, t->pctx_ptr };
	int anchor_t[] = { t->kctx_ptr, t->ulong_t };

	if (add_func(b, "bpf_get_parser_context", t->pctx_ptr, get_n, get_t, 1) ||
	    add_func(b, "bpf_put_parser_context", 0, put_n, put_t, 1) ||
	    add_func(b, "bpf_buffer_parser", t->int_t, buf_n, buf_t, 3) ||
	    add_func(b, KEXEC_BPF_ANCHOR, 0, anchor_n, anchor_t, 2))
		return -ENOMEM;
	return 0;
}

struct btf *pk_bpf_exec_btf_new(void)
{
	struct exec_btf_ids t;
	struct btf *b = btf__new_empty();

	if (!b)
		return NULL;
	if (add_base_types(b, &t) || add_abi_structs(b, &t) || add_funcs(b, &t)) {
		btf__free(b);
		return NULL;
	}
	return b;
}

int pk_bpf_exec_btf_func(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);

	return id > 0 ? id : -ENOENT;
}
