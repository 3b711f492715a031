// SPDX-License-Identifier: MIT
/*
 * verifier-live.c - which registers are live at each instruction, for
 * pruning (verifier-prune.c, state_within()).
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
 *
 * Stack slots get the same treatment (slot_use_def(), below): an 8-byte slot
 * of the running frame that no path reads again before overwriting it
 * whole cannot make a state unsafe either, so state_within() skips it.
 */
#include "kfunc.h"
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

/*
 * The successors of instruction @i of function @s in ret_n[] (at most two;
 * pk_verify_cfg() checked jump targets are inside the function, and that
 * it does not run off its end); returns how many.
 */
static int succs(const struct bpf_insn *in, uint32_t i, const struct pk_vsub *s,
		 uint32_t ret_n[2])
{
	uint32_t n[2];
	int k, cnt = 0, nn = 0;

	if (is_branch(in)) {
		n[cnt++] = pk_jump_target(in, i);
		if (PK_BPF_OP(in->code) != BPF_JA)
			n[cnt++] = i + 1;
	} else if (in->code != (BPF_JMP | BPF_EXIT)) {
		n[cnt++] = i + (pk_bpf_is_ldimm64(in) ? 2 : 1);
	}
	for (k = 0; k < cnt; k++)
		if (n[k] < s->end)
			ret_n[nn++] = n[k];
	return nn;
}

/*
 * Live stack slots.  A slot's init bytes matter while some path may read
 * one of its bytes before an aligned 8-byte store overwrites them all; its
 * spilled register matters while some path may load the slot as a whole
 * (an 8-byte load, which restores the spill) before any store into the
 * slot (which replaces or drops the spill).  Loads, stores and atomics at a
 * fixed offset from r10 are exact; anything else that may touch the frame
 * counts as reading every slot: a load or atomic through another register
 * that may hold a stack pointer, a helper or kfunc call that may get one in
 * an argument it reads (memory it only fills is written, which kills
 * nothing), and every bpf-to-bpf call (the callee may get at the frame
 * through memory).  Which registers may hold a stack pointer comes from a
 * forward pass (stack_ptrs()); a stack pointer stored anywhere makes every
 * loaded value a possible stack pointer.  Stores through other registers
 * kill nothing.  The slots of caller frames are not treated here:
 * state_within() compares them all.
 */
#define ALL_SLOTS UINT64_MAX

/* Slots of bytes [off, off + size) from r10 (out of the frame: none, the
 * path exploration refuses the access). */
static uint64_t slots_of(int32_t off, unsigned int size)
{
	int64_t lo = (int64_t)off + PK_BPF_STACK_SIZE, hi = lo + size;
	uint64_t m = 0;
	int64_t b;

	if (lo < 0 || hi > PK_BPF_STACK_SIZE)
		return 0;
	for (b = lo / 8; b * 8 < hi; b++)
		m |= UINT64_C(1) << b;
	return m;
}

/* @sp: registers that may hold a stack pointer before @in; returns after. */
static uint16_t sp_step(const struct bpf_insn *in, uint16_t sp, bool *stored)
{
	uint8_t cls = PK_BPF_CLASS(in->code), op = PK_BPF_OP(in->code);
	uint16_t dst = R(in->dst_reg), src = R(in->src_reg);
	bool x = PK_BPF_SRC(in->code) == BPF_X;
	uint16_t loaded = *stored ? 0xffff : 0;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_MOV)
			sp = (uint16_t)((sp & ~dst) | (x && (sp & src) ? dst : 0));
		else if (x && op != BPF_END && (sp & src))
			sp |= dst; /* pointer arithmetic, either way round */
		break;
	case BPF_LDX:
		sp = (uint16_t)((sp & ~dst) | (loaded & dst));
		break;
	case BPF_STX:
		if (sp & src)
			*stored = true;
		if (PK_BPF_MODE(in->code) == BPF_ATOMIC) {
			if (in->imm == BPF_CMPXCHG)
				sp = (uint16_t)((sp & ~R(0)) | (loaded & R(0)));
			else if (in->imm & BPF_FETCH)
				sp = (uint16_t)((sp & ~src) | (loaded & src));
		}
		break;
	case BPF_LD:
		sp &= (uint16_t)~dst;
		break;
	case BPF_JMP:
		if (op == BPF_CALL) {
			/* a callee may return a pointer it got, or store one */
			bool arg = sp & R_ARGS;

			if (arg && in->src_reg == BPF_PSEUDO_CALL)
				*stored = true;
			sp &= (uint16_t)~(R(0) | R_ARGS);
			if (arg)
				sp |= R(0);
		}
		break;
	}
	return (uint16_t)(sp | R(BPF_REG_10));
}

static void stack_ptrs(struct pk_verifier *v, const struct pk_vsub *s, uint16_t *sp)
{
	const struct bpf_insn *insns = v->prog->insns;
	bool changed = true, stored = false;
	uint32_t i;

	for (i = s->start; i < s->end; i++)
		sp[i] = 0;
	/* a subprogram's arguments may point into its callers' frames */
	sp[s->start] = (uint16_t)(R(BPF_REG_10) | (s->start ? R_ARGS : 0));
	while (changed) {
		changed = false;
		for (i = s->start; i < s->end; i++) {
			const struct bpf_insn *in = &insns[i];
			bool was = stored;
			uint16_t out;
			uint32_t n[2];
			int k, nn;

			if (v->flags[i] & PK_VF_LDIMM2)
				continue;
			out = sp_step(in, sp[i], &stored);
			changed |= stored != was;
			nn = succs(in, i, s, n);
			for (k = 0; k < nn; k++)
				if ((sp[n[k]] | out) != sp[n[k]]) {
					sp[n[k]] |= out;
					changed = true;
				}
		}
	}
}

struct slots {
	uint64_t init;  /* some byte may be read */
	uint64_t spill; /* the slot may be loaded whole */
};

/*
 * May the call @in read the frame?  A bpf-to-bpf call always may; a helper
 * or kfunc if it gets a possible stack pointer in an argument it reads
 * (its table entry: not one it does not use, nor memory it only fills);
 * callx, an unknown helper or kfunc: if any argument may be one.
 */
static bool call_reads_stack(const struct pk_verifier *v, const struct bpf_insn *in,
			     uint16_t sp)
{
	const struct pk_bpf_helper *h = NULL;
	int i;

	if (in->src_reg == BPF_PSEUDO_CALL)
		return true;
	if (!(sp & R_ARGS))
		return false;
	if (PK_BPF_SRC(in->code) == BPF_K) {
		if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
			h = pk_bpf_kfunc_by_id((uint32_t)in->imm);
		else
			h = pk_bpf_find_helper(v->env, (uint32_t)in->imm);
	}
	if (!h)
		return true;
	for (i = 1; i <= 5; i++)
		if ((sp & R(i)) && h->args[i - 1] != PK_BPF_ARG_NONE &&
		    h->args[i - 1] != PK_BPF_ARG_MEM_UNINIT)
			return true;
	return false;
}

static void slot_use_def(const struct pk_verifier *v, const struct bpf_insn *in,
			 uint16_t sp, struct slots *use, struct slots *def)
{
	uint8_t cls = PK_BPF_CLASS(in->code);
	unsigned int size;
	uint64_t m;

	use->init = use->spill = def->init = def->spill = 0;
	switch (cls) {
	case BPF_LDX:
		size = pk_bpf_size_bytes(in->code);
		if (in->src_reg == BPF_REG_10) {
			use->init = slots_of(in->off, size);
			use->spill = size == 8 ? use->init : 0;
		} else if (sp & R(in->src_reg)) {
			use->init = use->spill = ALL_SLOTS;
		}
		break;
	case BPF_ST:
	case BPF_STX:
		size = pk_bpf_size_bytes(in->code);
		if (cls == BPF_STX && PK_BPF_MODE(in->code) == BPF_ATOMIC) {
			if (in->dst_reg == BPF_REG_10)
				use->init = use->spill = slots_of(in->off, size);
			else if (sp & R(in->dst_reg))
				use->init = use->spill = ALL_SLOTS;
		} else if (in->dst_reg == BPF_REG_10) {
			m = slots_of(in->off, size);
			def->spill = m; /* replaced, or dropped by a narrower store */
			if (size == 8 && !(in->off & 7))
				def->init = m;
		}
		break;
	case BPF_JMP:
		if (PK_BPF_OP(in->code) == BPF_CALL && call_reads_stack(v, in, sp))
			use->init = use->spill = ALL_SLOTS;
		break;
	}
}

/*
 * Live registers and slots of one function, iterated to a fixed point
 * (backward order converges fast); @sp from stack_ptrs().
 */
static void live_sub(struct pk_verifier *v, const struct pk_vsub *s, const uint16_t *sp)
{
	const struct bpf_insn *insns = v->prog->insns;
	bool changed = true;

	while (changed) {
		uint32_t i = s->end;

		changed = false;
		while (i-- > s->start) {
			const struct bpf_insn *in = &insns[i];
			struct slots suse, sdef, sout = { 0, 0 };
			uint16_t use, def, out = 0, live;
			uint64_t init, spill;
			uint32_t n[2];
			int k, nn;

			if (v->flags[i] & PK_VF_LDIMM2)
				continue;
			use_def(in, &use, &def);
			slot_use_def(v, in, sp[i], &suse, &sdef);
			nn = succs(in, i, s, n);
			for (k = 0; k < nn; k++) {
				out |= v->live[n[k]];
				sout.init |= v->slive[n[k]];
				sout.spill |= v->spill_live[n[k]];
			}
			live = (uint16_t)(use | (out & ~def));
			init = suse.init | (sout.init & ~sdef.init);
			spill = suse.spill | (sout.spill & ~sdef.spill);
			if (live != v->live[i] || init != v->slive[i] || spill != v->spill_live[i]) {
				v->live[i] = live;
				v->slive[i] = init;
				v->spill_live[i] = spill;
				changed = true;
			}
		}
	}
}

int pk_verify_liveness(struct pk_verifier *v)
{
	uint16_t *sp;
	uint32_t i;

	v->live = calloc(v->prog->insn_cnt, sizeof(*v->live));
	v->slive = calloc(v->prog->insn_cnt, sizeof(*v->slive));
	v->spill_live = calloc(v->prog->insn_cnt, sizeof(*v->spill_live));
	sp = calloc(v->prog->insn_cnt, sizeof(*sp));
	if (!v->live || !v->slive || !v->spill_live || !sp) {
		free(sp);
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	}
	for (i = 0; i < v->sub_cnt; i++) {
		stack_ptrs(v, &v->subs[i], sp);
		live_sub(v, &v->subs[i], sp);
	}
	free(sp);
	return 0;
}
