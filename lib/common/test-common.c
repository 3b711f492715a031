// SPDX-License-Identifier: MIT
/* test-common.c - bounds helper, byte buffers, file I/O, sha256. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"
#include "pekexec/file.h"
#include "pekexec/hash.h"

static void test_range(void)
{
	CHECK(pk_range_ok(10, 0, 10));
	CHECK(pk_range_ok(10, 10, 0));
	CHECK(!pk_range_ok(10, 11, 0));
	CHECK(!pk_range_ok(10, 1, 10));
	CHECK(!pk_range_ok(10, SIZE_MAX, 2));
	CHECK(!pk_range_ok(10, 2, SIZE_MAX));
	CHECK(!pk_range_ok(SIZE_MAX, SIZE_MAX, 1));
}

static void test_buf(void)
{
	struct pk_buf b = { 0 };
	size_t i;

	for (i = 0; i < 1000; i++)
		CHECK_EQ_INT(pk_buf_append(&b, "abc", 3), 0);
	CHECK_EQ_INT(b.len, 3000);
	CHECK(!memcmp(b.data + 2997, "abc", 3));
	CHECK_EQ_INT(pk_buf_append(&b, "x", 1), 0);
	CHECK_EQ_INT(pk_buf_pad(&b, 8), 0);
	CHECK_EQ_INT(b.len, 3008);
	CHECK_EQ_INT(b.data[3001], 0);
	b.len = SIZE_MAX - 1;
	CHECK_EQ_INT(pk_buf_reserve(&b, 2), -EOVERFLOW);
	b.len = 0;
	pk_buf_free(&b);
	CHECK(b.data == NULL && b.len == 0);
}

static void test_le(void)
{
	uint8_t p[8];

	pk_put_le64(p, 0x0102030405060708ULL);
	CHECK_EQ_INT(p[0], 8);
	CHECK(pk_get_le64(p) == 0x0102030405060708ULL);
	CHECK_EQ_INT(pk_get_le32(p + 4), 0x01020304);
	CHECK_EQ_INT(pk_get_le16(p), 0x0708);
}

static void test_file_and_hash(void)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_file f = { 0 };
	struct pk_buf out = { 0 };
	uint8_t d[PK_SHA256_LEN];
	char hex[2 * PK_SHA256_LEN + 1], path[1024], line[1200];
	FILE *p;

	snprintf(path, sizeof(path), "%s/data", test_tmpdir());
	CHECK_EQ_INT(pk_file_write_atomic(ctx, path, "hello\n", 6, 0600), 0);
	CHECK_EQ_INT(pk_file_open(ctx, path, 100, &f), 0);
	CHECK_EQ_INT(f.len, 6);
	CHECK(!memcmp(f.data, "hello\n", 6));
	pk_sha256(f.data, f.len, d);
	pk_hex(d, sizeof(d), hex);
	pk_file_close(&f);
	/* oracle: sha256sum(1) */
	snprintf(line, sizeof(line), "sha256sum '%s'", path);
	p = popen(line, "r");
	CHECK(p && fgets(line, sizeof(line), p));
	if (p)
		pclose(p);
	CHECK(!strncmp(line, hex, 64));

	CHECK_EQ_INT(pk_file_open(ctx, path, 5, &f), -EFBIG);
	CHECK(strstr(pk_ctx_errmsg(ctx), path) != NULL);
	CHECK_EQ_INT(pk_file_open(ctx, "/nonexistent/x", 5, &f), -ENOENT);
	CHECK_EQ_INT(pk_file_open(ctx, test_tmpdir(), 5, &f), -EISDIR);
	/* a pipe: read as a stream */
	CHECK_EQ_INT(pk_file_open(ctx, "/dev/null", 5, &f), 0);
	CHECK_EQ_INT(f.len, 0);
	pk_file_close(&f);
	/* a stream without end: refused at the limit, not read on */
	CHECK_EQ_INT(pk_file_open(ctx, "/dev/zero", 5, &f), -EFBIG);
	CHECK_EQ_INT(pk_file_open(ctx, "/dev/zero", 100000, &f), -EFBIG);
	pk_buf_free(&out);
	pk_ctx_free(ctx);
}

/*
 * The bytes pk_file_open() returns are the file's at open time: a writer
 * of the file afterwards (another process, root under enforcement) must
 * change nothing the signature check or a program already saw or will
 * see, and a truncation must not fault the reader (SIGBUS of a mapping).
 * @n below 2 MiB is read into malloc()ed memory, from 2 MiB on into an
 * anonymous mapping (file.c).
 */
static void test_file_snapshot(size_t n)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_file f = { 0 };
	uint8_t page[4096];
	char path[1024];
	uint8_t *orig = malloc(n);
	size_t i;
	int fd;

	CHECK(orig != NULL);
	if (!orig)
		return;
	for (i = 0; i < n; i++)
		orig[i] = (uint8_t)(i * 7);
	snprintf(path, sizeof(path), "%s/snapshot", test_tmpdir());
	CHECK_EQ_INT(pk_file_write_atomic(ctx, path, orig, n, 0600), 0);
	CHECK_EQ_INT(pk_file_open(ctx, path, n, &f), 0);
	CHECK_EQ_INT(f.len, n);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	/* every byte rewritten in place; then the file cut to one page */
	memset(page, 0xa5, sizeof(page));
	for (i = 0; fd >= 0 && i < n; i += sizeof(page))
		CHECK_EQ_INT(pwrite(fd, page, sizeof(page), (off_t)i), (int)sizeof(page));
	CHECK(f.data && !memcmp(f.data, orig, n));
	CHECK(fd >= 0 && ftruncate(fd, 4096) == 0);
	if (fd >= 0)
		close(fd);
	CHECK(f.data && !memcmp(f.data, orig, n));
	pk_file_close(&f);
	free(orig);
	pk_ctx_free(ctx);
}

static void test_err_prefix(void)
{
	struct pk_ctx *ctx = pk_ctx_new();

	CHECK_EQ_INT(pk_err(ctx, -EINVAL, "field %s at 0x%x", "X", 16), -EINVAL);
	CHECK_EQ_INT(pk_err_prefix(ctx, -EINVAL, "stage %d", 2), -EINVAL);
	CHECK(!strcmp(pk_ctx_errmsg(ctx), "stage 2: field X at 0x10"));
	pk_ctx_free(ctx);
}

int main(void)
{
	test_range();
	test_buf();
	test_le();
	test_file_and_hash();
	test_file_snapshot((1 << 20) + 5);
	test_file_snapshot((3 << 20) + 5);
	test_err_prefix();
	return CHECK_RESULT();
}
