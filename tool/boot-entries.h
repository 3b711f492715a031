/* SPDX-License-Identifier: MIT */
/*
 * boot-entries.h - the boot entries of an ESP as systemd-boot and bootctl
 * see them (UAPI Boot Loader Specification; docs/entries.md): Type #1
 * loader/entries/ *.conf and Type #2 EFI/Linux/ *.efi (one per UKI
 * profile), sorted, with the default marked.  The one parser of entries:
 * 'pekexec entries' lists what it returns, 'load/extract --entry ID' and
 * '--default' load one of them (entry-plan.c).
 */
#ifndef PK_TOOL_BOOT_ENTRIES_H
#define PK_TOOL_BOOT_ENTRIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_ENTRIES_MAX 1024
#define BOOT_ENTRY_MAX_INITRDS 32

struct boot_entry {
	int type;          /* 1 or 2 */
	char *id;          /* file name, boot counter removed, "@PROFILE" for profiles > 0 */
	char *id_without_profile; /* profiles > 0: the id without "@PROFILE", else NULL */
	char *path;        /* ESP-relative file */
	char *title, *version, *sort_key, *machine_id;
	char *linux_path;  /* Type #1 "linux", Type #2 its own path */
	char *uki_path;    /* Type #1 "uki" (systemd v258+) */
	char *efi_path;    /* Type #1 "efi": an EFI program, not a kernel */
	char *options, *devicetree;
	char *initrd[BOOT_ENTRY_MAX_INITRDS];
	size_t ninitrd;
	bool too_many_initrds; /* more "initrd" lines than BOOT_ENTRY_MAX_INITRDS */
	bool conflicting;  /* more than one of linux/uki/efi: systemd-boot drops it */
	unsigned int tries_left; /* UINT_MAX: no counter */
	unsigned int profile;    /* Type #2: the UKI profile */
	bool xbootldr;     /* found on the XBOOTLDR partition, not the ESP */
};

struct boot_entries {
	struct boot_entry *v; /* sorted */
	size_t n;
	int def;              /* index of the default, -1 when there is no entry */
	const char *def_by;   /* "LoaderEntryOneShot", "LoaderEntryDefault",
			       * "LoaderEntryLastBooted" (@saved), "loader.conf",
			       * "first" */
};

/*
 * boot_entries_load - read and sort the entries of @esp and of the
 * XBOOTLDR partition @xbootldr (NULL: none; not read twice when it is the
 * ESP; loader.conf is read from the ESP only, as bootctl does) and mark the
 * default as systemd-boot does: the EFI variables LoaderEntryOneShot,
 * then LoaderEntryDefault (unless !@variables; read from efivarfs), then
 * loader/loader.conf's "default", each a glob matched case folded, else
 * the first entry; "@saved" in LoaderEntryDefault or loader.conf stands
 * for the EFI variable LoaderEntryLastBooted.  Returns 0, or -errno (-E2BIG: more than
 * BOOT_ENTRIES_MAX) without printing.
 */
struct tool;
int boot_entries_load(struct tool *t, const char *esp, const char *xbootldr, bool variables,
		      struct boot_entries *ret);
void boot_entries_free(struct boot_entries *e);

/*
 * The parsers of untrusted bytes, each (buf, len) (tool/fuzz-entries.c):
 * boot_entry_parse_conf - a Type #1 .conf (text up to the first NUL) into
 * @e (zeroed by the caller, id/path set or not); 0 or -ENOMEM.
 * boot_entries_parse_uki - a Type #2 UKI: one entry per profile into
 * v[*n..max), each with @tmpl's id, path and counter; a file that is not
 * a PE with .linux adds none; 0, -E2BIG (max reached) or -ENOMEM.
 * boot_entry_free - frees and zeroes @e (a zeroed one is fine).
 * boot_entries_version_cmp - strverscmp_improved(): <0, 0, >0, older first.
 */
struct pk_ctx;
int boot_entry_parse_conf(const uint8_t *buf, size_t len, struct boot_entry *e);
int boot_entries_parse_uki(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
			   const struct boot_entry *tmpl, struct boot_entry *v, size_t *n,
			   size_t max);
void boot_entry_free(struct boot_entry *e);
int boot_entries_version_cmp(const char *a, const char *b);

/*
 * boot_entries_osrel_get - KEY's value in os-release text @text (@len
 * bytes; also the syntax of a UKI's .profile): VALUE unquoted ("" or '',
 * backslash escapes), a new string; NULL when absent or out of memory.
 */
char *boot_entries_osrel_get(const char *text, size_t len, const char *key);

/* The entry whose id is @id (case folded, as systemd-boot folds ids), or -1. */
int boot_entries_find(const struct boot_entries *e, const char *id);

/* The first of /boot/efi, /efi, /boot with loader/ or EFI/Linux/, or NULL. */
const char *boot_entries_guess_esp(void);

/*
 * The XBOOTLDR partition next to the guessed ESP @esp, as bootctl finds
 * one without udev: /boot when the ESP is /boot/efi or /efi, /boot is the
 * root of its own file system, not the ESP's, and has loader/entries/ or
 * EFI/Linux/.  NULL otherwise.
 */
const char *boot_entries_guess_xbootldr(const char *esp);

#endif
