// SPDX-License-Identifier: MIT
/*
 * fuzz-fdt-compatible.c - property: pk_fdt_root_compatible() takes any
 * blob (a UKI's .dtb/.dtbauto, /sys/firmware/fdt) without reading outside
 * it, and answers 0 with a non-empty NUL-terminated string that occurs in
 * the blob, or -EBADMSG / -ENOENT with an empty one and a message; a
 * smaller result buffer gives a prefix of the same string.
 * Seeds: t-devicetree.sh writes dtc-made blobs to $BUILD/fuzz-seeds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pekexec/fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_ctx *ctx = pk_ctx_new();
	char big[256], small[5];
	int r, r2;

	if (!ctx)
		return 0;
	r = pk_fdt_root_compatible(ctx, data, size, big, sizeof(big));
	r2 = pk_fdt_root_compatible(ctx, data, size, small, sizeof(small));
	if (r != r2)
		abort();
	if (r == 0) {
		size_t n = strlen(big);

		if (!n || n >= sizeof(big) || !memmem(data, size, big, n) ||
		    strncmp(big, small, sizeof(small) - 1) || strlen(small) > sizeof(small) - 1)
			abort();
	} else if ((r != -EBADMSG && r != -ENOENT) || big[0] || !pk_ctx_errmsg(ctx)[0]) {
		abort();
	}
	pk_ctx_free(ctx);
	return 0;
}
