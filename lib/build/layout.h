/* SPDX-License-Identifier: MIT */
/*
 * layout.h - the plan pe-layout.c computes and pe-writer.c carries out when
 * sections are added to a PE image.
 *
 * The input file is seen as four consecutive parts:
 *
 *	[0, body_start)             headers (DOS, PE, section table, padding)
 *	[body_start, kept_end)      raw data of the sections that stay
 *	[kept_end, body_end)        raw data of a section being dropped
 *	[body_end, tail_end)        trailing bytes (COFF symbol table, overlay)
 *	[tail_end, len)             certificate table (dropped)
 *
 * The output keeps the headers (with a longer section table), moves the
 * kept raw data by @delta (a multiple of FileAlignment, 0 unless the
 * headers grow), appends the new sections' raw data, then the tail.
 */
#ifndef PK_BUILD_LAYOUT_H
#define PK_BUILD_LAYOUT_H

#include "internal.h"
#include "pekexec/build.h"
#include "pekexec/pe.h"

#define PK_SECTION_HDR_SIZE 40u
#define PK_DEBUG_ENTRY_SIZE 28u
#define PK_PE_DIR_DEBUG 6
/* Never write past 4 GiB: PE file pointers are 32 bits. */
#define PK_BUILD_MAX_OUT 0xffffffffull

/* One section header of the output. */
struct pk_out_section {
	char name[8];           /* not NUL-terminated when 8 long */
	uint32_t virtual_size;
	uint32_t virtual_address;
	uint32_t size_of_raw_data;
	uint32_t pointer_to_raw_data;
	uint32_t characteristics;
	int orig;               /* index of the input section, or -1 */
	int new_idx;            /* index into the new sections, or -1 */
	bool in_place;          /* an input section whose bytes are replaced */
};

struct pk_layout {
	uint32_t fa, sa;        /* FileAlignment, SectionAlignment */

	/* the input's parts (see above) */
	uint64_t body_start, kept_end, body_end, tail_end;
	/* the output */
	uint64_t delta;         /* kept raw data moves by this */
	uint64_t new_tail_start;
	uint64_t out_len;
	uint32_t size_of_headers;
	uint32_t size_of_image;
	uint32_t size_of_code;
	uint32_t size_of_init_data;
	int dropped;            /* input section dropped (replaced at the end), or -1 */

	unsigned int nout;
	struct pk_out_section out[PK_PE_MAX_SECTIONS];
};

/*
 * pk_layout_plan - compute where everything goes.  Errors as
 * pk_pe_add_sections(); nothing is written.
 */
int pk_layout_plan(struct pk_ctx *ctx, const struct pk_pe *pe,
		   const struct pk_build_section *secs, size_t nsecs,
		   unsigned int flags, struct pk_layout *ret);

/*
 * pk_layout_map - where input file offset @off lands in the output.
 * @retval false it lies in dropped bytes (or past the kept data)
 */
bool pk_layout_map(const struct pk_layout *l, uint64_t off, uint64_t *ret);

/* pk_layout_write - produce the output image of a plan. */
int pk_layout_write(struct pk_ctx *ctx, const struct pk_pe *pe,
		    const struct pk_layout *l,
		    const struct pk_build_section *secs,
		    struct pk_buf *ret_out);

#endif
