/* SPDX-License-Identifier: MIT */
/*
 * dec.h - what the per-format decoders share: the output sink that enforces
 * the caller's limit, and one entry point per format.
 *
 * A decoder decodes exactly one stream (one gzip member, one zstd frame, one
 * xz stream, ...) that starts at @src, appends its output to d->out and
 * reports how many input bytes the stream took in *ret_used.  What follows a
 * stream (another stream, zero padding, the kernel's size trailer, garbage)
 * is decided once, in decompress.c.
 */
#ifndef PK_DEC_H
#define PK_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "pekexec/decompress.h"

struct pk_dec {
	struct pk_ctx *ctx;
	struct pk_buf *out;   /* len never exceeds max_out, nor cap */
	size_t max_out;
	size_t base;          /* offset of the current stream in the caller's input */
	size_t hint;          /* first allocation size (already <= max_out) */
	const char *name;     /* format name for messages */
};

/*
 * Streaming libraries take at most this many bytes per call: zlib and libbz2
 * count in unsigned int.
 */
#define PK_DEC_STEP ((size_t)1 << 30)

/*
 * Where a streaming decoder writes next.  Once the output has reached
 * max_out, the window is a one-byte probe: a decoder that still produces
 * output there would exceed the limit (-EFBIG), one that ends the stream
 * without writing it fits exactly.  So the output buffer never grows past
 * max_out, not even by one byte.
 */
struct pk_dec_win {
	uint8_t *p;
	size_t n;
	bool probe;
	uint8_t probe_byte;
};

/* Room for at least @need more output bytes; @need <= max_out - out->len. */
int pk_dec_reserve(struct pk_dec *d, size_t need);
/* The same, -ENOMEM without a message: for a fast path with a fallback. */
int pk_dec_try_reserve(struct pk_dec *d, size_t need);
/* Fills @w with free output space (at most @max_n bytes, at least 1). */
int pk_dec_window(struct pk_dec *d, struct pk_dec_win *w, size_t max_n);
/*
 * Accounts @produced bytes written into @w; -EFBIG if they landed in the
 * probe.  @in_off (offset in the stream) is for the message.
 */
int pk_dec_commit(struct pk_dec *d, const struct pk_dec_win *w, size_t produced,
		  size_t in_off);

/* -EBADMSG "NAME: truncated ..." naming the offset where input ran out. */
int pk_dec_truncated(struct pk_dec *d, size_t in_off);

/*
 * Are the @n bytes at @p acceptable after the last stream?  Zero padding, or
 * a little-endian 32-bit copy of the output size (the kernel's size_append)
 * followed by zero padding.
 */
bool pk_dec_is_trailer(const uint8_t *p, size_t n, size_t out_len);

int pk_dec_gzip(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used);
int pk_dec_zstd(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used);
int pk_dec_xz(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used);
int pk_dec_lzma(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used);
int pk_dec_lz4(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used);
int pk_dec_lzo(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used);
int pk_dec_bzip2(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used);

static inline size_t pk_dec_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

#endif
