// SPDX-License-Identifier: MIT
/*
 * vm_attack_helper.bpf.c - an attack of the VM tests (issue 11, hole 6):
 * a program of the parser's attach point reads kernel memory with a helper
 * that is not bounded to the stage's buffers, bpf_probe_read_kernel_str().
 * The verifier must refuse it: programs of the anchor get only the
 * helpers of the user-space executor, the reads bounded.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kexec_bpf/kexec_bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(unbounded, struct kexec_context *kctx, unsigned long parser_id)
{
	char buf[16];

	bpf_probe_read_kernel_str(buf, sizeof(buf),
				  (void *)((unsigned long)kctx + 64));
	return 0;
}
