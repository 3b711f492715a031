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
	}
	return 1;
}
