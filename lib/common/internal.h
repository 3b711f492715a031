/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what every library file uses: error recording, logging,
 * bounds checks on untrusted input, little-endian field access and cleanup
 * attributes.  Not installed; the public API lives in include/pekexec/.
 */
#ifndef PK_INTERNAL_H
#define PK_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pekexec/buf.h"
#include "pekexec/ctx.h"
#include "pekexec/pe.h"

#define PK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define PK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * pk_err - record a failure in @ctx and return @err (a negative errno), so
 * that "log and return" is one statement:
 *
 *	return pk_err(ctx, -EINVAL, "section %u: PointerToRawData 0x%x ...", ...);
 *
 * The message replaces any earlier one.  @ctx may be NULL (message dropped).
 */
int pk_err(struct pk_ctx *ctx, int err, const char *fmt, ...) PK_PRINTF(3, 4);

/*
 * pk_err_prefix - put "PREFIX: " in front of the message already recorded
 * (adding context on the way up) and return @err.
 */
int pk_err_prefix(struct pk_ctx *ctx, int err, const char *fmt, ...) PK_PRINTF(3, 4);

void pk_log(struct pk_ctx *ctx, enum pk_log_level level, const char *fmt, ...)
	PK_PRINTF(3, 4);

#define pk_warn(ctx, ...) pk_log(ctx, PK_LOG_WARN, __VA_ARGS__)
#define pk_info(ctx, ...) pk_log(ctx, PK_LOG_INFO, __VA_ARGS__)
#define pk_debug(ctx, ...) pk_log(ctx, PK_LOG_DEBUG, __VA_ARGS__)

/*
 * pk_range_ok - does [off, off + size) lie inside a buffer of @len bytes?
 * Subtraction form: nothing can wrap, whatever the three values are.
 */
static inline bool pk_range_ok(size_t len, size_t off, size_t size)
{
	return off <= len && size <= len - off;
}

/* Overflow-checked arithmetic; true on overflow. */
#define pk_add_overflow(a, b, res) __builtin_add_overflow(a, b, res)
#define pk_mul_overflow(a, b, res) __builtin_mul_overflow(a, b, res)

/* Little-endian field access.  The caller has bounds-checked @p. */
static inline uint16_t pk_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t pk_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t pk_get_le64(const uint8_t *p)
{
	return (uint64_t)pk_get_le32(p) | (uint64_t)pk_get_le32(p + 4) << 32;
}

static inline void pk_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void pk_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void pk_put_le64(uint8_t *p, uint64_t v)
{
	pk_put_le32(p, (uint32_t)v);
	pk_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline bool pk_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Round @v up to @align (a power of two); false if the result overflows. */
static inline bool pk_align_up(uint64_t v, uint64_t align, uint64_t *res)
{
	if (pk_add_overflow(v, align - 1, res))
		return false;
	*res &= ~(align - 1);
	return true;
}

/* Cleanup attributes: the variable is released when it goes out of scope. */
static inline void pk_freep(void *p)
{
	free(*(void **)p);
}

#define _pk_cleanup_(f) __attribute__((cleanup(f)))
#define _pk_cleanup_free_ _pk_cleanup_(pk_freep)

static inline void pk_buf_freep(struct pk_buf *b)
{
	pk_buf_free(b);
}

#define _pk_cleanup_buf_ _pk_cleanup_(pk_buf_freep)

static inline void pk_pe_freep(struct pk_pe **pe)
{
	pk_pe_free(*pe);
}

#define _pk_cleanup_pe_ _pk_cleanup_(pk_pe_freep)

/* Hand ownership out of a cleanup-managed variable. */
#define PK_TAKE_PTR(p)                        \
	({                                    \
		__typeof__(p) _pk_tmp_ = (p); \
		(p) = NULL;                   \
		_pk_tmp_;                     \
	})

#endif
