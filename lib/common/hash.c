// SPDX-License-Identifier: MIT
/* hash.c - SHA-2 through OpenSSL. */
#include <openssl/sha.h>

#include "internal.h"
#include "pekexec/hash.h"

void pk_sha256(const void *p, size_t len, uint8_t out[PK_SHA256_LEN])
{
	static const uint8_t empty;

	SHA256(p ? p : &empty, len, out);
}

void pk_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}
