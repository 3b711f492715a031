// SPDX-License-Identifier: MIT
/*
 * verb-entries.c - pekexec entries: the boot entries of an ESP as
 * systemd-boot and bootctl list them (UAPI Boot Loader Specification):
 * Type #1 loader/entries/ *.conf and Type #2 EFI/Linux/ *.efi, sorted and
 * with the default marked as systemd 252's bootctl does (src/shared/
 * bootspec.c: boot_entry_compare(), boot_entries_select_default(),
 * boot_entry_load_unified(); strverscmp_improved() of
 * string-util-fundamental.c).  docs/entries.md has the rules.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "pekexec/file.h"
#include "pekexec/pe.h"
#include "tool.h"

#define ENTRIES_MAX 1024
#define ENTRY_FILE_MAX (64u << 10)   /* a .conf, loader.conf */
#define UKI_FILE_MAX (1ull << 31)
#define ENTRY_MAX_INITRDS 32

struct entry {
	int type;          /* 1 or 2 */
	char *id;          /* file name, boot counter removed */
	char *path;        /* ESP-relative */
	char *title, *version, *sort_key, *machine_id;
	char *linux_path, *options, *devicetree;
	char *initrd[ENTRY_MAX_INITRDS];
	size_t ninitrd;
	unsigned int tries_left; /* UINT_MAX: no counter */
};

static void entry_free(struct entry *e)
{
	size_t i;

	free(e->id);
	free(e->path);
	free(e->title);
	free(e->version);
	free(e->sort_key);
	free(e->machine_id);
	free(e->linux_path);
	free(e->options);
	free(e->devicetree);
	for (i = 0; i < e->ninitrd; i++)
		free(e->initrd[i]);
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
static int version_cmp(const char *a, const char *b)
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
 * id, newest version), then by id, newest first. */
static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int r = cmp_int(!a->sort_key, !b->sort_key);

	if (r)
		return r;
	if (a->sort_key && b->sort_key) {
		r = strcmp(a->sort_key, b->sort_key);
		if (!r)
			r = cmp_null(a->machine_id, b->machine_id);
		if (!r)
			r = -version_cmp(a->version, b->version);
		if (r)
			return r;
	}
	return -version_cmp(a->id, b->id);
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
static int parse_conf(char *text, struct entry *e)
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
		else if (!strcmp(k, "linux"))
			r = set(&e->linux_path, v);
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
		} else if (!strcmp(k, "initrd") && e->ninitrd < ENTRY_MAX_INITRDS) {
			e->initrd[e->ninitrd] = strdup(v);
			r = e->initrd[e->ninitrd++] ? 0 : -ENOMEM;
		}
	}
	return r;
}

/* os-release: KEY=VALUE, VALUE optionally in "" or '' (backslash escapes). */
static char *osrel_get(const char *text, size_t len, const char *key)
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

/* Type #2: the UKI's .osrel (required) and .cmdline. */
static int parse_uki(struct tool *t, const char *host, struct entry *e)
{
	struct pk_file f = { 0 };
	struct pk_pe *pe = pk_pe_new();
	const struct pk_pe_section *os, *cl;
	char *pretty = NULL, *image_id = NULL, *name = NULL, *id = NULL, *image_version = NULL,
	     *version = NULL, *version_id = NULL, *build_id = NULL, *text = NULL;
	int r = -EBADMSG;

	if (!pe)
		return -ENOMEM;
	if (pk_file_open(t->ctx, host, UKI_FILE_MAX, &f) < 0 ||
	    pk_pe_parse(t->ctx, f.data, f.len, pe) < 0)
		goto out;
	os = pk_pe_find_section(pe, ".osrel");
	if (!os || !pk_pe_find_section(pe, ".linux"))
		goto out;
	text = strndup((const char *)f.data + os->data_offset, os->data_size);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	pretty = osrel_get(text, strlen(text), "PRETTY_NAME");
	image_id = osrel_get(text, strlen(text), "IMAGE_ID");
	name = osrel_get(text, strlen(text), "NAME");
	id = osrel_get(text, strlen(text), "ID");
	image_version = osrel_get(text, strlen(text), "IMAGE_VERSION");
	version = osrel_get(text, strlen(text), "VERSION");
	version_id = osrel_get(text, strlen(text), "VERSION_ID");
	build_id = osrel_get(text, strlen(text), "BUILD_ID");
	/* bootspec_pick_name_version_sort_key() */
	{
		const char *n = pretty ? pretty : image_id ? image_id : name ? name : id;
		const char *v = image_version ? image_version : version ? version :
				version_id ? version_id : build_id;
		const char *s = image_id ? image_id : id;

		if (!n)
			goto out; /* bootctl refuses it: "Missing fields in os-release" */
		r = set(&e->title, n);
		if (!r && v)
			r = set(&e->version, v);
		if (!r && s)
			r = set(&e->sort_key, s);
	}
	cl = pk_pe_find_section(pe, ".cmdline");
	if (!r && cl) {
		char *c = strndup((const char *)f.data + cl->data_offset, cl->data_size);

		if (!c)
			r = -ENOMEM;
		else
			r = set(&e->options, trim(c));
		free(c);
	}
	if (!r)
		r = set(&e->linux_path, e->path);
out:
	pk_ctx_clear_error(t->ctx);
	free(pretty);
	free(image_id);
	free(name);
	free(id);
	free(image_version);
	free(version);
	free(version_id);
	free(build_id);
	free(text);
	pk_pe_free(pe);
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
		struct entry *v, size_t *n)
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
		struct entry *e;
		struct stat st;

		if (de->d_name[0] == '.' || !ends_with_nocase(de->d_name, suffix))
			continue;
		if ((size_t)snprintf(fhost, sizeof(fhost), "%s/%s", host, de->d_name) >= sizeof(fhost) ||
		    (size_t)snprintf(frel, sizeof(frel), "%s/%s", rel, de->d_name) >= sizeof(frel))
			continue;
		if (lstat(fhost, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (*n == ENTRIES_MAX) {
			r = -E2BIG;
			break;
		}
		e = &v[*n];
		memset(e, 0, sizeof(*e));
		e->type = type;
		e->id = strip_counter(de->d_name, &e->tries_left);
		e->path = strdup(frel);
		if (!e->id || !e->path) {
			entry_free(e);
			r = -ENOMEM;
			break;
		}
		if (!id_is_valid(e->id)) {
			entry_free(e);
			continue;
		}
		if (type == 1) {
			struct pk_file f = { 0 };
			char *text;

			if (pk_file_open(t->ctx, fhost, ENTRY_FILE_MAX, &f) < 0) {
				pk_ctx_clear_error(t->ctx);
				entry_free(e);
				continue;
			}
			text = strndup((const char *)f.data, f.len);
			pk_file_close(&f);
			r = text ? parse_conf(text, e) : -ENOMEM;
			free(text);
		} else {
			r = parse_uki(t, fhost, e);
			if (r == -EBADMSG) { /* not a UKI bootctl lists */
				entry_free(e);
				r = 0;
				continue;
			}
		}
		if (r < 0)
			entry_free(e);
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

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec entries [--json] [--esp DIR]\n"
		"\n"
		"List the boot entries of an ESP as systemd-boot orders them: Type #1\n"
		"loader/entries/ *.conf and Type #2 EFI/Linux/ *.efi (UKIs with .osrel),\n"
		"entries with a sort-key first (by sort-key, machine-id, newest version),\n"
		"then by file name, newest first; '*' marks the default (loader.conf's\n"
		"'default' pattern, else the first).  EFI variables are not read.\n"
		"\n"
		"      --esp DIR   the ESP (default: /boot/efi, else /efi, else /boot)\n"
		"      --json      JSON (format pekexec-entries/1)\n"
		"  -h, --help      this help\n"
		"\n"
		"Exit codes: 0 ok, 1 failure, 2 usage.\n");
}

int verb_entries(struct tool *t, int argc, char **argv)
{
	enum { O_JSON = 256, O_ESP };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "esp", required_argument, NULL, O_ESP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const guesses[] = { "/boot/efi", "/efi", "/boot" };
	struct entry *v;
	const char *esp = NULL;
	char *pat = NULL;
	bool json = false;
	size_t n = 0, i;
	int c, r, def = -1;
	struct stat st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON:
			json = true;
			break;
		case O_ESP:
			esp = optarg;
			break;
		case 'h':
			usage(stdout);
			return PK_EXIT_OK;
		default:
			usage(stderr);
			return PK_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		tool_errorf("entries", "unexpected argument '%s'", argv[optind]);
		return PK_EXIT_USAGE;
	}
	for (i = 0; !esp && i < sizeof(guesses) / sizeof(guesses[0]); i++) {
		char p[64];

		snprintf(p, sizeof(p), "%s/loader", guesses[i]);
		if (stat(p, &st) == 0 || (snprintf(p, sizeof(p), "%s/EFI/Linux", guesses[i]),
					  stat(p, &st) == 0))
			esp = guesses[i];
	}
	if (!esp) {
		tool_errorf("entries", "no ESP found (/boot/efi, /efi, /boot): give --esp DIR");
		return PK_EXIT_FAILURE;
	}
	v = calloc(ENTRIES_MAX, sizeof(*v));
	if (!v) {
		tool_errorf("entries", "out of memory");
		return PK_EXIT_FAILURE;
	}
	r = scan(t, esp, "loader/entries", ".conf", 1, v, &n);
	if (r >= 0)
		r = scan(t, esp, "EFI/Linux", ".efi", 2, v, &n);
	if (r < 0) {
		tool_errorf("entries", "%s: %s", esp, r == -E2BIG ? "more than 1024 entries" :
			    strerror(-r));
		goto out;
	}
	qsort(v, n, sizeof(*v), entry_cmp);
	pat = default_pattern(t, esp);
	for (i = 0; pat && i < n && def < 0; i++)
		if (!fnmatch(pat, v[i].id, FNM_CASEFOLD))
			def = (int)i;
	if (def < 0 && n)
		def = 0;
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "format", "pekexec-entries/1");
		json_array_begin(&j, "entries");
		for (i = 0; i < n; i++) {
			const struct entry *e = &v[i];
			size_t k;

			json_object_begin(&j, NULL);
			json_string(&j, "id", e->id);
			json_string(&j, "type", e->type == 1 ? "type1" : "type2");
			json_string(&j, "path", e->path);
			json_bool(&j, "default", (int)i == def);
			json_string(&j, "title", e->title ? e->title : e->id);
			json_string(&j, "version", e->version ? e->version : "");
			json_string(&j, "sort_key", e->sort_key ? e->sort_key : "");
			json_string(&j, "machine_id", e->machine_id ? e->machine_id : "");
			json_string(&j, "linux", e->linux_path ? e->linux_path : "");
			json_array_begin(&j, "initrd");
			for (k = 0; k < e->ninitrd; k++)
				json_string(&j, NULL, e->initrd[k]);
			json_array_end(&j);
			json_string(&j, "options", e->options ? e->options : "");
			json_string(&j, "devicetree", e->devicetree ? e->devicetree : "");
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
		if (json_finish(&j) < 0)
			r = -EIO;
	} else {
		for (i = 0; i < n; i++)
			printf("%c %s  %-24s %s%s%s\n", (int)i == def ? '*' : ' ',
			       v[i].type == 1 ? "type1" : "type2", v[i].id,
			       v[i].title ? v[i].title : v[i].id,
			       v[i].version ? "  " : "", v[i].version ? v[i].version : "");
	}
out:
	for (i = 0; i < n; i++)
		entry_free(&v[i]);
	free(v);
	free(pat);
	return r < 0 ? PK_EXIT_FAILURE : PK_EXIT_OK;
}
