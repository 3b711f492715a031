// SPDX-License-Identifier: MIT
/*
 * stubgen.c - the initrd archives systemd-stub generates from a UKI's own
 * sections (docs/pipeline.md §4): .pcrsig, .pcrpkey, .osrel and .profile
 * of the selected profile become /.extra/tpm2-pcr-signature.json,
 * /.extra/tpm2-pcr-public-key.pem, /.extra/os-release and
 * /.extra/profile, one archive each, in that order, so that
 * systemd-cryptsetup / systemd-pcrlock in the next initrd find them.
 *
 * Behaviour followed: systemd main after v258, src/boot/stub.c at commit
 * 017b5c04 (generate_embedded_initrds(), find_sections()) and
 * src/boot/cpio.c (pack_cpio_literal(), target ".extra" 0555, files
 * 0444); systemd 252 (Debian 12's stub) writes the same two archives,
 * only without profiles.  The newer stub (v257 on) also passes .osrel
 * and the selected profile's .profile as /.extra/os-release and
 * /.extra/profile, after them (INITRD_OSREL, INITRD_PROFILE); its
 * boot-secret archive comes from the firmware's TPM and is not made
 * (docs/pipeline.md).  The parser program
 * already selected the profile (an "@N" on the user's command line), so
 * this file only finds the section the stub would see for it.
 */
#include <stdio.h>

#include "stages.h"

static const struct {
	const char *section;
	const char *file;
} stub_meta[] = {
	{ ".pcrsig", "tpm2-pcr-signature.json" },
	{ ".pcrpkey", "tpm2-pcr-public-key.pem" },
	{ ".osrel", "os-release" },
	{ ".profile", "profile" },
};

static const struct {
	const char *name;
	const char *dir;
	uint32_t dir_mode, file_mode;
} sidecar_targets[PK_SIDECAR_KINDS] = {
	[PK_SIDECAR_CREDENTIAL] = { "credential", ".extra/credentials", 0500, 0400 },
	[PK_SIDECAR_GLOBAL_CREDENTIAL] = { "global-credential", ".extra/global_credentials", 0500, 0400 },
	[PK_SIDECAR_SYSEXT] = { "sysext", ".extra/sysext", 0555, 0444 },
	[PK_SIDECAR_GLOBAL_SYSEXT] = { "global-sysext", ".extra/global_sysext", 0555, 0444 },
	[PK_SIDECAR_CONFEXT] = { "confext", ".extra/confext", 0555, 0444 },
	[PK_SIDECAR_GLOBAL_CONFEXT] = { "global-confext", ".extra/global_confext", 0555, 0444 },
};

const char *pk_sidecar_kind_name(enum pk_sidecar_kind kind)
{
	return (unsigned int)kind < PK_SIDECAR_KINDS ? sidecar_targets[kind].name : NULL;
}

#define STUB_META_DIR ".extra"
#define STUB_META_DIR_MODE 0555u
#define STUB_META_FILE_MODE 0444u

const struct pk_pe_section *pk_stub_section(const struct pk_pe *pe, unsigned int profile,
					    const char *name)
{
	return pk_pe_profile_section(pe, profile, name);
}

static int append_slot(struct pk_pipeline_cpio **cpios, struct pk_buf **bufs, size_t n)
{
	struct pk_pipeline_cpio *c = realloc(*cpios, (n + 1) * sizeof(**cpios));
	struct pk_buf *b;

	if (!c)
		return -ENOMEM;
	*cpios = c;
	b = realloc(*bufs, (n + 1) * sizeof(**bufs));
	if (!b)
		return -ENOMEM;
	*bufs = b;
	return 0;
}

/* A finished archive @w as the result @ret (members, size, sha256) and its bytes. */
static void cpio_result(struct pk_cpio_writer *w, const char *source,
			struct pk_pipeline_cpio *ret, struct pk_buf *ret_buf)
{
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->source, sizeof(ret->source), "%s", source);
	ret->members = PK_TAKE_PTR(w->members);
	ret->nmembers = w->nmembers;
	ret->len = w->buf.len;
	pk_sha256(w->buf.data, w->buf.len, ret->sha256);
	*ret_buf = w->buf;
}

static int one_cpio(struct pk_ctx *ctx, const char *name, const struct pk_pe *pe,
		    const struct pk_pe_section *s, const char *file,
		    struct pk_pipeline_cpio *ret, struct pk_buf *ret_buf)
{
	struct pk_cpio_writer w = { 0 };
	int e;

	e = pk_cpio_add_dirs(&w, STUB_META_DIR, STUB_META_DIR_MODE);
	if (!e)
		e = pk_cpio_add_file(&w, STUB_META_DIR, file, pe->buf + s->data_offset,
				     s->data_size, STUB_META_FILE_MODE);
	if (!e)
		e = pk_cpio_add_trailer(&w);
	if (e < 0) {
		pk_cpio_writer_free(&w);
		if (e == -ENOMEM)
			return e;
		return pk_err(ctx, -EPROTO,
			      "%s: section %s (%zu bytes at 0x%zx, header at 0x%x): cannot be packed as /%s/%s: %s",
			      name, s->name, s->data_size, s->data_offset, s->header_offset,
			      STUB_META_DIR, file, strerror(-e));
	}
	cpio_result(&w, s->name, ret, ret_buf);
	return 0;
}

int pk_stub_cpios(struct pk_ctx *ctx, const char *name, const struct pk_pe *pe,
		  unsigned int profile, struct pk_pipeline_cpio **cpios,
		  struct pk_buf **bufs, size_t *n)
{
	size_t i;
	int e;

	for (i = 0; i < sizeof(stub_meta) / sizeof(stub_meta[0]); i++) {
		const struct pk_pe_section *s = pk_stub_section(pe, profile, stub_meta[i].section);

		if (!s)
			continue;
		e = append_slot(cpios, bufs, *n);
		if (!e)
			e = one_cpio(ctx, name, pe, s, stub_meta[i].file, &(*cpios)[*n],
				     &(*bufs)[*n]);
		if (e < 0)
			return e;
		(*n)++;
	}
	return 0;
}

static bool sidecar_name_is_ok(const char *name)
{
	size_t i, len = name ? strlen(name) : 0;

	if (!len || len > 255 || name[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || (unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
			return false;
	return true;
}

static int by_name(const void *a, const void *b)
{
	const struct pk_sidecar *x = *(const struct pk_sidecar *const *)a;
	const struct pk_sidecar *y = *(const struct pk_sidecar *const *)b;

	return strcmp(x->name, y->name);
}

/* One kind: the sorted files @v[0..n) into one archive. */
static int sidecar_cpio(struct pk_ctx *ctx, enum pk_sidecar_kind kind,
			const struct pk_sidecar **v, size_t n,
			struct pk_pipeline_cpio *ret, struct pk_buf *ret_buf)
{
	struct pk_cpio_writer w = { 0 };
	size_t i;
	int e;

	e = pk_cpio_add_dirs(&w, sidecar_targets[kind].dir, sidecar_targets[kind].dir_mode);
	for (i = 0; i < n && !e; i++)
		e = pk_cpio_add_file(&w, sidecar_targets[kind].dir, v[i]->name, v[i]->data,
				     v[i]->len, sidecar_targets[kind].file_mode);
	if (!e)
		e = pk_cpio_add_trailer(&w);
	if (e < 0) {
		pk_cpio_writer_free(&w);
		if (e == -ENOMEM)
			return e;
		return pk_err(ctx, e, "sidecar %s (%s): cannot be packed into /%s: %s",
			      sidecar_targets[kind].name, i ? v[i - 1]->name : "-",
			      sidecar_targets[kind].dir, strerror(-e));
	}
	cpio_result(&w, sidecar_targets[kind].name, ret, ret_buf);
	return 0;
}

int pk_stub_sidecar_cpios(struct pk_ctx *ctx, const struct pk_sidecar *sc, size_t nsc,
			  struct pk_pipeline_cpio **cpios, struct pk_buf **bufs, size_t *n)
{
	const struct pk_sidecar **v;
	size_t i, k, m;
	int e = 0;

	if (!nsc)
		return 0;
	if (!sc)
		return pk_err(ctx, -EINVAL, "pipeline: sidecars missing");
	for (i = 0; i < nsc; i++) {
		if ((unsigned int)sc[i].kind >= PK_SIDECAR_KINDS)
			return pk_err(ctx, -EINVAL, "sidecar %zu: unknown kind %d", i,
				      (int)sc[i].kind);
		if (!sidecar_name_is_ok(sc[i].name))
			return pk_err(ctx, -EINVAL,
				      "sidecar %zu: file name \"%s\" is not 1..255 printable ASCII bytes without \"/\" or a leading \".\"",
				      i, sc[i].name ? sc[i].name : "");
		if (!sc[i].data && sc[i].len)
			return pk_err(ctx, -EINVAL, "sidecar %s: no data", sc[i].name);
	}
	v = calloc(nsc, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (k = 0; k < PK_SIDECAR_KINDS && !e; k++) {
		for (i = 0, m = 0; i < nsc; i++)
			if (sc[i].kind == k)
				v[m++] = &sc[i];
		if (!m)
			continue;
		qsort(v, m, sizeof(*v), by_name);
		for (i = 1; i < m && !e; i++)
			if (!strcmp(v[i - 1]->name, v[i]->name))
				e = pk_err(ctx, -EINVAL, "sidecar %s: \"%s\" given twice",
					   sidecar_targets[k].name, v[i]->name);
		if (!e)
			e = append_slot(cpios, bufs, *n);
		if (!e)
			e = sidecar_cpio(ctx, (enum pk_sidecar_kind)k, v, m, &(*cpios)[*n], &(*bufs)[*n]);
		if (!e)
			(*n)++;
	}
	free(v);
	return e;
}
