/* SPDX-License-Identifier: MIT */
/*
 * pipeline-args.h - the pipeline options 'pekexec load' and 'pekexec
 * extract' share: one getopt_long table (PIPELINE_OPTIONS, spliced into
 * each verb's table) and one place that takes their values.  Each verb's
 * --help and pekexec(8) describe them.
 */
#ifndef PK_PIPELINE_ARGS_H
#define PK_PIPELINE_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "pekexec/pipeline.h"

#define PIPELINE_MAX_ADDONS 64

/* getopt_long values of the shared options; a verb's own start at PIPE_O_END. */
enum {
	PIPE_O_TRUST = 256, /* the verb's: load collects, extract loads at once */
	PIPE_O_VERIFY,
	PIPE_O_ADDON,
	PIPE_O_INITRD,
	PIPE_O_APPEND,
	PIPE_O_CMDLINE, /* the verb's: extract's command line, load's --append */
	PIPE_O_NO_SIDECARS,
	PIPE_O_ESP,
	PIPE_O_ENTRY,
	PIPE_O_DEFAULT,
	PIPE_O_BOOT_PATH,
	PIPE_O_END,
};

#define PIPELINE_OPTIONS                                                      \
	{ "trust", required_argument, NULL, PIPE_O_TRUST },                   \
	{ "verify", required_argument, NULL, PIPE_O_VERIFY },                 \
	{ "addon", required_argument, NULL, PIPE_O_ADDON },                   \
	{ "initrd", required_argument, NULL, PIPE_O_INITRD },                 \
	{ "append", required_argument, NULL, PIPE_O_APPEND },                 \
	{ "command-line", required_argument, NULL, PIPE_O_CMDLINE },          \
	{ "no-sidecars", no_argument, NULL, PIPE_O_NO_SIDECARS },             \
	{ "esp", required_argument, NULL, PIPE_O_ESP },                       \
	{ "entry", required_argument, NULL, PIPE_O_ENTRY },                   \
	{ "default", no_argument, NULL, PIPE_O_DEFAULT },                     \
	{ "boot-path", required_argument, NULL, PIPE_O_BOOT_PATH }

struct pipeline_args {
	const char *initrd;
	const char *cmdline; /* extract's --command-line */
	const char *append;  /* --append (load: --command-line too; the last wins) */
	const char *addons[PIPELINE_MAX_ADDONS];
	size_t naddons;
	enum pk_verify_mode verify; /* PK_VERIFY_AUTO unless --verify */
	bool no_sidecars; /* --no-sidecars: no generated stub archives, no --esp */
	const char *esp;  /* --esp DIR: search it as systemd-stub would */
	const char *entry; /* --entry ID: load the ESP's boot entry ID */
	bool entry_default; /* --default: its default entry */
	const char *boot_path; /* --boot-path DIR: the XBOOTLDR partition (entries) */
};

/*
 * pipeline_args_take - take option @c's value @arg into @p when @c is
 * PIPE_O_VERIFY, PIPE_O_ADDON, PIPE_O_INITRD, PIPE_O_APPEND,
 * PIPE_O_NO_SIDECARS, PIPE_O_ESP, PIPE_O_ENTRY, PIPE_O_DEFAULT or
 * PIPE_O_BOOT_PATH.  Returns 0
 * when taken, 1 when @c is none of them (the verb's own), or -EINVAL with
 * a message in @err.
 */
int pipeline_args_take(struct pipeline_args *p, int c, const char *arg, char *err,
		       size_t errlen);

/*
 * pipeline_args_check_entry - with --entry or --default the entry supplies
 * the image, the initrd and the command line: @image (a positional IMAGE),
 * --initrd and a user command line (@cmdline_opt names the option given,
 * or NULL) are refused, and so are --entry with --default.  Returns 0, or
 * -EINVAL with a message in @err.
 */
int pipeline_args_check_entry(const struct pipeline_args *p, const char *image,
			      const char *cmdline_opt, char *err, size_t errlen);

#endif
