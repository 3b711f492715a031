/* SPDX-License-Identifier: MIT */
/*
 * verifier-state.h - the abstract state the path exploration works on
 * (registers, stack slots, frames, references), shared by its three
 * files: verifier.c (the path explorer: one instruction at a time),
 * verifier-scalar.c (scalar ranges and known bits) and verifier-prune.c
 * (pruning against stored states, widening).
 */
#ifndef PK_BPF_VERIFIER_STATE_H
#define PK_BPF_VERIFIER_STATE_H

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

#define CUR(s) ((s)->fr[(s)->nframe - 1])

/* What a kept state costs: the verifier's memory cap counts these. */
static inline uint64_t state_bytes(const struct pk_vstate *s)
{
	return sizeof(*s) + (uint64_t)s->nframe * sizeof(struct vframe);
}

static inline void mark_unknown(struct vreg *r)
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

static inline void mark_const(struct vreg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = T_SCALAR;
	r->umin = r->umax = v;
	r->smin = r->smax = (int64_t)v;
	r->u32min = r->u32max = (uint32_t)v;
	r->s32min = r->s32max = (int32_t)(uint32_t)v;
	r->t = tnum_const(v);
}

static inline bool is_const(const struct vreg *r)
{
	return r->type == T_SCALAR && r->umin == r->umax;
}

static inline bool is_unknown(const struct vreg *r)
{
	return r->type == T_SCALAR && !r->umin && r->umax == UINT64_MAX &&
	       r->smin == INT64_MIN && r->smax == INT64_MAX && !r->u32min &&
	       r->u32max == UINT32_MAX && r->s32min == INT32_MIN &&
	       r->s32max == INT32_MAX && r->t.m == UINT64_MAX;
}

/*
 * The known bits of a pointer's variable offset (the kernel's var_off):
 * kept in @t by pointer arithmetic with a variable scalar (check_alu);
 * a fixed offset is the constant smin.
 */
static inline struct tnum ptr_var(const struct vreg *r)
{
	return r->smin == r->smax ? tnum_const((uint64_t)r->smin) : r->t;
}

/* verifier.c: state lifetime */
void pk_vstate_free(struct pk_vstate *s);
struct pk_vstate *pk_vstate_copy(const struct pk_vstate *s);
int pk_vstate_charge(struct pk_verifier *v, uint32_t pc, uint64_t bytes);

/* verifier-scalar.c */
bool pk_vreg_sync(struct vreg *r);
void pk_vreg_urange(struct vreg *r, uint64_t lo, uint64_t hi);
void pk_vreg_alu(const struct bpf_insn *in, struct vreg *d, const struct vreg *s);
bool pk_vreg_refine(struct vreg *r, uint8_t op, bool is32, uint64_t c, bool taken);
uint8_t pk_vreg_swap_op(uint8_t op);

/* verifier-prune.c */
int pk_vcollect_thresholds(struct pk_verifier *v);
int pk_vprune_point(struct pk_verifier *v, struct pk_vstate *s, bool *ret_pruned);
void pk_vprof_report(struct pk_verifier *v);

#endif
