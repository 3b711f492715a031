// SPDX-License-Identifier: MIT
/* verb-bpf.c - placeholder until the bpf verb lands; replaced, not kept. */
#include "tool.h"

int verb_bpf(struct tool *t, int argc, char **argv)
{
	(void)t;
	(void)argc;
	(void)argv;
	tool_errorf("bpf", "not built yet");
	return PK_EXIT_FAILURE;
}
