/* SPDX-License-Identifier: MIT */
/**
 * @file kexec.h
 * @brief The kexec backend: hand a kernel, an initrd and a command line to
 * the running kernel with kexec_file_load(2), unload, and start the loaded
 * kernel.  docs/kexec.md is the manual.
 *
 * The kernel and the initrd are written into memfds (memfd_create(2),
 * MFD_CLOEXEC): no temporary files.  The command line is passed
 * NUL-terminated with its length counting the NUL, as the kernel requires.
 *
 * Errors are the kernel's errno, negative, recorded with advice on what to
 * do (pk_kexec_advice()):
 * @retval -EPERM        not allowed: missing CAP_SYS_BOOT, or the kernel
 *                       requires a signed image (lockdown, KEXEC_SIG_FORCE)
 * @retval -EKEYREJECTED the kernel rejected the image's signature
 * @retval -EBADMSG      the kernel found the image's signature malformed
 * @retval -ENOEXEC      the kernel cannot load this image format
 * @retval -EADDRNOTAVAIL, -ENOMEM  no room (with PK_KEXEC_CRASH: no
 *                       crashkernel= reservation, or too small)
 * @retval -EBUSY        a kexec is in progress / the crash kernel is in use
 * @retval -ENOSYS       the kernel lacks CONFIG_KEXEC_FILE
 * @retval -EINVAL       bad arguments, or a kernel without kexec_file for
 *                       this architecture
 * @retval other         from memfd_create()/write()
 */
#ifndef PEKEXEC_KEXEC_H
#define PEKEXEC_KEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Load or unload the crash (kdump) kernel: KEXEC_FILE_ON_CRASH. */
#define PK_KEXEC_CRASH 0x1u

/** What to load. */
struct pk_kexec_image {
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd; /**< NULL or empty: KEXEC_FILE_NO_INITRAMFS */
	size_t initrd_len;
	const char *cmdline;   /**< NUL-terminated; NULL means "" */
};

/**
 * pk_kexec_load - kexec_file_load(2) @img.
 * @flags: 0 or PK_KEXEC_CRASH
 * @lockdown: the running kernel's lockdown mode ("none", "integrity",
 *            "confidentiality") or NULL if unknown; only used for advice
 */
int pk_kexec_load(struct pk_ctx *ctx, const struct pk_kexec_image *img,
		  unsigned int flags, const char *lockdown);

/** pk_kexec_unload - unload the kernel (or the crash kernel: PK_KEXEC_CRASH). */
int pk_kexec_unload(struct pk_ctx *ctx, unsigned int flags);

/**
 * pk_kexec_exec - sync(), then reboot(LINUX_REBOOT_CMD_KEXEC).  Returns
 * only on failure: -EINVAL when no kernel is loaded, -EPERM without
 * CAP_SYS_BOOT.
 */
int pk_kexec_exec(struct pk_ctx *ctx);

/**
 * pk_kexec_is_loaded - 1 if a kernel (crash kernel with PK_KEXEC_CRASH) is
 * loaded, 0 if not, negative errno if /sys/kernel/kexec_*loaded is
 * unreadable.
 */
int pk_kexec_is_loaded(struct pk_ctx *ctx, unsigned int flags);

/**
 * pk_kexec_kernel_bpf - 1 if the running kernel unpacks images with a
 * .bpf section itself (CONFIG_KEXEC_BPF): its BTF (@btf_path, NULL for
 * /sys/kernel/btf/vmlinux) has the FUNC kexec_image_parser_anchor, which
 * every parser program attaches to.  0 if not, or without kernel BTF.
 */
int pk_kexec_kernel_bpf(struct pk_ctx *ctx, const char *btf_path);

/**
 * pk_kexec_advice - what to do about @err (negative errno) returned by
 * kexec_file_load(2) with @flags, on a kernel in lockdown mode @lockdown
 * (may be NULL).  Never NULL; a static string.
 */
const char *pk_kexec_advice(int err, unsigned int flags, const char *lockdown);

/**
 * pk_kexec_lockdown_mode - the selected mode in the text of
 * /sys/kernel/security/lockdown ("none [integrity] confidentiality") as
 * "none", "integrity" or "confidentiality"; NULL if @text has no "[...]".
 */
const char *pk_kexec_lockdown_mode(const char *text);

#ifdef __cplusplus
}
#endif
#endif
