// SPDX-License-Identifier: MIT
/*
 * fuzz-bpf-verify-run.c - arbitrary bytes -> instructions -> verify -> if
 * accepted, run (budget 10000) as a raw program over 16 bytes of memory.
 * Properties: no crash, no sanitizer report, and an accepted program never
 * trips a run-time memory check (-EFAULT from the interpreter would mean
 * the verifier let an unsafe access through: abort).  The first byte picks
 * the memory size (0..31) so both the pointer and the NULL-r1 forms occur.
 */
#include <stdio.h>

#include "vm.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_insn insns[128];
	struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_RAW, .insns = insns };
	struct pk_bpf_env env = { .insn_budget = 10000 };
	struct pk_bpf_input in = { 0 };
	struct pk_bpf_vm *vm = NULL;
	struct pk_ctx *ctx;
	uint8_t mem[32] = { 0 };
	uint64_t r0;
	size_t i;
	int err;

	if (size < 9)
		return 0;
	env.ctx_size = data[0] & 31;
	in.mem = mem;
	in.mem_len = env.ctx_size;
	data++;
	size--;
	for (i = 0; i + 8 <= size && i / 8 < PK_ARRAY_SIZE(insns); i += 8) {
		struct bpf_insn *x = &insns[i / 8];

		x->code = data[i];
		x->dst_reg = data[i + 1] & 0xf;
		x->src_reg = data[i + 1] >> 4;
		x->off = (int16_t)pk_get_le16(data + i + 2);
		x->imm = (int32_t)pk_get_le32(data + i + 4);
	}
	prog.insn_cnt = (uint32_t)(i / 8);
	ctx = pk_ctx_new();
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
	if (!err) {
		err = pk_bpf_vm_run(vm, &in, &r0);
		if (err == -EFAULT) {
			fprintf(stderr, "accepted program tripped a run-time check: %s\n",
				pk_ctx_errmsg(ctx));
			abort();
		}
	}
	pk_bpf_vm_free(vm);
	pk_ctx_free(ctx);
	return 0;
}
