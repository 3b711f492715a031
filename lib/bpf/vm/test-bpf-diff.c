// SPDX-License-Identifier: MIT
/*
 * test-bpf-diff.c - differential test of the interpreter against the host
 * kernel (the oracle).  Random cpu-v4 programs - ALU/ALU64 (incl. signed
 * div/mod, movsx, byte swaps, neg, shifts), JMP/JMP32 forward branches,
 * if/else diamonds joined by ja and gotol, ld_imm64, loads/stores of every
 * width incl. sign-extending loads and store-immediate on the stack, every
 * atomic on the stack, bpf-to-bpf calls into up to two subprograms (one
 * calling the other) - run as BPF_PROG_TYPE_SYSCALL with BPF_PROG_TEST_RUN
 * in the kernel and as PK_BPF_PROG_RAW (r1 = a context; the RFC 9669
 * instruction set with cpu v4, which the host kernel has) in the sandbox.
 * Every register and the stack are stored into the context at the end, so
 * full 64-bit results are compared, not the 32-bit retval only.  A
 * mismatch fails the test and prints the program reduced to the
 * instructions the disagreement needs.  Skips (77) when the kernel refuses
 * BPF.
 *
 * probe_verdicts(): small programs on the rules of Linux 6.1's
 * check_alu_op() and check_ptr_alignment() that the host kernel still
 * applies (invalid shift, division by an immediate 0, reserved fields,
 * misaligned stack and atomic accesses, callx): the kernel's load verdict
 * and the sandbox's, for the kind the kernel runs
 * (PK_BPF_PROG_LSKEL_LOADER, as a syscall program in 6.1 too), must agree.
 *
 * Host kernel defect accounted for (docs/sandbox.md, "The kernel as an
 * oracle"): the kernel verifier zero-extends r0 after a 32-bit cmpxchg
 * only when it sees a 64-bit read of r0 on an explored path; a path it
 * prunes as "safe" never marks the read, no zero-extension is patched in,
 * and x86-64's `lock cmpxchg r/m32` leaves RAX's upper half alone when the
 * compare succeeds (the JIT is always on).  So every generated 32-bit
 * cmpxchg is followed by `r0 += 0`, a 64-bit read of r0 on every path
 * through it, which makes the kernel insert its zero-extension; our own
 * zero-extension stays observable through that add.
 *
 * Second host kernel defect: precision backtracking walks through an
 * atomic fetch/xchg/cmpxchg on the stack as if the loaded register kept
 * its old value, so the stack slot it really came from is never marked
 * precise; a path on which that slot held a different (imprecise) value is
 * then pruned as "safe" and a branch decided on the first path's value is
 * removed as dead code.  So the loading atomics read a slot just stored
 * from their own source register, freshly loaded from the context (a
 * ld_imm64 constant in subprograms): its old value is then the same on
 * every path and the mis-tracked precision cannot matter.
 *
 * probe_kernel_defects() shows both defects on their minimal programs and
 * checks the sandbox against RFC 9669 by hand.
 *
 * PK_DIFF_PROGS (default 1500) and PK_DIFF_SEED change the run.
 *
 * --write-61 and --compare-61 (above main()): the same generator, 6.1's
 * instruction set, against the 6.1 kernel tests/vm/run.sh boots; 6.1 has
 * neither defect, so there the workarounds are off.
 */
#include <bpf/bpf.h>
#include <inttypes.h>
#include <unistd.h>

#include "insn.h"
#include "vm.h"
#include "check.h"
#include "internal.h"

#define CTX_IN 80 /* ten u64 inputs */
#define CTX_SIZE (CTX_IN + 10 * 8 + 4 * 8)
#define BODY 48
#define SUB_BODY 16
#define MAXI 320
#define NREGS 9

static uint64_t rng;
/* Generate Linux 6.1's instruction set only (no cpu v4): the guest mode. */
static bool v61;

static uint64_t rnd(void)
{
	uint64_t v;

	test_random_bytes(&rng, &v, sizeof(v));
	return v;
}

static uint32_t pick(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* Registers the main program computes with (r6 holds the context). */
static const uint8_t main_regs[NREGS] = { 0, 1, 2, 3, 4, 5, 7, 8, 9 };
/* A subprogram sees r1..r5 and must not read r6..r9. */
static const uint8_t sub_regs[6] = { 0, 1, 2, 3, 4, 5 };

static int32_t imm(void)
{
	static const int32_t special[] = { 0, 1, -1, 2, 7, 31, 32, 63, 64,
					   INT32_MIN, INT32_MAX, 0xff, 0xffff };

	return pick(3) ? special[pick(PK_ARRAY_SIZE(special))] : (int32_t)rnd();
}

/* Instruction features counted over the compared programs. */
enum feat {
	F_ALU64, F_ALU32, F_SDIVMOD, F_MOVSX, F_BSWAP, F_END, F_JMP, F_JMP32,
	F_JA, F_GOTOL, F_LDX, F_LDXSX, F_STX, F_ST_IMM, F_ATOMIC, F_ATOMIC_FETCH,
	F_XCHG, F_CMPXCHG, F_CALL, F_LDIMM64, F_NFEAT
};

static const char *const feat_name[F_NFEAT] = {
	"alu64", "alu32", "sdiv/smod", "movsx", "bswap", "le/be", "jmp", "jmp32",
	"ja", "gotol", "ldx", "ldx-sx", "stx", "st-imm", "atomic", "atomic-fetch",
	"xchg", "cmpxchg", "call", "ld_imm64",
};

struct gen {
	struct bpf_insn in[MAXI];
	uint32_t n;
	const uint8_t *regs;
	uint32_t nregs;
	uint32_t call_site[8]; /* calls to patch: insn index */
	uint8_t call_target[8]; /* subprogram number */
	uint32_t ncall;
};

static uint8_t reg(const struct gen *g)
{
	return g->regs[pick(g->nregs)];
}

static void emit(struct gen *g, uint8_t code, uint8_t dst, uint8_t src,
		 int16_t off, int32_t im)
{
	if (g->n < MAXI)
		g->in[g->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst,
						   .src_reg = src, .off = off,
						   .imm = im };
}

static void gen_alu(struct gen *g)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR,
				       BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD,
				       BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END };
	uint8_t op = ops[pick(PK_ARRAY_SIZE(ops))], cls = pick(2) ? BPF_ALU64 : BPF_ALU;
	bool x = pick(2);
	int16_t off = 0;
	int32_t im = x ? 0 : imm();

	if (op == BPF_NEG) {
		emit(g, cls | op, reg(g), 0, 0, 0);
		return;
	}
	if (op == BPF_END) {
		static const int w[] = { 16, 32, 64 };

		if (cls == BPF_ALU64 && !v61)
			emit(g, BPF_ALU64 | BPF_END | BPF_TO_LE, reg(g), 0, 0, w[pick(3)]);
		else
			emit(g, BPF_ALU | BPF_END | (pick(2) ? BPF_TO_BE : BPF_TO_LE), reg(g),
			     0, 0, w[pick(3)]);
		return;
	}
	if ((op == BPF_DIV || op == BPF_MOD) && !v61 && pick(2))
		off = PK_BPF_OFF_SIGNED;
	/* the kernel rejects a constant divisor 0 ("div by zero"); the
	 * register form still divides by zero at run time */
	if ((op == BPF_DIV || op == BPF_MOD) && !x && !im)
		im = -1;
	if (op == BPF_MOV && x && !v61 && pick(2)) {
		static const int16_t w[] = { 8, 16, 32 };

		off = w[pick(cls == BPF_ALU64 ? 3 : 2)];
	}
	if (!x && (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH))
		im = (int32_t)pick(cls == BPF_ALU64 ? 64 : 32);
	emit(g, cls | op | (x ? BPF_X : BPF_K), reg(g), x ? reg(g) : 0, off, im);
}

/* Stack accesses stay in the frame's first 32 bytes, which the prologue
 * initialises. */
static void gen_mem(struct gen *g)
{
	static const uint8_t sz[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	uint8_t s = sz[pick(4)];
	unsigned int n = pk_bpf_size_bytes(s);
	int16_t off = (int16_t)(-32 + (int16_t)(pick(32 / n) * n));

	switch (pick(4)) {
	case 0:
		emit(g, BPF_LDX | ((s != BPF_DW && !v61 && pick(2)) ? BPF_MEMSX : BPF_MEM) | s,
		     reg(g), BPF_REG_10, off, 0);
		break;
	case 1:
		emit(g, BPF_STX | BPF_MEM | s, BPF_REG_10, reg(g), off, 0);
		break;
	case 2:
		emit(g, BPF_ST | BPF_MEM | s, BPF_REG_10, 0, off, imm());
		break;
	default: {
		static const int32_t ops[] = { BPF_ADD, BPF_OR, BPF_AND, BPF_XOR,
					       BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH,
					       BPF_AND | BPF_FETCH, BPF_XOR | BPF_FETCH,
					       BPF_XCHG, BPF_CMPXCHG };
		bool dw = pick(2);
		int32_t op = ops[pick(PK_ARRAY_SIZE(ops))];
		uint8_t src = reg(g);

		off = (int16_t)(-32 + (int16_t)(pick(dw ? 4 : 8) * (dw ? 8 : 4)));
		/* kernel defect 2 in the header comment: the loading forms
		 * read a slot just filled with a fresh value, the same on
		 * every path, through their own source register */
		if ((op & BPF_FETCH) && !v61) {
			if (g->regs == main_regs) {
				emit(g, BPF_LDX | BPF_MEM | BPF_DW, src, 6,
				     (int16_t)(8 * pick(CTX_IN / 8)), 0);
			} else {
				uint64_t v = rnd();

				emit(g, BPF_LD | BPF_IMM | BPF_DW, src, 0, 0, (int32_t)(uint32_t)v);
				emit(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
			}
			emit(g, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, src,
			     (int16_t)(off & ~7), 0);
		}
		emit(g, BPF_STX | BPF_ATOMIC | (dw ? BPF_DW : BPF_W), BPF_REG_10, src,
		     off, op);
		/* the kernel defect in the header comment: a 64-bit read of
		 * r0 right after a 32-bit cmpxchg, on every path through it */
		if (!dw && op == BPF_CMPXCHG && !v61)
			emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 0);
	}
	}
}

static void gen_plain(struct gen *g)
{
	if (pick(8) < 5)
		gen_alu(g);
	else
		gen_mem(g);
}

static void gen_ldimm64(struct gen *g)
{
	uint64_t v = pick(2) ? rnd() : (uint64_t)(int64_t)imm();

	emit(g, BPF_LD | BPF_IMM | BPF_DW, reg(g), 0, 0, (int32_t)(uint32_t)v);
	emit(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

static void gen_cond(struct gen *g, uint32_t body_end)
{
	static const uint8_t jops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT,
					BPF_JLE, BPF_JSET, BPF_JSGT, BPF_JSGE,
					BPF_JSLT, BPF_JSLE };
	uint32_t left = body_end - g->n - 1;
	bool x = pick(2);

	emit(g, (pick(2) ? BPF_JMP : BPF_JMP32) | jops[pick(11)] | (x ? BPF_X : BPF_K),
	     reg(g), x ? reg(g) : 0,
	     (int16_t)(left ? pick(left < 6 ? left + 1 : 6) : 0), x ? 0 : imm());
}

/* if (cond) goto else; then-part; ja/gotol join; else: else-part; join: */
static void gen_diamond(struct gen *g)
{
	uint32_t a = 1 + pick(3), b = 1 + pick(3), i, jcond = g->n, jend;

	gen_cond(g, g->n + 1); /* offset patched below */
	for (i = 0; i < a; i++)
		gen_plain(g);
	jend = g->n;
	if (v61 || pick(2))
		emit(g, BPF_JMP | BPF_JA, 0, 0, 0, 0);
	else
		emit(g, BPF_JMP32 | BPF_JA, 0, 0, 0, 0);
	g->in[jcond].off = (int16_t)(g->n - jcond - 1);
	for (i = 0; i < b; i++)
		gen_plain(g);
	if (g->in[jend].code == (BPF_JMP | BPF_JA))
		g->in[jend].off = (int16_t)(g->n - jend - 1);
	else
		g->in[jend].imm = (int32_t)(g->n - jend - 1);
}

/* A call to subprogram @sub, then r1..r5 (clobbered) read again. */
static void gen_call(struct gen *g, uint8_t sub, bool from_main)
{
	uint32_t i;

	if (g->ncall >= PK_ARRAY_SIZE(g->call_site))
		return;
	g->call_site[g->ncall] = g->n;
	g->call_target[g->ncall++] = sub;
	emit(g, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
	for (i = 1; i <= 5; i++) {
		if (from_main)
			emit(g, BPF_LDX | BPF_MEM | BPF_DW, (uint8_t)i, 6,
			     (int16_t)(8 * i), 0);
		else
			emit(g, BPF_ALU64 | BPF_MOV | BPF_K, (uint8_t)i, 0, 0, imm());
	}
}

/* @nsub: subprograms after this function it may call (0..2) */
static void gen_body(struct gen *g, uint32_t len, bool is_main, uint8_t first_sub,
		     uint8_t nsub)
{
	uint32_t body_end = g->n + len, k;
	bool called[2] = { false };

	while (g->n < body_end && g->n + 12 < MAXI) {
		k = pick(20);
		if (k < 9) {
			gen_plain(g);
		} else if (k < 14) {
			gen_cond(g, body_end);
		} else if (k < 16) {
			if (body_end - g->n >= 10)
				gen_diamond(g);
		} else if (k < 18) {
			if (body_end - g->n >= 2)
				gen_ldimm64(g);
		} else if (nsub && body_end - g->n >= 6) {
			uint8_t s = (uint8_t)pick(nsub);

			called[s] = true;
			gen_call(g, (uint8_t)(first_sub + s), is_main);
		}
	}
	/* the kernel rejects a subprogram nobody calls (unreachable) */
	if (is_main)
		for (k = 0; k < nsub; k++)
			if (!called[k])
				gen_call(g, (uint8_t)(first_sub + k), true);
	/* conditional jumps may target body_end: it is the epilogue */
	for (k = 0; k < g->n; k++) {
		struct bpf_insn *in = &g->in[k];
		uint8_t cls = PK_BPF_CLASS(in->code);

		if ((cls == BPF_JMP || cls == BPF_JMP32) && PK_BPF_OP(in->code) != BPF_CALL &&
		    PK_BPF_OP(in->code) != BPF_EXIT && PK_BPF_OP(in->code) != BPF_JA &&
		    k + 1 + (uint32_t)in->off > g->n)
			in->off = (int16_t)(g->n - k - 1);
	}
}

/* Never land on the second half of a ld_imm64: aim at its first half. */
static void fix_ldimm64_targets(struct gen *g)
{
	bool second[MAXI] = { false };
	uint32_t k;

	for (k = 0; k + 1 < g->n; k++)
		if (pk_bpf_is_ldimm64(&g->in[k]))
			second[++k] = true;
	for (k = 0; k < g->n; k++) {
		struct bpf_insn *in = &g->in[k];
		uint8_t cls = PK_BPF_CLASS(in->code), op = PK_BPF_OP(in->code);
		int64_t t;

		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_CALL || op == BPF_EXIT)
			continue;
		if (second[k])
			continue;
		t = (int64_t)k + 1 + (cls == BPF_JMP32 && op == BPF_JA ? in->imm : in->off);
		if (t > 0 && t < (int64_t)g->n && second[t]) {
			if (cls == BPF_JMP32 && op == BPF_JA)
				in->imm--;
			else
				in->off--;
		}
	}
}

static void gen_prog(struct gen *g)
{
	uint32_t i, nsub = pick(3), sub_start[2] = { 0 };

	memset(g, 0, sizeof(*g));
	g->regs = main_regs;
	g->nregs = NREGS;
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	for (i = 0; i < NREGS; i++)
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, main_regs[i], 6, (int16_t)(8 * i), 0);
	for (i = 0; i < 4; i++)
		emit(g, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, main_regs[pick(NREGS)],
		     (int16_t)(-8 * (i + 1)), 0);
	gen_body(g, BODY, true, 0, (uint8_t)nsub);
	for (i = 0; i < NREGS; i++)
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 6, main_regs[i],
		     (int16_t)(CTX_IN + 8 * i), 0);
	for (i = 0; i < 4; i++) {
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 1, BPF_REG_10, (int16_t)(-8 * (i + 1)), 0);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 6, 1, (int16_t)(CTX_IN + 80 + 8 * i), 0);
	}
	emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	/* subprogram s: r0 = r1, its own stack initialised from r1..r4, a
	 * body over r0..r5 (subprogram 0 may call subprogram 1), exit */
	g->regs = sub_regs;
	g->nregs = PK_ARRAY_SIZE(sub_regs);
	for (i = 0; i < nsub; i++) {
		uint32_t j;

		sub_start[i] = g->n;
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 0);
		for (j = 0; j < 4; j++)
			emit(g, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, (uint8_t)(j + 1),
			     (int16_t)(-8 * (j + 1)), 0);
		gen_body(g, SUB_BODY, false, (uint8_t)(i + 1), (uint8_t)(nsub - i - 1));
		emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	for (i = 0; i < g->ncall; i++)
		g->in[g->call_site[i]].imm =
			(int32_t)(sub_start[g->call_target[i]] - g->call_site[i] - 1);
	fix_ldimm64_targets(g);
}

static void count_feats(const struct gen *g, uint64_t cnt[F_NFEAT])
{
	uint32_t k;

	for (k = 0; k < g->n; k++) {
		const struct bpf_insn *in = &g->in[k];
		uint8_t cls = PK_BPF_CLASS(in->code), op = PK_BPF_OP(in->code);

		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64:
			cnt[cls == BPF_ALU64 ? F_ALU64 : F_ALU32]++;
			if ((op == BPF_DIV || op == BPF_MOD) && in->off)
				cnt[F_SDIVMOD]++;
			if (op == BPF_MOV && in->off)
				cnt[F_MOVSX]++;
			if (op == BPF_END)
				cnt[cls == BPF_ALU64 ? F_BSWAP : F_END]++;
			break;
		case BPF_JMP:
		case BPF_JMP32:
			if (op == BPF_CALL)
				cnt[F_CALL]++;
			else if (op == BPF_JA)
				cnt[cls == BPF_JMP ? F_JA : F_GOTOL]++;
			else if (op != BPF_EXIT)
				cnt[cls == BPF_JMP ? F_JMP : F_JMP32]++;
			break;
		case BPF_LDX:
			cnt[PK_BPF_MODE(in->code) == BPF_MEMSX ? F_LDXSX : F_LDX]++;
			break;
		case BPF_ST:
			cnt[F_ST_IMM]++;
			break;
		case BPF_STX:
			if (PK_BPF_MODE(in->code) != BPF_ATOMIC)
				cnt[F_STX]++;
			else if (in->imm == BPF_CMPXCHG)
				cnt[F_CMPXCHG]++;
			else if (in->imm == BPF_XCHG)
				cnt[F_XCHG]++;
			else
				cnt[(in->imm & BPF_FETCH) ? F_ATOMIC_FETCH : F_ATOMIC]++;
			break;
		case BPF_LD:
			cnt[F_LDIMM64]++;
			k++;
			break;
		}
	}
}

enum { RUN_OK = 0, RUN_KERNEL_REJECTED = 1, RUN_KERNEL_FAILED = 2, RUN_SANDBOX_FAILED = 3 };

static char klog[1 << 16];

/* Runs @g on the kernel (@kout) and in the sandbox (@uout), both from @in. */
static int run_both(struct pk_ctx *ctx, const struct bpf_insn *insns, uint32_t n,
		    const uint8_t *in, uint8_t *kout, uint8_t *uout,
		    uint64_t *ret_r0, uint32_t *ret_retval, int *ret_errno)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .prog_flags = BPF_F_SLEEPABLE,
		    .log_buf = klog, .log_size = sizeof(klog), .log_level = 0);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = kout, .ctx_size_in = CTX_SIZE);
	struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_RAW,
				    .insns = (struct bpf_insn *)insns, .insn_cnt = n };
	struct pk_bpf_env env = { .ctx_size = CTX_SIZE, .insn_budget = 10000 };
	struct pk_bpf_input input = { .mem = uout, .mem_len = CTX_SIZE };
	struct pk_bpf_vm *vm = NULL;
	int fd, err;

	klog[0] = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pk_diff", "GPL", insns, n, &lopts);
	if (fd < 0) {
		*ret_errno = errno;
		return RUN_KERNEL_REJECTED;
	}
	/* syscall programs: the context is copied back into ctx_in */
	memcpy(kout, in, CTX_SIZE);
	memcpy(uout, in, CTX_SIZE);
	err = bpf_prog_test_run_opts(fd, &topts);
	*ret_errno = errno;
	close(fd);
	if (err)
		return RUN_KERNEL_FAILED;
	*ret_retval = topts.retval;
	err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
	if (!err)
		err = pk_bpf_vm_run(vm, &input, ret_r0);
	pk_bpf_vm_free(vm);
	return err ? RUN_SANDBOX_FAILED : RUN_OK;
}

static bool disagree(struct pk_ctx *ctx, const struct bpf_insn *insns, uint32_t n,
		     const uint8_t *in)
{
	uint8_t kout[CTX_SIZE], uout[CTX_SIZE];
	uint64_t r0 = 0;
	uint32_t rv = 0;
	int e;

	if (run_both(ctx, insns, n, in, kout, uout, &r0, &rv, &e) != RUN_OK)
		return false;
	return (uint32_t)r0 != rv || memcmp(kout, uout, CTX_SIZE);
}

static bool is_nop(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JA) && !in->off && !in->dst_reg &&
	       !in->src_reg && !in->imm;
}

static void dump(const struct bpf_insn *insns, uint32_t n, bool skip_nops)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!skip_nops || !is_nop(&insns[i]))
			printf("  %3u: code 0x%02x dst r%u src r%u off %d imm %d\n", i,
			       insns[i].code, insns[i].dst_reg, insns[i].src_reg,
			       insns[i].off, insns[i].imm);
}

/*
 * Reduce a disagreeing program: replace instructions by `ja +0` (a nop that
 * keeps every offset valid) for as long as the two executors still
 * disagree; exits, the prologue's `r6 = r1` and ld_imm64 pairs as a whole.
 */
static void minimise(struct pk_ctx *ctx, const struct gen *g, const uint8_t *in)
{
	struct bpf_insn t[MAXI];
	uint8_t kout[CTX_SIZE], uout[CTX_SIZE];
	uint64_t r0 = 0;
	uint32_t rv = 0, i, k, left = 0;
	bool changed = true;
	int e;

	memcpy(t, g->in, g->n * sizeof(t[0]));
	while (changed) {
		changed = false;
		for (i = 1; i < g->n; i++) {
			struct bpf_insn save[2];
			uint32_t w = pk_bpf_is_ldimm64(&t[i]) ? 2 : 1;

			if (is_nop(&t[i]) || t[i].code == (BPF_JMP | BPF_EXIT)) {
				i += w - 1;
				continue;
			}
			memcpy(save, &t[i], w * sizeof(t[0]));
			for (k = 0; k < w; k++)
				t[i + k] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
			if (disagree(ctx, t, g->n, in))
				changed = true;
			else
				memcpy(&t[i], save, w * sizeof(t[0]));
			i += w - 1;
		}
	}
	for (i = 0; i < g->n; i++)
		left += !is_nop(&t[i]);
	printf("  reduced to %u instructions (ja +0 elided):\n", left);
	dump(t, g->n, true);
	if (run_both(ctx, t, g->n, in, kout, uout, &r0, &rv, &e) == RUN_OK) {
		for (k = 0; k < CTX_SIZE; k += 8)
			if (memcmp(kout + k, uout + k, 8))
				printf("  ctx+%u: kernel 0x%" PRIx64 " sandbox 0x%" PRIx64 "\n",
				       k, pk_get_le64(kout + k), pk_get_le64(uout + k));
		printf("  sandbox r0 0x%" PRIx64 ", kernel retval 0x%x\n", r0, rv);
	}
}

static void emit_nops(struct gen *g, uint32_t n)
{
	while (n--)
		emit(g, BPF_JMP | BPF_JA, 0, 0, 0, 0);
}

/*
 * Defect 1, 32-bit cmpxchg (the `ja +0` give the kernel enough work for a
 * pruning point at the branch target):
 *
 *	r6 = r1; r0 = ctx[0]; r4 = ctx[8]; *(u64 *)(fp - 8) = r0
 *	w0 = cmpxchg32(fp - 8, w0, w4)   ; compares equal
 *	[r0 += 0]                        ; the generator's guard
 *	if r4 & 2 goto +1                ; taken; the kernel prunes this path
 *	w0 += 1
 *	8 x ja +0
 *	ctx[80] = r0; exit
 *
 * RFC 9669: "the value that was at dst + offset before the operation is
 * zero-extended and loaded back to R0", so ctx[80] = (u32)ctx[0].
 */
static uint64_t defect1(struct gen *g, bool workaround, const uint8_t *in)
{
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_DW, 0, 6, 0, 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_DW, 4, 6, 8, 0);
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 0, -8, 0);
	emit(g, BPF_STX | BPF_ATOMIC | BPF_W, 10, 4, -8, BPF_CMPXCHG);
	if (workaround)
		emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 0);
	emit(g, BPF_JMP | BPF_JSET | BPF_K, 4, 0, 1, 2);
	emit(g, BPF_ALU | BPF_ADD | BPF_K, 0, 0, 0, 1);
	emit_nops(g, 8);
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 6, 0, CTX_IN, 0);
	emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return (uint32_t)pk_get_le64(in); /* in[8] has bit 1 set */
}

/*
 * Defect 2, precision through an atomic fetch:
 *
 *	r6 = r1; r5 = ctx[0]; r7 = 0; *(u64 *)(fp - 8) = r5; 8 x ja +0
 *	if r5 != 0xffffffff80000000 goto +1   ; the kernel explores "equal"
 *	9 x ja +0                             ; first, prunes "not equal"
 *	[r7 = ctx[8]; *(u64 *)(fp - 8) = r7]  ; the generator's fresh slot
 *	r7 = atomic_fetch_add(fp - 8, r7)
 *	r0 = 0; if r7 s> -1 goto +2; r0 = 1; ja +1; r0 = 2
 *	ctx[80] = r0; exit
 *
 * RFC 9669: r7 = the slot's old value (ctx[0], or ctx[8] with the
 * workaround), so ctx[80] = 2 when that is non-negative, else 1.
 */
static uint64_t defect2(struct gen *g, bool workaround, const uint8_t *in)
{
	int64_t old = (int64_t)pk_get_le64(in + (workaround ? 8 : 0));

	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_DW, 5, 6, 0, 0);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 0);
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 5, -8, 0);
	emit_nops(g, 8);
	emit(g, BPF_JMP | BPF_JNE | BPF_K, 5, 0, 1, INT32_MIN);
	emit_nops(g, 9);
	if (workaround) {
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 7, 6, 8, 0);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 7, -8, 0);
	}
	emit(g, BPF_STX | BPF_ATOMIC | BPF_DW, 10, 7, -8, BPF_ADD | BPF_FETCH);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	emit(g, BPF_JMP | BPF_JSGT | BPF_K, 7, 0, 2, -1);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
	emit(g, BPF_JMP | BPF_JA, 0, 0, 1, 0);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2);
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 6, 0, CTX_IN, 0);
	emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return old > -1 ? 2 : 1;
}

/*
 * Both host kernel defects on their minimal programs: the sandbox must give
 * the value computed by hand from RFC 9669; with the generator's
 * workaround the kernel must agree; without it, whether the host kernel
 * has the defect is printed (not a pass/fail matter: a fixed kernel is
 * fine).
 */
static void probe_kernel_defects(struct pk_ctx *ctx)
{
	static const struct {
		const char *what;
		uint64_t (*build)(struct gen *g, bool workaround, const uint8_t *in);
	} d[] = {
		{ "32-bit cmpxchg loses r0's zero-extension on a pruned path", defect1 },
		{ "atomic fetch from the stack breaks precision tracking (wrong dead code)", defect2 },
	};
	uint8_t in[CTX_SIZE] = { 0 }, kout[CTX_SIZE], uout[CTX_SIZE];
	uint32_t i;
	int w;

	pk_put_le64(in, 0x1122334455667788ULL);
	pk_put_le64(in + 8, 0x567a); /* bit 1 set, non-negative */
	for (i = 0; i < PK_ARRAY_SIZE(d); i++) {
		for (w = 0; w < 2; w++) {
			struct gen g = { .n = 0 };
			uint64_t want = d[i].build(&g, w, in), r0;
			uint32_t rv;
			int e, rc;

			rc = run_both(ctx, g.in, g.n, in, kout, uout, &r0, &rv, &e);
			if (rc == RUN_KERNEL_REJECTED &&
			    (e == EPERM || e == ENOSYS || e == EACCES))
				SKIP("the kernel refuses BPF programs (%s)", strerror(e));
			CHECK_EQ_INT(rc, RUN_OK);
			if (rc != RUN_OK)
				continue;
			CHECK_EQ_INT(pk_get_le64(uout + CTX_IN), want);
			if (w)
				CHECK_EQ_INT(pk_get_le64(kout + CTX_IN), want);
			else
				printf("host kernel defect %u, %s: %s (kernel 0x%" PRIx64
				       ", RFC 9669 0x%" PRIx64 ")\n",
				       i + 1, d[i].what,
				       pk_get_le64(kout + CTX_IN) != want ? "present" : "absent",
				       pk_get_le64(kout + CTX_IN), want);
		}
	}
}

#define I(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }
#define R0_EXIT I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0), I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define ST8(off) I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, off, 0)

/*
 * Verdicts: each program loaded by the host kernel (BPF_PROG_TYPE_SYSCALL)
 * and verified by the sandbox as a kernel-run kind; they must agree.  The
 * rules are 6.1's (kernel/bpf/verifier.c 6.1.192 lines in the comments)
 * and unchanged in the host kernel.  cpu v4 instructions are not here:
 * the host kernel has them, 6.1 does not (tests/bpf-hostile/ covers them,
 * citing the 6.1 source).
 */
static const struct verdict_probe {
	const char *what;
	struct bpf_insn in[10];
} verdict_probes[] = {
	/* check_alu_op, line 9639 */
	{ "r2 = 7; r2 <<= 64", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 7),
				 I(BPF_ALU64 | BPF_LSH | BPF_K, 2, 0, 0, 64), R0_EXIT } },
	{ "r2 = 7; r2 >>= -1", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 7),
				 I(BPF_ALU64 | BPF_RSH | BPF_K, 2, 0, 0, -1), R0_EXIT } },
	{ "r2 = 7; r2 s>>= 63", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 7),
				  I(BPF_ALU64 | BPF_ARSH | BPF_K, 2, 0, 0, 63), R0_EXIT } },
	{ "w2 = 1; w2 <<= 32", { I(BPF_ALU | BPF_MOV | BPF_K, 2, 0, 0, 1),
				 I(BPF_ALU | BPF_LSH | BPF_K, 2, 0, 0, 32), R0_EXIT } },
	{ "w2 = 1; w2 s>>= 31", { I(BPF_ALU | BPF_MOV | BPF_K, 2, 0, 0, 1),
				  I(BPF_ALU | BPF_ARSH | BPF_K, 2, 0, 0, 31), R0_EXIT } },
	/* line 9630 */
	{ "r2 = 7; r2 /= 0", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 7),
			       I(BPF_ALU64 | BPF_DIV | BPF_K, 2, 0, 0, 0), R0_EXIT } },
	{ "w2 = 7; w2 %= 0", { I(BPF_ALU | BPF_MOV | BPF_K, 2, 0, 0, 7),
			       I(BPF_ALU | BPF_MOD | BPF_K, 2, 0, 0, 0), R0_EXIT } },
	{ "r2 = 7; r2 %= 3", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 7),
			       I(BPF_ALU64 | BPF_MOD | BPF_K, 2, 0, 0, 3), R0_EXIT } },
	/* reserved fields: lines 9492, 9500, 9535, 9618 */
	{ "r2 = -r2 with imm 1", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 7),
				   I(BPF_ALU64 | BPF_NEG, 2, 0, 0, 1), R0_EXIT } },
	{ "w2 = be8 w2", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 7),
			   I(BPF_ALU | BPF_END | BPF_TO_BE, 2, 0, 0, 8), R0_EXIT } },
	{ "r2 = 7 with src_reg 1", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 1, 0, 7), R0_EXIT } },
	{ "r2 += 1 with off 3", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 7),
				  I(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 3, 1), R0_EXIT } },
	/* check_ptr_alignment, stack always strict: line 4403 */
	{ "*(u64 *)(r10 - 12) = 0", { I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -12, 0), R0_EXIT } },
	{ "*(u16 *)(r10 - 3) = 0", { I(BPF_ST | BPF_MEM | BPF_H, 10, 0, -3, 0), R0_EXIT } },
	{ "*(u32 *)(r10 - 4) = 0", { I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0), R0_EXIT } },
	{ "*(u8 *)(r10 - 3) = 0", { I(BPF_ST | BPF_MEM | BPF_B, 10, 0, -3, 0), R0_EXIT } },
	{ "r0 = *(u32 *)(r10 - 6)", { ST8(-8), I(BPF_LDX | BPF_MEM | BPF_W, 0, 10, -6, 0),
				      I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) } },
	{ "r2 = r10; r2 += -9; *(u32 *)(r2 + 1) = 0",
	  { I(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0), I(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -9),
	    I(BPF_ST | BPF_MEM | BPF_W, 2, 0, 1, 0), R0_EXIT } },
	/* a variable offset: tnum_is_aligned(var_off + off), line 4365 */
	{ "r3 = r10 - 32 + (ctx[0] & 0x18); *(u64 *)(r3 + 0) = 0",
	  { I(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, 0, 0), I(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0x18),
	    I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0), I(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -32),
	    I(BPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0), I(BPF_ST | BPF_MEM | BPF_DW, 3, 0, 0, 0),
	    R0_EXIT } },
	{ "r3 = r10 - 32 + (ctx[0] & 0x1c); *(u64 *)(r3 + 0) = 0",
	  { I(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, 0, 0), I(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0x1c),
	    I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0), I(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -32),
	    I(BPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0), I(BPF_ST | BPF_MEM | BPF_DW, 3, 0, 0, 0),
	    R0_EXIT } },
	/* atomics: strict_alignment_once, lines 5269-5280 */
	{ "lock *(u32 *)(r10 - 6) += r1", { ST8(-8), I(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
					    I(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -6, BPF_ADD), R0_EXIT } },
	{ "lock *(u32 *)(r10 - 4) += r1", { ST8(-8), I(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
					    I(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -4, BPF_ADD), R0_EXIT } },
	/* a syscall program's context: syscall_prog_is_valid_access(),
	 * syscall.c line 5208, and check_ptr_off_reg(), line 3883 */
	{ "r0 = *(u64 *)(r1 + 4)", { I(BPF_LDX | BPF_MEM | BPF_DW, 0, 1, 4, 0),
				     I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) } },
	{ "r0 = *(u32 *)(r1 + 4)", { I(BPF_LDX | BPF_MEM | BPF_W, 0, 1, 4, 0),
				     I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) } },
	{ "r1 += 8; r0 = *(u64 *)(r1 + 0)", { I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 8),
					      I(BPF_LDX | BPF_MEM | BPF_DW, 0, 1, 0, 0),
					      I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) } },
	/* callx: line 12695 (no kernel has it) */
	{ "callx r2", { I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 6),
			I(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0), R0_EXIT } },
};

static void probe_verdicts(struct pk_ctx *ctx)
{
	const struct verdict_probe *t = verdict_probes;
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .prog_flags = BPF_F_SLEEPABLE,
		    .log_buf = klog, .log_size = sizeof(klog), .log_level = 1);
	struct pk_bpf_env env = { .ctx_size = CTX_SIZE };
	uint32_t i, n, agree = 0, rejected = 0;

	for (i = 0; i < PK_ARRAY_SIZE(verdict_probes); i++) {
		struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_LSKEL_LOADER,
					    .insns = (struct bpf_insn *)t[i].in };
		bool kok, uok;
		int fd;

		for (n = 0; n < PK_ARRAY_SIZE(t[i].in) && t[i].in[n].code; n++)
			;
		prog.insn_cnt = n;
		klog[0] = 0;
		fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pk_verdict", "GPL", t[i].in, n, &lopts);
		if (fd < 0 && (errno == EPERM || errno == ENOSYS))
			SKIP("the kernel refuses BPF programs (%s)", strerror(errno));
		kok = fd >= 0;
		if (fd >= 0)
			close(fd);
		uok = pk_bpf_verify(ctx, &env, &prog) == 0;
		if (kok != uok) {
			/* the kernel's reason: the line before "processed N insns" */
			char *why = strstr(klog, "\nprocessed "), *b;

			if (why) {
				*why = 0;
				b = strrchr(klog, '\n');
				why = b ? b + 1 : klog;
			}
			printf("verdict %u (%s): kernel %s (%s), sandbox %s (%s)\n", i, t[i].what,
			       kok ? "accepts" : "rejects", kok || !why ? "" : why,
			       uok ? "accepts" : "rejects", uok ? "" : pk_ctx_errmsg(ctx));
			check_failures++;
		} else {
			agree++;
			rejected += !kok;
		}
	}
	printf("%u verdict probes agree with the host kernel (%u rejected by both)\n", agree, rejected);
}

/*
 * The differential against Linux 6.1 itself (issue 13): the patched 6.1
 * kernel that tests/vm/run.sh boots is the oracle.  Two modes, the guest
 * side in between is tests/vm/pk-bpf-diff61.c:
 *
 *   test-bpf-diff --write-61 FILE
 *	writes PK_DIFF61_PROGS (default 2000) random programs of 6.1's
 *	instruction set (the generator above with v61 set; one in 16 gets a
 *	single cpu v4 instruction, which 6.1 must refuse), the verdict
 *	probes and the two defect programs, each with its context;
 *   test-bpf-diff --compare-61 FILE LOG
 *	reads the guest's answers ("PKD61 ..." lines of the serial log) and
 *	compares them with the sandbox, which verifies and runs each program
 *	as a 6.1 BPF_PROG_TYPE_SYSCALL program would be
 *	(PK_BPF_PROG_LSKEL_LOADER): the verdict of every program, and for
 *	accepted random programs retval and the whole context (every
 *	register and the stack).  Exit 1 on any disagreement or missing
 *	answer.
 *
 * FILE: "PKD61\0\0\0", u32 count, u32 context size, then per record u32
 * type (enum rec_type), u32 aux (program number, probe number, or
 * defect * 2 + workaround), u32 instruction count, the instructions, the
 * context; little-endian, as both ends are x86-64.
 */
enum rec_type { REC_RANDOM, REC_VERDICT, REC_DEFECT };

static const char d61_magic[8] = "PKD61";

/* One cpu v4 instruction in place of a plain ALU one (which wrote its
 * dst): sdiv, movsx, 64-bit bswap or a sign-extending load of the
 * initialised stack; 6.1 has none of them (docs/sandbox.md). */
static bool inject_v4(struct gen *g)
{
	uint32_t k, tries;

	for (tries = 0; tries < 64; tries++) {
		struct bpf_insn *in;

		k = 1 + NREGS + 4 + pick(BODY);
		if (k >= g->n)
			continue;
		in = &g->in[k];
		if (PK_BPF_CLASS(in->code) != BPF_ALU64 && PK_BPF_CLASS(in->code) != BPF_ALU)
			continue;
		switch (pick(4)) {
		case 0:
			*in = (struct bpf_insn){ .code = BPF_ALU64 | BPF_DIV | BPF_K,
						 .dst_reg = in->dst_reg, .off = 1, .imm = 3 };
			break;
		case 1:
			*in = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X,
						 .dst_reg = in->dst_reg, .src_reg = in->dst_reg,
						 .off = 8 };
			break;
		case 2:
			*in = (struct bpf_insn){ .code = BPF_ALU64 | BPF_END | BPF_TO_LE,
						 .dst_reg = in->dst_reg, .imm = 32 };
			break;
		default:
			*in = (struct bpf_insn){ .code = BPF_LDX | BPF_MEMSX | BPF_H,
						 .dst_reg = in->dst_reg, .src_reg = BPF_REG_10,
						 .off = -16 };
			break;
		}
		return true;
	}
	return false;
}

static void put_rec(FILE *f, uint32_t type, uint32_t aux, const struct bpf_insn *in,
		    uint32_t n, const uint8_t *ctx_in)
{
	uint32_t h[3] = { type, aux, n };

	fwrite(h, sizeof(h), 1, f);
	fwrite(in, sizeof(*in), n, f);
	fwrite(ctx_in, CTX_SIZE, 1, f);
}

static uint32_t probe_len(const struct bpf_insn *in, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && in[n].code)
		n++;
	return n;
}

static int write_61(const char *path)
{
	const char *e = getenv("PK_DIFF61_PROGS");
	uint32_t nprog = e ? (uint32_t)atoi(e) : 2000, p, count, i, w, injected = 0;
	static struct gen g;
	uint8_t in[CTX_SIZE] = { 0 };
	FILE *f = fopen(path, "wb");

	if (!f) {
		printf("%s: %s\n", path, strerror(errno));
		return 1;
	}
	count = nprog + (uint32_t)PK_ARRAY_SIZE(verdict_probes) + 4;
	fwrite(d61_magic, sizeof(d61_magic), 1, f);
	fwrite(&count, 4, 1, f);
	i = CTX_SIZE;
	fwrite(&i, 4, 1, f);
	for (i = 0; i < PK_ARRAY_SIZE(verdict_probes); i++)
		put_rec(f, REC_VERDICT, i, verdict_probes[i].in,
			probe_len(verdict_probes[i].in, PK_ARRAY_SIZE(verdict_probes[i].in)), in);
	pk_put_le64(in, 0x1122334455667788ULL);
	pk_put_le64(in + 8, 0x567a); /* probe_kernel_defects()'s input */
	for (i = 0; i < 2; i++)
		for (w = 0; w < 2; w++) {
			g = (struct gen){ .n = 0 };
			if (i)
				defect2(&g, w, in);
			else
				defect1(&g, w, in);
			put_rec(f, REC_DEFECT, i * 2 + w, g.in, g.n, in);
		}
	v61 = true;
	rng = getenv("PK_DIFF_SEED") ? strtoull(getenv("PK_DIFF_SEED"), NULL, 0)
				     : 0x9e3779b97f4a7c15ULL;
	for (p = 0; p < nprog; p++) {
		gen_prog(&g);
		if (!pick(16))
			injected += inject_v4(&g);
		test_random_bytes(&rng, in, sizeof(in));
		put_rec(f, REC_RANDOM, p, g.in, g.n, in);
	}
	if (fclose(f)) {
		printf("%s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("%s: %u random programs of 6.1's instruction set (%u with one cpu v4 instruction), %zu verdict probes, 4 defect programs\n",
	       path, nprog, injected, PK_ARRAY_SIZE(verdict_probes));
	return 0;
}

struct rec {
	uint32_t type, aux, n;
	struct bpf_insn *insns;
	uint8_t ctx[CTX_SIZE];
	/* the guest's answer */
	int answered; /* 1: accepted and ran, -1: rejected, -2: run failed */
	int kerr;
	uint32_t retval;
	uint8_t kout[CTX_SIZE];
	char why[160];
};

static int hexbytes(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return s[2 * n] && s[2 * n] != '\r' && s[2 * n] != '\n' && s[2 * n] != ' ' ? -1 : 0;
}

/* "PKD61 IDX ok RETVAL CTXHEX" | "PKD61 IDX rej ERRNO why..." | "PKD61 IDX run ERRNO" */
static void parse_answers(FILE *log, struct rec *r, uint32_t count, double *secs)
{
	static char line[4096];

	while (fgets(line, sizeof(line), log)) {
		char *p = strstr(line, "PKD61 "), what[8];
		unsigned int idx, rv;
		int e, used = 0;

		if (!p)
			continue;
		if (sscanf(p, "PKD61 END %*u %lf", secs) == 1)
			continue;
		if (sscanf(p, "PKD61 %u %7s %n", &idx, what, &used) != 2 || idx >= count)
			continue;
		p += used;
		if (!strcmp(what, "ok") && sscanf(p, "%x %n", &rv, &used) == 1 &&
		    !hexbytes(p + used, r[idx].kout, CTX_SIZE)) {
			r[idx].answered = 1;
			r[idx].retval = rv;
		} else if (!strcmp(what, "rej") && sscanf(p, "%d %n", &e, &used) == 1) {
			r[idx].answered = -1;
			r[idx].kerr = e;
			snprintf(r[idx].why, sizeof(r[idx].why), "%s", p + used);
			r[idx].why[strcspn(r[idx].why, "\r\n")] = 0;
		} else if (!strcmp(what, "run") && sscanf(p, "%d", &e) == 1) {
			r[idx].answered = -2;
			r[idx].kerr = e;
		}
	}
}

static int read_recs(const char *path, struct rec **ret, uint32_t *ret_count)
{
	FILE *f = fopen(path, "rb");
	char magic[8];
	uint32_t count = 0, csz = 0, i;
	struct rec *r = NULL;

	if (!f) {
		printf("%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fread(magic, 8, 1, f) != 1 || memcmp(magic, d61_magic, 8) ||
	    fread(&count, 4, 1, f) != 1 || fread(&csz, 4, 1, f) != 1 || csz != CTX_SIZE ||
	    count > 1000000 || !(r = calloc(count, sizeof(*r))))
		goto bad;
	for (i = 0; i < count; i++) {
		uint32_t h[3];

		if (fread(h, sizeof(h), 1, f) != 1 || h[2] > MAXI)
			goto bad;
		r[i].type = h[0];
		r[i].aux = h[1];
		r[i].n = h[2];
		r[i].insns = calloc(h[2] + 1, sizeof(struct bpf_insn));
		if (!r[i].insns || fread(r[i].insns, sizeof(struct bpf_insn), h[2], f) != h[2] ||
		    fread(r[i].ctx, CTX_SIZE, 1, f) != 1)
			goto bad;
	}
	fclose(f);
	*ret = r;
	*ret_count = count;
	return 0;
bad:
	printf("%s: not a --write-61 file (record %u)\n", path, r ? i : 0);
	if (r)
		for (i = 0; i < count; i++)
			free(r[i].insns);
	free(r);
	fclose(f);
	return -1;
}

/*
 * The one known verdict difference (docs/sandbox.md, "Known verdict
 * differences from 6.1"): 6.1 checks an ALU instruction's reserved fields
 * in check_alu_op(), i.e. only on the paths do_check() explores, so an
 * `off` in code it proves dead loads (the code is then removed); the
 * sandbox refuses reserved fields everywhere.  Returns true, and the
 * sandbox's results in @uout/@r0, when the sandbox's only reason is such a
 * field: with `off` cleared it accepts the program and (the instruction
 * never running) gives 6.1's results, compared by the caller.
 */
static bool reserved_in_dead_code(struct pk_ctx *ctx, const struct rec *r, uint8_t *uout,
				  uint64_t *r0)
{
	static struct bpf_insn t[MAXI + 1];
	struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_LSKEL_LOADER, .insns = t,
				    .insn_cnt = r->n };
	struct pk_bpf_env env = { .ctx_size = CTX_SIZE, .insn_budget = 10000 };
	struct pk_bpf_input input = { .mem = uout, .mem_len = CTX_SIZE };
	struct pk_bpf_vm *vm = NULL;
	const char *msg = pk_ctx_errmsg(ctx);
	unsigned int idx;
	int err;

	if (!strstr(msg, " uses reserved fields (off ") || sscanf(msg, "insn %u:", &idx) != 1 ||
	    idx >= r->n)
		return false;
	memcpy(t, r->insns, r->n * sizeof(t[0]));
	if ((PK_BPF_CLASS(t[idx].code) != BPF_ALU64 && PK_BPF_CLASS(t[idx].code) != BPF_ALU) ||
	    !t[idx].off)
		return false;
	t[idx].off = 0;
	memcpy(uout, r->ctx, CTX_SIZE);
	err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
	if (!err)
		err = pk_bpf_vm_run(vm, &input, r0);
	pk_bpf_vm_free(vm);
	return !err;
}

static int compare_61(const char *progs, const char *logpath)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct rec *r = NULL;
	uint32_t count = 0, i, missing = 0, acc = 0, rej = 0, v4 = 0, bad = 0, vagree = 0;
	uint32_t dead = 0, ncmp;
	uint64_t feats[F_NFEAT] = { 0 };
	double secs = -1;
	FILE *log;

	if (!ctx || read_recs(progs, &r, &count)) {
		pk_ctx_free(ctx);
		return 1;
	}
	log = fopen(logpath, "r");
	if (!log) {
		printf("%s: %s\n", logpath, strerror(errno));
		for (i = 0; i < count; i++)
			free(r[i].insns);
		free(r);
		pk_ctx_free(ctx);
		return 1;
	} else {
		parse_answers(log, r, count, &secs);
		fclose(log);
	}
	/* PK_DIFF61_RECORDS=N: the first N records only (run.sh's doctored logs) */
	ncmp = getenv("PK_DIFF61_RECORDS") ? (uint32_t)atoi(getenv("PK_DIFF61_RECORDS")) : count;
	if (ncmp > count)
		ncmp = count;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	for (i = 0; i < ncmp; i++) {
		struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_LSKEL_LOADER,
					    .insns = r[i].insns, .insn_cnt = r[i].n };
		struct pk_bpf_env env = { .ctx_size = CTX_SIZE, .insn_budget = 10000 };
		uint8_t uout[CTX_SIZE];
		struct pk_bpf_input input = { .mem = uout, .mem_len = CTX_SIZE };
		struct pk_bpf_vm *vm = NULL;
		uint64_t r0 = 0;
		bool kok = r[i].answered == 1, uok;
		struct gen tmp = { .n = 0 };
		int err, run = -1;
		bool known = false;
		char why[256];

		if (!r[i].answered) {
			printf("record %u: no answer from the guest\n", i);
			missing++;
			continue;
		}
		if (r[i].answered == -2) {
			printf("record %u: BPF_PROG_TEST_RUN failed in the guest: %s\n", i,
			       strerror(r[i].kerr));
			bad++;
			continue;
		}
		memcpy(uout, r[i].ctx, CTX_SIZE);
		err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
		uok = !err;
		if (uok)
			run = pk_bpf_vm_run(vm, &input, &r0);
		pk_bpf_vm_free(vm);
		if (kok && !uok && r[i].type == REC_RANDOM) {
			snprintf(why, sizeof(why), "%s", pk_ctx_errmsg(ctx));
			known = reserved_in_dead_code(ctx, &r[i], uout, &r0);
		}
		if (known) {
			printf("record %u (program %u): known difference, 6.1 accepts a reserved field in code it proves dead: %s\n",
			       i, r[i].aux, why);
			dead++;
			uok = true;
			run = 0;
		}
		if (kok != uok) {
			printf("record %u (%s %u): 6.1 %s%s%s%s, sandbox %s%s%s\n", i,
			       r[i].type == REC_RANDOM ? "program" :
			       r[i].type == REC_VERDICT ? "verdict probe" : "defect",
			       r[i].aux, kok ? "accepts" : "rejects", kok ? "" : " (",
			       kok ? "" : r[i].why, kok ? "" : ")", uok ? "accepts" : "rejects: ",
			       uok ? "" : pk_ctx_errmsg(ctx), "");
			if (r[i].type == REC_VERDICT)
				printf("  %s\n", verdict_probes[r[i].aux].what);
			else
				dump(r[i].insns, r[i].n, false);
			bad++;
			continue;
		}
		if (r[i].type == REC_VERDICT) {
			vagree++;
			continue;
		}
		if (!kok) {
			rej++;
			memcpy(tmp.in, r[i].insns, r[i].n * sizeof(tmp.in[0]));
			tmp.n = r[i].n;
			/* a program 6.1 and the sandbox both refuse: the
			 * injected cpu v4 instruction, or report it */
			for (err = 0; err < (int)r[i].n; err++) {
				const struct bpf_insn *in = &r[i].insns[err];

				if (in->off && (PK_BPF_CLASS(in->code) == BPF_ALU64 ||
						PK_BPF_CLASS(in->code) == BPF_ALU))
					break;
				if (in->code == (BPF_ALU64 | BPF_END | BPF_TO_LE) ||
				    PK_BPF_MODE(in->code) == BPF_MEMSX)
					break;
			}
			if (err < (int)r[i].n)
				v4++;
			else
				printf("record %u: refused by both (6.1: %s), not for cpu v4\n", i,
				       r[i].why);
			continue;
		}
		if (run) {
			printf("record %u: 6.1 ran it, the sandbox failed: %s\n", i, pk_ctx_errmsg(ctx));
			dump(r[i].insns, r[i].n, false);
			bad++;
			continue;
		}
		if (r[i].type == REC_DEFECT) {
			uint64_t want = r[i].aux / 2 ? defect2(&tmp, r[i].aux % 2, r[i].ctx)
						     : defect1(&tmp, r[i].aux % 2, r[i].ctx);
			bool k_ok = pk_get_le64(r[i].kout + CTX_IN) == want;

			CHECK_EQ_INT(pk_get_le64(uout + CTX_IN), want);
			/* 6.1 has neither defect (host kernel defects,
			 * docs/sandbox.md): the generator's workarounds are
			 * off in v61 mode, so both minimal programs must
			 * give the RFC value too */
			CHECK(k_ok);
			if (!(r[i].aux % 2))
				printf("host kernel defect %u in 6.1: %s (kernel 0x%" PRIx64
				       ", RFC 9669 0x%" PRIx64 ")\n", r[i].aux / 2 + 1,
				       k_ok ? "absent" : "present",
				       pk_get_le64(r[i].kout + CTX_IN), want);
			continue;
		}
		acc += !known;
		if ((uint32_t)r0 != r[i].retval || memcmp(r[i].kout, uout, CTX_SIZE)) {
			uint32_t k;

			printf("record %u (program %u): results differ\n", i, r[i].aux);
			for (k = 0; k < CTX_SIZE; k += 8)
				if (memcmp(r[i].kout + k, uout + k, 8))
					printf("  ctx+%u: 6.1 0x%" PRIx64 " sandbox 0x%" PRIx64 "\n", k,
					       pk_get_le64(r[i].kout + k), pk_get_le64(uout + k));
			printf("  sandbox r0 0x%" PRIx64 ", 6.1 retval 0x%x\n", r0, r[i].retval);
			dump(r[i].insns, r[i].n, false);
			bad++;
			continue;
		}
		tmp.n = r[i].n;
		memcpy(tmp.in, r[i].insns, r[i].n * sizeof(tmp.in[0]));
		count_feats(&tmp, feats);
	}
	printf("Linux 6.1 differential: %u records; random programs: %u accepted by both with equal results, %u refused by both (%u for their cpu v4 instruction), %u known differences (reserved field in dead code, results equal); %u of %zu verdict probes agree; %u disagreements, %u unanswered; guest time %.1f s\n",
	       count, acc, rej, v4, dead, vagree, PK_ARRAY_SIZE(verdict_probes), bad, missing, secs);
	printf("instructions per class (accepted programs):");
	for (i = 0; i < F_NFEAT; i++)
		printf(" %s %" PRIu64, feat_name[i], feats[i]);
	printf("\n");
	check_failures += (int)(bad + missing);
	CHECK(acc > 0);
	for (i = 0; i < count; i++)
		free(r[i].insns);
	free(r);
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}

int main(int argc, char **argv)
{
	const char *e = getenv("PK_DIFF_PROGS");
	uint32_t nprog = e ? (uint32_t)atoi(e) : 1500, p, compared = 0, kernel_rejected = 0;
	uint64_t feats[F_NFEAT] = { 0 }, with_calls = 0, insns = 0;
	struct pk_ctx *ctx = pk_ctx_new();
	int f;

	if (argc == 3 && !strcmp(argv[1], "--write-61")) {
		pk_ctx_free(ctx);
		return write_61(argv[2]);
	}
	if (argc == 4 && !strcmp(argv[1], "--compare-61")) {
		pk_ctx_free(ctx);
		return compare_61(argv[2], argv[3]);
	}
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	probe_kernel_defects(ctx);
	probe_verdicts(ctx);
	rng = getenv("PK_DIFF_SEED") ? strtoull(getenv("PK_DIFF_SEED"), NULL, 0)
				     : 0x9e3779b97f4a7c15ULL;
	for (p = 0; p < nprog; p++) {
		uint8_t in[CTX_SIZE], kout[CTX_SIZE], uout[CTX_SIZE];
		static struct gen g;
		uint64_t r0 = 0;
		uint32_t rv = 0;
		int rc, err = 0;

		gen_prog(&g);
		test_random_bytes(&rng, in, sizeof(in));
		rc = run_both(ctx, g.in, g.n, in, kout, uout, &r0, &rv, &err);
		switch (rc) {
		case RUN_KERNEL_REJECTED:
			if (err == EPERM || err == ENOSYS || err == EACCES)
				SKIP("the kernel refuses BPF programs (%s)", strerror(err));
			kernel_rejected++;
			if (getenv("PK_DIFF_VERBOSE"))
				printf("prog %u: kernel rejected: %s\n", p, klog);
			continue;
		case RUN_KERNEL_FAILED:
			if (!p && (err == EPERM || err == EOPNOTSUPP))
				SKIP("BPF_PROG_TEST_RUN refused (%s)", strerror(err));
			printf("prog %u: test_run failed: %s\n", p, strerror(err));
			check_failures++;
			continue;
		case RUN_SANDBOX_FAILED:
			printf("prog %u: kernel accepted, sandbox failed: %s\n", p,
			       pk_ctx_errmsg(ctx));
			dump(g.in, g.n, false);
			check_failures++;
			break;
		default:
			if ((uint32_t)r0 != rv || memcmp(kout, uout, CTX_SIZE)) {
				printf("prog %u (PK_DIFF_PROGS=%u): results differ\n", p, p + 1);
				minimise(ctx, &g, in);
				printf("  full program:\n");
				dump(g.in, g.n, false);
				check_failures++;
				break;
			}
			compared++;
			insns += g.n;
			with_calls += g.ncall > 0;
			count_feats(&g, feats);
			continue;
		}
		if (check_failures > 3)
			break;
	}
	printf("%u random programs compared with the host kernel (%u rejected by the kernel), %" PRIu64 " instructions, %" PRIu64 " programs with bpf-to-bpf calls\n",
	       compared, kernel_rejected, insns, with_calls);
	printf("instructions per class:");
	for (f = 0; f < F_NFEAT; f++)
		printf(" %s %" PRIu64, feat_name[f], feats[f]);
	printf("\n");
	CHECK(compared >= nprog * 9 / 10);
	for (f = 0; f < F_NFEAT; f++)
		CHECK(nprog < 100 || feats[f] > 0);
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
