/* SPDX-License-Identifier: MIT */
/**
 * @file file.h
 * @brief Whole-file input (a private copy) and atomic output.
 */
#ifndef PEKEXEC_FILE_H
#define PEKEXEC_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The bytes of one input file.  Zero-initialise before pk_file_open(). */
struct pk_file {
	const uint8_t *data;
	size_t len;
	/* private */
	void *base_;
	size_t alloc_len_; /* an anonymous mapping's length, else 0 (malloc) */
};

/**
 * Reads all of @path into memory @ret_file owns (never a mapping: a later
 * write to the file changes none of these bytes, a truncation does not
 * fault).  Files larger than @max_len are refused.
 * @retval 0 success
 * @retval -errno from open/fstat/read (message names the path)
 * @retval -EFBIG the file is larger than @max_len
 */
int pk_file_open(struct pk_ctx *ctx, const char *path, size_t max_len,
		 struct pk_file *ret_file);

/** Releases the file; a zeroed or already closed struct is allowed. */
void pk_file_close(struct pk_file *f);

/**
 * Writes @len bytes to @path through a temporary file in the same directory
 * and rename(2), so a reader never sees a half-written file and a failure
 * leaves nothing behind.  @mode is the new file's mode (e.g. 0644).
 */
int pk_file_write_atomic(struct pk_ctx *ctx, const char *path,
			 const void *data, size_t len, unsigned int mode);

#ifdef __cplusplus
}
#endif
#endif
