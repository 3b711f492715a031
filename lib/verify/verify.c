// SPDX-License-Identifier: MIT
/*
 * verify.c - checking each signature of an image: decode, compare the signed
 * digest with the image's, check the PKCS#7 signature over the
 * SpcIndirectDataContent, chain the signer to a trust anchor.
 *
 * Trust policy (docs/authenticode.md): an anchor may be a CA or the signer
 * certificate itself (X509_V_FLAG_PARTIAL_CHAIN); validity dates are not
 * checked (X509_V_FLAG_NO_CHECK_TIME), as the kernel and UEFI do not check
 * them either; no purpose / extended key usage is required; the CA checks
 * OpenSSL makes on the issuers in the chain apply.
 */
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ac_internal.h"

struct digest_cache {
	bool have[PK_DIGEST_SHA512 + 1];
	int err[PK_DIGEST_SHA512 + 1];
	uint8_t d[PK_DIGEST_SHA512 + 1][PK_DIGEST_MAX];
};

static void name_line(const X509_NAME *name, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_read(b, out, (int)len - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

/* Records @err with the context's message as this signature's reason. */
static int sig_fail(struct pk_ctx *ctx, struct pk_sig_info *info, int err)
{
	info->err = err;
	snprintf(info->reason, sizeof(info->reason), "%s", pk_ctx_errmsg(ctx));
	return err;
}

static bool signer_is_trusted(const struct pk_trust *trust, X509 *signer,
			      STACK_OF(X509) *chain, char *why, size_t len)
{
	X509_STORE_CTX *sctx = X509_STORE_CTX_new();
	bool ok = false;

	if (!sctx || !X509_STORE_CTX_init(sctx, pk_trust_store(trust), signer, chain)) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(sctx),
				    X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
	ok = X509_verify_cert(sctx) == 1;
	if (!ok)
		snprintf(why, len, "%s",
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(sctx)));
out:
	X509_STORE_CTX_free(sctx);
	ERR_clear_error();
	return ok;
}

static int check_one(struct pk_ctx *ctx, const struct pk_pe *pe,
		     const struct pk_ac_table *tab, size_t idx,
		     const struct pk_trust *trust, struct digest_cache *dc,
		     struct pk_sig_info *info)
{
	const struct pk_ac_entry *e = &tab->entries[idx];
	STACK_OF(X509) *signers = NULL;
	struct pk_ac_sig sig;
	char where[64], why[160] = "";
	X509 *signer = NULL;
	BIO *content = NULL;
	int r;

	*info = (struct pk_sig_info){ .offset = e->offset, .length = e->length };
	snprintf(where, sizeof(where), "signature %zu at 0x%x", idx, e->offset);
	r = pk_ac_sig_decode(ctx, pe->buf + e->offset + PK_WIN_CERT_HDR_SIZE,
			     e->length - PK_WIN_CERT_HDR_SIZE, where, &sig);
	if (r < 0)
		return sig_fail(ctx, info, r);
	info->alg = sig.alg;

	if (!dc->have[sig.alg]) {
		dc->err[sig.alg] = pk_ac_digest_to(ctx, pe, tab->offset, sig.alg, dc->d[sig.alg]);
		dc->have[sig.alg] = true;
	}
	if (dc->err[sig.alg] < 0) {
		r = sig_fail(ctx, info, dc->err[sig.alg]);
		goto out;
	}
	info->digest_ok = !memcmp(sig.digest, dc->d[sig.alg], pk_digest_size(sig.alg));

	/*
	 * The signer must be a certificate embedded in the signature, found by
	 * the SignerInfo's issuer and serial, and it is that certificate which
	 * must chain to an anchor (as sbverify; the kernel would, as a last
	 * resort, also match a trusted key by issuer and serial directly).
	 */
	signers = PKCS7_get0_signers(sig.p7, NULL, 0);
	if (signers && sk_X509_num(signers) > 0) {
		signer = sk_X509_value(signers, 0);
		name_line(X509_get_subject_name(signer), info->subject, sizeof(info->subject));
		name_line(X509_get_issuer_name(signer), info->issuer, sizeof(info->issuer));
	}
	ERR_clear_error();

	content = BIO_new_mem_buf(sig.content, (int)sig.content_len);
	if (!content) {
		r = sig_fail(ctx, info, pk_err(ctx, -ENOMEM, "out of memory"));
		goto out;
	}
	if (signer)
		info->sig_ok = PKCS7_verify(sig.p7, NULL, NULL, content,
					    NULL, PKCS7_BINARY | PKCS7_NOVERIFY) == 1;
	if (!info->sig_ok)
		pk_ac_ossl_err(why, sizeof(why));
	if (!signer)
		snprintf(why, sizeof(why),
			 "no embedded certificate matches the SignerInfo's issuer and serial");

	if (info->sig_ok && signer && pk_trust_count(trust))
		info->trusted = signer_is_trusted(trust, signer, sig.p7->d.sign->cert,
						  why, sizeof(why));

	if (!info->digest_ok) {
		char want[2 * PK_DIGEST_MAX + 1], have[2 * PK_DIGEST_MAX + 1];

		pk_hex(sig.digest, pk_digest_size(sig.alg), want);
		pk_hex(dc->d[sig.alg], pk_digest_size(sig.alg), have);
		r = sig_fail(ctx, info, pk_err(ctx, -EBADMSG,
					       "%s: %s digest mismatch: signed %.16s..., image %.16s...",
					       where, pk_digest_name(sig.alg), want, have));
	} else if (!info->sig_ok) {
		r = sig_fail(ctx, info, pk_err(ctx, -EKEYREJECTED,
					       "%s: PKCS#7 signature invalid: %s", where, why));
	} else if (trust && !info->trusted) {
		r = sig_fail(ctx, info, pk_err(ctx, -EKEYREJECTED,
					       "%s: signer \"%s\" not trusted: %s", where,
					       info->subject,
					       pk_trust_count(trust) ? why : "no trust anchors given"));
	}
out:
	BIO_free(content);
	sk_X509_free(signers);
	pk_ac_sig_free(&sig);
	ERR_clear_error();
	return r;
}

int pk_authenticode_list(struct pk_ctx *ctx, const struct pk_pe *pe,
			 const struct pk_trust *trust,
			 struct pk_sig_info **ret_sigs)
{
	struct digest_cache dc = { 0 };
	struct pk_sig_info *sigs;
	struct pk_ac_table tab;
	size_t i;
	int r;

	*ret_sigs = NULL;
	r = pk_ac_table_parse(ctx, pe, &tab);
	if (r < 0)
		return r;
	if (!tab.n)
		return 0;
	sigs = calloc(tab.n, sizeof(*sigs));
	if (!sigs)
		return pk_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < tab.n; i++) {
		r = check_one(ctx, pe, &tab, i, trust, &dc, &sigs[i]);
		if (r == -ENOMEM) {
			free(sigs);
			return r;
		}
	}
	*ret_sigs = sigs;
	return (int)tab.n;
}

static int err_rank(int err)
{
	switch (err) {
	case 0:
		return 0;
	case -EKEYREJECTED:
		return 1;
	case -EBADMSG:
		return 2;
	case -ENOEXEC:
		return 3;
	default:
		return 4;
	}
}

int pk_authenticode_verify(struct pk_ctx *ctx, const struct pk_pe *pe,
			   const struct pk_trust *trust,
			   struct pk_sig_info *ret_signer)
{
	_pk_cleanup_free_ struct pk_sig_info *sigs = NULL;
	char msg[1024];
	size_t used = 0;
	int n, i, worst = 0;

	n = pk_authenticode_list(ctx, pe, trust, &sigs);
	if (n < 0)
		return n;
	if (n == 0)
		return pk_err(ctx, -ENODATA, "unsigned: no certificate table");
	for (i = 0; i < n; i++) {
		if (!sigs[i].err && sigs[i].trusted) {
			if (ret_signer)
				*ret_signer = sigs[i];
			pk_ctx_clear_error(ctx);
			return 0;
		}
		if (err_rank(sigs[i].err) > err_rank(worst))
			worst = sigs[i].err;
	}
	if (!worst)
		worst = -EKEYREJECTED; /* only when trust is NULL */
	msg[0] = '\0';
	for (i = 0; i < n && used < sizeof(msg); i++) {
		int w = snprintf(msg + used, sizeof(msg) - used, "%s%s", i ? "; " : "",
				 sigs[i].reason[0] ? sigs[i].reason : "not trusted");

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return pk_err(ctx, worst, "no valid trusted signature (%d): %s", n, msg);
}
