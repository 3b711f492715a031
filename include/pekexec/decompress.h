/* SPDX-License-Identifier: MIT */
/**
 * @file decompress.h
 * @brief Bounded decompression of the formats the kernel uses, chosen by magic.
 *
 * Each format goes through the distribution's library (zlib or libdeflate,
 * libzstd, liblzma, liblz4, liblzo2, libbz2).  Output never exceeds the
 * caller's limit: the output buffer never grows past @max_out, and no size
 * field of the input decides an allocation beyond it.
 *
 * After a stream the input may hold further streams of the same format
 * (decoded and appended), zero bytes, or a little-endian 32-bit copy of the
 * output size followed by zero bytes (the kernel's size_append trailer);
 * anything else is -EBADMSG.  docs/decompress.md has the details per format.
 *
 * @retval -EPROTONOSUPPORT  no known magic at the start of the input (or an
 *                           unknown enum pk_comp)
 * @retval -EBADMSG          corrupt or truncated stream, or trailing garbage
 *                           that is not a further stream / zero padding
 * @retval -EFBIG            the output would exceed @max_out
 * @retval -ENOMEM           allocation failed
 * @retval -EINVAL           API misuse: @ret_out not empty, NULL @src with a
 *                           non-zero length
 */
#ifndef PEKEXEC_DECOMPRESS_H
#define PEKEXEC_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

enum pk_comp {
	PK_COMP_NONE = 0,
	PK_COMP_GZIP,
	PK_COMP_ZSTD,
	PK_COMP_XZ,
	PK_COMP_LZMA,  /* the "lzma alone" format of lzma(1) / the kernel */
	PK_COMP_LZ4,   /* the legacy frame (lz4 -l), as the kernel uses */
	PK_COMP_LZO,   /* lzop's file format */
	PK_COMP_BZIP2,
	PK_COMP__COUNT,
};

/** @return the format whose magic starts @buf, or PK_COMP_NONE. */
enum pk_comp pk_comp_detect(const uint8_t *buf, size_t len);

/** @return "gzip", "zstd", "xz", "lzma", "lz4", "lzo", "bzip2" or "none". */
const char *pk_comp_name(enum pk_comp comp);

/**
 * pk_comp_from_zboot_name - map a zboot header name ("gzip", "lz4", "lzma",
 * "lzo", "xzkern", "zstd22") to its format; PK_COMP_NONE if unknown.
 */
enum pk_comp pk_comp_from_zboot_name(const char *name);

/**
 * pk_decompress - decompress @src (format chosen by magic) into @ret_out.
 * @max_out: the largest output accepted
 * @ret_out: receives a new buffer (must be empty on entry); on error it is
 *           left empty
 */
int pk_decompress(struct pk_ctx *ctx, const uint8_t *src, size_t src_len,
		  size_t max_out, struct pk_buf *ret_out);

/** pk_decompress_as - as pk_decompress(), with the format given. */
int pk_decompress_as(struct pk_ctx *ctx, enum pk_comp comp, const uint8_t *src,
		     size_t src_len, size_t max_out, struct pk_buf *ret_out);

#ifdef __cplusplus
}
#endif
#endif
