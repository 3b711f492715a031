// SPDX-License-Identifier: MIT
/*
 * interp.c - the BPF interpreter: threaded dispatch (one handler per
 * opcode, each jumping to the next), every memory access checked against
 * the run's regions (pk_run_access), an instruction budget checked at
 * jumps and calls, bpf-to-bpf frames on a 512-byte stack shared by the
 * call chain.
 * It only ever runs programs the verifier accepted (vm.c), but trusts
 * nothing about memory: a failed check stops the run with -EFAULT.
 */
#include <inttypes.h>

#include "vm-internal.h"

static int fault(struct pk_bpf_run *run, uint32_t pc, const char *what,
		 uint64_t addr, unsigned int size)
{
	return pk_err(run->ctx, -EFAULT,
		      "run: insn %u: %s of %u bytes at guest address 0x%" PRIx64
		      " outside the program's memory", pc, what, size, addr);
}

PK_BPF_INLINE uint64_t load_n(const uint8_t *p, unsigned int size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return pk_get_le16(p);
	case 4: return pk_get_le32(p);
	default: return pk_get_le64(p);
	}
}

PK_BPF_INLINE void store_n(uint8_t *p, unsigned int size, uint64_t v)
{
	switch (size) {
	case 1: p[0] = (uint8_t)v; break;
	case 2: pk_put_le16(p, (uint16_t)v); break;
	case 4: pk_put_le32(p, (uint32_t)v); break;
	default: pk_put_le64(p, v); break;
	}
}

/* One atomic read-modify-write; returns the old value.  Runs are single
 * threaded, so a plain read and write are atomic for the program. */
static uint64_t atomic_op(uint8_t *p, unsigned int size, int32_t imm,
			  uint64_t src, uint64_t r0, bool *ret_store)
{
	uint64_t old = load_n(p, size), nv = old;

	*ret_store = true;
	switch (imm & ~BPF_FETCH) {
	case BPF_ADD: nv = old + src; break;
	case BPF_OR: nv = old | src; break;
	case BPF_AND: nv = old & src; break;
	case BPF_XOR: nv = old ^ src; break;
	case BPF_XCHG & ~BPF_FETCH: nv = src; break;
	case BPF_CMPXCHG & ~BPF_FETCH:
		if (size == 4 ? (uint32_t)old == (uint32_t)r0 : old == r0)
			nv = src;
		else
			*ret_store = false;
		break;
	}
	if (*ret_store)
		store_n(p, size, nv);
	return old;
}

#define SIMM ((uint64_t)(int64_t)insn->imm)

/*
 * Dispatch is threaded: every handler ends by jumping straight to the next
 * instruction's handler through a table of label addresses (GNU C
 * computed goto), instead of returning to one switch.
 *
 * The budget and the pc are not checked on every instruction.  The fast
 * path runs while count < fast_limit = budget - insn_cnt, and checks that
 * at every checkpoint: each taken jump (which also checks its target), each
 * bpf-to-bpf call and return, each helper call (helpers charge the
 * budget).  Between two checkpoints the pc only moves forward, so at most
 * insn_cnt instructions run: the fast path never reaches the budget.  The
 * pc cannot leave the program between checkpoints either when the last
 * instruction is a `ja` or an `exit` (checked once per run).  When a check
 * fails (the budget is near, a bad target), when the last instruction is
 * anything else, or when a trace callback is set, the run continues on the
 * careful path (step_careful), which checks the pc and the budget before
 * each instruction exactly as a plain switch loop would: the same error at
 * the same instruction, the same count (test-bpf-budget.c).
 */
#define DISPATCH()                                                           \
	do {                                                                 \
		if (__builtin_expect(careful, 0))                            \
			goto step_careful;                                   \
		insn = &insns[pc];                                           \
		count++;                                                     \
		goto *handler[insn->code];                                   \
	} while (0)

#define NEXT()                                                               \
	do {                                                                 \
		pc++;                                                        \
		DISPATCH();                                                  \
	} while (0)

/* a checkpoint: continue at @target */
#define GOTO_PC(target)                                                      \
	do {                                                                 \
		pc = (target);                                               \
		if (__builtin_expect(pc >= cnt || count >= fast_limit, 0))   \
			careful = true;                                      \
		DISPATCH();                                                  \
	} while (0)

#define ALU_OPS(X, CLS)                                                      \
	X(CLS, BPF_ADD) X(CLS, BPF_SUB) X(CLS, BPF_MUL) X(CLS, BPF_DIV)      \
	X(CLS, BPF_OR) X(CLS, BPF_AND) X(CLS, BPF_LSH) X(CLS, BPF_RSH)       \
	X(CLS, BPF_NEG) X(CLS, BPF_MOD) X(CLS, BPF_XOR) X(CLS, BPF_MOV)      \
	X(CLS, BPF_ARSH) X(CLS, BPF_END)

#define ALU_ENTRY(CLS, OP)                                                   \
	[CLS | OP | BPF_K] = &&alu_##CLS##OP##_K,                            \
	[CLS | OP | BPF_X] = &&alu_##CLS##OP##_X,

#define ALU_BODY(CLS, OP)                                                    \
	alu_##CLS##OP##_K:                                                   \
		reg[insn->dst_reg] = pk_bpf_alu(CLS | OP | BPF_K, insn->off, \
						insn->imm,                   \
						reg[insn->dst_reg], SIMM);   \
		NEXT();                                                      \
	alu_##CLS##OP##_X:                                                   \
		reg[insn->dst_reg] = pk_bpf_alu(CLS | OP | BPF_X, insn->off, \
						insn->imm,                   \
						reg[insn->dst_reg],          \
						reg[insn->src_reg]);         \
		NEXT();

#define JMP_OPS(X, CLS, IS32, KVAL)                                          \
	X(CLS, BPF_JEQ, IS32, KVAL) X(CLS, BPF_JNE, IS32, KVAL)              \
	X(CLS, BPF_JGT, IS32, KVAL) X(CLS, BPF_JGE, IS32, KVAL)              \
	X(CLS, BPF_JLT, IS32, KVAL) X(CLS, BPF_JLE, IS32, KVAL)              \
	X(CLS, BPF_JSET, IS32, KVAL) X(CLS, BPF_JSGT, IS32, KVAL)            \
	X(CLS, BPF_JSGE, IS32, KVAL) X(CLS, BPF_JSLT, IS32, KVAL)            \
	X(CLS, BPF_JSLE, IS32, KVAL)

#define JMP_ENTRY(CLS, OP, IS32, KVAL)                                       \
	[CLS | OP | BPF_K] = &&jmp_##CLS##OP##_K,                            \
	[CLS | OP | BPF_X] = &&jmp_##CLS##OP##_X,

#define JMP_BODY(CLS, OP, IS32, KVAL)                                        \
	jmp_##CLS##OP##_K:                                                   \
		if (pk_bpf_cond(OP, IS32, reg[insn->dst_reg], KVAL))         \
			GOTO_PC(pc + 1 + insn->off);                         \
		NEXT();                                                      \
	jmp_##CLS##OP##_X:                                                   \
		if (pk_bpf_cond(OP, IS32, reg[insn->dst_reg],                \
				reg[insn->src_reg]))                         \
			GOTO_PC(pc + 1 + insn->off);                         \
		NEXT();

#define MEM_OPS(X)                                                           \
	X(LDX, BPF_LDX, BPF_MEM, BPF_B, 1) X(LDX, BPF_LDX, BPF_MEM, BPF_H, 2) \
	X(LDX, BPF_LDX, BPF_MEM, BPF_W, 4) X(LDX, BPF_LDX, BPF_MEM, BPF_DW, 8) \
	X(LDXSX, BPF_LDX, BPF_MEMSX, BPF_B, 1)                               \
	X(LDXSX, BPF_LDX, BPF_MEMSX, BPF_H, 2)                               \
	X(LDXSX, BPF_LDX, BPF_MEMSX, BPF_W, 4)                               \
	X(ST, BPF_ST, BPF_MEM, BPF_B, 1) X(ST, BPF_ST, BPF_MEM, BPF_H, 2)    \
	X(ST, BPF_ST, BPF_MEM, BPF_W, 4) X(ST, BPF_ST, BPF_MEM, BPF_DW, 8)   \
	X(STX, BPF_STX, BPF_MEM, BPF_B, 1) X(STX, BPF_STX, BPF_MEM, BPF_H, 2) \
	X(STX, BPF_STX, BPF_MEM, BPF_W, 4) X(STX, BPF_STX, BPF_MEM, BPF_DW, 8)

#define MEM_ENTRY(KIND, CLS, MODE, SZ, N) [CLS | MODE | SZ] = &&mem_##KIND##SZ,

#define MEM_BODY(KIND, CLS, MODE, SZ, N) mem_##KIND##SZ: KIND##_BODY(N)

#define LOAD_BODY(N, SX)                                                     \
	{                                                                    \
		uint64_t a = reg[insn->src_reg] + (uint64_t)(int64_t)insn->off; \
		const uint8_t *p = pk_run_access(run, a, N, PK_BPF_MEM_READ); \
		if (!p)                                                      \
			return fault(run, pc, "load", a, N);                 \
		reg[insn->dst_reg] = SX ? pk_bpf_sext(load_n(p, N), N * 8)   \
					: load_n(p, N);                      \
		NEXT();                                                      \
	}
#define LDX_BODY(N) LOAD_BODY(N, false)
#define LDXSX_BODY(N) LOAD_BODY(N, true)

#define STORE_BODY(N, VAL)                                                   \
	{                                                                    \
		uint64_t a = reg[insn->dst_reg] + (uint64_t)(int64_t)insn->off; \
		uint8_t *p = pk_run_access(run, a, N, PK_BPF_MEM_WRITE);     \
		if (!p)                                                      \
			return fault(run, pc, "store", a, N);                \
		store_n(p, N, VAL);                                          \
		NEXT();                                                      \
	}
#define ST_BODY(N) STORE_BODY(N, SIMM)
#define STX_BODY(N) STORE_BODY(N, reg[insn->src_reg])

int pk_bpf_run_charge(struct pk_bpf_run *run, const char *what, uint64_t bytes)
{
	uint64_t cost = bytes / PK_BPF_CHARGE_BYTES + !!(bytes % PK_BPF_CHARGE_BYTES);

	/* run->count <= run->budget: the interpreter checks before each insn */
	if (cost > run->budget - run->count) {
		uint64_t left = run->budget - run->count;

		run->vm->last_count = run->count - run->charged;
		/* sticky: the next instruction stops the run even if the
		 * helper turns this into an error for the program */
		run->count = run->budget;
		run->charged += left;
		return pk_err(run->ctx, -ETIME,
			      "instruction budget of %" PRIu64 " exhausted: %s of %" PRIu64
			      " bytes costs %" PRIu64 " instructions, %" PRIu64 " left",
			      run->budget, what, bytes, cost, left);
	}
	run->count += cost;
	run->charged += cost;
	return 0;
}

int pk_bpf_interp(struct pk_bpf_run *run, uint64_t r1, uint64_t r2,
		  uint64_t *ret_r0)
{
	/* every other opcode is not executable (the verifier refuses it) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
	static const void *const handler[256] = {
		[0 ... 255] = &&bad_opcode,
		ALU_OPS(ALU_ENTRY, BPF_ALU)
		ALU_OPS(ALU_ENTRY, BPF_ALU64)
		JMP_OPS(JMP_ENTRY, BPF_JMP, false, SIMM)
		JMP_OPS(JMP_ENTRY, BPF_JMP32, true, (uint64_t)(uint32_t)insn->imm)
		[BPF_JMP | BPF_JA] = &&ja,
		[BPF_JMP32 | BPF_JA] = &&ja32,
		MEM_OPS(MEM_ENTRY)
		[BPF_STX | BPF_ATOMIC | BPF_W] = &&atomic,
		[BPF_STX | BPF_ATOMIC | BPF_DW] = &&atomic,
		[BPF_LD | BPF_IMM | BPF_DW] = &&ld_imm64,
		[BPF_JMP | BPF_CALL] = &&call,
		[BPF_JMP | BPF_CALL | BPF_X] = &&call_helper,
		[BPF_JMP | BPF_EXIT] = &&exit,
	};
#pragma GCC diagnostic pop
	struct pk_bpf_vm *vm = run->vm;
	const struct bpf_insn *insns = vm->prog->insns, *insn = NULL;
	const struct pk_insn_aux *aux = vm->aux;
	const uint32_t cnt = vm->prog->insn_cnt;
	const uint64_t budget = run->budget;
	const uint64_t fast_limit = budget > cnt ? budget - cnt : 0;
	uint64_t count = 0, reg[11] = { 0 };
	struct pk_frame frames[PK_BPF_MAX_FRAMES];
	uint32_t nframe = 0, pc = 0, depth = aux[0].stack_depth;
	uint8_t last;
	bool careful;
	int err;

	reg[1] = r1;
	reg[2] = r2;
	reg[10] = pk_gaddr(run->regions[PK_SLOT_STACK].gen, PK_SLOT_STACK,
			   PK_BPF_STACK_SIZE);
	if (depth > PK_BPF_STACK_SIZE)
		return pk_err(run->ctx, -ENOSPC, "run: stack overflow");
	run->stack_low = PK_BPF_STACK_SIZE - depth;
	last = cnt ? insns[cnt - 1].code : 0;
	careful = vm->env->trace || !fast_limit ||
		  (last != (BPF_JMP | BPF_JA) && last != (BPF_JMP32 | BPF_JA) &&
		   last != (BPF_JMP | BPF_EXIT));
	DISPATCH();

step_careful:
	if (pc >= cnt)
		return pk_err(run->ctx, -EFAULT, "run: pc %u outside the program", pc);
	if (count++ >= budget) {
		vm->last_count = count - 1 - run->charged;
		return pk_err(run->ctx, -ETIME,
			      "run: instruction budget of %" PRIu64
			      " exhausted at insn %u", budget, pc);
	}
	insn = &insns[pc];
	if (vm->env->trace)
		vm->env->trace(vm->env->user, pc, insn, reg);
	goto *handler[insn->code];

	ALU_OPS(ALU_BODY, BPF_ALU)
	ALU_OPS(ALU_BODY, BPF_ALU64)
	JMP_OPS(JMP_BODY, BPF_JMP, false, SIMM)
	JMP_OPS(JMP_BODY, BPF_JMP32, true, (uint64_t)(uint32_t)insn->imm)
	MEM_OPS(MEM_BODY)
ja:
	GOTO_PC(pc + 1 + insn->off);
ja32:
	GOTO_PC(pc + 1 + insn->imm);
atomic: {
	unsigned int n = pk_bpf_size_bytes(insn->code);
	uint64_t a = reg[insn->dst_reg] + (uint64_t)(int64_t)insn->off;
	uint8_t *p = pk_run_access(run, a, n, PK_BPF_MEM_WRITE);
	uint64_t old;
	bool stored;

	if (!p)
		return fault(run, pc, "atomic", a, n);
	old = atomic_op(p, n, insn->imm, reg[insn->src_reg], reg[0], &stored);
	if (insn->imm == BPF_CMPXCHG)
		reg[0] = n == 4 ? (uint32_t)old : old;
	else if (insn->imm & BPF_FETCH)
		reg[insn->src_reg] = n == 4 ? (uint32_t)old : old;
	NEXT();
}
ld_imm64: {
	uint64_t v = (uint32_t)insn->imm | (uint64_t)(uint32_t)insn[1].imm << 32;

	if (insn->src_reg == BPF_PSEUDO_MAP_IDX)
		v = pk_map_handle((uint32_t)insn->imm);
	else if (insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
		v = run->map_gaddr[(uint32_t)insn->imm] + (uint32_t)insn[1].imm;
	reg[insn->dst_reg] = v;
	pc++;
	NEXT();
}
call:
	if (insn->src_reg == BPF_PSEUDO_CALL) {
		uint32_t target = pc + 1 + (uint32_t)insn->imm;
		uint32_t d;
		struct pk_frame *f;

		if (target >= cnt)
			return pk_err(run->ctx, -EFAULT,
				      "run: insn %u: call target %u outside the program",
				      pc, target);
		d = aux[target].stack_depth;
		if (nframe + 1 >= PK_BPF_MAX_FRAMES || d > run->stack_low)
			return pk_err(run->ctx, -ENOSPC,
				      "run: insn %u: stack overflow across bpf-to-bpf calls",
				      pc);
		f = &frames[nframe++];
		f->ret_pc = pc;
		memcpy(f->saved, &reg[6], sizeof(f->saved));
		f->fp = reg[10];
		f->depth = depth;
		reg[10] -= depth;
		depth = d;
		run->stack_low -= d;
		GOTO_PC(target);
	}
	goto call_helper; /* a helper or a kfunc */
call_helper:
	/* helpers pay for their bytes (pk_bpf_run_charge) */
	run->count = count;
	err = aux[pc].fn->fn(run, &reg[1], &reg[0]);
	count = run->count;
	if (err)
		return pk_err_prefix(run->ctx, err, "run: insn %u (%s)", pc,
				     aux[pc].fn->name);
	GOTO_PC(pc + 1);
exit:
	if (!nframe) {
		vm->last_count = count - run->charged;
		*ret_r0 = reg[0];
		return 0;
	}
	nframe--;
	run->stack_low += depth;
	depth = frames[nframe].depth;
	reg[10] = frames[nframe].fp;
	memcpy(&reg[6], frames[nframe].saved, sizeof(frames[nframe].saved));
	GOTO_PC(frames[nframe].ret_pc + 1);
bad_opcode:
	return pk_err(run->ctx, -EFAULT, "run: insn %u: opcode 0x%02x not executable",
		      pc, insn->code);
}
