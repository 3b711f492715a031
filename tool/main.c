// SPDX-License-Identifier: MIT
/* main.c - the pekexec command: global options and verb dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "pekexec-config.h" /* PEKEXEC_VERSION: mk/install.mk */
#include "tool.h"

static const struct {
	const char *name;
	tool_verb_fn fn;
	const char *summary;
} verbs[] = {
	{ "inspect", verb_inspect, "show headers, sections, signatures, zboot header, .bpf" },
	{ "verify", verb_verify, "check the image's signature against trust anchors" },
	{ "sign", verb_sign, "add an Authenticode signature" },
	{ "bpf", verb_bpf, "verify or run a parser program in the sandbox" },
	{ "build-uki", verb_build_uki, "build a UKI with a .bpf parser program" },
	{ "build-zboot", verb_build_zboot, "build an EFI zboot image with a .bpf parser program" },
	{ "add-bpf", verb_add_bpf, "insert or replace the .bpf section of a PE image" },
	{ "extract", verb_extract, "unpack an image into kernel, initrd, cmdline + manifest" },
	{ "entries", verb_entries, "list an ESP's boot entries in systemd-boot's order" },
	{ "load", verb_load, "load an image for kexec (kexec_file_load)" },
	{ "exec", verb_exec, "start the loaded kernel" },
	{ "unload", verb_unload, "unload the loaded (or crash) kernel" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: pekexec [-v] [-q] VERB [OPTIONS] ARGS...\n"
		"\n"
		"Load, inspect, build, sign and verify boot images (UKI, EFI zboot)\n"
		"whose .bpf section carries their own unpacker.\n"
		"\n"
		"Verbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -v, --verbose   more messages (repeat for debug)\n"
		"  -q, --quiet     errors only\n"
		"  -h, --help      this help; 'pekexec VERB --help' for a verb\n"
		"      --version   print the version\n"
		"\n"
		"Exit codes:\n"
		"  0 success            1 failure            2 usage error\n"
		"  3 malformed image    4 unsigned           5 bad digest\n"
		"  6 untrusted signer   7 BPF program rejected or failed\n"
		"  8 refused by policy\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct tool t = { .argv0 = argv[0] };
	enum pk_log_level level = PK_LOG_WARN;
	int c, ret;
	size_t i;

	/* Invoked as "kexec": kexec-tools' command line, no verbs. */
	if (kexec_compat_wanted(argv[0]))
		return kexec_compat_main(argc, argv);

	/* Stop at the verb: its options are its own. */
	while ((c = getopt_long(argc, argv, "+vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			t.verbose++;
			break;
		case 'q':
			level = PK_LOG_ERROR;
			break;
		case 'h':
			usage(stdout);
			return PK_EXIT_OK;
		case 'V':
			printf("pekexec %s\n", PEKEXEC_VERSION);
			return PK_EXIT_OK;
		default:
			usage(stderr);
			return PK_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return PK_EXIT_USAGE;
	}
	if (t.verbose)
		level = t.verbose > 1 ? PK_LOG_DEBUG : PK_LOG_INFO;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[optind], verbs[i].name))
			continue;
		t.ctx = pk_ctx_new();
		if (!t.ctx) {
			fprintf(stderr, "pekexec: out of memory\n");
			return PK_EXIT_FAILURE;
		}
		pk_ctx_set_log_level(t.ctx, level);
		ret = verbs[i].fn(&t, argc - optind, argv + optind);
		pk_ctx_free(t.ctx);
		return ret;
	}
	fprintf(stderr, "pekexec: unknown verb '%s'\n", argv[optind]);
	usage(stderr);
	return PK_EXIT_USAGE;
}
