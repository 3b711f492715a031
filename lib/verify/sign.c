// SPDX-License-Identifier: MIT
/*
 * sign.c - Authenticode signing, producing what sbsign produces: PKCS#7
 * SignedData whose content is an SpcIndirectDataContent (SpcPeImageData +
 * digest), one SignerInfo with the signed attributes contentType
 * (SPC_INDIRECT_DATA), signingTime, messageDigest and SMIMECapabilities, the
 * signer certificate embedded; wrapped in a WIN_CERTIFICATE (revision 2.0,
 * PKCS_SIGNED_DATA) at the 8-aligned end of the image.  The certificate
 * table directory entry and the CheckSum are rewritten.
 */
#include <limits.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "ac_internal.h"
#include "pekexec/file.h"

#define PK_SIGNER_MAX_FILE (4u << 20)

struct pk_signer {
	EVP_PKEY *key;
	X509 *cert;
};

void pk_signer_free(struct pk_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	free(s);
}

/* Never prompt for a pass phrase: encrypted keys are refused. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int read_key(struct pk_ctx *ctx, const char *path, EVP_PKEY **ret)
{
	struct pk_file f = { 0 };
	char err[160];
	BIO *bio;
	int r;

	r = pk_file_open(ctx, path, PK_SIGNER_MAX_FILE, &f);
	if (r < 0)
		return r;
	bio = BIO_new_mem_buf(f.data, (int)f.len);
	*ret = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
	r = *ret ? 0 : pk_err(ctx, -EBADMSG, "%s: not an unencrypted PEM private key: %s",
			      path, pk_ac_ossl_err(err, sizeof(err)));
	BIO_free(bio);
	pk_file_close(&f);
	return r;
}

static int read_cert(struct pk_ctx *ctx, const char *path, X509 **ret)
{
	struct pk_file f = { 0 };
	const unsigned char *p;
	BIO *bio;
	int r;

	r = pk_file_open(ctx, path, PK_SIGNER_MAX_FILE, &f);
	if (r < 0)
		return r;
	bio = BIO_new_mem_buf(f.data, (int)f.len);
	*ret = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	if (!*ret) {
		p = f.data;
		*ret = d2i_X509(NULL, &p, (long)f.len);
	}
	ERR_clear_error();
	r = *ret ? 0 : pk_err(ctx, -EBADMSG, "%s: no PEM or DER X.509 certificate", path);
	BIO_free(bio);
	pk_file_close(&f);
	return r;
}

int pk_signer_load(struct pk_ctx *ctx, const char *key_path,
		   const char *cert_path, struct pk_signer **ret_signer)
{
	struct pk_signer *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return pk_err(ctx, -ENOMEM, "out of memory");
	r = read_key(ctx, key_path, &s->key);
	if (r >= 0)
		r = read_cert(ctx, cert_path, &s->cert);
	if (r >= 0 && X509_check_private_key(s->cert, s->key) != 1)
		r = pk_err(ctx, -EBADMSG, "%s does not match the certificate %s",
			   key_path, cert_path);
	ERR_clear_error();
	if (r < 0) {
		pk_signer_free(s);
		return r;
	}
	*ret_signer = s;
	return 0;
}

/* Makes @p7's content the SpcIndirectDataContent @idc (DER). */
static int set_idc_content(PKCS7 *p7, const uint8_t *idc, size_t idc_len)
{
	PKCS7 *c = PKCS7_new();
	ASN1_STRING *s = ASN1_STRING_new();
	ASN1_TYPE *t = ASN1_TYPE_new();

	if (!c || !s || !t || !ASN1_STRING_set(s, idc, (int)idc_len))
		goto fail;
	c->type = OBJ_txt2obj(PK_OID_SPC_INDIRECT_DATA, 1);
	if (!c->type)
		goto fail;
	ASN1_TYPE_set(t, V_ASN1_SEQUENCE, s);
	c->d.other = t;
	PKCS7_free(p7->d.sign->contents);
	p7->d.sign->contents = c;
	return 0;
fail:
	ASN1_TYPE_free(t);
	ASN1_STRING_free(s);
	PKCS7_free(c);
	return -ENOMEM;
}

/*
 * The PKCS#7 DER for an image digest, built the way sbsign builds it so the
 * signed attributes are the same: OpenSSL's signer with its default
 * attributes, contentType replaced by SPC_INDIRECT_DATA, the content octets
 * of the SpcIndirectDataContent fed through dataInit/dataFinal.
 */
static int make_pkcs7(struct pk_ctx *ctx, const struct pk_signer *signer,
		      enum pk_digest_alg alg, const uint8_t *digest,
		      uint8_t **ret, size_t *ret_len)
{
	uint8_t *idc = NULL;
	const uint8_t *content;
	size_t idc_len, content_len;
	PKCS7_SIGNER_INFO *si;
	unsigned char *der = NULL;
	ASN1_OBJECT *ctype;
	PKCS7 *p7 = NULL;
	BIO *bio = NULL;
	char err[160];
	int r, n;

	r = pk_ac_idc_encode(ctx, alg, digest, &idc, &idc_len);
	if (r < 0)
		return r;
	if (pk_ac_der_content(idc, idc_len, &content, &content_len) < 0) {
		r = pk_err(ctx, -EINVAL, "internal: SpcIndirectDataContent encoding");
		goto out;
	}
	r = -EBADMSG;
	p7 = PKCS7_sign(NULL, NULL, NULL, NULL, PKCS7_BINARY | PKCS7_PARTIAL | PKCS7_DETACHED);
	if (!p7)
		goto fail;
	si = PKCS7_sign_add_signer(p7, signer->cert, signer->key, pk_ac_md(alg), PKCS7_BINARY);
	if (!si || !PKCS7_content_new(p7, NID_pkcs7_data))
		goto fail;
	ctype = OBJ_txt2obj(PK_OID_SPC_INDIRECT_DATA, 1);
	if (!ctype || !PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT, ctype)) {
		ASN1_OBJECT_free(ctype);
		goto fail;
	}
	bio = PKCS7_dataInit(p7, NULL);
	if (!bio || BIO_write(bio, content, (int)content_len) != (int)content_len ||
	    !PKCS7_dataFinal(p7, bio))
		goto fail;
	if (set_idc_content(p7, idc, idc_len) < 0)
		goto fail;
	n = i2d_PKCS7(p7, &der);
	if (n <= 0)
		goto fail;
	*ret = der;
	*ret_len = (size_t)n;
	r = 0;
	goto out;
fail:
	r = pk_err(ctx, r, "PKCS#7 signing failed: %s", pk_ac_ossl_err(err, sizeof(err)));
out:
	BIO_free_all(bio);
	PKCS7_free(p7);
	OPENSSL_free(idc);
	ERR_clear_error();
	return r;
}

static int append_entry(struct pk_buf *out, const uint8_t *der, size_t der_len)
{
	uint8_t hdr[PK_WIN_CERT_HDR_SIZE];
	int r;

	pk_put_le32(hdr, (uint32_t)(der_len + PK_WIN_CERT_HDR_SIZE));
	pk_put_le16(hdr + 4, PK_WIN_CERT_REVISION_2_0);
	pk_put_le16(hdr + 6, PK_WIN_CERT_TYPE_PKCS_SIGNED_DATA);
	r = pk_buf_append(out, hdr, sizeof(hdr));
	if (r >= 0)
		r = pk_buf_append(out, der, der_len);
	if (r >= 0)
		r = pk_buf_pad(out, 8);
	return r;
}

int pk_authenticode_sign(struct pk_ctx *ctx, const uint8_t *img, size_t len,
			 const struct pk_signer *signer, enum pk_digest_alg alg,
			 bool append, struct pk_buf *ret_out)
{
	_pk_cleanup_pe_ struct pk_pe *pe = NULL;
	_pk_cleanup_buf_ struct pk_buf out = { 0 };
	uint8_t digest[PK_DIGEST_MAX], *der = NULL;
	struct pk_ac_table tab;
	size_t base, der_len = 0, table_off;
	uint32_t dirent;
	int r;

	if (ret_out->len)
		return pk_err(ctx, -EINVAL, "output buffer not empty");
	if (!pk_ac_md(alg))
		return pk_err(ctx, -EINVAL, "unknown digest algorithm %d", (int)alg);
	pe = pk_pe_new();
	if (!pe)
		return pk_err(ctx, -ENOMEM, "out of memory");
	r = pk_pe_parse(ctx, img, len, pe);
	if (r < 0)
		return r;
	if (pe->ndirs <= PK_PE_DIR_SECURITY)
		return pk_err(ctx, -ENOEXEC,
			      "NumberOfRvaAndSizes %u at 0x%x: no certificate-table directory entry",
			      pe->ndirs, pe->dirs_offset);
	r = pk_ac_table_parse(ctx, pe, &tab);
	if (r < 0)
		return pk_err_prefix(ctx, r, "existing signatures");
	if (append && tab.n >= PK_AC_MAX_SIGS)
		return pk_err(ctx, -E2BIG, "already %zu signatures", tab.n);
	base = tab.present ? tab.offset : len;
	if (base > UINT32_MAX - 8)
		return pk_err(ctx, -EFBIG, "image of 0x%zx bytes too large to sign", base);

	/* The image without its table, padded to 8 bytes: what gets signed. */
	r = pk_buf_append(&out, img, base);
	if (r >= 0)
		r = pk_buf_pad(&out, 8);
	if (r < 0)
		return pk_err(ctx, r, "out of memory");
	table_off = out.len;
	dirent = pe->dirs_offset + 8 * PK_PE_DIR_SECURITY;
	pk_put_le32(out.data + dirent, 0);
	pk_put_le32(out.data + dirent + 4, 0);
	r = pk_pe_parse(ctx, out.data, out.len, pe);
	if (r < 0)
		return pk_err_prefix(ctx, r, "image without its signatures");
	r = pk_ac_digest_to(ctx, pe, out.len, alg, digest);
	if (r < 0)
		return r;
	r = make_pkcs7(ctx, signer, alg, digest, &der, &der_len);
	if (r < 0)
		return r;

	if (append && tab.present)
		r = pk_buf_append(&out, img + tab.offset, tab.size);
	if (r >= 0)
		r = append_entry(&out, der, der_len);
	OPENSSL_free(der);
	if (r < 0)
		return pk_err(ctx, r, "out of memory");
	if (out.len - table_off > PK_AC_MAX_TABLE)
		return pk_err(ctx, -E2BIG, "certificate table of 0x%zx bytes too large",
			      out.len - table_off);
	pk_put_le32(out.data + dirent, (uint32_t)table_off);
	pk_put_le32(out.data + dirent + 4, (uint32_t)(out.len - table_off));
	pk_put_le32(out.data + pe->checksum_offset,
		    pk_pe_checksum(out.data, out.len, pe->checksum_offset));
	*ret_out = out;
	out = (struct pk_buf){ 0 };
	return 0;
}
