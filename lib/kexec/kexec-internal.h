/* SPDX-License-Identifier: MIT */
/* kexec-internal.h - what advice.c and kexec-file.c share. */
#ifndef PK_KEXEC_INTERNAL_H
#define PK_KEXEC_INTERNAL_H

/* What to do when the kernel wants a signed image because of lockdown. */
#define PK_KEXEC_ADVICE_LOCKDOWN                                              \
	"load a kernel signed by a key in the kernel's keyrings, or boot without lockdown"

#endif
