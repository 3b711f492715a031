// SPDX-License-Identifier: MIT
/*
 * fuzz-bpf-lskel.c - property: a .bpf light-skeleton object, whatever its
 * bytes, is either refused or loaded by running its loader program in the
 * sandbox (verified, emulated bpf() commands, region-checked attrs) without
 * touching memory outside the sandbox's regions and without leaks; a loaded
 * parser program then runs on a small image without faults.
 * Seeds: $BUILD/fuzz-seeds/fuzz-bpf-lskel/ (written by test-bpf-malformed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pekexec/bpf.h"
#include "pekexec/ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_cmd(void *user, uint16_t cmd, uint16_t subcmd, const uint8_t *p, uint32_t len,
		  const uint8_t *from)
{
	(void)from;
	(void)user;
	(void)cmd;
	(void)subcmd;
	(void)p;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t image[512] = { 'M', 'Z', 0, 0, 'z', 'i', 'm', 'g' };
	struct pk_bpf_callbacks cb = { on_cmd, NULL };
	struct pk_bpf_stage_input in = { .kernel = image, .kernel_len = sizeof(image) };
	struct pk_bpf_program *prog = NULL;
	struct pk_ctx *ctx = pk_ctx_new();

	if (!ctx)
		return 0;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	if (!pk_bpf_program_load(ctx, "fuzz", data, size, &prog))
		pk_bpf_program_run(ctx, prog, &in, &cb, NULL);
	pk_bpf_program_free(prog);
	pk_ctx_free(ctx);
	return 0;
}
