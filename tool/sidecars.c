// SPDX-License-Identifier: MIT
/*
 * sidecars.c - what systemd-stub picks up from the ESP for a UKI, found
 * the way it finds it (systemd main after v258, src/boot/stub.c
 * load_all_addons(), generate_sidecar_initrds(); src/boot/cpio.c
 * pack_cpio()):
 *
 *   loader/addons/ *.addon.efi             add-ons, global, first
 *   <uki>.extra.d/ *.addon.efi             add-ons of this UKI
 *   <uki>.extra.d/ *.cred                  -> /.extra/credentials/
 *   loader/credentials/ *.cred             -> /.extra/global_credentials/
 *   <uki>.extra.d/ *.raw but *.confext.raw -> /.extra/sysext/
 *   loader/extensions/ *.raw (same)        -> /.extra/global_sysext/
 *   <uki>.extra.d/ *.confext.raw           -> /.extra/confext/
 *   loader/extensions/ *.confext.raw       -> /.extra/global_confext/
 *
 * The stub's skip rules: names starting with ".", directories, non-ASCII
 * names, names over 255 bytes; suffixes compared without case; each
 * directory sorted by name (strcmp16 = strcmp on ASCII).  On Linux we also
 * skip anything that is not a regular file (FAT has no symlinks; we never
 * follow one), and refuse a directory with more than SIDECARS_MAX_ENTRIES
 * entries.  A file over 4 GiB - 1 cannot be a cpio member: the stub then
 * drops that directory's whole archive, and so do we.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sidecars.h"
#include "tool.h"

struct sidecar_dir {
	const char *rel;      /* ESP-relative, NULL: the UKI's .extra.d */
	const char *suffix;
	const char *exclude;  /* or NULL */
	int role;
};

/* The stub's order: add-ons (global, then local), then the initrds. */
static const struct sidecar_dir dirs[] = {
	{ "loader/addons", ".addon.efi", NULL, SIDECAR_ADDON },
	{ NULL, ".addon.efi", NULL, SIDECAR_ADDON },
	{ NULL, ".cred", NULL, PK_SIDECAR_CREDENTIAL },
	{ "loader/credentials", ".cred", NULL, PK_SIDECAR_GLOBAL_CREDENTIAL },
	{ NULL, ".raw", ".confext.raw", PK_SIDECAR_SYSEXT },
	{ "loader/extensions", ".raw", ".confext.raw", PK_SIDECAR_GLOBAL_SYSEXT },
	{ NULL, ".confext.raw", NULL, PK_SIDECAR_CONFEXT },
	{ "loader/extensions", ".confext.raw", NULL, PK_SIDECAR_GLOBAL_CONFEXT },
};

const char *sidecar_role_name(int role)
{
	return role == SIDECAR_ADDON ? "addon" : pk_sidecar_kind_name(role);
}

static bool ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

/* The stub takes ASCII names; control characters cannot be FAT names. */
static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20)
			return false;
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct sidecar_item *add_item(struct sidecars *s, const char *rel, const char *path,
				     int role)
{
	struct sidecar_item *it;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;

		it = realloc(s->items, cap * sizeof(*it));
		if (!it)
			return NULL;
		s->items = it;
		s->cap = cap;
	}
	it = &s->items[s->n];
	memset(it, 0, sizeof(*it));
	it->rel = strdup(rel);
	it->path = strdup(path);
	if (!it->rel || !it->path) {
		free(it->rel);
		free(it->path);
		return NULL;
	}
	it->name = strrchr(it->rel, '/') ? strrchr(it->rel, '/') + 1 : it->rel;
	it->role = role;
	s->n++;
	return it;
}

/* The sorted names of @host that match @d, at most SIDECARS_MAX_ENTRIES read. */
static int list_dir(const char *verb, const char *host, const char *rel,
		    const struct sidecar_dir *d, char ***ret, size_t *ret_n, const char **ret_skip)
{
	char **names = NULL;
	size_t n = 0, entries = 0;
	struct dirent *de;
	DIR *dir;
	int fd;

	*ret = NULL;
	*ret_n = 0;
	*ret_skip = NULL;
	/* Never through a symlink: the ESP is FAT, a link is somebody's trick. */
	fd = open(host, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* the stub: "No extra subdir, that's totally OK" */
		*ret_skip = errno == ELOOP || errno == ENOTDIR ?
			    "not a directory (a symlink or a file): not read" :
			    "cannot be opened: not read";
		fprintf(stderr, "pekexec: %s: warning: %s: %s; skipped\n", verb, rel, strerror(errno));
		return 0;
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(dir))) {
		char **nn;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++entries > SIDECARS_MAX_ENTRIES) {
			tool_errorf(verb, "%s: more than %d entries: refused (nothing is loaded)",
				    rel, SIDECARS_MAX_ENTRIES);
			closedir(dir);
			while (n)
				free(names[--n]);
			free(names);
			return -E2BIG;
		}
		if (!ends_with_nocase(de->d_name, d->suffix) ||
		    (d->exclude && ends_with_nocase(de->d_name, d->exclude)))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			closedir(dir);
			while (n)
				free(names[--n]);
			free(names);
			return -ENOMEM;
		}
		names = nn;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	*ret = names;
	*ret_n = n;
	return 0;
}

/* Why the stub (or we) would not use @name at @host, or NULL. */
static const char *skip_reason(const char *name, const char *host, struct stat *st)
{
	if (name[0] == '.')
		return "name starts with \".\" (the stub skips it)";
	if (!is_ascii(name))
		return "name is not printable ASCII (the stub skips non-ASCII names)";
	if (strlen(name) > 255)
		return "name longer than 255 bytes (the stub skips it)";
	if (lstat(host, st) < 0)
		return "cannot be read";
	if (S_ISDIR(st->st_mode))
		return "a directory (the stub skips it)";
	if (!S_ISREG(st->st_mode))
		return "not a regular file (symlinks are not followed)";
	return NULL;
}

static int scan(struct tool *t, const char *verb, const char *esp, const char *extra_rel,
		const struct sidecar_dir *d, struct sidecars *s)
{
	char rel[PATH_MAX], host[PATH_MAX], frel[PATH_MAX], fhost[PATH_MAX];
	const char *dir_rel = d->rel ? d->rel : extra_rel, *dskip;
	size_t first = s->n, i, n;
	char **names;
	bool drop = false;
	int e;

	if ((size_t)snprintf(rel, sizeof(rel), "%s", dir_rel) >= sizeof(rel) ||
	    (size_t)snprintf(host, sizeof(host), "%s/%s", esp, dir_rel) >= sizeof(host))
		return -ENAMETOOLONG;
	e = list_dir(verb, host, rel, d, &names, &n, &dskip);
	if (e < 0)
		return e;
	if (dskip) {
		struct sidecar_item *it = add_item(s, rel, host, d->role);

		if (!it)
			return -ENOMEM;
		it->skipped = dskip;
		return 0;
	}
	for (i = 0, e = 0; i < n && !e; i++) {
		struct sidecar_item *it;
		struct stat st;

		if ((size_t)snprintf(frel, sizeof(frel), "%s/%s", rel, names[i]) >= sizeof(frel) ||
		    (size_t)snprintf(fhost, sizeof(fhost), "%s/%s", host, names[i]) >= sizeof(fhost)) {
			e = -ENAMETOOLONG;
			break;
		}
		it = add_item(s, frel, fhost, d->role);
		if (!it) {
			e = -ENOMEM;
			break;
		}
		it->skipped = skip_reason(names[i], fhost, &st);
		if (!it->skipped && d->role != SIDECAR_ADDON &&
		    (unsigned long long)st.st_size > SIDECARS_MAX_FILE)
			drop = true;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (e < 0)
		return e;
	if (drop) {
		/* pack_cpio() fails on the file, the stub passes no archive */
		fprintf(stderr, "pekexec: %s: warning: %s: a file is over 4 GiB - 1 (cpio's limit): the directory's archive is dropped, as systemd-stub drops it\n",
			verb, rel);
		for (i = first; i < s->n; i++)
			if (!s->items[i].skipped)
				s->items[i].skipped = "its directory holds a file over 4 GiB - 1: the stub drops the archive";
	}
	for (i = first; i < s->n; i++) {
		struct sidecar_item *it = &s->items[i];

		if (it->skipped)
			continue;
		e = pk_file_open(t->ctx, it->path, (size_t)PK_PIPELINE_MAX_INITRD, &it->file);
		if (e < 0) {
			tool_error(t, verb, NULL);
			return e;
		}
	}
	return 0;
}

/* @image's path relative to @esp ("EFI/Linux/x.efi"), or NULL. */
static char *esp_relative(const char *verb, const char *esp_real, const char *image)
{
	char *img = realpath(image, NULL);
	size_t n = strlen(esp_real);
	char *rel;

	if (!img) {
		tool_errorf(verb, "%s: %s", image, strerror(errno));
		return NULL;
	}
	if (strncmp(img, esp_real, n) || img[n] != '/' ) {
		tool_errorf(verb, "%s is not under --esp %s", image, esp_real);
		free(img);
		return NULL;
	}
	rel = strdup(img + n + 1);
	free(img);
	return rel;
}

int sidecars_find(struct tool *t, const char *verb, const char *esp, const char *image,
		  const char *const *extra, size_t nextra, struct sidecars *s)
{
	char *esp_real = NULL, *uki_rel = NULL, *extra_rel = NULL;
	size_t i, na = 0, nf = 0;
	int e = 0;

	memset(s, 0, sizeof(*s));
	esp_real = realpath(esp, NULL);
	if (!esp_real) {
		tool_errorf(verb, "--esp %s: %s", esp, strerror(errno));
		return -errno;
	}
	uki_rel = esp_relative(verb, esp_real, image);
	if (!uki_rel || asprintf(&extra_rel, "%s.extra.d", uki_rel) < 0) {
		extra_rel = NULL;
		e = uki_rel ? -ENOMEM : -EINVAL;
		goto out;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !e; i++)
		e = scan(t, verb, esp_real, extra_rel, &dirs[i], s);
	for (i = 0; i < nextra && !e; i++) {
		struct sidecar_item *it = add_item(s, extra[i], extra[i], SIDECAR_ADDON);

		if (!it)
			e = -ENOMEM;
		else if (pk_file_open(t->ctx, extra[i], (size_t)PK_PIPELINE_MAX_INITRD, &it->file) < 0) {
			tool_error(t, verb, NULL);
			e = -EIO;
		}
	}
	if (e < 0)
		goto out;
	for (i = 0; i < s->n; i++)
		if (!s->items[i].skipped)
			*(s->items[i].role == SIDECAR_ADDON ? &na : &nf) += 1;
	if (na > SIDECARS_MAX_ADDONS) {
		tool_errorf(verb, "%zu add-ons (found on the ESP and --addon): at most %d",
			    na, SIDECARS_MAX_ADDONS);
		e = -E2BIG;
		goto out;
	}
	s->addons = calloc(na ? na : 1, sizeof(*s->addons));
	s->files = calloc(nf ? nf : 1, sizeof(*s->files));
	if (!s->addons || !s->files) {
		e = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->n; i++) {
		struct sidecar_item *it = &s->items[i];

		if (it->skipped)
			continue;
		if (it->role == SIDECAR_ADDON)
			s->addons[s->naddons++] = (struct pk_pipeline_image){
				it->rel, it->file.data, it->file.len };
		else
			s->files[s->nfiles++] = (struct pk_sidecar){
				it->role, it->name, it->file.data, it->file.len };
	}
out:
	if (e == -ENOMEM)
		tool_errorf(verb, "out of memory");
	if (e < 0)
		sidecars_free(s);
	free(esp_real);
	free(uki_rel);
	free(extra_rel);
	return e;
}

void sidecars_free(struct sidecars *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		pk_file_close(&s->items[i].file);
		free(s->items[i].rel);
		free(s->items[i].path);
	}
	free(s->items);
	free(s->addons);
	free(s->files);
	memset(s, 0, sizeof(*s));
}
