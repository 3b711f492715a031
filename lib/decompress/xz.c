// SPDX-License-Identifier: MIT
/*
 * xz.c - one .xz stream, or one "lzma alone" stream, through liblzma.
 *
 * Both go through the same liblzma loop; only the decoder set-up differs.
 * xz streams: liblzma checks the block and index integrity (CRC32, CRC64,
 * SHA-256) and applies the BCJ filters the kernel's xzkern payloads use
 * (--x86, --arm64, ...).  LZMA_CONCATENATED is not set: the loop in
 * decompress.c decides what follows a stream, stream padding included.
 * lzma alone: the header's uncompressed size, if known, ends the stream;
 * otherwise the end-of-payload marker does.  Neither is used to size the
 * output.
 *
 * The decoders' memory (mostly the dictionary, which the input chooses) is
 * capped at PK_DEC_LZMA_MEMLIMIT; `xz -9` / `lzma -9` need 65 MiB.
 */
#include <lzma.h>

#include "dec.h"

#define PK_DEC_LZMA_MEMLIMIT ((uint64_t)256 << 20)

static int pk_dec_liblzma(struct pk_dec *d, lzma_stream *ls, const uint8_t *src,
			  size_t len, size_t *ret_used)
{
	size_t stalls = 0;
	lzma_ret lr;
	int r;

	ls->next_in = src;
	ls->avail_in = len;
	for (;;) {
		struct pk_dec_win w;
		size_t in_before = ls->avail_in, produced;

		r = pk_dec_window(d, &w, PK_DEC_STEP);
		if (r < 0)
			return r;
		ls->next_out = w.p;
		ls->avail_out = w.n;
		/* all input is present: LZMA_FINISH makes a cut stream LZMA_BUF_ERROR */
		lr = lzma_code(ls, LZMA_FINISH);
		produced = w.n - ls->avail_out;
		r = pk_dec_commit(d, &w, produced, len - ls->avail_in);
		if (r < 0)
			return r;
		switch (lr) {
		case LZMA_STREAM_END:
			*ret_used = len - ls->avail_in;
			return 0;
		case LZMA_OK:
			break;
		case LZMA_BUF_ERROR:
			return pk_dec_truncated(d, len - ls->avail_in);
		case LZMA_MEM_ERROR:
			return pk_err(d->ctx, -ENOMEM, "%s: out of memory", d->name);
		case LZMA_MEMLIMIT_ERROR:
			return pk_err(d->ctx, -EBADMSG,
				      "%s: stream at offset 0x%zx needs %llu bytes of decoder memory, more than the %llu allowed",
				      d->name, d->base, (unsigned long long)lzma_memusage(ls),
				      (unsigned long long)PK_DEC_LZMA_MEMLIMIT);
		case LZMA_FORMAT_ERROR:
			return pk_err(d->ctx, -EBADMSG, "%s: bad header at offset 0x%zx",
				      d->name, d->base);
		case LZMA_OPTIONS_ERROR:
			return pk_err(d->ctx, -EBADMSG,
				      "%s: unsupported options (filter or properties) near input offset 0x%zx",
				      d->name, d->base + len - ls->avail_in);
		default:
			return pk_err(d->ctx, -EBADMSG,
				      "%s: corrupt stream near input offset 0x%zx (liblzma error %d)",
				      d->name, d->base + len - ls->avail_in, (int)lr);
		}
		stalls = (ls->avail_in != in_before || produced) ? 0 : stalls + 1;
		if (stalls > 2)
			return pk_err(d->ctx, -EBADMSG, "%s: no progress at input offset 0x%zx",
				      d->name, d->base + len - ls->avail_in);
	}
}

static int pk_dec_lzma_init_err(struct pk_dec *d, lzma_ret lr)
{
	return pk_err(d->ctx, lr == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL,
		      "%s: cannot set up the liblzma decoder (%d)", d->name, (int)lr);
}

int pk_dec_xz(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	lzma_stream ls = LZMA_STREAM_INIT;
	lzma_ret lr;
	int r;

	lr = lzma_stream_decoder(&ls, PK_DEC_LZMA_MEMLIMIT, 0);
	if (lr != LZMA_OK)
		return pk_dec_lzma_init_err(d, lr);
	r = pk_dec_liblzma(d, &ls, src, len, ret_used);
	lzma_end(&ls);
	return r;
}

int pk_dec_lzma(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	lzma_stream ls = LZMA_STREAM_INIT;
	lzma_ret lr;
	int r;

	lr = lzma_alone_decoder(&ls, PK_DEC_LZMA_MEMLIMIT);
	if (lr != LZMA_OK)
		return pk_dec_lzma_init_err(d, lr);
	r = pk_dec_liblzma(d, &ls, src, len, ret_used);
	lzma_end(&ls);
	return r;
}
