// SPDX-License-Identifier: MIT
/*
 * boot-entries.c - the boot entries of an ESP (boot-entries.h): Type #1
 * loader/entries/ *.conf and Type #2 EFI/Linux/ *.efi, sorted and with the
 * default marked as systemd 252's bootctl does (src/shared/bootspec.c:
 * boot_entry_compare(), boot_entries_select_default(),
 * boot_entry_load_unified(); strverscmp_improved() of
 * string-util-fundamental.c), with what newer systemd-boot added (main at
 * commit 004e3e40, src/boot/boot.c: the "uki" and "efi" keys of
 * boot_entry_add_type1(), one Type #2 entry per UKI profile in
 * boot_entry_add_type2()).  docs/entries.md has the rules.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-entries.h"
#include "esp-detect.h"
#include "pekexec/file.h"
#include "pekexec/pe.h"
#include "tool.h"

#define ENTRY_FILE_MAX (64u << 10)   /* a .conf, loader.conf */
#define UKI_FILE_MAX (1ull << 31)
/* systemd-boot's UNIFIED_PROFILES_MAX */
#define UKI_PROFILES_MAX 256

void boot_entry_free(struct boot_entry *e)
{
	size_t i;

	free(e->id);
	free(e->id_without_profile);
	free(e->path);
	free(e->title);
	free(e->version);
	free(e->sort_key);
	free(e->machine_id);
	free(e->linux_path);
	free(e->uki_path);
	free(e->efi_path);
	free(e->options);
	free(e->devicetree);
	for (i = 0; i < e->ninitrd; i++)
		free(e->initrd[i]);
	memset(e, 0, sizeof(*e));
}

/* ---- version order (strverscmp_improved(): rpmvercmp-like) ---- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static bool is_version_char(char c)
{
	return is_digit(c) || is_letter(c) || c == '~' || c == '-' || c == '^' || c == '.';
}

static int cmp_int(long a, long b) { return (a > b) - (a < b); }

static int cmp_null(const char *a, const char *b)
{
	if (a && b)
		return strcmp(a, b);
	return cmp_int(a != NULL, b != NULL);
}

/* Older < newer.  Segments are digit runs or letter runs; "~" makes a
 * segment older than anything, "-" older than "^" and ".", an end older
 * than more segments; leading zeros do not count. */
int boot_entries_version_cmp(const char *a, const char *b)
{
	if (!a || !*a || !b || !*b)
		return cmp_null(a, b);
	for (;;) {
		const char *ea, *eb;
		int r;

		while (*a && !is_version_char(*a))
			a++;
		while (*b && !is_version_char(*b))
			b++;
		if (*a == '~' || *b == '~') {
			r = cmp_int(*a != '~', *b != '~');
			if (r)
				return r;
			a++, b++;
		}
		if (!*a || !*b)
			return strcmp(a, b);
		if (*a == '-' || *b == '-') {
			r = cmp_int(*a != '-', *b != '-');
			if (r)
				return r;
			a++, b++;
		}
		if (*a == '^' || *b == '^') {
			r = cmp_int(*a != '^', *b != '^');
			if (r)
				return r;
			a++, b++;
		}
		if (*a == '.' || *b == '.') {
			r = cmp_int(*a != '.', *b != '.');
			if (r)
				return r;
			a++, b++;
		}
		if (is_digit(*a) || is_digit(*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			for (ea = a; is_digit(*ea); ea++)
				;
			for (eb = b; is_digit(*eb); eb++)
				;
			r = cmp_int(ea - a, eb - b);
			if (!r)
				r = strncmp(a, b, (size_t)(ea - a));
		} else {
			size_t la, lb;

			for (ea = a; is_letter(*ea); ea++)
				;
			for (eb = b; is_letter(*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			r = strncmp(a, b, la < lb ? la : lb);
			if (!r)
				r = cmp_int((long)la, (long)lb);
		}
		if (r)
			return r;
		a = ea;
		b = eb;
	}
}

/* bootctl's order: entries with a sort key first (by sort key, machine
 * id, newest version), then by id (without profile), newest first, then
 * by profile. */
static int entry_cmp(const void *pa, const void *pb)
{
	const struct boot_entry *a = pa, *b = pb;
	int r = cmp_int(!a->sort_key, !b->sort_key);

	if (r)
		return r;
	if (a->sort_key && b->sort_key) {
		r = strcmp(a->sort_key, b->sort_key);
		if (!r)
			r = cmp_null(a->machine_id, b->machine_id);
		if (!r)
			r = -boot_entries_version_cmp(a->version, b->version);
		if (r)
			return r;
	}
	r = -boot_entries_version_cmp(a->id_without_profile ? a->id_without_profile : a->id,
			 b->id_without_profile ? b->id_without_profile : b->id);
	if (r)
		return r;
	/* profiles of one UKI by number (systemd-boot; 252 has no profiles) */
	return cmp_int(a->profile, b->profile);
}

/* ---- parsing ---- */

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

static int set(char **dst, const char *v)
{
	char *c = strdup(v);

	if (!c)
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

/* "foo+3-1.conf" -> "foo.conf", tries left 3 (boot counting). */
static char *strip_counter(const char *name, unsigned int *tries_left)
{
	const char *dot = strrchr(name, '.'), *plus, *p;
	char *out;

	*tries_left = UINT_MAX;
	if (!dot)
		return strdup(name);
	for (plus = dot; plus > name && *plus != '+'; plus--)
		;
	if (*plus != '+')
		return strdup(name);
	p = plus + 1;
	if (!is_digit(*p))
		return strdup(name);
	*tries_left = (unsigned int)strtoul(p, NULL, 10);
	while (is_digit(*p))
		p++;
	if (*p == '-') {
		p++;
		if (!is_digit(*p)) {
			*tries_left = UINT_MAX;
			return strdup(name);
		}
		while (is_digit(*p))
			p++;
	}
	if (p != dot) {
		*tries_left = UINT_MAX;
		return strdup(name);
	}
	if (asprintf(&out, "%.*s%s", (int)(plus - name), name, dot) < 0)
		return NULL;
	return out;
}

/* Type #1: "key value" lines; unknown keys and comments ignored. */
static int parse_conf_text(char *text, struct boot_entry *e)
{
	char *line, *save = NULL;
	int r = 0;

	for (line = strtok_r(text, "\n", &save); line && !r; line = strtok_r(NULL, "\n", &save)) {
		char *k = trim(line), *v;

		if (!*k || *k == '#')
			continue;
		v = k + strcspn(k, " \t");
		if (*v)
			*v++ = '\0';
		v = trim(v);
		if (!*v)
			continue;
		if (!strcmp(k, "title"))
			r = set(&e->title, v);
		else if (!strcmp(k, "version"))
			r = set(&e->version, v);
		else if (!strcmp(k, "sort-key"))
			r = set(&e->sort_key, v);
		else if (!strcmp(k, "machine-id"))
			r = set(&e->machine_id, v);
		else if (!strcmp(k, "linux") || !strcmp(k, "uki") || !strcmp(k, "efi")) {
			/* systemd-boot: one kind of loader per entry (LOADER_BAD) */
			char **dst = k[0] == 'l' ? &e->linux_path : k[0] == 'u' ? &e->uki_path :
				     &e->efi_path;

			if ((e->linux_path && dst != &e->linux_path) ||
			    (e->uki_path && dst != &e->uki_path) ||
			    (e->efi_path && dst != &e->efi_path))
				e->conflicting = true;
			r = set(dst, v);
		}
		else if (!strcmp(k, "devicetree"))
			r = set(&e->devicetree, v);
		else if (!strcmp(k, "options")) {
			char *o;

			if (!e->options)
				r = set(&e->options, v);
			else if (asprintf(&o, "%s %s", e->options, v) < 0)
				r = -ENOMEM;
			else {
				free(e->options);
				e->options = o;
			}
		} else if (!strcmp(k, "initrd") && e->ninitrd == BOOT_ENTRY_MAX_INITRDS) {
			e->too_many_initrds = true;
		} else if (!strcmp(k, "initrd")) {
			e->initrd[e->ninitrd] = strdup(v);
			r = e->initrd[e->ninitrd++] ? 0 : -ENOMEM;
		}
	}
	return r;
}

int boot_entry_parse_conf(const uint8_t *buf, size_t len, struct boot_entry *e)
{
	/* text up to the first NUL, as the file is read */
	char *text = strndup((const char *)buf, len);
	int r;

	if (!text)
		return -ENOMEM;
	r = parse_conf_text(text, e);
	free(text);
	return r;
}

/* os-release: KEY=VALUE, VALUE optionally in "" or '' (backslash escapes). */
char *boot_entries_osrel_get(const char *text, size_t len, const char *key)
{
	size_t kl = strlen(key), i = 0;

	while (i < len) {
		size_t end = i;
		char *out, *o;
		const char *p;
		char q = 0;

		while (end < len && text[end] != '\n')
			end++;
		p = text + i;
		if ((size_t)(end - i) > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			p += kl + 1;
			out = o = malloc(end - i + 1);
			if (!out)
				return NULL;
			if (*p == '"' || *p == '\'')
				q = *p++;
			for (; p < text + end && *p != q; p++) {
				if (*p == '\\' && q && p + 1 < text + end)
					p++;
				*o++ = *p;
			}
			*o = '\0';
			if (!q)
				trim(out);
			return out;
		}
		i = end + 1;
	}
	return NULL;
}

/* pk_pe_parse() checked that the section's bytes lie inside the file. */
static char *section_text(const uint8_t *buf, const struct pk_pe_section *sec)
{
	return strndup((const char *)buf + sec->data_offset, sec->data_size);
}

/*
 * Type #2, one profile: the profile's .osrel (required; else the base's)
 * and .cmdline, and its .profile's ID= and TITLE= (systemd-boot's
 * boot_entry_add_type2()).  @e has id and path of the file.  Returns 0,
 * -EBADMSG when this profile makes no entry, -ENOMEM.
 */
static int parse_uki_profile(const uint8_t *f, const struct pk_pe *pe,
			     unsigned int profile, struct boot_entry *e)
{
	const struct pk_pe_section *os = pk_pe_profile_section(pe, profile, ".osrel");
	const struct pk_pe_section *cl = pk_pe_profile_section(pe, profile, ".cmdline");
	const struct pk_pe_section *pr = pk_pe_profile_section(pe, profile, ".profile");
	char *pretty = NULL, *image_id = NULL, *name = NULL, *id = NULL, *image_version = NULL,
	     *version = NULL, *version_id = NULL, *build_id = NULL, *text = NULL,
	     *prof_id = NULL, *prof_title = NULL, *title = NULL, *full_id = NULL;
	int r = -EBADMSG;

	if (!os)
		return -EBADMSG;
	text = section_text(f, os);
	if (!text)
		return -ENOMEM;
	pretty = boot_entries_osrel_get(text, strlen(text), "PRETTY_NAME");
	image_id = boot_entries_osrel_get(text, strlen(text), "IMAGE_ID");
	name = boot_entries_osrel_get(text, strlen(text), "NAME");
	id = boot_entries_osrel_get(text, strlen(text), "ID");
	image_version = boot_entries_osrel_get(text, strlen(text), "IMAGE_VERSION");
	version = boot_entries_osrel_get(text, strlen(text), "VERSION");
	version_id = boot_entries_osrel_get(text, strlen(text), "VERSION_ID");
	build_id = boot_entries_osrel_get(text, strlen(text), "BUILD_ID");
	free(text);
	text = pr ? section_text(f, pr) : NULL;
	if (pr && !text) {
		r = -ENOMEM;
		goto out;
	}
	if (text) {
		prof_id = boot_entries_osrel_get(text, strlen(text), "ID");
		prof_title = boot_entries_osrel_get(text, strlen(text), "TITLE");
	}
	/* bootspec_pick_name_version_sort_key() */
	{
		const char *n = pretty ? pretty : image_id ? image_id : name ? name : id;
		const char *v = image_version ? image_version : version ? version :
				version_id ? version_id : build_id;
		const char *s = image_id ? image_id : id;

		if (!n)
			goto out; /* bootctl refuses it: "Missing fields in os-release" */
		r = 0;
		if (prof_title)
			r = asprintf(&title, "%s (%s)", n, prof_title) < 0 ? -ENOMEM : 0;
		else if (profile > 0 && prof_id)
			r = asprintf(&title, "%s (%s)", n, prof_id) < 0 ? -ENOMEM : 0;
		else if (profile > 0)
			r = asprintf(&title, "%s (Profile #%u)", n, profile + 1) < 0 ? -ENOMEM : 0;
		else
			r = set(&title, n);
		if (r)
			title = NULL;
		if (!r && v)
			r = set(&e->version, v);
		if (!r && s)
			r = set(&e->sort_key, s);
	}
	if (!r && profile > 0) {
		/* "NAME.efi@ID", else "NAME.efi@N" */
		if ((prof_id ? asprintf(&full_id, "%s@%s", e->id, prof_id) :
			       asprintf(&full_id, "%s@%u", e->id, profile)) < 0) {
			full_id = NULL;
			r = -ENOMEM;
		} else {
			e->id_without_profile = e->id;
			e->id = full_id;
		}
	}
	if (!r) {
		free(e->title);
		e->title = title;
		title = NULL;
		e->profile = profile;
	}
	if (!r && cl) {
		char *c = section_text(f, cl);

		if (!c)
			r = -ENOMEM;
		else
			r = set(&e->options, trim(c));
		free(c);
	}
	if (!r)
		r = set(&e->linux_path, e->path);
out:
	free(pretty);
	free(image_id);
	free(name);
	free(id);
	free(image_version);
	free(version);
	free(version_id);
	free(build_id);
	free(text);
	free(prof_id);
	free(prof_title);
	free(title);
	return r;
}

/*
 * Type #2: one entry per profile into v[*n...], as systemd-boot makes them
 * (profile 0, the base, for a UKI without .profile); a UKI that is not a
 * PE with .linux makes none.  Like systemd-boot, a profile without
 * .cmdline ends the list (boot_entry_add_type2() returns there).
 */
int boot_entries_parse_uki(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
			   const struct boot_entry *tmpl, struct boot_entry *v, size_t *n,
			   size_t max)
{
	struct pk_pe *pe = pk_pe_new();
	unsigned int profile, nprofiles;
	int r = 0;

	if (!pe)
		return -ENOMEM;
	if (pk_pe_parse(ctx, buf, len, pe) < 0 || !pk_pe_find_section(pe, ".linux"))
		goto out;
	nprofiles = pk_pe_profile_count(pe);
	for (profile = 0; profile < UKI_PROFILES_MAX && r >= 0; profile++) {
		struct boot_entry *e;

		if (profile > 0 && profile >= nprofiles)
			break;
		if (*n >= max) {
			r = -E2BIG;
			break;
		}
		e = &v[*n];
		memset(e, 0, sizeof(*e));
		e->type = 2;
		e->tries_left = tmpl->tries_left;
		e->id = strdup(tmpl->id);
		e->path = strdup(tmpl->path);
		r = e->id && e->path ? parse_uki_profile(buf, pe, profile, e) : -ENOMEM;
		if (r == -EBADMSG) {
			boot_entry_free(e);
			r = 0;
			continue;
		}
		if (r < 0) {
			boot_entry_free(e);
			break;
		}
		(*n)++;
		if (!pk_pe_profile_section(pe, profile, ".cmdline"))
			break;
	}
out:
	pk_ctx_clear_error(ctx);
	pk_pe_free(pe);
	return r;
}

static int parse_uki(struct tool *t, const char *host, const struct boot_entry *tmpl,
		     struct boot_entry *v, size_t *n)
{
	struct pk_file f = { 0 };
	int r = 0;

	if (pk_file_open(t->ctx, host, UKI_FILE_MAX, &f) == 0)
		r = boot_entries_parse_uki(t->ctx, f.data, f.len, tmpl, v, n, BOOT_ENTRIES_MAX);
	pk_ctx_clear_error(t->ctx);
	pk_file_close(&f);
	return r;
}

/* bootctl lists only ids made of letters, digits and "+-_." (efi_loader_
 * entry_name_valid()): they go into EFI variables. */
static bool id_is_valid(const char *id)
{
	size_t n = strlen(id);

	return n && n <= 255 && strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789+-_.") == n;
}

static bool ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

/* Reads ESP/@rel's *@suffix regular files (no symlinks) into @v. */
static int scan(struct tool *t, const char *esp, const char *rel, const char *suffix, int type,
		struct boot_entry *v, size_t *n)
{
	char host[4096];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if ((size_t)snprintf(host, sizeof(host), "%s/%s", esp, rel) >= sizeof(host))
		return -ENAMETOOLONG;
	d = opendir(host);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && r >= 0) {
		char fhost[4096], frel[4096];
		struct boot_entry *e;
		struct stat st;

		if (de->d_name[0] == '.' || !ends_with_nocase(de->d_name, suffix))
			continue;
		if ((size_t)snprintf(fhost, sizeof(fhost), "%s/%s", host, de->d_name) >= sizeof(fhost) ||
		    (size_t)snprintf(frel, sizeof(frel), "%s/%s", rel, de->d_name) >= sizeof(frel))
			continue;
		if (lstat(fhost, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (*n == BOOT_ENTRIES_MAX) {
			r = -E2BIG;
			break;
		}
		e = &v[*n];
		memset(e, 0, sizeof(*e));
		e->type = type;
		e->id = strip_counter(de->d_name, &e->tries_left);
		e->path = strdup(frel);
		if (!e->id || !e->path) {
			boot_entry_free(e);
			r = -ENOMEM;
			break;
		}
		if (!id_is_valid(e->id)) {
			boot_entry_free(e);
			continue;
		}
		if (type == 1) {
			struct pk_file f = { 0 };

			if (pk_file_open(t->ctx, fhost, ENTRY_FILE_MAX, &f) < 0) {
				pk_ctx_clear_error(t->ctx);
				boot_entry_free(e);
				continue;
			}
			r = boot_entry_parse_conf(f.data, f.len, e);
			pk_file_close(&f);
		} else {
			struct boot_entry tmpl = *e; /* v[*n] is reused for profile 0 */

			memset(e, 0, sizeof(*e));
			r = parse_uki(t, fhost, &tmpl, v, n);
			boot_entry_free(&tmpl);
			continue;
		}
		if (r < 0)
			boot_entry_free(e);
		else
			(*n)++;
	}
	closedir(d);
	return r;
}

/* loader/loader.conf's "default" pattern, or NULL. */
static char *default_pattern(struct tool *t, const char *esp)
{
	char host[4096], *text, *line, *save = NULL, *pat = NULL;
	struct pk_file f = { 0 };

	if ((size_t)snprintf(host, sizeof(host), "%s/loader/loader.conf", esp) >= sizeof(host) ||
	    pk_file_open(t->ctx, host, ENTRY_FILE_MAX, &f) < 0) {
		pk_ctx_clear_error(t->ctx);
		return NULL;
	}
	text = strndup((const char *)f.data, f.len);
	pk_file_close(&f);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *k = trim(line);

		if (!strncmp(k, "default", 7) && (k[7] == ' ' || k[7] == '\t')) {
			free(pat);
			pat = strdup(trim(k + 7));
		}
	}
	free(text);
	return pat;
}

void boot_entries_free(struct boot_entries *e)
{
	size_t i;

	for (i = 0; e->v && i < e->n; i++)
		boot_entry_free(&e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
	e->def = -1;
}

/*
 * The systemd-boot variable @name (vendor GUID 4a67b082-...) as ASCII, from
 * efivarfs (PEKEXEC_SYSFS_FIRMWARE/efi/efivars, default /sys/firmware):
 * 4 bytes of attributes, then UTF-16LE up to a NUL.  NULL when missing,
 * empty, or not ASCII (an entry id is ASCII).
 */
static char *efivar_string(struct tool *t, const char *name)
{
	const char *fw = getenv("PEKEXEC_SYSFS_FIRMWARE");
	struct pk_file f = { 0 };
	char path[4096], *out = NULL;
	size_t i, n;

	if ((size_t)snprintf(path, sizeof(path), "%s/efi/efivars/%s-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f",
			     fw && *fw ? fw : "/sys/firmware", name) >= sizeof(path) ||
	    pk_file_open(t->ctx, path, 4096, &f) < 0 || f.len < 6)
		goto out;
	n = (f.len - 4) / 2;
	out = calloc(n + 1, 1);
	for (i = 0; out && i < n; i++) {
		uint8_t lo = f.data[4 + 2 * i], hi = f.data[5 + 2 * i];

		if (!lo && !hi)
			break;
		if (hi || lo < 0x20 || lo > 0x7e) {
			free(out);
			out = NULL;
			break;
		}
		out[i] = (char)lo;
	}
	if (out && !*out) {
		free(out);
		out = NULL;
	}
out:
	pk_ctx_clear_error(t->ctx);
	pk_file_close(&f);
	return out;
}

/* The first entry matching the glob @pat (case folded), or -1. */
static int find_pattern(const struct boot_entries *e, const char *pat)
{
	size_t i;

	for (i = 0; pat && i < e->n; i++)
		if (!fnmatch(pat, e->v[i].id, FNM_CASEFOLD))
			return (int)i;
	return -1;
}

/*
 * The default as systemd-boot picks it (systemd v258 src/boot/boot.c,
 * config_load_defaults() and config_select_default_entry(); bootctl 252's
 * boot_entries_select_default() is the same without "@saved"):
 * LoaderEntryOneShot; then LoaderEntryDefault, or LoaderEntryLastBooted
 * when that variable is "@saved"; then loader.conf's "default", or
 * LoaderEntryLastBooted when it is "@saved" (unless the variable already
 * asked for it); each a glob matched case folded.  Else the caller takes
 * the first entry.
 */
static void select_default(struct tool *t, const char *esp, bool variables,
			   struct boot_entries *e)
{
	char *oneshot = NULL, *var = NULL, *conf, *saved = NULL;
	bool saved_var, saved_conf;
	int i;

	if (variables) {
		oneshot = efivar_string(t, "LoaderEntryOneShot");
		var = efivar_string(t, "LoaderEntryDefault");
	}
	conf = default_pattern(t, esp);
	saved_var = var && !strcasecmp(var, "@saved");
	saved_conf = conf && !strcasecmp(conf, "@saved");
	if (variables && (saved_var || saved_conf))
		saved = efivar_string(t, "LoaderEntryLastBooted");

	if ((i = find_pattern(e, oneshot)) >= 0) {
		e->def_by = "LoaderEntryOneShot";
	} else if ((i = find_pattern(e, saved_var ? saved : var)) >= 0) {
		e->def_by = saved_var ? "LoaderEntryLastBooted" : "LoaderEntryDefault";
	} else if (saved_conf) {
		if (!saved_var && (i = find_pattern(e, saved)) >= 0)
			e->def_by = "LoaderEntryLastBooted";
	} else if ((i = find_pattern(e, conf)) >= 0) {
		e->def_by = "loader.conf";
	}
	if (i >= 0)
		e->def = i;
	free(oneshot);
	free(var);
	free(conf);
	free(saved);
}

/* Are @a and @b the same directory (bootctl: the ESP doubles as XBOOTLDR)? */
static bool same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int boot_entries_load(struct tool *t, const char *esp, const char *xbootldr, bool variables,
		      struct boot_entries *ret)
{
	struct boot_entries e = { .def = -1 };
	size_t i, n0;
	int r;

	e.v = calloc(BOOT_ENTRIES_MAX, sizeof(*e.v));
	if (!e.v)
		return -ENOMEM;
	r = scan(t, esp, "loader/entries", ".conf", 1, e.v, &e.n);
	if (r >= 0)
		r = scan(t, esp, "EFI/Linux", ".efi", 2, e.v, &e.n);
	/* bootctl's boot_config_load(): the ESP's, then XBOOTLDR's, one list */
	n0 = e.n;
	if (r >= 0 && xbootldr && !same_dir(esp, xbootldr)) {
		r = scan(t, xbootldr, "loader/entries", ".conf", 1, e.v, &e.n);
		if (r >= 0)
			r = scan(t, xbootldr, "EFI/Linux", ".efi", 2, e.v, &e.n);
	}
	for (i = n0; i < e.n; i++)
		e.v[i].xbootldr = true;
	if (r < 0) {
		boot_entries_free(&e);
		return r;
	}
	qsort(e.v, e.n, sizeof(*e.v), entry_cmp);
	select_default(t, esp, variables, &e);
	if (e.def < 0 && e.n) {
		e.def = 0;
		e.def_by = "first";
	}
	*ret = e;
	return 0;
}

int boot_entries_find(const struct boot_entries *e, const char *id)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (!strcasecmp(e->v[i].id, id))
			return (int)i;
	return -1;
}

const char *boot_entries_guess_xbootldr(const char *esp)
{
	struct stat st, sb;

	if (!esp || (strcmp(esp, "/boot/efi") && strcmp(esp, "/efi")))
		return NULL;
	if (stat("/boot", &sb) < 0 || !esp_is_mount_root("/boot") || same_dir(esp, "/boot") ||
	    (stat(esp, &st) == 0 && st.st_dev == sb.st_dev))
		return NULL;
	if ((stat("/boot/loader/entries", &st) == 0 && S_ISDIR(st.st_mode)) ||
	    (stat("/boot/EFI/Linux", &st) == 0 && S_ISDIR(st.st_mode)))
		return "/boot";
	return NULL;
}

const char *boot_entries_guess_esp(void)
{
	static const char *const guesses[] = { "/boot/efi", "/efi", "/boot" };
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++) {
		char p[64];

		snprintf(p, sizeof(p), "%s/loader", guesses[i]);
		if (stat(p, &st) == 0)
			return guesses[i];
		snprintf(p, sizeof(p), "%s/EFI/Linux", guesses[i]);
		if (stat(p, &st) == 0)
			return guesses[i];
	}
	return NULL;
}
