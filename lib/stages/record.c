// SPDX-License-Identifier: MIT
/* record.c - the per-stage record and freeing a pipeline result. */
#include "stages.h"

void pk_record_take(struct pk_stage_record *rec, struct pk_sink *s)
{
	rec->cmds = s->cmds;
	rec->ncmds = s->ncmds;
	s->cmds = NULL;
	s->ncmds = s->cmds_cap = 0;
	rec->kernel_out = s->kernel.len;
	if (s->kernel.len && s->kernel_d.known)
		memcpy(rec->kernel_out_sha256, s->kernel_d.d, PK_SHA256_LEN);
	else if (s->kernel.len && !s->no_digests)
		pk_sha256(s->kernel.data, s->kernel.len, rec->kernel_out_sha256);
	rec->initrd_out = s->early.len + s->late.len;
	rec->cmdline_out = s->cmdline.len;
}

void pk_record_free(struct pk_stage_record *rec)
{
	if (!rec)
		return;
	free(rec->image);
	free(rec->cmds);
	memset(rec, 0, sizeof(*rec));
}

void pk_pipeline_result_free(struct pk_pipeline_result *r)
{
	size_t i;

	if (!r)
		return;
	free(r->kernel_alloc_);
	free(r->initrd_alloc_);
	free(r->cmdline);
	for (i = 0; r->stages && i < r->nstages; i++)
		pk_record_free(&r->stages[i]);
	free(r->stages);
	for (i = 0; r->cpios && i < r->ncpios; i++)
		free(r->cpios[i].members);
	free(r->cpios);
	memset(r, 0, sizeof(*r));
}
