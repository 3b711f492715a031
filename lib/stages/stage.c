// SPDX-License-Identifier: MIT
/*
 * stage.c - one stage: take the image's .bpf section, run it with the
 * stage's input (the image as ctx->kernel, the user's initrd and command
 * line, already private copies, read-only to the program), collect its
 * commands, and decide whether the stage succeeded.
 *
 * A stage fails when the program is rejected or faults, when it returns
 * anything but 0, or when any of its commands failed, even if the program
 * ignored that: a stage never yields partial output.
 */
#include <inttypes.h>
#include <stdio.h>

#include "kexec_bpf/kexec_bpf.h"
#include "pekexec/hash.h"
#include "stages.h"

static const char *what(const struct pk_stage_args *a)
{
	return a->addon ? "add-on" : "stage";
}

int pk_stage_run(struct pk_ctx *ctx, const struct pk_stage_args *a,
		 struct pk_sink *sink, struct pk_stage_record *rec)
{
	const struct pk_pe_section *bpf;
	struct pk_bpf_stage_input in = { 0 };
	struct pk_bpf_callbacks cb = { .on_command = pk_sink_command, .user = sink };
	struct pk_exec_info info;
	const uint8_t *prog;
	size_t prog_len;
	int r, r0;

	pk_sink_init(sink, ctx, a->label, a->addon);
	sink->no_digests = a->no_digests;
	if (a->borrow) {
		sink->img = a->img;
		sink->img_len = a->len;
	}
	memset(rec, 0, sizeof(*rec));
	rec->index = a->index;
	rec->addon = a->addon;
	rec->image = strdup(a->label);
	if (!rec->image)
		return -ENOMEM;
	rec->image_len = a->len;
	if (a->img_sha256)
		memcpy(rec->image_sha256, a->img_sha256, PK_SHA256_LEN);
	else if (!a->no_digests)
		pk_sha256(a->img, a->len, rec->image_sha256);

	/*
	 * A zboot payload that declares more than a stage may produce is a
	 * bomb: refuse it before its program hands the stream over, rather
	 * than decompress up to the limit first (inspect runs this too).
	 */
	if (a->pe->zboot.present && a->pe->zboot.image_size > PK_PIPELINE_MAX_KERNEL)
		return pk_err(ctx, -EPROTO,
			      "%s %u (%s): zboot header: the %s payload declares a decompressed size of %" PRIu32 " bytes (le32 at 0x%zx), above the limit of %u bytes: refused before decompressing",
			      what(a), a->index, a->label, a->pe->zboot.comp_name,
			      a->pe->zboot.image_size, a->pe->zboot.image_size_offset,
			      PK_PIPELINE_MAX_KERNEL);

	bpf = pk_pe_find_section(a->pe, KEXEC_BPF_SECTION);
	if (bpf && bpf->data_size) {
		/* pk_pe_parse() checked the section's range against the file. */
		prog = a->img + bpf->data_offset;
		prog_len = bpf->data_size;
	} else if (a->addon && a->main_prog && a->main_prog_len) {
		/*
		 * Add-ons as ukify or objcopy on the stub build them carry
		 * .cmdline/.initrd/.ucode and no program: the main image's
		 * signed parser program reads them (docs/pipeline.md §3).
		 */
		prog = a->main_prog;
		prog_len = a->main_prog_len;
	} else {
		return pk_err(ctx, -ENOEXEC, "%s %u (%s): no .bpf section: no parser program to run",
			      what(a), a->index, a->label);
	}
	rec->prog_len = prog_len;
	if (!a->no_digests)
		pk_sha256(prog, prog_len, rec->prog_sha256);

	in.kernel = a->img;
	in.kernel_len = a->len;
	in.initrd = a->initrd;
	in.initrd_len = a->initrd ? a->initrd_len : 0;
	/* As kexec_file_load() passes it: the length includes the NUL. */
	in.cmdline = (const uint8_t *)a->cmdline;
	in.cmdline_len = a->cmdline ? strlen(a->cmdline) + 1 : 0;
	in.kdump = a->kdump;
	in.parser_id = a->index;

	r = a->exec(ctx, a->label, prog, prog_len, &in, &cb, &info);
	snprintf(rec->prog_name, sizeof(rec->prog_name), "%s", info.name);
	rec->prog_insns = info.insns;
	rec->insn_count = info.insn_count;
	if (r < 0 && sink->failed)
		return pk_err(ctx, sink->policy ? -EPERM : -EPROTO,
			      "%s %u (%s): %s", what(a), a->index, a->label, sink->why);
	if (r < 0)
		return pk_err_prefix(ctx, r == -ENOMEM ? r : -EPROTO,
				     "%s %u (%s): parser program", what(a), a->index,
				     a->label);
	r0 = (int)(int32_t)info.r0;
	if (sink->failed)
		return pk_err(ctx, sink->policy ? -EPERM : -EPROTO,
			      "%s %u (%s): %s", what(a), a->index, a->label, sink->why);
	/*
	 * The verifier lets a parser program return only 0 (an fentry
	 * program); this catches an executor that does not hold to that.
	 */
	if (info.r0)
		return pk_err(ctx, -EPROTO,
			      "%s %u (%s): the parser program %s failed: it returned %d (%s)",
			      what(a), a->index, a->label, info.name, r0,
			      r0 < 0 ? strerror(-r0) : "not 0");
	r = pk_sink_finish(sink);
	if (r < 0)
		return pk_err(ctx, -EPROTO, "%s %u (%s): %s", what(a), a->index,
			      a->label, sink->why);
	pk_record_take(rec, sink);
	return 0;
}
