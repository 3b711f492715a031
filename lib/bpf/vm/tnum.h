/* SPDX-License-Identifier: MIT */
/*
 * tnum.h - known bits of a scalar ("tristate numbers", as the kernel's
 * verifier tracks them): bit i is known to be v's bit i where m's bit i
 * is 0, unknown where it is 1; v & m == 0.  Every operation returns a
 * superset of the concrete results (sound), never an exact set.
 */
#ifndef PK_BPF_TNUM_H
#define PK_BPF_TNUM_H

#include <stdbool.h>
#include <stdint.h>

struct tnum {
	uint64_t v, m;
};

#define TNUM_UNKNOWN ((struct tnum){ 0, UINT64_MAX })

static inline struct tnum tnum_const(uint64_t v)
{
	return (struct tnum){ v, 0 };
}

/* every value in [lo, hi]: the common high bits are known */
static inline struct tnum tnum_range(uint64_t lo, uint64_t hi)
{
	uint64_t chi = lo ^ hi, delta;

	if (!chi)
		return tnum_const(lo);
	delta = UINT64_MAX >> __builtin_clzll(chi);
	return (struct tnum){ lo & ~delta, delta };
}

static inline struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t v = a.v & b.v;

	return (struct tnum){ v, (a.v | a.m) & (b.v | b.m) & ~v };
}

static inline struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.v | b.v;

	return (struct tnum){ v, (a.m | b.m) & ~v };
}

static inline struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t m = a.m | b.m;

	return (struct tnum){ (a.v ^ b.v) & ~m, m };
}

/*
 * Sums: the unknown bits of the result are the operands' unknown bits and
 * every bit a carry may differ in between the smallest (v) and largest
 * (v | m) operands.
 */
static inline struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sv = a.v + b.v, sm = a.m + b.m;
	uint64_t mu = ((sv + sm) ^ sv) | a.m | b.m;

	return (struct tnum){ sv & ~mu, mu };
}

static inline struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.v - b.v;
	uint64_t mu = ((dv + a.m) ^ (dv - b.m)) | a.m | b.m;

	return (struct tnum){ dv & ~mu, mu };
}

static inline struct tnum tnum_lsh(struct tnum a, unsigned int k)
{
	return (struct tnum){ a.v << k, a.m << k };
}

static inline struct tnum tnum_rsh(struct tnum a, unsigned int k)
{
	return (struct tnum){ a.v >> k, a.m >> k };
}

/* values both describe (if they contradict, some known bit is kept) */
static inline struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t m = a.m & b.m;

	return (struct tnum){ (a.v | b.v) & ~m, m };
}

/* values either describes */
static inline struct tnum tnum_union(struct tnum a, struct tnum b)
{
	uint64_t m = a.m | b.m | (a.v ^ b.v);

	return (struct tnum){ a.v & ~m, m };
}

static inline struct tnum tnum_low32(struct tnum a)
{
	return (struct tnum){ a.v & UINT32_MAX, a.m & UINT32_MAX };
}

/* is every value of @in also a value of @out? */
static inline bool tnum_in(struct tnum out, struct tnum in)
{
	return !(in.m & ~out.m) && (in.v & ~out.m) == out.v;
}

#endif
