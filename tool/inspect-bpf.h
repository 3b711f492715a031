/* SPDX-License-Identifier: MIT */
/*
 * inspect-bpf.h - what `pekexec inspect` says about an image's .bpf
 * program: the loaded program (form, name, instructions, maps, verifier
 * verdict) and the stage-by-stage result of running the pipeline on the
 * image with signature checks off.
 */
#ifndef PK_INSPECT_BPF_H
#define PK_INSPECT_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "pekexec/bpf.h"
#include "pekexec/ctx.h"
#include "pekexec/pipeline.h"

struct inspect_bpf {
	struct pk_bpf_program *prog; /* NULL: not loaded, see verdict */
	char verdict[1024];          /* "accepted" or why loading/verifying failed */
	bool ran;                    /* the pipeline succeeded */
	char run_error[1024];        /* why it failed, when !ran */
	struct pk_pipeline_result result;
};

/* Loads @bpf (the .bpf section of @path) and runs the pipeline on the whole
 * image.  Failures are recorded in @ret, not returned: they are facts about
 * the image.  Returns -ENOMEM only. */
int inspect_bpf_collect(struct pk_ctx *ctx, const char *path, const uint8_t *img,
			size_t len, const uint8_t *bpf, size_t bpf_len,
			struct inspect_bpf *ret);
void inspect_bpf_free(struct inspect_bpf *b);

/* Members "program" and "stages" of the "bpf" object. */
void inspect_bpf_json(struct json *j, const struct inspect_bpf *b);
void inspect_bpf_text(const struct inspect_bpf *b);

#endif
