// SPDX-License-Identifier: MIT
/*
 * sections.bpf.c - exercises what the ELF loader must get right besides
 * maps: .rodata (a const table and strings), .data (initialised counters),
 * .bss (zeroed scratch), string literals, bpf-to-bpf calls of static and
 * global subprograms, arrays, and COPY commands.
 *
 * On an image of N >= 64 bytes it issues, in order:
 *   COPY/CMDLINE  "pekexec.test=1 sum=<S> calls=<C>"  (see below)
 *   COPY/INITRD   the image's first 64 bytes
 *   COPY/KERNEL   the whole image
 * S = sum of weights[] (.rodata) = 1+2+...+8 = 36, plus the .data
 * bias 100: 136.  C counts subprogram calls, starting from .data's 40:
 * emit() runs 3 times and put_num() twice, so C = 45.  prefix is a const
 * volatile global, so it is read from the .rodata map at run time.
 */
#include "template.h"

static const unsigned int weights[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static unsigned int bias = 100;
static unsigned int calls = 40;
static char scratch[64];
const volatile char prefix[] = "pekexec.test=1";

/* Decimal digits of @v at @dst (room for 8); returns how many. */
static __attribute__((noinline)) unsigned long put_num(char *dst, unsigned int v)
{
	unsigned long k = 0;
	unsigned int div, d;

	calls++;
	for (div = 100000; div; div /= 10) {
		d = v / div % 10;
		if (d || k || div == 1) {
			dst[k & 7] = '0' + d;
			k++;
		}
	}
	return k;
}

__attribute__((noinline)) int emit(char *buf, unsigned int subcmd, unsigned int len,
				   struct bpf_parser_context *pctx)
{
	struct cmd_hdr *cmd = (struct cmd_hdr *)buf;

	calls++;
	cmd->cmd = KEXEC_BPF_CMD_COPY;
	cmd->subcmd = subcmd;
	cmd->payload_len = len;
	return bpf_buffer_parser(buf, sizeof(struct cmd_hdr) + len, pctx);
}

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(parse_sections, struct kexec_context *context, unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	unsigned int sum = 0, i, c;
	unsigned long pos;
	unsigned long image_sz;
	char *image, *buf, *p;
	int ret = 0;

	image = context->kernel;
	image_sz = context->kernel_sz;
	if (!image || image_sz < 64 || image_sz > MAX_RECORD_SIZE - 8)
		return 0;

	for (i = 0; i < 8; i++)
		sum += weights[i];
	sum += bias;

	buf = bpf_ringbuf_reserve(&ringbuf_1, MAX_RECORD_SIZE, 0);
	if (!buf)
		return 0;
	pctx = bpf_get_parser_context(parser_id);
	if (!pctx) {
		bpf_ringbuf_discard(buf, 0);
		return 0;
	}

	p = buf + sizeof(struct cmd_hdr);
	__builtin_memcpy(p, (const char *)prefix, sizeof(prefix) - 1);
	pos = sizeof(prefix) - 1;
	__builtin_memcpy(p + pos, " sum=", 5);
	pos += 5;
	pos += put_num(p + pos, sum) & 7;
	__builtin_memcpy(p + pos, " calls=", 7);
	pos += 7;
	/* emit() will run three times, put_num() once more after this read */
	c = calls + 4;
	pos += put_num(p + pos, c) & 7;
	scratch[0] = (char)(pos & 127);
	ret = emit(buf, KEXEC_BPF_SUBCMD_CMDLINE, scratch[0], pctx);
	if (ret < 0)
		goto out;

	if (bpf_probe_read_kernel(p, 64, image))
		goto out;
	ret = emit(buf, KEXEC_BPF_SUBCMD_INITRD, 64, pctx);
	if (ret < 0)
		goto out;

	if (bpf_probe_read_kernel(p, image_sz, image))
		goto out;
	ret = emit(buf, KEXEC_BPF_SUBCMD_KERNEL, image_sz, pctx);
out:
	bpf_put_parser_context(pctx);
	bpf_ringbuf_discard(buf, 0);
	return 0;
}
