// SPDX-License-Identifier: MIT
/*
 * kexec-compat.c - pekexec run as 'kexec' (a symlink, or installed as
 * /sbin/kexec) accepts kexec-tools' command lines for load, exec, unload
 * and status, so 'systemctl kexec' and scripts keep working.  systemd 252
 * runs "/sbin/kexec --load KERNEL --append CMDLINE [--initrd INITRD]" with
 * separate arguments (--append always there; for a UKI it is the UKI's own
 * .cmdline, which the policy accepts as not an override), and
 * systemd-shutdown later runs "/sbin/kexec -e".  pekexec's own long
 * options (--trust, --verify, --addon, --dry-run, --kernel-bpf,
 * --no-kernel-bpf) work here too; on a colliding short letter kexec-tools
 * wins (-t is --type).  docs/kexec.md lists what is accepted.
 */
#include <stdio.h>
#include <string.h>

#include "load-args.h"
#include "tool.h"

#ifndef PEKEXEC_VERSION
#define PEKEXEC_VERSION "0.1"
#endif

bool kexec_compat_wanted(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	return base && !strcmp(base, "kexec");
}

static void compat_usage(FILE *out)
{
	fprintf(out,
		"Usage: kexec [-l|-p] [--initrd=FILE] [--append=TEXT|--command-line=TEXT]\n"
		"             [--reuse-cmdline] [-s] [PEKEXEC OPTIONS] KERNEL\n"
		"       kexec -e | -u [-p] | -S [-p]\n"
		"\n"
		"pekexec in kexec-tools compatibility mode: kexec_file_load(2) only\n"
		"(-s is implied); UKIs and zboot images with a .bpf section are verified\n"
		"and unpacked first.  -t/--type, -a, -x, -i, -y/--no-sync are ignored.\n"
		"\n"
		"PEKEXEC OPTIONS (as for 'pekexec load'; -t here is kexec-tools' --type):\n"
		"  --trust=PATH        trust anchors, repeatable (plus /etc/pekexec/trust.d)\n"
		"  --verify=MODE       require, auto (default) or off\n"
		"  --addon=FILE        an add-on, repeatable\n"
		"  --dry-run           print what would be loaded\n"
		"  --kernel-bpf, --no-kernel-bpf   who unpacks a .bpf image\n"
		"\n"
		"See pekexec(8), 'pekexec load --help'.\n");
}

int kexec_compat_main(int argc, char **argv)
{
	struct tool t = { .argv0 = argv[0] };
	struct load_args a;
	char err[256];
	int ret;

	if (load_args_parse(&a, LOAD_OP_NONE, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "kexec: %s\n", err);
		compat_usage(stderr);
		return PK_EXIT_USAGE;
	}
	if (a.help) {
		compat_usage(stdout);
		return PK_EXIT_OK;
	}
	if (a.version) {
		printf("kexec-tools-compatible pekexec %s\n", PEKEXEC_VERSION);
		return PK_EXIT_OK;
	}
	t.verbose = a.verbose;
	t.ctx = pk_ctx_new();
	if (!t.ctx) {
		fprintf(stderr, "kexec: out of memory\n");
		return PK_EXIT_FAILURE;
	}
	pk_ctx_set_log_level(t.ctx, a.verbose ? PK_LOG_INFO : PK_LOG_WARN);
	ret = load_run(&t, &a);
	pk_ctx_free(t.ctx);
	return ret;
}
