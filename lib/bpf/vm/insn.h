/* SPDX-License-Identifier: MIT */
/*
 * insn.h - the BPF instruction set (RFC 9669, cpu v4): the constants
 * Debian's 6.1 <linux/bpf.h> lacks, and the ALU/jump semantics shared by
 * the interpreter and the verifier's constant folding, so that both agree
 * by construction.
 */
#ifndef PK_BPF_INSN_H
#define PK_BPF_INSN_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/bpf.h>

/* The ALU and condition helpers below are the interpreter's inner loop: a
 * call per instruction costs more than the operation, and inlined with a
 * constant opcode each folds to one case. */
#define PK_BPF_INLINE static inline __attribute__((always_inline))

/* v4 additions missing from the 6.1 uapi header */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending load (mode) */
#endif
/* BPF_ALU64 | BPF_END | BPF_TO_LE is the unconditional byte swap (bswap) */
#define PK_BPF_BSWAP 0x00
/* off = 1 on BPF_DIV / BPF_MOD: signed division / modulo */
#define PK_BPF_OFF_SIGNED 1
/* BPF_JMP32 | BPF_JA: "gotol", 32-bit offset in imm */
/* BPF_JMP | BPF_CALL | BPF_X: callx, register number in dst */

#define PK_BPF_CLASS(code) ((code) & 0x07)
#define PK_BPF_OP(code) ((code) & 0xf0)
#define PK_BPF_SRC(code) ((code) & 0x08)
#define PK_BPF_SIZE(code) ((code) & 0x18)
#define PK_BPF_MODE(code) ((code) & 0xe0)

static inline bool pk_bpf_is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* Access size in bytes of a BPF_SIZE field. */
PK_BPF_INLINE unsigned int pk_bpf_size_bytes(uint8_t code)
{
	switch (PK_BPF_SIZE(code)) {
	case BPF_B:
		return 1;
	case BPF_H:
		return 2;
	case BPF_W:
		return 4;
	default:
		return 8;
	}
}

PK_BPF_INLINE uint64_t pk_bpf_bswap(uint64_t v, int bits)
{
	switch (bits) {
	case 16:
		return __builtin_bswap16((uint16_t)v);
	case 32:
		return __builtin_bswap32((uint32_t)v);
	default:
		return __builtin_bswap64(v);
	}
}

PK_BPF_INLINE uint64_t pk_bpf_sext(uint64_t v, int bits)
{
	switch (bits) {
	case 8:
		return (uint64_t)(int64_t)(int8_t)v;
	case 16:
		return (uint64_t)(int64_t)(int16_t)v;
	case 32:
		return (uint64_t)(int64_t)(int32_t)v;
	default:
		return v;
	}
}

/*
 * pk_bpf_alu - the value of one ALU/ALU64 operation.  @op is BPF_OP(code),
 * @off the instruction's offset (signed div/mod, movsx width), @imm its
 * immediate (byte swap width).  Division by zero gives 0, modulo by zero
 * leaves the dividend; shifts mask their count (64: & 63, 32: & 31);
 * INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0; as RFC 9669 defines.
 * @is64: ALU64, else the 32-bit result is zero-extended.
 */
PK_BPF_INLINE uint64_t pk_bpf_alu(uint8_t code, int16_t off, int32_t imm,
				  uint64_t dst, uint64_t src)
{
	bool is64 = PK_BPF_CLASS(code) == BPF_ALU64;
	uint8_t op = PK_BPF_OP(code);

	if (is64) {
		switch (op) {
		case BPF_ADD: return dst + src;
		case BPF_SUB: return dst - src;
		case BPF_MUL: return dst * src;
		case BPF_OR: return dst | src;
		case BPF_AND: return dst & src;
		case BPF_XOR: return dst ^ src;
		case BPF_LSH: return dst << (src & 63);
		case BPF_RSH: return dst >> (src & 63);
		case BPF_ARSH: return (uint64_t)((int64_t)dst >> (src & 63));
		case BPF_NEG: return -dst;
		case BPF_MOV: return off ? pk_bpf_sext(src, off) : src;
		case BPF_DIV:
			if (!src)
				return 0;
			if (off == PK_BPF_OFF_SIGNED) {
				if ((int64_t)src == -1)
					return -dst; /* INT64_MIN / -1 wraps */
				return (uint64_t)((int64_t)dst / (int64_t)src);
			}
			return dst / src;
		case BPF_MOD:
			if (!src)
				return dst;
			if (off == PK_BPF_OFF_SIGNED) {
				if ((int64_t)src == -1)
					return 0;
				return (uint64_t)((int64_t)dst % (int64_t)src);
			}
			return dst % src;
		case BPF_END: /* ALU64 form: unconditional bswap */
			return pk_bpf_bswap(dst, imm);
		}
		return 0;
	} else {
		uint32_t d = (uint32_t)dst, s = (uint32_t)src;

		switch (op) {
		case BPF_ADD: return (uint32_t)(d + s);
		case BPF_SUB: return (uint32_t)(d - s);
		case BPF_MUL: return (uint32_t)(d * s);
		case BPF_OR: return d | s;
		case BPF_AND: return d & s;
		case BPF_XOR: return d ^ s;
		case BPF_LSH: return (uint32_t)(d << (s & 31));
		case BPF_RSH: return d >> (s & 31);
		case BPF_ARSH: return (uint32_t)((int32_t)d >> (s & 31));
		case BPF_NEG: return (uint32_t)-d;
		case BPF_MOV: return off ? (uint32_t)pk_bpf_sext(s, off) : s;
		case BPF_DIV:
			if (!s)
				return 0;
			if (off == PK_BPF_OFF_SIGNED) {
				if ((int32_t)s == -1)
					return (uint32_t)-d;
				return (uint32_t)((int32_t)d / (int32_t)s);
			}
			return d / s;
		case BPF_MOD:
			if (!s)
				return d;
			if (off == PK_BPF_OFF_SIGNED) {
				if ((int32_t)s == -1)
					return 0;
				return (uint32_t)((int32_t)d % (int32_t)s);
			}
			return d % s;
		case BPF_END:
			/* host (and guest) is little-endian: to-le truncates */
			if (PK_BPF_SRC(code) == BPF_TO_BE)
				return pk_bpf_bswap(dst, imm);
			if (imm == 16)
				return (uint16_t)dst;
			if (imm == 32)
				return (uint32_t)dst;
			return dst;
		}
		return 0;
	}
}

/* The outcome of a conditional jump; @is32: JMP32 compares the low halves. */
PK_BPF_INLINE bool pk_bpf_cond(uint8_t op, bool is32, uint64_t a, uint64_t b)
{
	if (is32) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b;

		switch (op) {
		case BPF_JEQ: return x == y;
		case BPF_JNE: return x != y;
		case BPF_JGT: return x > y;
		case BPF_JGE: return x >= y;
		case BPF_JLT: return x < y;
		case BPF_JLE: return x <= y;
		case BPF_JSET: return x & y;
		case BPF_JSGT: return (int32_t)x > (int32_t)y;
		case BPF_JSGE: return (int32_t)x >= (int32_t)y;
		case BPF_JSLT: return (int32_t)x < (int32_t)y;
		case BPF_JSLE: return (int32_t)x <= (int32_t)y;
		}
		return false;
	}
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSET: return a & b;
	case BPF_JSGT: return (int64_t)a > (int64_t)b;
	case BPF_JSGE: return (int64_t)a >= (int64_t)b;
	case BPF_JSLT: return (int64_t)a < (int64_t)b;
	case BPF_JSLE: return (int64_t)a <= (int64_t)b;
	}
	return false;
}

#endif
