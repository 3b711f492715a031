// SPDX-License-Identifier: MIT
/*
 * core.c - CO-RE ("compile once, run everywhere") relocations: rewrite an
 * instruction compiled against the program's local view of a type (its
 * vmlinux.h) so that it matches the executor's BTF (btf-exec.c).
 *
 * Supported: field byte offset / size / existence / signedness, the u64
 * shifts of non-bitfield members, local/target type ids, type existence
 * and size, enumerator existence and value.  Members are matched by name,
 * through anonymous structs/unions; types by "essential" name (without a
 * ___flavor suffix) and kind.  Bitfields and TYPE_MATCHES are refused
 * (-EOPNOTSUPP): the ABI has none and no supported program uses them.
 *
 * Instruction patching follows libbpf's rules: the instruction must carry
 * the value the compiler computed for the local type (checked), ALU
 * immediates, load/store offsets and ld_imm64 immediates are rewritten, a
 * load may change width when the target field has another size.  A field
 * that does not exist in the target poisons the instruction.
 */
#include <bpf/btf.h>
#include <linux/btf.h>

#include "internal.h"
#include "loader.h"

#define CORE_MAX_MOD_DEPTH 32

struct core_spec {
	const struct btf *btf;
	uint32_t root_id;          /* after modifiers */
	uint32_t acc[PK_BPF_MAX_CORE_DEPTH];
	uint32_t acc_cnt;
	/* results of walking the access string */
	uint64_t byte_off;
	uint32_t byte_sz;
	bool is_signed;
	uint32_t field_type_id;    /* after modifiers */
};

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id,
					uint32_t *ret_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int depth = 0;

	while (t && depth++ < CORE_MAX_MOD_DEPTH) {
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			t = btf__type_by_id(btf, id);
			continue;
		default:
			if (ret_id)
				*ret_id = id;
			return t;
		}
	}
	return NULL;
}

/* Length of @name without a "___flavor" suffix. */
static size_t essential_len(const char *name)
{
	const char *p = strstr(name, "___");

	return p ? (size_t)(p - name) : strlen(name);
}

static bool same_essential(const char *a, const char *b)
{
	size_t la = essential_len(a);

	return la == essential_len(b) && !strncmp(a, b, la);
}

static int parse_access(struct pk_ctx *ctx, const char *where, const char *s,
			struct core_spec *spec)
{
	spec->acc_cnt = 0;
	if (!s || !*s)
		return pk_err(ctx, -EBADMSG, "%s: CO-RE access string missing", where);
	for (;;) {
		uint64_t v = 0;

		if (*s < '0' || *s > '9')
			return pk_err(ctx, -EBADMSG, "%s: CO-RE access string: digit expected", where);
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > UINT32_MAX)
				return pk_err(ctx, -EBADMSG, "%s: CO-RE access index too large", where);
		}
		if (spec->acc_cnt == PK_BPF_MAX_CORE_DEPTH)
			return pk_err(ctx, -EBADMSG, "%s: CO-RE access string deeper than %u",
				      where, PK_BPF_MAX_CORE_DEPTH);
		spec->acc[spec->acc_cnt++] = (uint32_t)v;
		if (!*s)
			return 0;
		if (*s++ != ':')
			return pk_err(ctx, -EBADMSG, "%s: CO-RE access string: ':' expected", where);
	}
}

static bool type_is_signed(const struct btf_type *t)
{
	if (btf_is_int(t))
		return btf_int_encoding(t) & BTF_INT_SIGNED;
	if (btf_is_any_enum(t))
		return btf_kflag(t);
	return false;
}

static int elem_size(const struct btf *btf, uint32_t id, uint64_t *ret)
{
	int64_t sz = btf__resolve_size(btf, id);

	if (sz < 0)
		return -EBADMSG;
	*ret = (uint64_t)sz;
	return 0;
}

/*
 * Walk the local access string: member indices and array indices.  Also
 * records, per step, the member names the target walk must find.
 */
static int walk_local(struct pk_ctx *ctx, const char *where, struct core_spec *s,
		      const char **names)
{
	const struct btf_type *t;
	uint64_t esz;
	uint32_t id, i;

	t = skip_mods(s->btf, s->root_id, &id);
	if (!t || elem_size(s->btf, id, &esz))
		return pk_err(ctx, -EBADMSG, "%s: CO-RE: local type %u unresolvable", where, s->root_id);
	s->byte_off = (uint64_t)s->acc[0] * esz;
	for (i = 1; i < s->acc_cnt; i++) {
		uint32_t idx = s->acc[i];

		if (btf_is_composite(t)) {
			const struct btf_member *m;

			if (idx >= btf_vlen(t))
				return pk_err(ctx, -EBADMSG, "%s: CO-RE: member index %u beyond the %u members of local type %u",
					      where, idx, btf_vlen(t), id);
			if (btf_member_bitfield_size(t, idx))
				return pk_err(ctx, -EOPNOTSUPP, "%s: CO-RE: bitfield members are not supported", where);
			m = btf_members(t) + idx;
			names[i] = btf__name_by_offset(s->btf, m->name_off);
			if (!names[i] || !*names[i])
				return pk_err(ctx, -EOPNOTSUPP, "%s: CO-RE: access through an anonymous member is not supported", where);
			s->byte_off += btf_member_bit_offset(t, idx) / 8;
			t = skip_mods(s->btf, m->type, &id);
		} else if (btf_is_array(t)) {
			const struct btf_array *a = btf_array(t);

			names[i] = NULL;
			if (elem_size(s->btf, a->type, &esz))
				return pk_err(ctx, -EBADMSG, "%s: CO-RE: array element type unresolvable", where);
			s->byte_off += (uint64_t)idx * esz;
			t = skip_mods(s->btf, a->type, &id);
		} else {
			return pk_err(ctx, -EBADMSG, "%s: CO-RE: access step %u into local type %u, which is neither struct, union nor array",
				      where, i, id);
		}
		if (!t)
			return pk_err(ctx, -EBADMSG, "%s: CO-RE: local member type unresolvable", where);
	}
	if (elem_size(s->btf, id, &esz) || esz > UINT32_MAX)
		return pk_err(ctx, -EBADMSG, "%s: CO-RE: local field size unresolvable", where);
	s->byte_sz = (uint32_t)esz;
	s->is_signed = type_is_signed(t);
	s->field_type_id = id;
	return 0;
}

/* Find member @name in composite @t (through anonymous members). */
static int find_member(const struct btf *btf, const struct btf_type *t,
		       const char *name, int depth, uint64_t *bit_off, uint32_t *type_id)
{
	const struct btf_member *m = btf_members(t);
	uint16_t i, n = btf_vlen(t);

	if (depth > CORE_MAX_MOD_DEPTH)
		return -ENOENT;
	for (i = 0; i < n; i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		const struct btf_type *mt;
		uint32_t mid;

		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			if (btf_member_bitfield_size(t, i))
				return -EOPNOTSUPP;
			*bit_off = btf_member_bit_offset(t, i);
			*type_id = m->type;
			return 0;
		}
		mt = skip_mods(btf, m->type, &mid);
		if (mt && btf_is_composite(mt) &&
		    !find_member(btf, mt, name, depth + 1, bit_off, type_id)) {
			*bit_off += btf_member_bit_offset(t, i);
			return 0;
		}
	}
	return -ENOENT;
}

static bool kinds_compatible(const struct btf_type *a, const struct btf_type *b)
{
	if ((btf_is_int(a) || btf_is_any_enum(a)) && (btf_is_int(b) || btf_is_any_enum(b)))
		return true;
	return btf_kind(a) == btf_kind(b);
}

/* Walk the same access path in target candidate @cand_id. */
static int walk_target(const struct core_spec *local, const char **names,
		       const struct btf *tb, uint32_t cand_id, struct core_spec *out)
{
	const struct btf_type *t, *lt;
	uint64_t esz;
	uint32_t id, i;

	t = skip_mods(tb, cand_id, &id);
	if (!t || elem_size(tb, id, &esz))
		return -ENOENT;
	out->byte_off = (uint64_t)local->acc[0] * esz;
	for (i = 1; i < local->acc_cnt; i++) {
		if (names[i]) {
			uint64_t bit_off;
			uint32_t mtype;
			int r;

			if (!btf_is_composite(t))
				return -ENOENT;
			r = find_member(tb, t, names[i], 0, &bit_off, &mtype);
			if (r)
				return r;
			out->byte_off += bit_off / 8;
			t = skip_mods(tb, mtype, &id);
		} else {
			const struct btf_array *a;

			if (!btf_is_array(t))
				return -ENOENT;
			a = btf_array(t);
			if (local->acc[i] >= a->nelems && a->nelems)
				return -ENOENT;
			if (elem_size(tb, a->type, &esz))
				return -ENOENT;
			out->byte_off += (uint64_t)local->acc[i] * esz;
			t = skip_mods(tb, a->type, &id);
		}
		if (!t)
			return -ENOENT;
	}
	lt = btf__type_by_id(local->btf, local->field_type_id);
	if (!lt || !kinds_compatible(lt, t) || elem_size(tb, id, &esz) || esz > UINT32_MAX)
		return -ENOENT;
	out->byte_sz = (uint32_t)esz;
	out->is_signed = type_is_signed(t);
	out->field_type_id = id;
	return 0;
}

/* Target types with the local root's essential name and kind. */
static int find_candidate(const struct btf *lb, uint32_t local_id,
			  const struct btf *tb, uint32_t start, uint32_t *ret_id)
{
	const struct btf_type *lt = btf__type_by_id(lb, local_id);
	const char *ln = lt ? btf__name_by_offset(lb, lt->name_off) : NULL;
	uint32_t i, n = btf__type_cnt(tb);

	if (!ln || !*ln)
		return -ENOENT;
	for (i = start; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(tb, i);
		const char *tn = btf__name_by_offset(tb, t->name_off);
		bool kind_ok = btf_kind(t) == btf_kind(lt) ||
			       (btf_is_any_enum(t) && btf_is_any_enum(lt));

		if (kind_ok && tn && same_essential(ln, tn)) {
			*ret_id = i;
			return 0;
		}
	}
	return -ENOENT;
}

static int field_value(uint32_t kind, const struct core_spec *s, uint64_t *v)
{
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*v = s->byte_off;
		return 0;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*v = s->byte_sz;
		return 0;
	case BPF_CORE_FIELD_EXISTS:
		*v = 1;
		return 0;
	case BPF_CORE_FIELD_SIGNED:
		*v = s->is_signed;
		return 0;
	case BPF_CORE_FIELD_LSHIFT_U64:
	case BPF_CORE_FIELD_RSHIFT_U64:
		/* non-bitfield member loaded whole, little-endian */
		*v = 64 - (uint64_t)s->byte_sz * 8;
		return 0;
	}
	return -EOPNOTSUPP;
}

static void poison(struct bpf_insn *insns, uint32_t idx, uint32_t cnt)
{
	bool wide = insns[idx].code == (BPF_LD | BPF_IMM | BPF_DW);

	insns[idx] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = PK_BPF_CORE_POISON };
	if (wide && idx + 1 < cnt)
		insns[idx + 1] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
}

static int size_code(uint32_t sz)
{
	switch (sz) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	}
	return -1;
}

static int patch(struct pk_ctx *ctx, const char *where, struct bpf_insn *insns,
		 uint32_t idx, uint32_t cnt, uint64_t orig, uint64_t val,
		 uint32_t orig_sz, uint32_t new_sz, bool is_offset)
{
	struct bpf_insn *in = &insns[idx];
	uint8_t cls = BPF_CLASS(in->code);

	if (cls == BPF_ALU || cls == BPF_ALU64) {
		if (BPF_SRC(in->code) != BPF_K || (uint64_t)(int64_t)in->imm != orig)
			return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: ALU immediate %d is not the local value %llu",
				      where, idx, in->imm, (unsigned long long)orig);
		if (val > INT32_MAX)
			return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: value %llu does not fit an immediate",
				      where, idx, (unsigned long long)val);
		in->imm = (int32_t)val;
		return 0;
	}
	if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX) {
		if (BPF_MODE(in->code) != BPF_MEM || (int64_t)in->off != (int64_t)orig)
			return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: memory offset %d is not the local value %llu",
				      where, idx, in->off, (unsigned long long)orig);
		if (val > INT16_MAX)
			return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: offset %llu does not fit",
				      where, idx, (unsigned long long)val);
		in->off = (int16_t)val;
		if (is_offset && new_sz != orig_sz) {
			if (cls != BPF_LDX || size_code(new_sz) < 0 ||
			    BPF_SIZE(in->code) != size_code(orig_sz))
				return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: field size %u -> %u cannot be adjusted",
					      where, idx, orig_sz, new_sz);
			in->code = (uint8_t)(BPF_CLASS(in->code) | BPF_MODE(in->code) | size_code(new_sz));
		}
		return 0;
	}
	if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && idx + 1 < cnt) {
		uint64_t cur = (uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32;

		if (cur != orig)
			return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: ld_imm64 value %llu is not the local value %llu",
				      where, idx, (unsigned long long)cur, (unsigned long long)orig);
		in->imm = (int32_t)(uint32_t)val;
		in[1].imm = (int32_t)(uint32_t)(val >> 32);
		return 0;
	}
	return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u (code 0x%02x) cannot carry a relocated value",
		      where, idx, in->code);
}

static int enum_lookup(const struct btf *b, const struct btf_type *t, const char *name,
		       uint64_t *val)
{
	uint16_t i, n = btf_vlen(t);

	for (i = 0; i < n; i++) {
		const char *en;

		if (btf_is_enum(t)) {
			en = btf__name_by_offset(b, btf_enum(t)[i].name_off);
			if (en && !strcmp(en, name)) {
				*val = (uint64_t)(int64_t)btf_enum(t)[i].val;
				return 0;
			}
		} else {
			en = btf__name_by_offset(b, btf_enum64(t)[i].name_off);
			if (en && !strcmp(en, name)) {
				*val = btf_enum64_value(btf_enum64(t) + i);
				return 0;
			}
		}
	}
	return -ENOENT;
}

static int core_enum(struct pk_ctx *ctx, const char *where, const struct btf *lb,
		     const struct btf *tb, const struct core_spec *ls,
		     const struct pk_btf_ext_core *rec, uint64_t *orig, uint64_t *val,
		     bool *found)
{
	const struct btf_type *lt = btf__type_by_id(lb, ls->root_id), *tt;
	const char *name;
	uint32_t cand, start = 1;

	if (!lt || !btf_is_any_enum(lt) || ls->acc_cnt != 1 || ls->acc[0] >= btf_vlen(lt))
		return pk_err(ctx, -EBADMSG, "%s: CO-RE: bad enumerator relocation (type %u)", where,
			      rec->type_id);
	name = btf__name_by_offset(lb, btf_is_enum(lt) ? btf_enum(lt)[ls->acc[0]].name_off :
					   btf_enum64(lt)[ls->acc[0]].name_off);
	if (!name || enum_lookup(lb, lt, name, orig))
		return pk_err(ctx, -EBADMSG, "%s: CO-RE: bad local enumerator", where);
	if (rec->kind == BPF_CORE_ENUMVAL_EXISTS)
		*orig = 1;
	*found = false;
	while (!find_candidate(lb, ls->root_id, tb, start, &cand)) {
		tt = btf__type_by_id(tb, cand);
		if (!enum_lookup(tb, tt, name, val)) {
			*found = true;
			break;
		}
		start = cand + 1;
	}
	if (rec->kind == BPF_CORE_ENUMVAL_EXISTS)
		*val = *found;
	return 0;
}

int pk_bpf_core_apply(struct pk_ctx *ctx, const char *where,
		      const struct btf *local, const struct btf *target,
		      struct bpf_insn *insns, uint32_t insn_cnt,
		      const struct pk_btf_ext_core *rec)
{
	const char *names[PK_BPF_MAX_CORE_DEPTH] = { 0 };
	struct core_spec ls = { .btf = local }, ts = { .btf = target };
	uint64_t orig = 0, val = 0;
	uint32_t idx, cand = 0;
	bool found = false;
	int r;

	if (rec->insn_off % sizeof(struct bpf_insn) ||
	    rec->insn_off / sizeof(struct bpf_insn) >= insn_cnt)
		return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn_off %u outside the %u instructions",
			      where, rec->insn_off, insn_cnt);
	idx = rec->insn_off / sizeof(struct bpf_insn);
	if (rec->kind > BPF_CORE_TYPE_MATCHES)
		return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: unknown relocation kind %u",
			      where, idx, rec->kind);
	if (rec->kind == BPF_CORE_TYPE_MATCHES)
		return pk_err(ctx, -EOPNOTSUPP, "%s: CO-RE: insn %u: TYPE_MATCHES relocations are not supported",
			      where, idx);
	if (!rec->type_id || !skip_mods(local, rec->type_id, &ls.root_id))
		return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: local type id %u invalid",
			      where, idx, rec->type_id);
	r = parse_access(ctx, where, btf__str_by_offset(local, rec->access_str_off), &ls);
	if (r)
		return r;

	switch (rec->kind) {
	case BPF_CORE_TYPE_ID_LOCAL:
		orig = val = rec->type_id;
		found = true;
		break;
	case BPF_CORE_TYPE_ID_TARGET:
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_SIZE:
		if (ls.acc_cnt != 1 || ls.acc[0] != 0)
			return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: type relocation with access \"%s\"",
				      where, idx, btf__str_by_offset(local, rec->access_str_off));
		found = !find_candidate(local, ls.root_id, target, 1, &cand);
		if (rec->kind == BPF_CORE_TYPE_ID_TARGET) {
			orig = rec->type_id;
			val = cand;
		} else if (rec->kind == BPF_CORE_TYPE_EXISTS) {
			orig = 1;
			val = found;
		} else {
			int64_t ls_sz = btf__resolve_size(local, ls.root_id);
			int64_t ts_sz = found ? btf__resolve_size(target, cand) : 0;

			if (ls_sz < 0 || ts_sz < 0)
				return pk_err(ctx, -EBADMSG, "%s: CO-RE: insn %u: type size unresolvable", where, idx);
			orig = (uint64_t)ls_sz;
			val = (uint64_t)ts_sz;
		}
		if (rec->kind == BPF_CORE_TYPE_EXISTS)
			found = true;
		break;
	case BPF_CORE_ENUMVAL_EXISTS:
	case BPF_CORE_ENUMVAL_VALUE:
		r = core_enum(ctx, where, local, target, &ls, rec, &orig, &val, &found);
		if (r)
			return r;
		if (rec->kind == BPF_CORE_ENUMVAL_EXISTS)
			found = true;
		break;
	default: {
		uint32_t start = 1;

		r = walk_local(ctx, where, &ls, names);
		if (r)
			return r;
		r = field_value(rec->kind, &ls, &orig);
		if (r)
			return pk_err(ctx, r, "%s: CO-RE: insn %u: kind %u unsupported", where, idx, rec->kind);
		while (!find_candidate(local, ls.root_id, target, start, &cand)) {
			r = walk_target(&ls, names, target, cand, &ts);
			if (r == -EOPNOTSUPP)
				return pk_err(ctx, r, "%s: CO-RE: insn %u: target field is a bitfield", where, idx);
			if (!r) {
				found = true;
				break;
			}
			start = cand + 1;
		}
		if (found)
			field_value(rec->kind, &ts, &val);
		if (rec->kind == BPF_CORE_FIELD_EXISTS) {
			val = found;
			found = true;
		}
		break;
	}
	}
	if (!found) {
		pk_debug(ctx, "%s: CO-RE: insn %u: no target for local type %u, poisoned",
			 where, idx, rec->type_id);
		poison(insns, idx, insn_cnt);
		return 0;
	}
	return patch(ctx, where, insns, idx, insn_cnt, orig, val, ls.byte_sz, ts.byte_sz,
		     rec->kind == BPF_CORE_FIELD_BYTE_OFFSET);
}
