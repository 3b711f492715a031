/* SPDX-License-Identifier: MIT */
/*
 * fuzz-decompress.h - the property every fuzz-decompress-FORMAT target
 * checks on arbitrary input:
 *   - no crash, no hang, no leak (the sanitizers and libFuzzer see to it);
 *   - only the documented errors come back, and a failure hands out nothing;
 *   - the output never exceeds max_out;
 *   - the limit is exact: a decoded stream decodes again, identically, with
 *     max_out set to its size, and fails with -EFBIG one byte below.
 * Seeds: small CLI-made streams written by test-decompress-cli into
 * $BUILD/fuzz-seeds/fuzz-decompress-FORMAT/.
 */
#ifndef PK_FUZZ_DECOMPRESS_H
#define PK_FUZZ_DECOMPRESS_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pekexec/decompress.h"

#define PK_FUZZ_MAX_OUT ((size_t)4 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void pk_fuzz_check(int cond)
{
	if (!cond)
		abort();
}

static inline int pk_fuzz_decompress(enum pk_comp comp, const uint8_t *data, size_t size)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_buf out = { 0 }, again = { 0 };
	int r;

	if (!ctx)
		return 0;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	r = pk_decompress_as(ctx, comp, data, size, PK_FUZZ_MAX_OUT, &out);
	pk_fuzz_check(r == 0 || r == -EBADMSG || r == -EFBIG || r == -ENOMEM);
	pk_fuzz_check(out.len <= PK_FUZZ_MAX_OUT);
	if (r < 0)
		pk_fuzz_check(!out.data && !out.len && pk_ctx_errmsg(ctx)[0]);
	if (r == 0) {
		r = pk_decompress_as(ctx, comp, data, size, out.len, &again);
		pk_fuzz_check(r == 0 && again.len == out.len &&
			      (!out.len || !memcmp(again.data, out.data, out.len)));
		pk_buf_free(&again);
		if (out.len) {
			r = pk_decompress_as(ctx, comp, data, size, out.len - 1, &again);
			pk_fuzz_check(r == -EFBIG && !again.data);
		}
	}
	pk_buf_free(&out);
	pk_ctx_free(ctx);
	return 0;
}

#endif
