// SPDX-License-Identifier: MIT
/*
 * fuzz-pe-parse.c - property: for any input, pk_pe_parse() either fails with
 * one of its documented errors and a message, or succeeds with every
 * section's [data_offset, data_offset + data_size), the certificate table and
 * the zboot payload (plus its size trailer) inside the input.  The input is
 * an exact-size copy, so ASan reports any read outside it.
 */
#include <stdio.h>

#include "internal.h"
#include "pekexec/hash.h"
#include "pekexec/pe.h"

static void check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz-pe-parse: property violated: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_pe *pe = pk_pe_new();
	struct pk_ctx *ctx = pk_ctx_new();
	uint8_t *copy = malloc(size ? size : 1);
	uint8_t d[PK_SHA256_LEN];
	unsigned int i;
	int r;

	if (!pe || !ctx || !copy)
		abort();
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	if (size)
		memcpy(copy, data, size);
	r = pk_pe_parse(ctx, copy, size, pe);
	if (r < 0) {
		check(r == -ENOEXEC || r == -EBADMSG || r == -E2BIG ||
			      r == -EPROTONOSUPPORT,
		      "undocumented errno");
		check(pk_ctx_errmsg(ctx)[0] != '\0', "error without a message");
	} else {
		check(r == 0, "positive return");
		check(pe->nsections <= PK_PE_MAX_SECTIONS, "section count");
		for (i = 0; i < pe->nsections; i++) {
			const struct pk_pe_section *s = &pe->sections[i];

			check(pk_range_ok(size, s->data_offset, s->data_size),
			      "section data outside the file");
			check(s->data_size <= s->size_of_raw_data, "data_size");
			pk_sha256(copy + s->data_offset, s->data_size, d);
			check(pk_pe_find_section(pe, s->name) != NULL, "lookup");
		}
		if (pk_pe_has_cert_table(pe))
			check(pk_range_ok(size, pe->dirs[PK_PE_DIR_SECURITY].virtual_address,
					  pe->dirs[PK_PE_DIR_SECURITY].size),
			      "certificate table outside the file");
		if (pe->zboot.present) {
			check(pk_range_ok(size, pe->zboot.payload_offset,
					  pe->zboot.payload_size),
			      "zboot payload outside the file");
			pk_sha256(copy + pe->zboot.payload_offset,
				  pe->zboot.payload_size, d);
		}
		check(pe->checksum_offset + 4 <= pe->size_of_headers,
		      "CheckSum outside the headers");
	}
	free(copy);
	pk_pe_free(pe);
	pk_ctx_free(ctx);
	return 0;
}
