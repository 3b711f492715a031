// SPDX-License-Identifier: MIT
/*
 * pe-new.c - PE32+ images written from scratch: the minimal UKI stub (used
 * when systemd's stub is not installed) and the frame of an EFI zboot
 * image.  Both are a DOS header, PE header, optional header, a section
 * table and FileAlignment-aligned section data; further sections are added
 * with pk_pe_add_sections().
 */
#include <inttypes.h>

#include "internal.h"
#include "pekexec/authenticode.h"
#include "pekexec/build.h"

#define DOS_E_LFANEW 0x3cu
#define PE_HDR 0x40u
#define OPT_HDR (PE_HDR + 24u)
#define NDIRS_PE32PLUS 16u
#define OPT_SIZE_PE32PLUS (112u + 8u * NDIRS_PE32PLUS)

#define IMAGE_FILE_EXECUTABLE_IMAGE 0x0002u
#define IMAGE_FILE_LINE_NUMS_STRIPPED 0x0004u
#define IMAGE_FILE_DEBUG_STRIPPED 0x0200u
#define IMAGE_SUBSYSTEM_EFI_APPLICATION 10u
#define IMAGE_DLLCHARACTERISTICS_NX_COMPAT 0x0100u

/* One section of a new image. */
struct new_section {
	const char *name;
	uint32_t va, vsize, raw_ptr, raw_size, characteristics;
};

/* The fields of a new image's headers that differ between our images. */
struct new_image {
	uint16_t machine;
	uint32_t ndirs;
	uint32_t size_of_code, size_of_init_data;
	uint32_t entry, base_of_code;
	uint32_t section_alignment, file_alignment;
	uint32_t size_of_image, size_of_headers;
	uint16_t major_image_version, minor_image_version;
	unsigned int nsections;
	const struct new_section *sections;
};

/*
 * Writes the headers of @img into @o (at least size_of_headers bytes,
 * zeroed).  The caller has placed everything below size_of_headers.
 */
static void write_headers(const struct new_image *img, uint8_t *o)
{
	uint32_t opt_size = 112u + 8u * img->ndirs;
	uint8_t *p = o + PE_HDR, *opt = o + OPT_HDR, *t;
	unsigned int i;

	o[0] = 'M';
	o[1] = 'Z';
	pk_put_le32(o + DOS_E_LFANEW, PE_HDR);
	memcpy(p, "PE\0\0", 4);
	pk_put_le16(p + 4, img->machine);
	pk_put_le16(p + 6, (uint16_t)img->nsections);
	pk_put_le16(p + 20, (uint16_t)opt_size);
	pk_put_le16(p + 22, IMAGE_FILE_DEBUG_STRIPPED | IMAGE_FILE_EXECUTABLE_IMAGE |
				    IMAGE_FILE_LINE_NUMS_STRIPPED);
	pk_put_le16(opt + 0, PK_PE_MAGIC_PE32PLUS);
	pk_put_le32(opt + 4, img->size_of_code);
	pk_put_le32(opt + 8, img->size_of_init_data);
	pk_put_le32(opt + 16, img->entry);
	pk_put_le32(opt + 20, img->base_of_code);
	pk_put_le32(opt + 32, img->section_alignment);
	pk_put_le32(opt + 36, img->file_alignment);
	pk_put_le16(opt + 44, img->major_image_version);
	pk_put_le16(opt + 46, img->minor_image_version);
	pk_put_le32(opt + 56, img->size_of_image);
	pk_put_le32(opt + 60, img->size_of_headers);
	pk_put_le16(opt + 68, IMAGE_SUBSYSTEM_EFI_APPLICATION);
	pk_put_le16(opt + 70, IMAGE_DLLCHARACTERISTICS_NX_COMPAT);
	pk_put_le32(opt + 108, img->ndirs);
	t = opt + opt_size;
	for (i = 0; i < img->nsections; i++, t += 40) {
		const struct new_section *s = &img->sections[i];

		memcpy(t, s->name, strlen(s->name));
		pk_put_le32(t + 8, s->vsize);
		pk_put_le32(t + 12, s->va);
		pk_put_le32(t + 16, s->raw_size);
		pk_put_le32(t + 20, s->raw_ptr);
		pk_put_le32(t + 36, s->characteristics);
	}
}

static void set_checksum(uint8_t *o, size_t len)
{
	uint32_t at = OPT_HDR + 64;

	pk_put_le32(o + at, 0);
	pk_put_le32(o + at, pk_pe_checksum(o, len, at));
}

/*
 * The entry point of the minimal stub, per machine: return
 * EFI_UNSUPPORTED (0x8000000000000003) to the firmware.
 */
static const uint8_t code_x86_64[] = {
	0x48, 0xb8, 0x03, 0, 0, 0, 0, 0, 0, 0x80, /* movabs $0x8000000000000003, %rax */
	0xc3,                                     /* ret */
};
static const uint8_t code_arm64[] = {
	0x60, 0x00, 0x80, 0xd2, /* movz x0, #3 */
	0x00, 0x00, 0xf0, 0xf2, /* movk x0, #0x8000, lsl #48 */
	0xc0, 0x03, 0x5f, 0xd6, /* ret */
};
static const uint8_t code_riscv64[] = {
	0x13, 0x05, 0x10, 0x00, /* addi a0, zero, 1 */
	0x13, 0x15, 0xf5, 0x03, /* slli a0, a0, 63 */
	0x13, 0x05, 0x35, 0x00, /* addi a0, a0, 3 */
	0x67, 0x80, 0x00, 0x00, /* ret */
};
static const uint8_t code_loongarch64[] = {
	0x04, 0x00, 0x20, 0x03, /* lu52i.d $a0, $zero, -2048 */
	0x84, 0x0c, 0x80, 0x03, /* ori $a0, $a0, 3 */
	0x20, 0x00, 0x00, 0x4c, /* jirl $zero, $ra, 0 */
};

static int machine_code(struct pk_ctx *ctx, uint16_t machine,
			const uint8_t **ret, size_t *ret_len)
{
	switch (machine) {
	case PK_PE_MACHINE_X86_64:
		*ret = code_x86_64;
		*ret_len = sizeof(code_x86_64);
		return 0;
	case PK_PE_MACHINE_ARM64:
		*ret = code_arm64;
		*ret_len = sizeof(code_arm64);
		return 0;
	case PK_PE_MACHINE_RISCV64:
		*ret = code_riscv64;
		*ret_len = sizeof(code_riscv64);
		return 0;
	case PK_PE_MACHINE_LOONGARCH64:
		*ret = code_loongarch64;
		*ret_len = sizeof(code_loongarch64);
		return 0;
	default:
		return pk_err(ctx, -EINVAL,
			      "no stub for machine 0x%04x (known: x86_64, aarch64, riscv64, loongarch64)",
			      machine);
	}
}

uint16_t pk_build_machine_from_name(const char *name)
{
	if (!name)
		return 0;
	if (!strcmp(name, "x86_64"))
		return PK_PE_MACHINE_X86_64;
	if (!strcmp(name, "arm64") || !strcmp(name, "aarch64"))
		return PK_PE_MACHINE_ARM64;
	if (!strcmp(name, "riscv64"))
		return PK_PE_MACHINE_RISCV64;
	if (!strcmp(name, "loongarch64"))
		return PK_PE_MACHINE_LOONGARCH64;
	return 0;
}

/*
 * Minimal stub: headers in 0x400 bytes (room for 22 more section headers),
 * one .text section at RVA 0x1000 holding the entry point.
 */
#define STUB_HDRS 0x400u
#define STUB_FA 0x200u
#define STUB_SA 0x1000u

int pk_build_minimal_stub(struct pk_ctx *ctx, uint16_t machine,
			  struct pk_buf *ret_out)
{
	_pk_cleanup_buf_ struct pk_buf b = { 0 };
	const uint8_t *code = NULL;
	size_t code_len = 0;
	int r;

	r = machine_code(ctx, machine, &code, &code_len);
	if (r < 0)
		return r;
	const struct new_section text = {
		.name = ".text", .va = STUB_SA, .vsize = (uint32_t)code_len,
		.raw_ptr = STUB_HDRS, .raw_size = STUB_FA,
		.characteristics = PK_SCN_CNT_CODE | PK_SCN_MEM_EXECUTE | PK_SCN_MEM_READ,
	};
	const struct new_image img = {
		.machine = machine, .ndirs = NDIRS_PE32PLUS,
		.size_of_code = STUB_FA, .entry = STUB_SA, .base_of_code = STUB_SA,
		.section_alignment = STUB_SA, .file_alignment = STUB_FA,
		.size_of_image = 2 * STUB_SA, .size_of_headers = STUB_HDRS,
		.nsections = 1, .sections = &text,
	};

	r = pk_buf_append_zeros(&b, STUB_HDRS + STUB_FA);
	if (r < 0)
		return pk_err(ctx, r, "minimal stub: %s", strerror(-r));
	write_headers(&img, b.data);
	memcpy(b.data + STUB_HDRS, code, code_len);
	set_checksum(b.data, b.len);
	*ret_out = b;
	b = (struct pk_buf){ 0 };
	return 0;
}

/*
 * The zboot frame, as Linux 6.1's zboot-header.S and zboot.lds lay it out:
 * headers up to 0x1000 (.Lefi_header_end), then the PE .text section
 * [0x1000, _etext) holding the code and, 8-aligned after it, the payload
 * (__efistub__gzdata_start), _etext rounded to 4096; then .data.  File
 * offsets equal RVAs (objcopy -O binary).  Our .text holds no decompressor:
 * its entry point returns EFI_UNSUPPORTED (docs/build.md).
 */
#define ZB_HDR_END 0x1000u
#define ZB_DATA_SIZE 0x200u
#define ZB_OFF_PAYLOAD 0x08u
#define ZB_OFF_SIZE 0x0cu
#define ZB_OFF_NAME 0x18u
#define ZB_OFF_PE_MAGIC 0x38u
#define ZB_LINUX_PE_MAGIC 0x818223cdu
#define ZB_NDIRS 6u
/* include/linux/pe.h of 6.1: LINUX_EFISTUB_MAJOR/MINOR_VERSION */
#define ZB_EFISTUB_MAJOR 1u
#define ZB_EFISTUB_MINOR 1u

bool pk_zboot_comp_is_known(const char *name)
{
	static const char *const names[] = { "gzip", "lz4", "lzma", "lzo",
					      "xzkern", "zstd22" };
	size_t i;

	for (i = 0; name && i < PK_ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

int pk_zboot_build(struct pk_ctx *ctx, const struct pk_zboot_opts *opts,
		   struct pk_buf *ret_out)
{
	_pk_cleanup_buf_ struct pk_buf b = { 0 };
	uint32_t size_len, text_end, data_end, payload_at;
	uint64_t etext;
	const uint8_t *code = NULL;
	size_t code_len = 0;
	int r;

	r = machine_code(ctx, opts->machine, &code, &code_len);
	if (r < 0)
		return r;
	if (!pk_zboot_comp_is_known(opts->comp_name))
		return pk_err(ctx, -EINVAL,
			      "unknown zboot compression \"%s\" (known: gzip, lz4, lzma, lzo, xzkern, zstd22)",
			      opts->comp_name ? opts->comp_name : "");
	/* Makefile.zboot: ZBOOT_SIZE_LEN is 0 for gzip (ISIZE is part of
	 * the format), 4 for the others (size_append). */
	size_len = strcmp(opts->comp_name, "gzip") ? 4 : 0;
	if (opts->payload.len <= size_len || !opts->payload.data)
		return pk_err(ctx, -EINVAL, "zboot payload: %zu bytes, too short for a %s stream%s",
			      opts->payload.len, opts->comp_name,
			      size_len ? " and its le32 size" : "");
	payload_at = ZB_HDR_END + (uint32_t)((code_len + 7) & ~(size_t)7);
	etext = (uint64_t)payload_at + opts->payload.len;
	if (!pk_align_up(etext, 4096, &etext) || etext + ZB_DATA_SIZE > UINT32_MAX)
		return pk_err(ctx, -E2BIG, "zboot payload of %zu bytes does not fit a PE image",
			      opts->payload.len);
	text_end = (uint32_t)etext;
	data_end = text_end + ZB_DATA_SIZE;

	const struct new_section sections[] = {
		{ .name = ".text", .va = ZB_HDR_END, .vsize = text_end - ZB_HDR_END,
		  .raw_ptr = ZB_HDR_END, .raw_size = text_end - ZB_HDR_END,
		  .characteristics = PK_SCN_CNT_CODE | PK_SCN_MEM_READ | PK_SCN_MEM_EXECUTE },
		{ .name = ".data", .va = text_end, .vsize = ZB_DATA_SIZE,
		  .raw_ptr = text_end, .raw_size = ZB_DATA_SIZE,
		  .characteristics = PK_SCN_CNT_INITIALIZED_DATA | PK_SCN_MEM_READ |
				     PK_SCN_MEM_WRITE },
	};
	const struct new_image img = {
		.machine = opts->machine, .ndirs = ZB_NDIRS,
		.size_of_code = text_end - ZB_HDR_END, .size_of_init_data = ZB_DATA_SIZE,
		.entry = ZB_HDR_END, .base_of_code = ZB_HDR_END,
		.section_alignment = 4096, .file_alignment = 512,
		.size_of_image = data_end, .size_of_headers = ZB_HDR_END,
		.major_image_version = ZB_EFISTUB_MAJOR,
		.minor_image_version = ZB_EFISTUB_MINOR,
		.nsections = PK_ARRAY_SIZE(sections), .sections = sections,
	};

	r = pk_buf_append_zeros(&b, data_end);
	if (r < 0)
		return pk_err(ctx, r, "zboot image of %" PRIu32 " bytes: %s", data_end,
			      strerror(-r));
	write_headers(&img, b.data);
	memcpy(b.data + 4, "zimg", 4);
	pk_put_le32(b.data + ZB_OFF_PAYLOAD, payload_at);
	pk_put_le32(b.data + ZB_OFF_SIZE, (uint32_t)(opts->payload.len - size_len));
	/* Known names are at most 6 bytes: they fit before 0x38. */
	memcpy(b.data + ZB_OFF_NAME, opts->comp_name, strlen(opts->comp_name));
	pk_put_le32(b.data + ZB_OFF_PE_MAGIC, ZB_LINUX_PE_MAGIC);
	memcpy(b.data + ZB_HDR_END, code, code_len);
	memcpy(b.data + payload_at, opts->payload.data, opts->payload.len);
	set_checksum(b.data, b.len);
	*ret_out = b;
	b = (struct pk_buf){ 0 };
	return 0;
}

/* Makefile.zboot's vmlinux.bin: the Image padded to its in-memory size. */
#define IMG_SIZE_AT 0x10u
#define IMG_MAGIC_AT 0x38u
#define IMG_PAD_MAX (1024u * 1024u * 1024u)

size_t pk_zboot_image_pad_size(const uint8_t *img, size_t len)
{
	uint32_t magic, size;

	if (!img || len < IMG_MAGIC_AT + 4)
		return len;
	magic = pk_get_le32(img + IMG_MAGIC_AT);
	/* arm64 "ARM\x64", RISC-V "RSC\x05", LoongArch LINUX_PE_MAGIC (but
	 * not a zboot image, which carries that magic too) */
	if (magic != 0x644d5241u && magic != 0x05435352u &&
	    !(magic == ZB_LINUX_PE_MAGIC && memcmp(img + 4, "zimg", 4)))
		return len;
	size = pk_get_le32(img + IMG_SIZE_AT);
	return size > len && size <= IMG_PAD_MAX ? size : len;
}
