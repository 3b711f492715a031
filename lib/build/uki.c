// SPDX-License-Identifier: MIT
/*
 * uki.c - Unified Kernel Images: the stub's sections untouched, then the
 * UKI sections in the order systemd's ukify writes them
 * (src/ukify/ukify.py: make_uki()):
 *
 *	.osrel .cmdline .uname .initrd .ucode   (ukify's table; .dtb, .splash
 *	                                          and .pcrpkey are not built here)
 *	.bpf                                     (where ukify puts --section)
 *	.linux
 *	.profile [.cmdline] [.initrd]            (once per profile)
 *
 * systemd-stub takes every section before the first .profile as the base
 * profile, and each .profile up to the next as one more profile.
 */
#include <inttypes.h>

#include "internal.h"
#include "pekexec/build.h"
#include "pekexec/pe.h"

struct uki_sections {
	struct pk_build_section s[PK_PE_MAX_SECTIONS];
	size_t n;
};

static int add(struct pk_ctx *ctx, struct uki_sections *v, const char *name,
	       const void *data, size_t len, uint32_t characteristics)
{
	/* ukify skips empty contents; a zero-length section carries nothing. */
	if (!len)
		return 0;
	if (v->n >= PK_ARRAY_SIZE(v->s))
		return pk_err(ctx, -E2BIG, "more than %u UKI sections",
			      PK_PE_MAX_SECTIONS);
	v->s[v->n++] = (struct pk_build_section){
		.name = name,
		.data = data,
		.len = len,
		.characteristics = characteristics,
	};
	return 0;
}

static int add_text(struct pk_ctx *ctx, struct uki_sections *v,
		    const char *name, const char *text)
{
	return text ? add(ctx, v, name, text, strlen(text), PK_SCN_DATA_RO) : 0;
}

/*
 * One .initrd from several files: ukify's join_initrds() pads each to 4
 * bytes when there are several, and takes a single one as it is.
 */
static int add_initrds(struct pk_ctx *ctx, struct uki_sections *v,
		       const struct pk_blob *initrds, size_t n,
		       struct pk_buf *storage)
{
	size_t i;
	int r;

	if (n == 1)
		return add(ctx, v, ".initrd", initrds[0].data, initrds[0].len,
			   PK_SCN_DATA_RO);
	for (i = 0; i < n; i++) {
		r = pk_buf_append(storage, initrds[i].data, initrds[i].len);
		if (r >= 0)
			r = pk_buf_pad(storage, 4);
		if (r < 0)
			return pk_err(ctx, r, "initrd %zu: %s", i, strerror(-r));
	}
	return add(ctx, v, ".initrd", storage->data, storage->len, PK_SCN_DATA_RO);
}

static void free_bufs(struct pk_buf *bufs, size_t n)
{
	size_t i;

	for (i = 0; bufs && i < n; i++)
		pk_buf_free(&bufs[i]);
	free(bufs);
}

/* A warning, not an error: --stub may be meant for a different kernel. */
static void check_machines(struct pk_ctx *ctx, const struct pk_uki_opts *o)
{
	_pk_cleanup_pe_ struct pk_pe *stub = pk_pe_new();
	_pk_cleanup_pe_ struct pk_pe *linux_pe = pk_pe_new();

	if (!stub || !linux_pe)
		return;
	if (pk_pe_parse(NULL, o->stub.data, o->stub.len, stub) < 0 ||
	    pk_pe_parse(NULL, o->linux_img.data, o->linux_img.len, linux_pe) < 0)
		return;
	if (stub->machine != linux_pe->machine)
		pk_warn(ctx, "the stub is for %s (0x%04x) but the kernel for %s (0x%04x)",
			pk_pe_machine_name(stub->machine), stub->machine,
			pk_pe_machine_name(linux_pe->machine), linux_pe->machine);
}

static int collect(struct pk_ctx *ctx, const struct pk_uki_opts *o,
		   struct uki_sections *v, struct pk_buf *initrd_bufs)
{
	size_t i;
	int r;

	r = add(ctx, v, ".osrel", o->osrel.data, o->osrel.len, PK_SCN_DATA_RO);
	if (r >= 0)
		r = add_text(ctx, v, ".cmdline", o->cmdline);
	if (r >= 0)
		r = add_text(ctx, v, ".uname", o->uname);
	if (r >= 0 && o->ninitrds)
		r = add_initrds(ctx, v, o->initrds, o->ninitrds, &initrd_bufs[0]);
	if (r >= 0)
		r = add(ctx, v, ".ucode", o->ucode.data, o->ucode.len, PK_SCN_DATA_RO);
	if (r >= 0)
		r = add(ctx, v, ".bpf", o->bpf.data, o->bpf.len, PK_SCN_DATA_RO);
	if (r >= 0)
		r = add(ctx, v, ".linux", o->linux_img.data, o->linux_img.len,
			PK_SCN_CODE_RO);
	for (i = 0; r >= 0 && i < o->nprofiles; i++) {
		const struct pk_uki_profile *p = &o->profiles[i];

		if (!p->profile_text || !*p->profile_text)
			return pk_err(ctx, -EINVAL, "profile %zu: empty .profile", i);
		r = add_text(ctx, v, ".profile", p->profile_text);
		if (r >= 0)
			r = add_text(ctx, v, ".cmdline", p->cmdline);
		if (r >= 0 && p->ninitrds)
			r = add_initrds(ctx, v, p->initrds, p->ninitrds,
					&initrd_bufs[i + 1]);
	}
	return r;
}

int pk_uki_build(struct pk_ctx *ctx, const struct pk_uki_opts *o,
		 struct pk_buf *ret_out)
{
	_pk_cleanup_free_ struct uki_sections *v = calloc(1, sizeof(*v));
	struct pk_buf *initrd_bufs = NULL;
	struct pk_build_info info = { 0 };
	size_t nbufs = o->nprofiles + 1;
	int r;

	if (!v)
		return pk_err(ctx, -ENOMEM, "out of memory");
	if (!o->linux_img.len)
		return pk_err(ctx, -EINVAL, "no kernel (.linux) given");
	initrd_bufs = calloc(nbufs, sizeof(*initrd_bufs));
	if (!initrd_bufs)
		return pk_err(ctx, -ENOMEM, "out of memory");
	check_machines(ctx, o);

	r = collect(ctx, o, v, initrd_bufs);
	if (r >= 0) {
		r = pk_pe_add_sections(ctx, o->stub.data, o->stub.len, v->s, v->n,
				       0, ret_out, &info);
		if (r < 0)
			pk_err_prefix(ctx, r, "UKI stub");
	}
	free_bufs(initrd_bufs, nbufs);
	if (r < 0)
		return r;
	if (info.dropped_signature)
		pk_warn(ctx, "the stub was signed: its signature was dropped (it cannot cover the UKI)");
	return 0;
}

/*
 * ukify's Uname.scrape_x86(): a bzImage's setup header holds at 0x20e a
 * le16 pointer (relative to 0x200) to "VERSION (BUILDER) #N ...".
 */
#define X86_HDRS 0x202u
#define X86_KERNEL_VERSION 0x20eu
#define UNAME_MAX 128u

int pk_uki_guess_uname(const uint8_t *img, size_t len, char *out, size_t out_size)
{
	size_t off, n;

	if (!img || !out || !out_size || len < X86_KERNEL_VERSION + 2 ||
	    memcmp(img + X86_HDRS, "HdrS", 4))
		return -ENOENT;
	off = 0x200u + pk_get_le16(img + X86_KERNEL_VERSION);
	if (off >= len)
		return -ENOENT;
	for (n = 0; n < UNAME_MAX && off + n < len; n++) {
		char c = (char)img[off + n];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			break;
	}
	/* "VERSION (": the pattern ukify matches */
	if (!n || n >= out_size || !pk_range_ok(len, off + n, 2) ||
	    memcmp(img + off + n, " (", 2))
		return -ENOENT;
	memcpy(out, img + off, n);
	out[n] = '\0';
	return 0;
}
