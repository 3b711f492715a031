// SPDX-License-Identifier: MIT
/*
 * interp.c - the BPF interpreter: one switch over the opcode, every memory
 * access checked against the run's regions (pk_run_access), an instruction
 * budget, bpf-to-bpf frames on a 512-byte stack shared by the call chain.
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

static inline uint64_t load_n(const uint8_t *p, unsigned int size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return pk_get_le16(p);
	case 4: return pk_get_le32(p);
	default: return pk_get_le64(p);
	}
}

static inline void store_n(uint8_t *p, unsigned int size, uint64_t v)
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

#define ALU_OP(CLS, OP)                                                      \
	case CLS | OP | BPF_K:                                               \
		reg[insn->dst_reg] = pk_bpf_alu(CLS | OP | BPF_K, insn->off, \
						insn->imm,                   \
						reg[insn->dst_reg], SIMM);   \
		break;                                                       \
	case CLS | OP | BPF_X:                                               \
		reg[insn->dst_reg] = pk_bpf_alu(CLS | OP | BPF_X, insn->off, \
						insn->imm,                   \
						reg[insn->dst_reg],          \
						reg[insn->src_reg]);         \
		break;

#define ALU_CLASS(CLS)                                                       \
	ALU_OP(CLS, BPF_ADD) ALU_OP(CLS, BPF_SUB) ALU_OP(CLS, BPF_MUL)       \
	ALU_OP(CLS, BPF_DIV) ALU_OP(CLS, BPF_OR) ALU_OP(CLS, BPF_AND)        \
	ALU_OP(CLS, BPF_LSH) ALU_OP(CLS, BPF_RSH) ALU_OP(CLS, BPF_NEG)       \
	ALU_OP(CLS, BPF_MOD) ALU_OP(CLS, BPF_XOR) ALU_OP(CLS, BPF_MOV)       \
	ALU_OP(CLS, BPF_ARSH) ALU_OP(CLS, BPF_END)

#define JMP_OP(CLS, OP, IS32, KVAL)                                          \
	case CLS | OP | BPF_K:                                               \
		if (pk_bpf_cond(OP, IS32, reg[insn->dst_reg], KVAL))         \
			pc += insn->off;                                     \
		break;                                                       \
	case CLS | OP | BPF_X:                                               \
		if (pk_bpf_cond(OP, IS32, reg[insn->dst_reg],                \
				reg[insn->src_reg]))                         \
			pc += insn->off;                                     \
		break;

#define JMP_CLASS(CLS, IS32, KVAL)                                           \
	JMP_OP(CLS, BPF_JEQ, IS32, KVAL) JMP_OP(CLS, BPF_JNE, IS32, KVAL)    \
	JMP_OP(CLS, BPF_JGT, IS32, KVAL) JMP_OP(CLS, BPF_JGE, IS32, KVAL)    \
	JMP_OP(CLS, BPF_JLT, IS32, KVAL) JMP_OP(CLS, BPF_JLE, IS32, KVAL)    \
	JMP_OP(CLS, BPF_JSET, IS32, KVAL) JMP_OP(CLS, BPF_JSGT, IS32, KVAL)  \
	JMP_OP(CLS, BPF_JSGE, IS32, KVAL) JMP_OP(CLS, BPF_JSLT, IS32, KVAL)  \
	JMP_OP(CLS, BPF_JSLE, IS32, KVAL)

#define LDX_CASE(MODE, SZ, N, SX)                                            \
	case BPF_LDX | MODE | SZ: {                                           \
		uint64_t a = reg[insn->src_reg] + (uint64_t)(int64_t)insn->off; \
		const uint8_t *p = pk_run_access(run, a, N, PK_BPF_MEM_READ); \
		if (!p)                                                      \
			return fault(run, pc, "load", a, N);                 \
		reg[insn->dst_reg] = SX ? pk_bpf_sext(load_n(p, N), N * 8)   \
					: load_n(p, N);                      \
		break;                                                       \
	}

#define ST_CASE(CLS, SZ, N, VAL)                                             \
	case CLS | BPF_MEM | SZ: {                                           \
		uint64_t a = reg[insn->dst_reg] + (uint64_t)(int64_t)insn->off; \
		uint8_t *p = pk_run_access(run, a, N, PK_BPF_MEM_WRITE);     \
		if (!p)                                                      \
			return fault(run, pc, "store", a, N);                \
		store_n(p, N, VAL);                                          \
		break;                                                       \
	}

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
	struct pk_bpf_vm *vm = run->vm;
	const struct bpf_insn *insns = vm->prog->insns;
	const struct pk_insn_aux *aux = vm->aux;
	const uint32_t cnt = vm->prog->insn_cnt;
	const uint64_t budget = run->budget;
	uint64_t count = 0, reg[11] = { 0 };
	struct pk_frame frames[PK_BPF_MAX_FRAMES];
	uint32_t nframe = 0, pc = 0, depth = aux[0].stack_depth;
	int err;

	reg[1] = r1;
	reg[2] = r2;
	reg[10] = pk_gaddr(run->regions[PK_SLOT_STACK].gen, PK_SLOT_STACK,
			   PK_BPF_STACK_SIZE);
	if (depth > PK_BPF_STACK_SIZE)
		return pk_err(run->ctx, -ENOSPC, "run: stack overflow");
	run->stack_low = PK_BPF_STACK_SIZE - depth;

	for (;; pc++) {
		const struct bpf_insn *insn;

		if (pc >= cnt)
			return pk_err(run->ctx, -EFAULT,
				      "run: pc %u outside the program", pc);
		if (count++ >= budget) {
			vm->last_count = count - 1 - run->charged;
			return pk_err(run->ctx, -ETIME,
				      "run: instruction budget of %" PRIu64
				      " exhausted at insn %u", budget, pc);
		}
		insn = &insns[pc];
		if (vm->env->trace)
			vm->env->trace(vm->env->user, pc, insn, reg);
		switch (insn->code) {
		ALU_CLASS(BPF_ALU)
		ALU_CLASS(BPF_ALU64)
		JMP_CLASS(BPF_JMP, false, SIMM)
		JMP_CLASS(BPF_JMP32, true, (uint64_t)(uint32_t)insn->imm)
		case BPF_JMP | BPF_JA:
			pc += insn->off;
			break;
		case BPF_JMP32 | BPF_JA:
			pc += insn->imm;
			break;
		LDX_CASE(BPF_MEM, BPF_B, 1, false)
		LDX_CASE(BPF_MEM, BPF_H, 2, false)
		LDX_CASE(BPF_MEM, BPF_W, 4, false)
		LDX_CASE(BPF_MEM, BPF_DW, 8, false)
		LDX_CASE(BPF_MEMSX, BPF_B, 1, true)
		LDX_CASE(BPF_MEMSX, BPF_H, 2, true)
		LDX_CASE(BPF_MEMSX, BPF_W, 4, true)
		ST_CASE(BPF_ST, BPF_B, 1, SIMM)
		ST_CASE(BPF_ST, BPF_H, 2, SIMM)
		ST_CASE(BPF_ST, BPF_W, 4, SIMM)
		ST_CASE(BPF_ST, BPF_DW, 8, SIMM)
		ST_CASE(BPF_STX, BPF_B, 1, reg[insn->src_reg])
		ST_CASE(BPF_STX, BPF_H, 2, reg[insn->src_reg])
		ST_CASE(BPF_STX, BPF_W, 4, reg[insn->src_reg])
		ST_CASE(BPF_STX, BPF_DW, 8, reg[insn->src_reg])
		case BPF_STX | BPF_ATOMIC | BPF_W:
		case BPF_STX | BPF_ATOMIC | BPF_DW: {
			unsigned int n = pk_bpf_size_bytes(insn->code);
			uint64_t a = reg[insn->dst_reg] + (uint64_t)(int64_t)insn->off;
			uint8_t *p = pk_run_access(run, a, n, PK_BPF_MEM_WRITE);
			uint64_t old;
			bool stored;

			if (!p)
				return fault(run, pc, "atomic", a, n);
			old = atomic_op(p, n, insn->imm, reg[insn->src_reg],
					reg[0], &stored);
			if (insn->imm == BPF_CMPXCHG)
				reg[0] = n == 4 ? (uint32_t)old : old;
			else if (insn->imm & BPF_FETCH)
				reg[insn->src_reg] = n == 4 ? (uint32_t)old : old;
			break;
		}
		case BPF_LD | BPF_IMM | BPF_DW: {
			uint64_t v = (uint32_t)insn->imm |
				     (uint64_t)(uint32_t)insn[1].imm << 32;

			if (insn->src_reg == BPF_PSEUDO_MAP_IDX)
				v = pk_map_handle((uint32_t)insn->imm);
			else if (insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
				v = run->map_gaddr[(uint32_t)insn->imm] +
				    (uint32_t)insn[1].imm;
			reg[insn->dst_reg] = v;
			pc++;
			break;
		}
		case BPF_JMP | BPF_CALL:
			if (insn->src_reg == BPF_PSEUDO_CALL) {
				uint32_t target = pc + 1 + (uint32_t)insn->imm;
				uint32_t d = aux[target].stack_depth;
				struct pk_frame *f;

				if (nframe + 1 >= PK_BPF_MAX_FRAMES ||
				    d > run->stack_low)
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
				pc = target - 1;
				break;
			}
			__attribute__((fallthrough)); /* helper or kfunc */
		case BPF_JMP | BPF_CALL | BPF_X:
			/* helpers pay for their bytes (pk_bpf_run_charge) */
			run->count = count;
			err = aux[pc].fn->fn(run, &reg[1], &reg[0]);
			count = run->count;
			if (err)
				return pk_err_prefix(run->ctx, err, "run: insn %u (%s)",
						     pc, aux[pc].fn->name);
			break;
		case BPF_JMP | BPF_EXIT:
			if (!nframe) {
				vm->last_count = count - run->charged;
				*ret_r0 = reg[0];
				return 0;
			}
			nframe--;
			run->stack_low += depth;
			depth = frames[nframe].depth;
			reg[10] = frames[nframe].fp;
			memcpy(&reg[6], frames[nframe].saved,
			       sizeof(frames[nframe].saved));
			pc = frames[nframe].ret_pc;
			break;
		default:
			return pk_err(run->ctx, -EFAULT,
				      "run: insn %u: opcode 0x%02x not executable",
				      pc, insn->code);
		}
	}
}
