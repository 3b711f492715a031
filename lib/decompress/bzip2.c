// SPDX-License-Identifier: MIT
/*
 * bzip2.c - one bzip2 stream through libbz2, which checks the block and
 * stream CRCs.
 */
#include <bzlib.h>

#include "dec.h"

static size_t pk_bz_total_in(const bz_stream *bs)
{
	return (size_t)((uint64_t)bs->total_in_hi32 << 32 | bs->total_in_lo32);
}

int pk_dec_bzip2(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	bz_stream bs = { 0 };
	size_t in_off = 0, stalls = 0;
	int br, r;

	/* small = 0: the fast decoder (about 3.6 MiB for 900k blocks) */
	br = BZ2_bzDecompressInit(&bs, 0, 0);
	if (br != BZ_OK)
		return pk_err(d->ctx, br == BZ_MEM_ERROR ? -ENOMEM : -EINVAL,
			      "bzip2: BZ2_bzDecompressInit failed (%d)", br);
	for (;;) {
		struct pk_dec_win w;
		size_t in_n = pk_dec_min(len - in_off, PK_DEC_STEP), used_in, produced;

		r = pk_dec_window(d, &w, PK_DEC_STEP);
		if (r < 0)
			break;
		/* libbz2 does not write through next_in; its API lacks const */
		bs.next_in = (char *)(uintptr_t)(src + in_off);
		bs.avail_in = (unsigned int)in_n;
		bs.next_out = (char *)w.p;
		bs.avail_out = (unsigned int)w.n;
		br = BZ2_bzDecompress(&bs);
		used_in = in_n - bs.avail_in;
		produced = w.n - bs.avail_out;
		in_off += used_in;
		r = pk_dec_commit(d, &w, produced, in_off);
		if (r < 0)
			break;
		if (br == BZ_STREAM_END) {
			*ret_used = pk_bz_total_in(&bs);
			break;
		}
		if (br == BZ_MEM_ERROR) {
			r = pk_err(d->ctx, -ENOMEM, "bzip2: out of memory");
			break;
		}
		if (br != BZ_OK) {
			r = pk_err(d->ctx, -EBADMSG, "bzip2: corrupt stream near input offset 0x%zx (%s)",
				   d->base + in_off,
				   br == BZ_DATA_ERROR_MAGIC ? "bad magic" : "data error");
			break;
		}
		if (in_off == len && produced < w.n) {
			r = pk_dec_truncated(d, in_off);
			break;
		}
		stalls = (used_in || produced) ? 0 : stalls + 1;
		if (stalls > 2) {
			r = pk_err(d->ctx, -EBADMSG, "bzip2: no progress at input offset 0x%zx",
				   d->base + in_off);
			break;
		}
	}
	BZ2_bzDecompressEnd(&bs);
	return r;
}
