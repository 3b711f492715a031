/* SPDX-License-Identifier: MIT */
/*
 * build-out.h - what 'pekexec build-uki' and 'pekexec build-zboot' share
 * at their end: the --parser, --key, --cert and -o options (one getopt
 * table, BUILD_OUT_OPTIONS, spliced into each verb's) and the tail that
 * signs the image (when --key/--cert are given) and writes it.
 */
#ifndef PK_BUILD_OUT_H
#define PK_BUILD_OUT_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "tool.h"

struct build_out {
	const char *parser; /* --parser: a built-in name or a file */
	const char *key, *cert;
	const char *output;
};

#define BUILD_OUT_OPTIONS                                       \
	{ "parser", required_argument, NULL, 'p' },             \
	{ "key", required_argument, NULL, 'k' },                \
	{ "cert", required_argument, NULL, 'C' },               \
	{ "output", required_argument, NULL, 'o' }

/* Takes option @c (-p, -k, -C, -o) into @b: 0, or 1 when @c is the verb's own. */
int build_out_take(struct build_out *b, int c, const char *arg);

/* After parsing: 0, or -1 after saying that --key and --cert go together. */
int build_out_check(const char *verb, const struct build_out *b);

/*
 * build_out_finish - sign the built image @img (when --key/--cert were
 * given) and write it to -o atomically (pk_build_finish()).  0, or -1
 * after printing the error.
 */
int build_out_finish(struct tool *t, const char *verb, const struct build_out *b,
		     const uint8_t *img, size_t len);

#endif
