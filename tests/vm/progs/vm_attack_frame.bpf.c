// SPDX-License-Identifier: MIT
/*
 * vm_attack_frame.bpf.c - a program of the VM tests (issue 11, hole 3):
 * a program of the parser's anchor asks for its arguments and the traced
 * function's address with bpf_get_func_arg_cnt(), bpf_get_func_arg() and
 * bpf_get_func_ip(), which the verifier inlines as loads below the
 * context.  Parser programs are not offered them (the user-space
 * executor has none), so the verifier must refuse it with a clear
 * message rather than let it read whatever lies there.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kexec_bpf/kexec_bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(frame, struct kexec_context *kctx, unsigned long parser_id)
{
	__u64 arg = 0;

	bpf_get_func_arg(ctx, 1, &arg);
	return bpf_get_func_arg_cnt(ctx) + bpf_get_func_ip(ctx) + arg;
}
