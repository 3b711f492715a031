// SPDX-License-Identifier: MIT
/*
 * plugin.c - build/pekexec-conformance-plugin: the BPF conformance suite's
 * plugin protocol (../shared/bpf-conformance/README.md) on top of the
 * sandbox.  argv[1] (if it does not start with "--") is the memory, as hex
 * bytes; stdin is the program as hex bytes.  The program runs as
 * PK_BPF_PROG_RAW (r1 = the memory, r2 = its length) through the verifier
 * and the interpreter; r0 is printed in hex.  Helper 5 is the suite's
 * "unwind" helper: it returns its first argument.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

#include "bpf/vm/vm.h"
#include "internal.h"

static int parse_hex(const char *s, struct pk_buf *out)
{
	while (*s) {
		unsigned int v;
		int n;

		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (sscanf(s, "%2x%n", &v, &n) != 1 || n != 2)
			return -EINVAL;
		if (pk_buf_append(out, &(uint8_t){ (uint8_t)v }, 1))
			return -ENOMEM;
		s += 2;
	}
	return 0;
}

static int unwind(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	(void)run;
	*r0 = a[0];
	return 0;
}

static const struct pk_bpf_helper plugin_helpers[] = {
	{ 5, "unwind", { PK_BPF_ARG_ANYTHING }, PK_BPF_RET_INTEGER, 0, unwind },
};

int main(int argc, char **argv)
{
	_pk_cleanup_buf_ struct pk_buf mem = { 0 }, text = { 0 }, code = { 0 };
	struct pk_bpf_env env = { .label = "conformance" };
	struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_RAW };
	struct pk_bpf_input in = { 0 };
	struct pk_bpf_vm *vm = NULL;
	struct pk_ctx *ctx;
	char chunk[4096];
	uint64_t r0;
	size_t n, i;
	int err;

	if (argc > 1 && strncmp(argv[1], "--", 2) && parse_hex(argv[1], &mem)) {
		fprintf(stderr, "bad memory argument\n");
		return 2;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (pk_buf_append(&text, chunk, n))
			return 2;
	if (pk_buf_append(&text, "", 1) || parse_hex((char *)text.data, &code) ||
	    !code.len || code.len % 8) {
		fprintf(stderr, "bad program on stdin\n");
		return 2;
	}
	ctx = pk_ctx_new();
	if (!ctx)
		return 2;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	prog.insn_cnt = (uint32_t)(code.len / 8);
	prog.insns = calloc(prog.insn_cnt, sizeof(*prog.insns));
	if (!prog.insns)
		return 2;
	for (i = 0; i < prog.insn_cnt; i++) { /* decode, never cast the input */
		const uint8_t *p = code.data + 8 * i;

		prog.insns[i].code = p[0];
		prog.insns[i].dst_reg = p[1] & 0xf;
		prog.insns[i].src_reg = p[1] >> 4;
		prog.insns[i].off = (int16_t)pk_get_le16(p + 2);
		prog.insns[i].imm = (int32_t)pk_get_le32(p + 4);
	}
	env.ctx_size = mem.len;
	env.helpers = plugin_helpers;
	env.helper_cnt = PK_ARRAY_SIZE(plugin_helpers);
	in.mem = mem.data;
	in.mem_len = mem.len;
	err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
	if (!err)
		err = pk_bpf_vm_run(vm, &in, &r0);
	if (err)
		fprintf(stderr, "%s\n", pk_ctx_errmsg(ctx));
	else
		printf("%" PRIx64 "\n", r0);
	pk_bpf_vm_free(vm);
	free(prog.insns);
	pk_ctx_free(ctx);
	return err ? 1 : 0;
}
