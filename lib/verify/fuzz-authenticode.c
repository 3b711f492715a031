// SPDX-License-Identifier: MIT
/*
 * fuzz-authenticode.c - the certificate table and PKCS#7 paths never crash,
 * leak or read out of bounds, whatever the bytes.
 *
 * First input byte selects the mode:
 *   0: the rest is appended as the certificate table of a fixed small PE32+
 *      image (directory entry pointing at it), then listed and verified;
 *   1: the rest is a whole image: parsed, digested, listed, verified;
 *   2: the rest is one WIN_CERTIFICATE payload: decoded as PKCS#7 directly.
 * Seeds: written by test-authenticode into $BUILD/fuzz-seeds/fuzz-authenticode.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ac_internal.h"
#include "small-pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_image(struct pk_ctx *ctx, const uint8_t *img, size_t len,
		      struct pk_trust *trust)
{
	struct pk_sig_info *sigs = NULL, info;
	uint8_t d[PK_DIGEST_MAX];
	struct pk_pe *pe = pk_pe_new();

	if (!pe)
		return;
	if (pk_pe_parse(ctx, img, len, pe) == 0) {
		pk_authenticode_digest(ctx, pe, PK_DIGEST_SHA256, d);
		if (pk_authenticode_list(ctx, pe, NULL, &sigs) >= 0)
			free(sigs);
		pk_authenticode_verify(ctx, pe, trust, &info);
	}
	pk_pe_free(pe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_ctx *ctx;
	struct pk_trust *trust;

	if (size < 1 || size > (4u << 20))
		return 0;
	ctx = pk_ctx_new();
	trust = pk_trust_new();
	if (!ctx || !trust)
		goto out;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	switch (data[0] % 3) {
	case 0: {
		struct pk_buf img = { 0 };

		if (pk_fuzz_small_pe(&img) == 0 && pk_buf_append(&img, data + 1, size - 1) == 0) {
			pk_fuzz_set_cert_dir(&img, PK_FUZZ_PE_LEN, (uint32_t)(size - 1));
			run_image(ctx, img.data, img.len, trust);
		}
		pk_buf_free(&img);
		break;
	}
	case 1:
		run_image(ctx, data + 1, size - 1, trust);
		break;
	case 2: {
		struct pk_ac_sig sig;

		if (pk_ac_sig_decode(ctx, data + 1, size - 1, "fuzz", &sig) == 0)
			pk_ac_sig_free(&sig);
		break;
	}
	}
out:
	pk_trust_free(trust);
	pk_ctx_free(ctx);
	return 0;
}
