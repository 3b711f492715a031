/* SPDX-License-Identifier: MIT */
/*
 * load-args.h - the command lines of 'pekexec load/exec/unload' and of
 * kexec-tools' 'kexec' (when pekexec runs under that name), parsed into one
 * struct.  Kept apart from the verbs so tool/test-load-args.c can test it
 * without root or a VM.
 */
#ifndef PK_LOAD_ARGS_H
#define PK_LOAD_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "pekexec/pipeline.h"

#define LOAD_MAX_ADDONS 64
#define LOAD_MAX_TRUST 32

enum load_op {
	LOAD_OP_NONE = 0,
	LOAD_OP_LOAD,
	LOAD_OP_EXEC,
	LOAD_OP_UNLOAD,
	LOAD_OP_STATUS, /* kexec -S: exit 0 if loaded */
};

struct load_args {
	enum load_op op;
	bool crash;         /* -p: the crash kernel */
	bool dry_run;
	bool no_sidecars;   /* --no-sidecars: no generated stub archives, no --esp */
	const char *esp;    /* --esp DIR: search it as systemd-stub would */
	/* --kernel-bpf / --no-kernel-bpf, for pk_pipeline_route() */
	enum pk_kernel_bpf kernel_bpf;
	bool reuse_cmdline; /* start from /proc/cmdline */
	bool help;
	bool version;
	int verbose;
	const char *image;
	const char *initrd;
	const char *append; /* --append / --command-line: the last one wins */
	const char *addons[LOAD_MAX_ADDONS];
	size_t naddons;
	const char *trust[LOAD_MAX_TRUST];
	size_t ntrust;
	enum pk_verify_mode verify;
};

/*
 * load_args_parse - parse @argv (argv[0] is the verb, or "kexec").
 * @op: the verb's operation; LOAD_OP_NONE in kexec compatibility mode,
 *      where -l/-p/-e/-u/-S choose it.
 * Returns 0, or -EINVAL with a message in @err.
 */
int load_args_parse(struct load_args *a, enum load_op op, int argc, char **argv,
		    char *err, size_t errlen);

/*
 * load_reuse_cmdline - /proc/cmdline text as kexec-tools' --reuse-cmdline
 * uses it: trailing newline dropped, every BOOT_IMAGE= parameter removed,
 * and crashkernel= too when loading a crash kernel.  A new string or NULL.
 */
char *load_reuse_cmdline(const char *proc_cmdline, bool crash);

/*
 * load_user_cmdline - the user's command line: the reused one, then the
 * --append text, one space between (as kexec-tools joins them).  NULL with
 * *ret_none = true when the user gave none; NULL otherwise means no memory.
 */
char *load_user_cmdline(const struct load_args *a, const char *proc_cmdline,
			bool *ret_none);

struct tool;

/* Carry out @a (verb-load.c); returns an exit code. */
int load_run(struct tool *t, const struct load_args *a);

#endif
