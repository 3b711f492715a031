// SPDX-License-Identifier: MIT
/*
 * verifier-live.c - which registers are live at each instruction, for
 * pruning (verifier.c, state_within()).
 *
 * A register is live at an instruction if some path from there reads it
 * before writing it.  The value of a dead register can never matter, so a
 * state may be pruned against a stored one whatever their dead registers
 * hold.  Without this, precision that only dead registers carry (a loop's
 * last chunk size, say) keeps states apart, exploration goes on until
 * widening throws precision away, and a program the kernel accepts is
 * refused.  The kernel gets the same effect from its read marks
 * (mark_reg_read(), clean_live_states()); here it is a classic backward
 * data-flow pass over each function, done once before path exploration:
 *
 *   live_in(i) = use(i) | (live_out(i) & ~def(i))
 *   live_out(i) = union of live_in(s) over the successors s of i
 *
 * Calls stay inside their function: a helper, kfunc or bpf-to-bpf call
 * uses r1..r5 (all five: a conservative superset of its arguments), then
 * defines r0 and clobbers r1..r5; r6..r9 flow through it.  The callee's own
 * liveness is computed in its own function.  exit uses r0.  r10 is never
 * tracked (it only ever holds the frame pointer).
 */
#include "verifier.h"

#define R(n) ((uint16_t)(1u << (n)))
#define R_ARGS (R(1) | R(2) | R(3) | R(4) | R(5))

static void use_def(const struct bpf_insn *in, uint16_t *use, uint16_t *def)
{
	uint8_t cls = PK_BPF_CLASS(in->code), op = PK_BPF_OP(in->code);
	uint16_t dst = R(in->dst_reg), src = R(in->src_reg);
	bool x = PK_BPF_SRC(in->code) == BPF_X;

	*use = *def = 0;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		*use = (op == BPF_MOV ? 0 : dst) | (x && op != BPF_END ? src : 0);
		*def = dst;
		break;
	case BPF_LDX:
		*use = src;
		*def = dst;
		break;
	case BPF_ST:
		*use = dst;
		break;
	case BPF_STX:
		*use = dst | src;
		if (PK_BPF_MODE(in->code) == BPF_ATOMIC) {
			if (in->imm == BPF_CMPXCHG) {
				*use |= R(0);
				*def = R(0);
			} else if (in->imm & BPF_FETCH) {
				*def = src;
			}
		}
		break;
	case BPF_LD: /* ld_imm64; legacy packet loads are refused earlier */
		*def = dst;
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			*use = R_ARGS | (x ? dst : 0);
			*def = R(0) | R_ARGS;
		} else if (op == BPF_EXIT) {
			*use = R(0);
		} else if (op != BPF_JA) {
			*use = dst | (x ? src : 0);
		}
		break;
	}
	*use &= (uint16_t)~R(BPF_REG_10);
	*def &= (uint16_t)~R(BPF_REG_10);
}

static bool is_branch(const struct bpf_insn *in)
{
	uint8_t cls = PK_BPF_CLASS(in->code), op = PK_BPF_OP(in->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT;
}

/* One function, iterated to a fixed point (backward order converges fast). */
static void live_sub(struct pk_verifier *v, const struct pk_vsub *s)
{
	const struct bpf_insn *insns = v->prog->insns;
	bool changed = true;

	while (changed) {
		uint32_t i = s->end;

		changed = false;
		while (i-- > s->start) {
			const struct bpf_insn *in = &insns[i];
			uint16_t use, def, out = 0, live;

			if (v->flags[i] & PK_VF_LDIMM2)
				continue;
			use_def(in, &use, &def);
			if (is_branch(in)) {
				uint32_t t = pk_jump_target(in, i);

				/* pk_verify_cfg() checked t is inside s */
				out |= v->live[t];
				if (PK_BPF_OP(in->code) != BPF_JA)
					out |= v->live[i + 1];
			} else if (in->code != (BPF_JMP | BPF_EXIT)) {
				uint32_t n = i + (pk_bpf_is_ldimm64(in) ? 2 : 1);

				if (n < s->end)
					out |= v->live[n];
			}
			live = (uint16_t)(use | (out & ~def));
			if (live != v->live[i]) {
				v->live[i] = live;
				changed = true;
			}
		}
	}
}

int pk_verify_liveness(struct pk_verifier *v)
{
	uint32_t i;

	v->live = calloc(v->prog->insn_cnt, sizeof(*v->live));
	if (!v->live)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	for (i = 0; i < v->sub_cnt; i++)
		live_sub(v, &v->subs[i]);
	return 0;
}
