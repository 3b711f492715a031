/* SPDX-License-Identifier: MIT */
/*
 * devicetree.h - a UKI's .dtb/.dtbauto and a Type #1 entry's "devicetree"
 * at kexec time (docs/pipeline.md §4 "Device trees"): kexec_file_load(2)
 * takes no device tree (x86 has none; arm64 passes the running kernel's),
 * so none is ever used.  This says so - a warning naming the section and
 * the manifest's "devicetree" - and decides whether systemd-stub (or
 * systemd-boot) would have used it at a firmware boot of this machine,
 * in which case enforcement refuses the load (the result would differ).
 * Shared by extract and load.
 */
#ifndef PK_TOOL_DEVICETREE_H
#define PK_TOOL_DEVICETREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pekexec/hash.h"

/* the entry's devicetree, the UKI's, one per add-on (the pipeline's 64) */
#define DT_MAX_ADDONS 64
#define DT_MAX_ITEMS (2 + DT_MAX_ADDONS)

struct dt_item {
	char source[16];      /* ".dtb", ".dtbauto" or "devicetree" (entry key) */
	char path[256];       /* the entry's ESP-relative path, the add-on, or "" */
	bool addon;           /* a section of the add-on @path */
	size_t size;
	uint8_t sha256[PK_SHA256_LEN];
	char compatible[128]; /* the blob's root compatible, "" if none */
	bool stub_would_use;  /* at a firmware boot of this machine */
	const char *reason;   /* why it is not used (static text) */
};

struct dt_report {
	struct dt_item items[DT_MAX_ITEMS];
	size_t n;
	bool system_dt;             /* the running system booted with a device tree */
	char system_compatible[128];
};

/*
 * dt_check - look at the device trees of @img (the image as given, its
 * profile @profile: .dtbauto matching the running system's compatible,
 * else .dtb) and of the entry (file @entry_dt_path, named @entry_dt in
 * messages; both NULL without one) and of each add-on in @addons (as
 * systemd-stub's load_addons(): its .dtbauto matching the running
 * system's compatible, else its .dtb) against the
 * running system (PEKEXEC_SYSFS_FIRMWARE, default /sys/firmware: fdt).
 * Prints a warning for each; under @enforcing refuses one the stub would
 * have used and that differs from the running kernel's.
 * Returns PK_EXIT_OK, PK_EXIT_POLICY (refused, message printed) or
 * PK_EXIT_FAILURE (out of memory, an unreadable entry file).
 */
struct tool;
struct pk_pipeline_image;
int dt_check(struct tool *t, const char *verb, const uint8_t *img, size_t len,
	     unsigned int profile, const char *entry_dt_path, const char *entry_dt,
	     const struct pk_pipeline_image *addons, size_t naddons, bool enforcing,
	     struct dt_report *ret);

struct json;
/* "devicetree": [ ... ] of the manifest. */
void dt_report_json(struct json *j, const struct dt_report *r);

#endif
