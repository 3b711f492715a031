// SPDX-License-Identifier: MIT
/*
 * gzip.c - one gzip member (RFC 1952), which both decoders used here check
 * completely: header, CRC-32 and ISIZE trailer.  ISIZE only sizes
 * libdeflate's first try, never beyond the room left under max_out.
 *
 * Fast path, libdeflate (about 2.5 times zlib's speed on a kernel image,
 * docs/decompress.md).  It decodes whole buffers, so it needs its output
 * space up front: it starts with the sink's free space (or its first
 * allocation size) and, while libdeflate reports "insufficient space",
 * doubles it up to the room left under max_out, re-decoding each time
 * (geometric: at most as much work again as the final decode).
 *
 * Any libdeflate failure is handed to zlib's streaming inflate, which
 * gives the verdict and the message.  libdeflate reads a cut stream as if
 * zero bits followed, so its "insufficient space" cannot tell a stream that
 * is too big from one that is truncated; zlib can.  Members with a header
 * CRC (FHCRC) go to zlib directly: libdeflate skips that CRC, zlib checks
 * it, and the two paths must agree on what is valid.
 */
#define ZLIB_CONST
#include <libdeflate.h>
#include <zlib.h>

#include "dec.h"

/* RFC 1952 FLG bit: a CRC-16 of the header follows it */
#define PK_GZIP_FHCRC 0x02

/* zlib: streams its output through the sink; exact about truncation */
static int pk_gzip_zlib(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	z_stream zs = { 0 };
	size_t in_off = 0, stalls = 0;
	int zr, r;

	/* 16 + 15: gzip wrapper only, 32 KiB window */
	zr = inflateInit2(&zs, 16 + MAX_WBITS);
	if (zr != Z_OK)
		return pk_err(d->ctx, -ENOMEM, "gzip: inflateInit2 failed (%d)", zr);

	for (;;) {
		struct pk_dec_win w;
		size_t in_n = pk_dec_min(len - in_off, PK_DEC_STEP), used_in, produced;

		r = pk_dec_window(d, &w, PK_DEC_STEP);
		if (r < 0)
			break;
		zs.next_in = src + in_off;
		zs.avail_in = (uInt)in_n;
		zs.next_out = w.p;
		zs.avail_out = (uInt)w.n;
		zr = inflate(&zs, Z_NO_FLUSH);
		used_in = in_n - zs.avail_in;
		produced = w.n - zs.avail_out;
		in_off += used_in;
		r = pk_dec_commit(d, &w, produced, in_off);
		if (r < 0)
			break;
		if (zr == Z_STREAM_END) {
			*ret_used = in_off;
			r = 0;
			break;
		}
		if (zr == Z_MEM_ERROR) {
			r = pk_err(d->ctx, -ENOMEM, "gzip: out of memory");
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			r = pk_err(d->ctx, -EBADMSG, "gzip: corrupt stream near input offset 0x%zx: %s",
				   d->base + in_off, zs.msg ? zs.msg : "inflate error");
			break;
		}
		/* all input taken, room left, no end: the stream is cut short */
		if (in_off == len && produced < w.n) {
			r = pk_dec_truncated(d, in_off);
			break;
		}
		/* inflate always advances when it has input and room; belt and braces */
		stalls = (used_in || produced) ? 0 : stalls + 1;
		if (stalls > 2) {
			r = pk_err(d->ctx, -EBADMSG, "gzip: no progress at input offset 0x%zx",
				   d->base + in_off);
			break;
		}
	}
	inflateEnd(&zs);
	return r;
}

/* 1: decoded; 0: not (zlib decides); < 0: error of our own (ENOMEM) */
static int pk_gzip_libdeflate(struct pk_dec *d, const uint8_t *src, size_t len,
			      size_t *ret_used)
{
	struct libdeflate_decompressor *ld = libdeflate_alloc_decompressor();
	struct pk_buf *o = d->out;
	size_t room = d->max_out - o->len, try, in_used = 0, out_got = 0;
	enum libdeflate_result lr;
	uint8_t dummy;
	int r = 0;

	if (!ld)
		return pk_err(d->ctx, -ENOMEM, "gzip: cannot allocate a decompressor");
	try = o->cap - o->len;
	if (!try)
		try = d->hint > ((size_t)64 << 10) ? d->hint : (size_t)64 << 10;
	/*
	 * A member that ends the input declares its size in its last 4 bytes
	 * (ISIZE, modulo 2^32): start there if that is more, so that a kernel
	 * compressing better than the hint's ratio is decoded once.  It only
	 * sizes the first try (libdeflate checks ISIZE); a wrong one costs a
	 * retry, as any too-small try does.
	 */
	if (len >= 18 && pk_get_le32(src + len - 4) > try)
		try = pk_get_le32(src + len - 4);
	try = pk_dec_min(try, room);
	for (;;) {
		r = pk_dec_reserve(d, try);
		if (r < 0)
			break;
		lr = libdeflate_gzip_decompress_ex(ld, src, len, try ? o->data + o->len : &dummy,
						   try, &in_used, &out_got);
		if (lr == LIBDEFLATE_SUCCESS) {
			o->len += out_got;
			*ret_used = in_used;
			r = 1;
			break;
		}
		if (lr != LIBDEFLATE_INSUFFICIENT_SPACE || try == room)
			break;
		try = try > room / 2 ? room : try * 2;
	}
	libdeflate_free_decompressor(ld);
	return r;
}

int pk_dec_gzip(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	int r;

	if (len < 4 || !(src[3] & PK_GZIP_FHCRC)) {
		r = pk_gzip_libdeflate(d, src, len, ret_used);
		if (r)
			return r < 0 ? r : 0;
	}
	return pk_gzip_zlib(d, src, len, ret_used);
}
