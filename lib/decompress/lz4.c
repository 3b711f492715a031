// SPDX-License-Identifier: MIT
/*
 * lz4.c - the lz4 legacy frame (`lz4 -l`), as the kernel's
 * lib/decompress_unlz4.c reads it.  Parsed by hand; blocks go through
 * liblz4's LZ4_decompress_safe().
 *
 *   le32 0x184C2102                          frame magic
 *   { le32 csize; u8 block[csize]; } ...     each block decodes to <= 8 MiB
 *
 * The frame has no end marker and no total size.  Like the kernel, we stop
 * at the end of the input, at a chunk size of 0 (zero padding), and skip a
 * repeated magic (concatenated frames).  We also stop where the rest of the
 * input is a size trailer (le32 == output size, the kernel's size_append;
 * its boot decompressor simply drops the last 4 bytes) followed by zeros.
 * A cut that falls exactly between two blocks cannot be told from the end
 * of the frame; every other cut is -EBADMSG.
 */
#include <lz4.h>

#include "dec.h"

#define PK_LZ4_LEGACY_MAGIC 0x184C2102u
#define PK_LZ4_LEGACY_BLOCK ((size_t)8 << 20)

/*
 * The most a block of @csize bytes can decode to: every input byte adds at
 * most 255 to a length (LZ4 block format), plus the token's own 15 + 4.
 */
static size_t pk_lz4_block_bound(size_t csize)
{
	/* csize <= LZ4_COMPRESSBOUND(8 MiB): no overflow */
	return pk_dec_min(PK_LZ4_LEGACY_BLOCK, csize * 255 + 64);
}

/*
 * Decodes one block of @csize bytes at @p into the output.
 *
 * LZ4_decompress_safe() judges a malformed block partly by how close its
 * matches come to the end of the destination buffer, so the capacity it
 * is given must not depend on max_out, or the same stream could pass under
 * one limit and fail under another.  It always gets bound(csize): the
 * output buffer itself when that much room is left under the limit, else a
 * scratch buffer (at most 8 MiB, freed at once) whose result is copied if
 * it fits.
 */
static int pk_lz4_block(struct pk_dec *d, const uint8_t *p, size_t csize, size_t at)
{
	struct pk_buf *o = d->out;
	size_t bound = pk_lz4_block_bound(csize);
	_pk_cleanup_free_ uint8_t *scratch = NULL;
	uint8_t *dst;
	int n, r;

	if (bound <= d->max_out - o->len) {
		r = pk_dec_reserve(d, bound);
		if (r < 0)
			return r;
		dst = o->data + o->len;
	} else {
		scratch = malloc(bound);
		if (!scratch)
			return pk_err(d->ctx, -ENOMEM, "lz4: cannot allocate %zu bytes", bound);
		dst = scratch;
	}
	/* csize <= LZ4_COMPRESSBOUND(8 MiB) and bound <= 8 MiB: both fit an int */
	n = LZ4_decompress_safe((const char *)p, (char *)dst, (int)csize, (int)bound);
	if (n < 0)
		return pk_err(d->ctx, -EBADMSG,
			      "lz4: corrupt block of %zu bytes at offset 0x%zx (or it decodes to more than 8 MiB)",
			      csize, d->base + at);
	if (scratch) {
		if ((size_t)n > d->max_out - o->len)
			return pk_err(d->ctx, -EFBIG,
				      "lz4: block at offset 0x%zx decodes past the output limit of %zu bytes",
				      d->base + at, d->max_out);
		r = pk_dec_reserve(d, (size_t)n);
		if (r < 0)
			return r;
		if (n)
			memcpy(o->data + o->len, scratch, (size_t)n);
	}
	o->len += (size_t)n;
	return 0;
}

int pk_dec_lz4(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	size_t off = 4;
	int r;

	if (len < 4 || pk_get_le32(src) != PK_LZ4_LEGACY_MAGIC)
		return pk_err(d->ctx, -EBADMSG,
			      "lz4: no legacy frame magic 0x184c2102 at offset 0x%zx", d->base);
	for (;;) {
		size_t rest = len - off, csize;

		if (!rest)
			break;
		if (rest >= 4 && pk_get_le32(src + off) == PK_LZ4_LEGACY_MAGIC) {
			off += 4;
			continue;
		}
		/* chunk size 0 (zero padding), or the size trailer: the end */
		if (pk_dec_is_trailer(src + off, rest, d->out->len))
			break;
		if (rest < 4)
			return pk_dec_truncated(d, len);
		csize = pk_get_le32(src + off);
		/* the kernel's end of stream; decompress.c judges what follows */
		if (!csize)
			break;
		if (csize > (size_t)LZ4_COMPRESSBOUND(PK_LZ4_LEGACY_BLOCK))
			return pk_err(d->ctx, -EBADMSG,
				      "lz4: chunk size 0x%zx at offset 0x%zx exceeds the bound for 8 MiB blocks",
				      csize, d->base + off);
		if (!pk_range_ok(len, off + 4, csize))
			return pk_err(d->ctx, -EBADMSG,
				      "lz4: chunk at offset 0x%zx: size 0x%zx goes past the end of the input (0x%zx bytes left): truncated",
				      d->base + off, csize, rest - 4);
		r = pk_lz4_block(d, src + off + 4, csize, off);
		if (r < 0)
			return r;
		off += 4 + csize;
	}
	*ret_used = off;
	return 0;
}
