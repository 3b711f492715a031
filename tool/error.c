// SPDX-License-Identifier: MIT
/*
 * error.c - the tool's error messages on stderr (tool.h), apart from
 * main.c so that a verb, or a unit test of one, needs no more than this.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tool.h"

void tool_error(struct tool *t, const char *verb, const char *file)
{
	const char *msg = pk_ctx_errmsg(t->ctx);

	if (file)
		fprintf(stderr, "pekexec: %s: %s: %s\n", verb, file, msg);
	else
		fprintf(stderr, "pekexec: %s: %s\n", verb, msg);
}

void tool_errorf(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pekexec: %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
