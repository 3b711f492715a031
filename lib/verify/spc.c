// SPDX-License-Identifier: MIT
/*
 * spc.c - the Authenticode content of a PKCS#7 SignedData: decoding the
 * SpcIndirectDataContent of a signature and encoding one for signing.
 *
 *   SpcIndirectDataContent ::= SEQUENCE {
 *       data            SpcAttributeTypeAndOptionalValue,
 *       messageDigest   DigestInfo }
 *   SpcAttributeTypeAndOptionalValue ::= SEQUENCE {
 *       type            OBJECT IDENTIFIER,   -- SPC_PE_IMAGE_DATAOBJ
 *       value           ANY OPTIONAL }       -- SpcPeImageData
 *   DigestInfo ::= SEQUENCE {
 *       digestAlgorithm AlgorithmIdentifier,
 *       digest          OCTET STRING }
 *
 * The DER is decoded with OpenSSL ASN.1 templates; the PKCS#7 signature
 * covers the *content octets* of the SpcIndirectDataContent SEQUENCE (its tag
 * and length left out), as the Authenticode specification, the kernel's
 * mscode_parse() and sbsigntools agree.
 */
#include <limits.h>
#include <stdio.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "ac_internal.h"

typedef struct {
	ASN1_OBJECT *type;
	ASN1_TYPE *value;
} PK_SPC_ATTR;

ASN1_SEQUENCE(PK_SPC_ATTR) = {
	ASN1_SIMPLE(PK_SPC_ATTR, type, ASN1_OBJECT),
	ASN1_OPT(PK_SPC_ATTR, value, ASN1_ANY),
} static_ASN1_SEQUENCE_END(PK_SPC_ATTR)

typedef struct {
	X509_ALGOR *alg;
	ASN1_OCTET_STRING *digest;
} PK_SPC_DIGEST;

ASN1_SEQUENCE(PK_SPC_DIGEST) = {
	ASN1_SIMPLE(PK_SPC_DIGEST, alg, X509_ALGOR),
	ASN1_SIMPLE(PK_SPC_DIGEST, digest, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(PK_SPC_DIGEST)

typedef struct {
	PK_SPC_ATTR *data;
	PK_SPC_DIGEST *digest;
} PK_SPC_IDC;

ASN1_SEQUENCE(PK_SPC_IDC) = {
	ASN1_SIMPLE(PK_SPC_IDC, data, PK_SPC_ATTR),
	ASN1_SIMPLE(PK_SPC_IDC, digest, PK_SPC_DIGEST),
} static_ASN1_SEQUENCE_END(PK_SPC_IDC)

/*
 * SpcPeImageData exactly as sbsign writes it: flags = empty BIT STRING,
 * file = [0] { SpcLink.file [2] { SpcString.unicode [0] "<<<Obsolete>>>" } }
 * (BMPString).  A fixed value, so it is kept as its DER.
 */
static const uint8_t spc_pe_image_data[] = {
	0x30, 0x25, 0x03, 0x01, 0x00, 0xa0, 0x20, 0xa2, 0x1e, 0x80, 0x1c,
	0x00, 0x3c, 0x00, 0x3c, 0x00, 0x3c, 0x00, 0x4f, 0x00, 0x62, 0x00, 0x73,
	0x00, 0x6f, 0x00, 0x6c, 0x00, 0x65, 0x00, 0x74, 0x00, 0x65, 0x00, 0x3e,
	0x00, 0x3e, 0x00, 0x3e,
};

const char *pk_ac_ossl_err(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (!e)
		snprintf(buf, len, "(no detail)");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

int pk_ac_der_content(const uint8_t *der, size_t len, const uint8_t **ret,
		      size_t *ret_len)
{
	const unsigned char *p = der;
	long plen;
	int tag, cls, r;

	if (len > LONG_MAX)
		return -ENOEXEC;
	r = ASN1_get_object(&p, &plen, &tag, &cls, (long)len);
	/* 0x80: error; 0x21: indefinite length (not DER) */
	if ((r & 0x80) || r == 0x21 || !(r & V_ASN1_CONSTRUCTED)) {
		ERR_clear_error();
		return -ENOEXEC;
	}
	if (plen < 0 || (size_t)plen != len - (size_t)(p - der))
		return -ENOEXEC;
	*ret = p;
	*ret_len = (size_t)plen;
	return 0;
}

static bool oid_is(const ASN1_OBJECT *o, const char *dotted)
{
	char txt[80];

	if (!o || OBJ_obj2txt(txt, sizeof(txt), o, 1) <= 0)
		return false;
	return !strcmp(txt, dotted);
}

void pk_ac_sig_free(struct pk_ac_sig *s)
{
	if (!s)
		return;
	PKCS7_free(s->p7);
	*s = (struct pk_ac_sig){ 0 };
}

static int decode_idc(struct pk_ctx *ctx, const ASN1_STRING *seq, const char *where,
		      struct pk_ac_sig *ret)
{
	const unsigned char *p = ASN1_STRING_get0_data(seq);
	long n = ASN1_STRING_length(seq);
	const unsigned char *start = p;
	PK_SPC_IDC *idc;
	char err[160];
	int nid, r = 0;
	size_t dlen;

	idc = (PK_SPC_IDC *)ASN1_item_d2i(NULL, &p, n, ASN1_ITEM_rptr(PK_SPC_IDC));
	if (!idc)
		return pk_err(ctx, -ENOEXEC, "%s: SpcIndirectDataContent: %s", where,
			      pk_ac_ossl_err(err, sizeof(err)));
	if (p - start != n) {
		r = pk_err(ctx, -ENOEXEC, "%s: %ld bytes after the SpcIndirectDataContent",
			   where, n - (long)(p - start));
		goto out;
	}
	if (!oid_is(idc->data->type, PK_OID_SPC_PE_IMAGE_DATA)) {
		r = pk_err(ctx, -ENOEXEC,
			   "%s: SpcIndirectDataContent data type is not SPC_PE_IMAGE_DATAOBJ (%s)",
			   where, PK_OID_SPC_PE_IMAGE_DATA);
		goto out;
	}
	nid = OBJ_obj2nid(idc->digest->alg->algorithm);
	switch (nid) {
	case NID_sha256:
		ret->alg = PK_DIGEST_SHA256;
		break;
	case NID_sha384:
		ret->alg = PK_DIGEST_SHA384;
		break;
	case NID_sha512:
		ret->alg = PK_DIGEST_SHA512;
		break;
	default:
		r = pk_err(ctx, -ENOEXEC,
			   "%s: unsupported digest algorithm %s in SpcIndirectDataContent (sha256, sha384, sha512 are)",
			   where, nid == NID_undef ? "(unknown OID)" : OBJ_nid2sn(nid));
		goto out;
	}
	dlen = (size_t)ASN1_STRING_length(idc->digest->digest);
	if (dlen != pk_digest_size(ret->alg)) {
		r = pk_err(ctx, -ENOEXEC, "%s: %s digest of %zu bytes in SpcIndirectDataContent",
			   where, pk_digest_name(ret->alg), dlen);
		goto out;
	}
	memcpy(ret->digest, ASN1_STRING_get0_data(idc->digest->digest), dlen);
	if (pk_ac_der_content(start, (size_t)n, &ret->content, &ret->content_len) < 0)
		r = pk_err(ctx, -ENOEXEC, "%s: SpcIndirectDataContent is not a definite-length SEQUENCE",
			   where);
out:
	ASN1_item_free((ASN1_VALUE *)idc, ASN1_ITEM_rptr(PK_SPC_IDC));
	return r;
}

int pk_ac_sig_decode(struct pk_ctx *ctx, const uint8_t *der, size_t len,
		     const char *where, struct pk_ac_sig *ret)
{
	const unsigned char *p = der;
	const PKCS7 *content;
	char err[160];
	size_t used, i;
	int r, n;

	*ret = (struct pk_ac_sig){ 0 };
	if (len > LONG_MAX)
		return pk_err(ctx, -ENOEXEC, "%s: too large", where);
	ret->p7 = d2i_PKCS7(NULL, &p, (long)len);
	if (!ret->p7)
		return pk_err(ctx, -ENOEXEC, "%s: PKCS#7 DER: %s", where,
			      pk_ac_ossl_err(err, sizeof(err)));
	/* Up to 7 bytes of zero padding inside dwLength are tolerated. */
	used = (size_t)(p - der);
	for (i = used; i < len; i++) {
		if (der[i] || len - used >= 8) {
			r = pk_err(ctx, -ENOEXEC, "%s: %zu bytes after the PKCS#7 DER (%zu bytes)",
				   where, len - used, used);
			goto fail;
		}
	}
	if (!PKCS7_type_is_signed(ret->p7) || !ret->p7->d.sign ||
	    !ret->p7->d.sign->contents) {
		r = pk_err(ctx, -ENOEXEC, "%s: PKCS#7 is not SignedData with content", where);
		goto fail;
	}
	content = ret->p7->d.sign->contents;
	if (!oid_is(content->type, PK_OID_SPC_INDIRECT_DATA) || !content->d.other ||
	    content->d.other->type != V_ASN1_SEQUENCE) {
		r = pk_err(ctx, -ENOEXEC,
			   "%s: SignedData content is not SpcIndirectDataContent (%s)",
			   where, PK_OID_SPC_INDIRECT_DATA);
		goto fail;
	}
	/*
	 * PKCS7_verify() leaks its temporary content BIO when PKCS7_dataInit()
	 * fails on an unknown digest algorithm (OpenSSL 3.0): refuse those here.
	 */
	for (i = 0; i < (size_t)sk_X509_ALGOR_num(ret->p7->d.sign->md_algs); i++) {
		const X509_ALGOR *a = sk_X509_ALGOR_value(ret->p7->d.sign->md_algs, (int)i);

		if (!EVP_get_digestbyobj(a->algorithm)) {
			r = pk_err(ctx, -ENOEXEC, "%s: unknown digest algorithm in SignedData",
				   where);
			goto fail;
		}
	}
	n = sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(ret->p7));
	if (n != 1) {
		r = pk_err(ctx, -ENOEXEC, "%s: %d SignerInfos (Authenticode requires exactly one)",
			   where, n);
		goto fail;
	}
	r = decode_idc(ctx, content->d.other->value.sequence, where, ret);
	if (r < 0)
		goto fail;
	return 0;
fail:
	pk_ac_sig_free(ret);
	return r;
}

int pk_ac_idc_encode(struct pk_ctx *ctx, enum pk_digest_alg alg,
		     const uint8_t *digest, uint8_t **ret, size_t *ret_len)
{
	PK_SPC_IDC *idc;
	ASN1_STRING *seq = NULL;
	unsigned char *der = NULL;
	int n, r = -ENOMEM;
	int nid = alg == PK_DIGEST_SHA384 ? NID_sha384 :
		  alg == PK_DIGEST_SHA512 ? NID_sha512 : NID_sha256;

	idc = (PK_SPC_IDC *)ASN1_item_new(ASN1_ITEM_rptr(PK_SPC_IDC));
	if (!idc)
		return pk_err(ctx, -ENOMEM, "out of memory");
	idc->data->type = OBJ_txt2obj(PK_OID_SPC_PE_IMAGE_DATA, 1);
	idc->data->value = ASN1_TYPE_new();
	seq = ASN1_STRING_new();
	if (!idc->data->type || !idc->data->value || !seq ||
	    !ASN1_STRING_set(seq, spc_pe_image_data, sizeof(spc_pe_image_data)))
		goto out;
	ASN1_TYPE_set(idc->data->value, V_ASN1_SEQUENCE, seq);
	seq = NULL;
	if (!X509_ALGOR_set0(idc->digest->alg, OBJ_nid2obj(nid), V_ASN1_NULL, NULL) ||
	    !ASN1_OCTET_STRING_set(idc->digest->digest, digest, (int)pk_digest_size(alg)))
		goto out;
	n = ASN1_item_i2d((ASN1_VALUE *)idc, &der, ASN1_ITEM_rptr(PK_SPC_IDC));
	if (n <= 0)
		goto out;
	*ret = der;
	*ret_len = (size_t)n;
	r = 0;
out:
	ASN1_STRING_free(seq);
	ASN1_item_free((ASN1_VALUE *)idc, ASN1_ITEM_rptr(PK_SPC_IDC));
	if (r < 0)
		return pk_err(ctx, r, "encoding SpcIndirectDataContent failed");
	return 0;
}
