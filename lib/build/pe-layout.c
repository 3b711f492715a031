// SPDX-License-Identifier: MIT
/*
 * pe-layout.c - where everything goes when sections are added to a PE image:
 * room for the section headers (and whether the headers may grow), raw data
 * offsets at FileAlignment, virtual addresses at SectionAlignment,
 * SizeOfHeaders, SizeOfImage.  Pure computation on a parsed image; the
 * bytes are written by pe-writer.c.  docs/build.md states the rules.
 */
#include <inttypes.h>

#include "layout.h"

#define X86_SETUP_HDR 0x1f1u /* struct setup_header in a bzImage */
#define X86_HDRS_MAGIC 0x202u
#define IMAGE_MAGIC_AT 0x38u
#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" */
#define RISCV_IMAGE_MAGIC2 0x05435352u /* "RSC\x05" */
#define LINUX_PE_MAGIC 0x818223cdu

static uint64_t mem_size(const struct pk_pe_section *s)
{
	return s->virtual_size ? s->virtual_size : s->size_of_raw_data;
}

static bool is_bzimage(const struct pk_pe *pe)
{
	return pe->len >= X86_HDRS_MAGIC + 4 &&
	       !memcmp(pe->buf + X86_HDRS_MAGIC, "HdrS", 4);
}

/*
 * Kernel images whose boot protocol reads file offsets: a bzImage (its
 * setup header says where the protected-mode code starts in the file) and
 * a raw arm64 / RISC-V / LoongArch Image (loaded as a flat file).  Moving
 * their section data would break them.  A zboot image carries the PE magic
 * too, but its payload offset is a field we fix.
 */
static const char *layout_bound_kind(const struct pk_pe *pe)
{
	uint32_t magic;

	if (is_bzimage(pe))
		return "an x86 bzImage (its setup header fixes the file layout)";
	if (pe->zboot.present || pe->len < IMAGE_MAGIC_AT + 4)
		return NULL;
	magic = pk_get_le32(pe->buf + IMAGE_MAGIC_AT);
	if (magic == ARM64_IMAGE_MAGIC)
		return "an arm64 Image (loaded as a flat file)";
	if (magic == RISCV_IMAGE_MAGIC2)
		return "a RISC-V Image (loaded as a flat file)";
	if (magic == LINUX_PE_MAGIC)
		return "a LoongArch Image (loaded as a flat file)";
	return NULL;
}

static int check_new_sections(struct pk_ctx *ctx,
			      const struct pk_build_section *secs, size_t nsecs,
			      unsigned int flags)
{
	size_t i, n;

	if (nsecs > PK_PE_MAX_SECTIONS)
		return pk_err(ctx, -E2BIG, "%zu new sections: more than the limit of %u",
			      nsecs, PK_PE_MAX_SECTIONS);
	if ((flags & PK_BUILD_REPLACE) && nsecs != 1)
		return pk_err(ctx, -EINVAL, "replacing a section: exactly one new section expected, got %zu",
			      nsecs);
	for (i = 0; i < nsecs; i++) {
		n = secs[i].name ? strlen(secs[i].name) : 0;
		if (n < 1 || n > 8)
			return pk_err(ctx, -EINVAL, "new section %zu: name \"%s\" must be 1 to 8 bytes long",
				      i, secs[i].name ? secs[i].name : "");
		if (!secs[i].len || !secs[i].data)
			return pk_err(ctx, -EINVAL, "new section %zu (%s): no data",
				      i, secs[i].name);
		if (secs[i].len > UINT32_MAX)
			return pk_err(ctx, -E2BIG, "new section %zu (%s): %zu bytes do not fit VirtualSize",
				      i, secs[i].name, secs[i].len);
	}
	return 0;
}

/* The input's parts: headers, section data, tail, certificate table. */
static void find_parts(const struct pk_pe *pe, struct pk_layout *l)
{
	unsigned int i;
	bool any = false;

	l->body_start = UINT64_MAX;
	l->body_end = 0;
	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];
		uint64_t end = (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data;

		if (!s->size_of_raw_data)
			continue;
		any = true;
		if (s->pointer_to_raw_data < l->body_start)
			l->body_start = s->pointer_to_raw_data;
		if (end > l->body_end)
			l->body_end = end;
	}
	if (!any)
		l->body_start = l->body_end = pe->size_of_headers;
	l->kept_end = l->body_end;
	/* pk_pe_parse() checked: the table lies after every section's data. */
	l->tail_end = pk_pe_has_cert_table(pe) ?
			      pe->dirs[PK_PE_DIR_SECURITY].virtual_address :
			      pe->len;
}

/*
 * The section to replace: dropped when it is last both in the file and in
 * memory (the new one is appended), else rewritten in place if the new
 * bytes fit its raw data and its memory span.
 */
static int plan_replace(struct pk_ctx *ctx, const struct pk_pe *pe,
			const struct pk_build_section *sec, struct pk_layout *l,
			int *ret_in_place)
{
	const struct pk_pe_section *r = NULL;
	uint64_t r_end, next_va = UINT32_MAX, kept_end;
	bool last_file = true, last_mem = true;
	unsigned int i, ri = 0;

	*ret_in_place = -1;
	for (i = 0; i < pe->nsections; i++) {
		if (strcmp(pe->sections[i].name, sec->name))
			continue;
		if (r)
			return pk_err(ctx, -EBADMSG,
				      "sections %u and %u are both called %s: which one to replace is ambiguous; section header at 0x%" PRIx32,
				      ri, i, sec->name, pe->sections[i].header_offset);
		r = &pe->sections[i];
		ri = i;
	}
	if (!r)
		return 0;
	r_end = (uint64_t)r->pointer_to_raw_data + r->size_of_raw_data;
	kept_end = l->body_start;
	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];
		uint64_t end = (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data;

		if (i == ri)
			continue;
		if (s->size_of_raw_data && r->size_of_raw_data &&
		    end > r->pointer_to_raw_data)
			last_file = false;
		if (s->size_of_raw_data && end > kept_end)
			kept_end = end;
		if (mem_size(s) && s->virtual_address >= r->virtual_address &&
		    s->virtual_address < next_va)
			next_va = s->virtual_address;
		if (mem_size(s) && s->virtual_address > r->virtual_address)
			last_mem = false;
	}
	if (last_file && last_mem) {
		l->dropped = (int)ri;
		l->kept_end = kept_end;
		return 0;
	}
	if (sec->len > r->size_of_raw_data ||
	    sec->len > next_va - r->virtual_address)
		return pk_err(ctx, -ENOSPC,
			      "section %u (%s) is not the last one and its raw data (SizeOfRawData 0x%" PRIx32 ", raw data at 0x%" PRIx32 "-0x%" PRIx64 ") or memory span (0x%" PRIx32 "-0x%" PRIx64 ") is too small for the new 0x%zx bytes; section header at 0x%" PRIx32,
			      ri, r->name, r->size_of_raw_data,
			      r->pointer_to_raw_data, r_end, r->virtual_address,
			      next_va, sec->len, r->header_offset);
	*ret_in_place = (int)ri;
	return 0;
}

/* Are the bytes where new section headers go unused (0x00 or 0xff fill)? */
static int check_header_room(struct pk_ctx *ctx, const struct pk_pe *pe,
			     const struct pk_layout *l, uint64_t table_end,
			     uint64_t need_end, unsigned int nnew)
{
	uint64_t o, end = need_end < l->body_start ? need_end : l->body_start;

	if (is_bzimage(pe) && need_end > X86_SETUP_HDR)
		return pk_err(ctx, -ENOSPC,
			      "no room for %u more section headers: the section table would end at 0x%" PRIx64 ", past the x86 setup header at 0x%x",
			      nnew, need_end, X86_SETUP_HDR);
	for (o = table_end; o < end && o < pe->len; o++) {
		if (pe->buf[o] != 0x00 && pe->buf[o] != 0xff)
			return pk_err(ctx, -ENOSPC,
				      "no room for %u more section headers: the section table would end at 0x%" PRIx64 ", but byte 0x%" PRIx64 " after it is in use (0x%02x)",
				      nnew, need_end, o, pe->buf[o]);
	}
	return 0;
}

static int plan_headers(struct pk_ctx *ctx, const struct pk_pe *pe,
			struct pk_layout *l, unsigned int nnew)
{
	uint64_t table_end = (uint64_t)pe->sections_offset +
			     (uint64_t)pe->nsections * PK_SECTION_HDR_SIZE;
	uint64_t need_end = (uint64_t)pe->sections_offset +
			    (uint64_t)(l->nout + nnew) * PK_SECTION_HDR_SIZE;
	uint64_t want, soh, first_va = UINT64_MAX;
	const char *bound;
	unsigned int i;
	int r;

	r = check_header_room(ctx, pe, l, table_end, need_end, nnew);
	if (r < 0)
		return r;
	if (need_end > l->body_start) {
		bound = layout_bound_kind(pe);
		if (bound)
			return pk_err(ctx, -ENOSPC,
				      "no room for %u more section headers before the first section's raw data at 0x%" PRIx64 ", and the image is %s: its section data cannot move",
				      nnew, l->body_start, bound);
		/* need_end < 2^32 + 97 * 40: no overflow in 64 bits. */
		pk_align_up(need_end - l->body_start, l->fa, &l->delta);
	}
	/* SizeOfHeaders changes only when the table outgrows it; then it
	 * becomes the table's end rounded to FileAlignment (not past the
	 * first section's raw data). */
	soh = pe->size_of_headers;
	if (need_end > soh) {
		pk_align_up(need_end, l->fa, &want);
		soh = want < l->body_start + l->delta ? want : l->body_start + l->delta;
	}
	for (i = 0; i < l->nout; i++) {
		const struct pk_out_section *o = &l->out[i];

		if ((o->virtual_size || o->size_of_raw_data) &&
		    o->virtual_address < first_va)
			first_va = o->virtual_address;
	}
	if (soh > first_va)
		return pk_err(ctx, -ENOSPC,
			      "no room for %u more section headers: SizeOfHeaders would become 0x%" PRIx64 ", past the first section's VirtualAddress 0x%" PRIx64,
			      nnew, soh, first_va);
	l->size_of_headers = (uint32_t)soh;
	return 0;
}

static void keep_input_sections(const struct pk_pe *pe, struct pk_layout *l,
				int in_place, const struct pk_build_section *sec)
{
	unsigned int i;

	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];
		struct pk_out_section *o;

		if ((int)i == l->dropped)
			continue;
		o = &l->out[l->nout++];
		memset(o, 0, sizeof(*o));
		memcpy(o->name, s->name, strnlen(s->name, 8));
		o->virtual_size = s->virtual_size;
		o->virtual_address = s->virtual_address;
		o->size_of_raw_data = s->size_of_raw_data;
		o->pointer_to_raw_data = s->pointer_to_raw_data;
		o->characteristics = s->characteristics;
		o->orig = (int)i;
		o->new_idx = -1;
		if ((int)i == in_place) {
			o->in_place = true;
			o->new_idx = 0;
			/* plan_replace() checked it fits 32 bits. */
			o->virtual_size = (uint32_t)sec->len;
		}
	}
}

static void add_size(uint32_t *field, uint64_t n)
{
	uint64_t v = (uint64_t)*field + n;

	*field = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void sub_size(uint32_t *field, uint64_t n)
{
	*field = *field > n ? (uint32_t)(*field - n) : 0;
}

static int place_new_sections(struct pk_ctx *ctx, const struct pk_pe *pe,
			      const struct pk_build_section *secs, size_t nsecs,
			      int in_place, struct pk_layout *l)
{
	uint64_t pos = l->kept_end + l->delta, vend = l->size_of_headers;
	size_t k;
	unsigned int i;

	l->size_of_code = pe->size_of_code;
	l->size_of_init_data = pe->size_of_initialized_data;
	if (l->dropped >= 0) {
		const struct pk_pe_section *d = &pe->sections[l->dropped];

		sub_size(d->characteristics & PK_SCN_CNT_CODE ? &l->size_of_code :
								&l->size_of_init_data,
			 d->size_of_raw_data);
	}
	for (i = 0; i < l->nout; i++) {
		struct pk_out_section *o = &l->out[i];
		uint64_t e = (uint64_t)o->virtual_address +
			     (o->virtual_size ? o->virtual_size : o->size_of_raw_data);

		if (o->size_of_raw_data)
			o->pointer_to_raw_data += (uint32_t)l->delta;
		if (e > vend)
			vend = e;
	}
	for (k = 0; k < nsecs; k++) {
		struct pk_out_section *o;
		uint64_t ptr, raw, va;

		if (in_place >= 0)
			continue; /* the only new section went in place */
		o = &l->out[l->nout++];
		memset(o, 0, sizeof(*o));
		memcpy(o->name, secs[k].name, strlen(secs[k].name));
		pk_align_up(pos, l->fa, &ptr);
		pk_align_up(secs[k].len, l->fa, &raw);
		pk_align_up(vend, l->sa, &va);
		if (ptr + raw > PK_BUILD_MAX_OUT || va + secs[k].len > UINT32_MAX)
			return pk_err(ctx, -E2BIG,
				      "new section %s: raw data at 0x%" PRIx64 " or memory at 0x%" PRIx64 " (0x%zx bytes) beyond the 32-bit PE limits",
				      secs[k].name, ptr, va, secs[k].len);
		o->virtual_size = (uint32_t)secs[k].len;
		o->virtual_address = (uint32_t)va;
		o->size_of_raw_data = (uint32_t)raw;
		o->pointer_to_raw_data = (uint32_t)ptr;
		o->characteristics = secs[k].characteristics;
		o->orig = -1;
		o->new_idx = (int)k;
		add_size(o->characteristics & PK_SCN_CNT_CODE ? &l->size_of_code :
								&l->size_of_init_data,
			 raw);
		pos = ptr + raw;
		vend = va + secs[k].len;
	}
	l->new_tail_start = pos;
	l->out_len = pos + (l->tail_end - l->body_end);
	if (!pk_align_up(vend, l->sa, &vend) || vend > UINT32_MAX ||
	    l->out_len > PK_BUILD_MAX_OUT)
		return pk_err(ctx, -E2BIG,
			      "the image would be 0x%" PRIx64 " bytes in the file and 0x%" PRIx64 " in memory: beyond the 32-bit PE limits",
			      l->out_len, vend);
	l->size_of_image = (uint32_t)vend;
	return 0;
}

int pk_layout_plan(struct pk_ctx *ctx, const struct pk_pe *pe,
		   const struct pk_build_section *secs, size_t nsecs,
		   unsigned int flags, struct pk_layout *l)
{
	int in_place = -1, r;
	unsigned int nnew;

	memset(l, 0, sizeof(*l));
	l->dropped = -1;
	l->fa = pe->file_alignment;
	l->sa = pe->section_alignment;
	r = check_new_sections(ctx, secs, nsecs, flags);
	if (r < 0)
		return r;
	find_parts(pe, l);
	if (flags & PK_BUILD_REPLACE) {
		r = plan_replace(ctx, pe, &secs[0], l, &in_place);
		if (r < 0)
			return r;
	}
	keep_input_sections(pe, l, in_place, nsecs ? &secs[0] : NULL);
	nnew = in_place >= 0 ? 0 : (unsigned int)nsecs;
	if (l->nout + nnew > PK_PE_MAX_SECTIONS)
		return pk_err(ctx, -E2BIG,
			      "%u sections plus %u new ones: more than the limit of %u",
			      l->nout, nnew, PK_PE_MAX_SECTIONS);
	r = plan_headers(ctx, pe, l, nnew);
	if (r < 0)
		return r;
	return place_new_sections(ctx, pe, secs, nsecs, in_place, l);
}

bool pk_layout_map(const struct pk_layout *l, uint64_t off, uint64_t *ret)
{
	if (off < l->body_start) {
		*ret = off;
		return true;
	}
	if (off < l->kept_end) {
		*ret = off + l->delta;
		return true;
	}
	if (off >= l->body_end && off <= l->tail_end) {
		*ret = l->new_tail_start + (off - l->body_end);
		return true;
	}
	return false;
}
