// SPDX-License-Identifier: MIT
/*
 * zboot_parser.bpf.c - unpack an EFI zboot image, in the style of the
 * upstream v6 posting's zboot parser: read the zboot header out of the
 * image into a ring-buffer reservation, check it, copy the compressed
 * payload behind a [struct cmd_hdr] and hand one DECOMPRESS/KERNEL command
 * to bpf_buffer_parser().  The context is read as upstream reads it,
 * context->kernel: vmlinux.h marks struct kexec_context
 * preserve_access_index, so each load carries a CO-RE relocation and the
 * program runs whatever the layout in the vmlinux.h it was built against
 * (core_read.bpf.c does the same through BPF_CORE_READ).
 *
 * Unlike upstream, a gzip payload is passed whole (its ISIZE trailer is
 * part of the stream); other methods carry an appended le32 size that is
 * stripped (DESIGN.md §5).
 */
#include "template.h"

/* drivers/firmware/efi/libstub/zboot-header.S */
struct zboot_header {
	unsigned int mz_magic;
	char image_type[4];
	unsigned int payload_offset;
	unsigned int payload_size;
	unsigned int reserved[2];
	char comp_type[32];
} __attribute__((packed));

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(parse_zboot, struct kexec_context *context, unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	struct zboot_header *zh;
	unsigned long image_sz;
	unsigned long off, size, len;
	struct cmd_hdr *cmd;
	char *image, *buf;
	int ret;

	image = context->kernel;
	image_sz = context->kernel_sz;
	if (!image || image_sz < sizeof(struct zboot_header) ||
	    image_sz > MAX_RECORD_SIZE)
		return 0;

	buf = bpf_ringbuf_reserve(&ringbuf_1, MAX_RECORD_SIZE, 0);
	if (!buf)
		return 0;
	if (bpf_probe_read_kernel(buf, sizeof(struct zboot_header), image))
		goto discard;
	zh = (struct zboot_header *)buf;
	if (zh->image_type[0] != 'z' || zh->image_type[1] != 'i' ||
	    zh->image_type[2] != 'm' || zh->image_type[3] != 'g')
		goto discard;
	off = zh->payload_offset;
	size = zh->payload_size;
	bpf_printk("zboot: payload at 0x%x, 0x%x bytes, image 0x%lx", off, size, image_sz);
	if (size < 4 || off > image_sz || size > image_sz - off ||
	    size > MAX_RECORD_SIZE - sizeof(struct cmd_hdr))
		goto discard;
	len = size;
	if (zh->comp_type[0] != 'g' || zh->comp_type[1] != 'z' ||
	    zh->comp_type[2] != 'i' || zh->comp_type[3] != 'p' || zh->comp_type[4])
		len = size - 4; /* strip the appended decompressed size */
	/* keep a 64-bit bound check next to the use, for the verifier */
	asm volatile("" : "+r"(len));
	if (!len || len > MAX_RECORD_SIZE - sizeof(struct cmd_hdr))
		goto discard;

	cmd = (struct cmd_hdr *)buf;
	cmd->cmd = KEXEC_BPF_CMD_DECOMPRESS;
	cmd->subcmd = KEXEC_BPF_SUBCMD_KERNEL;
	cmd->payload_len = len;
	if (bpf_probe_read(buf + sizeof(struct cmd_hdr), len, image + off))
		goto discard;

	pctx = bpf_get_parser_context(parser_id);
	if (!pctx)
		goto discard;
	ret = bpf_buffer_parser(buf, sizeof(struct cmd_hdr) + len, pctx);
	bpf_put_parser_context(pctx);
	if (ret < 0)
		bpf_printk("zboot: decompression failed: %d (payload 0x%x of 0x%x)", ret, len, size);
discard:
	bpf_ringbuf_discard(buf, BPF_RB_NO_WAKEUP);
	return 0;
}
