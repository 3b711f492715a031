// SPDX-License-Identifier: MIT
/*
 * fuzz-pipeline.c - property: whatever image comes in, pk_pipeline_run()
 * either succeeds with a complete result or fails with an empty one and a
 * message, without memory errors or leaks.  The whole pipeline runs for
 * real (PE parsing, the image's own .bpf loaded and verified by the
 * sandbox, its commands, decompression, policy); signatures are not
 * checked (--verify off) so the fuzzer reaches the programs.
 *
 * And pk_pipeline_route() agrees with it (fail closed): an image it
 * refuses, the pipeline refuses with the same error and message; an image
 * it calls plain, the pipeline refuses (-ENOEXEC: nothing to unpack); an
 * image the pipeline unpacks, it routes to the pipeline.
 *
 * Seeds: a UKI and zboot images written by tests/t-pipeline-mutate.sh into
 * $BUILD/fuzz-seeds/fuzz-pipeline/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pekexec/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_pipeline_image img = { "fuzz.efi", data, size };
	struct pk_pipeline_opts o = { .verify = PK_VERIFY_OFF };
	struct pk_pipeline_result r = { 0 };
	struct pk_route_opts ro = { 0 };
	enum pk_route route = PK_ROUTE_PLAIN;
	char *msg = NULL;
	int e, re;

	if (!ctx)
		return 0;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	/* the last byte picks a user command line, to reach the @N path */
	if (size && (data[size - 1] & 1))
		o.cmdline = (data[size - 1] & 2) ? "@1 quiet" : "root=/dev/vda";
	/* and zero copy (data outlives r) */
	o.borrow_image = size && (data[size - 1] & 4);
	ro.kernel_bpf = PK_KERNEL_BPF_NO; /* never read the host's BTF */
	re = pk_pipeline_route(ctx, &img, &ro, &route);
	if (re < 0) {
		msg = strdup(pk_ctx_errmsg(ctx));
		if (!msg)
			abort();
	}
	e = pk_pipeline_run(ctx, &img, &o, &r);
	if (re < 0 && (e != re || strcmp(msg, pk_ctx_errmsg(ctx))))
		abort(); /* route refused it: the pipeline in the same words */
	if (!re && route == PK_ROUTE_PLAIN && e != -ENOEXEC)
		abort(); /* plain: nothing for the pipeline to unpack */
	if (!e && (re || route != PK_ROUTE_PIPELINE))
		abort();
	free(msg);
	if (e < 0 && (r.kernel || r.stages || r.cmdline || !pk_ctx_errmsg(ctx)[0]))
		abort(); /* a failure must leave nothing and say why */
	if (!e && (!r.kernel || !r.kernel_len || !r.cmdline || !r.nstages))
		abort(); /* a success is complete */
	pk_pipeline_result_free(&r);
	pk_ctx_free(ctx);
	return 0;
}
