// SPDX-License-Identifier: MIT
/*
 * pk-kexec-file.c - the VM tests' loader: kexec_file_load() without any
 * user-space knowledge of the image (kexec-tools probes the file type
 * itself and refuses PE images it does not know).
 *
 *   pk-kexec-file [-p] load IMAGE [INITRD|-] [CMDLINE]   print "errno=NAME"
 *   pk-kexec-file [-p] unload
 *   pk-kexec-file exec                                   reboot into it
 *
 * -p loads (unloads) the crash kernel: KEXEC_FILE_ON_CRASH, which needs
 * memory reserved with crashkernel= (the soak, tests/vm/soak-init.sh).
 *
 * Exit status: 0 on success, 1 on a failed call, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case EFBIG: return "EFBIG";
	case ELOOP: return "ELOOP";
	case EBADMSG: return "EBADMSG";
	case ENOKEY: return "ENOKEY";
	case EKEYREJECTED: return "EKEYREJECTED";
	case ENOPKG: return "ENOPKG";
	case ESTALE: return "ESTALE";
	case EINTR: return "EINTR";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	default: return "other";
	}
}

int main(int argc, char **argv)
{
	unsigned long flags = 0;
	int kfd, ifd = -1;
	const char *cmdline = NULL;
	long ret;

	if (argc > 1 && !strcmp(argv[1], "-p")) {
		flags |= KEXEC_FILE_ON_CRASH;
		argc--;
		argv++;
	}
	if (argc == 2 && !strcmp(argv[1], "exec") && !flags) {
		sync();
		reboot(LINUX_REBOOT_CMD_KEXEC);
		perror("reboot(LINUX_REBOOT_CMD_KEXEC)");
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "unload")) {
		ret = syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
			      KEXEC_FILE_UNLOAD | flags);
		printf("errno=%s\n", errno_name(ret ? errno : 0));
		return ret ? 1 : 0;
	}
	if (argc < 3 || argc > 5 || strcmp(argv[1], "load")) {
		fprintf(stderr, "usage: pk-kexec-file [-p] load IMAGE [INITRD|-] [CMDLINE] | [-p] unload | exec\n");
		return 2;
	}
	kfd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (kfd < 0) {
		perror(argv[2]);
		return 2;
	}
	if (argc > 3 && strcmp(argv[3], "-")) {
		ifd = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (ifd < 0) {
			perror(argv[3]);
			return 2;
		}
	} else {
		flags |= KEXEC_FILE_NO_INITRAMFS;
	}
	if (argc > 4)
		cmdline = argv[4];
	ret = syscall(SYS_kexec_file_load, kfd, ifd,
		      cmdline ? strlen(cmdline) + 1 : 0UL, cmdline, flags);
	printf("errno=%s\n", errno_name(ret ? errno : 0));
	return ret ? 1 : 0;
}
