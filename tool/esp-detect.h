/* SPDX-License-Identifier: MIT */
/*
 * esp-detect.h - the ESP (or XBOOTLDR) an image lies on, found as bootctl
 * checks one (docs/pipeline.md §4 "Sidecars of the ESP"), for load and
 * extract when --esp is not given.
 */
#ifndef PK_TOOL_ESP_DETECT_H
#define PK_TOOL_ESP_DETECT_H

#include <stdbool.h>

/*
 * esp_detect - the root of the file system @image lies on (realpath),
 * when it is vfat (SYSTEMD_RELAX_ESP_CHECKS=1: any type, as bootctl
 * allows) and has an EFI/ or loader/ directory; a new string, or NULL.
 */
char *esp_detect(const char *image);

/* Is @dir the root of a mounted file system (statx STATX_ATTR_MOUNT_ROOT,
 * else a different st_dev than its parent's)? */
bool esp_is_mount_root(const char *dir);

#endif
