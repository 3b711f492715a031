// SPDX-License-Identifier: MIT
/*
 * reject_null.bpf.c - a parser program every verifier must refuse: it
 * writes through a ring-buffer reservation without testing it for NULL.
 * t-bpf-verify.sh checks that the refusal cites the marked source line.
 */
#include "template.h"

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(parse_reject, struct kexec_context *context, unsigned long parser_id)
{
	char *buf;

	buf = bpf_ringbuf_reserve(&ringbuf_1, 64, 0);
	buf[0] = 1; /* REJECT-HERE: buf may be NULL */
	bpf_ringbuf_discard(buf, 0);
	return 0;
}
