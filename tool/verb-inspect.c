// SPDX-License-Identifier: MIT
/* verb-inspect.c - placeholder until the inspect verb lands; replaced, not kept. */
#include "tool.h"

int verb_inspect(struct tool *t, int argc, char **argv)
{
	(void)t;
	(void)argc;
	(void)argv;
	tool_errorf("inspect", "not built yet");
	return PK_EXIT_FAILURE;
}
