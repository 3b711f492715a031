/* SPDX-License-Identifier: MIT */
/*
 * sidecars.h - find on an ESP what systemd-stub would pick up for a UKI
 * (docs/pipeline.md §4 "Sidecars of the ESP"): global add-ons, then the
 * UKI's own <uki>.extra.d add-ons; credentials, system and configuration
 * extensions, local and global.  Shared by extract and load.
 */
#ifndef PK_TOOL_SIDECARS_H
#define PK_TOOL_SIDECARS_H

#include <stdbool.h>
#include <stddef.h>

#include "pekexec/file.h"
#include "pekexec/pipeline.h"

/* The stub reads every entry; we refuse a directory with more. */
#define SIDECARS_MAX_ENTRIES 4096
/* Add-ons, with the --addon ones: the pipeline's limit. */
#define SIDECARS_MAX_ADDONS 64
/* cpio's size field is 32 bits: the stub drops a directory's archive when
 * one file is larger (pack_cpio_one(): EFI_LOAD_ERROR). */
#define SIDECARS_MAX_FILE 0xffffffffull

enum sidecar_role { SIDECAR_ADDON = -1 }; /* else an enum pk_sidecar_kind */

struct sidecar_item {
	char *rel;          /* ESP-relative path, for messages and the manifest */
	char *path;         /* host path */
	const char *name;   /* in rel */
	int role;           /* SIDECAR_ADDON or enum pk_sidecar_kind */
	const char *skipped; /* NULL: used; else why not (static text) */
	struct pk_file file; /* opened when used */
};

struct sidecars {
	struct sidecar_item *items; /* the stub's order */
	size_t n, cap;
	/* what the pipeline takes, pointing into items[] */
	struct pk_pipeline_image *addons;
	size_t naddons;
	struct pk_sidecar *files;
	size_t nfiles;
};

/*
 * sidecars_find - discover for @image under the ESP @esp and open every
 * file used.  Explicit add-ons (@extra, @nextra) go after the discovered
 * ones.  Returns 0, or -errno with a message printed ("extract"/"load" is
 * @verb): -EINVAL the image is not under @esp, -E2BIG too many entries or
 * add-ons, -errno reading.
 */
struct tool;
int sidecars_find(struct tool *t, const char *verb, const char *esp, const char *image,
		  const char *const *extra, size_t nextra, struct sidecars *ret);
void sidecars_free(struct sidecars *s);

/* "addon", "credential", ... */
const char *sidecar_role_name(int role);

#endif
