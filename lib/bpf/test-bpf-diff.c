// SPDX-License-Identifier: MIT
/*
 * test-bpf-diff.c - differential test of the interpreter against the host
 * kernel (the oracle): random cpu-v4 programs - ALU/ALU64 (incl. signed
 * div/mod, movsx, byte swaps, neg, shifts), JMP/JMP32 forward branches,
 * loads/stores of every width incl. sign-extending loads and store-immediate
 * on the stack, every atomic on the stack - run as BPF_PROG_TYPE_SYSCALL
 * with BPF_PROG_TEST_RUN in the kernel and as PK_BPF_PROG_LSKEL_LOADER (r1 =
 * a context) in the sandbox.  Every register and the stack are stored into
 * the context at the end, so full 64-bit results are compared, not the
 * 32-bit retval only.  Skips (77) when the kernel refuses BPF.
 *
 * PK_DIFF_PROGS (default 60) and PK_DIFF_SEED change the run.  Known open
 * disagreement: with the default seed, program 68 (PK_DIFF_PROGS=69) ends
 * with a different r0/stack; the minimiser points at a 32-bit multiply
 * after a JSET branch - not yet explained (docs/sandbox.md).
 */
#include <bpf/bpf.h>
#include <inttypes.h>
#include <unistd.h>

#include "bpf/insn.h"
#include "bpf/vm.h"
#include "check.h"
#include "internal.h"

#define CTX_IN 80 /* ten u64 inputs */
#define CTX_SIZE (CTX_IN + 10 * 8 + 4 * 8)
#define BODY 48
#define MAXI 256

static uint64_t rng;

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

static const uint8_t regs[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9 };

static uint8_t reg(void)
{
	return regs[pick(sizeof(regs))];
}

static int32_t imm(void)
{
	static const int32_t special[] = { 0, 1, -1, 2, 7, 31, 32, 63, 64,
					   INT32_MIN, INT32_MAX, 0xff, 0xffff };

	return pick(3) ? special[pick(PK_ARRAY_SIZE(special))] : (int32_t)rnd();
}

struct gen {
	struct bpf_insn in[MAXI];
	uint32_t n;
};

static void emit(struct gen *g, uint8_t code, uint8_t dst, uint8_t src,
		 int16_t off, int32_t im)
{
	g->in[g->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst,
					   .src_reg = src, .off = off, .imm = im };
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
		emit(g, cls | op, reg(), 0, 0, 0);
		return;
	}
	if (op == BPF_END) {
		static const int w[] = { 16, 32, 64 };

		if (cls == BPF_ALU64)
			emit(g, BPF_ALU64 | BPF_END | BPF_TO_LE, reg(), 0, 0, w[pick(3)]);
		else
			emit(g, BPF_ALU | BPF_END | (pick(2) ? BPF_TO_BE : BPF_TO_LE), reg(),
			     0, 0, w[pick(3)]);
		return;
	}
	if ((op == BPF_DIV || op == BPF_MOD) && pick(2))
		off = 1;
	if (op == BPF_MOV && x && pick(2)) {
		static const int16_t w[] = { 8, 16, 32 };

		off = w[pick(cls == BPF_ALU64 ? 3 : 2)];
	}
	if (!x && (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH))
		im = (int32_t)pick(cls == BPF_ALU64 ? 64 : 32);
	emit(g, cls | op | (x ? BPF_X : BPF_K), reg(), x ? reg() : 0, off, im);
}

static void gen_mem(struct gen *g)
{
	static const uint8_t sz[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	uint8_t s = sz[pick(4)];
	unsigned int n = pk_bpf_size_bytes(s);
	int16_t off = (int16_t)(-32 + (int16_t)(pick(32 / n) * n));

	switch (pick(4)) {
	case 0:
		emit(g, BPF_LDX | ((s != BPF_DW && pick(2)) ? BPF_MEMSX : BPF_MEM) | s,
		     reg(), BPF_REG_10, off, 0);
		break;
	case 1:
		emit(g, BPF_STX | BPF_MEM | s, BPF_REG_10, reg(), off, 0);
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

		off = (int16_t)(-32 + (int16_t)(pick(dw ? 4 : 8) * (dw ? 8 : 4)));
		emit(g, BPF_STX | BPF_ATOMIC | (dw ? BPF_DW : BPF_W), BPF_REG_10, reg(),
		     off, ops[pick(PK_ARRAY_SIZE(ops))]);
	}
	}
}

static void gen_prog(struct gen *g)
{
	static const uint8_t jops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT,
					BPF_JLE, BPF_JSET, BPF_JSGT, BPF_JSGE,
					BPF_JSLT, BPF_JSLE };
	uint32_t i, body_end, k;

	g->n = 0;
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	for (i = 0; i < PK_ARRAY_SIZE(regs); i++)
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, regs[i], 6, (int16_t)(8 * i), 0);
	for (i = 0; i < 4; i++)
		emit(g, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, regs[pick(9)],
		     (int16_t)(-8 * (i + 1)), 0);
	body_end = g->n + BODY;
	while (g->n < body_end) {
		k = pick(10);
		if (k < 5) {
			gen_alu(g);
		} else if (k < 8) {
			gen_mem(g);
		} else {
			uint32_t left = body_end - g->n - 1;
			bool x = pick(2);

			emit(g, (pick(2) ? BPF_JMP : BPF_JMP32) | jops[pick(11)] |
				 (x ? BPF_X : BPF_K), reg(), x ? reg() : 0,
			     (int16_t)(left ? pick(left < 6 ? left + 1 : 6) : 0),
			     x ? 0 : imm());
		}
	}
	for (i = 0; i < PK_ARRAY_SIZE(regs); i++)
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 6, regs[i], (int16_t)(CTX_IN + 8 * i), 0);
	for (i = 0; i < 4; i++) {
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 1, BPF_REG_10, (int16_t)(-8 * (i + 1)), 0);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 6, 1, (int16_t)(CTX_IN + 80 + 8 * i), 0);
	}
	emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int run_both(struct pk_ctx *ctx, const struct gen *g, const uint8_t *in,
		    uint8_t *kout, uint8_t *uout, uint64_t *r0, uint32_t *retval)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .prog_flags = BPF_F_SLEEPABLE);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = kout, .ctx_size_in = CTX_SIZE);
	struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_LSKEL_LOADER,
				    .insns = (struct bpf_insn *)g->in, .insn_cnt = g->n };
	struct pk_bpf_env env = { .ctx_size = CTX_SIZE, .insn_budget = 1000 };
	struct pk_bpf_input input = { .mem = uout, .mem_len = CTX_SIZE };
	struct pk_bpf_vm *vm = NULL;
	int fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pk_diff", "GPL", g->in, g->n, &lopts);
	int err;

	if (fd < 0)
		return -1;
	memcpy(kout, in, CTX_SIZE);
	memcpy(uout, in, CTX_SIZE);
	err = bpf_prog_test_run_opts(fd, &topts);
	close(fd);
	if (err)
		return -1;
	*retval = topts.retval;
	err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
	if (!err)
		err = pk_bpf_vm_run(vm, &input, r0);
	pk_bpf_vm_free(vm);
	return err ? -1 : 0;
}

/* The first body instruction whose removal (made a no-op, later ones too)
 * makes the results agree: the one the two executors disagree on. */
static void minimise(struct pk_ctx *ctx, const struct gen *g, const uint8_t *in)
{
	uint32_t j, first = 1 + PK_ARRAY_SIZE(regs) + 4;

	for (j = first; j <= first + BODY; j++) {
		struct gen t = *g;
		uint8_t kout[CTX_SIZE], uout[CTX_SIZE];
		uint64_t r0 = 0;
		uint32_t rv = 0, k;

		for (k = j; k < first + BODY; k++)
			t.in[k] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X };
		if (run_both(ctx, &t, in, kout, uout, &r0, &rv))
			continue;
		if ((uint32_t)r0 != rv || memcmp(kout, uout, CTX_SIZE)) {
			printf("  first disagreement at insn %u: code 0x%02x dst r%u src r%u off %d imm %d\n",
			       j - 1, g->in[j - 1].code, g->in[j - 1].dst_reg, g->in[j - 1].src_reg,
			       g->in[j - 1].off, g->in[j - 1].imm);
			for (k = 0; k < CTX_SIZE; k += 8)
				if (memcmp(kout + k, uout + k, 8))
					printf("  ctx+%u: kernel 0x%" PRIx64 " sandbox 0x%" PRIx64 "\n",
					       k, pk_get_le64(kout + k), pk_get_le64(uout + k));
			printf("  r0 0x%" PRIx64 " retval 0x%x\n", r0, rv);
			return;
		}
	}
}

static void dump(const struct gen *g)
{
	uint32_t i;

	for (i = 0; i < g->n; i++)
		printf("  %3u: code 0x%02x dst r%u src r%u off %d imm %d\n", i,
		       g->in[i].code, g->in[i].dst_reg, g->in[i].src_reg,
		       g->in[i].off, g->in[i].imm);
}

int main(void)
{
	const char *e = getenv("PK_DIFF_PROGS");
	uint32_t nprog = e ? (uint32_t)atoi(e) : 60, p, compared = 0, kernel_rejected = 0;
	static char log[65536];
	struct pk_ctx *ctx = pk_ctx_new();

	rng = getenv("PK_DIFF_SEED") ? strtoull(getenv("PK_DIFF_SEED"), NULL, 0)
				     : 0x9e3779b97f4a7c15ULL;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	for (p = 0; p < nprog; p++) {
		LIBBPF_OPTS(bpf_prog_load_opts, lopts, .prog_flags = BPF_F_SLEEPABLE,
			    .log_buf = log, .log_size = sizeof(log), .log_level = 0);
		uint8_t in[CTX_SIZE], kout[CTX_SIZE], uout[CTX_SIZE];
		struct pk_bpf_prog prog = { .kind = PK_BPF_PROG_LSKEL_LOADER };
		struct pk_bpf_env env = { .ctx_size = CTX_SIZE, .insn_budget = 1000 };
		struct pk_bpf_input input = { .mem = uout, .mem_len = CTX_SIZE };
		struct pk_bpf_vm *vm = NULL;
		struct gen g;
		uint64_t r0 = 0;
		int fd, err;

		gen_prog(&g);
		test_random_bytes(&rng, in, sizeof(in));
		memcpy(uout, in, sizeof(in));
		fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pk_diff", "GPL", g.in, g.n, &lopts);
		if (fd < 0) {
			if (errno == EPERM || errno == ENOSYS || errno == EACCES)
				SKIP("the kernel refuses BPF programs (%s)", strerror(errno));
			kernel_rejected++;
			continue;
		}
		{
			/* syscall programs: the context is copied back into ctx_in */
			LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = kout,
				    .ctx_size_in = CTX_SIZE);

			memcpy(kout, in, sizeof(in));

			err = bpf_prog_test_run_opts(fd, &topts);
			close(fd);
			if (err) {
				if (!p && (errno == EPERM || errno == EOPNOTSUPP))
					SKIP("BPF_PROG_TEST_RUN refused (%s)", strerror(errno));
				printf("prog %u: test_run failed: %s\n", p, strerror(errno));
				check_failures++;
				continue;
			}
			prog.insns = g.in;
			prog.insn_cnt = g.n;
			err = pk_bpf_vm_new(ctx, &env, &prog, &vm);
			if (!err)
				err = pk_bpf_vm_run(vm, &input, &r0);
			pk_bpf_vm_free(vm);
			if (err) {
				printf("prog %u: kernel accepted, sandbox failed: %s\n", p,
				       pk_ctx_errmsg(ctx));
				dump(&g);
				check_failures++;
				continue;
			}
			if ((uint32_t)r0 != topts.retval || memcmp(kout, uout, CTX_SIZE)) {
				int i;

				printf("prog %u: results differ (r0 0x%" PRIx64 " vs retval 0x%x)\n",
				       p, r0, topts.retval);
				for (i = CTX_IN; i < CTX_SIZE; i += 8)
					if (memcmp(kout + i, uout + i, 8))
						printf("  ctx+%d: kernel 0x%" PRIx64 " sandbox 0x%" PRIx64 "\n",
						       i, pk_get_le64(kout + i), pk_get_le64(uout + i));
				minimise(ctx, &g, in);
				dump(&g);
				check_failures++;
				if (check_failures > 3)
					break;
				continue;
			}
			compared++;
		}
	}
	printf("%u random programs compared with the host kernel (%u rejected by the kernel)\n",
	       compared, kernel_rejected);
	CHECK(compared >= nprog * 9 / 10);
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
