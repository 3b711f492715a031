// SPDX-License-Identifier: MIT
/*
 * test-bpf-budget.c - the instruction budget is exact although the
 * interpreter checks it only at jumps, calls and returns (interp.c): for
 * every budget b around the program's length N, a run succeeds iff b >= N,
 * and otherwise stops with -ETIME at the (b+1)-th instruction it would
 * have executed.  The oracle is the trace callback (which runs every
 * instruction through the careful path): the sequence of pcs of one
 * unlimited run.  The program ends with a straight line longer than the
 * loop before it, after a return from a bpf-to-bpf call, so an interpreter
 * that checked the budget only at checkpoints would finish runs whose
 * budget ends inside that line.
 *
 *	r6 = 0; r1 = 0
 *  loop:	if r1 >= LOOPS goto tail; r6 += r1; r1 += 1; goto loop
 *  tail:	call sub; r6 += r0; r6 += 1 (TAIL times); r0 = r6; exit
 *  sub:	r0 = SUB; exit
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "insn.h"
#include "vm.h"
#include "check.h"

#define LOOPS 10
#define TAIL 40
#define SUB 7
#define MAXI (TAIL + 16)
#define MAX_TRACE 4096

struct trace {
	uint32_t pc[MAX_TRACE];
	uint32_t n;
};

static void record(void *user, uint32_t pc, const struct bpf_insn *insn,
		   const uint64_t reg[11])
{
	struct trace *t = user;

	(void)insn;
	(void)reg;
	if (t->n < MAX_TRACE)
		t->pc[t->n] = pc;
	t->n++;
}

static void emit(struct bpf_insn *in, uint32_t *k, uint8_t code, uint8_t dst,
		 uint8_t src, int16_t off, int32_t imm)
{
	in[(*k)++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
					.off = off, .imm = imm };
}

static uint32_t build(struct bpf_insn *in)
{
	uint32_t k = 0, i, call;

	emit(in, &k, BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, 0);
	emit(in, &k, BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0);
	emit(in, &k, BPF_JMP | BPF_JGE | BPF_K, 1, 0, 3, LOOPS); /* 2 -> tail (6) */
	emit(in, &k, BPF_ALU64 | BPF_ADD | BPF_X, 6, 1, 0, 0);
	emit(in, &k, BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1);
	emit(in, &k, BPF_JMP | BPF_JA, 0, 0, -4, 0);             /* 5 -> loop (2) */
	call = k;
	emit(in, &k, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0); /* imm below */
	emit(in, &k, BPF_ALU64 | BPF_ADD | BPF_X, 6, 0, 0, 0);
	for (i = 0; i < TAIL; i++)
		emit(in, &k, BPF_ALU64 | BPF_ADD | BPF_K, 6, 0, 0, 1);
	emit(in, &k, BPF_ALU64 | BPF_MOV | BPF_X, 0, 6, 0, 0);
	emit(in, &k, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	in[call].imm = (int32_t)(k - call - 1);
	emit(in, &k, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, SUB);
	emit(in, &k, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k;
}

/* one run with @budget (0: the default) and @t as tracer (or none) */
static int run(struct pk_ctx *ctx, struct bpf_insn *in, uint32_t n,
	       uint64_t budget, struct trace *t, uint64_t *ret_r0, uint64_t *ret_count)
{
	struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_RAW, .insns = in, .insn_cnt = n };
	struct pk_bpf_env env = { .insn_budget = budget, .trace = t ? record : NULL,
				  .user = t };
	struct pk_bpf_input input = { .mem = NULL, .mem_len = 0 };
	struct pk_bpf_vm *vm = NULL;
	int err;

	err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
	if (err) {
		printf("verifier: %s\n", pk_ctx_errmsg(ctx));
		return err;
	}
	err = pk_bpf_vm_run(vm, &input, ret_r0);
	*ret_count = pk_bpf_vm_insn_count(vm);
	pk_bpf_vm_free(vm);
	return err;
}

int main(void)
{
	struct bpf_insn in[MAXI];
	static struct trace t;
	struct pk_ctx *ctx = pk_ctx_new();
	uint64_t r0 = 0, count = 0, want = LOOPS * (LOOPS - 1) / 2 + SUB + TAIL, b;
	uint32_t n = build(in), N;
	int err;

	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	/* the oracle: every instruction of one unlimited run, in order */
	err = run(ctx, in, n, 0, &t, &r0, &count);
	CHECK_EQ_INT(err, 0);
	CHECK(r0 == want);
	N = t.n;
	CHECK(N == count);
	CHECK(N < MAX_TRACE);
	/* the fast path (no tracer) counts the same instructions */
	err = run(ctx, in, n, 0, NULL, &r0, &count);
	CHECK_EQ_INT(err, 0);
	CHECK(r0 == want);
	CHECK(count == N);

	for (b = 1; b <= (uint64_t)N + 3 && N < MAX_TRACE; b++) {
		char expect[64];

		err = run(ctx, in, n, b, NULL, &r0, &count);
		if (b >= N) {
			CHECK_EQ_INT(err, 0);
			CHECK(r0 == want);
			CHECK(count == N);
			continue;
		}
		CHECK_EQ_INT(err, -ETIME);
		snprintf(expect, sizeof(expect), "exhausted at insn %u", t.pc[b]);
		if (err != -ETIME || !strstr(pk_ctx_errmsg(ctx), expect)) {
			printf("budget %" PRIu64 ": want '%s', got: %s\n", b, expect,
			       err ? pk_ctx_errmsg(ctx) : "success");
			CHECK(false);
		}
		CHECK(count == b);
	}
	printf("%u instructions (%u in the program): every budget 1..%u stops at the right one\n",
	       N, n, N + 3);
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
