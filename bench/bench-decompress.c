// SPDX-License-Identifier: MIT
/*
 * bench-decompress.c - `bench-decompress FILE [REPS]`: decompress FILE with
 * pk_decompress() REPS times (default 3) and print
 *   "<best seconds> <output bytes> <input bytes>"
 * for bench/b-decompress.sh.  Only reports; never judges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pekexec/buf.h"
#include "pekexec/ctx.h"
#include "pekexec/decompress.h"

static int read_all(const char *path, struct pk_buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[1 << 16];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (pk_buf_append(b, chunk, n) < 0)
			break;
	fclose(f);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_buf in = { 0 }, out = { 0 };
	int reps = argc > 2 ? atoi(argv[2]) : 3, i, r = 0;
	double best = 0;
	size_t out_len = 0;

	if (argc < 2 || !ctx || read_all(argv[1], &in) < 0) {
		fprintf(stderr, "usage: bench-decompress FILE [REPS]\n");
		return 2;
	}
	for (i = 0; i < reps; i++) {
		double t0 = now(), t;

		r = pk_decompress(ctx, in.data, in.len, (size_t)1 << 30, &out);
		t = now() - t0;
		if (r < 0) {
			fprintf(stderr, "bench-decompress: %s\n", pk_ctx_errmsg(ctx));
			break;
		}
		out_len = out.len;
		pk_buf_free(&out);
		if (!i || t < best)
			best = t;
	}
	if (!r)
		printf("%.4f %zu %zu\n", best, out_len, in.len);
	pk_buf_free(&in);
	pk_ctx_free(ctx);
	return r ? 1 : 0;
}
