// SPDX-License-Identifier: MIT
/*
 * decompress.c - the entry points: pick the decoder, run it over every
 * stream in the input, apply the trailing-bytes policy, and the bounded
 * output sink the decoders write through.
 *
 * Trailing bytes: after a stream, the input may hold
 *   - another stream of the same format (concatenation, as gzip(1), xz(1),
 *     zstd(1) and bzip2(1) accept it): decoded and appended;
 *   - zero bytes (padding after kernel payloads, xz stream padding);
 *   - a little-endian 32-bit copy of the total output size, optionally
 *     followed by zero bytes: the trailer the kernel's size_append adds to
 *     lz4/lzma/lzo/xz/zstd payloads;
 * and nothing else: any other byte is -EBADMSG.
 */
#include "dec.h"

/* First output allocation: grown by doubling from here. */
#define PK_DEC_MIN_CAP ((size_t)64 << 10)

/* -ENOMEM with the size it could not allocate in *cap, no message */
static int pk_dec_grow(struct pk_dec *d, size_t need, size_t *ret_cap)
{
	struct pk_buf *o = d->out;
	size_t want, cap;
	uint8_t *p;

	if (need <= o->cap - o->len)
		return 0;
	/* need <= max_out - len (callers check), so this cannot wrap */
	want = o->len + need;
	cap = o->cap ? o->cap : (d->hint > PK_DEC_MIN_CAP ? d->hint : PK_DEC_MIN_CAP);
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if (cap > d->max_out)
		cap = d->max_out;
	*ret_cap = cap;
	p = realloc(o->data, cap);
	if (!p)
		return -ENOMEM;
	o->data = p;
	o->cap = cap;
	return 0;
}

int pk_dec_try_reserve(struct pk_dec *d, size_t need)
{
	size_t cap;

	return pk_dec_grow(d, need, &cap);
}

int pk_dec_reserve(struct pk_dec *d, size_t need)
{
	size_t cap = 0;

	if (pk_dec_grow(d, need, &cap) < 0)
		return pk_err(d->ctx, -ENOMEM, "%s: cannot allocate %zu bytes of output",
			      d->name, cap);
	return 0;
}

int pk_dec_window(struct pk_dec *d, struct pk_dec_win *w, size_t max_n)
{
	struct pk_buf *o = d->out;
	int r;

	if (o->len >= d->max_out) {
		w->p = &w->probe_byte;
		w->n = 1;
		w->probe = true;
		return 0;
	}
	if (o->cap == o->len) {
		r = pk_dec_reserve(d, 1);
		if (r < 0)
			return r;
	}
	w->p = o->data + o->len;
	w->n = pk_dec_min(o->cap - o->len, max_n);
	w->probe = false;
	return 0;
}

int pk_dec_commit(struct pk_dec *d, const struct pk_dec_win *w, size_t produced,
		  size_t in_off)
{
	if (!produced)
		return 0;
	if (w->probe)
		return pk_err(d->ctx, -EFBIG,
			      "%s: output exceeds the limit of %zu bytes (input offset 0x%zx)",
			      d->name, d->max_out, d->base + in_off);
	d->out->len += produced;
	return 0;
}

int pk_dec_truncated(struct pk_dec *d, size_t in_off)
{
	return pk_err(d->ctx, -EBADMSG,
		      "%s: stream truncated: input ends at offset 0x%zx before the end of the stream",
		      d->name, d->base + in_off);
}

static bool pk_dec_is_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

bool pk_dec_is_trailer(const uint8_t *p, size_t n, size_t out_len)
{
	if (pk_dec_is_zero(p, n))
		return true;
	/* size_append writes the size modulo 2^32 */
	return n >= 4 && pk_get_le32(p) == (uint32_t)out_len &&
	       pk_dec_is_zero(p + 4, n - 4);
}

typedef int (*pk_dec_fn)(struct pk_dec *d, const uint8_t *src, size_t len,
			 size_t *ret_used);

static const pk_dec_fn pk_dec_fns[PK_COMP__COUNT] = {
	[PK_COMP_GZIP] = pk_dec_gzip, [PK_COMP_ZSTD] = pk_dec_zstd,
	[PK_COMP_XZ] = pk_dec_xz,     [PK_COMP_LZMA] = pk_dec_lzma,
	[PK_COMP_LZ4] = pk_dec_lz4,   [PK_COMP_LZO] = pk_dec_lzo,
	[PK_COMP_BZIP2] = pk_dec_bzip2,
};

/* Expected ratio for the first allocation: saves most regrowth copies. */
#define PK_DEC_HINT_RATIO 4

int pk_decompress_as(struct pk_ctx *ctx, enum pk_comp comp, const uint8_t *src,
		     size_t src_len, size_t max_out, struct pk_buf *ret_out)
{
	static const uint8_t empty[1];
	_pk_cleanup_buf_ struct pk_buf out = { 0 };
	struct pk_dec d = {
		.ctx = ctx, .out = &out, .max_out = max_out, .name = pk_comp_name(comp),
	};
	size_t off = 0, used, streams = 0;
	int r;

	if (!ret_out || ret_out->data || ret_out->len)
		return pk_err(ctx, -EINVAL, "decompress: output buffer must be empty on entry");
	if ((unsigned int)comp >= PK_COMP__COUNT || !pk_dec_fns[comp])
		return pk_err(ctx, -EPROTONOSUPPORT, "decompress: unknown format %d", (int)comp);
	if (!src) {
		if (src_len)
			return pk_err(ctx, -EINVAL, "decompress: NULL input of %zu bytes", src_len);
		src = empty;
	}
	if (pk_mul_overflow(src_len, (size_t)PK_DEC_HINT_RATIO, &d.hint) || d.hint > max_out)
		d.hint = max_out;

	do {
		d.base = off;
		used = 0;
		r = pk_dec_fns[comp](&d, src + off, src_len - off, &used);
		if (r < 0)
			return r;
		/* every decoder consumes at least its magic: the loop advances */
		if (!used || used > src_len - off)
			return pk_err(ctx, -EBADMSG, "%s: stream at offset 0x%zx has no length",
				      d.name, off);
		off += used;
		streams++;
	} while (off < src_len && pk_comp_detect(src + off, src_len - off) == comp);

	if (off < src_len && !pk_dec_is_trailer(src + off, src_len - off, out.len))
		return pk_err(ctx, -EBADMSG,
			      "%s: %zu bytes after the end of the stream at offset 0x%zx are neither another %s stream, zero padding nor the output size (0x%zx)",
			      d.name, src_len - off, off, d.name, out.len);
	if (off < src_len)
		pk_debug(ctx, "%s: %zu trailing bytes at 0x%zx accepted (padding/size)",
			 d.name, src_len - off, off);
	pk_debug(ctx, "%s: %zu stream(s), %zu -> %zu bytes", d.name, streams, off, out.len);
	*ret_out = out;
	out = (struct pk_buf){ 0 };
	return 0;
}

int pk_decompress(struct pk_ctx *ctx, const uint8_t *src, size_t src_len,
		  size_t max_out, struct pk_buf *ret_out)
{
	enum pk_comp comp = pk_comp_detect(src, src_len);

	if (comp == PK_COMP_NONE)
		return pk_err(ctx, -EPROTONOSUPPORT,
			      "decompress: no known compression magic at offset 0 (%zu bytes)",
			      src_len);
	return pk_decompress_as(ctx, comp, src, src_len, max_out, ret_out);
}
