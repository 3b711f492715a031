// SPDX-License-Identifier: MIT
/*
 * route.c - pk_pipeline_route(): which way an image goes before anything
 * is loaded, and what counts as one the pipeline must open
 * (DESIGN.md §4: a file that looks like a .bpf or zboot image but does not
 * parse is refused, never passed through).
 *
 * The rule, in order:
 *   1. neither "MZ" at 0 nor the zboot magic "zimg" at 4: the file makes
 *      no claim to be a PE or zboot image (an ELF, a raw arm64 Image, a
 *      legacy bzImage): plain;
 *   2. it claims to be one and does not parse as PE (the zboot header
 *      included): -ENOEXEC with the pipeline's own message, so 'load' and
 *      'extract' refuse it in the same words;
 *   3. it parses and has no .bpf section: a zboot image goes to the
 *      pipeline, which refuses it (no program to unpack it); any other PE
 *      (a bzImage, an EFI-stub arm64 Image, a UKI without .bpf) is plain;
 *   4. it has a .bpf section: the kernel or the pipeline, by @opts.
 */
#include "kexec_bpf/kexec_bpf.h"
#include "pekexec/kexec.h"
#include "stages.h"

#define ZBOOT_MAGIC_AT 4u

const char *pk_route_name(enum pk_route route)
{
	switch (route) {
	case PK_ROUTE_PLAIN:
		return "plain";
	case PK_ROUTE_PIPELINE:
		return "pipeline";
	case PK_ROUTE_KERNEL:
		return "kernel";
	}
	return "unknown";
}

int pk_envelope_parse(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
		      struct pk_pe *ret_pe)
{
	int e = pk_pe_parse(ctx, img->data, img->len, ret_pe);

	if (e == -ENOMEM)
		return e;
	if (e < 0)
		return pk_err_prefix(ctx, -ENOEXEC, "%s: not a valid PE image", img->name);
	return 0;
}

/* Does the file claim to be a PE (DOS "MZ") or an EFI zboot image? */
static bool claims_pe(const uint8_t *p, size_t len)
{
	return (len >= 2 && p[0] == 'M' && p[1] == 'Z') ||
	       (len >= ZBOOT_MAGIC_AT + 4 && !memcmp(p + ZBOOT_MAGIC_AT, "zimg", 4));
}

static int route_plain(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
		       const struct pk_route_opts *opts, enum pk_route *ret)
{
	if (opts->naddons)
		return pk_err(ctx, -EINVAL,
			      "%s: add-ons need an image with a .bpf section (this one is loaded as it is)",
			      img->name);
	*ret = PK_ROUTE_PLAIN;
	return 0;
}

int pk_pipeline_route(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
		      const struct pk_route_opts *opts, enum pk_route *ret)
{
	static const struct pk_route_opts defaults = { 0 };
	struct pk_pe *pe;
	bool has_bpf, zboot, stub = false;
	size_t i;
	int e;

	if (!opts)
		opts = &defaults;
	if (!img || !img->data || !img->name || !ret)
		return pk_err(ctx, -EINVAL, "route: no image");
	if (!claims_pe(img->data, img->len))
		return route_plain(ctx, img, opts, ret);

	pe = pk_pe_new();
	if (!pe)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", img->name);
	e = pk_envelope_parse(ctx, img, pe);
	has_bpf = !e && pk_pe_find_section(pe, KEXEC_BPF_SECTION);
	zboot = !e && pe->zboot.present;
	/* Sections the stub turns into archives (stubgen.c), any profile. */
	for (i = 0; !e && !opts->no_stub_cpios && i < pe->nsections; i++)
		stub |= pe->sections[i].data_size &&
			(!strcmp(pe->sections[i].name, ".pcrsig") ||
			 !strcmp(pe->sections[i].name, ".pcrpkey"));
	pk_pe_free(pe);
	if (e == -ENOMEM)
		return pk_err(ctx, e, "%s: out of memory", img->name);
	if (e < 0)
		return e;

	if (!has_bpf) {
		if (!zboot)
			return route_plain(ctx, img, opts, ret);
		*ret = PK_ROUTE_PIPELINE; /* refused there: no .bpf section */
		return 0;
	}
	switch (opts->kernel_bpf) {
	case PK_KERNEL_BPF_YES:
		if (opts->naddons)
			return pk_err(ctx, -EINVAL,
				      "%s: an image handed to the kernel cannot take add-ons (kexec_file_load has one image)",
				      img->name);
		if (stub)
			pk_warn(ctx, "%s: handed to the kernel: its .pcrsig/.pcrpkey archives are not added (only the user-space pipeline adds them)",
				img->name);
		*ret = PK_ROUTE_KERNEL;
		return 0;
	case PK_KERNEL_BPF_NO:
		*ret = PK_ROUTE_PIPELINE;
		return 0;
	case PK_KERNEL_BPF_AUTO:
		/* add-ons and the stub's archives cannot go to the kernel:
		 * then user space */
		*ret = !opts->naddons && !stub && pk_kexec_kernel_bpf(ctx, opts->kernel_btf) > 0 ?
		       PK_ROUTE_KERNEL : PK_ROUTE_PIPELINE;
		return 0;
	}
	return pk_err(ctx, -EINVAL, "route: unknown kernel_bpf mode %d", (int)opts->kernel_bpf);
}
