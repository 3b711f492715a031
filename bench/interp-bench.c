// SPDX-License-Identifier: MIT
/*
 * interp-bench.c - the driver of bench/b-interp.sh: interpreter throughput
 * on CPU-bound programs, against the host kernel running the same
 * instructions through BPF_PROG_TEST_RUN in the same process.
 *
 *   adler32   Adler-32 of a 64 KiB array-map value, byte by byte
 *             (two 64-bit modulo per byte), result checked against zlib
 *   collatz   the total Collatz stopping time of 1..1599 (ALU and
 *             branches only), result checked against C code here
 *
 * Both are ordinary bounded loops the kernel verifier walks iteration by
 * iteration (under its 1M-instruction limit).  The only difference between
 * the two instruction arrays is how the array map's value is addressed:
 * ld_imm64 BPF_PSEUDO_MAP_VALUE with the map fd for the kernel,
 * BPF_PSEUDO_MAP_IDX_VALUE with the map index for the sandbox.
 *
 * Output, one "key value" per line, for the script to turn into rows:
 *   PROG.insns        BPF instructions one run executes (sandbox count)
 *   PROG.sandbox_ns   best-of-batches ns per run in the sandbox
 *   PROG.kernel_ns    ns per run in the kernel as loaded (JIT or not)
 *   PROG.kernel_interp_ns  ns per run with bpf_jit_enable=0, or "na"
 *   kernel.jit        "on", "off" or "always-on"
 * With no BPF in the kernel the kernel lines say "na".  Exit 1 if any
 * result differs from its oracle.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "bpf/vm/insn.h"
#include "bpf/vm/vm.h"

#define DATA_LEN 65536
#define COLLATZ_LIMIT 1600
#define MAXI 64
#define JIT_SYSCTL "/proc/sys/net/core/bpf_jit_enable"

struct prog {
	struct bpf_insn in[MAXI];
	uint32_t n;
	int map_insn; /* index of the map-value ld_imm64, or -1 */
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src,
		 int16_t off, int32_t imm)
{
	p->in[p->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst,
					   .src_reg = src, .off = off, .imm = imm };
}

/* a = 1, b = 0; for i < 65536: a = (a + d[i]) % 65521; b = (b + a) % 65521
 * (the bound is tested at the top of the loop: the sandbox's verifier
 * widens a bottom-tested counter past the array, docs/sandbox.md) */
static void build_adler32(struct prog *p)
{
	p->n = 0;
	p->map_insn = 0;
	emit(p, BPF_LD | BPF_IMM | BPF_DW, 7, 0, 0, 0); /* r7 = &value[0] */
	emit(p, 0, 0, 0, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 1);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	/* loop: 5 */
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 4, 0, 9, DATA_LEN); /* -> out (15) */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 5, 7, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, 5, 4, 0, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_B, 5, 5, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, 2, 5, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOD | BPF_K, 2, 0, 0, 65521);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOD | BPF_K, 3, 0, 0, 65521);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 1);
	emit(p, BPF_JMP | BPF_JA, 0, 0, -10, 0);               /* -> loop (5) */
	/* out: 15 */
	emit(p, BPF_ALU64 | BPF_LSH | BPF_K, 3, 0, 0, 16);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 0, 3, 0, 0);
	emit(p, BPF_ALU64 | BPF_OR | BPF_X, 0, 2, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* total = 0; for n = 1; n < COLLATZ_LIMIT: x = n; while x != 1:
 * total++, x = x odd ? 3x + 1 : x / 2.  (Trial division would be the
 * classic, but the kernel verifier does not track BPF_MOD ranges and gives
 * up on it: "The sequence of 8193 jumps is too complex".) */
static void build_collatz(struct prog *p)
{
	p->n = 0;
	p->map_insn = -1;
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 1);
	/* outer: 2 */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 8, 7, 0, 0);
	/* inner: 3 */
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 8, 0, 9, 1);       /* -> next (13) */
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, 6, 0, 0, 1);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 1, 8, 0, 0);
	emit(p, BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, 1);
	emit(p, BPF_JMP | BPF_JNE | BPF_K, 1, 0, 2, 0);       /* -> odd (10) */
	emit(p, BPF_ALU64 | BPF_RSH | BPF_K, 8, 0, 0, 1);
	emit(p, BPF_JMP | BPF_JA, 0, 0, -7, 0);               /* -> inner (3) */
	/* odd: 10 */
	emit(p, BPF_ALU64 | BPF_MUL | BPF_K, 8, 0, 0, 3);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, 8, 0, 0, 1);
	emit(p, BPF_JMP | BPF_JA, 0, 0, -10, 0);              /* -> inner (3) */
	/* next: 13 */
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, 1);
	emit(p, BPF_JMP | BPF_JLT | BPF_K, 7, 0, -13, COLLATZ_LIMIT); /* -> outer (2) */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 0, 6, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static uint32_t collatz_oracle(void)
{
	uint64_t n, x, total = 0;

	for (n = 1; n < COLLATZ_LIMIT; n++)
		for (x = n; x != 1; total++)
			x = (x & 1) ? 3 * x + 1 : x / 2;
	return (uint32_t)total;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Best ns per run over batches, running for at least ~0.4 s in total. */
#define TIME_RUNS(ret_ns, ok, CALL)                                          \
	do {                                                                 \
		double _best = 0, _start = now_ns(), _t0;                    \
		int _b;                                                      \
		for (_b = 0; _b < 5 || now_ns() - _start < 4e8; _b++) {      \
			_t0 = now_ns();                                      \
			if (!(CALL)) {                                       \
				ok = false;                                  \
				break;                                       \
			}                                                    \
			_t0 = now_ns() - _t0;                                \
			if (!_best || _t0 < _best)                           \
				_best = _t0;                                 \
		}                                                            \
		ret_ns = _best;                                              \
	} while (0)

static int read_jit(void)
{
	char b[8] = { 0 };
	int fd = open(JIT_SYSCTL, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	return n > 0 ? atoi(b) : -1;
}

/* 0 or -errno (EINVAL: CONFIG_BPF_JIT_ALWAYS_ON refuses 0) */
static int write_jit(int v)
{
	char b[8];
	int fd = open(JIT_SYSCTL, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(b, sizeof(b), "%d", v);
	if (write(fd, b, strlen(b)) < 0)
		err = -errno;
	close(fd);
	return err;
}

struct kprog {
	int fd;
	int map_fd;
};

/* Loads @p into the kernel with @jit (-1: as configured); the JIT setting
 * is restored right after the load, which is when it matters. */
static int kernel_load(const struct prog *p, int map_fd, int jit, int *ret_fd)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .prog_flags = BPF_F_SLEEPABLE);
	struct bpf_insn in[MAXI];
	int saved = read_jit(), fd, err;

	memcpy(in, p->in, p->n * sizeof(in[0]));
	if (p->map_insn >= 0) {
		in[p->map_insn].src_reg = BPF_PSEUDO_MAP_VALUE;
		in[p->map_insn].imm = map_fd;
	}
	if (jit >= 0 && saved != jit) {
		err = write_jit(jit);
		if (err)
			return err;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pk_bench", "GPL", in, p->n, &lo);
	err = fd < 0 ? -errno : 0;
	if (jit >= 0 && saved != jit && write_jit(saved))
		fprintf(stderr, "interp-bench: could not restore %s to %d\n",
			JIT_SYSCTL, saved);
	*ret_fd = fd;
	return err;
}

static bool kernel_run(int fd, uint32_t want)
{
	LIBBPF_OPTS(bpf_test_run_opts, to);

	return !bpf_prog_test_run_opts(fd, &to) && to.retval == want;
}

static bool sandbox_run(struct pk_bpf_vm *vm, uint32_t want)
{
	struct pk_bpf_input in = { .mem = NULL, .mem_len = 0 };
	uint64_t r0;

	return !pk_bpf_vm_run(vm, &in, &r0) && r0 == want;
}

static int bench(const char *name, struct prog *p, uint8_t *data, uint32_t want,
		 bool kernel_ok, int jit_state)
{
	struct pk_bpf_map map = { .name = "data", .type = BPF_MAP_TYPE_ARRAY,
				  .key_size = 4, .value_size = DATA_LEN,
				  .max_entries = 1, .data = data, .data_len = DATA_LEN };
	struct pk_bpf_map *maps[1] = { &map };
	struct pk_bpf_prog sp = { .kind = PK_BPF_PROG_LSKEL_LOADER, .insns = p->in,
				  .insn_cnt = p->n, .maps = maps,
				  .map_cnt = p->map_insn >= 0 };
	struct pk_bpf_env env = { .ctx_size = 0 };
	struct pk_bpf_vm *vm = NULL;
	struct pk_ctx *ctx = pk_ctx_new();
	double ns = 0;
	bool ok = true;
	int map_fd = -1, fd, rc = 0;

	if (!ctx)
		return 1;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	if (p->map_insn >= 0)
		p->in[p->map_insn].src_reg = BPF_PSEUDO_MAP_IDX_VALUE;
	if (pk_bpf_vm_new(ctx, &env, &sp, &vm)) {
		fprintf(stderr, "%s: sandbox: %s\n", name, pk_ctx_errmsg(ctx));
		pk_ctx_free(ctx);
		return 1;
	}
	TIME_RUNS(ns, ok, sandbox_run(vm, want));
	if (!ok) {
		fprintf(stderr, "%s: sandbox result differs from the oracle\n", name);
		rc = 1;
	}
	printf("%s.insns %" PRIu64 "\n", name, pk_bpf_vm_insn_count(vm));
	printf("%s.sandbox_ns %.0f\n", name, ns);
	pk_bpf_vm_free(vm);
	pk_ctx_free(ctx);

	if (kernel_ok && p->map_insn >= 0) {
		uint32_t key = 0;

		map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pk_bench", 4, DATA_LEN, 1, NULL);
		if (map_fd < 0 || bpf_map_update_elem(map_fd, &key, data, BPF_ANY))
			kernel_ok = false;
	}
	if (kernel_ok && !kernel_load(p, map_fd, -1, &fd)) {
		ok = true;
		TIME_RUNS(ns, ok, kernel_run(fd, want));
		close(fd);
		if (!ok) {
			fprintf(stderr, "%s: kernel result differs from the oracle\n", name);
			rc = 1;
		}
		printf("%s.kernel_ns %.0f\n", name, ns);
	} else {
		printf("%s.kernel_ns na\n", name);
	}
	if (kernel_ok && jit_state != 2 && !kernel_load(p, map_fd, 0, &fd)) {
		ok = true;
		TIME_RUNS(ns, ok, kernel_run(fd, want));
		close(fd);
		if (!ok) {
			fprintf(stderr, "%s: kernel interpreter result differs\n", name);
			rc = 1;
		}
		printf("%s.kernel_interp_ns %.0f\n", name, ns);
	} else {
		printf("%s.kernel_interp_ns na\n", name);
	}
	if (map_fd >= 0)
		close(map_fd);
	return rc;
}

int main(void)
{
	static uint8_t data[DATA_LEN];
	struct prog p;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint32_t i, adler;
	int jit = read_jit(), jit_state, rc = 0, probe, probe_fd;
	bool kernel_ok;

	for (i = 0; i < DATA_LEN; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		data[i] = (uint8_t)((x * 0x2545F4914F6CDD1DULL) >> 56);
	}
	adler = (uint32_t)adler32(adler32(0, NULL, 0), data, DATA_LEN);

	/* does the kernel load BPF at all, and can the JIT be turned off? */
	build_collatz(&p);
	probe = kernel_load(&p, -1, -1, &probe_fd);
	kernel_ok = !probe;
	if (!kernel_ok)
		fprintf(stderr, "interp-bench: the kernel does not load the program: %s\n",
			strerror(-probe));
	if (kernel_ok)
		close(probe_fd);
	jit_state = jit > 0 ? 1 : 0;
	if (kernel_ok && jit > 0) {
		if (write_jit(0) == -EINVAL)
			jit_state = 2;
		else if (write_jit(jit))
			fprintf(stderr, "interp-bench: could not restore %s\n", JIT_SYSCTL);
	}
	printf("kernel.jit %s\n", !kernel_ok ? "na" :
	       jit_state == 2 ? "always-on" : jit_state ? "on" : "off");

	build_adler32(&p);
	rc |= bench("adler32", &p, data, adler, kernel_ok, jit_state);
	build_collatz(&p);
	rc |= bench("collatz", &p, data, collatz_oracle(), kernel_ok, jit_state);
	return rc;
}
