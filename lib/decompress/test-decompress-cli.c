// SPDX-License-Identifier: MIT
/*
 * test-decompress-cli.c - every decoder against the command-line compressor
 * of its format, with the generic command lines and with the kernel's own
 * (scripts/Makefile.lib and scripts/xz_wrap.sh of Linux 6.1, size trailer
 * included).  Oracles: the original bytes and their length; the CLI tools
 * produce the streams.
 *
 * Per (command line, data set): round trip with an unbounded, an exact and a
 * one-short limit; truncation at many cut points; corrupted bytes; a wrong
 * magic; trailing zeros, size trailers, garbage and concatenated streams.
 * Small valid streams are left in $BUILD/fuzz-seeds/fuzz-decompress-NAME/.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"
#include "pekexec/decompress.h"

#define MIB ((size_t)1 << 20)
#define LZ4_BLOCK (8 * MIB)

struct tool {
	enum pk_comp comp;
	const char *name;
	const char *cmd;      /* reads stdin, writes stdout */
	bool size_append;     /* the kernel appends le32(input size) */
	bool kernel;          /* one of the kernel's command lines */
	bool checksummed;     /* corruption must be detected */
	const char *seed;     /* fuzz target that gets its small streams */
};

static const struct tool tools[] = {
	{ PK_COMP_GZIP, "gzip", "gzip -c -n", false, false, true, "gzip" },
	/* cmd_gzip: gzip -n -f -9, no size trailer (ISIZE is in the stream) */
	{ PK_COMP_GZIP, "kernel-gzip", "gzip -n -f -9", false, true, true, "gzip" },
	{ PK_COMP_ZSTD, "zstd", "zstd -q -c", false, false, true, "zstd" },
	/* cmd_zstd22: zstd -22 --ultra; size_append */
	{ PK_COMP_ZSTD, "kernel-zstd22", "zstd -22 --ultra -q -c", true, true, true, "zstd" },
	{ PK_COMP_XZ, "xz", "xz -c", false, false, true, "xz" },
	/* cmd_xzkern: xz_wrap.sh --check=crc32 --x86 --lzma2=,dict=32MiB; size_append */
	{ PK_COMP_XZ, "kernel-xzkern", "xz --check=crc32 --x86 --lzma2=,dict=32MiB -c",
	  true, true, true, "xz" },
	/* an arm64 zboot built by a newer xz_wrap.sh would carry --arm64 */
	{ PK_COMP_XZ, "xz-arm64", "xz --check=crc32 --arm64 --lzma2=,dict=32MiB -c",
	  true, false, true, "xz" },
	{ PK_COMP_LZMA, "xz-format-lzma", "xz --format=lzma -c", false, false, false, "lzma" },
	/* cmd_lzma: lzma -9; size_append */
	{ PK_COMP_LZMA, "kernel-lzma", "lzma -9 -c", true, true, false, "lzma" },
	{ PK_COMP_LZ4, "lz4-l", "lz4 -l -c", false, false, false, "lz4" },
	/* cmd_lz4: lz4 -l -c9; size_append */
	{ PK_COMP_LZ4, "kernel-lz4", "lz4 -l -9 -c", true, true, false, "lz4" },
	{ PK_COMP_LZO, "lzop", "lzop -c", false, false, true, "lzo" },
	/* CRC-32 header and data checksums instead of Adler-32 */
	{ PK_COMP_LZO, "lzop-crc32", "lzop --crc32 -c", false, false, true, "lzo" },
	/* cmd_lzo: lzop -9; size_append */
	{ PK_COMP_LZO, "kernel-lzo", "lzop -9 -c", true, true, true, "lzo" },
	{ PK_COMP_BZIP2, "bzip2", "bzip2 -c", false, false, true, "bzip2" },
	/* cmd_bzip2: bzip2 -9; size_append */
	{ PK_COMP_BZIP2, "kernel-bzip2", "bzip2 -9 -c", true, true, true, "bzip2" },
};

enum ds_scope {
	DS_ALL,        /* every command line, full abuse */
	DS_ROUNDTRIP,  /* every command line, round trip and limits only */
	DS_LZ4_ONLY,   /* only the lz4 lines (8 MiB block boundary) */
	DS_KERNEL,     /* only the kernel's lines (real data, slow compressors) */
};

struct dataset {
	const char *name;
	struct pk_buf data;
	enum ds_scope scope;
};

static struct pk_ctx *ctx;
static const char *cur_tool, *cur_ds;

static void fail_here(const char *what)
{
	printf("  [%s / %s] %s: %s\n", cur_tool, cur_ds, what, pk_ctx_errmsg(ctx));
	check_failures++;
}

static void expect_rc(const char *what, int got, int want)
{
	if (got != want) {
		printf("  [%s / %s] %s: returned %d, expected %d\n", cur_tool, cur_ds, what,
		       got, want);
		fail_here(what);
	}
}

static int dec(const struct tool *t, const uint8_t *p, size_t n, size_t max_out,
	       struct pk_buf *out)
{
	int r;

	pk_ctx_clear_error(ctx);
	r = pk_decompress_as(ctx, t->comp, p, n, max_out, out);

	/* bounded output, and nothing handed out on failure */
	if (out->len > max_out)
		fail_here("output exceeds max_out");
	if (r < 0 && (out->data || out->len))
		fail_here("failure left output behind");
	return r;
}

static bool same(const struct pk_buf *out, const struct pk_buf *orig)
{
	return out->len == orig->len && (!orig->len || !memcmp(out->data, orig->data, orig->len));
}

static int compress_with(const struct tool *t, const struct dataset *ds,
			 struct pk_buf *ret)
{
	char in[4096], outp[4096];
	uint8_t sz[4];
	int rc;

	snprintf(in, sizeof(in), "%s/in.bin", test_tmpdir());
	snprintf(outp, sizeof(outp), "%s/out.bin", test_tmpdir());
	if (test_write_file(in, ds->data.data, ds->data.len) < 0)
		return -1;
	rc = test_system("%s < '%s' > '%s'", t->cmd, in, outp);
	if (rc != 0) {
		printf("  [%s / %s] '%s' exited %d\n", t->name, ds->name, t->cmd, rc);
		return -1;
	}
	if (test_read_file(outp, ret) < 0)
		return -1;
	if (t->size_append) {
		/* scripts/Makefile.lib size_append: le32 of the input file size */
		pk_put_le32(sz, (uint32_t)ds->data.len);
		if (pk_buf_append(ret, sz, 4) < 0)
			return -1;
	}
	return 0;
}

static void save_seed(const struct tool *t, const struct pk_buf *comp)
{
	const char *build = getenv("BUILD");
	static unsigned int n;
	char dir[4096], path[4200];

	if (!build || comp->len > 4096)
		return;
	snprintf(dir, sizeof(dir), "%s/fuzz-seeds", build);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/fuzz-seeds/fuzz-decompress-%s", build, t->seed);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%s-%u", dir, t->name, n++);
	test_write_file(path, comp->data, comp->len);
}

static void check_roundtrip(const struct tool *t, const struct dataset *ds,
			    const struct pk_buf *comp)
{
	struct pk_buf out = { 0 };
	size_t n = ds->data.len;

	if (pk_comp_detect(comp->data, comp->len) != t->comp)
		fail_here("pk_comp_detect does not name the tool's format");
	expect_rc("unbounded", pk_decompress(ctx, comp->data, comp->len, SIZE_MAX, &out), 0);
	if (!same(&out, &ds->data))
		fail_here("output differs from the original (unbounded)");
	pk_buf_free(&out);
	expect_rc("max_out == size", dec(t, comp->data, comp->len, n, &out), 0);
	if (!same(&out, &ds->data))
		fail_here("output differs from the original (exact limit)");
	pk_buf_free(&out);
	if (n) {
		expect_rc("max_out == size - 1", dec(t, comp->data, comp->len, n - 1, &out),
			  -EFBIG);
		pk_buf_free(&out);
		expect_rc("max_out == size / 2", dec(t, comp->data, comp->len, n / 2, &out),
			  -EFBIG);
		pk_buf_free(&out);
	}
}

/* Is a successful decode of a cut lz4 stream the inherent exception? */
static bool lz4_cut_ok(const struct pk_buf *out, const struct dataset *ds)
{
	return out->len < ds->data.len && out->len % LZ4_BLOCK == 0 &&
	       (!out->len || !memcmp(out->data, ds->data.data, out->len));
}

static void check_cut(const struct tool *t, const struct dataset *ds,
		      const struct pk_buf *comp, size_t cut)
{
	struct pk_buf out = { 0 };
	int r = dec(t, comp->data, cut, ds->data.len, &out);
	char what[64];

	snprintf(what, sizeof(what), "cut at %zu", cut);
	if (r == 0 && t->comp == PK_COMP_LZ4 && lz4_cut_ok(&out, ds)) {
		pk_buf_free(&out);
		return;
	}
	expect_rc(what, r, -EBADMSG);
	pk_buf_free(&out);
}

static void check_truncation(const struct tool *t, const struct dataset *ds,
			     const struct pk_buf *comp, size_t stream_len)
{
	size_t i, step;

	/*
	 * Every cut of a small stream; else the header and the end densely,
	 * the body sparsely.  (Each decode of an xz/lzma/zstd22 stream sets up
	 * a 32-128 MiB window, slow under ASan: the count is kept down.)
	 */
	if (stream_len <= 96) {
		for (i = 0; i < stream_len; i++)
			check_cut(t, ds, comp, i);
		return;
	}
	for (i = 0; i < 24; i++) {
		check_cut(t, ds, comp, i);
		check_cut(t, ds, comp, stream_len - 1 - i);
	}
	step = stream_len / 25;
	for (i = 1; i < 25; i++)
		check_cut(t, ds, comp, i * step);
}

static void check_corruption(const struct tool *t, const struct dataset *ds,
			     const struct pk_buf *comp, size_t stream_len)
{
	struct pk_buf bad = { 0 }, out = { 0 };
	uint64_t seed = 0x5eed + stream_len;
	unsigned int i;

	/* past the headers: some hold fields no format checks (gzip MTIME) */
	if (stream_len < 96 || pk_buf_append(&bad, comp->data, comp->len) < 0)
		return;
	for (i = 0; i < 16; i++) {
		uint8_t rnd[8];
		size_t pos;
		int r;

		test_random_bytes(&seed, rnd, sizeof(rnd));
		pos = 32 + pk_get_le64(rnd) % (stream_len - 32);
		bad.data[pos] ^= (uint8_t)(rnd[0] | 1);
		r = dec(t, bad.data, bad.len, ds->data.len, &out);
		if (t->checksummed && r != -EBADMSG && r != -EFBIG) {
			printf("  [%s / %s] byte %zu corrupted: returned %d\n", t->name,
			       ds->name, pos, r);
			fail_here("corruption not detected");
		}
		if (r == 0 && out.len > ds->data.len)
			fail_here("corrupt stream gave more than the limit");
		pk_buf_free(&out);
		bad.data[pos] = comp->data[pos];
	}
	pk_buf_free(&bad);
}

static void check_magic_and_formats(const struct tool *t, const struct dataset *ds,
				    const struct pk_buf *comp)
{
	struct pk_buf bad = { 0 }, out = { 0 };
	int r;
	unsigned int c;

	if (pk_buf_append(&bad, comp->data, comp->len) < 0)
		return;
	bad.data[0] ^= 0xff;
	expect_rc("wrong magic, detected", pk_decompress(ctx, bad.data, bad.len, SIZE_MAX, &out),
		  -EPROTONOSUPPORT);
	pk_buf_free(&out);
	r = dec(t, bad.data, bad.len, ds->data.len, &out);
	/*
	 * lzma alone has no magic: 0xa2 is still a valid properties byte and
	 * nothing checks the result, so any outcome but a crash is allowed.
	 */
	if (t->comp != PK_COMP_LZMA && r != -EBADMSG) {
		printf("  wrong magic, forced format: returned %d\n", r);
		fail_here("wrong magic accepted");
	}
	pk_buf_free(&out);
	pk_buf_free(&bad);
	for (c = PK_COMP_GZIP; c < PK_COMP__COUNT; c++) {
		if (c == t->comp)
			continue;
		r = pk_decompress_as(ctx, (enum pk_comp)c, comp->data, comp->len,
				     ds->data.len, &out);
		if (r >= 0) {
			printf("  decoded as %s\n", pk_comp_name((enum pk_comp)c));
			fail_here("stream accepted as another format");
		}
		pk_buf_free(&out);
	}
}

static void check_trailing(const struct tool *t, const struct dataset *ds,
			   const struct pk_buf *comp, size_t stream_len)
{
	static const uint8_t zeros[13];
	struct pk_buf in = { 0 }, out = { 0 }, twice = { 0 };
	uint8_t sz[4];

	/* zero padding */
	pk_buf_append(&in, comp->data, stream_len);
	pk_buf_append(&in, zeros, sizeof(zeros));
	expect_rc("stream + zero padding", dec(t, in.data, in.len, ds->data.len, &out), 0);
	if (!same(&out, &ds->data))
		fail_here("output differs (zero padding)");
	pk_buf_free(&out);

	/* the kernel's size trailer, then padding */
	in.len = stream_len;
	pk_put_le32(sz, (uint32_t)ds->data.len);
	pk_buf_append(&in, sz, 4);
	pk_buf_append(&in, zeros, 5);
	expect_rc("stream + size + zeros", dec(t, in.data, in.len, ds->data.len, &out), 0);
	if (!same(&out, &ds->data))
		fail_here("output differs (size trailer)");
	pk_buf_free(&out);

	/* a size trailer that does not match */
	in.len = stream_len;
	pk_put_le32(sz, (uint32_t)ds->data.len + 1);
	pk_buf_append(&in, sz, 4);
	expect_rc("stream + wrong size", dec(t, in.data, in.len, ds->data.len, &out), -EBADMSG);
	pk_buf_free(&out);

	/* garbage */
	in.len = stream_len;
	pk_buf_append(&in, "garbage!", 8);
	expect_rc("stream + garbage", dec(t, in.data, in.len, ds->data.len, &out), -EBADMSG);
	pk_buf_free(&out);

	/* two streams back to back */
	in.len = stream_len;
	pk_buf_append(&in, comp->data, stream_len);
	pk_buf_append(&twice, ds->data.data, ds->data.len);
	pk_buf_append(&twice, ds->data.data, ds->data.len);
	expect_rc("two streams", dec(t, in.data, in.len, twice.len, &out), 0);
	if (!same(&out, &twice))
		fail_here("output differs (two streams)");
	pk_buf_free(&out);
	if (twice.len) {
		expect_rc("two streams, limit one short",
			  dec(t, in.data, in.len, twice.len - 1, &out), -EFBIG);
		pk_buf_free(&out);
	}
	pk_buf_free(&twice);
	pk_buf_free(&in);
}

/* lz4 at its 8 MiB block boundary: a cut between blocks is undetectable. */
static void check_lz4_boundary(const struct tool *t, const struct dataset *ds,
			       const struct pk_buf *comp)
{
	struct pk_buf out = { 0 };
	size_t first;

	if (t->comp != PK_COMP_LZ4 || ds->data.len <= LZ4_BLOCK)
		return;
	first = 4 + 4 + pk_get_le32(comp->data + 4);
	expect_rc("cut after the first 8 MiB block", dec(t, comp->data, first, SIZE_MAX, &out), 0);
	if (out.len != LZ4_BLOCK || memcmp(out.data, ds->data.data, LZ4_BLOCK))
		fail_here("first block is not the first 8 MiB");
	pk_buf_free(&out);
	expect_rc("cut 4 bytes into the second block",
		  dec(t, comp->data, first + 8, SIZE_MAX, &out), -EBADMSG);
	pk_buf_free(&out);
	expect_rc("limit at the block boundary", dec(t, comp->data, comp->len, LZ4_BLOCK, &out),
		  -EFBIG);
	pk_buf_free(&out);
}

static void run(const struct tool *t, const struct dataset *ds)
{
	struct pk_buf comp = { 0 };
	struct timespec t0, t1, t2;
	size_t stream_len;

	cur_tool = t->name;
	cur_ds = ds->name;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (compress_with(t, ds, &comp) < 0) {
		fail_here("compressing");
		pk_buf_free(&comp);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	stream_len = comp.len - (t->size_append ? 4 : 0);
	check_roundtrip(t, ds, &comp);
	check_lz4_boundary(t, ds, &comp);
	if (ds->scope == DS_ALL) {
		check_truncation(t, ds, &comp, stream_len);
		check_corruption(t, ds, &comp, stream_len);
		check_magic_and_formats(t, ds, &comp);
		check_trailing(t, ds, &comp, stream_len);
		if (ds->data.len <= 4096)
			save_seed(t, &comp);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	printf("%-16s %-22s %9zu -> %9zu bytes  (%.1f + %.1f s)\n", t->name, ds->name,
	       ds->data.len, comp.len, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (double)(t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9);
	pk_buf_free(&comp);
}

static void make_text(struct pk_buf *b, size_t n)
{
	char line[128];
	uint32_t i = 0;

	while (b->len < n) {
		int l = snprintf(line, sizeof(line),
				 "line %u: the quick brown fox jumps over the lazy dog %u\n", i,
				 (uint32_t)(i * 2654435761u) % 1000);

		pk_buf_append(b, line, n - b->len < (size_t)l ? n - b->len : (size_t)l);
		i++;
	}
}

static void make_random(struct pk_buf *b, size_t n, uint64_t seed)
{
	if (pk_buf_reserve(b, n) < 0)
		return;
	test_random_bytes(&seed, b->data, n);
	b->len = n;
}

static bool have_tools(void)
{
	return test_system("for t in gzip zstd xz lzma lz4 lzop bzip2; do "
			   "command -v $t >/dev/null || exit 1; done") == 0;
}

int main(void)
{
	struct dataset ds[] = {
		{ "empty", { 0 }, DS_ALL },
		{ "1 byte", { 0 }, DS_ALL },
		{ "text 4000", { 0 }, DS_ALL },
		{ "random 256KiB (lzop blk)", { 0 }, DS_ROUNDTRIP },
		{ "random 256KiB+1", { 0 }, DS_ALL },
		{ "text 600KiB", { 0 }, DS_ALL },
		{ "text 8MiB (lz4 blk)", { 0 }, DS_LZ4_ONLY },
		{ "text 9MiB", { 0 }, DS_LZ4_ONLY },
		/* real bytes; 3 MiB keeps xz -9 / zstd -22 / lzma -9 affordable */
		{ "vmlinuz-amd64 3MiB", { 0 }, DS_KERNEL },
	};
	const char *img = test_image_path("vmlinuz-amd64");
	size_t i, j;

	if (!have_tools())
		SKIP("a compressor CLI (gzip zstd xz lzma lz4 lzop bzip2) is missing");
	ctx = pk_ctx_new();
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);

	pk_buf_append(&ds[1].data, "x", 1);
	make_text(&ds[2].data, 4000);
	make_random(&ds[3].data, 256 << 10, 3);
	make_random(&ds[4].data, (256 << 10) + 1, 4);
	make_text(&ds[5].data, 600 << 10);
	make_text(&ds[6].data, LZ4_BLOCK);
	make_text(&ds[7].data, 9 * MIB + 5);
	if (!img || test_read_file(img, &ds[8].data) < 0 || !ds[8].data.len)
		printf("note: no $IMAGES/vmlinuz-amd64, real data skipped\n");
	if (ds[8].data.len > 3 * MIB)
		ds[8].data.len = 3 * MIB;

	for (j = 0; j < PK_ARRAY_SIZE(ds); j++) {
		if (j == 8 && !ds[8].data.len)
			continue;
		for (i = 0; i < PK_ARRAY_SIZE(tools); i++) {
			if (ds[j].scope == DS_LZ4_ONLY && tools[i].comp != PK_COMP_LZ4)
				continue;
			if (ds[j].scope == DS_KERNEL && !tools[i].kernel)
				continue;
			run(&tools[i], &ds[j]);
		}
	}
	for (j = 0; j < PK_ARRAY_SIZE(ds); j++)
		pk_buf_free(&ds[j].data);
	pk_ctx_free(ctx);
	printf("%s\n", check_failures ? "FAILED" : "all round trips match the CLI tools");
	return CHECK_RESULT();
}
