// SPDX-License-Identifier: MIT
/*
 * fuzz-stub-cpios.c - property: for any image that parses as a PE, the
 * archives systemd-stub would generate from it (.pcrsig, .pcrpkey,
 * .osrel, .profile of profiles 0..3, stubgen.c + cpio.c) are well formed
 * and exactly the section's bytes: each starts with a newc header of inode 1, is a
 * multiple of 4 bytes, ends with the stub's trailer, holds the directory
 * then the file whose contents are the section's, and nothing leaks.
 * pk_pipeline_run() reaches this code only after a parser program ran,
 * which random images rarely get to: here every input does.
 *
 * The last input byte, when present, picks a sidecar name (fuzzed
 * characters) packed with pk_stub_sidecar_cpios(): refused with -EINVAL
 * or packed, never anything else.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stages/stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_archive(const struct pk_buf *b, const struct pk_pipeline_cpio *c,
			  const struct pk_pe_section *s)
{
	if (b->len != c->len || b->len % 4 || b->len < 124 ||
	    memcmp(b->data, "07070100000001", 14) ||
	    memcmp(b->data + b->len - 14, "TRAILER!!!\0\0\0\0", 14) || c->nmembers != 2 ||
	    c->members[0].mode != (PK_CPIO_S_IFDIR | 0555) ||
	    c->members[1].mode != (PK_CPIO_S_IFREG | 0444))
		abort();
	if (!s || c->members[1].size != s->data_size)
		abort();
}

static void fuzz_sidecar(struct pk_ctx *ctx, const uint8_t *data, size_t size)
{
	struct pk_pipeline_cpio *cpios = NULL;
	struct pk_buf *bufs = NULL;
	struct pk_sidecar sc;
	char name[16];
	size_t n = 0, i, len;
	int e;

	if (!size)
		return;
	len = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data + size - len, len);
	name[len] = '\0';
	sc = (struct pk_sidecar){ data[size - 1] % (PK_SIDECAR_KINDS + 1), name, data, size };
	e = pk_stub_sidecar_cpios(ctx, &sc, 1, &cpios, &bufs, &n);
	if ((e < 0 && e != -EINVAL && e != -ENOMEM) || (!e && n != 1))
		abort();
	for (i = 0; i < n; i++) {
		pk_buf_free(&bufs[i]);
		free(cpios[i].members);
	}
	free(bufs);
	free(cpios);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_pe *pe = pk_pe_new();
	unsigned int profile;
	size_t i;
	int e;

	if (!ctx || !pe)
		abort();
	fuzz_sidecar(ctx, data, size);
	if (pk_pe_parse(ctx, data, size, pe) < 0)
		goto out;
	for (profile = 0; profile < 4; profile++) {
		struct pk_pipeline_cpio *cpios = NULL;
		struct pk_buf *bufs = NULL;
		size_t n = 0;

		e = pk_stub_cpios(ctx, "fuzz.efi", pe, profile, &cpios, &bufs, &n);
		if (e < 0 && e != -ENOMEM)
			abort(); /* sections are bounded by pk_pe_parse: always packable */
		for (i = 0; i < n; i++) {
			const struct pk_pe_section *s =
				pk_stub_section(pe, profile, cpios[i].source);
			uint8_t d[PK_SHA256_LEN];

			check_archive(&bufs[i], &cpios[i], s);
			if (!s)
				abort();
			pk_sha256(pe->buf + s->data_offset, s->data_size, d);
			if (memcmp(d, cpios[i].members[1].sha256, sizeof(d)))
				abort();
			pk_buf_free(&bufs[i]);
			free(cpios[i].members);
		}
		free(bufs);
		free(cpios);
	}
out:
	pk_pe_free(pe);
	pk_ctx_free(ctx);
	return 0;
}
