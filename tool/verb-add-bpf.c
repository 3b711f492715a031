// SPDX-License-Identifier: MIT
/* verb-add-bpf.c - pekexec add-bpf: insert or replace an image's .bpf section. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "pekexec/build.h"
#include "pekexec/file.h"
#include "pekexec/pe.h"
#include "tool.h"

#define ADD_BPF_MAX_IMAGE (2048ul * 1024 * 1024)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec add-bpf [--parser uki|zboot|FILE] IN OUT\n"
		"\n"
		"Insert a .bpf section (a parser program) into the PE image IN and\n"
		"write the result to OUT; an existing .bpf is replaced.  The headers\n"
		"grow if needed; an existing signature is dropped (re-sign OUT with\n"
		"'pekexec sign').\n"
		"\n"
		"  --parser NAME|FILE  built-in program 'uki' or 'zboot', or a file with\n"
		"                      the section content (default: 'zboot' for zboot\n"
		"                      images, else 'uki')\n");
}

/* Errors about the input image are exit 3; everything else is 1. */
static int image_exit(int r)
{
	return r == -ENOEXEC || r == -EBADMSG || r == -E2BIG ? PK_EXIT_MALFORMED :
							       PK_EXIT_FAILURE;
}

int verb_add_bpf(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parser", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct pk_file in = { 0 }, parser_file = { 0 };
	struct pk_buf out = { 0 };
	struct pk_build_info info = { 0 };
	const char *parser = NULL;
	const uint8_t *bpf;
	size_t bpf_len;
	int c, r, ret = PK_EXIT_FAILURE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			parser = optarg;
			break;
		case 'h':
			usage(stdout);
			return PK_EXIT_OK;
		default:
			usage(stderr);
			return PK_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return PK_EXIT_USAGE;
	}
	r = pk_file_open(t->ctx, argv[optind], ADD_BPF_MAX_IMAGE, &in);
	if (r < 0) {
		tool_error(t, "add-bpf", NULL);
		return PK_EXIT_FAILURE;
	}
	if (!parser) {
		struct pk_zboot zb;

		parser = pk_zboot_parse(NULL, in.data, in.len, &zb) == 0 && zb.present ?
				 "zboot" : "uki";
	}
	r = pk_parser_resolve(t->ctx, parser, &parser_file, &bpf, &bpf_len);
	if (r < 0) {
		tool_error(t, "add-bpf", NULL);
		goto out;
	}
	r = pk_add_bpf(t->ctx, in.data, in.len, bpf, bpf_len, &out, &info);
	if (r < 0) {
		tool_error(t, "add-bpf", argv[optind]);
		ret = image_exit(r);
		goto out;
	}
	if (info.dropped_signature)
		fprintf(stderr,
			"pekexec: add-bpf: warning: %s was signed; its signature does not cover the new .bpf and was dropped: re-sign %s with 'pekexec sign'\n",
			argv[optind], argv[optind + 1]);
	r = pk_build_finish(t->ctx, out.data, out.len, NULL, NULL, argv[optind + 1]);
	if (r < 0) {
		tool_error(t, "add-bpf", NULL);
		goto out;
	}
	if (t->verbose)
		fprintf(stderr, "pekexec: add-bpf: %s: %s .bpf (%zu bytes), %u sections%s\n",
			argv[optind + 1], info.replaced ? "replaced" : "added", bpf_len,
			info.nsections, info.moved_by ? ", headers grown" : "");
	ret = PK_EXIT_OK;
out:
	pk_buf_free(&out);
	pk_file_close(&parser_file);
	pk_file_close(&in);
	return ret;
}
