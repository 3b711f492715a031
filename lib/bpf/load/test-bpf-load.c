// SPDX-License-Identifier: MIT
/*
 * test-bpf-load.c - the BPF object loaders against independent oracles.
 *
 *  - ELF path vs light-skeleton path, for every test program built by
 *    mk/bpf-load.mk: the light skeleton's maps and linked, relocated
 *    instructions were produced by libbpf (bpf_object__gen_loader), ours by
 *    loader-elf.c.  Map shapes, initial data and every instruction must
 *    agree (map references compared by map, kfunc calls by id).
 *  - the executor's BTF vs the C compiler's layout of kexec_bpf.h.
 *  - CO-RE on hand-built BTF: offsets, size changes, existence, poisoning,
 *    malformed records.
 *
 * Needs $BUILD/bpf-progs (make check builds it); skips without $BUILD.
 */
#include <bpf/btf.h>
#include <linux/btf.h>
#include <stdio.h>

#include "loader.h"
#include "bpf/vm/vm.h"
#include "check.h"
#include "internal.h"
#include "kexec_bpf/kexec_bpf.h"
#include "pekexec/bpf.h"

static const char *const progs[] = { "zboot_parser", "zboot_parser-shuffled", "sections",
				     "multimap" };

/* libbpf names internal maps "<obj prefix>.rodata": compare the section part */
static const char *map_key(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? dot : name;
}

static const struct pk_bpf_map *find_map(const struct pk_bpf_object *o, const char *key)
{
	uint32_t i;

	for (i = 0; i < o->map_cnt; i++)
		if (!strcmp(map_key(o->maps[i]->name), key))
			return o->maps[i];
	return NULL;
}

static void compare_maps(const char *name, const struct pk_bpf_object *e,
			 const struct pk_bpf_object *l)
{
	uint32_t i;

	CHECK_EQ_INT(e->map_cnt, l->map_cnt);
	for (i = 0; i < e->map_cnt; i++) {
		const struct pk_bpf_map *a = e->maps[i];
		const struct pk_bpf_map *b = find_map(l, map_key(a->name));

		if (!b) {
			printf("%s: map %s missing from the light skeleton\n", name, a->name);
			check_failures++;
			continue;
		}
		CHECK_EQ_INT(a->type, b->type);
		CHECK_EQ_INT(a->key_size, b->key_size);
		CHECK_EQ_INT(a->value_size, b->value_size);
		CHECK_EQ_INT(a->max_entries, b->max_entries);
		CHECK_EQ_INT(a->map_flags & BPF_F_RDONLY_PROG, b->map_flags & BPF_F_RDONLY_PROG);
		CHECK_EQ_INT(a->frozen, b->frozen);
		CHECK_EQ_INT(a->data_len, b->data_len);
		if (a->type == BPF_MAP_TYPE_ARRAY && a->data_len == b->data_len)
			CHECK_MEM(a->data, b->data, a->data_len);
	}
}

static void compare_insns(const char *name, const struct pk_bpf_prog *a,
			  const struct pk_bpf_prog *b)
{
	uint32_t i, diffs = 0;

	CHECK_EQ_INT(a->insn_cnt, b->insn_cnt);
	CHECK_EQ_INT(a->kind, b->kind);
	CHECK_EQ_INT(a->sleepable, b->sleepable);
	if (a->insn_cnt != b->insn_cnt)
		return;
	for (i = 0; i < a->insn_cnt; i++) {
		const struct bpf_insn *x = &a->insns[i], *y = &b->insns[i];
		bool same = x->code == y->code && x->src_reg == y->src_reg &&
			    x->dst_reg == y->dst_reg && x->off == y->off;

		if (same && x->code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (x->src_reg == BPF_PSEUDO_MAP_IDX || x->src_reg == BPF_PSEUDO_MAP_IDX_VALUE)) {
			/* the same map by name, the same offset into it */
			same = x->imm >= 0 && (uint32_t)x->imm < a->map_cnt && y->imm >= 0 &&
			       (uint32_t)y->imm < b->map_cnt &&
			       !strcmp(map_key(a->maps[x->imm]->name), map_key(b->maps[y->imm]->name)) &&
			       x[1].imm == y[1].imm;
			i++;
		} else if (same) {
			same = x->imm == y->imm;
		}
		if (!same && diffs++ < 5)
			printf("%s: insn %u differs: code 0x%02x/0x%02x imm %d/%d off %d/%d\n",
			       name, i, x->code, y->code, x->imm, y->imm, x->off, y->off);
	}
	CHECK_EQ_INT(diffs, 0);
}

static void check_lines(const char *name, const struct pk_bpf_prog *p)
{
	uint32_t i, with_line = 0;

	CHECK(p->line_cnt > 0);
	for (i = 0; i < p->line_cnt; i++) {
		CHECK(p->lines[i].insn_idx < p->insn_cnt);
		/* clang writes line 0 for compiler-made code; most have one */
		with_line += p->lines[i].line > 0;
		CHECK(strstr(p->lines[i].file, ".bpf.c") != NULL);
		if (i)
			CHECK(p->lines[i - 1].insn_idx <= p->lines[i].insn_idx);
	}
	CHECK(with_line * 2 > p->line_cnt);
	/* instruction 0 of the entry program is on the BPF_PROG line */
	if (p->line_cnt && !strstr(p->lines[0].text, "BPF_PROG")) {
		printf("%s: first line \"%s\"\n", name, p->lines[0].text);
		check_failures++;
	}
}

static const struct pk_bpf_prog *parser_prog(const struct pk_bpf_object *o)
{
	uint32_t i;

	for (i = 0; i < o->prog_cnt; i++)
		if (o->progs[i]->kind == PK_BPF_PROG_KEXEC_PARSER)
			return o->progs[i];
	return NULL;
}

static void test_elf_vs_lskel(struct pk_ctx *ctx, const char *dir)
{
	size_t i;

	for (i = 0; i < PK_ARRAY_SIZE(progs); i++) {
		struct pk_buf elf = { 0 }, lsk = { 0 };
		struct pk_bpf_object *eo = NULL, *lo = NULL;
		struct pk_lskel_blobs blobs;
		char path[8192];
		int r;

		snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, progs[i]);
		CHECK_EQ_INT(test_read_file(path, &elf), 0);
		snprintf(path, sizeof(path), "%s/%s.lskel.o", dir, progs[i]);
		CHECK_EQ_INT(test_read_file(path, &lsk), 0);

		r = pk_bpf_load_elf_object(ctx, progs[i], elf.data, elf.len, &eo);
		if (r)
			printf("%s: ELF: %s\n", progs[i], pk_ctx_errmsg(ctx));
		CHECK_EQ_INT(r, 0);
		r = pk_lskel_parse(ctx, progs[i], lsk.data, lsk.len, &blobs);
		CHECK_EQ_INT(r, 0);
		if (!r) {
			r = pk_lskel_load(ctx, progs[i], &blobs, false, &lo);
			if (r)
				printf("%s: lskel: %s\n", progs[i], pk_ctx_errmsg(ctx));
			CHECK_EQ_INT(r, 0);
		}
		if (eo && lo) {
			const struct pk_bpf_prog *ep = parser_prog(eo), *lp = parser_prog(lo);

			compare_maps(progs[i], eo, lo);
			CHECK(ep && lp);
			if (ep && lp) {
				CHECK_EQ_INT(strcmp(ep->name, lp->name), 0);
				compare_insns(progs[i], ep, lp);
				check_lines(progs[i], ep);
				check_lines(progs[i], lp);
			}
		}
		pk_bpf_object_free(eo);
		pk_bpf_object_free(lo);
		pk_buf_free(&elf);
		pk_buf_free(&lsk);
	}
}

/* The executor's BTF must describe the ABI header exactly. */
static void test_exec_btf(void)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "kdump", offsetof(struct kexec_context, kdump) },
		{ "kernel", offsetof(struct kexec_context, kernel) },
		{ "kernel_sz", offsetof(struct kexec_context, kernel_sz) },
		{ "initrd", offsetof(struct kexec_context, initrd) },
		{ "initrd_sz", offsetof(struct kexec_context, initrd_sz) },
		{ "cmdline", offsetof(struct kexec_context, cmdline) },
		{ "cmdline_sz", offsetof(struct kexec_context, cmdline_sz) },
	};
	struct btf *b = pk_bpf_exec_btf_new();
	const struct btf_type *t;
	int id;
	size_t i;

	CHECK(b != NULL);
	if (!b)
		return;
	id = btf__find_by_name_kind(b, "kexec_context", BTF_KIND_STRUCT);
	CHECK(id > 0);
	t = btf__type_by_id(b, (uint32_t)id);
	CHECK_EQ_INT(t->size, sizeof(struct kexec_context));
	CHECK_EQ_INT(btf_vlen(t), PK_ARRAY_SIZE(fields));
	for (i = 0; i < PK_ARRAY_SIZE(fields) && i < btf_vlen(t); i++) {
		CHECK_EQ_INT(strcmp(btf__name_by_offset(b, btf_members(t)[i].name_off), fields[i].name), 0);
		CHECK_EQ_INT(btf_member_bit_offset(t, (uint32_t)i), fields[i].off * 8);
	}
	id = btf__find_by_name_kind(b, "cmd_hdr", BTF_KIND_STRUCT);
	CHECK(id > 0 && btf__type_by_id(b, (uint32_t)id)->size == sizeof(struct cmd_hdr));
	CHECK(pk_bpf_exec_btf_func(b, KEXEC_BPF_ANCHOR) > 0);
	CHECK(pk_bpf_exec_btf_func(b, "bpf_buffer_parser") > 0);
	CHECK(pk_bpf_exec_btf_func(b, "no_such_function") == -ENOENT);
	btf__free(b);
}

/* A local view: struct kexec_context___v2 { u32 pad; u32 kernel_sz; char *kernel; } */
struct local_btf {
	struct btf *btf;
	int s, access_ksz, access_kernel, access_missing, bad_access;
};

static int build_local(struct local_btf *l)
{
	int u32, chr, ptr, s;

	l->btf = btf__new_empty();
	if (!l->btf)
		return -ENOMEM;
	u32 = btf__add_int(l->btf, "unsigned int", 4, 0);
	chr = btf__add_int(l->btf, "char", 1, BTF_INT_SIGNED);
	ptr = btf__add_ptr(l->btf, chr);
	s = btf__add_struct(l->btf, "kexec_context___v2", 24);
	if (u32 < 0 || chr < 0 || ptr < 0 || s < 0 ||
	    btf__add_field(l->btf, "pad", u32, 0, 0) ||
	    btf__add_field(l->btf, "kernel_sz", u32, 32, 0) ||
	    btf__add_field(l->btf, "kernel", ptr, 64, 0) ||
	    btf__add_field(l->btf, "not_in_abi", u32, 128, 0))
		return -ENOMEM;
	l->s = s;
	l->access_ksz = btf__add_str(l->btf, "0:1");
	l->access_kernel = btf__add_str(l->btf, "0:2");
	l->access_missing = btf__add_str(l->btf, "0:3");
	l->bad_access = btf__add_str(l->btf, "0:x");
	return 0;
}

static void test_core(struct pk_ctx *ctx)
{
	struct btf *target = pk_bpf_exec_btf_new();
	struct local_btf l = { 0 };
	struct bpf_insn in[4];
	struct pk_btf_ext_core rec;

	CHECK_EQ_INT(build_local(&l), 0);
	if (!target || !l.btf)
		goto out;

	/* r0 = *(u32 *)(r1 + 4) -> u64 load at 16 (size 4 -> 8) */
	in[0] = (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 0, .src_reg = 1, .off = 4 };
	rec = (struct pk_btf_ext_core){ 0, (uint32_t)l.s, (uint32_t)l.access_ksz, BPF_CORE_FIELD_BYTE_OFFSET };
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), 0);
	CHECK_EQ_INT(in[0].off, offsetof(struct kexec_context, kernel_sz));
	CHECK_EQ_INT(BPF_SIZE(in[0].code), BPF_DW);

	/* r2 += 8 (offset of kernel locally) -> 8 in the ABI as well */
	in[0] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 2, .imm = 8 };
	rec.access_str_off = (uint32_t)l.access_kernel;
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), 0);
	CHECK_EQ_INT(in[0].imm, offsetof(struct kexec_context, kernel));

	/* field size of kernel_sz: 4 locally, 8 in the ABI */
	in[0] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 4 };
	rec = (struct pk_btf_ext_core){ 0, (uint32_t)l.s, (uint32_t)l.access_ksz, BPF_CORE_FIELD_BYTE_SIZE };
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), 0);
	CHECK_EQ_INT(in[0].imm, sizeof(((struct kexec_context *)0)->kernel_sz));

	/* existence of a member the ABI lacks: 0, not an error */
	in[0] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 1 };
	rec = (struct pk_btf_ext_core){ 0, (uint32_t)l.s, (uint32_t)l.access_missing, BPF_CORE_FIELD_EXISTS };
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), 0);
	CHECK_EQ_INT(in[0].imm, 0);

	/* its offset: the instruction is poisoned, as libbpf does */
	in[0] = (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_W, .src_reg = 1, .off = 16 };
	rec.kind = BPF_CORE_FIELD_BYTE_OFFSET;
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), 0);
	CHECK_EQ_INT(in[0].code, BPF_JMP | BPF_CALL);
	CHECK_EQ_INT(in[0].imm, PK_BPF_CORE_POISON);

	/* the instruction must carry the local value */
	in[0] = (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_W, .src_reg = 1, .off = 12 };
	rec.access_str_off = (uint32_t)l.access_ksz;
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), -EBADMSG);
	/* malformed records */
	in[0].off = 4;
	rec.access_str_off = (uint32_t)l.bad_access;
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), -EBADMSG);
	rec.access_str_off = (uint32_t)l.access_ksz;
	rec.kind = 99;
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), -EBADMSG);
	rec.kind = BPF_CORE_FIELD_BYTE_OFFSET;
	rec.insn_off = 8;
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), -EBADMSG);
	rec.insn_off = 0;
	rec.type_id = 9999;
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), -EBADMSG);
	/* a call cannot carry a relocated value */
	in[0] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = 4 };
	rec.type_id = (uint32_t)l.s;
	CHECK_EQ_INT(pk_bpf_core_apply(ctx, "t", l.btf, target, in, 1, &rec), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "cannot carry") != NULL);
out:
	btf__free(l.btf);
	btf__free(target);
}

/* The public API on the built objects: form detection, verification. */
static void test_api(struct pk_ctx *ctx, const char *dir)
{
	static const char *const files[] = { "zboot_parser.bpf.o", "zboot_parser.lskel.o" };
	size_t i;

	for (i = 0; i < PK_ARRAY_SIZE(files); i++) {
		struct pk_bpf_program *p = NULL;
		struct pk_buf b = { 0 };
		char path[8192];
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		CHECK_EQ_INT(test_read_file(path, &b), 0);
		r = pk_bpf_program_load(ctx, files[i], b.data, b.len, &p);
		if (r)
			printf("%s: %s\n", files[i], pk_ctx_errmsg(ctx));
		CHECK_EQ_INT(r, 0);
		if (p) {
			CHECK_EQ_INT(pk_bpf_program_form(p), i ? PK_BPF_FORM_LSKEL : PK_BPF_FORM_ELF);
			CHECK_EQ_INT(strcmp(pk_bpf_program_name(p), "parse_zboot"), 0);
		}
		pk_bpf_program_free(p);
		pk_buf_free(&b);
	}
}

int main(void)
{
	const char *build = getenv("BUILD");
	struct pk_ctx *ctx = pk_ctx_new();
	char dir[4096];

	if (!ctx)
		return 1;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	test_exec_btf();
	test_core(ctx);
	if (build) {
		snprintf(dir, sizeof(dir), "%s/bpf-progs", build);
		test_elf_vs_lskel(ctx, dir);
		test_api(ctx, dir);
	} else {
		printf("note: $BUILD unset, object tests not run\n");
	}
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
