// SPDX-License-Identifier: MIT
/*
 * verifier.c - the sandbox's verifier: structural pass (verifier-cfg.c),
 * then every path explored with abstract state, kernel-like:
 *
 *  - registers: not-init, scalar (unsigned and signed ranges; constants are
 *    folded with the interpreter's own semantics, insn.h), or a pointer
 *    (ctx, stack of frame N, map value, map value or NULL, memory (raw
 *    input, ring-buffer record) with size, memory or NULL, map handle,
 *    trusted struct kexec_context, parser context (or NULL)) with a fixed
 *    offset plus a bounded variable offset;
 *  - stack: per 8-byte slot, which bytes are initialised and the spilled
 *    register if an aligned 8-byte store saved one;
 *  - references: parser contexts and ring-buffer records acquired and not
 *    yet released; every exit of the main function must hold none;
 *  - a kexec parser program (fentry) must exit with R0 exactly 0, as the
 *    kernel's check_return_code() demands;
 *  - NULL checks refine *_OR_NULL registers (and their copies);
 *  - conditions on constants/ranges refine both branches, infeasible
 *    branches are not explored.
 *
 * Loops: allowed; termination is the run's instruction budget, not a proof.
 * States at jump targets are stored; a new state contained in a stored one
 * is pruned.  A jump target visited more than PK_VERIFIER_WIDEN times
 * widens the bounds that keep changing (sound: it only adds values) to the
 * next of the program's own compare constants (c - 1, c, c + 1), else to
 * the type's limit, so a loop counter tested against its bound keeps that
 * bound; after 2 * PK_VERIFIER_WIDEN visits bounds widen straight to the
 * limits, so exploration converges as fast as without thresholds; the
 * exploration itself is bounded
 * (PK_BPF_MAX_INSNS instructions, PK_BPF_MAX_STATES states; -E2BIG).
 */
#include <inttypes.h>
#include <stdio.h>

#include "kfunc.h"
#include "tnum.h"
#include "verifier.h"

#define PK_VERIFIER_WIDEN 64
#define PK_VERIFIER_WIDEN_ALL (16 * PK_VERIFIER_WIDEN)
#define PK_LOOP_SLOTS 8
#define PK_VERIFIER_STORED_PER_INSN 32
#define PK_MAX_REFS 16
#define PK_PTR_OFF_MAX (1 << 29)

enum vtype {
	T_NOT_INIT = 0,
	T_SCALAR,
	T_CTX,
	T_STACK,
	T_MAP_VALUE,
	T_MAP_VALUE_OR_NULL,
	T_MEM,
	T_MEM_OR_NULL,
	T_MAP_PTR,
	T_KCTX,
	T_PARSER_CTX,
	T_PARSER_CTX_OR_NULL,
	T_RELEASED,
};

static const char *const type_names[] = {
	"not initialised", "scalar", "ctx", "stack pointer", "map value",
	"map value or NULL", "memory", "memory or NULL", "map pointer",
	"trusted kexec_context", "parser context", "parser context or NULL",
	"released reference",
};

#define F_RDONLY 1

struct vreg {
	uint8_t type;
	uint8_t frame; /* T_STACK: the frame it points into */
	uint8_t flags;
	int32_t off;   /* pointers: fixed offset */
	uint32_t size; /* T_MEM*: bytes */
	uint32_t map;  /* T_MAP_*: map index */
	uint32_t id;   /* *_OR_NULL: copies share it */
	uint32_t ref;  /* acquired reference, 0 = none */
	/* scalars: the value; pointers: smin/smax = the variable offset */
	uint64_t umin, umax;
	int64_t smin, smax;
	/* scalars only: the low 32 bits as unsigned / signed, known bits */
	uint32_t u32min, u32max;
	int32_t s32min, s32max;
	struct tnum t;
};

struct vslot {
	struct vreg spill;
	uint8_t init;    /* bit per byte */
	uint8_t spilled; /* spill holds the register saved here */
};

struct vframe {
	struct vreg r[11];
	struct vslot slot[PK_BPF_STACK_SIZE / 8];
	uint32_t callsite;
	uint32_t sub;
};

struct pk_vstate {
	struct vframe *fr[PK_BPF_MAX_FRAMES];
	uint32_t nframe;
	uint32_t refs[PK_MAX_REFS];
	uint8_t ref_type[PK_MAX_REFS];
	uint32_t nref;
	uint32_t pc;
	/* loop heads this path went through, and how often */
	uint32_t lp_pc[PK_LOOP_SLOTS], lp_cnt[PK_LOOP_SLOTS];
	uint32_t hit, miss; /* stored: comparisons that pruned / did not */
	struct pk_vstate *next; /* stored list / work stack */
};

/* ---- state lifetime ---- */

static void state_free(struct pk_vstate *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->nframe; i++)
		free(s->fr[i]);
	free(s);
}

/* What a kept state costs: the verifier's memory cap counts these. */
static uint64_t state_bytes(const struct pk_vstate *s)
{
	return sizeof(*s) + (uint64_t)s->nframe * sizeof(struct vframe);
}

/*
 * Keep @bytes more of states (a pending branch or a stored state), or fail
 * with -E2BIG at PK_BPF_VERIFIER_MAX_MEM: the states of a program built to
 * explode (every path a new constant, eight frames deep) would take
 * gigabytes otherwise.
 */
static int mem_charge(struct pk_verifier *v, uint32_t pc, uint64_t bytes)
{
	v->mem += bytes;
	if (v->mem > v->mem_peak)
		v->mem_peak = v->mem;
	if (v->mem > PK_BPF_VERIFIER_MAX_MEM)
		return pk_err(v->ctx, -E2BIG,
			      "program too complex: verifier state memory above %llu MiB at insn %u (%" PRIu64
			      " instructions explored, %" PRIu64 " branch states)",
			      PK_BPF_VERIFIER_MAX_MEM >> 20, pc, v->processed, v->states);
	return 0;
}

static struct pk_vstate *state_copy(const struct pk_vstate *s)
{
	struct pk_vstate *c = malloc(sizeof(*c));
	uint32_t i;

	if (!c)
		return NULL;
	*c = *s;
	c->next = NULL;
	for (i = 0; i < s->nframe; i++) {
		c->fr[i] = malloc(sizeof(*c->fr[i]));
		if (!c->fr[i]) {
			c->nframe = i;
			state_free(c);
			return NULL;
		}
		*c->fr[i] = *s->fr[i];
	}
	return c;
}

/* ---- scalar ranges ---- */

static bool sync_bounds(struct vreg *r);

static void mark_unknown(struct vreg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = T_SCALAR;
	r->umax = UINT64_MAX;
	r->smin = INT64_MIN;
	r->smax = INT64_MAX;
	r->u32max = UINT32_MAX;
	r->s32min = INT32_MIN;
	r->s32max = INT32_MAX;
	r->t = TNUM_UNKNOWN;
}

static void mark_const(struct vreg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = T_SCALAR;
	r->umin = r->umax = v;
	r->smin = r->smax = (int64_t)v;
	r->u32min = r->u32max = (uint32_t)v;
	r->s32min = r->s32max = (int32_t)(uint32_t)v;
	r->t = tnum_const(v);
}

static void mark_urange(struct vreg *r, uint64_t lo, uint64_t hi)
{
	mark_unknown(r);
	r->umin = lo;
	r->umax = hi;
	sync_bounds(r);
}

static bool is_const(const struct vreg *r)
{
	return r->type == T_SCALAR && r->umin == r->umax;
}

static bool is_unknown(const struct vreg *r)
{
	return r->type == T_SCALAR && !r->umin && r->umax == UINT64_MAX &&
	       r->smin == INT64_MIN && r->smax == INT64_MAX && !r->u32min &&
	       r->u32max == UINT32_MAX && r->s32min == INT32_MIN &&
	       r->s32max == INT32_MAX && r->t.m == UINT64_MAX;
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
static bool sync_bounds(struct vreg *r)
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
	mark_urange(d, t, hi);
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
	sync_bounds(d);
}

static void scalar_alu(const struct bpf_insn *in, struct vreg *d,
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
		sync_bounds(d);
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
	sync_bounds(d);
}

/* ---- the explorer ---- */

struct vctx {
	struct pk_verifier *v;
	struct pk_vstate *work; /* pending branches */
};

#define CUR(s) ((s)->fr[(s)->nframe - 1])

static bool is_ptr(const struct vreg *r)
{
	return r->type != T_NOT_INIT && r->type != T_SCALAR;
}

static const char *tname(const struct vreg *r)
{
	return type_names[r->type];
}

static int check_read(struct pk_verifier *v, uint32_t pc, const struct vreg *r,
		      int regno)
{
	if (r->type == T_NOT_INIT)
		return pk_verr(v, pc, "R%d !read_ok: read of uninitialised register", regno);
	if (r->type == T_RELEASED)
		return pk_verr(v, pc, "R%d used after release (ref %u)", regno, r->ref);
	return 0;
}

static void for_each_reg(struct pk_vstate *s, void (*fn)(struct vreg *r, void *arg),
			 void *arg)
{
	uint32_t f, i;

	for (f = 0; f < s->nframe; f++) {
		for (i = 0; i < 11; i++)
			fn(&s->fr[f]->r[i], arg);
		for (i = 0; i < PK_BPF_STACK_SIZE / 8; i++)
			if (s->fr[f]->slot[i].spilled)
				fn(&s->fr[f]->slot[i].spill, arg);
	}
}

static void release_fn(struct vreg *r, void *arg)
{
	uint32_t ref = *(uint32_t *)arg;

	if (r->ref == ref && r->type != T_RELEASED) {
		memset(r, 0, sizeof(*r));
		r->type = T_RELEASED;
		r->ref = ref;
	}
}

static int release_ref(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
		       uint32_t ref)
{
	uint32_t i;

	for (i = 0; i < s->nref; i++)
		if (s->refs[i] == ref)
			break;
	if (i == s->nref)
		return pk_verr(v, pc, "release of reference %u that is not held", ref);
	s->refs[i] = s->refs[s->nref - 1];
	s->ref_type[i] = s->ref_type[s->nref - 1];
	s->nref--;
	for_each_reg(s, release_fn, &ref);
	return 0;
}

struct null_arg {
	uint32_t id;
	bool is_null;
};

static void null_fn(struct vreg *r, void *arg)
{
	const struct null_arg *a = arg;

	if (!r->id || r->id != a->id)
		return;
	if (a->is_null) {
		mark_const(r, 0);
		return;
	}
	if (r->type == T_MAP_VALUE_OR_NULL)
		r->type = T_MAP_VALUE;
	else if (r->type == T_MEM_OR_NULL)
		r->type = T_MEM;
	else if (r->type == T_PARSER_CTX_OR_NULL)
		r->type = T_PARSER_CTX;
	r->id = 0;
}

static bool is_or_null(const struct vreg *r)
{
	return r->type == T_MAP_VALUE_OR_NULL || r->type == T_MEM_OR_NULL ||
	       r->type == T_PARSER_CTX_OR_NULL;
}

static void mark_null(struct pk_vstate *s, const struct vreg *r, bool is_null)
{
	struct null_arg a = { r->id, is_null };
	uint32_t ref = r->ref, i;

	for_each_reg(s, null_fn, &a);
	if (is_null && ref) { /* NULL needs no release */
		for (i = 0; i < s->nref; i++)
			if (s->refs[i] == ref) {
				s->refs[i] = s->refs[s->nref - 1];
				s->ref_type[i] = s->ref_type[s->nref - 1];
				s->nref--;
				break;
			}
	}
}

/* ---- memory access ---- */

struct access {
	int64_t lo, hi; /* [lo, hi) relative to the region base */
	bool fixed;
};

static int access_range(struct pk_verifier *v, uint32_t pc, const struct vreg *r,
			int regno, int32_t off, uint64_t size, struct access *a)
{
	if (r->smin < -PK_PTR_OFF_MAX || r->smax > PK_PTR_OFF_MAX ||
	    size > PK_PTR_OFF_MAX)
		return pk_verr(v, pc, "R%d %s: unbounded variable offset or size", regno,
			       tname(r));
	a->lo = (int64_t)r->off + off + r->smin;
	a->hi = (int64_t)r->off + off + r->smax + (int64_t)size;
	a->fixed = r->smin == r->smax;
	return 0;
}

static int stack_access(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
			const struct vreg *r, int regno, int32_t off,
			uint64_t size, bool write, struct access *a)
{
	struct vframe *fr;
	int err = access_range(v, pc, r, regno, off, size, a);

	if (err)
		return err;
	if (a->lo < -PK_BPF_STACK_SIZE || a->hi > 0 || (!size && a->lo > 0))
		return pk_verr(v, pc, "invalid %s stack R%d off=%" PRId64 " size=%" PRIu64
			       " (outside the 512-byte frame)", write ? "write to" : "read from",
			       regno, a->lo, size);
	fr = s->fr[r->frame];
	if (v->subs[fr->sub].stack_depth < (uint32_t)-a->lo)
		v->subs[fr->sub].stack_depth = (uint32_t)-a->lo;
	return 0;
}

static struct vslot *slot_of(struct vframe *fr, int64_t byte)
{
	return &fr->slot[(byte + PK_BPF_STACK_SIZE) / 8];
}

static int stack_read_init(struct pk_verifier *v, uint32_t pc, struct vframe *fr,
			   const struct access *a, int regno)
{
	int64_t b;

	for (b = a->lo; b < a->hi; b++) {
		struct vslot *sl = slot_of(fr, b);

		if (!(sl->init & (1u << ((b + PK_BPF_STACK_SIZE) % 8))))
			return pk_verr(v, pc, "invalid read from stack R%d off %" PRId64
				       ": byte not initialised", regno, b);
	}
	return 0;
}

/* Bytes [lo, hi) written with unknown data (or data the verifier forgets). */
static void stack_clobber(struct vframe *fr, const struct access *a, bool init)
{
	int64_t b;

	for (b = a->lo; b < a->hi; b++) {
		struct vslot *sl = slot_of(fr, b);

		if (sl->spilled) {
			sl->spilled = 0;
			if (sl->spill.type != T_SCALAR)
				sl->init = 0xff; /* pointer bytes become data */
		}
		if (init)
			sl->init |= (uint8_t)(1u << ((b + PK_BPF_STACK_SIZE) % 8));
	}
}

static void load_result(struct vreg *dst, unsigned int size, bool sx)
{
	if (size == 8) {
		mark_unknown(dst);
		return;
	}
	if (sx) {
		int64_t m = 1LL << (size * 8 - 1);

		mark_unknown(dst);
		dst->smin = -m;
		dst->smax = m - 1;
		sync_bounds(dst);
		return;
	}
	mark_urange(dst, 0, (1ULL << (size * 8)) - 1);
	sync_bounds(dst);
}

static uint32_t map_value_size(struct pk_verifier *v, uint32_t map)
{
	return v->prog->maps[map]->value_size;
}

static int region_check(struct pk_verifier *v, uint32_t pc, const struct vreg *r,
			int regno, int32_t off, uint64_t size, bool write,
			uint64_t limit, const char *what)
{
	struct access a = { 0, 0, false };
	int err = access_range(v, pc, r, regno, off, size, &a);

	if (err)
		return err;
	if (a.lo < 0 || a.hi > (int64_t)limit)
		return pk_verr(v, pc, "invalid access to %s R%d: off=%" PRId64 " size=%" PRIu64
			       " outside [0, %" PRIu64 ")%s", what, regno, a.lo, size,
			       limit, write ? " (write)" : "");
	return 0;
}

/*
 * The known bits of a pointer's variable offset (the kernel's var_off):
 * kept in @t by pointer arithmetic with a variable scalar (check_alu);
 * a fixed offset is the constant smin.
 */
static struct tnum ptr_var(const struct vreg *r)
{
	return r->smin == r->smax ? tnum_const((uint64_t)r->smin) : r->t;
}

/*
 * check_align - Linux 6.1's check_ptr_alignment() (kernel/bpf/verifier.c
 * 6.1.192 line 4378) for programs the kernel runs (not PK_BPF_PROG_RAW):
 * stack accesses are always strict (line 4403: the spill tracking relies
 * on it), atomics on every pointer (check_atomic() asks for
 * strict_alignment_once, lines 5269-5280); other accesses are not strict
 * on x86-64 and arm64 (CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS).  A byte is
 * always aligned.  A variable offset is aligned when its known low bits
 * say so (tnum_is_aligned(var_off + off), line 4365).
 */
static int check_align(struct pk_verifier *v, uint32_t pc, const struct vreg *r,
		       int regno, int32_t off, unsigned int size, bool atomic)
{
	static const char *const desc[] = { [T_STACK] = "stack ", [T_MAP_VALUE] = "value ",
					    [T_CTX] = "context " };
	const char *d = r->type < PK_ARRAY_SIZE(desc) && desc[r->type] ? desc[r->type] : "";
	int64_t at;

	if (v->prog->kind == PK_BPF_PROG_RAW || size == 1 || !is_ptr(r) ||
	    (!atomic && r->type != T_STACK))
		return 0;
	if (r->smin != r->smax) {
		struct tnum t = tnum_add(r->t, tnum_const((uint64_t)((int64_t)r->off + off)));

		if ((t.v | t.m) & (size - 1))
			return pk_verr(v, pc, "misaligned %saccess R%d: variable offset (known bits 0x%" PRIx64
				       " mask 0x%" PRIx64 ") + %d + %d, size %u",
				       d, regno, r->t.v, r->t.m, r->off, off, size);
		return 0;
	}
	at = (int64_t)r->off + r->smin + off;
	if (at % (int64_t)size)
		return pk_verr(v, pc, "misaligned %saccess R%d off %" PRId64 " size %u",
			       d, regno, at, size);
	return 0;
}

/*
 * check_mem - may the program access @size bytes at @r + @off?  For loads,
 * *@dst (if not NULL) receives the loaded value's abstract state.
 */
static int check_mem(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
		     const struct vreg *r, int regno, int32_t off, uint64_t size,
		     bool write, struct vreg *dst, bool sx, const struct vreg *val)
{
	const struct pk_bpf_prog *prog = v->prog;
	struct access a = { 0, 0, false };
	int err;

	switch (r->type) {
	case T_STACK: {
		struct vframe *fr = s->fr[r->frame];

		err = stack_access(v, pc, s, r, regno, off, size, write, &a);
		if (err)
			return err;
		if (write) {
			if (val && val->type == T_STACK && val->frame > r->frame)
				return pk_verr(v, pc, "cannot spill a pointer to frame %u's stack into frame %u",
					       val->frame, r->frame);
			if (a.fixed && size == 8 && !((a.lo + PK_BPF_STACK_SIZE) % 8) && val) {
				struct vslot *sl = slot_of(fr, a.lo);

				sl->spill = *val;
				sl->spilled = 1;
				sl->init = 0xff;
			} else {
				stack_clobber(fr, &a, a.fixed);
			}
			return 0;
		}
		err = stack_read_init(v, pc, fr, &a, regno);
		if (err)
			return err;
		if (!dst)
			return 0;
		if (a.fixed && size == 8 && !((a.lo + PK_BPF_STACK_SIZE) % 8) &&
		    slot_of(fr, a.lo)->spilled) {
			*dst = slot_of(fr, a.lo)->spill;
			return 0;
		}
		load_result(dst, (unsigned int)size, sx);
		return 0;
	}
	case T_CTX:
		if (prog->kind == PK_BPF_PROG_KEXEC_PARSER) {
			err = access_range(v, pc, r, regno, off, size, &a);
			if (err)
				return err;
			if (write)
				return pk_verr(v, pc, "write into the read-only context (R%d)", regno);
			if (!a.fixed || size != 8 || (a.lo != 0 && a.lo != 8))
				return pk_verr(v, pc, "invalid context access R%d off=%" PRId64
					       " size=%" PRIu64 " (args[0..1], 8 bytes each)",
					       regno, a.lo, size);
			if (dst) {
				if (a.lo == 0) {
					memset(dst, 0, sizeof(*dst));
					dst->type = T_KCTX;
				} else {
					mark_unknown(dst);
				}
			}
			return 0;
		}
		if (prog->kind == PK_BPF_PROG_LSKEL_LOADER && size) {
			/*
			 * A BPF_PROG_TYPE_SYSCALL context in 6.1: check_ptr_off_reg()
			 * (verifier.c 6.1.192 line 3883) wants the context pointer
			 * itself, syscall_prog_is_valid_access() (syscall.c line
			 * 5208) an offset aligned to the size.
			 */
			if (r->off || r->smin || r->smax)
				return pk_verr(v, pc, "dereference of modified ctx ptr R%d off=%d disallowed",
					       regno, r->off);
			if (off % (int64_t)size)
				return pk_verr(v, pc, "invalid bpf_context access off=%d size=%" PRIu64,
					       off, size);
		}
		err = region_check(v, pc, r, regno, off, size, write, v->env->ctx_size,
				   "context");
		break;
	case T_KCTX:
		if (write)
			return pk_verr(v, pc, "write into trusted struct kexec_context (R%d) is not allowed",
				       regno);
		err = access_range(v, pc, r, regno, off, size, &a);
		if (!err && !a.fixed)
			return pk_verr(v, pc, "variable offset into struct kexec_context (R%d)",
				       regno);
		if (!err)
			err = region_check(v, pc, r, regno, off, size, write, 56,
					   "struct kexec_context");
		break;
	case T_MAP_VALUE:
		if (write && (prog->maps[r->map]->map_flags & BPF_F_RDONLY_PROG))
			return pk_verr(v, pc, "write into read-only map '%s' (R%d)",
				       prog->maps[r->map]->name, regno);
		err = region_check(v, pc, r, regno, off, size, write,
				   map_value_size(v, r->map), "map value");
		break;
	case T_MEM:
		if (write && (r->flags & F_RDONLY))
			return pk_verr(v, pc, "write into read-only memory (R%d)", regno);
		err = region_check(v, pc, r, regno, off, size, write, r->size,
				   r->ref ? "ring-buffer record" : "memory");
		break;
	case T_NOT_INIT:
	case T_RELEASED:
		return check_read(v, pc, r, regno);
	case T_MAP_VALUE_OR_NULL:
	case T_MEM_OR_NULL:
	case T_PARSER_CTX_OR_NULL:
		return pk_verr(v, pc, "R%d invalid mem access '%s': possibly NULL, test it first",
			       regno, tname(r));
	default:
		return pk_verr(v, pc, "R%d invalid mem access '%s'%s", regno, tname(r),
			       r->type == T_SCALAR ? " (pointer forged from a scalar)" : "");
	}
	if (err)
		return err;
	if (dst)
		load_result(dst, (unsigned int)size, sx);
	return 0;
}

/* ---- ALU ---- */

/*
 * T_KCTX is the kernel's PTR_TO_BTF_ID: arithmetic is allowed (CO-RE reads
 * hand &ctx->field to bpf_probe_read_kernel); loads through it still need a
 * fixed in-bounds offset (check_mem).
 */
static bool ptr_arith_ok(uint8_t type)
{
	return type == T_STACK || type == T_MAP_VALUE || type == T_MEM ||
	       type == T_CTX || type == T_KCTX;
}

static int check_alu(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s)
{
	const struct bpf_insn *in = &v->prog->insns[pc];
	struct vframe *fr = CUR(s);
	struct vreg *d = &fr->r[in->dst_reg], src;
	bool is64 = PK_BPF_CLASS(in->code) == BPF_ALU64;
	uint8_t op = PK_BPF_OP(in->code);
	int err;

	if (in->dst_reg == BPF_REG_10)
		return pk_verr(v, pc, "frame pointer R10 is read only");
	if (PK_BPF_SRC(in->code) == BPF_X && op != BPF_END) {
		err = check_read(v, pc, &fr->r[in->src_reg], in->src_reg);
		if (err)
			return err;
		src = fr->r[in->src_reg];
	} else {
		mark_const(&src, is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm);
	}
	if (op == BPF_MOV) {
		if (is_ptr(&src) && (!is64 || in->off))
			return pk_verr(v, pc, "R%d 32-bit or sign-extending move of a pointer (%s)",
				       in->src_reg, tname(&src));
		if (is_ptr(&src)) {
			*d = src;
			return 0;
		}
		scalar_alu(in, d, &src);
		return 0;
	}
	err = check_read(v, pc, d, in->dst_reg);
	if (err)
		return err;
	if (!is_ptr(d) && !is_ptr(&src)) {
		scalar_alu(in, d, &src);
		return 0;
	}
	/* pointer arithmetic: ptr +/- scalar (64-bit), or ptr - ptr */
	if (!is64)
		return pk_verr(v, pc, "32-bit arithmetic on a pointer (R%d %s)", in->dst_reg,
			       tname(is_ptr(d) ? d : &src));
	if (is_ptr(d) && is_ptr(&src)) {
		if (op == BPF_SUB && d->type == src.type && d->type == T_STACK) {
			mark_unknown(d);
			return 0;
		}
		return pk_verr(v, pc, "R%d pointer %s pointer prohibited", in->dst_reg,
			       op == BPF_SUB ? "-" : "op");
	}
	if (op == BPF_ADD && !is_ptr(d)) { /* scalar += ptr: swap */
		struct vreg t = *d;

		*d = src;
		src = t;
	} else if (!is_ptr(d) || (op != BPF_ADD && op != BPF_SUB)) {
		return pk_verr(v, pc, "R%d pointer arithmetic with %s prohibited (%s)",
			       in->dst_reg, is_ptr(d) ? "this operation" : "a pointer operand",
			       tname(is_ptr(d) ? d : &src));
	}
	if (!ptr_arith_ok(d->type))
		return pk_verr(v, pc, "R%d pointer arithmetic on %s prohibited", in->dst_reg,
			       tname(d));
	if (d->ref && d->type == T_MEM) {
		/* allowed, but the release helpers demand the original pointer */
	}
	if (is_const(&src)) {
		int64_t c = (int64_t)src.umin, no;

		if (op == BPF_SUB)
			c = -c;
		if (c < -PK_PTR_OFF_MAX || c > PK_PTR_OFF_MAX ||
		    pk_add_overflow((int64_t)d->off, c, &no) || no < -PK_PTR_OFF_MAX ||
		    no > PK_PTR_OFF_MAX)
			return pk_verr(v, pc, "R%d pointer arithmetic out of bounds (offset %" PRId64 ")",
				       in->dst_reg, (int64_t)d->off + c);
		d->off = (int32_t)no;
		return 0;
	}
	if (src.smin < -PK_PTR_OFF_MAX || src.smax > PK_PTR_OFF_MAX)
		return pk_verr(v, pc, "R%d pointer arithmetic with an unbounded scalar (R%d range [%" PRId64 ", %" PRId64 "]): bound it first",
			       in->dst_reg, in->src_reg, src.smin, src.smax);
	if (op == BPF_ADD) {
		d->t = tnum_add(ptr_var(d), src.t);
		d->smin += src.smin;
		d->smax += src.smax;
	} else {
		d->t = tnum_sub(ptr_var(d), src.t);
		d->smin -= src.smax;
		d->smax -= src.smin;
	}
	if (d->smin < -PK_PTR_OFF_MAX || d->smax > PK_PTR_OFF_MAX)
		return pk_verr(v, pc, "R%d pointer arithmetic out of bounds", in->dst_reg);
	return 0;
}

/* ---- conditional jumps ---- */

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
 * when the upper half is one known value (sync_bounds).
 */
static bool refine(struct vreg *r, uint8_t op, bool is32, uint64_t c, bool taken)
{
	uint64_t mask = is32 ? UINT32_MAX : UINT64_MAX;

	if (op == BPF_JSET) {
		if (is32 ? r->u32min == r->u32max : is_const(r))
			return pk_bpf_cond(op, is32, is32 ? r->u32min : r->umin, c) == taken;
		if (!taken) { /* the tested bits are 0 */
			r->t.v &= ~(c & mask);
			r->t.m &= ~(c & mask);
			return sync_bounds(r);
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
		return sync_bounds(r);
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
	return sync_bounds(r);
}

static uint8_t swap_op(uint8_t op)
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

static int push(struct vctx *c, struct pk_vstate *s)
{
	int err;

	if (++c->v->states > PK_BPF_MAX_STATES) {
		state_free(s);
		return pk_err(c->v->ctx, -E2BIG,
			      "program too complex: more than %d verifier states",
			      PK_BPF_MAX_STATES);
	}
	err = mem_charge(c->v, s->pc, state_bytes(s));
	if (err) {
		state_free(s);
		return err;
	}
	s->next = c->work;
	c->work = s;
	return 0;
}

/*
 * A conditional jump: *@ret_s continues on one branch (or NULL if neither
 * is feasible, which cannot happen), the other is pushed.
 */
static int check_cond(struct vctx *c, struct pk_vstate *s, bool *ret_done)
{
	struct pk_verifier *v = c->v;
	uint32_t pc = s->pc;
	const struct bpf_insn *in = &v->prog->insns[pc];
	bool is32 = PK_BPF_CLASS(in->code) == BPF_JMP32;
	uint8_t op = PK_BPF_OP(in->code);
	struct vframe *fr = CUR(s);
	struct vreg *d = &fr->r[in->dst_reg], *sr = NULL, k;
	struct pk_vstate *t;
	bool can[2] = { true, true }; /* [0] fall through, [1] taken */
	int err, br;

	err = check_read(v, pc, d, in->dst_reg);
	if (err)
		return err;
	if (PK_BPF_SRC(in->code) == BPF_X) {
		sr = &fr->r[in->src_reg];
		err = check_read(v, pc, sr, in->src_reg);
		if (err)
			return err;
		k = *sr;
	} else {
		mark_const(&k, is32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm);
	}
	*ret_done = false;
	/* NULL checks */
	if ((op == BPF_JEQ || op == BPF_JNE) && !is32 &&
	    ((is_or_null(d) && is_const(&k) && !k.umin) ||
	     (sr && is_or_null(sr) && is_const(d) && !d->umin))) {
		struct vreg p = is_or_null(d) ? *d : *sr;

		t = state_copy(s);
		if (!t)
			return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
		/* taken branch of JEQ: NULL */
		mark_null(t, &p, op == BPF_JEQ);
		mark_null(s, &p, op != BPF_JEQ);
		t->pc = pc + 1 + in->off;
		s->pc = pc + 1;
		return push(c, t);
	}
	if (is_ptr(d) || is_ptr(&k)) {
		if (is_or_null(d) || is_or_null(&k))
			return pk_verr(v, pc, "comparison of a possibly-NULL pointer with something else than 0");
		/* pointers: no refinement, both ways */
	} else {
		struct vreg d0 = *d, d1 = *d;

		if (is_const(&k)) {
			can[0] = refine(&d0, op, is32, k.umin, false);
			can[1] = refine(&d1, op, is32, k.umin, true);
		} else if (is_const(d) && sr) {
			struct vreg s0 = *sr, s1 = *sr;

			can[0] = refine(&s0, swap_op(op), is32, d->umin, false);
			can[1] = refine(&s1, swap_op(op), is32, d->umin, true);
			if (can[0] && can[1]) {
				t = state_copy(s);
				if (!t)
					return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
				CUR(t)->r[in->src_reg] = s1;
				CUR(s)->r[in->src_reg] = s0;
				t->pc = pc + 1 + in->off;
				s->pc = pc + 1;
				return push(c, t);
			}
			d0 = *d;
			d1 = *d;
		}
		if (can[0] && can[1]) {
			t = state_copy(s);
			if (!t)
				return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
			CUR(t)->r[in->dst_reg] = d1;
			*d = d0;
			t->pc = pc + 1 + in->off;
			s->pc = pc + 1;
			return push(c, t);
		}
		br = can[1] ? 1 : 0;
		if (!can[0] && !can[1]) {
			*ret_done = true; /* dead path */
			return 0;
		}
		*d = br ? d1 : d0;
		s->pc = br ? pc + 1 + in->off : pc + 1;
		return 0;
	}
	t = state_copy(s);
	if (!t)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	t->pc = pc + 1 + in->off;
	s->pc = pc + 1;
	return push(c, t);
}

/* ---- calls ---- */

static int check_mem_arg(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
			 int regno, const struct vreg *size, bool write,
			 bool or_null)
{
	const struct vreg *r = &CUR(s)->r[regno];
	uint64_t n;
	struct access a = { 0, 0, false };
	int err;

	if (size->type != T_SCALAR)
		return pk_verr(v, pc, "R%d size argument must be a scalar, not %s",
			       regno + 1, tname(size));
	if (size->umax > PK_PTR_OFF_MAX)
		return pk_verr(v, pc, "R%d unbounded size argument (max %" PRIu64 "): bound it first",
			       regno + 1, size->umax);
	n = size->umax;
	if (or_null && r->type == T_SCALAR && is_const(r) && !r->umin) {
		if (size->umax)
			return pk_verr(v, pc, "R%d NULL memory with a non-zero size", regno);
		return 0;
	}
	if (!n)
		return 0;
	if (write && r->type == T_STACK) {
		err = stack_access(v, pc, s, r, regno, 0, n, true, &a);
		if (err)
			return err;
		/* filled by the helper: initialised only where surely written */
		if (a.fixed && size->umin == size->umax)
			stack_clobber(s->fr[r->frame], &a, true);
		else
			stack_clobber(s->fr[r->frame], &a, false);
		return 0;
	}
	return check_mem(v, pc, s, r, regno, 0, n, write, NULL, false, NULL);
}

static int check_helper_args(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
			     const struct pk_bpf_helper *h, uint32_t *ret_map,
			     uint32_t *ret_release, uint64_t *ret_const)
{
	struct vframe *fr = CUR(s);
	int64_t map = -1;
	int i, err;

	*ret_release = 0;
	for (i = 0; i < 5; i++) {
		const struct vreg *r = &fr->r[i + 1];
		uint8_t kind = h->args[i];

		if (kind == PK_BPF_ARG_NONE)
			continue;
		err = check_read(v, pc, r, i + 1);
		if (err)
			return err;
		switch (kind) {
		case PK_BPF_ARG_ANYTHING:
			break;
		case PK_BPF_ARG_SCALAR:
		case PK_BPF_ARG_SIZE:
		case PK_BPF_ARG_SIZE_OR_ZERO:
			if (r->type != T_SCALAR)
				return pk_verr(v, pc, "%s: R%d must be a scalar, not %s",
					       h->name, i + 1, tname(r));
			if (kind == PK_BPF_ARG_SIZE && !r->umin)
				return pk_verr(v, pc, "%s: R%d size may be 0", h->name, i + 1);
			break;
		case PK_BPF_ARG_CONST_SIZE:
			if (!is_const(r))
				return pk_verr(v, pc, "%s: R%d size must be a known constant",
					       h->name, i + 1);
			*ret_const = r->umin;
			if (map >= 0 && v->prog->maps[map]->type == BPF_MAP_TYPE_RINGBUF &&
			    (r->umin > v->prog->maps[map]->max_entries ||
			     r->umin + 8 > v->prog->maps[map]->max_entries))
				return pk_verr(v, pc, "%s: reservation of %" PRIu64
					       " bytes can never fit ring buffer '%s' of %u bytes",
					       h->name, r->umin, v->prog->maps[map]->name,
					       v->prog->maps[map]->max_entries);
			if (r->umin > PK_PTR_OFF_MAX)
				return pk_verr(v, pc, "%s: size %" PRIu64 " too large", h->name,
					       r->umin);
			break;
		case PK_BPF_ARG_MEM_RO:
		case PK_BPF_ARG_MEM_RO_OR_NULL:
		case PK_BPF_ARG_MEM_UNINIT:
			if (i == 4 || (h->args[i + 1] != PK_BPF_ARG_SIZE &&
				       h->args[i + 1] != PK_BPF_ARG_SIZE_OR_ZERO))
				return pk_verr(v, pc, "%s: helper table: memory argument %d without a size",
					       h->name, i + 1);
			err = check_read(v, pc, &fr->r[i + 2], i + 2);
			if (err)
				return err;
			err = check_mem_arg(v, pc, s, i + 1, &fr->r[i + 2],
					    kind == PK_BPF_ARG_MEM_UNINIT,
					    kind == PK_BPF_ARG_MEM_RO_OR_NULL);
			if (err)
				return pk_err_prefix(v->ctx, err, "%s", h->name);
			break;
		case PK_BPF_ARG_CTX:
			if (r->type != T_CTX || r->off || r->smin || r->smax)
				return pk_verr(v, pc, "%s: R%d must be the unmodified context",
					       h->name, i + 1);
			break;
		case PK_BPF_ARG_MAP:
			if (r->type != T_MAP_PTR)
				return pk_verr(v, pc, "%s: R%d must be a map pointer, not %s",
					       h->name, i + 1, tname(r));
			map = r->map;
			*ret_map = r->map;
			if ((h->id == BPF_FUNC_map_lookup_elem || h->id == BPF_FUNC_map_update_elem) &&
			    h == pk_bpf_builtin_helper(h->id) &&
			    v->prog->maps[map]->type != BPF_MAP_TYPE_ARRAY)
				return pk_verr(v, pc, "%s: map '%s' is not an array map", h->name,
					       v->prog->maps[map]->name);
			if (h->id >= BPF_FUNC_ringbuf_output && h->id <= BPF_FUNC_ringbuf_discard &&
			    h == pk_bpf_builtin_helper(h->id) &&
			    v->prog->maps[map]->type != BPF_MAP_TYPE_RINGBUF)
				return pk_verr(v, pc, "%s: map '%s' is not a ring buffer", h->name,
					       v->prog->maps[map]->name);
			if (h->id == BPF_FUNC_map_update_elem &&
			    (v->prog->maps[map]->map_flags & BPF_F_RDONLY_PROG))
				return pk_verr(v, pc, "%s: write into read-only map '%s'", h->name,
					       v->prog->maps[map]->name);
			break;
		case PK_BPF_ARG_MAP_KEY:
		case PK_BPF_ARG_MAP_VALUE: {
			struct vreg sz;

			if (map < 0)
				return pk_verr(v, pc, "%s: helper table: key/value before the map",
					       h->name);
			mark_const(&sz, kind == PK_BPF_ARG_MAP_KEY ? v->prog->maps[map]->key_size
							       : v->prog->maps[map]->value_size);
			err = check_mem_arg(v, pc, s, i + 1, &sz, false, false);
			if (err)
				return pk_err_prefix(v->ctx, err, "%s", h->name);
			break;
		}
		case PK_BPF_ARG_RINGBUF_MEM:
			if (r->type != T_MEM || !r->ref)
				return pk_verr(v, pc, "%s: R%d must be a held ring-buffer record, not %s",
					       h->name, i + 1, r->type == T_MEM_OR_NULL ?
					       "a possibly-NULL one" : tname(r));
			if (r->off || r->smin || r->smax)
				return pk_verr(v, pc, "%s: R%d must point to the start of the record",
					       h->name, i + 1);
			if (h->flags & PK_BPF_FN_RELEASE)
				*ret_release = r->ref;
			break;
		case PK_BPF_ARG_PARSER_CTX:
			if (r->type != T_PARSER_CTX)
				return pk_verr(v, pc, "%s: R%d must be a held parser context, not %s",
					       h->name, i + 1, tname(r));
			if (h->flags & PK_BPF_FN_RELEASE)
				*ret_release = r->ref;
			break;
		case PK_BPF_ARG_U64_OUT: {
			struct vreg sz;

			mark_const(&sz, 8);
			err = check_mem_arg(v, pc, s, i + 1, &sz, true, false);
			if (err)
				return pk_err_prefix(v->ctx, err, "%s", h->name);
			break;
		}
		default:
			return pk_verr(v, pc, "%s: unknown argument kind %u", h->name, kind);
		}
	}
	return 0;
}

static int acquire(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
		   uint8_t type, uint32_t *ret_ref)
{
	if (s->nref >= PK_MAX_REFS)
		return pk_verr(v, pc, "more than %d references held", PK_MAX_REFS);
	*ret_ref = ++v->next_id;
	s->refs[s->nref] = *ret_ref;
	s->ref_type[s->nref++] = type;
	return 0;
}

static int check_helper_call(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
			     const struct pk_bpf_helper *h)
{
	struct vframe *fr = CUR(s);
	uint32_t map = 0, release = 0, ref = 0;
	uint64_t csize = 0;
	struct vreg *r0 = &fr->r[0];
	int i, err;

	v->aux[pc].fn = h;
	err = check_helper_args(v, pc, s, h, &map, &release, &csize);
	if (err)
		return err;
	if (release) {
		err = release_ref(v, pc, s, release);
		if (err)
			return err;
	}
	for (i = 1; i <= 5; i++)
		memset(&fr->r[i], 0, sizeof(fr->r[i]));
	switch (h->ret) {
	case PK_BPF_RET_INTEGER:
		mark_unknown(r0);
		break;
	case PK_BPF_RET_VOID:
		memset(r0, 0, sizeof(*r0));
		break;
	case PK_BPF_RET_MAP_VALUE_OR_NULL:
		memset(r0, 0, sizeof(*r0));
		r0->type = T_MAP_VALUE_OR_NULL;
		r0->map = map;
		r0->id = ++v->next_id;
		break;
	case PK_BPF_RET_RINGBUF_MEM_OR_NULL:
		err = acquire(v, pc, s, T_MEM, &ref);
		if (err)
			return err;
		memset(r0, 0, sizeof(*r0));
		r0->type = T_MEM_OR_NULL;
		r0->size = (uint32_t)csize;
		r0->id = ++v->next_id;
		r0->ref = ref;
		break;
	case PK_BPF_RET_PARSER_CTX_OR_NULL:
		err = acquire(v, pc, s, T_PARSER_CTX, &ref);
		if (err)
			return err;
		memset(r0, 0, sizeof(*r0));
		r0->type = T_PARSER_CTX_OR_NULL;
		r0->id = ++v->next_id;
		r0->ref = ref;
		break;
	default:
		return pk_verr(v, pc, "%s: unknown return kind %u", h->name, h->ret);
	}
	return 0;
}

static int check_call(struct vctx *c, struct pk_vstate *s)
{
	struct pk_verifier *v = c->v;
	uint32_t pc = s->pc;
	const struct bpf_insn *in = &v->prog->insns[pc];
	const struct pk_bpf_helper *h;

	if (in->code == (BPF_JMP | BPF_CALL | BPF_X)) {
		const struct vreg *r = &CUR(s)->r[in->dst_reg];
		int err = check_read(v, pc, r, in->dst_reg);

		if (err)
			return err;
		/* callx: only a register the verifier knows to hold one helper id */
		if (!is_const(r) || r->umin > UINT32_MAX)
			return pk_verr(v, pc, "callx R%u: target is not a known constant helper id",
				       in->dst_reg);
		if (v->aux[pc].fn && v->aux[pc].fn->id != r->umin)
			return pk_verr(v, pc, "callx R%u: different helpers on different paths",
				       in->dst_reg);
		h = pk_bpf_find_helper(v->env, (uint32_t)r->umin);
		if (!h)
			return pk_verr(v, pc, "callx: unknown helper %" PRIu64 " (%s)", r->umin,
				       pk_bpf_helper_name((uint32_t)r->umin) ?
				       pk_bpf_helper_name((uint32_t)r->umin) : "no such helper");
		return check_helper_call(v, pc, s, h);
	}
	if (in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		h = pk_bpf_kfunc_by_id((uint32_t)in->imm);
		if (!h)
			return pk_verr(v, pc, "unknown kfunc id %d", in->imm);
		if (v->prog->kind != PK_BPF_PROG_KEXEC_PARSER)
			return pk_verr(v, pc, "kfunc %s is only available to kexec parser programs",
				       h->name);
		return check_helper_call(v, pc, s, h);
	}
	h = pk_bpf_find_helper(v->env, (uint32_t)in->imm);
	if (!h)
		return pk_verr(v, pc, "unknown helper %d (%s)", in->imm,
			       pk_bpf_helper_name((uint32_t)in->imm) ?
			       pk_bpf_helper_name((uint32_t)in->imm) : "no such helper");
	return check_helper_call(v, pc, s, h);
}

static int check_bpf_call(struct pk_verifier *v, struct pk_vstate *s)
{
	uint32_t pc = s->pc, target = pc + 1 + (uint32_t)v->prog->insns[pc].imm, i;
	struct vframe *caller = CUR(s), *callee;

	if (s->nframe >= PK_BPF_MAX_FRAMES)
		return pk_verr(v, pc, "call depth exceeds %d frames", PK_BPF_MAX_FRAMES);
	callee = calloc(1, sizeof(*callee));
	if (!callee)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	for (i = 1; i <= 5; i++)
		callee->r[i] = caller->r[i];
	memset(&callee->r[10], 0, sizeof(callee->r[10]));
	callee->r[10].type = T_STACK;
	callee->r[10].frame = (uint8_t)s->nframe;
	callee->callsite = pc;
	callee->sub = v->sub_of[target];
	for (i = 1; i <= 5; i++) /* caller-saved registers are clobbered */
		memset(&caller->r[i], 0, sizeof(caller->r[i]));
	s->fr[s->nframe++] = callee;
	s->pc = target;
	return 0;
}

static int check_exit(struct pk_verifier *v, struct pk_vstate *s, bool *ret_done)
{
	uint32_t pc = s->pc;
	struct vframe *fr = CUR(s), *caller;
	int err = check_read(v, pc, &fr->r[0], 0);

	if (err)
		return pk_err_prefix(v->ctx, err, "at exit");
	if (s->nframe == 1) {
		if (s->nref)
			return pk_verr(v, pc, "unreleased reference %u (%s) at program exit",
				       s->refs[0], s->ref_type[0] == T_MEM ?
				       "ring-buffer record: submit or discard it" :
				       "parser context: put it");
		if (v->prog->kind == PK_BPF_PROG_KEXEC_PARSER) {
			const struct vreg *r0 = &fr->r[0];

			/*
			 * An fentry program's return value goes nowhere, and
			 * the kernel's check_return_code() demands exactly 0
			 * from it; a program that fails must say so with a
			 * failing command (docs/parsers.md).
			 */
			if (r0->type != T_SCALAR)
				return pk_verr(v, pc, "R0 must be a scalar at program exit, not %s",
					       tname(r0));
			if (r0->umax != 0 && r0->umin == r0->umax)
				return pk_verr(v, pc, "R0 is %" PRId64 " at program exit; an fentry parser program must return 0",
					       (int64_t)r0->umin);
			if (r0->umax != 0)
				return pk_verr(v, pc, "R0 may be in [%" PRId64 ", %" PRId64 "] at program exit; an fentry parser program must return 0",
					       r0->smin, r0->smax);
		}
		*ret_done = true;
		return 0;
	}
	if (fr->r[0].type == T_STACK && fr->r[0].frame == s->nframe - 1)
		return pk_verr(v, pc, "returning a pointer to the callee's own stack");
	caller = s->fr[s->nframe - 2];
	caller->r[0] = fr->r[0];
	s->pc = fr->callsite + 1;
	free(fr);
	s->nframe--;
	*ret_done = false;
	return 0;
}

/* ---- pruning ---- */

/* Is every value @cur may hold one @old was explored with? */
static bool reg_within(const struct vreg *old, const struct vreg *cur)
{
	if (old->type == T_NOT_INIT)
		return true; /* never read from here on, on any path */
	if (old->type != cur->type)
		return false;
	if (old->type == T_SCALAR)
		return cur->umin >= old->umin && cur->umax <= old->umax &&
		       cur->smin >= old->smin && cur->smax <= old->smax &&
		       cur->u32min >= old->u32min && cur->u32max <= old->u32max &&
		       cur->s32min >= old->s32min && cur->s32max <= old->s32max &&
		       tnum_in(old->t, cur->t);
	if (old->type == T_RELEASED)
		return true;
	return old->off == cur->off && old->frame == cur->frame &&
	       old->flags == cur->flags && old->size == cur->size &&
	       old->map == cur->map && old->id == cur->id && old->ref == cur->ref &&
	       cur->smin >= old->smin && cur->smax <= old->smax &&
	       tnum_in(ptr_var(old), ptr_var(cur)); /* the known bits decide alignment */
}

/*
 * Registers of frame @f that can still be read when @s goes on: the live
 * ones at s->pc for the running frame; for a caller, those live where it
 * resumes that r6..r9 carry across the call (verifier-live.c).
 */
static uint16_t live_regs(const struct pk_verifier *v, const struct pk_vstate *s,
			  uint32_t f)
{
	if (f + 1 == s->nframe)
		return v->live[s->pc];
	return v->live[s->fr[f + 1]->callsite + 1] & 0x3c0; /* r6..r9 */
}

/*
 * Is every value @cur may hold one @old was explored with?  -1 if so, else
 * what differed first (struct pk_vprof's reasons): 0 frames or
 * references, 1 + n register n, 11 + 4 * slot + k stack slot (k: 0 init
 * bytes, 1 spilled pointer, 2 spilled scalar, 3 pointer spilled in @cur
 * only).
 */
static int state_miss(const struct pk_verifier *v, const struct pk_vstate *old,
		      const struct pk_vstate *cur)
{
	uint32_t f, i;

	if (old->nframe != cur->nframe || old->nref != cur->nref)
		return 0;
	for (i = 0; i < old->nref; i++)
		if (old->refs[i] != cur->refs[i])
			return 0;
	for (f = 0; f < old->nframe; f++) {
		const struct vframe *a = old->fr[f], *b = cur->fr[f];
		uint16_t live = live_regs(v, old, f);
		/* the running frame's dead slots never matter either, nor a
		 * spill no path loads again (verifier-live.c; a live spill's
		 * slot is live); a caller's slots may still be read through a
		 * pointer: all count */
		bool top = f + 1 == old->nframe;
		uint64_t ilive = top ? v->slive[old->pc] : UINT64_MAX;
		uint64_t slive = top ? v->spill_live[old->pc] : UINT64_MAX;

		if (a->callsite != b->callsite)
			return 0;
		for (i = 0; i < BPF_REG_10; i++) /* r10: the frame, always equal */
			if ((live & (1u << i)) && !reg_within(&a->r[i], &b->r[i]))
				return 1 + (int)i; /* a dead register never matters */
		for (; ilive; ilive &= ilive - 1) {
			const struct vslot *x, *y;
			int r;

			i = (uint32_t)__builtin_ctzll(ilive);
			x = &a->slot[i];
			y = &b->slot[i];
			r = 11 + 4 * (int)i;
			if (!(slive & (UINT64_C(1) << i))) {
				/* read, if at all, only as bytes after a store
				 * dropped the spill: the init bytes decide */
				if ((x->init & y->init) != x->init)
					return r;
				continue;
			}
			if ((x->init & y->init) != x->init)
				return r;
			if (x->spilled && x->spill.type != T_SCALAR) {
				if (!y->spilled || !reg_within(&x->spill, &y->spill))
					return r + 1;
			} else if (x->spilled) {
				if (y->spilled && !reg_within(&x->spill, &y->spill))
					return r + 2;
				if (!y->spilled && !is_unknown(&x->spill))
					return r + 2;
			} else if (y->spilled && y->spill.type != T_SCALAR && x->init) {
				return r + 3;
			}
		}
	}
	return -1;
}

static bool state_within(const struct pk_verifier *v, const struct pk_vstate *old,
			 const struct pk_vstate *cur)
{
	int miss = state_miss(v, old, cur);

	if (miss >= 0 && v->prof)
		v->prof->miss[miss]++;
	return miss < 0;
}

#define THR_SIGN (UINT64_C(1) << 63) /* x ^ THR_SIGN: signed order as unsigned */

/*
 * The smallest threshold >= @x (@up) or the largest <= @x in @thr (sorted,
 * v->thr_cnt values), else the limit: UINT64_MAX up, 0 down (INT64_MAX and
 * INT64_MIN for thr_s's encoding).
 */
static uint64_t thr_find(const struct pk_verifier *v, const uint64_t *thr, uint64_t x,
			 bool up)
{
	uint32_t lo = 0, hi = v->thr_cnt;

	if (!v->thr_on)
		return up ? UINT64_MAX : 0;

	while (lo < hi) { /* first index with thr[i] >= x */
		uint32_t mid = lo + (hi - lo) / 2;

		if (thr[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (up)
		return lo < v->thr_cnt ? thr[lo] : UINT64_MAX;
	if (lo < v->thr_cnt && thr[lo] == x)
		return x;
	return lo ? thr[lo - 1] : 0;
}

static uint64_t thr_u(const struct pk_verifier *v, uint64_t x, bool up)
{
	return thr_find(v, v->thr_u, x, up);
}

static int64_t thr_s(const struct pk_verifier *v, int64_t x, bool up)
{
	return (int64_t)(thr_find(v, v->thr_s, (uint64_t)x ^ THR_SIGN, up) ^ THR_SIGN);
}

static void widen_reg(const struct pk_verifier *v, struct vreg *cur,
		      const struct vreg *old)
{
	if (cur->type != old->type)
		return;
	if (cur->type == T_SCALAR && !reg_within(old, cur)) {
		if (cur->umax > old->umax)
			cur->umax = thr_u(v, cur->umax, true);
		if (cur->umin < old->umin)
			cur->umin = thr_u(v, cur->umin, false);
		if (cur->smax > old->smax)
			cur->smax = thr_s(v, cur->smax, true);
		if (cur->smin < old->smin)
			cur->smin = thr_s(v, cur->smin, false);
		/* the 32-bit bounds and known bits follow the widened
		 * 64-bit ones, or they would narrow them back */
		cur->u32min = 0;
		cur->u32max = UINT32_MAX;
		cur->s32min = INT32_MIN;
		cur->s32max = INT32_MAX;
		cur->t = TNUM_UNKNOWN;
		sync_bounds(cur);
	}
}

static void widen(const struct pk_verifier *v, struct pk_vstate *cur,
		  const struct pk_vstate *old)
{
	uint32_t f, i;

	if (old->nframe != cur->nframe)
		return;
	for (f = 0; f < cur->nframe; f++) {
		for (i = 0; i < 11; i++)
			widen_reg(v, &cur->fr[f]->r[i], &old->fr[f]->r[i]);
		for (i = 0; i < PK_BPF_STACK_SIZE / 8; i++)
			if (cur->fr[f]->slot[i].spilled && old->fr[f]->slot[i].spilled)
				widen_reg(v, &cur->fr[f]->slot[i].spill,
					  &old->fr[f]->slot[i].spill);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Collects the widening thresholds from every compare with a constant. */
static int collect_thresholds(struct pk_verifier *v)
{
	const struct bpf_insn *in = v->prog->insns;
	uint32_t cnt = v->prog->insn_cnt, i, n = 0;
	int d;

	for (i = 0; i < cnt; i++) {
		uint8_t cls = PK_BPF_CLASS(in[i].code), op = PK_BPF_OP(in[i].code);

		if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL &&
		    op != BPF_EXIT && !(v->flags[i] & PK_VF_LDIMM2) &&
		    pk_jump_target(&in[i], i) <= i) /* verifier-cfg.c: in range */
			v->flags[pk_jump_target(&in[i], i)] |= PK_VF_LOOP;
		if ((cls == BPF_JMP || cls == BPF_JMP32) && PK_BPF_SRC(in[i].code) == BPF_K &&
		    op != BPF_JA && op != BPF_CALL && op != BPF_EXIT && op != BPF_JSET &&
		    !(v->flags[i] & PK_VF_LDIMM2))
			n += cls == BPF_JMP32 ? 6 : 3;
	}
	if (!n)
		return 0;
	/* n <= 6 * PK_BPF_MAX_INSNS: no overflow */
	v->thr_u = calloc(n, sizeof(*v->thr_u));
	v->thr_s = calloc(n, sizeof(*v->thr_s));
	if (!v->thr_u || !v->thr_s)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	for (i = 0; i < cnt; i++) {
		uint8_t cls = PK_BPF_CLASS(in[i].code), op = PK_BPF_OP(in[i].code);
		uint64_t c[2];
		int k, nc = 1;

		if (!((cls == BPF_JMP || cls == BPF_JMP32) &&
		      PK_BPF_SRC(in[i].code) == BPF_K && op != BPF_JA && op != BPF_CALL &&
		      op != BPF_EXIT && op != BPF_JSET && !(v->flags[i] & PK_VF_LDIMM2)))
			continue;
		c[0] = (uint64_t)(int64_t)in[i].imm;
		if (cls == BPF_JMP32) {
			c[1] = (uint32_t)in[i].imm;
			nc = 2;
		}
		for (k = 0; k < nc; k++)
			for (d = -1; d <= 1; d++) {
				v->thr_u[v->thr_cnt] = c[k] + (uint64_t)(int64_t)d;
				v->thr_s[v->thr_cnt++] = (c[k] + (uint64_t)(int64_t)d) ^ THR_SIGN;
			}
	}
	qsort(v->thr_u, v->thr_cnt, sizeof(*v->thr_u), cmp_u64);
	qsort(v->thr_s, v->thr_cnt, sizeof(*v->thr_s), cmp_u64);
	return 0;
}


/* how often this path has been at loop head @pc (counting this visit) */
static uint32_t path_visits(struct pk_vstate *s, uint32_t pc)
{
	uint32_t i, k = 0;

	for (i = 0; i < PK_LOOP_SLOTS; i++) {
		if (s->lp_cnt[i] && s->lp_pc[i] == pc)
			return ++s->lp_cnt[i];
		if (s->lp_cnt[i] < s->lp_cnt[k])
			k = i;
	}
	/* a new loop head takes the least used slot; a count forgotten
	 * only delays widening (the visits of all paths still bound it) */
	s->lp_pc[k] = pc;
	s->lp_cnt[k] = 1;
	return 1;
}

/* true: @s is covered by an explored state and need not be explored */
static int prune_point(struct pk_verifier *v, struct pk_vstate *s, bool *ret_pruned)
{
	struct pk_vstate **head = &v->stored[s->pc], *it, *copy, **pp;
	uint32_t n = 0, mine = 0, all;

	*ret_pruned = false;
	for (pp = head; (it = *pp);) {
		/* each comparison walks up to every frame: bounded in total */
		v->cmp += it->nframe;
		if (v->cmp > PK_BPF_VERIFIER_MAX_CMP)
			return pk_err(v->ctx, -E2BIG,
				      "program too complex: more than %d frame comparisons while pruning at insn %u (%" PRIu64
				      " instructions explored, %" PRIu64 " branch states)",
				      PK_BPF_VERIFIER_MAX_CMP, s->pc, v->processed, v->states);
		if (state_within(v, it, s)) {
			it->hit++;
			*ret_pruned = true;
			return 0;
		}
		/*
		 * A stored state that keeps failing to prune (the iterations
		 * of a loop whose counter differs each time) is dropped, as
		 * the kernel's is_state_visited() does (miss_cnt > hit_cnt * 3
		 * + 3): forgetting it only costs time.  The newest stays, as
		 * widening compares with it.
		 */
		if (++it->miss > it->hit * 3 + 3 && it != *head) {
			*pp = it->next;
			v->mem -= state_bytes(it);
			state_free(it);
			continue;
		}
		pp = &it->next;
	}
	all = ++v->visits[s->pc];
	if (v->flags[s->pc] & PK_VF_LOOP)
		mine = path_visits(s, s->pc);
	/*
	 * A loop head widens when this path has gone round it often (other
	 * paths' states there, e.g. the same loop with another constant
	 * trip count, say nothing about this one), or when all paths
	 * together have been there very often; other join points widen
	 * after PK_VERIFIER_WIDEN visits of all paths.
	 */
	if ((v->flags[s->pc] & PK_VF_LOOP) ?
	    (mine > PK_VERIFIER_WIDEN || all > PK_VERIFIER_WIDEN_ALL) :
	    all > PK_VERIFIER_WIDEN) {
		/* thresholds for a while, then straight to the limits: a
		 * bound that keeps growing past them is not a loop bound */
		v->thr_on = (v->flags[s->pc] & PK_VF_LOOP) ?
			    (mine <= 2 * PK_VERIFIER_WIDEN && all <= 2 * PK_VERIFIER_WIDEN_ALL) :
			    all <= 2 * PK_VERIFIER_WIDEN;
		if (*head)
			widen(v, s, *head);
	}
	copy = state_copy(s);
	if (!copy)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	copy->hit = copy->miss = 0;
	copy->next = *head;
	*head = copy;
	/* keep the newest few; forgetting old ones only costs time */
	for (pp = head; *pp; pp = &(*pp)->next)
		if (++n == PK_VERIFIER_STORED_PER_INSN) {
			it = (*pp)->next;
			(*pp)->next = NULL;
			while (it) {
				struct pk_vstate *nx = it->next;

				v->mem -= state_bytes(it);
				state_free(it);
				it = nx;
			}
			break;
		}
	return mem_charge(v, s->pc, state_bytes(copy));
}

/* ---- one instruction ---- */

static int step(struct vctx *c, struct pk_vstate *s, bool *ret_done)
{
	struct pk_verifier *v = c->v;
	uint32_t pc = s->pc;
	const struct bpf_insn *in = &v->prog->insns[pc];
	struct vframe *fr = CUR(s);
	uint8_t cls = PK_BPF_CLASS(in->code);
	int err;

	*ret_done = false;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		err = check_alu(v, pc, s);
		s->pc++;
		return err;
	case BPF_LDX: {
		struct vreg val;
		const struct vreg *base = &fr->r[in->src_reg];

		if (in->dst_reg == BPF_REG_10)
			return pk_verr(v, pc, "frame pointer R10 is read only");
		err = check_read(v, pc, base, in->src_reg);
		if (!err)
			err = check_align(v, pc, base, in->src_reg, in->off,
					  pk_bpf_size_bytes(in->code), false);
		if (!err)
			err = check_mem(v, pc, s, base, in->src_reg, in->off,
					pk_bpf_size_bytes(in->code), false, &val,
					PK_BPF_MODE(in->code) == BPF_MEMSX, NULL);
		if (err)
			return err;
		fr->r[in->dst_reg] = val;
		s->pc++;
		return 0;
	}
	case BPF_ST:
	case BPF_STX: {
		const struct vreg *base = &fr->r[in->dst_reg];
		struct vreg val;
		unsigned int n = pk_bpf_size_bytes(in->code);

		err = check_read(v, pc, base, in->dst_reg);
		if (err)
			return err;
		if (cls == BPF_ST) {
			mark_const(&val, (uint64_t)(int64_t)in->imm);
		} else {
			err = check_read(v, pc, &fr->r[in->src_reg], in->src_reg);
			if (err)
				return err;
			val = fr->r[in->src_reg];
		}
		if (PK_BPF_MODE(in->code) == BPF_ATOMIC) {
			if (is_ptr(&val))
				return pk_verr(v, pc, "atomic operation with a pointer operand R%u",
					       in->src_reg);
			if (in->imm == BPF_CMPXCHG) {
				err = check_read(v, pc, &fr->r[0], 0);
				if (err)
					return err;
				if (is_ptr(&fr->r[0]))
					return pk_verr(v, pc, "cmpxchg with a pointer in R0");
			}
			/* read-modify-write: both checks; the slot becomes data */
			err = check_align(v, pc, base, in->dst_reg, in->off, n, true);
			if (!err)
				err = check_mem(v, pc, s, base, in->dst_reg, in->off, n, false,
					&val, false, NULL);
			if (!err)
				err = check_mem(v, pc, s, base, in->dst_reg, in->off, n, true,
						NULL, false, NULL);
			if (err)
				return err;
			if (in->imm == BPF_CMPXCHG)
				load_result(&fr->r[0], n, false);
			else if (in->imm & BPF_FETCH)
				load_result(&fr->r[in->src_reg], n, false);
			s->pc++;
			return 0;
		}
		err = check_align(v, pc, base, in->dst_reg, in->off, n, false);
		if (!err)
			err = check_mem(v, pc, s, base, in->dst_reg, in->off, n, true, NULL,
					false, n == 8 ? &val : NULL);
		if (err)
			return err;
		s->pc++;
		return 0;
	}
	case BPF_LD: {
		struct vreg *d = &fr->r[in->dst_reg];
		uint32_t map = (uint32_t)in->imm;

		if (in->dst_reg == BPF_REG_10)
			return pk_verr(v, pc, "frame pointer R10 is read only");
		if (in->src_reg == 0) {
			mark_const(d, (uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32);
		} else if (in->src_reg == BPF_PSEUDO_MAP_IDX) {
			memset(d, 0, sizeof(*d));
			d->type = T_MAP_PTR;
			d->map = map;
		} else {
			const struct pk_bpf_map *m = v->prog->maps[map];

			if (m->type != BPF_MAP_TYPE_ARRAY || !m->data)
				return pk_verr(v, pc, "direct value access to map '%s' that has no values",
					       m->name);
			if ((uint32_t)in[1].imm >= m->value_size)
				return pk_verr(v, pc, "direct value offset %u outside map '%s' value of %u bytes",
					       (uint32_t)in[1].imm, m->name, m->value_size);
			memset(d, 0, sizeof(*d));
			d->type = T_MAP_VALUE;
			d->map = map;
			d->off = (int32_t)(uint32_t)in[1].imm;
		}
		s->pc += 2;
		return 0;
	}
	case BPF_JMP:
	case BPF_JMP32:
		switch (PK_BPF_OP(in->code)) {
		case BPF_JA:
			s->pc = pk_jump_target(in, pc);
			return 0;
		case BPF_EXIT:
			return check_exit(v, s, ret_done);
		case BPF_CALL:
			if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL)
				return check_bpf_call(v, s);
			err = check_call(c, s);
			s->pc++;
			return err;
		default:
			return check_cond(c, s, ret_done);
		}
	}
	return pk_verr(v, pc, "unknown opcode 0x%02x", in->code);
}

static struct pk_vstate *initial_state(struct pk_verifier *v)
{
	struct pk_vstate *s = calloc(1, sizeof(*s));
	struct vframe *fr;

	if (!s)
		return NULL;
	fr = calloc(1, sizeof(*fr));
	if (!fr) {
		free(s);
		return NULL;
	}
	s->fr[0] = fr;
	s->nframe = 1;
	fr->r[10].type = T_STACK;
	switch (v->prog->kind) {
	case PK_BPF_PROG_RAW:
		if (v->env->ctx_size) {
			fr->r[1].type = T_MEM;
			fr->r[1].size = (uint32_t)v->env->ctx_size;
		} else {
			mark_const(&fr->r[1], 0);
		}
		mark_const(&fr->r[2], v->env->ctx_size);
		break;
	default:
		fr->r[1].type = T_CTX;
		break;
	}
	return s;
}

int pk_verify_paths(struct pk_verifier *v)
{
	struct vctx c = { .v = v, .work = NULL };
	struct pk_vstate *s;
	int err = 0;

	if (v->prog->kind == PK_BPF_PROG_RAW && v->env->ctx_size > PK_PTR_OFF_MAX)
		return pk_err(v->ctx, -EINVAL, "memory of %zu bytes is too large",
			      v->env->ctx_size);
	s = initial_state(v);
	if (!s)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	c.work = s;
	v->mem = state_bytes(s);
	while (!err && c.work) {
		bool done = false;

		s = c.work;
		c.work = s->next;
		s->next = NULL;
		v->mem -= state_bytes(s); /* charged by push() or below */
		while (!done) {
			if (v->prof)
				v->prof->visits[s->pc]++;
			if (++v->processed > PK_BPF_MAX_INSNS) {
				err = pk_err(v->ctx, -E2BIG,
					     "program too complex: more than %d instructions explored (insn %u)",
					     PK_BPF_MAX_INSNS, s->pc);
				break;
			}
			if (v->flags[s->pc] & PK_VF_PRUNE) {
				err = prune_point(v, s, &done);
				if (err || done)
					break;
			}
			err = step(&c, s, &done);
			if (err)
				break;
		}
		state_free(s);
	}
	while (c.work) {
		s = c.work;
		c.work = s->next;
		state_free(s);
	}
	return err;
}

static void prof_report(struct pk_verifier *v)
{
	struct pk_vprof *p = v->prof;
	char line[1024];
	uint32_t i, k, best[10] = { 0 };
	size_t n;
	int used = 0;

	/* the ten most visited instructions */
	for (k = 0; k < 10; k++) {
		uint32_t b = UINT32_MAX;

		for (i = 0; i < v->prog->insn_cnt; i++) {
			uint32_t j;
			bool taken = false;

			for (j = 0; j < k; j++)
				taken |= best[j] == i;
			if (!taken && p->visits[i] && (b == UINT32_MAX || p->visits[i] > p->visits[b]))
				b = i;
		}
		if (b == UINT32_MAX)
			break;
		best[k] = b;
		used += snprintf(line + used, sizeof(line) - (size_t)used, " insn %u: %u;", b,
				 p->visits[b]);
	}
	pk_debug(v->ctx, "verifier profile: most visited:%s", line);
	/* failed comparisons by what differed first, most frequent first */
	used = 0;
	line[0] = 0;
	for (k = 0; k < 12; k++) {
		uint32_t b = 0;

		for (i = 1; i < PK_VPROF_NREASON; i++)
			if (p->miss[i] > p->miss[b])
				b = i;
		if (!p->miss[b] && k)
			break;
		n = sizeof(line) - (size_t)used;
		if (b == 0)
			used += snprintf(line + used, n, " frames/refs %" PRIu64 ";", p->miss[b]);
		else if (b < 11)
			used += snprintf(line + used, n, " r%u %" PRIu64 ";", b - 1, p->miss[b]);
		else
			used += snprintf(line + used, n, " fp%d %s %" PRIu64 ";",
					 (int)((b - 11) / 4 * 8) - PK_BPF_STACK_SIZE,
					 (const char *const[]){ "init", "spilled pointer",
								"spilled scalar", "pointer in cur" }[(b - 11) % 4],
					 p->miss[b]);
		p->miss[b] = 0;
		if (used >= (int)sizeof(line))
			break;
	}
	pk_debug(v->ctx, "verifier profile: prune misses by first difference:%s", line);
}

int pk_bpf_verify_aux(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		      const struct pk_bpf_prog *prog, struct pk_insn_aux *aux)
{
	struct pk_verifier v = { .ctx = ctx, .env = env, .prog = prog, .aux = aux };
	uint32_t cnt = prog->insn_cnt, i;
	int err;

	if (prog->kind != PK_BPF_PROG_RAW && prog->kind != PK_BPF_PROG_KEXEC_PARSER &&
	    prog->kind != PK_BPF_PROG_LSKEL_LOADER)
		return pk_err(ctx, -EINVAL, "unknown program kind %d", prog->kind);
	for (i = 0; i < prog->map_cnt; i++)
		if (!prog->maps[i])
			return pk_err(ctx, -EINVAL, "map %u missing", i);
	v.flags = calloc(cnt, 1);
	v.sub_of = calloc(cnt, sizeof(*v.sub_of));
	v.stored = calloc(cnt, sizeof(*v.stored));
	v.visits = calloc(cnt, sizeof(*v.visits));
	if (!v.flags || !v.sub_of || !v.stored || !v.visits) {
		err = pk_err(ctx, -ENOMEM, "verifier: out of memory");
		goto out;
	}
	if (getenv("PK_VERIFIER_PROFILE")) {
		v.prof = calloc(1, sizeof(*v.prof));
		if (v.prof)
			v.prof->visits = calloc(cnt, sizeof(*v.prof->visits));
		if (!v.prof || !v.prof->visits) {
			err = pk_err(ctx, -ENOMEM, "verifier: out of memory");
			goto out;
		}
	}
	err = pk_verify_cfg(&v);
	if (!err)
		err = pk_verify_liveness(&v);
	if (!err)
		err = collect_thresholds(&v);
	if (!err)
		err = pk_verify_paths(&v);
	if (!err)
		err = pk_verify_stack_depth(&v);
	if (!err)
		pk_debug(ctx, "verifier: %u instructions, %u functions: %" PRIu64
			 " instructions explored, %" PRIu64 " branch states, %" PRIu64
			 " KiB of states at most, %" PRIu64 " frame comparisons",
			 cnt, v.sub_cnt, v.processed, v.states, v.mem_peak >> 10, v.cmp);
	if (!err && v.prof)
		prof_report(&v);
out:
	if (v.prof)
		free(v.prof->visits);
	free(v.prof);
	if (v.stored)
		for (i = 0; i < cnt; i++)
			while (v.stored[i]) {
				struct pk_vstate *nx = v.stored[i]->next;

				state_free(v.stored[i]);
				v.stored[i] = nx;
			}
	free(v.stored);
	free(v.visits);
	free(v.thr_u);
	free(v.thr_s);
	free(v.flags);
	free(v.live);
	free(v.slive);
	free(v.spill_live);
	free(v.sub_of);
	free(v.subs);
	return err;
}
