// SPDX-License-Identifier: MIT
/*
 * lzo.c - lzop's file format, parsed by hand (lzop 1.04 / the kernel's
 * lib/decompress_unlzo.c); blocks through liblzo2's lzo1x_decompress_safe().
 * All multi-byte fields are big endian.
 *
 * Header, after the 9-byte magic (offsets vary with version and flags):
 *   be16 version (>= 0x0900), be16 lib_version,
 *   [be16 version_needed_to_extract]            if version >= 0x0940
 *   u8 method (1..3: LZO1X variants),
 *   [u8 level]                                  if version >= 0x0940
 *   be32 flags, [be32 filter]                   if flags & F_H_FILTER
 *   be32 mode, be32 mtime_low,
 *   [be32 mtime_high]                           if version >= 0x0940
 *   u8 name_len, name[name_len],
 *   be32 header checksum (CRC-32 if F_H_CRC32 else Adler-32, over the
 *        bytes from version to the name),
 *   [be32 len, extra[len], be32 checksum]       if flags & F_H_EXTRA_FIELD
 * Blocks:
 *   be32 dst_len (0: end of stream), be32 src_len (<= dst_len; equal: stored),
 *   [be32 adler32 of output] if F_ADLER32_D, [be32 crc32 of output] if F_CRC32_D,
 *   [be32 adler32 of input]  if F_ADLER32_C and src_len < dst_len,
 *   [be32 crc32 of input]    if F_CRC32_C and src_len < dst_len,
 *   u8 data[src_len]
 * Every checksum present is verified.  Filters are refused.
 */
#include <lzo/lzo1x.h>
#include <zlib.h>

#include "dec.h"

#define F_ADLER32_D 0x00000001u
#define F_ADLER32_C 0x00000002u
#define F_H_EXTRA_FIELD 0x00000040u
#define F_CRC32_D 0x00000100u
#define F_CRC32_C 0x00000200u
#define F_H_FILTER 0x00000800u
#define F_H_CRC32 0x00001000u

/* lzop's own limit on a block (MAX_BLOCK_SIZE); it writes 256 KiB blocks */
#define PK_LZOP_MAX_BLOCK ((size_t)64 << 20)
#define PK_LZOP_MAGIC_LEN 9

struct pk_lzop_header {
	uint16_t version;
	uint16_t lib_version;
	uint16_t version_needed;
	uint8_t method;
	uint8_t level;
	uint32_t flags;
	uint32_t filter;
	uint32_t mode;
	uint32_t mtime_low;
	uint32_t mtime_high;
	uint8_t name_len;
	uint32_t checksum;
};

/* A big-endian reader over (buf, len) that remembers the first overrun. */
struct pk_lzop_rd {
	const uint8_t *buf;
	size_t len;
	size_t off;
	bool short_read;
};

static const uint8_t *pk_lzop_take(struct pk_lzop_rd *rd, size_t n)
{
	const uint8_t *p;

	if (rd->short_read || !pk_range_ok(rd->len, rd->off, n)) {
		rd->short_read = true;
		return NULL;
	}
	p = rd->buf + rd->off;
	rd->off += n;
	return p;
}

static uint8_t pk_lzop_u8(struct pk_lzop_rd *rd)
{
	const uint8_t *p = pk_lzop_take(rd, 1);

	return p ? p[0] : 0;
}

static uint16_t pk_lzop_be16(struct pk_lzop_rd *rd)
{
	const uint8_t *p = pk_lzop_take(rd, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static uint32_t pk_lzop_be32(struct pk_lzop_rd *rd)
{
	const uint8_t *p = pk_lzop_take(rd, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			   (uint32_t)p[2] << 8 | p[3] : 0;
}

/* lzop's checksums: Adler-32 (initial value 1) or CRC-32 (initial 0). */
static uint32_t pk_lzop_sum(bool crc, const uint8_t *p, size_t n)
{
	uint32_t s = crc ? (uint32_t)crc32(0, Z_NULL, 0) : (uint32_t)adler32(0, Z_NULL, 0);

	while (n) {
		uInt step = (uInt)pk_dec_min(n, PK_DEC_STEP);

		s = crc ? (uint32_t)crc32(s, p, step) : (uint32_t)adler32(s, p, step);
		p += step;
		n -= step;
	}
	return s;
}

static int pk_lzop_header(struct pk_dec *d, struct pk_lzop_rd *rd,
			  struct pk_lzop_header *h)
{
	static const uint8_t magic[PK_LZOP_MAGIC_LEN] = { 0x89, 'L', 'Z', 'O', 0x00,
							  '\r', '\n', 0x1a, '\n' };
	const uint8_t *m = pk_lzop_take(rd, PK_LZOP_MAGIC_LEN);
	size_t start = rd->off;
	uint32_t sum;

	if (!m || memcmp(m, magic, sizeof(magic)))
		return pk_err(d->ctx, -EBADMSG, "lzo: no lzop magic at offset 0x%zx", d->base);
	h->version = pk_lzop_be16(rd);
	h->lib_version = pk_lzop_be16(rd);
	if (h->version >= 0x0940)
		h->version_needed = pk_lzop_be16(rd);
	h->method = pk_lzop_u8(rd);
	if (h->version >= 0x0940)
		h->level = pk_lzop_u8(rd);
	h->flags = pk_lzop_be32(rd);
	if (h->flags & F_H_FILTER)
		h->filter = pk_lzop_be32(rd);
	h->mode = pk_lzop_be32(rd);
	h->mtime_low = pk_lzop_be32(rd);
	if (h->version >= 0x0940)
		h->mtime_high = pk_lzop_be32(rd);
	h->name_len = pk_lzop_u8(rd);
	pk_lzop_take(rd, h->name_len);
	if (rd->short_read)
		return pk_dec_truncated(d, rd->len);
	sum = pk_lzop_sum(h->flags & F_H_CRC32, rd->buf + start, rd->off - start);
	h->checksum = pk_lzop_be32(rd);
	if (rd->short_read)
		return pk_dec_truncated(d, rd->len);

	if (h->version < 0x0900)
		return pk_err(d->ctx, -EBADMSG, "lzo: header version 0x%04x at offset 0x%zx is older than lzop 0.90",
			      h->version, d->base + PK_LZOP_MAGIC_LEN);
	if (h->checksum != sum)
		return pk_err(d->ctx, -EBADMSG,
			      "lzo: header checksum 0x%08x at offset 0x%zx does not match the header (0x%08x)",
			      h->checksum, d->base + rd->off - 4, sum);
	if (h->method < 1 || h->method > 3)
		return pk_err(d->ctx, -EBADMSG, "lzo: method %u at offset 0x%zx is not LZO1X",
			      h->method, d->base + (h->version >= 0x0940 ? 15 : 13));
	if (h->flags & F_H_FILTER)
		return pk_err(d->ctx, -EBADMSG, "lzo: header at offset 0x%zx asks for filter %u, not supported",
			      d->base, h->filter);
	if (h->flags & F_H_EXTRA_FIELD) {
		size_t estart = rd->off;
		uint32_t elen = pk_lzop_be32(rd), esum;

		pk_lzop_take(rd, elen);
		if (rd->short_read)
			return pk_dec_truncated(d, rd->len);
		esum = pk_lzop_sum(h->flags & F_H_CRC32, rd->buf + estart, rd->off - estart);
		if (pk_lzop_be32(rd) != esum || rd->short_read)
			return rd->short_read ? pk_dec_truncated(d, rd->len) :
			       pk_err(d->ctx, -EBADMSG, "lzo: extra field checksum at offset 0x%zx does not match",
				      d->base + rd->off - 4);
	}
	return 0;
}

/* Decodes (or copies) one block's data at @p into the output and checks it. */
static int pk_lzop_block(struct pk_dec *d, const struct pk_lzop_header *h,
			 const uint8_t *p, size_t src_len, size_t dst_len,
			 const uint32_t sums[4], size_t at)
{
	struct pk_buf *o = d->out;
	bool compressed = src_len < dst_len;
	lzo_uint got = dst_len;
	uint8_t *dst;
	int r;

	if (compressed && (h->flags & F_ADLER32_C) && pk_lzop_sum(false, p, src_len) != sums[2])
		return pk_err(d->ctx, -EBADMSG, "lzo: block at offset 0x%zx: Adler-32 of the compressed data does not match",
			      d->base + at);
	if (compressed && (h->flags & F_CRC32_C) && pk_lzop_sum(true, p, src_len) != sums[3])
		return pk_err(d->ctx, -EBADMSG, "lzo: block at offset 0x%zx: CRC-32 of the compressed data does not match",
			      d->base + at);
	if (dst_len > d->max_out - o->len)
		return pk_err(d->ctx, -EFBIG, "lzo: block at offset 0x%zx of %zu bytes goes past the output limit of %zu bytes",
			      d->base + at, dst_len, d->max_out);
	r = pk_dec_reserve(d, dst_len);
	if (r < 0)
		return r;
	dst = o->data + o->len;
	if (!compressed) {
		memcpy(dst, p, dst_len);
	} else {
		r = lzo1x_decompress_safe(p, src_len, dst, &got, NULL);
		if (r != LZO_E_OK || got != dst_len)
			return pk_err(d->ctx, -EBADMSG,
				      "lzo: corrupt block at offset 0x%zx (liblzo2 error %d, %lu of %zu bytes)",
				      d->base + at, r, (unsigned long)got, dst_len);
	}
	if ((h->flags & F_ADLER32_D) && pk_lzop_sum(false, dst, dst_len) != sums[0])
		return pk_err(d->ctx, -EBADMSG, "lzo: block at offset 0x%zx: Adler-32 of the output does not match",
			      d->base + at);
	if ((h->flags & F_CRC32_D) && pk_lzop_sum(true, dst, dst_len) != sums[1])
		return pk_err(d->ctx, -EBADMSG, "lzo: block at offset 0x%zx: CRC-32 of the output does not match",
			      d->base + at);
	o->len += dst_len;
	return 0;
}

int pk_dec_lzo(struct pk_dec *d, const uint8_t *src, size_t len, size_t *ret_used)
{
	struct pk_lzop_rd rd = { .buf = src, .len = len };
	struct pk_lzop_header h = { 0 };
	int r;

	if (lzo_init() != LZO_E_OK)
		return pk_err(d->ctx, -EINVAL, "lzo: liblzo2 failed its self-check");
	r = pk_lzop_header(d, &rd, &h);
	if (r < 0)
		return r;
	for (;;) {
		size_t at = rd.off, dst_len, src_len;
		uint32_t sums[4] = { 0 };
		const uint8_t *p;

		dst_len = pk_lzop_be32(&rd);
		if (rd.short_read)
			return pk_dec_truncated(d, len);
		if (!dst_len)
			break;
		src_len = pk_lzop_be32(&rd);
		if (h.flags & F_ADLER32_D)
			sums[0] = pk_lzop_be32(&rd);
		if (h.flags & F_CRC32_D)
			sums[1] = pk_lzop_be32(&rd);
		if ((h.flags & F_ADLER32_C) && src_len < dst_len)
			sums[2] = pk_lzop_be32(&rd);
		if ((h.flags & F_CRC32_C) && src_len < dst_len)
			sums[3] = pk_lzop_be32(&rd);
		if (rd.short_read)
			return pk_dec_truncated(d, len);
		if (dst_len > PK_LZOP_MAX_BLOCK)
			return pk_err(d->ctx, -EBADMSG, "lzo: block at offset 0x%zx: dst_len 0x%zx exceeds lzop's 64 MiB block limit",
				      d->base + at, dst_len);
		if (!src_len || src_len > dst_len)
			return pk_err(d->ctx, -EBADMSG, "lzo: block at offset 0x%zx: src_len 0x%zx not in 1..dst_len (0x%zx)",
				      d->base + at, src_len, dst_len);
		p = pk_lzop_take(&rd, src_len);
		if (!p)
			return pk_err(d->ctx, -EBADMSG, "lzo: block at offset 0x%zx: %zu bytes of data go past the end of the input: truncated",
				      d->base + at, src_len);
		r = pk_lzop_block(d, &h, p, src_len, dst_len, sums, at);
		if (r < 0)
			return r;
	}
	*ret_used = rd.off;
	return 0;
}
