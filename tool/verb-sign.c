// SPDX-License-Identifier: MIT
/* verb-sign.c - pekexec sign: add an Authenticode signature to a PE image. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "pekexec/authenticode.h"
#include "pekexec/file.h"
#include "tool.h"

#define SIGN_MAX_IMAGE (2ull << 30)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec sign --key KEY --cert CERT [--digest ALG] [--append] IN OUT\n"
		"\n"
		"Write OUT: the PE image IN with an Authenticode signature (PKCS#7\n"
		"SignedData over SpcIndirectDataContent, as sbsign writes it).  The image\n"
		"is padded to 8 bytes, the certificate table, its directory entry and\n"
		"the CheckSum are rewritten.  OUT is replaced atomically; it may be IN.\n"
		"\n"
		"  -k, --key KEY        private key, PEM, unencrypted\n"
		"  -c, --cert CERT      signer certificate, PEM or DER (embedded)\n"
		"  -d, --digest ALG     sha256 (default), sha384 or sha512\n"
		"  -a, --append         keep the existing signatures and add this one\n"
		"                       after them (default: replace them)\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit codes: 0 signed, 1 I/O, key or other failure, 2 usage,\n"
		"3 malformed image or certificate table.\n");
}

static int parse_digest(const char *s, enum pk_digest_alg *ret)
{
	static const enum pk_digest_alg algs[] = { PK_DIGEST_SHA256, PK_DIGEST_SHA384,
						   PK_DIGEST_SHA512 };
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (!strcmp(s, pk_digest_name(algs[i]))) {
			*ret = algs[i];
			return 0;
		}
	}
	return -EINVAL;
}

int verb_sign(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "digest", required_argument, NULL, 'd' },
		{ "append", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *key = NULL, *cert = NULL, *in, *out;
	enum pk_digest_alg alg = PK_DIGEST_SHA256;
	struct pk_signer *signer = NULL;
	struct pk_buf signed_img = { 0 };
	struct pk_file img = { 0 };
	bool append = false;
	int c, r, ret = PK_EXIT_FAILURE;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+k:c:d:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'd':
			if (parse_digest(optarg, &alg) < 0) {
				tool_errorf("sign", "unknown digest '%s' (sha256, sha384, sha512)",
					    optarg);
				return PK_EXIT_USAGE;
			}
			break;
		case 'a':
			append = true;
			break;
		case 'h':
			usage(stdout);
			return PK_EXIT_OK;
		default:
			usage(stderr);
			return PK_EXIT_USAGE;
		}
	}
	if (!key || !cert || optind != argc - 2) {
		tool_errorf("sign", "%s", !key || !cert ? "--key and --cert are required" :
			    "IN and OUT expected");
		usage(stderr);
		return PK_EXIT_USAGE;
	}
	in = argv[optind];
	out = argv[optind + 1];

	r = pk_signer_load(t->ctx, key, cert, &signer);
	if (r < 0) {
		tool_error(t, "sign", NULL);
		goto done;
	}
	r = pk_file_open(t->ctx, in, SIGN_MAX_IMAGE, &img);
	if (r < 0) {
		tool_error(t, "sign", NULL);
		goto done;
	}
	r = pk_authenticode_sign(t->ctx, img.data, img.len, signer, alg, append, &signed_img);
	if (r < 0) {
		tool_error(t, "sign", in);
		ret = r == -ENOEXEC || r == -EBADMSG || r == -E2BIG ? PK_EXIT_MALFORMED :
								    PK_EXIT_FAILURE;
		goto done;
	}
	pk_file_close(&img);
	r = pk_file_write_atomic(t->ctx, out, signed_img.data, signed_img.len, 0644);
	if (r < 0) {
		tool_error(t, "sign", NULL);
		goto done;
	}
	ret = PK_EXIT_OK;
done:
	pk_buf_free(&signed_img);
	pk_file_close(&img);
	pk_signer_free(signer);
	return ret;
}
