// SPDX-License-Identifier: MIT
/*
 * output.c - the last step of every build command: sign the image if a key
 * is given, then write it atomically (nothing is left behind on failure).
 */
#include "internal.h"
#include "pekexec/authenticode.h"
#include "pekexec/build.h"
#include "pekexec/file.h"

int pk_build_finish(struct pk_ctx *ctx, const uint8_t *img, size_t len,
		    const char *key_path, const char *cert_path,
		    const char *out_path)
{
	_pk_cleanup_buf_ struct pk_buf signed_img = { 0 };
	struct pk_signer *signer = NULL;
	int r;

	if (!key_path != !cert_path)
		return pk_err(ctx, -EINVAL, "signing needs both a key and a certificate");
	if (key_path) {
		r = pk_signer_load(ctx, key_path, cert_path, &signer);
		if (r < 0)
			return r;
		r = pk_authenticode_sign(ctx, img, len, signer, PK_DIGEST_SHA256,
					 false, &signed_img);
		pk_signer_free(signer);
		if (r < 0)
			return pk_err_prefix(ctx, r, "signing");
		img = signed_img.data;
		len = signed_img.len;
	}
	return pk_file_write_atomic(ctx, out_path, img, len, 0644);
}
