// SPDX-License-Identifier: MIT
/*
 * entry-plan.c - a boot entry of the ESP turned into what systemd-boot
 * would start (systemd main at commit 004e3e40, src/boot/boot.c:
 * call_image_start(), initrd_prepare(); convert_efi_path() of util.c):
 *
 *  - Type #2 (EFI/Linux/ *.efi, one entry per profile): the UKI, no load
 *    options but "@N" for a profile N > 0; the ESP's sidecars apply (the
 *    caller searches them as for --esp).
 *  - Type #1 "uki PATH" (systemd v258+): the UKI with the entry's
 *    "options" as load options; no initrd (systemd-boot passes initrds only
 *    to "linux" entries); sidecars apply.
 *  - Type #1 "linux PATH": the kernel (a plain one, or a UKI/zboot that goes
 *    through the pipeline); the "initrd" files joined in order, each but
 *    the last padded with zeros to 4 bytes, empty ones skipped; load
 *    options "initrd=\PATH ..." (one per initrd, '/' as '\') then
 *    "options" (several lines joined with one space by boot-entries.c).
 *  - Type #1 "efi": an EFI program, not a kernel: refused.
 *
 * Paths are ESP-relative ('/' or '\' separators); a ".." component is
 * refused, and so is a path whose real location (symlinks resolved) is not
 * inside the ESP.  Files must be regular files.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boot-entries.h"
#include "entry-plan.h"
#include "pekexec/file.h"
#include "pekexec/pipeline.h"
#include "tool.h"

/*
 * @value as an ESP-relative path: separators '/' or '\', empty and "."
 * components dropped.  NULL with *@ret_dotdot set for a ".." component,
 * NULL otherwise when out of memory or empty.
 */
static char *esp_rel_path(const char *value, bool *ret_dotdot)
{
	size_t n = strlen(value), o = 0, i = 0;
	char *out = malloc(n + 1);

	*ret_dotdot = false;
	if (!out)
		return NULL;
	while (i < n) {
		size_t s, l;

		while (i < n && (value[i] == '/' || value[i] == '\\'))
			i++;
		s = i;
		while (i < n && value[i] != '/' && value[i] != '\\')
			i++;
		l = i - s;
		if (!l || (l == 1 && value[s] == '.'))
			continue;
		if (l == 2 && value[s] == '.' && value[s + 1] == '.') {
			*ret_dotdot = true;
			free(out);
			return NULL;
		}
		if (o)
			out[o++] = '/';
		memcpy(out + o, value + s, l);
		o += l;
	}
	out[o] = '\0';
	if (!o) {
		free(out);
		return NULL;
	}
	return out;
}

/* systemd-boot's convert_efi_path(): '/' -> '\', no doubled '\'. */
static char *efi_path(const char *value)
{
	char *out = malloc(strlen(value) + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (; *value; value++) {
		char c = *value == '/' ? '\\' : *value;

		if (c == '\\' && o && out[o - 1] == '\\')
			continue;
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

/*
 * The path (@esp/REL) of @key's @value in the entry, checked: no "..", inside
 * the ESP @esp_real once symlinks are resolved, a regular file.  Prints
 * why not and returns NULL.  *@ret_rel: the ESP-relative path (may be NULL).
 */
static char *entry_file(const char *verb, const char *id, const char *esp, const char *esp_real,
			const char *key, const char *value, char **ret_rel)
{
	char *rel, *host = NULL, *real;
	size_t n = strlen(esp_real);
	struct stat st;
	bool dotdot;

	rel = esp_rel_path(value, &dotdot);
	if (!rel) {
		if (dotdot)
			tool_errorf(verb, "entry %s: %s %s: '..' in a path: refused (paths are inside the ESP)",
				    id, key, value);
		else
			tool_errorf(verb, "entry %s: %s '%s': not a file path", id, key, value);
		return NULL;
	}
	if (asprintf(&host, "%s/%s", esp, rel) < 0) {
		tool_errorf(verb, "out of memory");
		free(rel);
		return NULL;
	}
	real = realpath(host, NULL);
	if (!real) {
		tool_errorf(verb, "entry %s: %s %s: %s", id, key, value, strerror(errno));
		goto fail;
	}
	if (strncmp(real, esp_real, n) || real[n] != '/') {
		tool_errorf(verb, "entry %s: %s %s: a symlink out of the ESP (to %s): refused",
			    id, key, value, real);
		free(real);
		goto fail;
	}
	if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		tool_errorf(verb, "entry %s: %s %s: not a regular file", id, key, value);
		free(real);
		goto fail;
	}
	free(real);
	if (ret_rel)
		*ret_rel = rel;
	else
		free(rel);
	return host; /* ESP/REL as given: messages and the manifest name no host paths */
fail:
	free(host);
	free(rel);
	return NULL;
}

/* Type #1 "linux": the initrd files joined as initrd_prepare() joins them. */
static int join_initrds(struct tool *t, const char *verb, const struct boot_entry *e,
			const char *esp, const char *esp_real, struct entry_plan *p)
{
	size_t i, len = 0;
	uint8_t *buf = NULL;
	int r = PK_EXIT_OK;

	for (i = 0; i < e->ninitrd && r == PK_EXIT_OK; i++) {
		struct pk_file f = { 0 };
		char *host = entry_file(verb, e->id, esp, esp_real, "initrd", e->initrd[i], NULL);
		size_t pad, add;
		uint8_t *nb;

		if (!host) {
			r = PK_EXIT_FAILURE;
			break;
		}
		if (pk_file_open(t->ctx, host, PK_PIPELINE_MAX_INITRD, &f) < 0) {
			tool_error(t, verb, NULL);
			free(host);
			r = PK_EXIT_FAILURE;
			break;
		}
		free(host);
		/* each but the last padded to 4 bytes; both terms are below
		 * PK_PIPELINE_MAX_INITRD (2 GiB), checked before the sum grows */
		pad = i + 1 < e->ninitrd ? (4 - f.len % 4) % 4 : 0;
		add = f.len ? f.len + pad : 0;
		if (add > PK_PIPELINE_MAX_INITRD - len) {
			tool_errorf(verb, "entry %s: its initrds exceed %u bytes", e->id,
				    PK_PIPELINE_MAX_INITRD);
			r = PK_EXIT_FAILURE;
		} else if (add) {
			nb = realloc(buf, len + add);
			if (!nb) {
				tool_errorf(verb, "out of memory");
				r = PK_EXIT_FAILURE;
			} else {
				buf = nb;
				memcpy(buf + len, f.data, f.len);
				memset(buf + len + f.len, 0, pad);
				len += add;
			}
		}
		pk_file_close(&f);
	}
	if (r != PK_EXIT_OK) {
		free(buf);
		return r;
	}
	p->initrd = buf;
	p->initrd_len = len;
	p->has_initrd = e->ninitrd > 0;
	p->ninitrd = e->ninitrd;
	return PK_EXIT_OK;
}

/* "initrd=\A initrd=\B OPTIONS" (initrd_prepare()), or the options alone. */
static int linux_cmdline(const struct boot_entry *e, char **ret)
{
	char *s = NULL, *n;
	size_t i;

	*ret = NULL;
	for (i = 0; i < e->ninitrd; i++) {
		char *ep = efi_path(e->initrd[i]);

		if (!ep || asprintf(&n, "%s%sinitrd=%s", s ? s : "", s ? " " : "", ep) < 0) {
			free(ep);
			free(s);
			return -ENOMEM;
		}
		free(ep);
		free(s);
		s = n;
	}
	if (e->options) {
		if (asprintf(&n, "%s%s%s", s ? s : "", s ? " " : "", e->options) < 0) {
			free(s);
			return -ENOMEM;
		}
		free(s);
		s = n;
	}
	*ret = s;
	return 0;
}

static int plan_entry(struct tool *t, const char *verb, const char *esp, const char *esp_real,
		      const struct boot_entry *e, struct entry_plan *p)
{
	const char *loader;
	int r;

	p->id = strdup(e->id);
	p->rel = strdup(e->path);
	p->type = e->type;
	p->profile = e->profile;
	if (!p->id || !p->rel)
		goto oom;
	if (e->type == 2) {
		p->image = entry_file(verb, e->id, esp, esp_real, "UKI", e->path, &p->image_rel);
		if (!p->image)
			return PK_EXIT_FAILURE;
		if (e->profile > 0 && asprintf(&p->cmdline, "@%u", e->profile) < 0) {
			p->cmdline = NULL;
			goto oom;
		}
		return PK_EXIT_OK;
	}
	if (e->conflicting) {
		tool_errorf(verb, "entry %s (%s): more than one of linux, uki, efi: systemd-boot ignores it",
			    e->id, e->path);
		return PK_EXIT_FAILURE;
	}
	if (e->efi_path) {
		tool_errorf(verb, "entry %s (%s): 'efi %s' starts an EFI program, not a kernel: it cannot be kexec'ed",
			    e->id, e->path, e->efi_path);
		return PK_EXIT_FAILURE;
	}
	if (!e->linux_path && !e->uki_path) {
		tool_errorf(verb, "entry %s (%s): no 'linux' (or 'uki') line: nothing to load",
			    e->id, e->path);
		return PK_EXIT_FAILURE;
	}
	if (e->too_many_initrds) {
		tool_errorf(verb, "entry %s (%s): more than %d 'initrd' lines: refused",
			    e->id, e->path, BOOT_ENTRY_MAX_INITRDS);
		return PK_EXIT_FAILURE;
	}
	p->loader_key = e->linux_path ? "linux" : "uki";
	loader = e->linux_path ? e->linux_path : e->uki_path;
	p->image = entry_file(verb, e->id, esp, esp_real, p->loader_key, loader, &p->image_rel);
	if (!p->image)
		return PK_EXIT_FAILURE;
	if (e->devicetree) {
		/* systemd-boot fails the boot when it cannot load it */
		p->devicetree_path = entry_file(verb, e->id, esp, esp_real, "devicetree",
						e->devicetree, &p->devicetree);
		if (!p->devicetree_path)
			return PK_EXIT_FAILURE;
	}
	if (e->uki_path) {
		/* systemd-boot gives a "uki" entry its options, no initrd */
		if (e->options && !(p->cmdline = strdup(e->options)))
			goto oom;
		return PK_EXIT_OK;
	}
	r = join_initrds(t, verb, e, esp, esp_real, p);
	if (r != PK_EXIT_OK)
		return r;
	if (linux_cmdline(e, &p->cmdline) < 0)
		goto oom;
	return PK_EXIT_OK;
oom:
	tool_errorf(verb, "out of memory");
	return PK_EXIT_FAILURE;
}

/* @dir exists (realpath resolves it); else a message naming @opt. */
static bool realpath_ok(const char *verb, const char *opt, const char *dir)
{
	char *real = realpath(dir, NULL);

	if (!real) {
		tool_errorf(verb, "%s %s: %s", opt, dir, strerror(errno));
		return false;
	}
	free(real);
	return true;
}

int entry_plan_make(struct tool *t, const char *verb, const char *esp, const char *xbootldr,
		    const char *id, struct entry_plan *p)
{
	struct boot_entries be = { .def = -1 };
	char *esp_real = NULL;
	const char *root;
	int r, i;

	memset(p, 0, sizeof(*p));
	if (!realpath_ok(verb, "--esp", esp) ||
	    (xbootldr && !realpath_ok(verb, "--boot-path", xbootldr)))
		return PK_EXIT_FAILURE;
	r = boot_entries_load(t, esp, xbootldr, true, &be);
	if (r < 0) {
		tool_errorf(verb, "%s: %s", esp, r == -E2BIG ? "more than 1024 entries" :
			    strerror(-r));
		return PK_EXIT_FAILURE;
	}
	i = id ? boot_entries_find(&be, id) : be.def;
	if (i < 0) {
		if (id)
			tool_errorf(verb, "no entry '%s' on %s ('pekexec entries --esp %s' lists them)",
				    id, esp, esp);
		else
			tool_errorf(verb, "--default: %s has no boot entries", esp);
		r = PK_EXIT_USAGE;
	} else {
		if (!id && t->verbose)
			fprintf(stderr, "pekexec: %s: --default: entry %s (by %s)\n", verb,
				be.v[i].id, be.def_by);
		/* systemd-boot reads an entry's files from the partition it is on */
		root = be.v[i].xbootldr ? xbootldr : esp;
		esp_real = realpath(root, NULL);
		p->root = strdup(root);
		p->xbootldr = be.v[i].xbootldr;
		if (!esp_real) {
			tool_errorf(verb, "%s %s: %s", p->xbootldr ? "--boot-path" : "--esp", root,
				    strerror(errno));
			r = PK_EXIT_FAILURE;
		} else if (!p->root) {
			tool_errorf(verb, "out of memory");
			r = PK_EXIT_FAILURE;
		} else {
			r = plan_entry(t, verb, root, esp_real, &be.v[i], p);
		}
	}
	if (r != PK_EXIT_OK)
		entry_plan_free(p);
	boot_entries_free(&be);
	free(esp_real);
	return r;
}

void entry_plan_free(struct entry_plan *p)
{
	free(p->id);
	free(p->rel);
	free(p->image);
	free(p->image_rel);
	free(p->initrd);
	free(p->cmdline);
	free(p->devicetree);
	free(p->devicetree_path);
	free(p->root);
	memset(p, 0, sizeof(*p));
}
