// SPDX-License-Identifier: MIT
/*
 * detect.c - which compressed format starts a buffer, and the names the
 * formats go by (ours, and the ones in an EFI zboot header).
 *
 * The magics are the ones the kernel's lib/decompress.c table keys on, made
 * longer where the format has a longer fixed signature so that random data
 * is less likely to be taken for a stream.
 */
#include "internal.h"
#include "pekexec/decompress.h"

struct pk_comp_magic {
	enum pk_comp comp;
	uint8_t len;
	uint8_t bytes[9];
};

static const struct pk_comp_magic pk_comp_magics[] = {
	/* RFC 1952: ID1 ID2, CM = 8 (deflate) */
	{ PK_COMP_GZIP, 3, { 0x1f, 0x8b, 0x08 } },
	/* RFC 8878 frame magic 0xFD2FB528, little endian */
	{ PK_COMP_ZSTD, 4, { 0x28, 0xb5, 0x2f, 0xfd } },
	/* xz file format 1.0.4, 2.1.1.1: Header Magic Bytes */
	{ PK_COMP_XZ, 6, { 0xfd, '7', 'z', 'X', 'Z', 0x00 } },
	/* legacy frame magic 0x184C2102, little endian */
	{ PK_COMP_LZ4, 4, { 0x02, 0x21, 0x4c, 0x18 } },
	/* lzop's file magic */
	{ PK_COMP_LZO, 9, { 0x89, 'L', 'Z', 'O', 0x00, '\r', '\n', 0x1a, '\n' } },
	/* "lzma alone": properties byte lc=3 lp=0 pb=2 (what lzma(1), xz
	 * --format=lzma and the kernel's cmd_lzma write), then a dictionary
	 * size whose low byte is 0 */
	{ PK_COMP_LZMA, 2, { 0x5d, 0x00 } },
};

enum pk_comp pk_comp_detect(const uint8_t *buf, size_t len)
{
	size_t i;

	if (!buf)
		return PK_COMP_NONE;
	for (i = 0; i < PK_ARRAY_SIZE(pk_comp_magics); i++) {
		const struct pk_comp_magic *m = &pk_comp_magics[i];

		if (len >= m->len && !memcmp(buf, m->bytes, m->len))
			return m->comp;
	}
	/* bzip2: "BZh" then the block size '1'..'9' */
	if (len >= 4 && !memcmp(buf, "BZh", 3) && buf[3] >= '1' && buf[3] <= '9')
		return PK_COMP_BZIP2;
	return PK_COMP_NONE;
}

static const char *const pk_comp_names[PK_COMP__COUNT] = {
	[PK_COMP_NONE] = "none",   [PK_COMP_GZIP] = "gzip",
	[PK_COMP_ZSTD] = "zstd",   [PK_COMP_XZ] = "xz",
	[PK_COMP_LZMA] = "lzma",   [PK_COMP_LZ4] = "lz4",
	[PK_COMP_LZO] = "lzo",     [PK_COMP_BZIP2] = "bzip2",
};

const char *pk_comp_name(enum pk_comp comp)
{
	if ((unsigned int)comp >= PK_COMP__COUNT)
		return "none";
	return pk_comp_names[comp];
}

/*
 * The names drivers/firmware/efi/libstub/Makefile.zboot writes into the
 * header (comp-type-y): the kernel's compression command names.
 */
static const struct {
	const char *name;
	enum pk_comp comp;
} pk_zboot_names[] = {
	{ "gzip", PK_COMP_GZIP }, { "lz4", PK_COMP_LZ4 },
	{ "lzma", PK_COMP_LZMA }, { "lzo", PK_COMP_LZO },
	{ "xzkern", PK_COMP_XZ }, { "zstd22", PK_COMP_ZSTD },
};

enum pk_comp pk_comp_from_zboot_name(const char *name)
{
	size_t i;

	if (!name)
		return PK_COMP_NONE;
	for (i = 0; i < PK_ARRAY_SIZE(pk_zboot_names); i++)
		if (!strcmp(name, pk_zboot_names[i].name))
			return pk_zboot_names[i].comp;
	return PK_COMP_NONE;
}
