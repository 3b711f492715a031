/* SPDX-License-Identifier: MIT */
/*
 * entry-plan.h - what 'load/extract --entry ID' (or '--default') hands to
 * the pipeline for a boot entry of the ESP, as systemd-boot would start it
 * (docs/entries.md "Loading an entry"): the entry comes from
 * boot-entries.c (the code 'pekexec entries' lists with), its files are
 * read only from inside the ESP.
 */
#ifndef PK_TOOL_ENTRY_PLAN_H
#define PK_TOOL_ENTRY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct entry_plan {
	char *id;          /* the entry's id as 'entries' lists it */
	int type;          /* 1 or 2 */
	char *rel;         /* ESP-relative path of the .conf or the UKI */
	char *image;       /* host path of the kernel/UKI (ESP/...), no symlink out */
	char *image_rel;   /* its ESP-relative path */
	const char *loader_key; /* "linux", "uki" (Type #1) or NULL (Type #2) */
	uint8_t *initrd;   /* Type #1 "linux" initrds joined as systemd-boot joins them */
	size_t initrd_len;
	bool has_initrd;
	size_t ninitrd;
	char *cmdline;     /* what systemd-boot passes as load options, NULL: none */
	unsigned int profile; /* Type #2: the UKI profile ("@N" in cmdline when > 0) */
	char *devicetree;  /* ESP-relative "devicetree" of a Type #1 entry, or NULL */
	char *devicetree_path; /* its path (ESP/...), checked as the image's */
	char *root;        /* the partition the entry is on: the ESP or XBOOTLDR;
			    * its paths are relative to it, its sidecars there */
	bool xbootldr;     /* root is the XBOOTLDR partition */
};

/*
 * entry_plan_make - resolve entry @id (case folded), or the default entry
 * when @id is NULL, of the ESP @esp and the XBOOTLDR partition @xbootldr
 * (or NULL) into @ret; an entry's files are read from its own partition.  On failure prints a message
 * naming the entry ("pekexec: VERB: entry ID: ...") and returns the exit
 * code: PK_EXIT_USAGE for an unknown id or an ESP without entries,
 * PK_EXIT_FAILURE for an entry that cannot be loaded (no linux/uki, an
 * "efi" program, ".." in a path, a symlink out of the ESP, a missing or
 * unreadable file).  Returns PK_EXIT_OK (0) on success.
 */
struct tool;
int entry_plan_make(struct tool *t, const char *verb, const char *esp, const char *xbootldr,
		    const char *id, struct entry_plan *ret);
void entry_plan_free(struct entry_plan *p);

#endif
