/* SPDX-License-Identifier: MIT */
/**
 * @file authenticode.h
 * @brief Authenticode digests, verification against trust anchors, signing.
 *
 * The digest covers exactly what the kernel's verify_pefile.c hashes: the
 * headers without the CheckSum field and the certificate-table directory
 * entry, the sections in file-offset order (SizeOfRawData bytes each), then
 * any data up to the certificate table.  Signatures are PKCS#7 SignedData
 * with SpcIndirectDataContent, checked with OpenSSL.
 *
 * Errors of pk_authenticode_verify(), one meaning each (the tool maps them
 * to its exit codes):
 * @retval -ENODATA      the image carries no signature
 * @retval -EBADMSG      a signature's digest does not match the image (and
 *                       no other signature is valid and trusted)
 * @retval -EKEYREJECTED the digests match but no signer chains to a trust
 *                       anchor (or the PKCS#7 signature itself is invalid)
 * @retval -ENOEXEC      malformed: bad certificate table, WIN_CERTIFICATE,
 *                       DER or SpcIndirectDataContent (message: field, offset)
 * @retval -ENOMEM       allocation failed
 */
#ifndef PEKEXEC_AUTHENTICODE_H
#define PEKEXEC_AUTHENTICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ctx.h"
#include "hash.h"
#include "pe.h"

#ifdef __cplusplus
extern "C" {
#endif

enum pk_digest_alg {
	PK_DIGEST_SHA256 = 0,
	PK_DIGEST_SHA384,
	PK_DIGEST_SHA512,
};

/** @return "sha256", "sha384" or "sha512". */
const char *pk_digest_name(enum pk_digest_alg alg);
/** @return the digest size in bytes. */
size_t pk_digest_size(enum pk_digest_alg alg);

/** pk_authenticode_digest - the Authenticode digest of a parsed image. */
int pk_authenticode_digest(struct pk_ctx *ctx, const struct pk_pe *pe,
			   enum pk_digest_alg alg, uint8_t out[PK_DIGEST_MAX]);

/** A set of trust anchors (X.509 certificates). */
struct pk_trust;

struct pk_trust *pk_trust_new(void);
void pk_trust_free(struct pk_trust *t);
/**
 * Adds the certificates in @path: a PEM file (any number of certificates), a
 * DER file, or a directory whose regular files are such files.
 * @retval -ENOENT / -EACCES / ... the path cannot be read
 * @retval -EBADMSG a file holds no certificate
 */
int pk_trust_add_path(struct pk_ctx *ctx, struct pk_trust *t, const char *path);
/** @return the number of anchors loaded. */
size_t pk_trust_count(const struct pk_trust *t);

/** What one signature of an image says, as inspect shows it. */
struct pk_sig_info {
	uint32_t offset;        /* file offset of the WIN_CERTIFICATE */
	uint32_t length;        /* its dwLength */
	enum pk_digest_alg alg; /* from SpcIndirectDataContent */
	bool digest_ok;         /* the signed digest equals the image's */
	bool sig_ok;            /* the PKCS#7 signature over the content is valid */
	bool trusted;           /* the signer chains to an anchor (false if none given) */
	int err;                /* 0, or the -errno why this one failed */
	char subject[256];      /* signer certificate subject (one line) */
	char issuer[256];
	char reason[256];       /* why err is set ("" when err is 0) */
};

/**
 * pk_authenticode_list - decode every signature in the certificate table.
 * @trust: anchors to check against, or NULL (trusted stays false)
 * @ret_sigs: a new array (free() it), NULL when there are none
 * @retval number of signatures (>= 0), or -ENOEXEC for a malformed table
 */
int pk_authenticode_list(struct pk_ctx *ctx, const struct pk_pe *pe,
			 const struct pk_trust *trust,
			 struct pk_sig_info **ret_sigs);

/**
 * pk_authenticode_verify - succeed if at least one signature matches the
 * image and chains to an anchor in @trust.  Errors: see the file comment.
 * @ret_signer: if non-NULL and successful, the info of the accepted signature
 */
int pk_authenticode_verify(struct pk_ctx *ctx, const struct pk_pe *pe,
			   const struct pk_trust *trust,
			   struct pk_sig_info *ret_signer);

/** A signing key and its certificate. */
struct pk_signer;

/**
 * pk_signer_load - read a private key (PEM) and certificate (PEM or DER).
 * @retval -ENOENT / -EACCES ... cannot read a file
 * @retval -EBADMSG not a key / certificate, or they do not match
 */
int pk_signer_load(struct pk_ctx *ctx, const char *key_path,
		   const char *cert_path, struct pk_signer **ret_signer);
void pk_signer_free(struct pk_signer *s);

/**
 * pk_authenticode_sign - produce a signed copy of an image.
 * Without @append, existing signatures are removed first; with it the new
 * signature is added after them.  The certificate table and CheckSum are
 * rewritten; the image is padded to 8 bytes before the table as the
 * Authenticode specification requires.
 * @ret_out: receives the new image (must be empty on entry)
 */
int pk_authenticode_sign(struct pk_ctx *ctx, const uint8_t *img, size_t len,
			 const struct pk_signer *signer, enum pk_digest_alg alg,
			 bool append, struct pk_buf *ret_out);

/** pk_pe_checksum - the PE CheckSum of @buf as the image loader computes it. */
uint32_t pk_pe_checksum(const uint8_t *buf, size_t len, uint32_t checksum_offset);

#ifdef __cplusplus
}
#endif
#endif
