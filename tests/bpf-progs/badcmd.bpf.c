// SPDX-License-Identifier: MIT
/*
 * badcmd.bpf.c - a program that sends what is not a command and then
 * carries on as if nothing happened: a COPY/KERNEL of the whole image and
 * a COPY/CMDLINE.  The stage must fail anyway, in both executors (the
 * kernel's bpf_buffer_parser() fails the stage on the first failing
 * command; so must the pipeline), and the later commands must do nothing.
 *
 * The user command line picks what goes wrong:
 *   starts with 'm'  a malformed record: payload_len 64 in a 16-byte buffer
 *   anything else    an unknown command, 0x7f/0x1, with an empty payload
 */
#include "template.h"

#define REC 64

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(parse_badcmd, struct kexec_context *context, unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	unsigned long image_sz = context->kernel_sz;
	char *image = context->kernel, *cmdline = context->cmdline;
	struct cmd_hdr *hdr;
	char *buf, first = 0;

	if (!image || !image_sz || image_sz > MAX_RECORD_SIZE - 8)
		return 0;
	if (cmdline && context->cmdline_sz)
		bpf_probe_read_kernel(&first, 1, cmdline);
	buf = bpf_ringbuf_reserve(&ringbuf_1, MAX_RECORD_SIZE, 0);
	if (!buf)
		return 0;
	pctx = bpf_get_parser_context(parser_id);
	if (!pctx) {
		bpf_ringbuf_discard(buf, 0);
		return 0;
	}
	hdr = (struct cmd_hdr *)buf;
	if (first == 'm') {
		hdr->cmd = KEXEC_BPF_CMD_COPY;
		hdr->subcmd = KEXEC_BPF_SUBCMD_CMDLINE;
		hdr->payload_len = REC;
		bpf_buffer_parser(buf, 16, pctx);
	} else {
		hdr->cmd = 0x7f;
		hdr->subcmd = KEXEC_BPF_SUBCMD_KERNEL;
		hdr->payload_len = 0;
		bpf_buffer_parser(buf, sizeof(*hdr), pctx);
	}
	/* ignore the error, as a careless program would */
	hdr->cmd = KEXEC_BPF_CMD_COPY;
	hdr->subcmd = KEXEC_BPF_SUBCMD_KERNEL;
	hdr->payload_len = image_sz;
	if (!bpf_probe_read_kernel(buf + sizeof(*hdr), image_sz, image))
		bpf_buffer_parser(buf, MAX_RECORD_SIZE, pctx);
	hdr->subcmd = KEXEC_BPF_SUBCMD_CMDLINE;
	hdr->payload_len = 4;
	__builtin_memcpy(buf + sizeof(*hdr), "bad", 4);
	bpf_buffer_parser(buf, sizeof(*hdr) + 4, pctx);
	bpf_put_parser_context(pctx);
	bpf_ringbuf_discard(buf, 0);
	return 0;
}
