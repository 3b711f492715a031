// SPDX-License-Identifier: MIT
/*
 * fdt.c - the root "compatible" of a flattened device tree (fdt.h), read
 * from the Devicetree Specification v0.4 §5 layout: a big-endian header,
 * then a structure block of 4-byte tokens (BEGIN_NODE name, PROP len
 * nameoff value, END_NODE, NOP, END) whose property names live in the
 * strings block.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "pekexec/fdt.h"

#define FDT_HEADER_SIZE 40 /* version 17 */
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* @off rounded up to 4; @off < @end <= SIZE_MAX - 3 (the block lies inside
 * the buffer), so the sum cannot wrap. */
static size_t align4(size_t off)
{
	return (off + 3) & ~(size_t)3;
}

int pk_fdt_root_compatible(struct pk_ctx *ctx, const uint8_t *buf, size_t len, char *ret,
			   size_t ret_size)
{
	uint32_t total, off_struct, off_strings, size_struct, size_strings, version;
	size_t off, end;
	int depth = 0;

	ret[0] = '\0';
	if (len < FDT_HEADER_SIZE || get_be32(buf) != PK_FDT_MAGIC)
		return pk_err(ctx, -EBADMSG, "not a flattened device tree (magic at 0x0)");
	total = get_be32(buf + 4);
	off_struct = get_be32(buf + 8);
	off_strings = get_be32(buf + 12);
	version = get_be32(buf + 20);
	size_strings = get_be32(buf + 32);
	size_struct = get_be32(buf + 36);
	if (total > len || total < FDT_HEADER_SIZE)
		return pk_err(ctx, -EBADMSG, "fdt: totalsize %u (at 0x4) beyond the blob (%zu bytes)",
			      total, len);
	if (version < 17)
		return pk_err(ctx, -EBADMSG, "fdt: version %u (at 0x14): 17 expected", version);
	if (!pk_range_ok(total, off_struct, size_struct) || off_struct % 4)
		return pk_err(ctx, -EBADMSG, "fdt: structure block 0x%x+0x%x (at 0x8, 0x24) outside totalsize 0x%x",
			      off_struct, size_struct, total);
	if (!pk_range_ok(total, off_strings, size_strings))
		return pk_err(ctx, -EBADMSG, "fdt: strings block 0x%x+0x%x (at 0xc, 0x20) outside totalsize 0x%x",
			      off_strings, size_strings, total);
	off = off_struct;
	end = (size_t)off_struct + size_struct; /* checked above: <= total <= len */
	while (off + 4 <= end) {
		uint32_t tok = get_be32(buf + off);

		off += 4;
		if (tok == FDT_BEGIN_NODE) {
			const uint8_t *nul = memchr(buf + off, '\0', end - off);

			if (!nul)
				return pk_err(ctx, -EBADMSG, "fdt: node name at 0x%zx not terminated", off);
			if (depth == 1)
				break; /* the root's properties come before its children */
			depth++;
			off = align4((size_t)(nul - buf) + 1);
		} else if (tok == FDT_PROP) {
			uint32_t plen, nameoff;
			const char *name;

			if (end - off < 8)
				return pk_err(ctx, -EBADMSG, "fdt: property at 0x%zx truncated", off - 4);
			plen = get_be32(buf + off);
			nameoff = get_be32(buf + off + 4);
			off += 8;
			if (plen > end - off)
				return pk_err(ctx, -EBADMSG, "fdt: property at 0x%zx: length %u beyond the structure block",
					      off - 12, plen);
			if (nameoff >= size_strings)
				return pk_err(ctx, -EBADMSG, "fdt: property at 0x%zx: name offset %u beyond the strings block",
					      off - 12, nameoff);
			name = (const char *)buf + off_strings + nameoff;
			if (depth == 1 &&
			    !strncmp(name, "compatible", size_strings - nameoff) &&
			    size_strings - nameoff > strlen("compatible")) {
				size_t n = strnlen((const char *)buf + off, plen);

				if (!n)
					break;
				if (n >= ret_size)
					n = ret_size - 1;
				memcpy(ret, buf + off, n);
				ret[n] = '\0';
				return 0;
			}
			off = align4(off + plen);
		} else if (tok == FDT_END_NODE) {
			if (depth-- <= 1)
				break;
		} else if (tok == FDT_NOP) {
			continue;
		} else if (tok == FDT_END) {
			break;
		} else {
			return pk_err(ctx, -EBADMSG, "fdt: unknown token 0x%x at 0x%zx", tok, off - 4);
		}
	}
	return pk_err(ctx, -ENOENT, "fdt: the root node has no \"compatible\"");
}
