// SPDX-License-Identifier: MIT
/*
 * zstd.c - one zstd frame (RFC 8878) through libzstd's streaming decoder,
 * which checks the optional content checksum.  The frame content size, if
 * present, is not used to size the output.  Frames needing a window larger
 * than libzstd's default limit (2^27 bytes, what `zstd -22 --ultra` uses)
 * are refused.
 */
#include <zstd.h>
#include <zstd_errors.h>

#include "dec.h"

int pk_dec_zstd(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer in = { .src = src, .size = len, .pos = 0 };
	size_t zr, stalls = 0;
	int r;

	if (!ds)
		return pk_err(d->ctx, -ENOMEM, "zstd: cannot create a decoder");
	for (;;) {
		struct pk_dec_win w;
		ZSTD_outBuffer ob;
		size_t in_before = in.pos;

		r = pk_dec_window(d, &w, PK_DEC_STEP);
		if (r < 0)
			break;
		ob = (ZSTD_outBuffer){ .dst = w.p, .size = w.n, .pos = 0 };
		zr = ZSTD_decompressStream(ds, &ob, &in);
		if (ZSTD_isError(zr)) {
			r = pk_err(d->ctx,
				   ZSTD_getErrorCode(zr) == ZSTD_error_memory_allocation ?
					   -ENOMEM : -EBADMSG,
				   "zstd: corrupt frame near input offset 0x%zx: %s",
				   d->base + in.pos, ZSTD_getErrorName(zr));
			break;
		}
		r = pk_dec_commit(d, &w, ob.pos, in.pos);
		if (r < 0)
			break;
		/* 0: the frame is complete and flushed; the decoder stops there */
		if (zr == 0) {
			*ret_used = in.pos;
			break;
		}
		if (in.pos == in.size && ob.pos < ob.size) {
			r = pk_dec_truncated(d, in.pos);
			break;
		}
		stalls = (in.pos != in_before || ob.pos) ? 0 : stalls + 1;
		if (stalls > 2) {
			r = pk_err(d->ctx, -EBADMSG, "zstd: no progress at input offset 0x%zx",
				   d->base + in.pos);
			break;
		}
	}
	ZSTD_freeDStream(ds);
	return r;
}
