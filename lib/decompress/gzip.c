// SPDX-License-Identifier: MIT
/*
 * gzip.c - one gzip member (RFC 1952) through zlib's inflate, which checks
 * the header, the CRC-32 and the ISIZE trailer.  ISIZE is not used to size
 * the output: the sink grows as data actually comes out.
 */
#define ZLIB_CONST
#include <zlib.h>

#include "dec.h"

int pk_dec_gzip(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
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
