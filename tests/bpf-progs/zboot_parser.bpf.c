// SPDX-License-Identifier: MIT
/*
 * zboot_parser.bpf.c - unpack an EFI zboot image, in the style of the
 * upstream v6 posting's zboot parser: read the zboot header out of the
 * image into a ring-buffer reservation, check it, copy the compressed
 * payload behind a [struct cmd_hdr] and hand one DECOMPRESS/KERNEL command
 * to bpf_buffer_parser().  The context is read with CO-RE
 * (BPF_CORE_READ), so the program runs whatever the layout of
 * struct kexec_context in the vmlinux.h it was built against.
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
	unsigned int off, size, len;
	struct cmd_hdr *cmd;
	char *image, *buf;
	int ret;

	image = BPF_CORE_READ(context, kernel);
	image_sz = BPF_CORE_READ(context, kernel_sz);
	if (!image || image_sz < sizeof(struct zboot_header) ||
	    image_sz > MAX_RECORD_SIZE) {
		bpf_printk("zboot: image of %lu bytes not handled", image_sz);
		return 0;
	}

	buf = bpf_ringbuf_reserve(&ringbuf_1, MAX_RECORD_SIZE, 0);
	if (!buf)
		return 0;
	if (bpf_probe_read_kernel(buf, sizeof(struct zboot_header), image))
		goto discard;
	zh = (struct zboot_header *)buf;
	if (zh->image_type[0] != 'z' || zh->image_type[1] != 'i' ||
	    zh->image_type[2] != 'm' || zh->image_type[3] != 'g') {
		bpf_printk("zboot: no zimg magic");
		goto discard;
	}
	off = zh->payload_offset;
	size = zh->payload_size;
	bpf_printk("zboot: payload at 0x%x, 0x%x bytes, %s", off, size, zh->comp_type);
	if (size < 4 || off > image_sz || size > image_sz - off ||
	    size > MAX_RECORD_SIZE - sizeof(struct cmd_hdr)) {
		bpf_printk("zboot: payload outside the image");
		goto discard;
	}
	len = size;
	if (zh->comp_type[0] != 'g' || zh->comp_type[1] != 'z' ||
	    zh->comp_type[2] != 'i' || zh->comp_type[3] != 'p' || zh->comp_type[4])
		len = size - 4; /* strip the appended decompressed size */
	if (!len)
		goto discard;

	cmd = (struct cmd_hdr *)buf;
	cmd->cmd = KEXEC_BPF_CMD_DECOMPRESS;
	cmd->subcmd = KEXEC_BPF_SUBCMD_KERNEL;
	cmd->payload_len = len;
	if (bpf_probe_read(buf + sizeof(struct cmd_hdr), len, image + off))
		goto discard;

	pctx = bpf_get_parser_context(parser_id);
	if (!pctx) {
		bpf_printk("zboot: no parser context");
		goto discard;
	}
	ret = bpf_buffer_parser(buf, sizeof(struct cmd_hdr) + len, pctx);
	bpf_put_parser_context(pctx);
	if (ret < 0)
		bpf_printk("zboot: decompression failed: %d", ret);
discard:
	bpf_ringbuf_discard(buf, BPF_RB_NO_WAKEUP);
	return 0;
}
