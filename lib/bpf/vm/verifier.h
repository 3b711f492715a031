/* SPDX-License-Identifier: MIT */
/*
 * verifier.h - what the verifier's passes share.  verifier-cfg.c checks
 * the program's structure (opcodes, jumps, functions, reachability, stack
 * across calls); verifier-live.c finds live registers and stack slots;
 * verifier.c explores every path with abstract register and stack state
 * (verifier-state.h, verifier-scalar.c, verifier-prune.c).
 */
#ifndef PK_BPF_VERIFIER_H
#define PK_BPF_VERIFIER_H

#include "vm-internal.h"

#define PK_VF_LDIMM2 (1u << 0) /* second half of a ld_imm64 */
#define PK_VF_PRUNE (1u << 1)  /* jump target / branch fall-through */
#define PK_VF_SEEN (1u << 2)   /* reachable */
#define PK_VF_LOOP (1u << 3)   /* target of a backward jump: a loop head */

struct pk_vsub {
	uint32_t start, end; /* [start, end) */
	uint32_t stack_depth; /* bytes, from the path exploration */
};

struct pk_vstate;

struct pk_verifier {
	struct pk_ctx *ctx;
	const struct pk_bpf_env *env;
	const struct pk_bpf_prog *prog;
	struct pk_insn_aux *aux;
	uint8_t *flags;    /* per insn */
	uint16_t *live;    /* per insn: registers live on entry, bit n = rn */
	/* per insn, on entry, bit n = bytes [8n, 8n + 8) of the running
	 * frame's 512 (verifier-live.c): slots whose init bytes, and slots
	 * whose spilled register, a path may still read */
	uint64_t *slive;
	uint64_t *spill_live;
	uint32_t *sub_of;  /* per insn: its function */
	struct pk_vsub *subs;
	uint32_t sub_cnt;
	/* path exploration */
	struct pk_vstate **stored; /* per insn: list of explored states */
	uint32_t *visits;          /* per insn */
	uint64_t processed;
	uint64_t states;
	uint64_t mem;      /* bytes of stored and pending states */
	uint64_t mem_peak;
	uint64_t cmp;      /* frames compared while pruning */
	uint32_t next_id;
	/* widening thresholds: the program's compare constants c - 1, c,
	 * c + 1, sorted as unsigned and as signed values; thr_s holds each
	 * signed value as x ^ (1 << 63), whose unsigned order is the signed
	 * order, so that one search serves both (verifier-prune.c thr_find()) */
	uint64_t *thr_u;
	uint64_t *thr_s;
	uint32_t thr_cnt;
	bool thr_on; /* this widening may stop at a threshold */
	/* PK_VERIFIER_PROFILE set: where exploration goes (debug log) */
	struct pk_vprof *prof;
};

/*
 * Profile of one verification (PK_VERIFIER_PROFILE=1 pekexec -vv bpf
 * verify): visits per instruction, and for each failed comparison with a
 * stored state the first thing that differed.
 */
#define PK_VPROF_NREASON (2 + 10 + 4 * (PK_BPF_STACK_SIZE / 8))
struct pk_vprof {
	uint32_t *visits; /* per insn */
	uint64_t miss[PK_VPROF_NREASON];
};

int pk_verr(struct pk_verifier *v, uint32_t idx, const char *fmt, ...)
	PK_PRINTF(3, 4);
int pk_verify_cfg(struct pk_verifier *v);
int pk_verify_liveness(struct pk_verifier *v);
int pk_verify_stack_depth(struct pk_verifier *v);
int pk_verify_paths(struct pk_verifier *v);

static inline uint32_t pk_jump_target(const struct bpf_insn *insn, uint32_t i)
{
	if (insn->code == (BPF_JMP32 | BPF_JA))
		return i + 1 + (uint32_t)insn->imm;
	return i + 1 + (uint32_t)(int32_t)insn->off;
}

#endif
