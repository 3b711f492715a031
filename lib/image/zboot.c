// SPDX-License-Identifier: MIT
/*
 * zboot.c - the EFI zboot header (drivers/firmware/efi/libstub/zboot-header.S)
 * that sits in the DOS header of an arm64/riscv64/loongarch64 vmlinuz.efi:
 *
 *	0x00 "MZ"   0x04 "zimg"   0x08 payload offset (le32)
 *	0x0c payload size (le32)  0x10 two reserved le32
 *	0x18 compression name, NUL-terminated (up to 0x38)
 *	0x38 LINUX_PE_MAGIC       0x3c PE header offset
 *
 * The decompressed size follows the payload as le32 for every method but
 * gzip, whose own ISIZE trailer (the payload's last 4 bytes) says it
 * (Makefile.zboot: zboot-size-len-y is 4, 0 for gzip).
 */
#include <inttypes.h>

#include "internal.h"
#include "pekexec/decompress.h"
#include "pekexec/pe.h"

#define ZB_MAGIC 0x04u
#define ZB_PAYLOAD_OFFSET 0x08u
#define ZB_PAYLOAD_SIZE 0x0cu
#define ZB_NAME 0x18u
#define ZB_NAME_END 0x38u
#define ZB_HDR_SIZE 0x40u
#define ZB_SIZE_LEN 4u

int pk_zboot_parse(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
		   struct pk_zboot *ret)
{
	const uint8_t *name, *nul;
	size_t size_at;

	memset(ret, 0, sizeof(*ret));
	if (!buf || len < ZB_MAGIC + 4 || memcmp(buf + ZB_MAGIC, "zimg", 4))
		return 0;
	if (len < ZB_HDR_SIZE)
		return pk_err(ctx, -EBADMSG,
			      "zboot header: file ends at 0x%zx, the header needs 0x%x bytes",
			      len, ZB_HDR_SIZE);

	ret->payload_offset = pk_get_le32(buf + ZB_PAYLOAD_OFFSET);
	ret->payload_size = pk_get_le32(buf + ZB_PAYLOAD_SIZE);

	name = buf + ZB_NAME;
	nul = memchr(name, '\0', ZB_NAME_END - ZB_NAME);
	if (!nul)
		return pk_err(ctx, -EBADMSG,
			      "zboot header: compression name at 0x%x is not NUL-terminated before 0x%x",
			      ZB_NAME, ZB_NAME_END);
	/* ZB_NAME_END - ZB_NAME = 32 < sizeof(comp_name). */
	memcpy(ret->comp_name, name, (size_t)(nul - name));
	ret->comp_name[nul - name] = '\0';
	ret->comp = pk_comp_from_zboot_name(ret->comp_name);
	if (ret->comp == PK_COMP_NONE)
		return pk_err(ctx, -EPROTONOSUPPORT,
			      "zboot header: unknown compression name \"%.32s\" at 0x%x (known: gzip, lz4, lzma, lzo, xzkern, zstd22)",
			      ret->comp_name, ZB_NAME);

	if (ret->payload_offset < ZB_HDR_SIZE)
		return pk_err(ctx, -EBADMSG,
			      "zboot header: payload offset 0x%" PRIx32 " (at 0x%x) lies inside the DOS header",
			      ret->payload_offset, ZB_PAYLOAD_OFFSET);
	if (!pk_range_ok(len, ret->payload_offset, ret->payload_size))
		return pk_err(ctx, -EBADMSG,
			      "zboot header: payload offset 0x%" PRIx32 " (at 0x%x) + payload size 0x%" PRIx32 " (at 0x%x) is beyond the end of the file (0x%zx)",
			      ret->payload_offset, ZB_PAYLOAD_OFFSET,
			      ret->payload_size, ZB_PAYLOAD_SIZE, len);

	if (ret->comp == PK_COMP_GZIP) {
		if (ret->payload_size < ZB_SIZE_LEN)
			return pk_err(ctx, -EBADMSG,
				      "zboot header: gzip payload size 0x%" PRIx32 " (at 0x%x) too small for its ISIZE trailer",
				      ret->payload_size, ZB_PAYLOAD_SIZE);
		size_at = (size_t)ret->payload_offset + ret->payload_size - ZB_SIZE_LEN;
	} else {
		/* Both fit in the file (checked above): no wrap. */
		size_at = (size_t)ret->payload_offset + ret->payload_size;
		if (!pk_range_ok(len, size_at, ZB_SIZE_LEN))
			return pk_err(ctx, -EBADMSG,
				      "zboot header: the le32 image size after the payload (at 0x%zx) is beyond the end of the file (0x%zx)",
				      size_at, len);
	}
	ret->image_size = pk_get_le32(buf + size_at);
	ret->image_size_offset = size_at;
	ret->present = true;
	return 0;
}
