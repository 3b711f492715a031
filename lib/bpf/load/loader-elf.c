// SPDX-License-Identifier: MIT
/*
 * loader-elf.c - load a BPF ELF object as clang writes it
 * (clang -target bpf -g -O2) into a struct pk_bpf_object, the way libbpf
 * prepares one for the kernel:
 *
 *  - maps: BTF-defined maps of ".maps" (array, ring buffer), then one
 *    single-element array map per global-data section (.rodata*, .data*,
 *    .bss*); .rodata* maps are BPF_F_RDONLY_PROG and frozen;
 *  - relocations of program sections: ld_imm64 of a map or of global data,
 *    bpf-to-bpf calls, calls of extern kfuncs (__ksym), resolved by name in
 *    the sandbox's kfunc table;
 *  - CO-RE relocations from .BTF.ext against the executor's BTF;
 *  - entry programs (global functions outside .text) with the subprograms
 *    they call appended and call offsets fixed up;
 *  - BTF line info to prog->lines.
 *
 * Every offset and index from the file is checked before use; the caps are
 * in loader.h.
 */
#include <bpf/btf.h>
#include <elf.h>
#include <linux/btf.h>
#include <stdio.h>

#include "internal.h"
#include "kexec_bpf/kexec_bpf.h"
#include "bpf/vm/kfunc.h"
#include "loader.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#define R_BPF_64_64 1
#define R_BPF_64_32 10
#define NO_TARGET UINT32_MAX
#define MAX_MOD_DEPTH 32 /* const/volatile/restrict chain of a map definition */

struct code_sec {
	const struct pk_elf_sec *sec;
	struct bpf_insn *insns; /* working copy, relocated in place */
	uint32_t cnt;
	uint32_t *call_sec; /* per insn: target section of a relocated call */
	uint32_t *call_idx; /* per insn: its target instruction there */
};

struct map_src {
	uint32_t shndx;   /* .maps or the data section */
	uint64_t sym_off; /* .maps: offset of the map's variable */
};

struct elf_loader {
	struct pk_ctx *ctx;
	const char *file;
	struct pk_elf *e;
	struct btf *btf;
	struct pk_btf_ext *ext;
	struct btf *exec_btf;
	struct pk_bpf_object *obj;
	struct map_src map_src[PK_BPF_MAX_MAPS];
	uint32_t maps_shndx;
	struct code_sec *code;
	uint32_t code_cnt;
	struct pk_lines_pending *pending;
	uint32_t pending_cnt;
};

/* One function placed into a program being linked. */
struct unit {
	uint32_t code;  /* index into loader->code */
	uint32_t start; /* first instruction in the section */
	uint32_t end;
	uint32_t new_start;
};

static void loader_release(struct elf_loader *L)
{
	uint32_t i;

	for (i = 0; i < L->code_cnt; i++) {
		free(L->code[i].insns);
		free(L->code[i].call_sec);
		free(L->code[i].call_idx);
	}
	free(L->code);
	for (i = 0; i < L->pending_cnt; i++)
		free(L->pending[i].recs);
	free(L->pending);
	pk_btf_ext_free(L->ext);
	btf__free(L->btf);
	btf__free(L->exec_btf);
	pk_elf_free(L->e);
	pk_bpf_object_free(L->obj);
}

static bool is_code_sec(const struct pk_elf_sec *s)
{
	return s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR) && s->size;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* ".data", ".data.x", ".rodata", ".rodata.str1.1", ".bss", ".bss.x" */
static int data_sec_kind(const char *name)
{
	static const char *const pfx[] = { ".rodata", ".data", ".bss" };
	size_t i, l;

	for (i = 0; i < PK_ARRAY_SIZE(pfx); i++) {
		l = strlen(pfx[i]);
		if (!strncmp(name, pfx[i], l) && (name[l] == 0 || name[l] == '.'))
			return (int)i + 1;
	}
	return 0;
}

static int add_map(struct elf_loader *L, struct pk_bpf_map **ret)
{
	struct pk_bpf_object *obj = L->obj;
	struct pk_bpf_map **maps, *m;

	if (obj->map_cnt >= PK_BPF_MAX_MAPS)
		return pk_err(L->ctx, -EFBIG, "%s: more than %u maps", L->file, PK_BPF_MAX_MAPS);
	maps = realloc(obj->maps, (obj->map_cnt + 1) * sizeof(*maps));
	if (!maps)
		return pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
	obj->maps = maps;
	m = calloc(1, sizeof(*m));
	if (!m)
		return pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
	maps[obj->map_cnt++] = m;
	*ret = m;
	return 0;
}

int pk_bpf_map_alloc(struct pk_ctx *ctx, const char *where, struct pk_bpf_map *m)
{
	uint64_t bytes;

	switch (m->type) {
	case BPF_MAP_TYPE_ARRAY:
		if (m->key_size != 4 || !m->value_size || !m->max_entries)
			return pk_err(ctx, -EINVAL, "%s: map %s: array needs key_size 4, value_size > 0, max_entries > 0 (have %u/%u/%u)",
				      where, m->name, m->key_size, m->value_size, m->max_entries);
		bytes = ((uint64_t)m->value_size + 7) / 8 * 8 * m->max_entries;
		break;
	case BPF_MAP_TYPE_RINGBUF:
		if (m->key_size || m->value_size || !pk_is_pow2(m->max_entries) ||
		    m->max_entries % 4096)
			return pk_err(ctx, -EINVAL, "%s: map %s: ring buffer needs key/value size 0 and a power-of-two multiple of 4096 bytes (have %u)",
				      where, m->name, m->max_entries);
		bytes = m->max_entries;
		break;
	default:
		return pk_err(ctx, -EOPNOTSUPP, "%s: map %s: type %u not supported (array, ringbuf)",
			      where, m->name, m->type);
	}
	if (bytes > PK_BPF_MAX_MAP_BYTES)
		return pk_err(ctx, -EFBIG, "%s: map %s: %llu bytes, above the cap of %u",
			      where, m->name, (unsigned long long)bytes, PK_BPF_MAX_MAP_BYTES);
	m->data = calloc(1, bytes);
	if (!m->data)
		return pk_err(ctx, -ENOMEM, "%s: map %s: out of memory", where, m->name);
	m->data_len = bytes;
	return 0;
}

/* libbpf rounds ring sizes up to a power-of-two number of pages. */
static uint32_t ringbuf_size(uint32_t v)
{
	uint64_t s = 4096;

	while (s < v && s < (1ull << 31))
		s <<= 1;
	return (uint32_t)s;
}

/* __uint(name, N) is "int (*name)[N]": N is the array's nelems. */
static int def_uint(const struct btf *btf, uint32_t type_id, uint32_t *ret)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_type *a;

	if (!t || !btf_is_ptr(t))
		return -EBADMSG;
	a = btf__type_by_id(btf, t->type);
	if (!a || !btf_is_array(a))
		return -EBADMSG;
	*ret = btf_array(a)->nelems;
	return 0;
}

/* __type(key, T) is "T *key": the size of T. */
static int def_type_size(const struct btf *btf, uint32_t type_id, uint32_t *ret)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	int64_t sz;

	if (!t || !btf_is_ptr(t))
		return -EBADMSG;
	sz = btf__resolve_size(btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return -EBADMSG;
	*ret = (uint32_t)sz;
	return 0;
}

static int parse_map_def(struct elf_loader *L, const char *name, uint32_t def_id,
			 struct pk_bpf_map *m)
{
	const struct btf_type *def = btf__type_by_id(L->btf, def_id);
	const struct btf_member *mb;
	uint16_t i, depth = 0;

	/* libbpf checks type ids, not cycles: a modifier may be its own target */
	while (def && btf_is_mod(def) && depth++ < MAX_MOD_DEPTH)
		def = btf__type_by_id(L->btf, def->type);
	if (!def || !btf_is_struct(def))
		return pk_err(L->ctx, -EBADMSG, "%s: map %s: definition (BTF type %u) is not a struct%s",
			      L->file, name, def_id,
			      depth > MAX_MOD_DEPTH ? " (a loop of modifiers)" : "");
	mb = btf_members(def);
	for (i = 0; i < btf_vlen(def); i++, mb++) {
		const char *mn = btf__name_by_offset(L->btf, mb->name_off);
		int r = -EBADMSG;

		if (!mn)
			break;
		if (!strcmp(mn, "type"))
			r = def_uint(L->btf, mb->type, &m->type);
		else if (!strcmp(mn, "max_entries"))
			r = def_uint(L->btf, mb->type, &m->max_entries);
		else if (!strcmp(mn, "map_flags"))
			r = def_uint(L->btf, mb->type, &m->map_flags);
		else if (!strcmp(mn, "key_size"))
			r = def_uint(L->btf, mb->type, &m->key_size);
		else if (!strcmp(mn, "value_size"))
			r = def_uint(L->btf, mb->type, &m->value_size);
		else if (!strcmp(mn, "key"))
			r = def_type_size(L->btf, mb->type, &m->key_size);
		else if (!strcmp(mn, "value"))
			r = def_type_size(L->btf, mb->type, &m->value_size);
		else
			return pk_err(L->ctx, -EOPNOTSUPP, "%s: map %s: attribute '%s' not supported",
				      L->file, name, mn);
		if (r)
			return pk_err(L->ctx, -EBADMSG, "%s: map %s: attribute '%s' malformed in BTF",
				      L->file, name, mn);
	}
	if (i != btf_vlen(def))
		return pk_err(L->ctx, -EBADMSG, "%s: map %s: member %u has no name", L->file, name, i);
	if (m->type == BPF_MAP_TYPE_RINGBUF)
		m->max_entries = ringbuf_size(m->max_entries);
	return 0;
}

/*
 * The symbol of map @name in .maps (@shndx).  Its st_value is where the
 * map's definition is: clang (14, 16) writes 0 as the DATASEC offset of
 * every variable, and libbpf (btf_fixup_datasec) takes the offsets from
 * the symbol table too.
 */
static const struct pk_elf_sym *maps_sym(struct elf_loader *L, uint32_t shndx,
					 const char *name)
{
	const struct pk_elf_sym *found = NULL;
	uint32_t i;

	for (i = 0; i < L->e->sym_cnt; i++) {
		const struct pk_elf_sym *s = &L->e->syms[i];

		if (s->shndx != shndx || s->type != STT_OBJECT || !s->name ||
		    strcmp(s->name, name))
			continue;
		if (found)
			return NULL; /* ambiguous; the caller reports it */
		found = s;
	}
	return found;
}

static int load_btf_maps(struct elf_loader *L)
{
	const struct pk_elf_sec *ms = pk_elf_sec_by_name(L->e, ".maps");
	const struct btf_var_secinfo *vi;
	const struct btf_type *ds;
	int ds_id, r;
	uint32_t j;
	uint16_t i;

	if (!ms)
		return 0;
	L->maps_shndx = ms->idx;
	if (!L->btf)
		return pk_err(L->ctx, -EBADMSG, "%s: .maps section without .BTF", L->file);
	ds_id = btf__find_by_name_kind(L->btf, ".maps", BTF_KIND_DATASEC);
	if (ds_id <= 0)
		return pk_err(L->ctx, -EBADMSG, "%s: .BTF has no DATASEC .maps", L->file);
	ds = btf__type_by_id(L->btf, (uint32_t)ds_id);
	vi = btf_var_secinfos(ds);
	for (i = 0; i < btf_vlen(ds); i++, vi++) {
		const struct btf_type *var = btf__type_by_id(L->btf, vi->type);
		const char *name = var ? btf__name_by_offset(L->btf, var->name_off) : NULL;
		struct pk_bpf_map *m;

		const struct pk_elf_sym *sym;

		if (!var || !btf_is_var(var) || !name || !*name)
			return pk_err(L->ctx, -EBADMSG, "%s: DATASEC .maps entry %u is not a named VAR",
				      L->file, i);
		sym = maps_sym(L, ms->idx, name);
		if (!sym)
			return pk_err(L->ctx, -EBADMSG, "%s: map %s: no single object symbol of that name in .maps (section %u)",
				      L->file, name, ms->idx);
		if (!pk_range_ok(ms->size, sym->value, vi->size))
			return pk_err(L->ctx, -EBADMSG, "%s: map %s: symbol value 0x%llx size 0x%x beyond .maps (0x%llx bytes)",
				      L->file, name, (unsigned long long)sym->value, vi->size,
				      (unsigned long long)ms->size);
		for (j = 0; j < L->obj->map_cnt; j++)
			if (L->map_src[j].shndx == ms->idx && L->map_src[j].sym_off == sym->value)
				return pk_err(L->ctx, -EBADMSG, "%s: map %s: at .maps offset 0x%llx, as map %s",
					      L->file, name, (unsigned long long)sym->value,
					      L->obj->maps[j]->name);
		r = add_map(L, &m);
		if (r)
			return r;
		snprintf(m->name, sizeof(m->name), "%s", name);
		L->map_src[L->obj->map_cnt - 1] = (struct map_src){ ms->idx, sym->value };
		r = parse_map_def(L, name, var->type, m);
		if (!r)
			r = pk_bpf_map_alloc(L->ctx, L->file, m);
		if (r)
			return r;
	}
	return 0;
}

static int load_data_maps(struct elf_loader *L)
{
	uint32_t i;
	int r;

	for (i = 1; i < L->e->sec_cnt; i++) {
		const struct pk_elf_sec *s = &L->e->secs[i];
		int kind = data_sec_kind(s->name);
		struct pk_bpf_map *m;

		if (!kind || !s->size || !(s->flags & SHF_ALLOC) ||
		    (s->type != SHT_PROGBITS && s->type != SHT_NOBITS))
			continue;
		if (s->size > PK_BPF_MAX_MAP_BYTES)
			return pk_err(L->ctx, -EFBIG, "%s: section %s: 0x%llx bytes, above the cap",
				      L->file, s->name, (unsigned long long)s->size);
		r = add_map(L, &m);
		if (r)
			return r;
		snprintf(m->name, sizeof(m->name), "%s", s->name);
		L->map_src[L->obj->map_cnt - 1] = (struct map_src){ s->idx, 0 };
		m->type = BPF_MAP_TYPE_ARRAY;
		m->key_size = 4;
		m->value_size = (uint32_t)s->size;
		m->max_entries = 1;
		if (kind == 1) {
			m->map_flags = BPF_F_RDONLY_PROG;
			m->frozen = true;
		}
		r = pk_bpf_map_alloc(L->ctx, L->file, m);
		if (r)
			return r;
		if (s->type == SHT_PROGBITS)
			memcpy(m->data, s->data, s->size);
	}
	return 0;
}

static int load_code(struct elf_loader *L)
{
	uint32_t i;

	L->code = calloc(L->e->sec_cnt, sizeof(*L->code));
	if (!L->code)
		return pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
	for (i = 1; i < L->e->sec_cnt; i++) {
		const struct pk_elf_sec *s = &L->e->secs[i];
		struct code_sec *c;
		uint32_t j;

		if (!is_code_sec(s))
			continue;
		if (s->size % 8 || s->size / 8 > PK_BPF_LOAD_MAX_INSNS)
			return pk_err(L->ctx, -EBADMSG, "%s: section %s: size 0x%llx not a multiple of 8 or above %u instructions [at 0x%llx]",
				      L->file, s->name, (unsigned long long)s->size,
				      PK_BPF_LOAD_MAX_INSNS, (unsigned long long)s->offset);
		c = &L->code[L->code_cnt++];
		c->sec = s;
		c->cnt = (uint32_t)(s->size / 8);
		c->insns = calloc(c->cnt, sizeof(*c->insns));
		c->call_sec = malloc(c->cnt * sizeof(*c->call_sec));
		c->call_idx = malloc(c->cnt * sizeof(*c->call_idx));
		if (!c->insns || !c->call_sec || !c->call_idx)
			return pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
		pk_bpf_insns_decode(s->data, c->cnt, c->insns);
		for (j = 0; j < c->cnt; j++)
			c->call_sec[j] = NO_TARGET;
	}
	return 0;
}

static struct code_sec *code_by_shndx(struct elf_loader *L, uint32_t shndx, uint32_t *ret_i)
{
	uint32_t i;

	for (i = 0; i < L->code_cnt; i++)
		if (L->code[i].sec->idx == shndx) {
			if (ret_i)
				*ret_i = i;
			return &L->code[i];
		}
	return NULL;
}

static int map_by_src(struct elf_loader *L, uint32_t shndx, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < L->obj->map_cnt; i++)
		if (L->map_src[i].shndx == shndx &&
		    (shndx != L->maps_shndx || L->map_src[i].sym_off == off))
			return (int)i;
	return -1;
}

static int relocate_one(struct elf_loader *L, struct code_sec *c, const struct pk_elf_rel *rel,
			uint32_t n, uint64_t rel_file_off)
{
	const struct pk_elf_sym *sym = &L->e->syms[rel->sym];
	const char *sn = c->sec->name;
	struct bpf_insn *in;
	uint32_t idx;
	int mi;

	if (rel->offset % 8 || rel->offset / 8 >= c->cnt)
		return pk_err(L->ctx, -EBADMSG, "%s: section %s: relocation %u: r_offset 0x%llx outside the 0x%x instructions [at 0x%llx]",
			      L->file, sn, n, (unsigned long long)rel->offset, c->cnt, (unsigned long long)rel_file_off);
	idx = (uint32_t)(rel->offset / 8);
	in = &c->insns[idx];

	if (in->code == (BPF_JMP | BPF_CALL)) {
		struct code_sec *tc;
		uint64_t tgt;

		if (rel->type != R_BPF_64_32)
			return pk_err(L->ctx, -EBADMSG, "%s: section %s: relocation %u: type %u on a call (want R_BPF_64_32) [at 0x%llx]",
				      L->file, sn, n, rel->type, (unsigned long long)rel_file_off);
		if (sym->shndx == SHN_UNDEF) {
			int id = pk_bpf_kfunc_by_name(sym->name);

			if (id < 0)
				return pk_err(L->ctx, -ENOENT, "%s: section %s: insn %u calls extern '%s', which is not a kfunc of the sandbox",
					      L->file, sn, idx, sym->name);
			in->src_reg = BPF_PSEUDO_KFUNC_CALL;
			in->imm = id;
			in->off = 0;
			return 0;
		}
		if (in->src_reg != BPF_PSEUDO_CALL)
			return pk_err(L->ctx, -EBADMSG, "%s: section %s: relocation %u: call at insn %u is neither bpf-to-bpf nor extern",
				      L->file, sn, n, idx);
		tc = code_by_shndx(L, sym->shndx, NULL);
		if (!tc || sym->value % 8)
			return pk_err(L->ctx, -EBADMSG, "%s: section %s: insn %u calls symbol '%s' that is not code",
				      L->file, sn, idx, sym->name);
		tgt = sym->value / 8 + (uint64_t)((int64_t)in->imm + 1);
		if (tgt >= tc->cnt)
			return pk_err(L->ctx, -EBADMSG, "%s: section %s: insn %u calls beyond section %s",
				      L->file, sn, idx, tc->sec->name);
		c->call_sec[idx] = tc->sec->idx;
		c->call_idx[idx] = (uint32_t)tgt;
		return 0;
	}
	if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
		return pk_err(L->ctx, -EBADMSG, "%s: section %s: relocation %u against insn %u (code 0x%02x), neither ld_imm64 nor call [at 0x%llx]",
			      L->file, sn, n, idx, in->code, (unsigned long long)rel_file_off);
	if (rel->type != R_BPF_64_64)
		return pk_err(L->ctx, -EBADMSG, "%s: section %s: relocation %u: type %u on ld_imm64 (want R_BPF_64_64) [at 0x%llx]",
			      L->file, sn, n, rel->type, (unsigned long long)rel_file_off);
	if (idx + 1 >= c->cnt || in[1].code)
		return pk_err(L->ctx, -EBADMSG, "%s: section %s: insn %u: ld_imm64 without its second half",
			      L->file, sn, idx);
	if (sym->shndx == SHN_UNDEF)
		return pk_err(L->ctx, -EOPNOTSUPP, "%s: section %s: insn %u uses extern variable '%s' (not supported)",
			      L->file, sn, idx, sym->name);
	if (code_by_shndx(L, sym->shndx, NULL))
		return pk_err(L->ctx, -EOPNOTSUPP, "%s: section %s: insn %u takes the address of function '%s' (not supported)",
			      L->file, sn, idx, sym->name);
	mi = sym->shndx < SHN_LORESERVE ? map_by_src(L, sym->shndx, sym->value) : -1;
	if (mi < 0)
		return pk_err(L->ctx, -EBADMSG, "%s: section %s: insn %u: symbol '%s' (section %u) is not a map or global data",
			      L->file, sn, idx, sym->name, sym->shndx);
	if (sym->shndx == L->maps_shndx) {
		in->src_reg = BPF_PSEUDO_MAP_IDX;
		in->imm = mi;
		in[1].imm = 0;
	} else {
		int64_t off = (int64_t)in->imm + (int64_t)sym->value;

		if (off < 0 || (uint64_t)off > L->obj->maps[mi]->value_size)
			return pk_err(L->ctx, -EBADMSG, "%s: section %s: insn %u: offset %lld outside %s",
				      L->file, sn, idx, (long long)off, L->obj->maps[mi]->name);
		in->src_reg = BPF_PSEUDO_MAP_IDX_VALUE;
		in->imm = mi;
		in[1].imm = (int32_t)off;
	}
	return 0;
}

static int relocate(struct elf_loader *L)
{
	uint32_t i, j, cnt;
	int r;

	for (i = 1; i < L->e->sec_cnt; i++) {
		const struct pk_elf_sec *s = &L->e->secs[i];
		struct pk_elf_rel *rels;
		struct code_sec *c;

		if (s->type != SHT_REL)
			continue;
		c = code_by_shndx(L, s->info, NULL);
		if (!c)
			continue; /* .rel.BTF, .rel.BTF.ext, ...: debug data */
		r = pk_elf_rels(L->ctx, L->e, s, &rels, &cnt);
		if (r)
			return r;
		for (j = 0; j < cnt && !r; j++)
			r = relocate_one(L, c, &rels[j], j, s->offset + (uint64_t)j * 16);
		free(rels);
		if (r)
			return r;
	}
	return 0;
}

static int apply_core(struct elf_loader *L)
{
	uint32_t i, j;
	int r;

	for (i = 0; i < L->code_cnt; i++) {
		struct code_sec *c = &L->code[i];
		const struct pk_btf_ext_sec *es = pk_btf_ext_sec(L->ext, c->sec->name);
		char where[128];

		if (!es)
			continue;
		snprintf(where, sizeof(where), "%s: section %s", L->file, c->sec->name);
		for (j = 0; j < es->core_cnt; j++) {
			r = pk_bpf_core_apply(L->ctx, where, L->btf, L->exec_btf, c->insns,
					      c->cnt, &es->core[j]);
			if (r)
				return r;
		}
	}
	return 0;
}

/* The STT_FUNC symbol of section @shndx starting at instruction @idx. */
static const struct pk_elf_sym *func_at(struct elf_loader *L, uint32_t shndx, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < L->e->sym_cnt; i++) {
		const struct pk_elf_sym *s = &L->e->syms[i];

		if (s->type == STT_FUNC && s->shndx == shndx && s->value == (uint64_t)idx * 8)
			return s;
	}
	return NULL;
}

static int func_unit(struct elf_loader *L, uint32_t ci, const struct pk_elf_sym *s,
		     struct unit *u)
{
	const struct code_sec *c = &L->code[ci];

	if (s->value % 8 || s->size % 8 || !s->size || !pk_range_ok(c->cnt, s->value / 8, s->size / 8))
		return pk_err(L->ctx, -EBADMSG, "%s: function %s: st_value 0x%llx st_size 0x%llx outside section %s",
			      L->file, s->name, (unsigned long long)s->value,
			      (unsigned long long)s->size, c->sec->name);
	u->code = ci;
	u->start = (uint32_t)(s->value / 8);
	u->end = u->start + (uint32_t)(s->size / 8);
	return 0;
}

/* Target (code index, insn) of the pseudo call at @i of unit @u. */
static int call_target(struct elf_loader *L, const struct unit *u, uint32_t i,
		       uint32_t *ret_ci, uint32_t *ret_idx)
{
	const struct code_sec *c = &L->code[u->code];
	int64_t t;

	if (c->call_sec[i] != NO_TARGET) {
		if (!code_by_shndx(L, c->call_sec[i], ret_ci))
			return -EBADMSG;
		*ret_idx = c->call_idx[i];
		return 0;
	}
	t = (int64_t)i + c->insns[i].imm + 1;
	if (t < 0 || t >= c->cnt)
		return pk_err(L->ctx, -EBADMSG, "%s: section %s: insn %u: call target %lld outside the section",
			      L->file, c->sec->name, i, (long long)t);
	*ret_ci = u->code;
	*ret_idx = (uint32_t)t;
	return 0;
}

static int find_unit(const struct unit *units, uint32_t n, uint32_t ci, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (units[i].code == ci && units[i].start == idx)
			return (int)i;
	return -1;
}

static bool is_pseudo_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
}

static int prog_kind(struct elf_loader *L, struct pk_bpf_prog *p)
{
	const char *s = p->section, *target = NULL;

	if (has_prefix(s, "fentry.s/")) {
		p->sleepable = true;
		target = s + strlen("fentry.s/");
	} else if (has_prefix(s, "fentry/")) {
		target = s + strlen("fentry/");
	} else if (!strcmp(s, "syscall")) {
		p->kind = PK_BPF_PROG_RAW;
		return 0;
	}
	if (!target)
		return pk_err(L->ctx, -EOPNOTSUPP, "%s: program %s: section '%s' is not a supported program type (fentry.s/%s, syscall)",
			      L->file, p->name, s, KEXEC_BPF_ANCHOR);
	if (strcmp(target, KEXEC_BPF_ANCHOR))
		return pk_err(L->ctx, -EOPNOTSUPP, "%s: program %s attaches to '%s', not to %s",
			      L->file, p->name, target, KEXEC_BPF_ANCHOR);
	p->kind = PK_BPF_PROG_KEXEC_PARSER;
	return 0;
}

/* Line info of unit @u, remapped into the linked program. */
static int collect_lines(struct elf_loader *L, const struct unit *u, struct pk_line_src **recs,
			 uint32_t *cnt)
{
	const struct pk_btf_ext_sec *es = pk_btf_ext_sec(L->ext, L->code[u->code].sec->name);
	struct pk_line_src *n;
	uint32_t i;

	if (!es || !es->line_cnt)
		return 0;
	n = realloc(*recs, ((size_t)*cnt + es->line_cnt) * sizeof(*n));
	if (!n)
		return pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
	*recs = n;
	for (i = 0; i < es->line_cnt; i++) {
		const struct pk_btf_ext_line *l = &es->lines[i];
		uint32_t ii = l->insn_off / 8;

		if (l->insn_off % 8 || ii < u->start || ii >= u->end)
			continue;
		n[(*cnt)++] = (struct pk_line_src){ u->new_start + ii - u->start, l->file_name_off,
						    l->line_off, l->line_col };
	}
	return 0;
}

static int link_prog(struct elf_loader *L, uint32_t ci, const struct pk_elf_sym *sym)
{
	struct unit *units = NULL, *nu;
	uint32_t n = 0, i, j, total = 0;
	struct pk_lines_pending *pend;
	struct pk_bpf_prog *p = NULL;
	struct pk_bpf_prog **progs;
	int r;

	if (L->obj->prog_cnt >= PK_BPF_MAX_PROGS)
		return pk_err(L->ctx, -EFBIG, "%s: more than %u programs", L->file, PK_BPF_MAX_PROGS);
	units = calloc(1, sizeof(*units));
	if (!units)
		return pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
	r = func_unit(L, ci, sym, &units[0]);
	if (r)
		goto out;
	n = 1;
	/* breadth first over the call graph; each function is placed once */
	for (i = 0; i < n; i++) {
		units[i].new_start = total;
		total += units[i].end - units[i].start;
		if (total > PK_BPF_LOAD_MAX_INSNS) {
			r = pk_err(L->ctx, -EFBIG, "%s: program %s: more than %u instructions after linking",
				   L->file, sym->name, PK_BPF_LOAD_MAX_INSNS);
			goto out;
		}
		for (j = units[i].start; j < units[i].end; j++) {
			const struct bpf_insn *in = &L->code[units[i].code].insns[j];
			const struct pk_elf_sym *fs;
			uint32_t tci, tidx;

			if (!is_pseudo_call(in))
				continue;
			r = call_target(L, &units[i], j, &tci, &tidx);
			if (r)
				goto out;
			if (find_unit(units, n, tci, tidx) >= 0)
				continue;
			fs = func_at(L, L->code[tci].sec->idx, tidx);
			if (!fs) {
				r = pk_err(L->ctx, -EBADMSG, "%s: program %s: call at insn %u lands inside a function (section %s, insn %u)",
					   L->file, sym->name, j, L->code[tci].sec->name, tidx);
				goto out;
			}
			nu = realloc(units, (n + 1) * sizeof(*units));
			if (!nu) {
				r = pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
				goto out;
			}
			units = nu;
			r = func_unit(L, tci, fs, &units[n]);
			if (r)
				goto out;
			n++;
		}
	}
	progs = realloc(L->obj->progs, (L->obj->prog_cnt + 1) * sizeof(*progs));
	pend = realloc(L->pending, (L->pending_cnt + 1) * sizeof(*pend));
	if (progs)
		L->obj->progs = progs;
	if (pend)
		L->pending = pend;
	p = calloc(1, sizeof(*p));
	if (!progs || !pend || !p) {
		free(p);
		r = pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
		goto out;
	}
	L->obj->progs[L->obj->prog_cnt++] = p;
	L->pending[L->pending_cnt] = (struct pk_lines_pending){ .prog = p, .btf = L->btf };
	pend = &L->pending[L->pending_cnt++];
	snprintf(p->name, sizeof(p->name), "%s", sym->name);
	snprintf(p->section, sizeof(p->section), "%s", L->code[ci].sec->name);
	r = prog_kind(L, p);
	if (r)
		goto out;
	p->insns = calloc(total, sizeof(*p->insns));
	p->maps = calloc(L->obj->map_cnt ? L->obj->map_cnt : 1, sizeof(*p->maps));
	if (!p->insns || !p->maps) {
		r = pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
		goto out;
	}
	p->insn_cnt = total;
	p->map_cnt = L->obj->map_cnt;
	for (i = 0; i < p->map_cnt; i++)
		p->maps[i] = L->obj->maps[i];
	for (i = 0; i < n; i++) {
		const struct code_sec *c = &L->code[units[i].code];

		memcpy(p->insns + units[i].new_start, c->insns + units[i].start,
		       (units[i].end - units[i].start) * sizeof(*p->insns));
		for (j = units[i].start; j < units[i].end; j++) {
			uint32_t tci, tidx, pos = units[i].new_start + j - units[i].start;
			int tu;

			if (!is_pseudo_call(&c->insns[j]))
				continue;
			call_target(L, &units[i], j, &tci, &tidx);
			tu = find_unit(units, n, tci, tidx);
			/* every target was placed above; the distance fits: total is capped */
			p->insns[pos].imm = (int32_t)units[tu].new_start - (int32_t)pos - 1;
		}
		if (L->btf) {
			r = collect_lines(L, &units[i], &pend->recs, &pend->cnt);
			if (r)
				goto out;
		}
	}
out:
	free(units);
	return r;
}

static int load_progs(struct elf_loader *L)
{
	uint32_t i, ci;
	int r;

	for (i = 0; i < L->e->sym_cnt; i++) {
		const struct pk_elf_sym *s = &L->e->syms[i];
		const struct code_sec *c;

		if (s->type != STT_FUNC || s->shndx == SHN_UNDEF || s->shndx >= SHN_LORESERVE)
			continue;
		c = code_by_shndx(L, s->shndx, &ci);
		if (!c || !strcmp(c->sec->name, ".text"))
			continue;
		if (s->bind == STB_LOCAL)
			return pk_err(L->ctx, -EOPNOTSUPP, "%s: section %s: program %s is static",
				      L->file, c->sec->name, s->name);
		r = link_prog(L, ci, s);
		if (r)
			return r;
	}
	if (!L->obj->prog_cnt)
		return pk_err(L->ctx, -ENOENT, "%s: no BPF program (global function outside .text)",
			      L->file);
	return 0;
}

static int load_btf(struct elf_loader *L)
{
	const struct pk_elf_sec *bs = pk_elf_sec_by_name(L->e, ".BTF");
	const struct pk_elf_sec *es = pk_elf_sec_by_name(L->e, ".BTF.ext");
	int r;

	L->exec_btf = pk_bpf_exec_btf_new();
	if (!L->exec_btf)
		return pk_err(L->ctx, -ENOMEM, "%s: out of memory", L->file);
	if (!bs) {
		if (es)
			return pk_err(L->ctx, -EBADMSG, "%s: .BTF.ext without .BTF", L->file);
		return 0;
	}
	if (!bs->data || bs->size > UINT32_MAX)
		return pk_err(L->ctx, -EBADMSG, "%s: .BTF has no data", L->file);
	L->btf = btf__new(bs->data, (uint32_t)bs->size);
	if (!L->btf) {
		int err = errno;

		return pk_err(L->ctx, -EBADMSG, "%s: .BTF at 0x%llx (0x%llx bytes) rejected by libbpf: %s",
			      L->file, (unsigned long long)bs->offset,
			      (unsigned long long)bs->size, strerror(err));
	}
	if (!es)
		return 0;
	if (!es->data)
		return pk_err(L->ctx, -EBADMSG, "%s: .BTF.ext has no data", L->file);
	r = pk_btf_ext_parse(L->ctx, es->data, es->size, L->btf, &L->ext);
	return r ? pk_err_prefix(L->ctx, r, "%s", L->file) : 0;
}

int pk_bpf_load_elf_object(struct pk_ctx *ctx, const char *name,
			   const uint8_t *buf, size_t len,
			   struct pk_bpf_object **ret)
{
	struct elf_loader L = { .ctx = ctx, .file = name };
	int r;

	*ret = NULL;
	r = pk_elf_open(ctx, name, buf, len, &L.e);
	if (r)
		return r;
	if (L.e->type != ET_REL || L.e->machine != EM_BPF) {
		r = pk_err(ctx, -EBADMSG, "%s: e_type %u e_machine %u: not a BPF relocatable object",
			   name, L.e->type, L.e->machine);
		goto out;
	}
	if (!L.e->symtab_idx) {
		r = pk_err(ctx, -EBADMSG, "%s: no symbol table", name);
		goto out;
	}
	L.obj = calloc(1, sizeof(*L.obj));
	if (!L.obj) {
		r = pk_err(ctx, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	r = load_btf(&L);
	if (!r)
		r = load_btf_maps(&L);
	if (!r)
		r = load_data_maps(&L);
	if (!r)
		r = load_code(&L);
	if (!r)
		r = relocate(&L);
	if (!r)
		r = apply_core(&L);
	if (!r)
		r = load_progs(&L);
	if (!r)
		r = pk_bpf_lines_attach(ctx, L.obj, L.pending, L.pending_cnt);
	if (!r)
		*ret = PK_TAKE_PTR(L.obj);
out:
	loader_release(&L);
	return r;
}
