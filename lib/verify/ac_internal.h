/* SPDX-License-Identifier: MIT */
/*
 * ac_internal.h - what the Authenticode files of lib/verify share: the
 * certificate-table walk, the decoded form of one signature, digest helpers.
 * Not installed.
 */
#ifndef PK_AC_INTERNAL_H
#define PK_AC_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "internal.h"
#include "pekexec/authenticode.h"

/* WIN_CERTIFICATE (Authenticode spec / PE format "Attribute Certificate Table"). */
#define PK_WIN_CERT_HDR_SIZE 8
#define PK_WIN_CERT_REVISION_2_0 0x0200
#define PK_WIN_CERT_TYPE_PKCS_SIGNED_DATA 0x0002
/* More signatures than this in one image is refused as malformed. */
#define PK_AC_MAX_SIGS 16
/* A certificate table larger than this is refused (real ones are a few KiB). */
#define PK_AC_MAX_TABLE (16u << 20)

#define PK_OID_SPC_INDIRECT_DATA "1.3.6.1.4.1.311.2.1.4"
#define PK_OID_SPC_PE_IMAGE_DATA "1.3.6.1.4.1.311.2.1.15"

/* One WIN_CERTIFICATE of the table, as found (not yet decoded). */
struct pk_ac_entry {
	uint32_t offset;   /* file offset of the WIN_CERTIFICATE header */
	uint32_t length;   /* dwLength: header + bCertificate */
	uint16_t revision;
	uint16_t type;
};

/* The certificate table of an image. */
struct pk_ac_table {
	bool present;      /* the directory entry is non-empty */
	uint32_t offset;   /* directory entry: file offset of the table */
	uint32_t size;     /* directory entry: size of the table */
	size_t n;
	struct pk_ac_entry entries[PK_AC_MAX_SIGS];
};

/*
 * pk_ac_table_parse - locate and walk the certificate table of @pe.
 * No table (directory entry absent or zero) is not an error: present=false.
 * @retval -ENOEXEC the table is not the last thing in the file, an entry's
 *                  dwLength is inconsistent, revision/type are not
 *                  2.0/PKCS_SIGNED_DATA, or the entries do not fill the
 *                  directory size exactly
 */
int pk_ac_table_parse(struct pk_ctx *ctx, const struct pk_pe *pe,
		      struct pk_ac_table *ret);

/* One signature decoded from its WIN_CERTIFICATE. */
struct pk_ac_sig {
	PKCS7 *p7;
	enum pk_digest_alg alg;
	uint8_t digest[PK_DIGEST_MAX];  /* SpcIndirectDataContent messageDigest */
	const uint8_t *content;         /* signed bytes: the content of the */
	size_t content_len;             /* SpcIndirectDataContent SEQUENCE */
};

void pk_ac_sig_free(struct pk_ac_sig *s);

/*
 * pk_ac_sig_decode - decode the PKCS#7 SignedData in @der and its
 * SpcIndirectDataContent.  @where names the signature in messages.
 * @retval -ENOEXEC malformed DER, wrong content type, unsupported digest
 *                  algorithm or a digest of the wrong length
 */
int pk_ac_sig_decode(struct pk_ctx *ctx, const uint8_t *der, size_t len,
		     const char *where, struct pk_ac_sig *ret);

/*
 * pk_ac_idc_encode - the DER of an SpcIndirectDataContent for a PE image
 * with @digest (alg), laid out as sbsign writes it.  *ret is OPENSSL_malloc'd.
 */
int pk_ac_idc_encode(struct pk_ctx *ctx, enum pk_digest_alg alg,
		     const uint8_t *digest, uint8_t **ret, size_t *ret_len);

/*
 * pk_ac_der_content - the content octets of the DER TLV at @der (header
 * skipped), the bytes Authenticode signs.
 */
int pk_ac_der_content(const uint8_t *der, size_t len, const uint8_t **ret,
		      size_t *ret_len);

const EVP_MD *pk_ac_md(enum pk_digest_alg alg);

/*
 * pk_ac_digest_to - the Authenticode digest of @pe when its certificate
 * table starts at @end (everything from @end on is left out).
 */
int pk_ac_digest_to(struct pk_ctx *ctx, const struct pk_pe *pe, size_t end,
		    enum pk_digest_alg alg, uint8_t out[PK_DIGEST_MAX]);

/* The certificates of a trust set (for signer lookup) and its store. */
STACK_OF(X509) *pk_trust_certs(const struct pk_trust *t);
X509_STORE *pk_trust_store(const struct pk_trust *t);

/* The OpenSSL error queue as one line (emptied); for messages. */
const char *pk_ac_ossl_err(char *buf, size_t len);

#endif
