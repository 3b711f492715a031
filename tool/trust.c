// SPDX-License-Identifier: MIT
/*
 * trust.c - the one place a verb loads trust anchors (tool.h): --trust
 * paths as the options come, then the system directory for the verbs that
 * use it (load, extract).
 */
#include <stddef.h>
#include <sys/stat.h>

#include "pekexec-config.h" /* PK_SYSCONFDIR: mk/install.mk */
#include "pekexec/authenticode.h"
#include "tool.h"

int tool_trust_add(struct tool *t, const char *verb, struct pk_trust **trust,
		   const char *path)
{
	struct stat st;

	if (!*trust)
		*trust = pk_trust_new();
	if (!*trust) {
		tool_errorf(verb, "out of memory");
		return -1;
	}
	if (path) {
		if (pk_trust_add_path(t->ctx, *trust, path) < 0) {
			/* The message names the path. */
			tool_errorf(verb, "--trust: %s", pk_ctx_errmsg(t->ctx));
			return -1;
		}
		return 0;
	}
	if (stat(TOOL_TRUST_DIR, &st) == 0 && S_ISDIR(st.st_mode) &&
	    pk_trust_add_path(t->ctx, *trust, TOOL_TRUST_DIR) < 0)
		pk_ctx_clear_error(t->ctx); /* an empty directory adds nothing */
	return 0;
}
