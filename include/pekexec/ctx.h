/* SPDX-License-Identifier: MIT */
/**
 * @file ctx.h
 * @brief Library context: where messages go and where the last error is kept.
 *
 * libpekexec has no global mutable state.  Everything a call needs besides its
 * arguments hangs off a struct pk_ctx that the caller creates and owns.  One
 * context must not be used by two threads at once.
 *
 * Error convention of the whole library: functions return 0 (or a
 * non-negative count) on success and a negative errno on failure.  Each
 * module's header lists the errno values it returns and what each one means.
 * On failure the context also holds a one-line message naming the field and
 * the file offset concerned (pk_ctx_errmsg()).
 */
#ifndef PEKEXEC_CTX_H
#define PEKEXEC_CTX_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pk_log_level {
	PK_LOG_ERROR = 0,
	PK_LOG_WARN = 1,
	PK_LOG_INFO = 2,
	PK_LOG_DEBUG = 3,
};

/** Receives every message at or below the context's level. */
typedef void (*pk_log_fn)(enum pk_log_level level, const char *msg, void *user);

struct pk_ctx;

/** @return a new context (log: warnings and errors to stderr), or NULL on ENOMEM. */
struct pk_ctx *pk_ctx_new(void);
/** Frees @ctx; NULL is allowed. */
void pk_ctx_free(struct pk_ctx *ctx);

/** Sends messages up to @max_level to @fn (NULL: drop them). */
void pk_ctx_set_log(struct pk_ctx *ctx, pk_log_fn fn, void *user,
		    enum pk_log_level max_level);

/** Keeps the sink, changes the level (default PK_LOG_WARN). */
void pk_ctx_set_log_level(struct pk_ctx *ctx, enum pk_log_level max_level);

/** @return the message of the last failure recorded in @ctx ("" if none). */
const char *pk_ctx_errmsg(const struct pk_ctx *ctx);

/** Clears the recorded error message. */
void pk_ctx_clear_error(struct pk_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
