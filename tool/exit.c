// SPDX-License-Identifier: MIT
/* exit.c - errno values to the tool's exit codes (tool.h), in one place. */
#include <errno.h>

#include "tool.h"

int tool_exit_code(int err)
{
	switch (err) {
	case 0:
		return PK_EXIT_OK;
	case -ENOEXEC: /* malformed image, object or certificate table */
		return PK_EXIT_MALFORMED;
	case -ENODATA: /* no signature */
		return PK_EXIT_UNSIGNED;
	case -EBADMSG: /* a signature does not match the image */
		return PK_EXIT_BAD_DIGEST;
	case -EKEYREJECTED:
	case -ENOKEY:
		return PK_EXIT_UNTRUSTED;
	case -EPROTO: /* a parser program was rejected or failed */
		return PK_EXIT_REJECTED;
	case -EPERM: /* refused by policy */
		return PK_EXIT_POLICY;
	default:
		return PK_EXIT_FAILURE;
	}
}

int tool_exit_code_kernel(int err)
{
	switch (err) {
	case -EPERM: /* lockdown / KEXEC_SIG_FORCE: a signature is required */
		return PK_EXIT_UNSIGNED;
	case -EPROTO:
		return PK_EXIT_FAILURE;
	default:
		return tool_exit_code(err);
	}
}
