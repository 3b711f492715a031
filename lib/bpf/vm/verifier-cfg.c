// SPDX-License-Identifier: MIT
/*
 * verifier-cfg.c - structural checks, before any path is explored:
 * every opcode known and its reserved fields zero, registers in range,
 * ld_imm64 complete and only with the pseudo sources the loaders produce,
 * functions (bpf-to-bpf call targets) that end in exit or jump, jumps that
 * stay inside their function and never land in a ld_imm64's second half,
 * no unreachable instruction; after the exploration, the stack of every
 * call chain (at most 8 frames, 512 bytes) and no recursion.
 */
#include <stdarg.h>
#include <stdio.h>

#include "verifier.h"

int pk_verr(struct pk_verifier *v, uint32_t idx, const char *fmt, ...)
{
	const struct pk_bpf_line *line = NULL;
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (v->prog->lines && idx < v->prog->insn_cnt)
		line = pk_bpf_prog_line(v->prog, idx);
	if (line)
		return pk_err(v->ctx, -EINVAL, "insn %u: %s (%s:%u: %s)", idx, msg,
			      line->file ? line->file : "?", line->line,
			      line->text ? line->text : "");
	return pk_err(v->ctx, -EINVAL, "insn %u: %s", idx, msg);
}

static bool alu_op_ok(uint8_t op)
{
	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_DIV: case BPF_OR:
	case BPF_AND: case BPF_LSH: case BPF_RSH: case BPF_NEG: case BPF_MOD:
	case BPF_XOR: case BPF_MOV: case BPF_ARSH: case BPF_END:
		return true;
	}
	return false;
}

static bool jmp_cond_ok(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: case BPF_JNE: case BPF_JGT: case BPF_JGE: case BPF_JLT:
	case BPF_JLE: case BPF_JSET: case BPF_JSGT: case BPF_JSGE:
	case BPF_JSLT: case BPF_JSLE:
		return true;
	}
	return false;
}

static bool atomic_op_ok(int32_t imm)
{
	switch (imm) {
	case BPF_ADD: case BPF_ADD | BPF_FETCH:
	case BPF_OR: case BPF_OR | BPF_FETCH:
	case BPF_AND: case BPF_AND | BPF_FETCH:
	case BPF_XOR: case BPF_XOR | BPF_FETCH:
	case BPF_XCHG: case BPF_CMPXCHG:
		return true;
	}
	return false;
}

/*
 * Programs the kernel runs - a parser program, a light skeleton's loader -
 * must get Linux 6.1's verdict: its instruction set (no cpu v4: sdiv/smod,
 * movsx, 64-bit bswap, sign-extending loads, gotol; no callx) and the
 * immediates check_alu_op() refuses.  PK_BPF_PROG_RAW programs (the
 * conformance suite, tests) follow RFC 9669 instead, where a shift count
 * is masked and a division by zero gives 0.  Line numbers: 6.1.192's
 * kernel/bpf/verifier.c.
 */
static bool kernel_isa(const struct pk_verifier *v)
{
	return v->prog->kind != PK_BPF_PROG_RAW;
}

static int check_alu_61(struct pk_verifier *v, uint32_t i, const struct bpf_insn *in)
{
	uint8_t op = PK_BPF_OP(in->code);
	bool is64 = PK_BPF_CLASS(in->code) == BPF_ALU64, x = PK_BPF_SRC(in->code);

	/* check_alu_op(), line 9500: no 64-bit bswap */
	if (op == BPF_END && is64)
		return pk_verr(v, i, "BPF_END uses reserved fields (64-bit byte swap: cpu v4, not in Linux 6.1)");
	/* lines 9525, 9535, 9609, 9618: off is reserved (no movsx, sdiv, smod) */
	if (in->off && op != BPF_END && op != BPF_NEG)
		return pk_verr(v, i, "%s uses reserved fields (off %d: cpu v4, not in Linux 6.1)",
			       op == BPF_MOV ? "BPF_MOV" : "BPF_ALU", in->off);
	/* line 9630 */
	if ((op == BPF_DIV || op == BPF_MOD) && !x && in->imm == 0)
		return pk_verr(v, i, "div by zero");
	/* line 9639 */
	if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && !x &&
	    (in->imm < 0 || in->imm >= (is64 ? 64 : 32)))
		return pk_verr(v, i, "invalid shift %d", in->imm);
	return 0;
}

static int check_alu(struct pk_verifier *v, uint32_t i, const struct bpf_insn *in)
{
	uint8_t op = PK_BPF_OP(in->code);
	bool is64 = PK_BPF_CLASS(in->code) == BPF_ALU64, x = PK_BPF_SRC(in->code);
	int err;

	if (!alu_op_ok(op))
		return pk_verr(v, i, "unknown ALU opcode 0x%02x", in->code);
	if (kernel_isa(v)) {
		err = check_alu_61(v, i, in);
		if (err)
			return err;
	}
	if (op == BPF_END) {
		if (in->src_reg || in->off || (is64 && x) ||
		    (in->imm != 16 && in->imm != 32 && in->imm != 64))
			return pk_verr(v, i, "invalid byte swap (opcode 0x%02x imm %d)",
				       in->code, in->imm);
		return 0;
	}
	if (op == BPF_NEG) {
		if (x || in->src_reg || in->off || in->imm)
			return pk_verr(v, i, "BPF_NEG uses reserved fields");
		return 0;
	}
	if (x ? in->imm != 0 : in->src_reg != 0)
		return pk_verr(v, i, "ALU opcode 0x%02x uses reserved fields", in->code);
	if (op == BPF_DIV || op == BPF_MOD) {
		if (in->off != 0 && in->off != PK_BPF_OFF_SIGNED)
			return pk_verr(v, i, "invalid div/mod offset %d", in->off);
	} else if (op == BPF_MOV && x) {
		if (in->off && in->off != 8 && in->off != 16 && !(is64 && in->off == 32))
			return pk_verr(v, i, "invalid movsx width %d", in->off);
	} else if (in->off) {
		return pk_verr(v, i, "ALU opcode 0x%02x uses reserved off %d",
			       in->code, in->off);
	}
	return 0;
}

static int check_insn(struct pk_verifier *v, uint32_t i)
{
	const struct bpf_insn *in = &v->prog->insns[i];
	uint8_t cls = PK_BPF_CLASS(in->code), op = PK_BPF_OP(in->code);
	uint32_t cnt = v->prog->insn_cnt;

	if (in->dst_reg > 10 || in->src_reg > 10)
		return pk_verr(v, i, "invalid register (dst r%u src r%u)",
			       in->dst_reg, in->src_reg);
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		return check_alu(v, i, in);
	case BPF_LDX:
		if ((PK_BPF_MODE(in->code) != BPF_MEM &&
		     !(PK_BPF_MODE(in->code) == BPF_MEMSX &&
		       PK_BPF_SIZE(in->code) != BPF_DW)) || in->imm)
			return pk_verr(v, i, "invalid load opcode 0x%02x", in->code);
		/* line 13082 */
		if (PK_BPF_MODE(in->code) == BPF_MEMSX && kernel_isa(v))
			return pk_verr(v, i, "BPF_LDX uses reserved fields (sign-extending load: cpu v4, not in Linux 6.1)");
		return 0;
	case BPF_ST:
		if (PK_BPF_MODE(in->code) != BPF_MEM || in->src_reg)
			return pk_verr(v, i, "invalid store opcode 0x%02x", in->code);
		return 0;
	case BPF_STX:
		if (PK_BPF_MODE(in->code) == BPF_MEM) {
			if (in->imm)
				return pk_verr(v, i, "BPF_STX uses reserved imm");
			return 0;
		}
		if (PK_BPF_MODE(in->code) != BPF_ATOMIC ||
		    (PK_BPF_SIZE(in->code) != BPF_W && PK_BPF_SIZE(in->code) != BPF_DW))
			return pk_verr(v, i, "invalid store opcode 0x%02x", in->code);
		if (!atomic_op_ok(in->imm))
			return pk_verr(v, i, "unknown atomic operation 0x%x", in->imm);
		return 0;
	case BPF_LD:
		if (!pk_bpf_is_ldimm64(in))
			return pk_verr(v, i, "legacy packet access (opcode 0x%02x) is not supported",
				       in->code);
		if (i + 1 >= cnt || in[1].code || in[1].dst_reg || in[1].src_reg ||
		    in[1].off || in->off)
			return pk_verr(v, i, "invalid ld_imm64: incomplete second instruction");
		switch (in->src_reg) {
		case 0:
			return 0;
		case BPF_PSEUDO_MAP_IDX:
		case BPF_PSEUDO_MAP_IDX_VALUE:
			if ((uint32_t)in->imm >= v->prog->map_cnt)
				return pk_verr(v, i, "ld_imm64 refers to map %u of %u",
					       (uint32_t)in->imm, v->prog->map_cnt);
			if (in->src_reg == BPF_PSEUDO_MAP_IDX && in[1].imm)
				return pk_verr(v, i, "ld_imm64 map reference with an offset");
			return 0;
		default:
			return pk_verr(v, i, "ld_imm64 pseudo source %u not resolved by the loader",
				       in->src_reg);
		}
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_JA) {
			if (PK_BPF_SRC(in->code) || in->src_reg || in->dst_reg ||
			    (cls == BPF_JMP ? in->imm != 0 : in->off != 0))
				return pk_verr(v, i, "BPF_JA uses reserved fields");
			/* line 12719 */
			if (cls == BPF_JMP32 && kernel_isa(v))
				return pk_verr(v, i, "BPF_JA uses reserved fields (gotol: cpu v4, not in Linux 6.1)");
			return 0;
		}
		if (cls == BPF_JMP && op == BPF_EXIT) {
			if (in->code != (BPF_JMP | BPF_EXIT) || in->src_reg ||
			    in->dst_reg || in->off || in->imm)
				return pk_verr(v, i, "BPF_EXIT uses reserved fields");
			return 0;
		}
		if (cls == BPF_JMP && op == BPF_CALL) {
			if (PK_BPF_SRC(in->code)) { /* callx */
				if (in->src_reg || in->off || in->imm)
					return pk_verr(v, i, "callx uses reserved fields");
				/* line 12695 */
				if (kernel_isa(v))
					return pk_verr(v, i, "BPF_CALL uses reserved fields (callx: not in Linux 6.1)");
				return 0;
			}
			if (in->dst_reg || in->off ||
			    (in->src_reg != 0 && in->src_reg != BPF_PSEUDO_CALL &&
			     in->src_reg != BPF_PSEUDO_KFUNC_CALL))
				return pk_verr(v, i, "call uses reserved fields");
			return 0;
		}
		if (!jmp_cond_ok(op))
			return pk_verr(v, i, "unknown jump opcode 0x%02x", in->code);
		if (PK_BPF_SRC(in->code) ? in->imm != 0 : in->src_reg != 0)
			return pk_verr(v, i, "jump opcode 0x%02x uses reserved fields",
				       in->code);
		return 0;
	}
	return pk_verr(v, i, "unknown opcode 0x%02x", in->code);
}

static bool is_jump(const struct bpf_insn *in)
{
	uint8_t cls = PK_BPF_CLASS(in->code), op = PK_BPF_OP(in->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL &&
	       op != BPF_EXIT;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int find_subs(struct pk_verifier *v)
{
	const struct bpf_insn *insns = v->prog->insns;
	uint32_t cnt = v->prog->insn_cnt, i, n = 1, j;
	uint32_t *starts;

	for (i = 0; i < cnt; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) &&
		    insns[i].src_reg == BPF_PSEUDO_CALL && !(v->flags[i] & PK_VF_LDIMM2))
			n++;
	starts = calloc(n, sizeof(*starts));
	v->subs = calloc(n, sizeof(*v->subs));
	if (!starts || !v->subs) {
		free(starts);
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	}
	n = 1;
	for (i = 0; i < cnt; i++) {
		uint32_t t;

		if (insns[i].code != (BPF_JMP | BPF_CALL) ||
		    insns[i].src_reg != BPF_PSEUDO_CALL || (v->flags[i] & PK_VF_LDIMM2))
			continue;
		t = i + 1 + (uint32_t)insns[i].imm;
		if (t >= cnt) {
			free(starts);
			return pk_verr(v, i, "call to insn %d outside the program",
				       (int32_t)t);
		}
		if (v->flags[t] & PK_VF_LDIMM2) {
			free(starts);
			return pk_verr(v, i, "call into the middle of ld_imm64 at insn %u", t - 1);
		}
		starts[n++] = t;
	}
	qsort(starts, n, sizeof(*starts), cmp_u32);
	for (i = 0, j = 0; i < n; i++)
		if (!j || starts[i] != v->subs[j - 1].start)
			v->subs[j++].start = starts[i];
	free(starts);
	v->sub_cnt = j;
	for (i = 0; i < j; i++)
		v->subs[i].end = i + 1 < j ? v->subs[i + 1].start : cnt;
	for (i = 0, j = 0; i < cnt; i++) {
		if (j + 1 < v->sub_cnt && i == v->subs[j + 1].start)
			j++;
		v->sub_of[i] = j;
	}
	return 0;
}

/* Depth-first walk of one function's control flow; marks what it reaches. */
static int walk(struct pk_verifier *v, uint32_t sub, uint32_t *stack)
{
	const struct bpf_insn *insns = v->prog->insns;
	const struct pk_vsub *s = &v->subs[sub];
	uint32_t sp = 0;

	stack[sp++] = s->start;
	v->flags[s->start] |= PK_VF_SEEN;
	while (sp) {
		uint32_t i = stack[--sp], succ[2], ns = 0, k;
		const struct bpf_insn *in = &insns[i];

		if (in->code == (BPF_JMP | BPF_EXIT))
			continue;
		if (is_jump(in)) {
			succ[ns++] = pk_jump_target(in, i);
			if (PK_BPF_OP(in->code) != BPF_JA)
				succ[ns++] = i + 1;
		} else {
			succ[ns++] = i + (pk_bpf_is_ldimm64(in) ? 2 : 1);
		}
		for (k = 0; k < ns; k++) {
			uint32_t t = succ[k];

			if (t < s->start || t >= s->end) {
				if (k == 0 && is_jump(in))
					return pk_verr(v, i, "jump out of range: target %d outside function [%u, %u)",
						       (int32_t)t, s->start, s->end);
				return pk_verr(v, i, "falls through off the end of the function [%u, %u)",
					       s->start, s->end);
			}
			if (v->flags[t] & PK_VF_LDIMM2)
				return pk_verr(v, i, "jump into the middle of ld_imm64 at insn %u",
					       t - 1);
			if (is_jump(in))
				v->flags[t] |= PK_VF_PRUNE;
			if (v->flags[t] & PK_VF_SEEN)
				continue;
			v->flags[t] |= PK_VF_SEEN;
			stack[sp++] = t;
		}
	}
	return 0;
}

int pk_verify_cfg(struct pk_verifier *v)
{
	const struct bpf_insn *insns = v->prog->insns;
	uint32_t cnt = v->prog->insn_cnt, i;
	uint32_t *stack;
	int err;

	for (i = 0; i < cnt; i++) {
		err = check_insn(v, i);
		if (err)
			return err;
		if (pk_bpf_is_ldimm64(&insns[i]))
			v->flags[++i] |= PK_VF_LDIMM2;
	}
	err = find_subs(v);
	if (err)
		return err;
	for (i = 0; i < v->sub_cnt; i++) {
		uint32_t last = v->subs[i].end - 1;
		const struct bpf_insn *in = &insns[last];

		if (in->code != (BPF_JMP | BPF_EXIT) && in->code != (BPF_JMP | BPF_JA) &&
		    in->code != (BPF_JMP32 | BPF_JA))
			return pk_verr(v, last, "last instruction of the function at insn %u is not exit or jump (falls through)",
				       v->subs[i].start);
	}
	stack = calloc(cnt, sizeof(*stack));
	if (!stack)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	for (i = 0; i < v->sub_cnt && !err; i++)
		err = walk(v, i, stack);
	free(stack);
	if (err)
		return err;
	for (i = 0; i < cnt; i++)
		if (!(v->flags[i] & (PK_VF_SEEN | PK_VF_LDIMM2)))
			return pk_verr(v, i, "unreachable instruction");
	return 0;
}

static uint32_t round_depth(uint32_t d)
{
	return ((d ? d : 1) + 31) & ~31u;
}

/*
 * The deepest call chain from function @sub, in frames and rounded stack
 * bytes (as the kernel's check_max_stack_depth()), memoised per function:
 * both maxima are independent, so checking each against its limit is the
 * same as checking every chain.  Recursion is rejected.
 */
struct chain_memo {
	uint8_t state; /* 0 new, 1 on the current path, 2 done */
	uint32_t frames, bytes;
};

static int chain(struct pk_verifier *v, uint32_t sub, struct chain_memo *memo,
		 uint32_t call_insn)
{
	const struct bpf_insn *insns = v->prog->insns;
	struct chain_memo *m = &memo[sub];
	uint32_t i, frames = 0, bytes = 0;
	int err;

	if (m->state == 1)
		return pk_verr(v, call_insn, "recursive call to the function at insn %u",
			       v->subs[sub].start);
	if (m->state == 2)
		return 0;
	m->state = 1;
	for (i = v->subs[sub].start; i < v->subs[sub].end; i++) {
		uint32_t callee;

		if (insns[i].code != (BPF_JMP | BPF_CALL) ||
		    insns[i].src_reg != BPF_PSEUDO_CALL || (v->flags[i] & PK_VF_LDIMM2))
			continue;
		callee = v->sub_of[i + 1 + (uint32_t)insns[i].imm];
		err = chain(v, callee, memo, i);
		if (err)
			return err;
		if (memo[callee].frames > frames)
			frames = memo[callee].frames;
		if (memo[callee].bytes > bytes)
			bytes = memo[callee].bytes;
		if (frames + 1 > PK_BPF_MAX_FRAMES)
			return pk_verr(v, i, "call depth exceeds %d frames",
				       PK_BPF_MAX_FRAMES);
		if (bytes + round_depth(v->subs[sub].stack_depth) > PK_BPF_STACK_SIZE)
			return pk_verr(v, i, "combined stack size of the call chain is %u bytes, more than %d",
				       bytes + round_depth(v->subs[sub].stack_depth),
				       PK_BPF_STACK_SIZE);
	}
	m->frames = frames + 1;
	m->bytes = bytes + round_depth(v->subs[sub].stack_depth);
	m->state = 2;
	return 0;
}

int pk_verify_stack_depth(struct pk_verifier *v)
{
	struct chain_memo *memo = calloc(v->sub_cnt, sizeof(*memo));
	uint32_t i;
	int err;

	if (!memo)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	err = chain(v, 0, memo, 0);
	free(memo);
	if (err)
		return err;
	for (i = 0; i < v->sub_cnt; i++)
		v->aux[v->subs[i].start].stack_depth =
			(uint16_t)round_depth(v->subs[i].stack_depth);
	return 0;
}
