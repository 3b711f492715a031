/* SPDX-License-Identifier: MIT */
/*
 * tool.h - what the pekexec commands share: exit codes, the verb signature,
 * error printing.
 */
#ifndef PK_TOOL_H
#define PK_TOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "pekexec/ctx.h"

/*
 * Exit codes.  Scripts may rely on these; --help and pekexec(8) list them.
 */
enum {
	PK_EXIT_OK = 0,
	PK_EXIT_FAILURE = 1,    /* anything else: I/O, resources, internal */
	PK_EXIT_USAGE = 2,      /* bad command line */
	PK_EXIT_MALFORMED = 3,  /* the image (or a program in it) is malformed */
	PK_EXIT_UNSIGNED = 4,   /* no signature where one is required */
	PK_EXIT_BAD_DIGEST = 5, /* a signature does not match the image */
	PK_EXIT_UNTRUSTED = 6,  /* signed, but by no trusted signer */
	PK_EXIT_REJECTED = 7,   /* a BPF program was rejected or failed */
	PK_EXIT_POLICY = 8,     /* refused by policy (e.g. user cmdline under enforcement) */
};

struct tool {
	struct pk_ctx *ctx;
	int verbose;
	const char *argv0;
};

/*
 * tool_exit_code - the exit code for a library error: -ENOEXEC malformed,
 * -ENODATA unsigned, -EBADMSG bad digest, -EKEYREJECTED/-ENOKEY untrusted,
 * -EPROTO program rejected or failed, -EPERM refused by policy, 0 ok, the
 * rest failure.  tool_exit_code_kernel - the same for an errno returned by
 * kexec_file_load(), where -EPERM means the kernel wants a signed image.
 */
int tool_exit_code(int err);
int tool_exit_code_kernel(int err);

/* A verb: argv[0] is the verb's name; returns an exit code. */
typedef int (*tool_verb_fn)(struct tool *t, int argc, char **argv);

/* error.c: prints "pekexec: VERB: FILE: <ctx message>" to stderr. */
void tool_error(struct tool *t, const char *verb, const char *file);
/* Prints "pekexec: VERB: <message>" to stderr. */
void tool_errorf(const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The system's trust anchors (needs "pekexec-config.h" for PK_SYSCONFDIR). */
#define TOOL_TRUST_DIR PK_SYSCONFDIR "/pekexec/trust.d"

struct pk_trust;

/*
 * trust.c: tool_trust_add - the one way a verb loads trust anchors.  Creates
 * *@trust on first use, then adds the anchors of @path (a --trust argument,
 * PEM/DER file or directory), or with @path NULL those of TOOL_TRUST_DIR when
 * it is a directory (an empty one adds nothing).  Returns 0, or -1 after
 * printing "pekexec: VERB: out of memory" or "pekexec: VERB: --trust: ...".
 */
int tool_trust_add(struct tool *t, const char *verb, struct pk_trust **trust,
		   const char *path);

int verb_inspect(struct tool *t, int argc, char **argv);
int verb_verify(struct tool *t, int argc, char **argv);
int verb_sign(struct tool *t, int argc, char **argv);
int verb_bpf(struct tool *t, int argc, char **argv);
int verb_build_uki(struct tool *t, int argc, char **argv);
int verb_build_zboot(struct tool *t, int argc, char **argv);
int verb_add_bpf(struct tool *t, int argc, char **argv);
int verb_extract(struct tool *t, int argc, char **argv);
int verb_entries(struct tool *t, int argc, char **argv);
int verb_load(struct tool *t, int argc, char **argv);
int verb_exec(struct tool *t, int argc, char **argv);
int verb_unload(struct tool *t, int argc, char **argv);

/* @name, or @unknown when it is NULL (pk_cmd_name(), pk_subcmd_name()). */
static inline const char *tool_name_or(const char *name, const char *unknown)
{
	return name ? name : unknown;
}

/* kexec-compat.c: pekexec run as "kexec" takes kexec-tools' command line. */
bool kexec_compat_wanted(const char *argv0);
int kexec_compat_main(int argc, char **argv);

#endif
