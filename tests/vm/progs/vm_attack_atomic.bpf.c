// SPDX-License-Identifier: MIT
/*
 * vm_attack_atomic.bpf.c - an attack of the VM tests (issue 11, hole 4):
 * a program that runs in atomic context (a non-sleepable fentry program)
 * calls the parser kfuncs.  The verifier must refuse it: they are
 * sleepable and only for the parser run.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kexec_bpf/kexec_bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct bpf_parser_context {
};
extern struct bpf_parser_context *bpf_get_parser_context(unsigned long id) __ksym;
extern void bpf_put_parser_context(struct bpf_parser_context *ctx) __ksym;

SEC("fentry/kexec_image_parser_anchor")
int BPF_PROG(atomic, struct kexec_context *kctx, unsigned long parser_id)
{
	struct bpf_parser_context *pctx = bpf_get_parser_context(parser_id);

	if (pctx)
		bpf_put_parser_context(pctx);
	return 0;
}
