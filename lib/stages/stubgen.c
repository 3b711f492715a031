// SPDX-License-Identifier: MIT
/*
 * stubgen.c - the initrd archives systemd-stub generates from a UKI's own
 * sections (docs/pipeline.md §4): .pcrsig and .pcrpkey of the selected
 * profile become /.extra/tpm2-pcr-signature.json and
 * /.extra/tpm2-pcr-public-key.pem, one archive each, so that
 * systemd-cryptsetup / systemd-pcrlock in the next initrd find them.
 *
 * Behaviour followed: systemd main after v258, src/boot/stub.c at commit
 * 017b5c04 (generate_embedded_initrds(), find_sections()) and
 * src/boot/cpio.c (pack_cpio_literal(), target ".extra" 0555, files
 * 0444); systemd 252 (Debian 12's stub) writes the same two archives,
 * only without profiles.  The newer stub's .osrel/.profile/boot-secret
 * archives are not made (docs/pipeline.md says why).  The parser program
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
};

#define STUB_META_DIR ".extra"
#define STUB_META_DIR_MODE 0555u
#define STUB_META_FILE_MODE 0444u

const struct pk_pe_section *pk_stub_section(const struct pk_pe *pe, unsigned int profile,
					    const char *name)
{
	const struct pk_pe_section *base = NULL, *own = NULL;
	unsigned int nprofile = 0; /* ".profile" sections seen so far */
	size_t i;

	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];

		if (!strcmp(s->name, ".profile")) {
			nprofile++;
			continue;
		}
		if (strcmp(s->name, name) || !s->data_size)
			continue;
		if (!nprofile && !base)
			base = s;
		else if (nprofile == profile + 1 && !own)
			own = s;
	}
	/* Profile 0 of an image without ".profile" is the base alone. */
	if (profile >= nprofile && !(profile == 0 && nprofile == 0))
		return NULL;
	return own ? own : base;
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
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->source, sizeof(ret->source), "%s", s->name);
	ret->members = PK_TAKE_PTR(w.members);
	ret->nmembers = w.nmembers;
	ret->len = w.buf.len;
	pk_sha256(w.buf.data, w.buf.len, ret->sha256);
	*ret_buf = w.buf;
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
		struct pk_pipeline_cpio *c;
		struct pk_buf *b;

		if (!s)
			continue;
		c = realloc(*cpios, (*n + 1) * sizeof(**cpios));
		if (!c)
			return -ENOMEM;
		*cpios = c;
		b = realloc(*bufs, (*n + 1) * sizeof(**bufs));
		if (!b)
			return -ENOMEM;
		*bufs = b;
		e = one_cpio(ctx, name, pe, s, stub_meta[i].file, &c[*n], &b[*n]);
		if (e < 0)
			return e;
		(*n)++;
	}
	return 0;
}
