// SPDX-License-Identifier: MIT
/*
 * zstd.c - one zstd frame (RFC 8878) through libzstd, which checks the
 * optional content checksum and, if the frame declares it, the content size.
 * Frames needing a window larger than libzstd's default limit (2^27 bytes,
 * what `zstd -22 --ultra` uses) are refused.
 *
 * One shot first: the frame is decoded by ZSTD_decompressDCtx() straight
 * into the output buffer, which is then the decoder's window, so there is
 * no window buffer (the streaming decoder keeps one of up to the output's
 * size).  The output space is the frame's own upper bound,
 * ZSTD_decompressBound(): the content size if the frame declares it, else
 * the sum of its blocks' maximum sizes, walked from the block headers
 * (the kernel's `zstd -22` from a pipe declares none); no declared size is
 * trusted beyond what libzstd checks while decoding, and the space is capped
 * at the room left under max_out.  Anything the one-shot path does not
 * accept (a bound it cannot find, more output than the room, a corrupt or
 * cut frame, a window over the limit) is decided by the streaming decoder,
 * which gives the verdict and the message, as before; so is a frame whose
 * window does not cover the whole output or whose block sizes exceed the
 * block maximum, which the one-shot decoder would judge differently.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_decompressBound, ZSTD_getFrameHeader */
#include <zstd.h>
#include <zstd_errors.h>

#include "dec.h"

/* libzstd's default ZSTD_d_windowLogMax for the streaming decoder */
#define PK_ZSTD_WINDOW_MAX ((unsigned long long)1 << ZSTD_WINDOWLOG_LIMIT_DEFAULT)

/*
 * Does every block of the frame (@flen bytes, header of @fh) declare a
 * Block_Size within Block_Maximum_Size = min(window, 128 KiB) (RFC 8878
 * 3.1.1.2.3)?  The streaming decoder refuses a frame where one does not; the
 * one-shot decoder (libzstd 1.5.4) does not check it for raw and RLE
 * blocks (found by fuzz-decompress-zstd: an RLE block of 16391 bytes in a
 * frame with an 8 KiB window).
 */
static bool pk_zstd_blocks_fit(const uint8_t *src, size_t flen, const ZSTD_frameHeader *fh)
{
	size_t off = fh->headerSize, max = ZSTD_BLOCKSIZE_MAX;

	if (fh->windowSize < max)
		max = (size_t)fh->windowSize;
	while (flen - off >= 3) {
		uint32_t bh = src[off] | (uint32_t)src[off + 1] << 8 | (uint32_t)src[off + 2] << 16;
		size_t size = bh >> 3, type = (bh >> 1) & 3;

		if (size > max || type == 3)
			return false;
		off += 3;
		if (flen - off < (type == 1 ? 1 : size))
			return false;
		off += type == 1 ? 1 : size;
		if (bh & 1)
			return true;
	}
	return false;
}

/* 1: decoded; 0: not, the streaming decoder decides */
static int pk_zstd_oneshot(struct pk_dec *d, const uint8_t *src, size_t len,
			   size_t *ret_used)
{
	struct pk_buf *o = d->out;
	size_t room = d->max_out - o->len, flen, cap, zr;
	unsigned long long bound;
	ZSTD_frameHeader fh;
	ZSTD_DCtx *dc;

	/*
	 * ZSTD_getFrameHeader() and ZSTD_decompressBound() are libzstd's
	 * static-linking-only API, with no ABI promise between versions: used
	 * only with the very libzstd this was built against, else streaming.
	 */
	if (ZSTD_versionNumber() != ZSTD_VERSION_NUMBER)
		return 0;
	flen = ZSTD_findFrameCompressedSize(src, len);
	if (ZSTD_isError(flen) || ZSTD_getFrameHeader(&fh, src, flen) != 0 ||
	    fh.frameType != ZSTD_frame || fh.windowSize > PK_ZSTD_WINDOW_MAX)
		return 0;
	bound = ZSTD_decompressBound(src, flen);
	if (bound == ZSTD_CONTENTSIZE_ERROR)
		return 0;
	cap = bound < room ? (size_t)bound : room;
	/*
	 * The streaming decoder also refuses matches reaching back further than
	 * the window; in one shot they may reach the start of the output.  A
	 * window that covers the whole output makes the two agree (the
	 * kernel's zstd -22: a 128 MiB window).
	 */
	if (fh.windowSize < cap || !pk_zstd_blocks_fit(src, flen, &fh))
		return 0;
	/* no room for the bound, or no decoder: the streaming decoder decides */
	if (pk_dec_try_reserve(d, cap) < 0)
		return 0;
	dc = ZSTD_createDCtx();
	if (!dc)
		return 0;
	zr = ZSTD_decompressDCtx(dc, cap ? o->data + o->len : NULL, cap, src, flen);
	ZSTD_freeDCtx(dc);
	if (ZSTD_isError(zr))
		return 0;
	o->len += zr;
	*ret_used = flen;
	return 1;
}

static int pk_zstd_stream(struct pk_dec *d, const uint8_t *src, size_t len,
			  size_t *ret_used)
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

int pk_dec_zstd(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	if (pk_zstd_oneshot(d, src, len, ret_used))
		return 0;
	return pk_zstd_stream(d, src, len, ret_used);
}
