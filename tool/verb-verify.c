// SPDX-License-Identifier: MIT
/* verb-verify.c - placeholder until the verify verb lands; replaced, not kept. */
#include "tool.h"

int verb_verify(struct tool *t, int argc, char **argv)
{
	(void)t;
	(void)argc;
	(void)argv;
	tool_errorf("verify", "not built yet");
	return PK_EXIT_FAILURE;
}
