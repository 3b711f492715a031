// SPDX-License-Identifier: MIT
/*
 * devicetree.c - device trees at kexec time (devicetree.h).  What the boot
 * path would have done, read from systemd main (stub.c at commit 017b5c04
 * install_embedded_devicetree(): the selected profile's .dtbauto whose
 * first root compatible matches the firmware device tree's
 * (devicetree_match()), else its .dtb, installed as the EFI device-tree
 * table; boot.c at 004e3e40 call_image_start(): an entry's "devicetree"
 * only without Secure Boot) and systemd 252 (devicetree_install*():
 * nothing is installed when the firmware has no device-tree table).
 * A kernel reads that table only on a device-tree platform (arm64,
 * riscv64 booted with a DT); x86 and ACPI machines boot without one, and
 * the running system tells which: /sys/firmware/fdt exists when the
 * running kernel booted with a device tree.
 *
 * kexec_file_load(2) never takes one: x86 has no device-tree argument and
 * arm64's passes the running kernel's own (initial_boot_params).  So:
 *   - no device tree on this system: the stub would not have used it
 *     either: a warning, no refusal;
 *   - a .dtbauto that does not match the running compatible: the stub
 *     would not pick it: a warning;
 *   - an entry's devicetree under enforcement: systemd-boot skips it under
 *     Secure Boot: a warning;
 *   - otherwise the stub would have installed it: identical to the running
 *     kernel's blob, a warning; different, a warning, and under
 *     enforcement a refusal (exit 8), since the booted system would differ.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devicetree.h"
#include "json.h"
#include "pekexec/fdt.h"
#include "pekexec/file.h"
#include "pekexec/pe.h"
#include "pekexec/pipeline.h"
#include "tool.h"

#define DT_MAX_BLOB (32u << 20) /* systemd-boot's limit for a devicetree file */

static const char *firmware_dir(void)
{
	const char *d = getenv("PEKEXEC_SYSFS_FIRMWARE");

	return d && *d ? d : "/sys/firmware";
}

struct compat_want {
	struct tool *t;
	const char *compat;
};

/* pk_pe_section_match_fn: the section's root compatible is w->compat */
static int compat_matches(const struct pk_pe *pe, const struct pk_pe_section *s, void *user)
{
	struct compat_want *w = user;
	char c[128];
	int ok;

	ok = pk_fdt_root_compatible(w->t->ctx, pe->buf + s->data_offset, s->data_size, c,
				    sizeof(c)) >= 0 && !strcmp(c, w->compat);
	pk_ctx_clear_error(w->t->ctx);
	return ok;
}

/*
 * The .dtbauto systemd-stub picks for @profile: among the base's (before
 * the first .profile), then the profile's own (which win), the first
 * whose root compatible is @compat.  NULL if none.
 */
static const struct pk_pe_section *pick_dtbauto(struct tool *t, const struct pk_pe *pe,
						unsigned int profile, const char *compat)
{
	struct compat_want w = { t, compat };

	if (!compat || !*compat)
		return NULL;
	return pk_pe_profile_section_match(pe, profile, ".dtbauto", compat_matches, &w);
}

static void item_blob(struct tool *t, struct dt_item *it, const uint8_t *p, size_t n)
{
	it->size = n;
	pk_sha256(p, n, it->sha256);
	if (pk_fdt_root_compatible(t->ctx, p, n, it->compatible, sizeof(it->compatible)) < 0)
		it->compatible[0] = '\0';
	pk_ctx_clear_error(t->ctx);
}

/* Decide and warn for one item; @p, @n its bytes; @fdt the running blob. */
static int judge(const char *verb, struct dt_item *it, const uint8_t *p, size_t n,
		 const struct pk_file *fdt, bool enforcing)
{
	char name[300];

	if (it->addon)
		snprintf(name, sizeof(name), "%s of add-on %s", it->source, it->path);
	else
		snprintf(name, sizeof(name), "%s", it->path[0] ? it->path : it->source);

	if (it->reason) {
		/* decided by the caller: the stub would not use it */
	} else if (!fdt->data) {
		it->reason = "this system booted without a device tree (no /sys/firmware/fdt): systemd-stub 252 installs none then, and a kernel booting with ACPI reads none";
	} else {
		it->stub_would_use = true;
		if (n == fdt->len && !memcmp(p, fdt->data, n))
			it->reason = "identical to the running kernel's device tree, which kexec_file_load(2) passes on";
		else
			it->reason = "kexec_file_load(2) passes the running kernel's device tree; systemd-stub would have installed this one";
	}
	fprintf(stderr, "pekexec: %s: warning: device tree %s (%zu bytes) is not used: %s\n", verb,
		name, it->size, it->reason);
	if (enforcing && it->stub_would_use && !(n == fdt->len && !memcmp(p, fdt->data, n))) {
		tool_errorf(verb, "device tree %s: refused under enforcement: a firmware boot would have used it, and kexec_file_load(2) cannot pass it",
			    name);
		return PK_EXIT_POLICY;
	}
	return PK_EXIT_OK;
}

/*
 * One image's device tree as the stub picks it (profile @profile): the
 * matching .dtbauto, else .dtb; a .dtbauto that matches nothing is
 * reported as not picked.  Nothing to add: PK_EXIT_OK with r->n unchanged.
 */
static int image_dt(struct tool *t, const char *verb, const uint8_t *img, size_t len,
		    unsigned int profile, const char *addon, const struct pk_file *fdt,
		    bool enforcing, struct pk_pe *pe, struct dt_report *r)
{
	const struct pk_pe_section *s, *any_auto;
	struct dt_item *it = &r->items[r->n];
	int ret = PK_EXIT_OK;

	if (!img || r->n >= DT_MAX_ITEMS || pk_pe_parse(t->ctx, img, len, pe) < 0) {
		pk_ctx_clear_error(t->ctx);
		return PK_EXIT_OK;
	}
	s = pick_dtbauto(t, pe, profile, r->system_compatible);
	any_auto = pk_pe_profile_section(pe, profile, ".dtbauto");
	if (!s)
		s = pk_pe_profile_section(pe, profile, ".dtb");
	if (!s && any_auto) {
		/* .dtbauto only, none matching: the stub installs nothing */
		s = any_auto;
		it->reason = "no .dtbauto section matches the running system's compatible: systemd-stub would not pick one either";
	}
	if (s) {
		r->n++;
		snprintf(it->source, sizeof(it->source), "%s", s->name);
		if (addon) {
			it->addon = true;
			snprintf(it->path, sizeof(it->path), "%s", addon);
		}
		item_blob(t, it, img + s->data_offset, s->data_size);
		ret = judge(verb, it, img + s->data_offset, s->data_size, fdt, enforcing);
	}
	pk_ctx_clear_error(t->ctx);
	return ret;
}

int dt_check(struct tool *t, const char *verb, const uint8_t *img, size_t len,
	     unsigned int profile, const char *entry_dt_path, const char *entry_dt,
	     const struct pk_pipeline_image *addons, size_t naddons, bool enforcing,
	     struct dt_report *r)
{
	struct pk_file fdt = { 0 }, ef = { 0 };
	struct pk_pe *pe = NULL;
	char path[4096];
	int ret = PK_EXIT_OK;
	size_t i;

	memset(r, 0, sizeof(*r));
	if ((size_t)snprintf(path, sizeof(path), "%s/fdt", firmware_dir()) < sizeof(path) &&
	    pk_file_open(t->ctx, path, DT_MAX_BLOB, &fdt) == 0) {
		r->system_dt = true;
		if (pk_fdt_root_compatible(t->ctx, fdt.data, fdt.len, r->system_compatible,
					   sizeof(r->system_compatible)) < 0)
			r->system_compatible[0] = '\0';
	}
	pk_ctx_clear_error(t->ctx);

	if (entry_dt) {
		struct dt_item *it = &r->items[r->n++];

		snprintf(it->source, sizeof(it->source), "devicetree");
		snprintf(it->path, sizeof(it->path), "%s", entry_dt);
		if (pk_file_open(t->ctx, entry_dt_path, DT_MAX_BLOB, &ef) < 0) {
			tool_error(t, verb, NULL);
			ret = PK_EXIT_FAILURE;
			goto out;
		}
		item_blob(t, it, ef.data, ef.len);
		if (enforcing && r->system_dt)
			it->reason = "systemd-boot does not install an entry's devicetree under Secure Boot";
		ret = judge(verb, it, ef.data, ef.len, &fdt, enforcing);
		if (ret != PK_EXIT_OK)
			goto out;
	}

	pe = pk_pe_new();
	if (!pe) {
		ret = PK_EXIT_FAILURE;
		goto out;
	}
	ret = image_dt(t, verb, img, len, profile, NULL, &fdt, enforcing, pe, r);
	/* then the add-ons', in their order: the stub installs them after the UKI's */
	for (i = 0; i < naddons && i < DT_MAX_ADDONS && ret == PK_EXIT_OK; i++)
		ret = image_dt(t, verb, addons[i].data, addons[i].len, 0, addons[i].name, &fdt,
			       enforcing, pe, r);
out:
	pk_pe_free(pe);
	pk_file_close(&ef);
	pk_file_close(&fdt);
	return ret;
}

void dt_report_json(struct json *j, const struct dt_report *r)
{
	char hex[2 * PK_SHA256_LEN + 1];
	size_t i;

	json_array_begin(j, "devicetree");
	for (i = 0; r && i < r->n; i++) {
		const struct dt_item *it = &r->items[i];

		json_object_begin(j, NULL);
		json_string(j, "source", it->source);
		json_string(j, "path", it->path);
		json_bool(j, "addon", it->addon);
		json_uint(j, "size", it->size);
		pk_hex(it->sha256, PK_SHA256_LEN, hex);
		json_string(j, "sha256", hex);
		json_string(j, "compatible", it->compatible);
		json_bool(j, "used", false);
		json_bool(j, "stub_would_use", it->stub_would_use);
		json_string(j, "reason", it->reason ? it->reason : "");
		json_object_end(j);
	}
	json_array_end(j);
}
