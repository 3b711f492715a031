// SPDX-License-Identifier: MIT
/*
 * pipeline.c - pk_pipeline_run(): verify -> stages -> add-ons -> policy ->
 * result, read top-down in run().  The rules are DESIGN.md §3-§5; the
 * choices made where they leave room are in docs/pipeline.md.
 *
 * Everything the run builds hangs off struct run and is freed by
 * run_free(), whatever point a failure happens at; only a complete result
 * is handed to the caller.
 */
#include <stdio.h>

#include "kexec_bpf/kexec_bpf.h"
#include "stages.h"

#define ADDONS_MAX 64u
#define LABEL_MAX 300

struct run {
	struct pk_ctx *ctx;
	const struct pk_pipeline_image *img;
	const struct pk_pipeline_opts *opts;
	pk_exec_fn exec;
	bool enforcing;
	/* the user's command line: as given (for the programs) and as used */
	char *user_raw;
	char *user_cmdline;
	unsigned int profile;
	/* the envelope, parsed, and the current stage's image */
	struct pk_pe *pe1;
	struct pk_pe *pe;
	struct pk_span kernel;    /* the latest stage's kernel */
	/* image parts, in the order they go out */
	struct pk_span early, late;          /* main stages' initrd pieces */
	struct pk_digest early_d, late_d;    /* known while one piece */
	struct pk_buf addon_early, addon_late;
	/* generated archives (stubgen.c), their records, in initrd order */
	struct pk_buf *gen;
	struct pk_pipeline_cpio *cpios;
	size_t ngen;
	struct pk_buf cmdline;               /* main stages' command line */
	struct pk_buf addon_cmdline;
	/* records */
	struct pk_stage_record *recs;
	size_t nrecs;
	size_t nmain;
	char label[LABEL_MAX];
};

static void run_free(struct run *r)
{
	size_t i;

	free(r->user_raw);
	free(r->user_cmdline);
	pk_pe_free(r->pe1);
	pk_pe_free(r->pe);
	pk_span_free(&r->kernel);
	pk_span_free(&r->early);
	pk_span_free(&r->late);
	pk_buf_free(&r->addon_early);
	pk_buf_free(&r->addon_late);
	for (i = 0; i < r->ngen; i++) {
		pk_buf_free(&r->gen[i]);
		if (r->cpios) /* NULL once handed to the result */
			free(r->cpios[i].members);
	}
	free(r->gen);
	free(r->cpios);
	pk_buf_free(&r->cmdline);
	pk_buf_free(&r->addon_cmdline);
	for (i = 0; i < r->nrecs; i++)
		pk_record_free(&r->recs[i]);
	free(r->recs);
}

static int append_text(struct pk_buf *b, const uint8_t *p, size_t n)
{
	if (!n)
		return 0;
	if (b->len + 1 + n > PK_PIPELINE_MAX_CMDLINE)
		return -EFBIG;
	if (b->len && pk_buf_append(b, " ", 1) < 0)
		return -ENOMEM;
	return pk_buf_append(b, p, n);
}

static struct pk_stage_record *new_record(struct run *r)
{
	/* At most KEXEC_BPF_MAX_STAGES + ADDONS_MAX records: no overflow. */
	struct pk_stage_record *recs = realloc(r->recs, (r->nrecs + 1) * sizeof(*recs));

	if (!recs)
		return NULL;
	r->recs = recs;
	memset(&recs[r->nrecs], 0, sizeof(*recs));
	return &recs[r->nrecs++];
}

/* 1. The envelope: a PE image, verified by the policy before anything runs. */
static int verify_envelope(struct run *r, enum pk_sig_state *ret_state,
			   char *ret_signer)
{
	const struct pk_pipeline_image *img = r->img;
	int e;

	e = pk_envelope_parse(r->ctx, img, r->pe1);
	if (e < 0)
		return e;
	e = pk_policy_verify(r->ctx, r->pe1, img->name, r->enforcing,
			     r->opts->verify == PK_VERIFY_OFF, r->opts->trust,
			     ret_state, ret_signer);
	if (e < 0)
		return e;
	if (*ret_state == PK_SIG_UNTRUSTED)
		pk_warn(r->ctx, "%s: signed by \"%s\", not a trusted signer (accepted: not enforcing)",
			img->name, ret_signer);
	memcpy(r->pe, r->pe1, sizeof(*r->pe));
	return 0;
}

/*
 * Is the kernel @buf made by stage @n the next stage's image: 1 if it is
 * a PE with a .bpf section (parsed into r->pe), 0 if it is a final kernel.
 * A kernel that carries the zboot magic but does not parse, or has no
 * .bpf, can be loaded by nothing: -ENOEXEC rather than hand it on (fail
 * closed, as pk_pipeline_route() does for the envelope).  Other PE trouble is left to
 * the kernel, which reads kernels this parser is stricter about.
 */
static int is_next_stage(struct run *r, unsigned int n, const uint8_t *buf, size_t len)
{
	int e = pk_pe_parse(r->ctx, buf, len, r->pe);

	if (e == -ENOMEM)
		return e;
	if (e < 0) {
		if (len >= 8 && !memcmp(buf + 4, "zimg", 4))
			return pk_err_prefix(r->ctx, -ENOEXEC,
					     "%s, kernel of stage %u: a zboot image that does not parse",
					     r->img->name, n);
		pk_ctx_clear_error(r->ctx);
		return 0;
	}
	if (pk_pe_find_section(r->pe, KEXEC_BPF_SECTION))
		return 1;
	if (r->pe->zboot.present)
		return pk_err(r->ctx, -ENOEXEC,
			      "%s, kernel of stage %u: a zboot image without a .bpf section: no parser program to unpack it",
			      r->img->name, n);
	return 0;
}

/*
 * A stage's initrd pieces @src onto @dst: taken over, digest and all, when
 * @dst is empty (no copy), else appended as pk_buf_append_piece() does.
 */
static int take_pieces(struct pk_span *dst, struct pk_digest *dst_d, struct pk_span *src,
		       const struct pk_digest *src_d)
{
	if (!src->len)
		return 0;
	if (dst->len) {
		dst_d->known = false;
		return pk_span_append_piece(dst, src->data, src->len, NULL);
	}
	/* the sink capped src at PK_PIPELINE_MAX_INITRD already */
	pk_span_free(dst);
	*dst = *src;
	*src = (struct pk_span){ 0 };
	*dst_d = *src_d;
	return 0;
}

/* 2. The stage loop. */
static int run_stages(struct run *r, enum pk_sig_state state1, const char *signer1)
{
	const uint8_t *cur = r->img->data;
	size_t cur_len = r->img->len;
	uint8_t cur_sha256[PK_SHA256_LEN];
	unsigned int n;
	int e;

	for (n = 1;; n++) {
		struct pk_stage_args a = {
			.exec = r->exec,
			.index = n,
			.img = cur,
			.len = cur_len,
			.pe = r->pe,
			.initrd = r->opts->initrd,
			.initrd_len = r->opts->initrd_len,
			.cmdline = r->user_raw,
			.kdump = r->opts->kdump,
			/* stage n > 1 runs on the kernel stage n - 1 hashed */
			.img_sha256 = n > 1 ? cur_sha256 : NULL,
			.no_digests = r->opts->no_digests,
			/*
			 * Zero copy from the caller's image, and from a kernel
			 * that is a range of it; not from one this run owns
			 * (it is freed when the next stage's replaces it).
			 */
			.borrow = r->opts->borrow_image &&
				  (n == 1 || (r->kernel.len && !r->kernel.own.data)),
		};
		struct pk_stage_record *rec;
		struct pk_sink sink;

		if (n > 1) {
			e = is_next_stage(r, n - 1, cur, cur_len);
			if (e < 0)
				return e;
			if (!e)
				return 0; /* a plain kernel: the end of the chain */
		}
		if (n > KEXEC_BPF_MAX_STAGES)
			return pk_err(r->ctx, -EPROTO,
				      "%s: the kernel of stage %u is again an image with a .bpf section: more than %u stages",
				      r->img->name, n - 1, KEXEC_BPF_MAX_STAGES);
		if (n == 1)
			snprintf(r->label, sizeof(r->label), "%s", r->img->name);
		else
			snprintf(r->label, sizeof(r->label), "%s, kernel of stage %u",
				 r->img->name, n - 1);
		a.label = r->label;
		rec = new_record(r);
		if (!rec)
			return -ENOMEM;
		e = pk_stage_run(r->ctx, &a, &sink, rec);
		if (e < 0)
			goto fail;
		r->nmain++;
		if (n == 1) {
			rec->sig = state1;
			snprintf(rec->signer, sizeof(rec->signer), "%s", signer1);
		}
		if (!sink.kernel.len) {
			e = pk_err(r->ctx, -EPROTO,
				   "stage %u (%s): the parser program %s produced no kernel (a stage must make progress)",
				   n, r->label, rec->prog_name);
			goto fail;
		}
		if (sink.kernel.len == cur_len && !memcmp(sink.kernel.data, cur, cur_len)) {
			e = pk_err(r->ctx, -EPROTO,
				   "stage %u (%s): the new kernel is the stage's own image: no progress",
				   n, r->label);
			goto fail;
		}
		e = take_pieces(&r->early, &r->early_d, &sink.early, &sink.early_d);
		if (!e)
			e = take_pieces(&r->late, &r->late_d, &sink.late, &sink.late_d);
		if (!e)
			e = append_text(&r->cmdline, sink.cmdline.data, sink.cmdline.len);
		if (e < 0) {
			e = pk_err(r->ctx, e == -ENOMEM ? e : -EPROTO,
				   "stage %u (%s): initrd or command line too large", n, r->label);
			goto fail;
		}
		pk_span_free(&r->kernel);
		r->kernel = sink.kernel;
		memset(&sink.kernel, 0, sizeof(sink.kernel));
		cur = r->kernel.data;
		cur_len = r->kernel.len;
		memcpy(cur_sha256, rec->kernel_out_sha256, sizeof(cur_sha256));
		pk_sink_free(&sink);
		continue;
fail:
		pk_sink_free(&sink);
		return e;
	}
}

/* The .uname text of @pe (NUL-cut, trailing space trimmed) or NULL. */
static const uint8_t *uname_of(const struct pk_pe *pe, size_t *ret_len)
{
	const struct pk_pe_section *s = pk_pe_find_section(pe, ".uname");

	if (!s)
		return NULL;
	*ret_len = pk_cmdline_text_len(pe->buf + s->data_offset, s->data_size);
	return pe->buf + s->data_offset;
}

/*
 * @piece, then what @b held, 4-byte aligned as pk_buf_append_piece()
 * joins them: systemd-stub (main after v258, stub.c at 017b5c04,
 * measure_and_append_ucode_addons()) passes the add-ons' .ucode in
 * reverse add-on order, "the kernel takes the first one it finds", so
 * the last add-on's microcode wins, as a later add-on's initrd does.
 */
static int prepend_piece(struct pk_buf *b, const struct pk_span *piece)
{
	struct pk_buf out = { 0 };
	int e;

	if (!piece->len)
		return 0;
	e = pk_buf_append_piece(&out, piece->data, piece->len);
	if (!e)
		e = pk_buf_append_piece(&out, b->data, b->len);
	if (e < 0) {
		pk_buf_free(&out);
		return e;
	}
	pk_buf_free(b);
	*b = out;
	return 0;
}

/* 3. One add-on stage. */
static int run_addon(struct run *r, size_t i)
{
	const struct pk_pipeline_image *ad = &r->opts->addons[i];
	const struct pk_pe_section *main_bpf;
	const uint8_t *u1, *u2;
	size_t u1_len = 0, u2_len = 0;
	enum pk_sig_state state;
	struct pk_stage_record *rec;
	struct pk_sink sink;
	char signer[256];
	unsigned int idx = (unsigned int)i + 1;
	int e;

	if (!ad->data || !ad->name)
		return pk_err(r->ctx, -EINVAL, "add-on %u: no data", idx);
	e = pk_pe_parse(r->ctx, ad->data, ad->len, r->pe);
	if (e == -ENOMEM)
		return e;
	if (e < 0)
		return pk_err_prefix(r->ctx, -ENOEXEC, "add-on %u (%s): not a valid PE image",
				     idx, ad->name);
	e = pk_policy_verify(r->ctx, r->pe, ad->name, r->enforcing,
			     r->opts->verify == PK_VERIFY_OFF, r->opts->trust,
			     &state, signer);
	if (e < 0)
		return pk_err_prefix(r->ctx, e, "add-on %u", idx);
	if (pk_pe_find_section(r->pe, ".linux"))
		return pk_err(r->ctx, -EPERM,
			      "add-on %u (%s): carries a .linux section (an add-on may not replace the kernel)",
			      idx, ad->name);
	u1 = uname_of(r->pe1, &u1_len);
	u2 = uname_of(r->pe, &u2_len);
	if (u1 && u2 && (u1_len != u2_len || memcmp(u1, u2, u1_len)))
		return pk_err(r->ctx, -EPERM,
			      "add-on %u (%s): .uname \"%.*s\" differs from the image's \"%.*s\"",
			      idx, ad->name, (int)(u2_len > 64 ? 64 : u2_len), u2,
			      (int)(u1_len > 64 ? 64 : u1_len), u1);

	struct pk_stage_args a = {
		.exec = r->exec,
		.index = idx,
		.addon = true,
		.label = ad->name,
		.img = ad->data,
		.len = ad->len,
		.pe = r->pe,
		.initrd = r->opts->initrd,
		.initrd_len = r->opts->initrd_len,
		.cmdline = r->user_raw,
		.kdump = r->opts->kdump,
		.no_digests = r->opts->no_digests,
	};
	main_bpf = pk_pe_find_section(r->pe1, KEXEC_BPF_SECTION);
	if (main_bpf) {
		a.main_prog = r->pe1->buf + main_bpf->data_offset;
		a.main_prog_len = main_bpf->data_size;
	}
	rec = new_record(r);
	if (!rec)
		return -ENOMEM;
	e = pk_stage_run(r->ctx, &a, &sink, rec);
	if (!e) {
		rec->sig = state;
		snprintf(rec->signer, sizeof(rec->signer), "%s", signer);
		e = prepend_piece(&r->addon_early, &sink.early);
		if (!e)
			e = pk_buf_append_piece(&r->addon_late, sink.late.data, sink.late.len);
		if (!e)
			e = append_text(&r->addon_cmdline, sink.cmdline.data, sink.cmdline.len);
		if (e < 0)
			e = pk_err(r->ctx, e == -ENOMEM ? e : -EPROTO,
				   "add-on %u (%s): initrd or command line too large", idx,
				   ad->name);
	}
	pk_sink_free(&sink);
	return e;
}

/*
 * Is the user's line the image's own?  systemd 252 passes a UKI's .cmdline
 * back as --append (docs/kexec.md), so a line equal to the image's (main
 * stages, before add-ons) or to its final line (with add-ons), after
 * white-space normalisation, is not an override.
 */
static bool user_is_image_cmdline(const struct run *r, const char *user,
				  const struct pk_buf *final)
{
	size_t n = strlen(user);

	return pk_cmdline_is_equal(user, n, (const char *)r->cmdline.data, r->cmdline.len) ||
	       pk_cmdline_is_equal(user, n, (const char *)final->data, final->len);
}

/* 4. Command line: the user's next to the image's. */
static int decide_cmdline(struct run *r, struct pk_pipeline_result *res)
{
	const char *user = r->user_cmdline;
	struct pk_buf image = { 0 }, out = { 0 };
	bool has_user = user && user[0];
	int e;

	/* the image's own final line: main stages', then add-ons' */
	e = pk_buf_append(&image, r->cmdline.data, r->cmdline.len);
	if (!e)
		e = append_text(&image, r->addon_cmdline.data, r->addon_cmdline.len);
	if (e < 0)
		goto fail;
	if (has_user && r->cmdline.len && user_is_image_cmdline(r, user, &image)) {
		pk_info(r->ctx, "%s: the user command line is the image's own: not an override",
			r->img->name);
		has_user = false;
	}
	if (has_user && r->cmdline.len) {
		if (r->enforcing) {
			pk_buf_free(&image);
			return pk_err(r->ctx, -EPERM,
				      "%s: the image has a command line and a different user command line was given: refused under signature enforcement (drop --command-line/--append)",
				      r->img->name);
		}
		pk_warn(r->ctx, "%s: the user command line replaces the image's", r->img->name);
	}
	if (has_user) {
		e = pk_buf_append(&out, user, strlen(user));
		if (!e)
			e = append_text(&out, r->addon_cmdline.data, r->addon_cmdline.len);
		res->cmdline_source = PK_SOURCE_USER;
	} else {
		e = pk_buf_append(&out, image.data, image.len);
		res->cmdline_source = image.len ? PK_SOURCE_IMAGE : PK_SOURCE_NONE;
	}
	if (!e)
		e = pk_buf_append(&out, "", 1);
	if (e < 0)
		goto fail;
	pk_buf_free(&image);
	res->cmdline = (char *)pk_buf_steal(&out, NULL);
	return 0;
fail:
	pk_buf_free(&image);
	pk_buf_free(&out);
	return pk_err(r->ctx, e == -ENOMEM ? e : -EPROTO,
		      "%s: the command line exceeds %u bytes", r->img->name,
		      PK_PIPELINE_MAX_CMDLINE);
}

/*
 * 4. Initrd, systemd-stub's order: add-ons' early pieces (.ucode, the
 * last add-on's first), the image's early pieces, the user's initrd, the
 * image's late pieces (.initrd), the generated archives (sidecars,
 * .pcrsig, .pcrpkey, .osrel, .profile), the add-ons' late pieces.
 */
static int decide_initrd(struct run *r, struct pk_pipeline_result *res)
{
	enum { NFIXED = 5 }; /* addon_early, early, user, late, addon_late */
	struct pk_buf **parts;
	struct pk_buf user = { 0 }, out = { 0 }, early = { 0 }, late = { 0 };
	bool has_user = r->opts->initrd && r->opts->initrd_len;
	bool has_image = r->early.len || r->late.len;
	size_t i, nparts = NFIXED + r->ngen, nonempty = 0, first_gen = 4;
	int e = 0;

	if (has_user && has_image && r->enforcing)
		return pk_err(r->ctx, -EPERM,
			      "%s: the image has an initrd and a user initrd was given: refused under signature enforcement (drop --initrd)",
			      r->img->name);
	parts = calloc(nparts, sizeof(*parts));
	if (!parts)
		return -ENOMEM;
	/* Views, never freed or written here: user.data is the caller's,
	 * early and late may be ranges of the caller's image. */
	user.data = (uint8_t *)r->opts->initrd;
	user.len = has_user ? r->opts->initrd_len : 0;
	early.data = (uint8_t *)r->early.data;
	early.len = r->early.len;
	late.data = (uint8_t *)r->late.data;
	late.len = r->late.len;
	parts[0] = &r->addon_early;
	parts[1] = &early;
	parts[2] = &user;
	parts[3] = &late;
	for (i = 0; i < r->ngen; i++)
		parts[first_gen + i] = &r->gen[i];
	parts[nparts - 1] = &r->addon_late;
	for (i = 0; i < nparts; i++)
		nonempty += parts[i]->len != 0;
	res->initrd_source = has_user ? (has_image ? PK_SOURCE_BOTH : PK_SOURCE_USER) :
			     (has_image || r->ngen || r->addon_early.len || r->addon_late.len) ?
			     PK_SOURCE_IMAGE : PK_SOURCE_NONE;
	if (!nonempty)
		goto done;
	if (nonempty == 1 && !user.len) {
		/* The common case: one part, handed over without a copy
		 * (a generated archive then starts at offset 0). */
		for (i = 0; i < nparts; i++) {
			if (!parts[i]->len)
				continue;
			if (i >= first_gen && i - first_gen < r->ngen) {
				res->initrd_sha256_known = true;
				memcpy(res->initrd_sha256, r->cpios[i - first_gen].sha256,
				       PK_SHA256_LEN);
			} else if (i == 1 || i == 3) {
				const struct pk_digest *d = i == 1 ? &r->early_d : &r->late_d;

				res->initrd_sha256_known = d->known;
				memcpy(res->initrd_sha256, d->d, PK_SHA256_LEN);
				/* zero copy: may stay a range of the image */
				res->initrd = pk_span_steal(i == 1 ? &r->early : &r->late,
							    &res->initrd_len,
							    &res->initrd_alloc_);
				continue;
			}
			res->initrd = pk_buf_steal(parts[i], &res->initrd_len);
			res->initrd_alloc_ = (void *)res->initrd;
		}
		goto done;
	}
	for (i = 0; i < nparts && !e; i++) {
		e = pk_buf_append_piece(&out, parts[i]->data, parts[i]->len);
		if (!e && i >= first_gen && i - first_gen < r->ngen)
			r->cpios[i - first_gen].offset = out.len - parts[i]->len;
	}
	if (e < 0) {
		pk_buf_free(&out);
		free(parts);
		return pk_err(r->ctx, e == -ENOMEM ? e : -EPROTO,
			      "%s: the initrd exceeds %u bytes", r->img->name,
			      PK_PIPELINE_MAX_INITRD);
	}
	res->initrd = pk_buf_steal(&out, &res->initrd_len);
	res->initrd_alloc_ = (void *)res->initrd;
done:
	free(parts);
	return 0;
}

static int run(struct run *r, struct pk_pipeline_result *res)
{
	enum pk_sig_state state;
	char signer1[256];
	size_t i;
	int e;

	e = pk_user_cmdline(r->opts->cmdline, &r->user_cmdline, &r->profile);
	if (e < 0)
		return e;
	if (r->opts->cmdline) {
		r->user_raw = strdup(r->opts->cmdline);
		if (!r->user_raw)
			return -ENOMEM;
	}

	e = verify_envelope(r, &state, signer1);
	if (e < 0)
		return e;

	e = run_stages(r, state, signer1);
	if (e < 0)
		return e;

	for (i = 0; i < r->opts->naddons; i++) {
		e = run_addon(r, i);
		if (e < 0)
			return e;
	}

	/* The stub's order: sidecar archives, then .pcrsig, .pcrpkey. */
	e = pk_stub_sidecar_cpios(r->ctx, r->opts->sidecars, r->opts->nsidecars, &r->cpios,
				  &r->gen, &r->ngen);
	if (e < 0)
		return e;
	if (!r->opts->no_stub_cpios) {
		e = pk_stub_cpios(r->ctx, r->img->name, r->pe1, r->profile, &r->cpios,
				  &r->gen, &r->ngen);
		if (e < 0)
			return e;
	}

	e = decide_cmdline(r, res);
	if (!e)
		e = decide_initrd(r, res);
	if (e < 0)
		return e;

	/* run_stages() ends on the last main stage's kernel (nmain >= 1) */
	memcpy(res->kernel_sha256, r->recs[r->nmain - 1].kernel_out_sha256, PK_SHA256_LEN);
	res->kernel = pk_span_steal(&r->kernel, &res->kernel_len, &res->kernel_alloc_);
	res->enforcing = r->enforcing;
	res->profile = r->profile;
	res->stages = PK_TAKE_PTR(r->recs);
	res->nstages = r->nrecs;
	res->nmain = r->nmain;
	r->nrecs = 0;
	res->cpios = PK_TAKE_PTR(r->cpios);
	res->ncpios = r->ngen;
	return 0;
}

int pk_pipeline_run_with(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
			 const struct pk_pipeline_opts *opts, pk_exec_fn exec,
			 struct pk_pipeline_result *ret)
{
	static const struct pk_pipeline_opts defaults = { 0 };
	struct run r = { 0 };
	int e;

	memset(ret, 0, sizeof(*ret));
	if (!opts)
		opts = &defaults;
	if (!img || !img->data || !img->name || !exec)
		return pk_err(ctx, -EINVAL, "pipeline: no image");
	if (opts->verify != PK_VERIFY_AUTO && opts->verify != PK_VERIFY_REQUIRE &&
	    opts->verify != PK_VERIFY_OFF)
		return pk_err(ctx, -EINVAL, "pipeline: unknown verify mode %d", (int)opts->verify);
	if (opts->naddons > ADDONS_MAX || (opts->naddons && !opts->addons))
		return pk_err(ctx, -EINVAL, "pipeline: at most %u add-ons", ADDONS_MAX);

	r.ctx = ctx;
	r.img = img;
	r.opts = opts;
	r.exec = exec;
	r.enforcing = opts->verify == PK_VERIFY_REQUIRE ||
		      (opts->verify == PK_VERIFY_AUTO && opts->lockdown);
	r.pe1 = pk_pe_new();
	r.pe = pk_pe_new();
	if (!r.pe1 || !r.pe) {
		e = -ENOMEM;
	} else {
		e = run(&r, ret);
	}
	if (e == -ENOMEM)
		pk_err(ctx, e, "%s: out of memory", img->name);
	if (e < 0)
		pk_pipeline_result_free(ret);
	run_free(&r);
	return e;
}

int pk_pipeline_run(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
		    const struct pk_pipeline_opts *opts,
		    struct pk_pipeline_result *ret)
{
	return pk_pipeline_run_with(ctx, img, opts, pk_exec_bpf, ret);
}
