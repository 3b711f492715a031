// SPDX-License-Identifier: MIT
/*
 * pe-writer.c - write the image a layout plan describes (layout.h): copy
 * the headers, the kept section data (moved by the plan's delta), the new
 * sections and the tail, then fix every header field and file pointer that
 * the move changed, and recompute the CheckSum.
 */
#include <inttypes.h>

#include "layout.h"
#include "pekexec/authenticode.h"

#define COFF_NSECTIONS 6u      /* from the "PE\0\0" signature */
#define COFF_SYMTAB 12u
#define OPT_SIZE_OF_CODE 4u
#define OPT_SIZE_OF_INIT_DATA 8u
#define OPT_SIZE_OF_IMAGE 56u
#define OPT_SIZE_OF_HEADERS 60u
#define SEC_VSIZE 8u
#define SEC_VA 12u
#define SEC_RAW_SIZE 16u
#define SEC_RAW_PTR 20u
#define SEC_RELOC_PTR 24u
#define SEC_LINENO_PTR 28u
#define SEC_CHARACTERISTICS 36u
#define DEBUG_ENTRY_RAW_PTR 24u
#define DEBUG_MAX_ENTRIES 64u
#define ZBOOT_PAYLOAD_OFFSET 0x08u

static void write_section_table(const struct pk_pe *pe, const struct pk_layout *l,
				uint8_t *o)
{
	unsigned int n = pe->nsections > l->nout ? pe->nsections : l->nout;
	uint8_t *t = o + pe->sections_offset;
	unsigned int i;

	/* plan_headers() made room for l->nout entries before the data. */
	memset(t, 0, (size_t)n * PK_SECTION_HDR_SIZE);
	for (i = 0; i < l->nout; i++) {
		const struct pk_out_section *s = &l->out[i];
		uint8_t *h = t + (size_t)i * PK_SECTION_HDR_SIZE;
		uint64_t m;

		if (s->orig >= 0) {
			/* Keep what we do not change (relocation counts...). */
			memcpy(h, pe->buf + pe->sections[s->orig].header_offset,
			       PK_SECTION_HDR_SIZE);
			/* Deprecated COFF pointers: follow the move, or clear. */
			m = pk_get_le32(h + SEC_RELOC_PTR);
			if (m && !pk_layout_map(l, m, &m))
				m = 0;
			pk_put_le32(h + SEC_RELOC_PTR, (uint32_t)m);
			m = pk_get_le32(h + SEC_LINENO_PTR);
			if (m && !pk_layout_map(l, m, &m))
				m = 0;
			pk_put_le32(h + SEC_LINENO_PTR, (uint32_t)m);
		} else {
			memcpy(h, s->name, sizeof(s->name));
			pk_put_le32(h + SEC_VA, s->virtual_address);
			pk_put_le32(h + SEC_CHARACTERISTICS, s->characteristics);
		}
		pk_put_le32(h + SEC_VSIZE, s->virtual_size);
		pk_put_le32(h + SEC_RAW_SIZE, s->size_of_raw_data);
		pk_put_le32(h + SEC_RAW_PTR, s->pointer_to_raw_data);
	}
}

/* Input file offset of @size bytes at RVA @rva, if they lie in the file. */
static bool rva_to_offset(const struct pk_pe *pe, uint32_t rva, uint32_t size,
			  uint64_t *ret)
{
	unsigned int i;

	if (rva < pe->size_of_headers) {
		*ret = rva;
		return pk_range_ok(pe->size_of_headers, rva, size);
	}
	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];

		if (rva < s->virtual_address || !s->size_of_raw_data)
			continue;
		if (!pk_range_ok(s->size_of_raw_data, rva - s->virtual_address, size))
			continue;
		*ret = (uint64_t)s->pointer_to_raw_data + (rva - s->virtual_address);
		return true;
	}
	return false;
}

/*
 * Does output range [off, off + n) touch bytes this writer owns or must
 * keep: the headers up to the end of the new section table, a section
 * rewritten in place, a zboot payload and its size trailer?  (A hostile
 * image may point its debug directory there.)
 */
static bool overlaps_owned(const struct pk_pe *pe, const struct pk_layout *l,
			   uint64_t off, uint64_t n)
{
	uint64_t table_end = pe->sections_offset + (uint64_t)l->nout * PK_SECTION_HDR_SIZE;
	unsigned int i;

	if (off < table_end)
		return true;
	if (pe->zboot.present) {
		uint64_t z;

		/* the payload moves with the body: delta, if it is kept */
		z = (uint64_t)pe->zboot.payload_offset + l->delta;
		if (off < z + pe->zboot.payload_size + 4 && z < off + n)
			return true;
	}
	for (i = 0; i < l->nout; i++) {
		const struct pk_out_section *s = &l->out[i];

		if (s->in_place && off < (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data &&
		    s->pointer_to_raw_data < off + n)
			return true;
	}
	return false;
}

/* Debug directory entries carry file offsets (PointerToRawData). */
static void fix_debug_dir(struct pk_ctx *ctx, const struct pk_pe *pe,
			  const struct pk_layout *l, uint8_t *o)
{
	const struct pk_pe_dir *d = &pe->dirs[PK_PE_DIR_DEBUG];
	uint64_t in_off, out_off, p;
	uint32_t n, i;

	if (pe->ndirs <= PK_PE_DIR_DEBUG || !d->size)
		return;
	n = d->size / PK_DEBUG_ENTRY_SIZE;
	if (n > DEBUG_MAX_ENTRIES)
		n = DEBUG_MAX_ENTRIES;
	if (!rva_to_offset(pe, d->virtual_address, n * PK_DEBUG_ENTRY_SIZE, &in_off) ||
	    !pk_layout_map(l, in_off, &out_off) ||
	    overlaps_owned(pe, l, out_off, (uint64_t)n * PK_DEBUG_ENTRY_SIZE)) {
		pk_debug(ctx, "debug directory at RVA 0x%" PRIx32 " is not in the kept file data; left alone",
			 d->virtual_address);
		return;
	}
	for (i = 0; i < n; i++) {
		/* In range: rva_to_offset() checked n entries, the plan keeps them. */
		uint8_t *e = o + out_off + (uint64_t)i * PK_DEBUG_ENTRY_SIZE;

		p = pk_get_le32(e + DEBUG_ENTRY_RAW_PTR);
		if (!p)
			continue;
		/* Dangling (outside the file, or into a replaced .bpf): not
		 * ours to repair; section bytes change only where data moved. */
		if (!pk_layout_map(l, p, &p)) {
			pk_warn(ctx, "debug directory entry %u (at 0x%" PRIx64 "): PointerToRawData 0x%" PRIx32 " points at no kept data; left as is",
				i, in_off + (uint64_t)i * PK_DEBUG_ENTRY_SIZE,
				pk_get_le32(e + DEBUG_ENTRY_RAW_PTR));
			continue;
		}
		pk_put_le32(e + DEBUG_ENTRY_RAW_PTR, (uint32_t)p);
	}
}

static int fix_file_pointers(struct pk_ctx *ctx, const struct pk_pe *pe,
			     const struct pk_layout *l, uint8_t *o)
{
	uint32_t at = pe->pe_offset + COFF_SYMTAB;
	uint64_t m;

	if (pe->symtab_offset) {
		if (!pk_layout_map(l, pe->symtab_offset, &m))
			return pk_err(ctx, -EBADMSG,
				      "PointerToSymbolTable 0x%" PRIx32 " (at 0x%" PRIx32 ") points into the section being replaced",
				      pe->symtab_offset, at);
		pk_put_le32(o + at, (uint32_t)m);
	}
	if (pe->zboot.present) {
		uint64_t end = (uint64_t)pe->zboot.payload_offset + pe->zboot.payload_size;

		/* The payload lies in kept section data (zboot.lds puts it in
		 * .text), so it moves as one piece and no header aliases it. */
		if (!pk_layout_map(l, pe->zboot.payload_offset, &m) ||
		    pe->zboot.payload_offset < l->body_start || end > l->kept_end)
			return pk_err(ctx, -EBADMSG,
				      "zboot header: payload at 0x%" PRIx32 " (offset at 0x%x, size 0x%" PRIx32 ") is not inside the kept section data",
				      pe->zboot.payload_offset, ZBOOT_PAYLOAD_OFFSET,
				      pe->zboot.payload_size);
		pk_put_le32(o + ZBOOT_PAYLOAD_OFFSET, (uint32_t)m);
	}
	return 0;
}

static void fix_headers(const struct pk_pe *pe, const struct pk_layout *l,
			uint8_t *o)
{
	uint8_t *opt = o + pe->opt_offset;

	pk_put_le16(o + pe->pe_offset + COFF_NSECTIONS, (uint16_t)l->nout);
	pk_put_le32(opt + OPT_SIZE_OF_CODE, l->size_of_code);
	pk_put_le32(opt + OPT_SIZE_OF_INIT_DATA, l->size_of_init_data);
	pk_put_le32(opt + OPT_SIZE_OF_IMAGE, l->size_of_image);
	pk_put_le32(opt + OPT_SIZE_OF_HEADERS, l->size_of_headers);
	/* The signature cannot cover the new bytes: drop the table entry. */
	if (pe->ndirs > PK_PE_DIR_SECURITY)
		memset(o + pe->dirs_offset + PK_PE_DIR_SECURITY * 8u, 0, 8);
}

int pk_layout_write(struct pk_ctx *ctx, const struct pk_pe *pe,
		    const struct pk_layout *l,
		    const struct pk_build_section *secs,
		    struct pk_buf *ret_out)
{
	_pk_cleanup_buf_ struct pk_buf b = { 0 };
	const uint8_t *in = pe->buf;
	unsigned int i;
	uint8_t *o;
	int r;

	r = pk_buf_append_zeros(&b, (size_t)l->out_len);
	if (r < 0)
		return pk_err(ctx, r, "output image of 0x%" PRIx64 " bytes: %s",
			      l->out_len, strerror(-r));
	o = b.data;
	/* All ranges below come from the plan, inside both files. */
	memcpy(o, in, (size_t)l->body_start);
	memcpy(o + l->body_start + l->delta, in + l->body_start,
	       (size_t)(l->kept_end - l->body_start));
	memcpy(o + l->new_tail_start, in + l->body_end,
	       (size_t)(l->tail_end - l->body_end));
	for (i = 0; i < l->nout; i++) {
		const struct pk_out_section *s = &l->out[i];
		uint8_t *dst = o + s->pointer_to_raw_data;

		if (s->new_idx < 0)
			continue;
		if (s->in_place)
			memset(dst, 0, s->size_of_raw_data);
		memcpy(dst, secs[s->new_idx].data, secs[s->new_idx].len);
	}
	/* Entries of the debug directory first: the structural fields
	 * written next must win over anything a hostile image aliases. */
	fix_debug_dir(ctx, pe, l, o);
	write_section_table(pe, l, o);
	fix_headers(pe, l, o);
	r = fix_file_pointers(ctx, pe, l, o);
	if (r < 0)
		return r;
	pk_put_le32(o + pe->checksum_offset, 0);
	pk_put_le32(o + pe->checksum_offset,
		    pk_pe_checksum(o, b.len, pe->checksum_offset));
	*ret_out = b;
	b = (struct pk_buf){ 0 };
	return 0;
}

int pk_pe_add_sections(struct pk_ctx *ctx, const uint8_t *img, size_t len,
		       const struct pk_build_section *secs, size_t nsecs,
		       unsigned int flags, struct pk_buf *ret_out,
		       struct pk_build_info *ret_info)
{
	_pk_cleanup_pe_ struct pk_pe *pe = NULL;
	_pk_cleanup_free_ struct pk_layout *l = NULL;
	int r;

	pe = pk_pe_new();
	l = calloc(1, sizeof(*l));
	if (!pe || !l)
		return pk_err(ctx, -ENOMEM, "out of memory");
	r = pk_pe_parse(ctx, img, len, pe);
	if (r < 0)
		return r;
	r = pk_layout_plan(ctx, pe, secs, nsecs, flags, l);
	if (r < 0)
		return r;
	r = pk_layout_write(ctx, pe, l, secs, ret_out);
	if (r < 0)
		return r;
	if (ret_info) {
		ret_info->dropped_signature = pk_pe_has_cert_table(pe);
		ret_info->replaced = l->dropped >= 0 ||
				     (nsecs && l->nout == pe->nsections &&
				      (flags & PK_BUILD_REPLACE));
		ret_info->moved_by = (uint32_t)l->delta;
		ret_info->nsections = l->nout;
	}
	return 0;
}
