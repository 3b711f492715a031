// SPDX-License-Identifier: MIT
/*
 * interp-bench.c - the driver of bench/b-interp.sh: interpreter throughput
 * on CPU-bound programs, against the host kernel running the same
 * instructions through BPF_PROG_TEST_RUN in the same process and, when
 * built with PK_BENCH_UBPF (bench/peers.sh ubpf, mk/bpf-vm.mk), against
 * uBPF's interpreter (ubpf_exec, never its JIT) running them too.
 *
 *   adler32   Adler-32 of a 64 KiB array-map value, byte by byte
 *             (two 64-bit modulo per byte), result checked against zlib
 *   collatz   the total Collatz stopping time of 1..1599 (ALU and
 *             branches only), result checked against C code here
 *   checksum  the Internet checksum (RFC 1071) of the 64 KiB, 16-bit
 *             loads, checked against C code
 *   memcpy    copies the first 16 KiB of the value over the next 16 KiB,
 *             8 bytes at a time, xor of the words; checked against C code
 *   branchy   a lexer: classifies 1 KiB byte by byte (digit, letter, blank,
 *             other) with a chain of data-dependent branches and counts
 *             the tokens; checked against C code
 *
 * All are ordinary bounded loops the kernel verifier walks iteration by
 * iteration (under its 1M-instruction limit).  The only difference between
 * the instruction arrays is how the array map's value is addressed:
 * ld_imm64 BPF_PSEUDO_MAP_VALUE with the map fd for the kernel,
 * BPF_PSEUDO_MAP_IDX_VALUE with the map index for the sandbox, a plain
 * ld_imm64 of the host address for uBPF (which gets the same bytes as its
 * bounds-checked memory).  Each engine runs on its own copy of the data.
 *
 * Output, one "key value" per line, for the script to turn into rows:
 *   PROG.insns        BPF instructions one run executes (sandbox count)
 *   PROG.sandbox_ns   min ns per run in the sandbox
 *   PROG.sandbox_med_ns  median ns per run in the sandbox
 *   PROG.ubpf_ns, PROG.ubpf_med_ns  the same for uBPF, or "na"
 *   PROG.runs         runs of each (sandbox and uBPF runs alternate)
 *   PROG.kernel_ns    min ns per run in the kernel as loaded (JIT or not)
 *   PROG.kernel_interp_ns  min ns per run with bpf_jit_enable=0, or "na"
 *   kernel.jit        "on", "off" or "always-on"
 *   ubpf              "yes" or "no" (built without PK_BENCH_UBPF)
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
#ifdef PK_BENCH_UBPF
#include <ubpf.h>
#endif

#include "bpf/vm/insn.h"
#include "bpf/vm/vm.h"

#define DATA_LEN 65536
#define COLLATZ_LIMIT 1600
#define BRANCHY_LEN 1024 /* the kernel verifier gives up on 4096: 8193 jumps */
#define MEMCPY_LEN 16384 /* a store offset is an s16 */
#define MAX_SAMPLES 4096
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

/* a program starting with r7 = &value[0] (the map value's address) */
static void start_with_value(struct prog *p)
{
	p->n = 0;
	p->map_insn = 0;
	emit(p, BPF_LD | BPF_IMM | BPF_DW, 7, 0, 0, 0);
	emit(p, 0, 0, 0, 0, 0);
}

/* a = 1, b = 0; for i < 65536: a = (a + d[i]) % 65521; b = (b + a) % 65521
 * (the bound is tested at the top of the loop: the sandbox's verifier
 * widens a bottom-tested counter past the array, docs/sandbox.md) */
static void build_adler32(struct prog *p)
{
	start_with_value(p);
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

/* sum = 0; for i < 32768: sum += *(u16 *)&d[2 * i]; fold the carries
 * twice; return ~sum & 0xffff.  (The counter counts words: with a byte
 * offset stepping by 2, the sandbox's verifier loses the bound.) */
static void build_checksum(struct prog *p)
{
	start_with_value(p);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	/* loop: 4 */
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 4, 0, 7, DATA_LEN / 2); /* -> out (12) */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 5, 4, 0, 0);
	emit(p, BPF_ALU64 | BPF_LSH | BPF_K, 5, 0, 0, 1);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, 5, 7, 0, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_H, 5, 5, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, 2, 5, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 1);
	emit(p, BPF_JMP | BPF_JA, 0, 0, -8, 0);                    /* -> loop (4) */
	/* out: 12 */
	for (int fold = 0; fold < 2; fold++) {
		emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
		emit(p, BPF_ALU64 | BPF_RSH | BPF_K, 3, 0, 0, 16);
		emit(p, BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
		emit(p, BPF_ALU64 | BPF_ADD | BPF_X, 2, 3, 0, 0);
	}
	emit(p, BPF_ALU64 | BPF_XOR | BPF_K, 2, 0, 0, 0xffff);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static uint32_t checksum_oracle(const uint8_t *d)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < DATA_LEN; i += 2)
		sum += d[i] | (uint32_t)d[i + 1] << 8;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum ^ 0xffff);
}

/* x = 0; for i < 16384 (step 8): w = d[i..]; d[16384 + i..] = w; x ^= w;
 * x ^= the last word written (read back); return the 32-bit fold of x */
static void build_memcpy(struct prog *p)
{
	start_with_value(p);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	/* loop: 4 */
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 4, 0, 7, MEMCPY_LEN); /* -> out (12) */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 5, 7, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, 5, 4, 0, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_DW, 6, 5, 0, 0);
	emit(p, BPF_STX | BPF_MEM | BPF_DW, 5, 6, MEMCPY_LEN, 0);
	emit(p, BPF_ALU64 | BPF_XOR | BPF_X, 0, 6, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 8);
	emit(p, BPF_JMP | BPF_JA, 0, 0, -8, 0);                    /* -> loop (4) */
	/* out: 12 */
	emit(p, BPF_LDX | BPF_MEM | BPF_DW, 6, 7, 2 * MEMCPY_LEN - 8, 0);
	emit(p, BPF_ALU64 | BPF_XOR | BPF_X, 0, 6, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 1, 0, 0, 0);
	emit(p, BPF_ALU64 | BPF_RSH | BPF_K, 1, 0, 0, 32);
	emit(p, BPF_ALU64 | BPF_XOR | BPF_X, 0, 1, 0, 0);
	emit(p, BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 0);           /* w0 = w0 */
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static uint32_t memcpy_oracle(const uint8_t *d)
{
	uint64_t x = 0, w;
	uint32_t i;

	for (i = 0; i < MEMCPY_LEN; i += 8) {
		memcpy(&w, d + i, 8);
		x ^= w;
	}
	memcpy(&w, d + MEMCPY_LEN - 8, 8); /* the last word written */
	x ^= w;
	return (uint32_t)(x ^ (x >> 32));
}

/* tokens = 0, prev = 0; for i < BRANCHY_LEN: c = d[i]; class = digit 1,
 * letter 2, blank 3 (space, \n, \t), else 0; a class change is a token */
static void build_branchy(struct prog *p)
{
	start_with_value(p);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 8, 0, 0, 0);
	/* loop: 5 */
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 4, 0, 22, BRANCHY_LEN); /* -> out (28) */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 5, 7, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, 5, 4, 0, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_B, 5, 5, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 1);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1);          /* 10 */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 2, 5, 0, 0);
	emit(p, BPF_ALU64 | BPF_SUB | BPF_K, 2, 0, 0, '0');
	emit(p, BPF_JMP | BPF_JLT | BPF_K, 2, 0, 10, 10);         /* -> cls (24) */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 2);          /* 14 */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 2, 5, 0, 0);
	emit(p, BPF_ALU64 | BPF_OR | BPF_K, 2, 0, 0, 0x20);
	emit(p, BPF_ALU64 | BPF_SUB | BPF_K, 2, 0, 0, 'a');
	emit(p, BPF_JMP | BPF_JLT | BPF_K, 2, 0, 5, 26);          /* -> cls (24) */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 3);          /* 19 */
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 3, ' ');          /* -> cls (24) */
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 2, '\n');         /* -> cls (24) */
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 1, '\t');         /* -> cls (24) */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0);          /* 23 */
	/* cls: 24 */
	emit(p, BPF_JMP | BPF_JEQ | BPF_X, 1, 6, -20, 0);          /* -> loop (5) */
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, 8, 0, 0, 1);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	emit(p, BPF_JMP | BPF_JA, 0, 0, -23, 0);                   /* -> loop (5) */
	/* out: 28 */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, 0, 8, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static uint32_t branchy_oracle(const uint8_t *d)
{
	uint32_t i, tokens = 0, prev = 0, cls;

	for (i = 0; i < BRANCHY_LEN; i++) {
		uint8_t c = d[i];

		if (c >= '0' && c <= '9')
			cls = 1;
		else if ((uint8_t)((c | 0x20) - 'a') < 26)
			cls = 2;
		else if (c == ' ' || c == '\n' || c == '\t')
			cls = 3;
		else
			cls = 0;
		if (cls != prev) {
			tokens++;
			prev = cls;
		}
	}
	return tokens;
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

/* One engine under test: runs the program once, true if r0 == want. */
struct engine {
	bool (*run)(void *arg, uint32_t want);
	void *arg;
	double ns[MAX_SAMPLES]; /* ns of each run */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Runs the @n engines in turn, one run each per round, for at least 5
 * rounds and ~0.4 s per engine (alternating, so that a noisy neighbour
 * slows all of them alike).  Returns the number of rounds, 0 if a result
 * differed from its oracle; each engine's samples end up sorted.
 */
static int sample(struct engine *e, int n, uint32_t want)
{
	double start = now_ns(), t0;
	int r, i;

	for (r = 0; r < MAX_SAMPLES && (r < 5 || now_ns() - start < 4e8 * n); r++) {
		for (i = 0; i < n; i++) {
			t0 = now_ns();
			if (!e[i].run(e[i].arg, want))
				return 0;
			e[i].ns[r] = now_ns() - t0;
		}
	}
	for (i = 0; i < n; i++)
		qsort(e[i].ns, r, sizeof(e[i].ns[0]), cmp_double);
	return r;
}

static double median(const struct engine *e, int runs)
{
	return runs % 2 ? e->ns[runs / 2] : (e->ns[runs / 2 - 1] + e->ns[runs / 2]) / 2;
}

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

/* Loads @p into the kernel with @jit (-1: as configured); the JIT setting
 * is restored right after the load, which is when it matters. */
static int kernel_load(const struct prog *p, int map_fd, int jit, int *ret_fd)
{
	static char log[1 << 16];
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .prog_flags = BPF_F_SLEEPABLE,
		    .log_buf = log, .log_size = sizeof(log));
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
	log[0] = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pk_bench", "GPL", in, p->n, &lo);
	err = fd < 0 ? -errno : 0;
	if (err && log[0]) {
		/* the verifier's reason: the last line before its statistics
		 * (libbpf retried the load with a log) */
		char *line, *stats;

		while ((line = strrchr(log, '\n')) && (!line[1] || !strncmp(line + 1, "processed ", 10)))
			*line = 0;
		stats = strrchr(log, '\n');
		fprintf(stderr, "interp-bench: the kernel refused the program: %s\n",
			stats ? stats + 1 : log);
	}
	if (jit >= 0 && saved != jit && write_jit(saved))
		fprintf(stderr, "interp-bench: could not restore %s to %d\n",
			JIT_SYSCTL, saved);
	*ret_fd = fd;
	return err;
}

static bool kernel_run(void *arg, uint32_t want)
{
	LIBBPF_OPTS(bpf_test_run_opts, to);

	return !bpf_prog_test_run_opts(*(int *)arg, &to) && to.retval == want;
}

static bool sandbox_run(void *vm, uint32_t want)
{
	struct pk_bpf_input in = { .mem = NULL, .mem_len = 0 };
	uint64_t r0;

	return !pk_bpf_vm_run(vm, &in, &r0) && r0 == want;
}

#ifdef PK_BENCH_UBPF
struct ubpf_run {
	struct ubpf_vm *vm;
	uint8_t *data;
};

static bool ubpf_run(void *arg, uint32_t want)
{
	struct ubpf_run *u = arg;
	uint64_t r0;

	return !ubpf_exec(u->vm, u->data, DATA_LEN, &r0) && r0 == want;
}

/* uBPF gets the program with the map value's host address in the ld_imm64
 * (src_reg 0: a plain 64-bit constant) and the same bytes as its memory */
static struct ubpf_vm *ubpf_prepare(const char *name, const struct prog *p, uint8_t *data)
{
	struct bpf_insn in[MAXI];
	struct ubpf_vm *vm = ubpf_create();
	char *msg = NULL;

	if (!vm)
		return NULL;
	memcpy(in, p->in, p->n * sizeof(in[0]));
	if (p->map_insn >= 0) {
		in[p->map_insn].src_reg = 0;
		in[p->map_insn].imm = (int32_t)(uint32_t)(uintptr_t)data;
		in[p->map_insn + 1].imm = (int32_t)(uint32_t)((uint64_t)(uintptr_t)data >> 32);
	}
	if (ubpf_load(vm, in, p->n * sizeof(in[0]), &msg) < 0) {
		fprintf(stderr, "%s: uBPF: %s\n", name, msg ? msg : "load failed");
		free(msg);
		ubpf_destroy(vm);
		return NULL;
	}
	return vm;
}
#endif

static void print_ns(const char *name, const char *what, const struct engine *e, int runs)
{
	if (runs)
		printf("%s.%s_ns %.0f\n%s.%s_med_ns %.0f\n", name, what, e->ns[0],
		       name, what, median(e, runs));
	else
		printf("%s.%s_ns na\n%s.%s_med_ns na\n", name, what, name, what);
}

static int bench(const char *name, struct prog *p, const uint8_t *data0, uint32_t want,
		 bool kernel_ok, int jit_state)
{
	static uint8_t data[DATA_LEN];
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
	static struct engine e[2];
	int n = 1, runs, map_fd = -1, fd, rc = 0;
#ifdef PK_BENCH_UBPF
	static uint8_t udata[DATA_LEN];
	struct ubpf_run u = { .data = udata };
#endif

	if (!ctx)
		return 1;
	memcpy(data, data0, DATA_LEN);
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	if (p->map_insn >= 0)
		p->in[p->map_insn].src_reg = BPF_PSEUDO_MAP_IDX_VALUE;
	if (pk_bpf_vm_new(ctx, &env, &sp, &vm)) {
		fprintf(stderr, "%s: sandbox: %s\n", name, pk_ctx_errmsg(ctx));
		pk_ctx_free(ctx);
		return 1;
	}
	e[0].run = sandbox_run;
	e[0].arg = vm;
#ifdef PK_BENCH_UBPF
	memcpy(udata, data0, DATA_LEN);
	u.vm = ubpf_prepare(name, p, udata);
	if (!u.vm)
		rc = 1;
	else {
		e[1].run = ubpf_run;
		e[1].arg = &u;
		n = 2;
	}
#endif
	runs = sample(e, n, want);
	if (!runs) {
		fprintf(stderr, "%s: sandbox or uBPF result differs from the oracle\n", name);
		rc = 1;
	}
	printf("%s.insns %" PRIu64 "\n", name, pk_bpf_vm_insn_count(vm));
	printf("%s.runs %d\n", name, runs);
	print_ns(name, "sandbox", &e[0], runs);
	print_ns(name, "ubpf", &e[1], n == 2 ? runs : 0);
#ifdef PK_BENCH_UBPF
	if (u.vm)
		ubpf_destroy(u.vm);
#endif
	pk_bpf_vm_free(vm);
	pk_ctx_free(ctx);

	if (kernel_ok && p->map_insn >= 0) {
		uint32_t key = 0;

		map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pk_bench", 4, DATA_LEN, 1, NULL);
		if (map_fd < 0 || bpf_map_update_elem(map_fd, &key, data0, BPF_ANY))
			kernel_ok = false;
	}
	e[0].run = kernel_run;
	e[0].arg = &fd;
	if (kernel_ok && !kernel_load(p, map_fd, -1, &fd)) {
		runs = sample(e, 1, want);
		close(fd);
		if (!runs) {
			fprintf(stderr, "%s: kernel result differs from the oracle\n", name);
			rc = 1;
		}
		printf("%s.kernel_ns %.0f\n", name, runs ? e[0].ns[0] : 0);
	} else {
		printf("%s.kernel_ns na\n", name);
	}
	if (kernel_ok && jit_state != 2 && !kernel_load(p, map_fd, 0, &fd)) {
		runs = sample(e, 1, want);
		close(fd);
		if (!runs) {
			fprintf(stderr, "%s: kernel interpreter result differs\n", name);
			rc = 1;
		}
		printf("%s.kernel_interp_ns %.0f\n", name, runs ? e[0].ns[0] : 0);
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
#ifdef PK_BENCH_UBPF
	printf("ubpf yes\n");
#else
	printf("ubpf no\n");
#endif

	build_adler32(&p);
	rc |= bench("adler32", &p, data, adler, kernel_ok, jit_state);
	build_collatz(&p);
	rc |= bench("collatz", &p, data, collatz_oracle(), kernel_ok, jit_state);
	build_checksum(&p);
	rc |= bench("checksum", &p, data, checksum_oracle(data), kernel_ok, jit_state);
	build_memcpy(&p);
	rc |= bench("memcpy", &p, data, memcpy_oracle(data), kernel_ok, jit_state);
	build_branchy(&p);
	rc |= bench("branchy", &p, data, branchy_oracle(data), kernel_ok, jit_state);
	return rc;
}
