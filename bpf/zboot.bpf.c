// SPDX-License-Identifier: MIT
/*
 * zboot.bpf.c - the parser program of EFI zboot images (arm64, riscv64,
 * loongarch64 vmlinuz.efi; Linux's drivers/firmware/efi/libstub/
 * zboot-header.S).  It runs as one stage: it checks the zboot header,
 * hands exactly the compressed payload to DECOMPRESS/KERNEL and checks
 * that the decompressed kernel has the size the image declares.
 *
 * Header (DESIGN.md §5):
 *	0x00 "MZ"   0x04 "zimg"   0x08 payload offset (le32)
 *	0x0c payload size (le32)  0x10 two reserved u32
 *	0x18 NUL-terminated compression name (up to 0x38)
 *	0x38 LINUX_PE_MAGIC       0x3c PE header offset
 * The payload size excludes the le32 decompressed size that
 * Makefile.zboot appends after the stream for every method but gzip; for
 * gzip that size is the stream's own ISIZE trailer.  The decompressed
 * Image is zero-padded to the declared size, so the two must be equal.
 *
 * The size check (docs/parsers.md, "Closing a DECOMPRESS stream"): after
 * the stream, the program sends an empty DECOMPRESS/KERNEL record; the
 * executor decompresses the stream then and bpf_buffer_parser() returns
 * the decompressed size.  Where the declared size lives stays here, with
 * the rest of the format.
 */
#include "parser.h"

#define ZB_HDR_LEN 0x40u
#define ZB_NAME_OFF 0x18u
#define ZB_NAME_LEN 0x20u

/* Compression names of Makefile.zboot and the magic each stream starts with. */
enum zb_comp { ZB_GZIP, ZB_LZ4, ZB_LZMA, ZB_LZO, ZB_XZ, ZB_ZSTD, ZB_UNKNOWN };

static __always_inline int name_is(const __u8 *name, const char *want, __u32 n)
{
	__u32 i;

	/* n <= 7 including the NUL: a short bounded loop. */
	for (i = 0; i < 7; i++) {
		if (i >= n)
			break;
		if (name[i] != (__u8)want[i])
			return 0;
	}
	return 1;
}

static __always_inline enum zb_comp comp_from_name(const __u8 *name)
{
	if (name_is(name, "gzip", 5))
		return ZB_GZIP;
	if (name_is(name, "lz4", 4))
		return ZB_LZ4;
	if (name_is(name, "lzma", 5))
		return ZB_LZMA;
	if (name_is(name, "lzo", 4))
		return ZB_LZO;
	if (name_is(name, "xzkern", 7))
		return ZB_XZ;
	if (name_is(name, "zstd22", 7))
		return ZB_ZSTD;
	return ZB_UNKNOWN;
}

/* Does the stream start with the magic of what the header names? */
static __always_inline int magic_ok(enum zb_comp comp, const __u8 *m)
{
	switch (comp) {
	case ZB_GZIP:
		return m[0] == 0x1f && m[1] == 0x8b;
	case ZB_LZ4: /* legacy frame, as the kernel's lz4 -l */
		return m[0] == 0x02 && m[1] == 0x21 && m[2] == 0x4c && m[3] == 0x18;
	case ZB_LZMA: /* lzma-alone: properties byte, le32 dictionary size */
		return m[0] < 225;
	case ZB_LZO: /* lzop */
		return m[0] == 0x89 && m[1] == 'L' && m[2] == 'Z' && m[3] == 'O';
	case ZB_XZ:
		return m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X';
	case ZB_ZSTD:
		return m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd;
	default:
		return 0;
	}
}

static __always_inline int parse_zboot(struct bpf_parser_context *pctx, char *rec,
				  const char *img, __u64 img_sz)
{
	__u8 hdr[ZB_HDR_LEN];
	__u8 magic[4];
	__u8 trailer[4];
	__u32 off, size, declared;
	__u64 size_at;
	enum zb_comp comp;
	int ret;

	if (img_sz < ZB_HDR_LEN)
		return -PARSER_ENOEXEC;
	if (bpf_probe_read_kernel(hdr, sizeof(hdr), img) < 0)
		return -PARSER_EFAULT;
	if (hdr[0] != 'M' || hdr[1] != 'Z' || hdr[4] != 'z' || hdr[5] != 'i' ||
	    hdr[6] != 'm' || hdr[7] != 'g') {
		parser_log("zboot: no MZ/zimg magic", 0, 0, 0);
		return -PARSER_ENOEXEC;
	}
	off = parser_le32(hdr + 0x08);
	size = parser_le32(hdr + 0x0c);
	comp = comp_from_name(hdr + ZB_NAME_OFF);
	if (comp == ZB_UNKNOWN) {
		parser_log("zboot: unknown compression name at 0x18", 0, 0, 0);
		return -PARSER_EPROTONOSUPPORT;
	}
	/* Subtraction form: nothing wraps. */
	if (off < ZB_HDR_LEN || off > img_sz || size < 4 || size > img_sz - off) {
		parser_log("zboot: payload 0x%x+0x%x outside the image (0x%lx)",
			   off, size, img_sz);
		return -PARSER_EBADMSG;
	}
	if (comp == ZB_GZIP) {
		size_at = (__u64)off + size - 4; /* ISIZE: the stream's last 4 bytes */
	} else {
		size_at = (__u64)off + size;     /* size_append, after the stream */
		if (size_at > img_sz - 4) {
			parser_log("zboot: no room for the size after the payload", 0, 0, 0);
			return -PARSER_EBADMSG;
		}
	}
	if (bpf_probe_read_kernel(trailer, sizeof(trailer), img + size_at) < 0 ||
	    bpf_probe_read_kernel(magic, sizeof(magic), img + off) < 0)
		return -PARSER_EFAULT;
	declared = parser_le32(trailer);
	if (!magic_ok(comp, magic)) {
		parser_log("zboot: payload does not start with the magic of its method", 0, 0, 0);
		return -PARSER_EBADMSG;
	}

	/* Exactly the compressed stream: [off, off + size). */
	ret = parser_send_range(pctx, rec, PARSER_DECOMPRESS_KERNEL, img + off, size);
	if (ret < 0)
		return ret;
	/* Close the stream: decompress now, get the size back. */
	ret = parser_send(pctx, rec, PARSER_DECOMPRESS_KERNEL, img, 0);
	if (ret < 0)
		return ret;
	if ((__u32)ret != declared) {
		parser_log("zboot: decompressed 0x%x bytes, the image declares 0x%x",
			   ret, declared, 0);
		return -PARSER_EBADMSG;
	}
	return 0;
}

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(zboot_parser, struct kexec_context *context,
	     unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	const char *img = context->kernel;
	char *rec;
	__u64 img_sz = context->kernel_sz;
	int ret;

	/* Without a context or a record no kernel comes out: the stage fails. */
	if (!img)
		return 0;
	pctx = bpf_get_parser_context(parser_id);
	if (!pctx)
		return 0;
	/* One record for the whole run (parser.h). */
	rec = bpf_ringbuf_reserve(&ringbuf_1, PARSER_RECORD, 0);
	if (!rec) {
		parser_log("zboot: no ring-buffer record", 0, 0, 0);
		bpf_put_parser_context(pctx);
		return 0;
	}
	ret = parse_zboot(pctx, rec, img, img_sz);
	if (ret < 0)
		parser_abort(pctx, rec, ret);
	bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
	bpf_put_parser_context(pctx);
	return 0; /* the only value an fentry program may return */
}
