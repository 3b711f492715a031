// SPDX-License-Identifier: MIT
/* build-out.c - the signing and writing tail of build-uki and build-zboot. */
#include "build-out.h"
#include "pekexec/build.h"

int build_out_take(struct build_out *b, int c, const char *arg)
{
	switch (c) {
	case 'p': b->parser = arg; return 0;
	case 'k': b->key = arg; return 0;
	case 'C': b->cert = arg; return 0;
	case 'o': b->output = arg; return 0;
	}
	return 1;
}

int build_out_check(const char *verb, const struct build_out *b)
{
	if (!b->key != !b->cert) {
		tool_errorf(verb, "--key and --cert go together");
		return -1;
	}
	return 0;
}

int build_out_finish(struct tool *t, const char *verb, const struct build_out *b,
		     const uint8_t *img, size_t len)
{
	if (pk_build_finish(t->ctx, img, len, b->key, b->cert, b->output) < 0) {
		tool_error(t, verb, NULL);
		return -1;
	}
	return 0;
}
