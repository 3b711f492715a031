// SPDX-License-Identifier: MIT
/* verb-sign.c - placeholder until the sign verb lands; replaced, not kept. */
#include "tool.h"

int verb_sign(struct tool *t, int argc, char **argv)
{
	(void)t;
	(void)argc;
	(void)argv;
	tool_errorf("sign", "not built yet");
	return PK_EXIT_FAILURE;
}
