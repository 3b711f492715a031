// SPDX-License-Identifier: MIT
/* ctx.c - the library context: log sink and last error message. */
#include <stdio.h>

#include "internal.h"
#include "ctx_internal.h"

static void pk_log_stderr(enum pk_log_level level, const char *msg, void *user)
{
	static const char *const prefix[] = { "error", "warning", "info", "debug" };

	(void)user;
	fprintf(stderr, "pekexec: %s: %s\n", prefix[level], msg);
}

struct pk_ctx *pk_ctx_new(void)
{
	struct pk_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->log_fn = pk_log_stderr;
	ctx->log_level = PK_LOG_WARN;
	return ctx;
}

void pk_ctx_free(struct pk_ctx *ctx)
{
	free(ctx);
}

void pk_ctx_set_log(struct pk_ctx *ctx, pk_log_fn fn, void *user,
		    enum pk_log_level max_level)
{
	ctx->log_fn = fn;
	ctx->log_user = user;
	ctx->log_level = max_level;
}

void pk_ctx_set_log_level(struct pk_ctx *ctx, enum pk_log_level max_level)
{
	ctx->log_level = max_level;
}

const char *pk_ctx_errmsg(const struct pk_ctx *ctx)
{
	return ctx ? ctx->errmsg : "";
}

void pk_ctx_clear_error(struct pk_ctx *ctx)
{
	ctx->errmsg[0] = '\0';
}

int pk_err(struct pk_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	if (!ctx)
		return err;
	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	pk_log(ctx, PK_LOG_DEBUG, "%s", ctx->errmsg);
	return err;
}

int pk_err_prefix(struct pk_ctx *ctx, int err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(ctx->errmsg)];
	va_list ap;

	if (!ctx)
		return err;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, ctx->errmsg, sizeof(old));
	/* A message that does not fit is cut; it stays NUL-terminated. */
	if (snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s: %s", prefix,
		     old[0] ? old : strerror(-err)) >= (int)sizeof(ctx->errmsg))
		pk_log(ctx, PK_LOG_DEBUG, "error message truncated");
	return err;
}

void pk_log(struct pk_ctx *ctx, enum pk_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx || !ctx->log_fn || level > ctx->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(level, msg, ctx->log_user);
}
