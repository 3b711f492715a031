// SPDX-License-Identifier: MIT
/*
 * exec.c - the pipeline's executor: load a .bpf section with the public
 * BPF API (pekexec/bpf.h; the load always verifies the program) and run it
 * once on one stage's input.  A program is loaded fresh for every stage, so
 * no map state survives from one image to the next.
 */
#include <stdio.h>

#include "stages.h"

int pk_exec_bpf(struct pk_ctx *ctx, const char *name, const uint8_t *bpf,
		size_t bpf_len, const struct pk_bpf_stage_input *in,
		const struct pk_bpf_callbacks *cb, struct pk_exec_info *ret_info)
{
	struct pk_bpf_program *prog = NULL;
	struct pk_bpf_run_result rr = { 0 };
	int r;

	memset(ret_info, 0, sizeof(*ret_info));
	r = pk_bpf_program_load(ctx, name, bpf, bpf_len, &prog);
	if (r < 0)
		return r;
	snprintf(ret_info->name, sizeof(ret_info->name), "%s",
		 pk_bpf_program_name(prog));
	ret_info->insns = pk_bpf_program_insn_count(prog);
	r = pk_bpf_program_run(ctx, prog, in, cb, &rr);
	ret_info->r0 = rr.r0;
	ret_info->insn_count = rr.insn_count;
	pk_bpf_program_free(prog);
	return r;
}
