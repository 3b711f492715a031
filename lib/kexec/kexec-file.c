// SPDX-License-Identifier: MIT
/*
 * kexec-file.c - the kexec_file_load(2) backend: the kernel and initrd go
 * into memfds, the command line is NUL-terminated with the NUL counted;
 * unload, exec and "is a kernel loaded?".
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "pekexec/kexec.h"
#include "kexec-internal.h"

#ifndef KEXEC_FILE_UNLOAD
#define KEXEC_FILE_UNLOAD 0x1
#define KEXEC_FILE_ON_CRASH 0x2
#define KEXEC_FILE_NO_INITRAMFS 0x4
#endif

static void pk_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _pk_cleanup_fd_ _pk_cleanup_(pk_closep)

static long sys_kexec_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				const char *cmdline, unsigned long flags)
{
#ifdef SYS_kexec_file_load
	return syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, cmdline_len, cmdline, flags);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* A sealed-size memfd holding @len bytes of @data, or a negative errno. */
static int memfd_from(struct pk_ctx *ctx, const char *name, const uint8_t *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return pk_err(ctx, -errno, "memfd_create(%s): %s", name, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			close(fd);
			return pk_err(ctx, -e, "writing %zu bytes of the %s to a memfd: %s",
				      len, name, strerror(e));
		}
		done += (size_t)n;
	}
	return fd;
}

static int kernel_error(struct pk_ctx *ctx, const char *what, int err, unsigned int flags,
			const char *lockdown)
{
	if (err == -EPERM && lockdown && strcmp(lockdown, "none"))
		return pk_err(ctx, err, "%s: %s: the kernel requires a signed image (lockdown=%s): %s",
			      what, strerror(-err), lockdown, PK_KEXEC_ADVICE_LOCKDOWN);
	return pk_err(ctx, err, "%s: %s: %s", what, strerror(-err),
		      pk_kexec_advice(err, flags, lockdown));
}

int pk_kexec_load(struct pk_ctx *ctx, const struct pk_kexec_image *img,
		  unsigned int flags, const char *lockdown)
{
	_pk_cleanup_fd_ int kfd = -1;
	_pk_cleanup_fd_ int ifd = -1;
	const char *cmdline = img && img->cmdline ? img->cmdline : "";
	unsigned long kflags = 0;

	if (!img || !img->kernel || !img->kernel_len)
		return pk_err(ctx, -EINVAL, "kexec: no kernel to load");
	if (flags & ~PK_KEXEC_CRASH)
		return pk_err(ctx, -EINVAL, "kexec: unknown flags 0x%x", flags);
	if (flags & PK_KEXEC_CRASH)
		kflags |= KEXEC_FILE_ON_CRASH;
	kfd = memfd_from(ctx, "kernel", img->kernel, img->kernel_len);
	if (kfd < 0)
		return kfd;
	if (img->initrd && img->initrd_len) {
		ifd = memfd_from(ctx, "initrd", img->initrd, img->initrd_len);
		if (ifd < 0)
			return ifd;
	} else {
		kflags |= KEXEC_FILE_NO_INITRAMFS;
	}
	/* The length counts the NUL: the kernel checks cmdline[len - 1] == 0. */
	if (sys_kexec_file_load(kfd, ifd, strlen(cmdline) + 1, cmdline, kflags) < 0)
		return kernel_error(ctx, "kexec_file_load", -errno, flags, lockdown);
	return 0;
}

int pk_kexec_unload(struct pk_ctx *ctx, unsigned int flags)
{
	unsigned long kflags = KEXEC_FILE_UNLOAD;

	if (flags & PK_KEXEC_CRASH)
		kflags |= KEXEC_FILE_ON_CRASH;
	if (sys_kexec_file_load(-1, -1, 0, NULL, kflags) < 0)
		return kernel_error(ctx, "kexec_file_load(UNLOAD)", -errno, flags, NULL);
	return 0;
}

int pk_kexec_exec(struct pk_ctx *ctx)
{
	sync();
	/* Returns only on failure. */
	if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		    LINUX_REBOOT_CMD_KEXEC, NULL) < 0) {
		int e = errno;

		if (e == EINVAL)
			return pk_err(ctx, -e, "reboot(KEXEC): no kernel is loaded ('pekexec load' first)");
		return pk_err(ctx, -e, "reboot(KEXEC): %s%s", strerror(e),
			      e == EPERM ? ": run as root (CAP_SYS_BOOT)" : "");
	}
	return 0;
}

int pk_kexec_is_loaded(struct pk_ctx *ctx, unsigned int flags)
{
	const char *path = flags & PK_KEXEC_CRASH ? "/sys/kernel/kexec_crash_loaded" :
						    "/sys/kernel/kexec_loaded";
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return pk_err(ctx, -errno, "%s: %s", path, strerror(errno));
	n = read(fd, &c, 1);
	close(fd);
	if (n != 1)
		return pk_err(ctx, -EIO, "%s: cannot read", path);
	return c == '1';
}
