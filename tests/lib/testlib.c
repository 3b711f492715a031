// SPDX-License-Identifier: MIT
/* testlib.c - helpers shared by unit tests. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "testlib.h"

int check_failures;

int test_read_file(const char *path, struct pk_buf *ret)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int r = 0;

	pk_buf_free(ret);
	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		r = pk_buf_append(ret, chunk, n);
		if (r < 0)
			break;
	}
	if (!r && ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

int test_write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int r = 0;

	if (!f)
		return -errno;
	if (n && fwrite(p, 1, n, f) != n)
		r = -EIO;
	if (fclose(f) != 0 && !r)
		r = -errno;
	return r;
}

int test_system(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

const char *test_image_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("IMAGES");

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

const char *test_tmpdir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

void test_random_bytes(uint64_t *state, void *p, size_t n)
{
	uint8_t *o = p;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t x = *state;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		*state = x;
		o[i] = (uint8_t)((x * 0x2545F4914F6CDD1DULL) >> 56);
	}
}
