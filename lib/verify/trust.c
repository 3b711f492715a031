// SPDX-License-Identifier: MIT
/*
 * trust.c - trust anchors: X.509 certificates read from PEM or DER files, or
 * from the regular files of a directory (sorted by name; dot files and
 * files holding no certificate are skipped with a warning).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "ac_internal.h"
#include "pekexec/file.h"

/* A certificate file larger than this is not a certificate file. */
#define PK_TRUST_MAX_FILE (4u << 20)
/* Anchors per set. */
#define PK_TRUST_MAX_CERTS 4096

struct pk_trust {
	X509_STORE *store;
	STACK_OF(X509) *certs;
};

struct pk_trust *pk_trust_new(void)
{
	struct pk_trust *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->store = X509_STORE_new();
	t->certs = sk_X509_new_null();
	if (!t->store || !t->certs) {
		pk_trust_free(t);
		return NULL;
	}
	return t;
}

void pk_trust_free(struct pk_trust *t)
{
	if (!t)
		return;
	X509_STORE_free(t->store);
	sk_X509_pop_free(t->certs, X509_free);
	free(t);
}

size_t pk_trust_count(const struct pk_trust *t)
{
	return t ? (size_t)sk_X509_num(t->certs) : 0;
}

STACK_OF(X509) *pk_trust_certs(const struct pk_trust *t)
{
	return t ? t->certs : NULL;
}

X509_STORE *pk_trust_store(const struct pk_trust *t)
{
	return t ? t->store : NULL;
}

/* Takes ownership of @x. */
static int add_cert(struct pk_ctx *ctx, struct pk_trust *t, X509 *x, const char *path)
{
	if (sk_X509_num(t->certs) >= PK_TRUST_MAX_CERTS) {
		X509_free(x);
		return pk_err(ctx, -E2BIG, "%s: more than %d trust anchors", path,
			      PK_TRUST_MAX_CERTS);
	}
	/* X509_STORE_add_cert takes its own reference; a duplicate is fine. */
	if (!X509_STORE_add_cert(t->store, x) || !sk_X509_push(t->certs, x)) {
		X509_free(x);
		ERR_clear_error();
		return pk_err(ctx, -ENOMEM, "%s: cannot add certificate", path);
	}
	return 0;
}

/* @return the number of certificates added, or -errno. */
static int add_file(struct pk_ctx *ctx, struct pk_trust *t, const char *path)
{
	struct pk_file f = { 0 };
	const unsigned char *p;
	BIO *bio = NULL;
	X509 *x;
	int r, n = 0;

	r = pk_file_open(ctx, path, PK_TRUST_MAX_FILE, &f);
	if (r < 0)
		return r;
	if (f.len > INT_MAX) {
		r = pk_err(ctx, -EBADMSG, "%s: too large for a certificate", path);
		goto out;
	}
	bio = BIO_new_mem_buf(f.data, (int)f.len);
	if (!bio) {
		r = pk_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		r = add_cert(ctx, t, x, path);
		if (r < 0)
			goto out;
		n++;
	}
	ERR_clear_error();
	if (!n) {
		p = f.data;
		x = d2i_X509(NULL, &p, (long)f.len);
		if (x && p == f.data + f.len) {
			r = add_cert(ctx, t, x, path);
			if (r < 0)
				goto out;
			n = 1;
		} else {
			X509_free(x);
			ERR_clear_error();
		}
	}
	r = n ? n : pk_err(ctx, -EBADMSG, "%s: no PEM or DER X.509 certificate", path);
out:
	BIO_free(bio);
	pk_file_close(&f);
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(struct pk_ctx *ctx, struct pk_trust *t, const char *path)
{
	char **names = NULL, *full = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	int r = 0, total = 0;
	DIR *d;

	d = opendir(path);
	if (!d)
		return pk_err(ctx, -errno, "%s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 16;
			if (cap > PK_TRUST_MAX_CERTS) {
				r = pk_err(ctx, -E2BIG, "%s: more than %d files", path,
					   PK_TRUST_MAX_CERTS);
				goto out;
			}
			nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				r = pk_err(ctx, -ENOMEM, "out of memory");
				goto out;
			}
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = pk_err(ctx, -ENOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		struct stat st;

		free(full);
		if (asprintf(&full, "%s/%s", path, names[i]) < 0) {
			full = NULL;
			r = pk_err(ctx, -ENOMEM, "out of memory");
			goto out;
		}
		if (stat(full, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		r = add_file(ctx, t, full);
		if (r == -EBADMSG) {
			pk_warn(ctx, "%s", pk_ctx_errmsg(ctx));
			pk_ctx_clear_error(ctx);
			continue;
		}
		if (r < 0)
			goto out;
		total += r;
	}
	r = total ? 0 : pk_err(ctx, -EBADMSG, "%s: no certificate in the directory", path);
out:
	closedir(d);
	free(full);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int pk_trust_add_path(struct pk_ctx *ctx, struct pk_trust *t, const char *path)
{
	struct stat st;
	int r;

	if (stat(path, &st) < 0)
		return pk_err(ctx, -errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return add_dir(ctx, t, path);
	r = add_file(ctx, t, path);
	return r < 0 ? r : 0;
}
