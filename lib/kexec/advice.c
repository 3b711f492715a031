// SPDX-License-Identifier: MIT
/*
 * advice.c - what the kernel's answer to kexec_file_load(2) means and what
 * to do about it.  The meanings come from kernel/kexec_file.c and the arch
 * loaders of Linux 6.1 (docs/kexec.md has the table with its sources).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "pekexec/kexec.h"
#include "kexec-internal.h"

struct advice {
	int err;        /* positive errno */
	int crash;      /* -1: any, 0: normal load only, 1: crash load only */
	int locked;     /* -1: any, 0: lockdown none/unknown, 1: locked down */
	const char *text;
};

/* First match wins: specific rows before general ones. */
static const struct advice advice_table[] = {
	{ EPERM, -1, 1, "the kernel requires a signed image (lockdown): " PK_KEXEC_ADVICE_LOCKDOWN },
	{ EPERM, -1, 0, "not permitted: run as root (CAP_SYS_BOOT); if the kernel enforces kexec signatures (KEXEC_SIG_FORCE, module.sig_enforce) the image must be signed by a key in its keyrings" },
	{ EKEYREJECTED, -1, -1, "the kernel rejected the image's signature: it is not signed by a key in the kernel's .builtin_trusted/.secondary/.platform keyrings" },
	{ EBADMSG, -1, -1, "the kernel found the image's signature malformed or its digest wrong" },
	{ ENOKEY, -1, -1, "the kernel has no key for the image's signer: add the certificate to a kernel keyring (MOK/db) or sign with a trusted key" },
	{ ENOEXEC, -1, -1, "the kernel cannot load this image format (not a bzImage/Image/PE it knows for this architecture)" },
	{ EADDRNOTAVAIL, 1, -1, "no crashkernel= reservation: boot the running kernel with crashkernel=SIZE (e.g. crashkernel=256M)" },
	{ ENOMEM, 1, -1, "the crashkernel= reservation is missing or too small for this kernel and initrd: boot with a larger crashkernel=SIZE" },
	{ EADDRNOTAVAIL, 0, -1, "the kernel found no room to place the image in memory" },
	{ ENOMEM, 0, -1, "out of memory while loading: the kernel and initrd must fit in free memory" },
	{ EBUSY, -1, -1, "a kexec is in progress or the crash kernel is in use: try again, or unload first" },
	{ ENOSYS, -1, -1, "the kernel lacks kexec_file_load (CONFIG_KEXEC_FILE)" },
	{ EINVAL, -1, -1, "the kernel refused the arguments: it may lack CONFIG_KEXEC_FILE for this architecture, or the command line is too long" },
	{ E2BIG, -1, -1, "the command line is longer than the kernel accepts" },
	{ EFBIG, -1, -1, "the image or initrd is larger than the kernel accepts" },
	{ EOPNOTSUPP, -1, -1, "the kernel does not support this operation (kexec disabled: kernel.kexec_load_disabled?)" },
};

const char *pk_kexec_advice(int err, unsigned int flags, const char *lockdown)
{
	int crash = !!(flags & PK_KEXEC_CRASH);
	int locked = lockdown && strcmp(lockdown, "none") != 0;
	size_t i;

	for (i = 0; i < PK_ARRAY_SIZE(advice_table); i++) {
		const struct advice *a = &advice_table[i];

		if (a->err != -err)
			continue;
		if (a->crash >= 0 && a->crash != crash)
			continue;
		if (a->locked >= 0 && a->locked != locked)
			continue;
		return a->text;
	}
	return "unexpected error from the kernel";
}

const char *pk_kexec_lockdown_mode(const char *text)
{
	static const char *const modes[] = { "none", "integrity", "confidentiality" };
	const char *open, *close;
	size_t i;

	if (!text)
		return NULL;
	open = strchr(text, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close)
		return NULL;
	for (i = 0; i < PK_ARRAY_SIZE(modes); i++)
		if ((size_t)(close - open - 1) == strlen(modes[i]) &&
		    !strncmp(open + 1, modes[i], strlen(modes[i])))
			return modes[i];
	return NULL;
}
