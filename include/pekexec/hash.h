/* SPDX-License-Identifier: MIT */
/**
 * @file hash.h
 * @brief SHA-2 digests (OpenSSL underneath) and their hex form.
 */
#ifndef PEKEXEC_HASH_H
#define PEKEXEC_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PK_SHA256_LEN 32
#define PK_SHA512_LEN 64
#define PK_DIGEST_MAX 64

/** SHA-256 of @len bytes at @p (p may be NULL when len is 0). */
void pk_sha256(const void *p, size_t len, uint8_t out[PK_SHA256_LEN]);

/** Writes 2*@len lowercase hex digits and a NUL into @out (2*len+1 bytes). */
void pk_hex(const uint8_t *in, size_t len, char *out);

#ifdef __cplusplus
}
#endif
#endif
