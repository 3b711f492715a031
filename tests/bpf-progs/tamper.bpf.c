// SPDX-License-Identifier: MIT
/*
 * tamper.bpf.c - a program that changes its records around what it read
 * from the image, for the pipeline's zero copy (docs/pipeline.md "Zero
 * copy"): the sandbox tells the pipeline where a payload was read from,
 * and the pipeline may keep a reference to the image instead of the
 * payload only if the bytes are equal when the program hands them over.
 * Every mode sends COPY/KERNEL records of the image at OFF; the user
 * command line's first byte picks what the program does to them:
 *
 *   n  nothing: [OFF, +2 LEN) in two records (a range: zero copy)
 *   b  the record's byte 7 inverted after the read, before the send
 *   c  an honest record [OFF, +LEN), then [OFF + LEN, +LEN) with byte 7
 *      inverted after the read
 *   a  [OFF, +LEN) sent, then byte 7 inverted in the same record and the
 *      record sent again as COPY/INITRD (the kernel keeps what was sent)
 *   p  [OFF, +LEN) read, then 16 bytes of [OFF + LEN, +16) read over its
 *      first 16 bytes, and sent
 */
#include "template.h"

#define OFF 4096
#define LEN 8192
#define HDR 8

static __always_inline int send(char *buf, __u16 sub, struct bpf_parser_context *pctx)
{
	struct cmd_hdr *hdr = (struct cmd_hdr *)buf;

	hdr->cmd = KEXEC_BPF_CMD_COPY;
	hdr->subcmd = sub;
	hdr->payload_len = LEN;
	return bpf_buffer_parser(buf, HDR + LEN, pctx);
}

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(parse_tamper, struct kexec_context *context, unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	unsigned long image_sz = context->kernel_sz;
	char *image = context->kernel, *cmdline = context->cmdline;
	char *buf, mode = 'n';

	if (!image || image_sz < OFF + 2 * LEN)
		return 0;
	if (cmdline && context->cmdline_sz)
		bpf_probe_read_kernel(&mode, 1, cmdline);
	buf = bpf_ringbuf_reserve(&ringbuf_1, HDR + LEN, 0);
	if (!buf)
		return 0;
	pctx = bpf_get_parser_context(parser_id);
	if (!pctx) {
		bpf_ringbuf_discard(buf, 0);
		return 0;
	}
	if (bpf_probe_read_kernel(buf + HDR, LEN, image + OFF) < 0)
		goto out;
	if (mode == 'b') {
		buf[HDR + 7] ^= 0xff;
	} else if (mode == 'c') {
		send(buf, KEXEC_BPF_SUBCMD_KERNEL, pctx);
		if (bpf_probe_read_kernel(buf + HDR, LEN, image + OFF + LEN) < 0)
			goto out;
		buf[HDR + 7] ^= 0xff;
	} else if (mode == 'a') {
		send(buf, KEXEC_BPF_SUBCMD_KERNEL, pctx);
		buf[HDR + 7] ^= 0xff;
		send(buf, KEXEC_BPF_SUBCMD_INITRD, pctx);
		goto out;
	} else if (mode == 'p') {
		if (bpf_probe_read_kernel(buf + HDR, 16, image + OFF + LEN) < 0)
			goto out;
	} else {
		send(buf, KEXEC_BPF_SUBCMD_KERNEL, pctx);
		if (bpf_probe_read_kernel(buf + HDR, LEN, image + OFF + LEN) < 0)
			goto out;
	}
	send(buf, KEXEC_BPF_SUBCMD_KERNEL, pctx);
out:
	bpf_put_parser_context(pctx);
	bpf_ringbuf_discard(buf, 0);
	return 0;
}
