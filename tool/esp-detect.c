// SPDX-License-Identifier: MIT
/*
 * esp-detect.c - find the ESP/XBOOTLDR an image lies on with the checks of
 * bootctl that need no udev (systemd src/shared/find-esp.c, verify_esp()
 * and verify_fsroot_dir()): the directory is the root of its file system
 * (a mount point: statx() STATX_ATTR_MOUNT_ROOT, else st_dev differs from
 * its parent's), the file system is vfat (MSDOS_SUPER_MAGIC) unless
 * SYSTEMD_RELAX_ESP_CHECKS is true, and - the Boot Loader Specification's
 * sign that a boot loader uses it - it has EFI/ or loader/.  bootctl's
 * partition-type checks (the ESP and XBOOTLDR GPT type GUIDs) need udev or
 * blkid and are not made; so an ESP and a vfat XBOOTLDR look alike, and
 * both are searched the same way, as systemd-stub searches the partition
 * it was loaded from.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "esp-detect.h"

#define ESP_MSDOS_SUPER_MAGIC 0x4d44 /* linux/magic.h */

/* bootctl's getenv_bool(): 1, yes, y, true, t, on */
static bool relax_checks(void)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
	const char *v = getenv("SYSTEMD_RELAX_ESP_CHECKS");
	size_t i;

	for (i = 0; v && i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(v, yes[i]))
			return true;
	return false;
}

bool esp_is_mount_root(const char *dir)
{
	struct statx sx;
	struct stat st, parent;
	char up[PATH_MAX];

	if (statx(AT_FDCWD, dir, 0, STATX_BASIC_STATS, &sx) == 0 &&
	    (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return sx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
	if (!strcmp(dir, "/"))
		return true;
	if ((size_t)snprintf(up, sizeof(up), "%s/..", dir) >= sizeof(up) || stat(dir, &st) < 0 ||
	    stat(up, &parent) < 0)
		return false;
	return st.st_dev != parent.st_dev;
}

static bool has_dir(const char *root, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	return (size_t)snprintf(p, sizeof(p), "%s/%s", root, name) < sizeof(p) &&
	       lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *esp_detect(const char *image)
{
	char *path = realpath(image, NULL), *slash;
	struct statfs sfs;

	if (!path)
		return NULL;
	/* the directories above the image, innermost first, to the first mount root */
	for (;;) {
		slash = strrchr(path, '/');
		if (!slash)
			goto none;
		if (slash == path) {
			path[1] = '\0';
		} else {
			*slash = '\0';
		}
		if (esp_is_mount_root(path))
			break;
		if (!strcmp(path, "/"))
			goto none;
	}
	if (!relax_checks() && (statfs(path, &sfs) < 0 || sfs.f_type != ESP_MSDOS_SUPER_MAGIC))
		goto none;
	if (!has_dir(path, "EFI") && !has_dir(path, "loader"))
		goto none;
	return path;
none:
	free(path);
	return NULL;
}
