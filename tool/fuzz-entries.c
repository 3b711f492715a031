// SPDX-License-Identifier: MIT
/*
 * fuzz-entries.c - property: the boot entry parsers of tool/boot-entries.c
 * (the bytes of an ESP are untrusted: 'entries', 'load --entry' read them)
 * take any input without a fault or a leak, and what they return keeps its
 * bounds:
 *  - as a Type #1 .conf: at most BOOT_ENTRY_MAX_INITRDS initrds, every
 *    string NUL-terminated and without a newline (one line per key), the
 *    "too many initrds" flag only with the maximum reached;
 *  - as a Type #2 UKI: at most one entry per profile (count + 1), profile
 *    numbers rising, ids "NAME" for profile 0 and "NAME@..." after, every
 *    entry with a title and its own path as linux;
 *  - the version order (strverscmp_improved()) of the input's two halves
 *    is antisymmetric and reflexive.
 * Seeds: fuzz/corpus/fuzz-entries/ (a .conf), and tests/t-entry-load.sh
 * writes a two-profile UKI into $BUILD/fuzz-seeds/fuzz-entries/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot-entries.h"
#include "pekexec/ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ENTRIES 300

static void check_string(const char *s)
{
	if (s && strchr(s, '\n'))
		abort();
}

static void fuzz_conf(const uint8_t *data, size_t size)
{
	struct boot_entry e;
	size_t i;

	memset(&e, 0, sizeof(e));
	if (boot_entry_parse_conf(data, size, &e) < 0) {
		boot_entry_free(&e);
		return;
	}
	if (e.ninitrd > BOOT_ENTRY_MAX_INITRDS ||
	    (e.too_many_initrds && e.ninitrd != BOOT_ENTRY_MAX_INITRDS))
		abort();
	for (i = 0; i < e.ninitrd; i++)
		if (!e.initrd[i] || !*e.initrd[i])
			abort();
	check_string(e.title);
	check_string(e.options);
	check_string(e.linux_path);
	check_string(e.uki_path);
	check_string(e.efi_path);
	check_string(e.devicetree);
	if (e.conflicting && !!e.linux_path + !!e.uki_path + !!e.efi_path < 2)
		abort();
	boot_entry_free(&e);
}

static void fuzz_uki(struct pk_ctx *ctx, const uint8_t *data, size_t size)
{
	struct boot_entry tmpl = { .id = "f.efi", .path = "EFI/Linux/f.efi", .tries_left = 7 };
	struct boot_entry *v = calloc(FUZZ_MAX_ENTRIES, sizeof(*v));
	size_t n = 0, i;
	int r;

	if (!v)
		return;
	r = boot_entries_parse_uki(ctx, data, size, &tmpl, v, &n, FUZZ_MAX_ENTRIES);
	/* at most UKI_PROFILES_MAX (256) entries: never -E2BIG here */
	if (r < 0 && r != -ENOMEM)
		abort();
	for (i = 0; i < n; i++) {
		const struct boot_entry *e = &v[i];

		if (e->type != 2 || !e->title || !e->linux_path || strcmp(e->linux_path, tmpl.path) ||
		    e->tries_left != 7 || (i && e->profile <= v[i - 1].profile))
			abort();
		if (e->profile == 0 ? strcmp(e->id, "f.efi") || e->id_without_profile :
		    strncmp(e->id, "f.efi@", 6) || !e->id_without_profile)
			abort();
		check_string(e->title);
	}
	for (i = 0; i < n; i++)
		boot_entry_free(&v[i]);
	free(v);
}

static void fuzz_version(const uint8_t *data, size_t size)
{
	char *a = strndup((const char *)data, size / 2);
	char *b = strndup((const char *)data + size / 2, size - size / 2);
	int ab, ba;

	if (a && b) {
		ab = boot_entries_version_cmp(a, b);
		ba = boot_entries_version_cmp(b, a);
		if ((ab > 0) != (ba < 0) || (ab < 0) != (ba > 0) || boot_entries_version_cmp(a, a))
			abort();
	}
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_ctx *ctx = pk_ctx_new();

	if (!ctx)
		return 0;
	fuzz_conf(data, size);
	fuzz_uki(ctx, data, size);
	fuzz_version(data, size);
	pk_ctx_free(ctx);
	return 0;
}
