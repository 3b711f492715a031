// SPDX-License-Identifier: MIT
/* pipeline-args.c - the values of the options load and extract share. */
#include <errno.h>
#include <stdio.h>

#include "pipeline-args.h"

int pipeline_args_take(struct pipeline_args *p, int c, const char *arg, char *err,
		       size_t errlen)
{
	switch (c) {
	case PIPE_O_VERIFY:
		if (pk_verify_mode_from_name(arg, &p->verify) < 0) {
			snprintf(err, errlen, "--verify: '%s' is not require, auto or off", arg);
			return -EINVAL;
		}
		return 0;
	case PIPE_O_ADDON:
		if (p->naddons == PIPELINE_MAX_ADDONS) {
			snprintf(err, errlen, "at most %d --addon", PIPELINE_MAX_ADDONS);
			return -EINVAL;
		}
		p->addons[p->naddons++] = arg;
		return 0;
	case PIPE_O_INITRD:
		p->initrd = arg;
		return 0;
	case PIPE_O_APPEND:
		p->append = arg;
		return 0;
	case PIPE_O_NO_SIDECARS:
		p->no_sidecars = true;
		return 0;
	case PIPE_O_ESP:
		p->esp = arg;
		return 0;
	case PIPE_O_ENTRY:
		p->entry = arg;
		return 0;
	case PIPE_O_DEFAULT:
		p->entry_default = true;
		return 0;
	case PIPE_O_BOOT_PATH:
		p->boot_path = arg;
		return 0;
	}
	return 1;
}

int pipeline_args_check_entry(const struct pipeline_args *p, const char *image,
			      const char *cmdline_opt, char *err, size_t errlen)
{
	const char *what = p->entry ? "--entry" : "--default";

	if (!p->entry && !p->entry_default) {
		if (!p->boot_path)
			return 0;
		snprintf(err, errlen, "--boot-path (the XBOOTLDR partition) is read for --entry or --default only");
		return -EINVAL;
	}
	if (p->entry && p->entry_default)
		snprintf(err, errlen, "--entry and --default: give one");
	else if (image)
		snprintf(err, errlen, "%s loads the entry's kernel: no IMAGE ('%s') with it", what,
			 image);
	else if (p->initrd)
		snprintf(err, errlen, "%s loads the entry's initrds: no --initrd with it", what);
	else if (cmdline_opt)
		snprintf(err, errlen, "%s uses the entry's options as the command line: no %s with it",
			 what, cmdline_opt);
	else
		return 0;
	return -EINVAL;
}
