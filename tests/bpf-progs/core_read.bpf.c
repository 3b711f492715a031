// SPDX-License-Identifier: MIT
/*
 * core_read.bpf.c - reads struct kexec_context through libbpf's CO-RE
 * read macros (BPF_CORE_READ, bpf_core_read: a relocated address handed to
 * bpf_probe_read_kernel) and echoes what it read as one COPY/CMDLINE
 * command: "kernel_sz=<N> cmdline=<user cmdline>" and COPY/INITRD of the
 * user initrd's first 16 bytes.
 */
#include "template.h"

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(parse_core_read, struct kexec_context *context, unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	unsigned long ksz, csz, isz;
	char *cmdline, *initrd, *buf, *p;
	char digits[20];
	int pos = 0, n = 0, i;

	ksz = BPF_CORE_READ(context, kernel_sz);
	cmdline = BPF_CORE_READ(context, cmdline);
	bpf_core_read(&csz, sizeof(csz), &context->cmdline_sz);
	initrd = BPF_CORE_READ(context, initrd);
	bpf_core_read(&isz, sizeof(isz), &context->initrd_sz);

	buf = bpf_ringbuf_reserve(&ringbuf_1, 4096, 0);
	if (!buf)
		return 0;
	pctx = bpf_get_parser_context(parser_id);
	if (!pctx) {
		bpf_ringbuf_discard(buf, 0);
		return 0;
	}
	p = buf + sizeof(struct cmd_hdr);
	__builtin_memcpy(p, "kernel_sz=", 10);
	pos = 10;
	do {
		digits[n++] = '0' + ksz % 10;
		ksz /= 10;
	} while (ksz && n < 20);
	for (i = n - 1; i >= 0 && pos < 64; i--)
		p[pos++] = digits[i];
	__builtin_memcpy(p + pos, " cmdline=", 9);
	pos += 9;
	if (cmdline && csz > 1 && csz < 1024 &&
	    !bpf_probe_read_kernel(p + pos, csz - 1, cmdline))
		pos += csz - 1;
	/*
	 * csz lives in a stack slot bpf_core_read() wrote through a helper:
	 * clang reloads it for the line above, and a verifier (the kernel's
	 * too: a helper-written slot is STACK_MISC) knows nothing of the
	 * reloaded value.  bpf_buffer_parser's buf__sz must be bounded, so
	 * bound pos where it is used, out of clang's sight (a mask: a
	 * compare would bound only a copy clang makes; the kernel links
	 * copies of a scalar, the sandbox does not).
	 */
	barrier_var(pos);
	pos &= 2047; /* pos <= 10 + 20 + 9 + 1023 already */
	((struct cmd_hdr *)buf)->cmd = KEXEC_BPF_CMD_COPY;
	((struct cmd_hdr *)buf)->subcmd = KEXEC_BPF_SUBCMD_CMDLINE;
	((struct cmd_hdr *)buf)->payload_len = pos;
	bpf_buffer_parser(buf, sizeof(struct cmd_hdr) + pos, pctx);

	if (initrd && isz >= 16 && !bpf_probe_read_kernel(p, 16, initrd)) {
		((struct cmd_hdr *)buf)->subcmd = KEXEC_BPF_SUBCMD_INITRD;
		((struct cmd_hdr *)buf)->payload_len = 16;
		bpf_buffer_parser(buf, sizeof(struct cmd_hdr) + 16, pctx);
	}
	bpf_put_parser_context(pctx);
	bpf_ringbuf_discard(buf, 0);
	return 0;
}
