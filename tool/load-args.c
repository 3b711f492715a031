// SPDX-License-Identifier: MIT
/*
 * load-args.c - parse 'pekexec load/exec/unload' and kexec-tools' 'kexec'
 * command lines (docs/kexec.md lists what is accepted and ignored).
 *
 * One option table serves both.  In kexec mode pekexec's own long options
 * (--trust, --verify, --addon, --dry-run, --kernel-bpf, --no-kernel-bpf,
 * --no-sidecars, --esp, --entry, --default)
 * are accepted too: none of them is a kexec-tools option (kexec(8) of
 * kexec-tools 2.0.25 and its --help).  Where a short letter collides,
 * kexec-tools' meaning wins in kexec mode: -t is --type there (ignored),
 * so trust anchors are given as --trust.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load-args.h"

enum {
	O_TYPE = PIPE_O_END,
	O_REUSE,
	O_DRY_RUN,
	O_KERNEL_BPF,
	O_NO_KERNEL_BPF,
};

static const struct option load_opts[] = {
	{ "load", no_argument, NULL, 'l' },
	{ "load-panic", no_argument, NULL, 'p' },
	{ "exec", no_argument, NULL, 'e' },
	{ "unload", no_argument, NULL, 'u' },
	{ "status", no_argument, NULL, 'S' },
	{ "kexec-file-syscall", no_argument, NULL, 's' },
	{ "kexec-syscall-auto", no_argument, NULL, 'a' },
	{ "kexec-syscall", no_argument, NULL, 'c' },
	PIPELINE_OPTIONS, /* --command-line is --append here (kexec-tools) */
	{ "ramdisk", required_argument, NULL, PIPE_O_INITRD },
	{ "reuse-cmdline", no_argument, NULL, O_REUSE },
	{ "dry-run", no_argument, NULL, O_DRY_RUN },
	{ "kernel-bpf", no_argument, NULL, O_KERNEL_BPF },
	{ "no-kernel-bpf", no_argument, NULL, O_NO_KERNEL_BPF },
	{ "debug", no_argument, NULL, 'd' },
	{ "verbose", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	/* kexec-tools options that mean nothing for kexec_file_load */
	{ "no-ifdown", no_argument, NULL, 'x' },
	{ "no-checks", no_argument, NULL, 'i' },
	{ "no-sync", no_argument, NULL, 'y' },
	{ "type", required_argument, NULL, O_TYPE },
	{ 0 }
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int add_trust(struct load_args *a, const char *path, char *err, size_t errlen)
{
	if (a->ntrust == LOAD_MAX_TRUST)
		return fail(err, errlen, "at most %d --trust", LOAD_MAX_TRUST);
	a->trust[a->ntrust++] = path;
	return 0;
}

/* An operation option: free to choose in kexec mode, else must match the verb. */
static int set_op(struct load_args *a, bool compat, enum load_op op, char *err, size_t errlen)
{
	if (compat) {
		if (a->op != LOAD_OP_NONE && a->op != op)
			return fail(err, errlen, "only one of -l, -p, -e, -u, -S");
		a->op = op;
		return 0;
	}
	if (a->op != op)
		return fail(err, errlen, "this option belongs to another verb");
	return 0;
}

int load_args_parse(struct load_args *a, enum load_op op, int argc, char **argv,
		    char *err, size_t errlen)
{
	bool compat = op == LOAD_OP_NONE;
	int c, r;

	memset(a, 0, sizeof(*a));
	a->op = op;
	a->pipe.verify = PK_VERIFY_AUTO;
	err[0] = '\0';
	optind = 0; /* glibc: full re-initialisation (tests parse repeatedly) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "lpeuSsacxiydt:hv", load_opts, NULL)) != -1) {
		r = pipeline_args_take(&a->pipe, c, optarg, err, errlen);
		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		r = 0;
		switch (c) {
		case 'l':
			r = set_op(a, compat, LOAD_OP_LOAD, err, errlen);
			break;
		case 'p':
			/* kexec -p loads a crash kernel; kexec -u -p unloads it */
			a->crash = true;
			if (compat && a->op == LOAD_OP_NONE)
				a->op = LOAD_OP_LOAD;
			else if (a->op != LOAD_OP_LOAD && a->op != LOAD_OP_UNLOAD &&
				 a->op != LOAD_OP_STATUS)
				r = fail(err, errlen, "-p goes with load, unload or -S");
			break;
		case 'e':
			r = set_op(a, compat, LOAD_OP_EXEC, err, errlen);
			break;
		case 'u':
			/* "-p -u": the crash kernel's load flag gives way to unload */
			if (compat && a->op == LOAD_OP_LOAD && a->crash && !a->image)
				a->op = LOAD_OP_NONE;
			r = set_op(a, compat, LOAD_OP_UNLOAD, err, errlen);
			break;
		case 'S':
			r = set_op(a, compat, LOAD_OP_STATUS, err, errlen);
			break;
		case 's':
		case 'a':
		case 'x':
		case 'i':
		case 'y':
		case O_TYPE:
			break; /* kexec_file_load is the only mode */
		case 'c':
			r = fail(err, errlen, "-c/--kexec-syscall: only kexec_file_load is supported");
			break;
		case PIPE_O_CMDLINE:
			a->pipe.append = optarg;
			break;
		case O_REUSE:
			a->reuse_cmdline = true;
			break;
		case 't':
			if (compat)
				break; /* kexec-tools' -t is --type: its meaning wins */
			r = add_trust(a, optarg, err, errlen); /* pekexec's -t */
			break;
		case PIPE_O_TRUST:
			r = add_trust(a, optarg, err, errlen);
			break;
		case O_DRY_RUN:
			a->dry_run = true;
			break;
		case O_KERNEL_BPF:
			a->kernel_bpf = PK_KERNEL_BPF_YES;
			break;
		case O_NO_KERNEL_BPF:
			a->kernel_bpf = PK_KERNEL_BPF_NO;
			break;
		case 'd':
			a->verbose++;
			break;
		case 'h':
			a->help = true;
			return 0;
		case 'v':
			a->version = true;
			return 0;
		default:
			if (optopt && optopt < 256)
				r = fail(err, errlen, "unknown option '-%c' or missing argument", optopt);
			else
				r = fail(err, errlen, "unknown option '%s' or missing argument",
					 argv[optind - 1]);
			break;
		}
		if (r < 0)
			return r;
	}
	if (a->op == LOAD_OP_NONE)
		return fail(err, errlen, "one of -l (load), -p (load a crash kernel), -e (exec), -u (unload) or -S (status) is required");
	if (a->op == LOAD_OP_LOAD && (a->pipe.entry || a->pipe.entry_default || a->pipe.boot_path)) {
		r = pipeline_args_check_entry(&a->pipe, optind < argc ? argv[optind] : NULL,
					      a->pipe.append ? "--append/--command-line" :
					      a->reuse_cmdline ? "--reuse-cmdline" : NULL, err, errlen);
		return r;
	}
	if (a->op == LOAD_OP_LOAD) {
		if (argc - optind != 1)
			return fail(err, errlen, "exactly one IMAGE expected");
		a->image = argv[optind];
		return 0;
	}
	if (argc - optind != 0)
		return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (a->crash && a->op != LOAD_OP_UNLOAD && a->op != LOAD_OP_STATUS)
		return fail(err, errlen, "-p goes with load, unload or -S");
	if (a->pipe.initrd || a->pipe.append || a->reuse_cmdline || a->pipe.naddons ||
	    a->dry_run || a->pipe.no_sidecars || a->pipe.esp || a->pipe.entry ||
	    a->pipe.entry_default || a->pipe.boot_path)
		return fail(err, errlen, "image options only go with load");
	return 0;
}

/* Is @word (up to a blank) the parameter @name, as "name" or "name=..."? */
static bool is_param(const char *word, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && !strncmp(word, name, n) && (len == n || word[n] == '=');
}

char *load_reuse_cmdline(const char *proc_cmdline, bool crash)
{
	size_t len = strlen(proc_cmdline), o = 0;
	const char *p = proc_cmdline, *end = proc_cmdline + len;
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	/* Words split on blanks; kexec-tools ignores quoting here too. */
	while (p < end) {
		const char *w;
		size_t wl;

		while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
			p++;
		w = p;
		while (p < end && *p != ' ' && *p != '\n' && *p != '\t')
			p++;
		wl = (size_t)(p - w);
		if (!wl || is_param(w, wl, "BOOT_IMAGE") || (crash && is_param(w, wl, "crashkernel")))
			continue;
		if (o)
			out[o++] = ' ';
		memcpy(out + o, w, wl);
		o += wl;
	}
	out[o] = '\0';
	return out;
}

char *load_user_cmdline(const struct load_args *a, const char *proc_cmdline,
			bool *ret_none)
{
	char *base = NULL, *s;

	*ret_none = !a->reuse_cmdline && !a->pipe.append;
	if (*ret_none)
		return NULL;
	if (a->reuse_cmdline) {
		base = load_reuse_cmdline(proc_cmdline ? proc_cmdline : "", a->crash);
		if (!base)
			return NULL;
	}
	if (!a->pipe.append)
		return base;
	if (!base || !*base) {
		free(base);
		return strdup(a->pipe.append);
	}
	if (asprintf(&s, "%s %s", base, a->pipe.append) < 0)
		s = NULL;
	free(base);
	return s;
}
