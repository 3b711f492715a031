/* SPDX-License-Identifier: MIT */
/**
 * @file buf.h
 * @brief Owned, growable byte buffers: the one append-and-grow implementation.
 */
#ifndef PEKEXEC_BUF_H
#define PEKEXEC_BUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A heap buffer; zero-initialise it ({0}) before first use. */
struct pk_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/** Frees the bytes and resets @b to empty; NULL is allowed. */
void pk_buf_free(struct pk_buf *b);

/**
 * Makes room for @n more bytes.
 * @retval 0 success
 * @retval -EOVERFLOW len + n does not fit in size_t
 * @retval -ENOMEM allocation failed
 */
int pk_buf_reserve(struct pk_buf *b, size_t n);

/** Appends @n bytes from @p (may be NULL when @n is 0).  Errors as pk_buf_reserve(). */
int pk_buf_append(struct pk_buf *b, const void *p, size_t n);

/** Appends @n zero bytes.  Errors as pk_buf_reserve(). */
int pk_buf_append_zeros(struct pk_buf *b, size_t n);

/** Pads with zero bytes until len is a multiple of @align (a power of two). */
int pk_buf_pad(struct pk_buf *b, size_t align);

/** Hands the bytes to the caller (who frees them) and resets @b. */
uint8_t *pk_buf_steal(struct pk_buf *b, size_t *ret_len);

#ifdef __cplusplus
}
#endif
#endif
