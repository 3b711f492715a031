// SPDX-License-Identifier: MIT
/*
 * verifier-scalar.c - scalar values as the kernel's verifier tracks them:
 * u64 and s64 ranges, u32 and s32 ranges of the low half, and known bits
 * (tnum.h), each refining the others (pk_vreg_sync() = the kernel's
 * reg_bounds_sync()); ALU results on them (constants folded with the
 * interpreter's own semantics, insn.h); and what a conditional jump
 * against a constant teaches on each branch (pk_vreg_refine()).
 */
#include "verifier-state.h"


void pk_vreg_urange(struct vreg *r, uint64_t lo, uint64_t hi)
{
	mark_unknown(r);
	r->umin = lo;
	r->umax = hi;
	pk_vreg_sync(r);
}

#define MAXV(a, b) ((a) > (b) ? (a) : (b))
#define MINV(a, b) ((a) < (b) ? (a) : (b))

/* unsigned, signed and known-bit views of the same 64 (or 32) bits */
static void bounds_from_tnum(struct vreg *r)
{
	uint64_t lo = r->t.v, hi = r->t.v | r->t.m;

	r->umin = MAXV(r->umin, lo);
	r->umax = MINV(r->umax, hi);
	if (!(r->t.m >> 63)) { /* sign known: signed order = unsigned order */
		r->smin = MAXV(r->smin, (int64_t)lo);
		r->smax = MINV(r->smax, (int64_t)hi);
	}
	r->u32min = MAXV(r->u32min, (uint32_t)lo);
	r->u32max = MINV(r->u32max, (uint32_t)hi);
	if (!(r->t.m & 0x80000000u)) {
		r->s32min = MAXV(r->s32min, (int32_t)(uint32_t)lo);
		r->s32max = MINV(r->s32max, (int32_t)(uint32_t)hi);
	}
}

static void deduce64(struct vreg *r)
{
	if ((int64_t)r->umin <= (int64_t)r->umax) { /* same sign half */
		r->smin = MAXV(r->smin, (int64_t)r->umin);
		r->smax = MINV(r->smax, (int64_t)r->umax);
	}
	if (r->smin >= 0 || r->smax < 0) {
		r->umin = MAXV(r->umin, (uint64_t)r->smin);
		r->umax = MINV(r->umax, (uint64_t)r->smax);
	}
}

static void deduce32(struct vreg *r)
{
	if ((int32_t)r->u32min <= (int32_t)r->u32max) {
		r->s32min = MAXV(r->s32min, (int32_t)r->u32min);
		r->s32max = MINV(r->s32max, (int32_t)r->u32max);
	}
	if (r->s32min >= 0 || r->s32max < 0) {
		r->u32min = MAXV(r->u32min, (uint32_t)r->s32min);
		r->u32max = MINV(r->u32max, (uint32_t)r->s32max);
	}
}

/*
 * Make every view agree (the kernel's reg_bounds_sync): the low 32 bits
 * follow from the 64-bit bounds when the upper half is one known value (or
 * the signed value fits 32 bits); the 64-bit bounds follow from the
 * 32-bit ones when the upper half is one known value; known bits and
 * ranges refine each other.  False if the views contradict (no value).
 */
bool pk_vreg_sync(struct vreg *r)
{
	uint64_t hi;

	bounds_from_tnum(r);
	deduce64(r);
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->u32min = MAXV(r->u32min, (uint32_t)r->umin);
		r->u32max = MINV(r->u32max, (uint32_t)r->umax);
	}
	if (r->smin >= INT32_MIN && r->smax <= INT32_MAX) {
		r->s32min = MAXV(r->s32min, (int32_t)r->smin);
		r->s32max = MINV(r->s32max, (int32_t)r->smax);
	}
	deduce32(r);
	if ((r->umin >> 32) == (r->umax >> 32) && r->u32min <= r->u32max) {
		hi = r->umin & ~(uint64_t)UINT32_MAX;
		r->umin = MAXV(r->umin, hi | r->u32min);
		r->umax = MINV(r->umax, hi | r->u32max);
		deduce64(r);
	}
	if (r->umin <= r->umax && r->u32min <= r->u32max) {
		struct tnum t64 = tnum_intersect(r->t, tnum_range(r->umin, r->umax));
		struct tnum t32 = tnum_intersect(tnum_low32(r->t),
						 tnum_range(r->u32min, r->u32max));

		r->t.v = (t64.v & ~(uint64_t)UINT32_MAX) | t32.v;
		r->t.m = (t64.m & ~(uint64_t)UINT32_MAX) | t32.m;
		bounds_from_tnum(r);
	}
	return r->umin <= r->umax && r->smin <= r->smax &&
	       r->u32min <= r->u32max && r->s32min <= r->s32max &&
	       !(r->t.v & r->t.m);
}

static uint64_t fill_bits(uint64_t v)
{
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	v |= v >> 32;
	return v;
}

/* Range of an ALU op on two scalar ranges, unsigned, without wrapping. */
static void alu_range(uint8_t code, int16_t off, struct vreg *d,
		      const struct vreg *s)
{
	uint8_t op = PK_BPF_OP(code);
	uint64_t lo = 0, hi = UINT64_MAX, t;

	switch (op) {
	case BPF_ADD:
		if (!pk_add_overflow(d->umax, s->umax, &hi))
			lo = d->umin + s->umin;
		else
			hi = UINT64_MAX;
		break;
	case BPF_SUB:
		if (d->umin >= s->umax) {
			lo = d->umin - s->umax;
			hi = d->umax - s->umin;
		}
		break;
	case BPF_MUL:
		if (d->umax <= UINT32_MAX && s->umax <= UINT32_MAX) {
			lo = d->umin * s->umin;
			hi = d->umax * s->umax;
		}
		break;
	case BPF_AND:
		hi = d->umax < s->umax ? d->umax : s->umax;
		break;
	case BPF_OR:
		lo = d->umin > s->umin ? d->umin : s->umin;
		hi = fill_bits(d->umax | s->umax);
		break;
	case BPF_XOR:
		hi = fill_bits(d->umax | s->umax);
		break;
	case BPF_LSH:
		if (is_const(s) && s->umin < 64 && d->umax <= (UINT64_MAX >> s->umin)) {
			lo = d->umin << s->umin;
			hi = d->umax << s->umin;
		}
		break;
	case BPF_RSH:
		if (is_const(s) && s->umin < 64) {
			lo = d->umin >> s->umin;
			hi = d->umax >> s->umin;
		} else {
			hi = d->umax;
		}
		break;
	case BPF_DIV:
		if (off)
			break;
		if (is_const(s) && s->umin) {
			lo = d->umin / s->umin;
			hi = d->umax / s->umin;
		} else {
			hi = d->umax;
		}
		break;
	case BPF_MOD:
		if (off)
			break;
		hi = d->umax;
		if (is_const(s) && s->umin && s->umin - 1 < hi)
			hi = s->umin - 1;
		break;
	case BPF_MOV:
		if (!off) {
			lo = s->umin;
			hi = s->umax;
		}
		break;
	default:
		break;
	}
	t = lo;
	pk_vreg_urange(d, t, hi);
}

/* known bits of a 64-bit ALU result, or unknown */
static struct tnum alu_tnum(uint8_t op, int16_t off, struct tnum a, struct tnum b,
			    const struct vreg *s, unsigned int bits)
{
	switch (op) {
	case BPF_ADD: return tnum_add(a, b);
	case BPF_SUB: return tnum_sub(a, b);
	case BPF_AND: return tnum_and(a, b);
	case BPF_OR: return tnum_or(a, b);
	case BPF_XOR: return tnum_xor(a, b);
	case BPF_LSH:
		if (is_const(s))
			return tnum_lsh(a, (unsigned int)(s->umin & (bits - 1)));
		break;
	case BPF_RSH:
		if (is_const(s))
			return tnum_rsh(a, (unsigned int)(s->umin & (bits - 1)));
		break;
	case BPF_MOV:
		if (!off)
			return b;
		break;
	}
	return TNUM_UNKNOWN;
}

static uint32_t fill_bits32(uint32_t v)
{
	return (uint32_t)fill_bits(v);
}

/*
 * A 32-bit ALU operation on the low halves' bounds (the kernel's
 * scalar32_min_max_*): unsigned and signed results computed separately,
 * each wrapping only as a whole; the result is zero-extended, so its
 * 64-bit bounds are its 32-bit ones.
 */
static void scalar_alu32(uint8_t op, int16_t off, struct vreg *d,
			 const struct vreg *s)
{
	uint64_t lo = 0, hi = UINT32_MAX;
	int64_t slo = INT32_MIN, shi = INT32_MAX;
	struct tnum t = tnum_low32(alu_tnum(op, off, tnum_low32(d->t),
					    tnum_low32(s->t), s, 32));
	bool sconst = s->u32min == s->u32max;
	unsigned int k = s->u32min & 31;

	switch (op) {
	case BPF_ADD:
		lo = (uint64_t)d->u32min + s->u32min;
		hi = (uint64_t)d->u32max + s->u32max;
		if ((lo >> 32) != (hi >> 32)) { /* wraps for some values only */
			lo = 0;
			hi = UINT32_MAX;
		}
		slo = (int64_t)d->s32min + s->s32min;
		shi = (int64_t)d->s32max + s->s32max;
		break;
	case BPF_SUB:
		lo = (uint64_t)d->u32min - s->u32max;
		hi = (uint64_t)d->u32max - s->u32min;
		if ((lo >> 32) != (hi >> 32)) {
			lo = 0;
			hi = UINT32_MAX;
		}
		slo = (int64_t)d->s32min - s->s32max;
		shi = (int64_t)d->s32max - s->s32min;
		break;
	case BPF_MUL:
		if ((uint64_t)d->u32max * s->u32max <= UINT32_MAX) {
			lo = (uint64_t)d->u32min * s->u32min;
			hi = (uint64_t)d->u32max * s->u32max;
		}
		break;
	case BPF_AND:
		hi = MINV(d->u32max, s->u32max);
		break;
	case BPF_OR:
		lo = MAXV(d->u32min, s->u32min);
		hi = fill_bits32(d->u32max | s->u32max);
		break;
	case BPF_XOR:
		hi = fill_bits32(d->u32max | s->u32max);
		break;
	case BPF_LSH:
		if (sconst && d->u32max <= (UINT32_MAX >> k)) {
			lo = (uint64_t)d->u32min << k;
			hi = (uint64_t)d->u32max << k;
		}
		break;
	case BPF_RSH:
		if (sconst) {
			lo = d->u32min >> k;
			hi = d->u32max >> k;
		} else {
			hi = d->u32max;
		}
		break;
	case BPF_DIV:
		if (off)
			break;
		if (sconst && s->u32min) {
			lo = d->u32min / s->u32min;
			hi = d->u32max / s->u32min;
		} else {
			hi = d->u32max; /* x / 0 = 0 */
		}
		break;
	case BPF_MOD:
		if (off)
			break;
		hi = d->u32max; /* x % 0 = x */
		if (sconst && s->u32min && s->u32min - 1 < hi)
			hi = s->u32min - 1;
		break;
	case BPF_MOV:
		if (!off) {
			lo = s->u32min;
			hi = s->u32max;
			slo = s->s32min;
			shi = s->s32max;
		}
		break;
	}
	/* zero-extended: the 64-bit value is the 32-bit unsigned one */
	mark_unknown(d);
	d->umax = UINT32_MAX;
	if (lo <= hi) {
		d->u32min = (uint32_t)lo;
		d->u32max = (uint32_t)hi;
	}
	if (slo >= INT32_MIN && shi <= INT32_MAX && slo <= shi) {
		d->s32min = (int32_t)slo;
		d->s32max = (int32_t)shi;
	}
	d->t = t;
	pk_vreg_sync(d);
}

void pk_vreg_alu(const struct bpf_insn *in, struct vreg *d,
		       const struct vreg *src)
{
	bool is64 = PK_BPF_CLASS(in->code) == BPF_ALU64;
	uint8_t op = PK_BPF_OP(in->code);
	struct vreg s = *src, dd = *d;
	struct tnum t;

	if (is_const(d) && is_const(src)) {
		mark_const(d, pk_bpf_alu(in->code, in->off, in->imm, d->umin, src->umin));
		return;
	}
	if (op == BPF_MOV && !in->off && (is64 || src->umax <= UINT32_MAX)) {
		*d = *src;
		d->id = 0;
		return;
	}
	if (op == BPF_NEG || op == BPF_ARSH || op == BPF_END ||
	    (op == BPF_MOV && in->off)) {
		/* signed results: keep only what the width guarantees */
		mark_unknown(d);
		if (!is64)
			d->umax = UINT32_MAX;
		else if (op == BPF_END && in->imm < 64)
			d->umax = (1ULL << in->imm) - 1;
		pk_vreg_sync(d);
		return;
	}
	if (!is64) {
		scalar_alu32(op, in->off, d, src);
		return;
	}
	if ((op == BPF_LSH || op == BPF_RSH) && is_const(&s))
		mark_const(&s, s.umin & 63);
	t = alu_tnum(op, in->off, dd.t, s.t, &s, 64);
	alu_range(in->code, in->off, &dd, &s);
	dd.t = t;
	*d = dd;
	pk_vreg_sync(d);
}

/* Refine the low 32 bits of @r for "w OP c" (op already inverted if not taken). */
static void refine32(struct vreg *r, uint8_t op, uint32_t c)
{
	int32_t sc = (int32_t)c;

	switch (op) {
	case BPF_JEQ:
		r->u32min = MAXV(r->u32min, c);
		r->u32max = MINV(r->u32max, c);
		r->s32min = MAXV(r->s32min, sc);
		r->s32max = MINV(r->s32max, sc);
		break;
	case BPF_JNE:
		if (r->u32min == c && r->u32max == c)
			r->u32min = UINT32_MAX, r->u32max = 0; /* empty */
		else if (r->u32min == c)
			r->u32min++;
		else if (r->u32max == c)
			r->u32max--;
		break;
	case BPF_JGT:
		if (c == UINT32_MAX)
			r->u32min = UINT32_MAX, r->u32max = 0;
		else
			r->u32min = MAXV(r->u32min, c + 1);
		break;
	case BPF_JGE:
		r->u32min = MAXV(r->u32min, c);
		break;
	case BPF_JLT:
		if (!c)
			r->u32min = UINT32_MAX, r->u32max = 0;
		else
			r->u32max = MINV(r->u32max, c - 1);
		break;
	case BPF_JLE:
		r->u32max = MINV(r->u32max, c);
		break;
	case BPF_JSGT:
		if (sc == INT32_MAX)
			r->s32min = INT32_MAX, r->s32max = INT32_MIN;
		else
			r->s32min = MAXV(r->s32min, sc + 1);
		break;
	case BPF_JSGE:
		r->s32min = MAXV(r->s32min, sc);
		break;
	case BPF_JSLT:
		if (sc == INT32_MIN)
			r->s32min = INT32_MAX, r->s32max = INT32_MIN;
		else
			r->s32max = MINV(r->s32max, sc - 1);
		break;
	case BPF_JSLE:
		r->s32max = MINV(r->s32max, sc);
		break;
	}
}

/*
 * Refine @r for "r OP c" being @taken; false if impossible.  A 32-bit
 * compare refines the low half's bounds, which carry into the 64-bit ones
 * when the upper half is one known value (pk_vreg_sync).
 */
bool pk_vreg_refine(struct vreg *r, uint8_t op, bool is32, uint64_t c, bool taken)
{
	uint64_t mask = is32 ? UINT32_MAX : UINT64_MAX;

	if (op == BPF_JSET) {
		if (is32 ? r->u32min == r->u32max : is_const(r))
			return pk_bpf_cond(op, is32, is32 ? r->u32min : r->umin, c) == taken;
		if (!taken) { /* the tested bits are 0 */
			r->t.v &= ~(c & mask);
			r->t.m &= ~(c & mask);
			return pk_vreg_sync(r);
		}
		return true;
	}
	if (!taken) {
		switch (op) {
		case BPF_JEQ: op = BPF_JNE; break;
		case BPF_JNE: op = BPF_JEQ; break;
		case BPF_JGT: op = BPF_JLE; break;
		case BPF_JGE: op = BPF_JLT; break;
		case BPF_JLT: op = BPF_JGE; break;
		case BPF_JLE: op = BPF_JGT; break;
		case BPF_JSGT: op = BPF_JSLE; break;
		case BPF_JSGE: op = BPF_JSLT; break;
		case BPF_JSLT: op = BPF_JSGE; break;
		case BPF_JSLE: op = BPF_JSGT; break;
		}
	}
	if (is32) {
		if (r->u32min == r->u32max)
			return pk_bpf_cond(op, true, r->u32min, c);
		refine32(r, op, (uint32_t)c);
		return pk_vreg_sync(r);
	}
	if (is_const(r))
		return pk_bpf_cond(op, false, r->umin, c);
	switch (op) {
	case BPF_JEQ:
		if (c < r->umin || c > r->umax || (int64_t)c < r->smin || (int64_t)c > r->smax ||
		    (c & ~r->t.m) != r->t.v || (uint32_t)c < r->u32min ||
		    (uint32_t)c > r->u32max || (int32_t)(uint32_t)c < r->s32min ||
		    (int32_t)(uint32_t)c > r->s32max)
			return false;
		mark_const(r, c);
		return true;
	case BPF_JNE:
		if (r->umin == c && r->umin < r->umax)
			r->umin++;
		else if (r->umax == c && r->umin < r->umax)
			r->umax--;
		break;
	case BPF_JGT:
		if (c == UINT64_MAX)
			return false;
		if (r->umin < c + 1)
			r->umin = c + 1;
		break;
	case BPF_JGE:
		if (r->umin < c)
			r->umin = c;
		break;
	case BPF_JLT:
		if (!c)
			return false;
		if (r->umax > c - 1)
			r->umax = c - 1;
		break;
	case BPF_JLE:
		if (r->umax > c)
			r->umax = c;
		break;
	case BPF_JSGT:
		if ((int64_t)c == INT64_MAX)
			return false;
		if (r->smin < (int64_t)c + 1)
			r->smin = (int64_t)c + 1;
		break;
	case BPF_JSGE:
		if (r->smin < (int64_t)c)
			r->smin = (int64_t)c;
		break;
	case BPF_JSLT:
		if ((int64_t)c == INT64_MIN)
			return false;
		if (r->smax > (int64_t)c - 1)
			r->smax = (int64_t)c - 1;
		break;
	case BPF_JSLE:
		if (r->smax > (int64_t)c)
			r->smax = (int64_t)c;
		break;
	default:
		break;
	}
	return pk_vreg_sync(r);
}

uint8_t pk_vreg_swap_op(uint8_t op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLT: return BPF_JGT;
	case BPF_JLE: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLT;
	case BPF_JSGE: return BPF_JSLE;
	case BPF_JSLT: return BPF_JSGT;
	case BPF_JSLE: return BPF_JSGE;
	}
	return op;
}
