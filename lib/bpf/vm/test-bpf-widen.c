// SPDX-License-Identifier: MIT
/*
 * test-bpf-widen.c - loops the verifier must prove without unrolling them:
 * widening stops at the program's own compare constants, so a counter
 * tested against its bound (at the bottom, as clang rotates loops, or at
 * the top) keeps the bound and the access it guards stays provably inside
 * the memory; one byte more and the same loop is refused.  The result of
 * each accepted run is compared with the same sum computed here in C.
 *
 *	r2 = 0; r3 = 0
 *  loop:	r4 = r1; r4 += r3; r4 = *(u8 *)(r4 + 0); r2 += r4; r3 += 1
 *	if r3 < N goto loop          (bottom-tested)
 *	r0 = r2; exit
 */
#include <errno.h>

#include "insn.h"
#include "vm.h"
#include "check.h"

#define MEM 200 /* > PK_VERIFIER_WIDEN iterations */

static uint32_t build(struct bpf_insn *in, bool top, int32_t n)
{
	uint32_t k = 0;

	in[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 2 };
	in[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 3 };
	if (top) /* loop: if r3 >= N goto out */
		in[k++] = (struct bpf_insn){ .code = BPF_JMP | BPF_JGE | BPF_K,
					     .dst_reg = 3, .off = 6, .imm = n };
	in[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 4,
				     .src_reg = 1 };
	in[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_X, .dst_reg = 4,
				     .src_reg = 3 };
	in[k++] = (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_B, .dst_reg = 4,
				     .src_reg = 4 };
	in[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_X, .dst_reg = 2,
				     .src_reg = 4 };
	in[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 3,
				     .imm = 1 };
	if (top)
		in[k++] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = -7 };
	else
		in[k++] = (struct bpf_insn){ .code = BPF_JMP | BPF_JLT | BPF_K,
					     .dst_reg = 3, .off = -6, .imm = n };
	in[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 0,
				     .src_reg = 2 };
	in[k++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	return k;
}

int main(void)
{
	uint8_t mem[MEM];
	uint64_t sum = 0, r0 = 0;
	struct pk_ctx *ctx = pk_ctx_new();
	uint32_t i;
	int top;

	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	for (i = 0; i < MEM; i++) {
		mem[i] = (uint8_t)(i * 37 + 11);
		sum += mem[i];
	}
	for (top = 0; top < 2; top++) {
		struct bpf_insn in[16];
		struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_RAW, .insns = in };
		struct pk_bpf_env env = { .ctx_size = MEM };
		struct pk_bpf_input input = { .mem = mem, .mem_len = MEM };
		struct pk_bpf_vm *vm = NULL;
		int err;

		prog.insn_cnt = build(in, top, MEM);
		err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
		CHECK_EQ_INT(err, 0);
		if (err)
			printf("%s-tested loop over %d bytes: %s\n", top ? "top" : "bottom", MEM,
			       pk_ctx_errmsg(ctx));
		else
			CHECK_EQ_INT(pk_bpf_vm_run(vm, &input, &r0), 0);
		CHECK_EQ_INT(r0, sum);
		pk_bpf_vm_free(vm);
		vm = NULL;

		/* one byte past the memory: refused, not clamped */
		prog.insn_cnt = build(in, top, MEM + 1);
		CHECK_EQ_INT(pk_bpf_vm_new(ctx, &env, &prog, &vm), -EINVAL);
		pk_bpf_vm_free(vm);
	}
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
