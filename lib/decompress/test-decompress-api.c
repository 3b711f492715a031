// SPDX-License-Identifier: MIT
/*
 * test-decompress-api.c - detection, names, argument checks, and the lz4
 * legacy frame's edge cases built by hand around blocks that liblz4's own
 * compressor makes (the oracle for the block contents), and streams whose
 * declared output size (zstd frame content size, gzip ISIZE) lies, made by
 * the libraries' own compressors and patched.
 */
#include <errno.h>
#include <libdeflate.h>
#include <lz4.h>
#include <zstd.h>

#include "check.h"
#include "internal.h"
#include "pekexec/decompress.h"

static void test_names(void)
{
	/* the zboot header names of Linux's drivers/firmware/efi/libstub/Makefile.zboot */
	static const struct {
		const char *zboot, *ours;
	} map[] = {
		{ "gzip", "gzip" }, { "lz4", "lz4" },   { "lzma", "lzma" },
		{ "lzo", "lzo" },   { "xzkern", "xz" }, { "zstd22", "zstd" },
	};
	size_t i;

	for (i = 0; i < PK_ARRAY_SIZE(map); i++)
		CHECK(!strcmp(pk_comp_name(pk_comp_from_zboot_name(map[i].zboot)), map[i].ours));
	CHECK_EQ_INT(pk_comp_from_zboot_name("xz"), PK_COMP_NONE);
	CHECK_EQ_INT(pk_comp_from_zboot_name("GZIP"), PK_COMP_NONE);
	CHECK_EQ_INT(pk_comp_from_zboot_name(""), PK_COMP_NONE);
	CHECK_EQ_INT(pk_comp_from_zboot_name(NULL), PK_COMP_NONE);
	CHECK(!strcmp(pk_comp_name(PK_COMP_NONE), "none"));
	CHECK(!strcmp(pk_comp_name(PK_COMP__COUNT), "none"));
	CHECK(!strcmp(pk_comp_name((enum pk_comp)-1), "none"));
	for (i = PK_COMP_GZIP; i < PK_COMP__COUNT; i++)
		CHECK(strcmp(pk_comp_name((enum pk_comp)i), "none") != 0);
}

static void test_detect(void)
{
	static const uint8_t bz[] = "BZh9", bz0[] = "BZh0", xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

	CHECK_EQ_INT(pk_comp_detect(NULL, 10), PK_COMP_NONE);
	CHECK_EQ_INT(pk_comp_detect(bz, 0), PK_COMP_NONE);
	CHECK_EQ_INT(pk_comp_detect(bz, 4), PK_COMP_BZIP2);
	CHECK_EQ_INT(pk_comp_detect(bz, 3), PK_COMP_NONE);
	CHECK_EQ_INT(pk_comp_detect(bz0, 4), PK_COMP_NONE);
	CHECK_EQ_INT(pk_comp_detect(xz, sizeof(xz)), PK_COMP_XZ);
	CHECK_EQ_INT(pk_comp_detect(xz, sizeof(xz) - 1), PK_COMP_NONE);
}

static void test_args(struct pk_ctx *ctx)
{
	static const uint8_t lz4_empty[] = { 0x02, 0x21, 0x4c, 0x18 };
	struct pk_buf out = { 0 };
	uint8_t byte = 0;

	CHECK_EQ_INT(pk_decompress(ctx, NULL, 0, 100, &out), -EPROTONOSUPPORT);
	CHECK(strstr(pk_ctx_errmsg(ctx), "magic") != NULL);
	CHECK_EQ_INT(pk_decompress(ctx, &byte, 1, 100, &out), -EPROTONOSUPPORT);
	CHECK_EQ_INT(pk_decompress_as(ctx, PK_COMP_NONE, lz4_empty, 4, 100, &out),
		     -EPROTONOSUPPORT);
	CHECK_EQ_INT(pk_decompress_as(ctx, PK_COMP__COUNT, lz4_empty, 4, 100, &out),
		     -EPROTONOSUPPORT);
	CHECK_EQ_INT(pk_decompress_as(ctx, PK_COMP_GZIP, NULL, 5, 100, &out), -EINVAL);
	/* an empty input is a truncated stream for every format */
	for (int c = PK_COMP_GZIP; c < PK_COMP__COUNT; c++)
		CHECK_EQ_INT(pk_decompress_as(ctx, (enum pk_comp)c, NULL, 0, 100, &out),
			     -EBADMSG);
	CHECK(out.data == NULL && out.len == 0);
	/* the output buffer must come in empty */
	CHECK_EQ_INT(pk_buf_append(&out, "x", 1), 0);
	CHECK_EQ_INT(pk_decompress(ctx, lz4_empty, 4, 100, &out), -EINVAL);
	CHECK_EQ_INT(out.len, 1);
	pk_buf_free(&out);
	/* a magic-only lz4 legacy frame is an empty stream; limit 0 fits */
	CHECK_EQ_INT(pk_decompress(ctx, lz4_empty, 4, 0, &out), 0);
	CHECK_EQ_INT(out.len, 0);
	pk_buf_free(&out);
}

/* [magic][le32 csize][block] for @n bytes of @src; returns the frame length. */
static size_t lz4_frame(uint8_t *dst, size_t cap, const uint8_t *src, size_t n)
{
	int c;

	pk_put_le32(dst, 0x184C2102);
	c = LZ4_compress_default((const char *)src, (char *)dst + 8, (int)n, (int)(cap - 8));
	if (c <= 0)
		return 0;
	pk_put_le32(dst + 4, (uint32_t)c);
	return 8 + (size_t)c;
}

static void test_lz4_frame_edges(struct pk_ctx *ctx)
{
	static uint8_t text[5000], frame[2 * 8192];
	struct pk_buf out = { 0 };
	size_t i, n, m;

	for (i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)("pekexec "[i % 8] + i / 1000);
	n = lz4_frame(frame, sizeof(frame), text, sizeof(text));
	CHECK(n > 8);

	/* a chunk size of 0 ends the frame (the kernel stops there too) */
	memset(frame + n, 0, 8);
	CHECK_EQ_INT(pk_decompress(ctx, frame, n + 8, sizeof(text), &out), 0);
	CHECK(out.len == sizeof(text) && !memcmp(out.data, text, sizeof(text)));
	pk_buf_free(&out);
	/* ... and what follows it must be padding too */
	frame[n + 6] = 1;
	CHECK_EQ_INT(pk_decompress(ctx, frame, n + 8, sizeof(text), &out), -EBADMSG);
	/* a repeated magic starts a new frame (concatenation) */
	m = lz4_frame(frame + n, sizeof(frame) - n, text, sizeof(text));
	CHECK(m > 8);
	CHECK_EQ_INT(pk_decompress(ctx, frame, n + m, 2 * sizeof(text), &out), 0);
	CHECK(out.len == 2 * sizeof(text) && !memcmp(out.data + sizeof(text), text, sizeof(text)));
	pk_buf_free(&out);
	/* a limit inside the second frame's block */
	CHECK_EQ_INT(pk_decompress(ctx, frame, n + m, sizeof(text) + 100, &out), -EFBIG);
	/* a chunk size beyond LZ4_COMPRESSBOUND(8 MiB) */
	pk_put_le32(frame + 4, (uint32_t)LZ4_COMPRESSBOUND(8 << 20) + 1);
	CHECK_EQ_INT(pk_decompress(ctx, frame, n, sizeof(text), &out), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "chunk size") != NULL);
	/* a block that decodes to more than 8 MiB is refused like the kernel does */
	CHECK(out.data == NULL);
}

/* Deterministic text-like data that compresses, but not to nothing. */
static void fill_text(uint8_t *p, size_t n)
{
	static const char *const words[] = { "kexec ", "zboot ", "payload ", "verify\n",
					      "image ", "0x1f8b ", "bpf " };
	uint32_t x = 12345;
	size_t i = 0, j;

	while (i < n) {
		const char *w;

		x = x * 1103515245u + 12345u;
		w = words[(x >> 16) % PK_ARRAY_SIZE(words)];
		for (j = 0; w[j] && i < n; j++)
			p[i++] = (uint8_t)w[j];
	}
}

/*
 * Offset and size of a zstd frame's Frame_Content_Size field (RFC 8878
 * 3.1.1.1), or 0 if the frame has none.
 */
static size_t zstd_fcs_field(const uint8_t *f, size_t *ret_size)
{
	static const size_t did_size[4] = { 0, 1, 2, 4 };
	uint8_t fhd = f[4];
	unsigned int fcs_flag = fhd >> 6, single = (fhd >> 5) & 1;
	size_t off = 5 + (single ? 0 : 1) + did_size[fhd & 3];

	*ret_size = fcs_flag ? (size_t)1 << fcs_flag : single;
	return *ret_size ? off : 0;
}

/*
 * A stream whose header declares N bytes but that decodes to more or fewer
 * must fail exactly as it would without the one-shot path (which sizes its
 * output from the declaration): -EBADMSG with the streaming decoder's
 * message, nothing handed out, under limits that hold both sizes.
 */
static void test_declared_size(struct pk_ctx *ctx)
{
	enum { N = 100000 };
	static const long deltas[] = { -1, 1, -(long)N / 2, (long)N, -(long)N };
	static uint8_t data[N], frame[ZSTD_COMPRESSBOUND(N)], gz[N + 1024];
	struct libdeflate_compressor *lc = libdeflate_alloc_compressor(6);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	struct pk_buf out = { 0 };
	size_t n, fcs_off, fcs_size, gn, i;

	CHECK(cc && lc);
	if (!cc || !lc)
		goto out;
	fill_text(data, N);

	/* zstd: the frame declares its content size (4-byte field for N) */
	n = ZSTD_compress2(cc, frame, sizeof(frame), data, N);
	CHECK(!ZSTD_isError(n));
	CHECK(ZSTD_getFrameContentSize(frame, n) == N);
	fcs_off = zstd_fcs_field(frame, &fcs_size);
	CHECK(fcs_off && fcs_size == 4);
	if (!fcs_off || fcs_size != 4)
		goto out;
	CHECK_EQ_INT(pk_decompress(ctx, frame, n, N, &out), 0);
	CHECK(out.len == N && !memcmp(out.data, data, N));
	pk_buf_free(&out);
	CHECK_EQ_INT(pk_decompress(ctx, frame, n, N - 1, &out), -EFBIG);
	for (i = 0; i < PK_ARRAY_SIZE(deltas); i++) {
		uint32_t lie = (uint32_t)((long)N + deltas[i]);

		pk_put_le32(frame + fcs_off, lie);
		/* the oracle: libzstd reads the lie back from the header */
		CHECK(ZSTD_getFrameContentSize(frame, n) == lie);
		CHECK_EQ_INT(pk_decompress(ctx, frame, n, lie > N ? lie : N, &out), -EBADMSG);
		CHECK(strstr(pk_ctx_errmsg(ctx), "zstd: corrupt frame") != NULL);
		CHECK_EQ_INT(pk_decompress(ctx, frame, n, 4 * N, &out), -EBADMSG);
		CHECK(out.data == NULL && out.len == 0);
	}

	/* zstd without a declared size: the bound comes from the block headers */
	CHECK(!ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0)));
	n = ZSTD_compress2(cc, frame, sizeof(frame), data, N);
	CHECK(!ZSTD_isError(n));
	CHECK(ZSTD_getFrameContentSize(frame, n) == ZSTD_CONTENTSIZE_UNKNOWN);
	CHECK_EQ_INT(pk_decompress(ctx, frame, n, N, &out), 0);
	CHECK(out.len == N && !memcmp(out.data, data, N));
	pk_buf_free(&out);
	CHECK_EQ_INT(pk_decompress(ctx, frame, n, N - 1, &out), -EFBIG);
	CHECK(out.data == NULL);

	/* gzip: ISIZE (the last 4 bytes) sizes libdeflate's first try */
	gn = libdeflate_gzip_compress(lc, data, N, gz, sizeof(gz));
	CHECK(gn > 18);
	if (gn <= 18)
		goto out;
	CHECK_EQ_INT(pk_decompress(ctx, gz, gn, N, &out), 0);
	CHECK(out.len == N && !memcmp(out.data, data, N));
	pk_buf_free(&out);
	for (i = 0; i < PK_ARRAY_SIZE(deltas); i++) {
		uint32_t lie = (uint32_t)((long)N + deltas[i]);

		pk_put_le32(gz + gn - 4, lie);
		CHECK_EQ_INT(pk_decompress(ctx, gz, gn, lie > N ? lie : N, &out), -EBADMSG);
		CHECK(strstr(pk_ctx_errmsg(ctx), "gzip: corrupt stream") != NULL);
		CHECK_EQ_INT(pk_decompress(ctx, gz, gn, 4 * N, &out), -EBADMSG);
		CHECK(out.data == NULL && out.len == 0);
	}
out:
	ZSTD_freeCCtx(cc);
	libdeflate_free_compressor(lc);
}

int main(void)
{
	struct pk_ctx *ctx = pk_ctx_new();

	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	test_names();
	test_detect();
	test_args(ctx);
	test_lz4_frame_edges(ctx);
	test_declared_size(ctx);
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
