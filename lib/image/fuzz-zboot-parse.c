// SPDX-License-Identifier: MIT
/*
 * fuzz-zboot-parse.c - property: pk_zboot_parse() on any bytes either fails
 * with -EBADMSG / -EPROTONOSUPPORT and a message, or reports "absent", or a
 * payload (and, except for gzip, the le32 size after it) inside the input,
 * a NUL-terminated known name and a format.  Runs on an exact-size copy so
 * ASan sees any over-read.  (fuzz-pe-parse reaches this code only through a
 * valid PE; this target hits it directly.)
 */
#include <stdio.h>

#include "internal.h"
#include "pekexec/decompress.h"
#include "pekexec/pe.h"

static void check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz-zboot-parse: property violated: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_ctx *ctx = pk_ctx_new();
	uint8_t *copy = malloc(size ? size : 1);
	struct pk_zboot z;
	int r;

	if (!ctx || !copy)
		abort();
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	if (size)
		memcpy(copy, data, size);
	r = pk_zboot_parse(ctx, copy, size, &z);
	if (r < 0) {
		check(r == -EBADMSG || r == -EPROTONOSUPPORT, "undocumented errno");
		check(pk_ctx_errmsg(ctx)[0] != '\0', "error without a message");
	} else if (z.present) {
		check(r == 0, "positive return");
		check(size >= 0x40 && !memcmp(copy + 4, "zimg", 4), "magic");
		check(pk_range_ok(size, z.payload_offset, z.payload_size), "payload");
		check(z.comp != PK_COMP_NONE &&
			      z.comp == (int)pk_comp_from_zboot_name(z.comp_name),
		      "name");
		check(memchr(z.comp_name, '\0', sizeof(z.comp_name)) != NULL, "NUL");
		if (z.comp != PK_COMP_GZIP)
			check(pk_range_ok(size, (size_t)z.payload_offset + z.payload_size, 4),
			      "size trailer");
	}
	free(copy);
	pk_ctx_free(ctx);
	return 0;
}
