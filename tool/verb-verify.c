// SPDX-License-Identifier: MIT
/*
 * verb-verify.c - pekexec verify: does the image carry a valid Authenticode
 * signature by a signer that chains to one of the given trust anchors?
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "pekexec/authenticode.h"
#include "pekexec/file.h"
#include "pekexec/pe.h"
#include "tool.h"

/* Images are read into memory whole; this bounds what we accept. */
#define VERIFY_MAX_IMAGE (4ull << 30)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec verify --trust CERT_OR_DIR [--trust ...] IMAGE\n"
		"\n"
		"Check the Authenticode signatures of a PE image (UKI, EFI zboot, signed\n"
		"kernel).  Succeeds if at least one signature matches the image and its\n"
		"signer chains to one of the trust anchors; prints that signer.\n"
		"\n"
		"  -t, --trust PATH   trust anchors: a PEM file (any number of\n"
		"                     certificates), a DER file, or a directory of such\n"
		"                     files; repeatable, at least one required.  An anchor\n"
		"                     may be a CA or the signing certificate itself.\n"
		"                     Validity dates and key usage are not checked.\n"
		"  -h, --help         this help\n"
		"\n"
		"With -v (before the verb) every signature is listed on stderr with\n"
		"the image's Authenticode digest for its algorithm.\n"
		"\n"
		"Exit codes: 0 verified, 1 I/O or other failure, 2 usage,\n"
		"3 malformed image or certificate table, 4 unsigned,\n"
		"5 a signature does not match the image, 6 signer not trusted.\n");
}

static void list_sigs(struct tool *t, const struct pk_pe *pe, const struct pk_trust *trust,
		      const char *path)
{
	struct pk_sig_info *sigs = NULL;
	int n, i;

	n = pk_authenticode_list(t->ctx, pe, trust, &sigs);
	for (i = 0; i < n; i++) {
		uint8_t d[PK_DIGEST_MAX];
		char hex[2 * PK_DIGEST_MAX + 1];

		if (pk_authenticode_digest(t->ctx, pe, sigs[i].alg, d) == 0) {
			pk_hex(d, pk_digest_size(sigs[i].alg), hex);
			fprintf(stderr, "%s: signature %d: image %s digest %s\n", path, i,
				pk_digest_name(sigs[i].alg), hex);
		}
		fprintf(stderr,
			"%s: signature %d at 0x%x (%u bytes): %s digest %s, signature %s, %s: \"%s\"%s%s\n",
			path, i, sigs[i].offset, sigs[i].length,
			pk_digest_name(sigs[i].alg),
			sigs[i].digest_ok ? "ok" : "MISMATCH",
			sigs[i].sig_ok ? "ok" : "INVALID",
			sigs[i].trusted ? "trusted" : "untrusted", sigs[i].subject,
			sigs[i].err ? ": " : "", sigs[i].err ? sigs[i].reason : "");
	}
	free(sigs);
}

int verb_verify(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct pk_file img = { 0 };
	struct pk_sig_info signer;
	struct pk_trust *trust = NULL;
	struct pk_pe *pe = NULL;
	int c, r, ret = PK_EXIT_FAILURE, ntrust = 0;
	const char *path;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			ntrust++;
			if (tool_trust_add(t, "verify", &trust, optarg) < 0)
				goto out;
			break;
		case 'h':
			usage(stdout);
			ret = PK_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			ret = PK_EXIT_USAGE;
			goto out;
		}
	}
	if (optind != argc - 1 || !ntrust) {
		tool_errorf("verify", "%s", !ntrust ? "at least one --trust is required" :
			    "exactly one IMAGE expected");
		usage(stderr);
		ret = PK_EXIT_USAGE;
		goto out;
	}
	path = argv[optind];
	r = pk_file_open(t->ctx, path, VERIFY_MAX_IMAGE, &img);
	if (r < 0) {
		tool_error(t, "verify", NULL);
		goto out;
	}
	pe = pk_pe_new();
	if (!pe) {
		tool_errorf("verify", "out of memory");
		goto out;
	}
	r = pk_pe_parse(t->ctx, img.data, img.len, pe);
	if (r < 0) {
		tool_error(t, "verify", path);
		ret = PK_EXIT_MALFORMED;
		goto out;
	}
	if (t->verbose)
		list_sigs(t, pe, trust, path);
	r = pk_authenticode_verify(t->ctx, pe, trust, &signer);
	if (r < 0) {
		tool_error(t, "verify", path);
		ret = tool_exit_code(r);
		goto out;
	}
	printf("%s: signature at 0x%x (%s) verified: signer \"%s\" issued by \"%s\"\n",
	       path, signer.offset, pk_digest_name(signer.alg), signer.subject,
	       signer.issuer);
	ret = PK_EXIT_OK;
out:
	pk_pe_free(pe);
	pk_file_close(&img);
	pk_trust_free(trust);
	return ret;
}
