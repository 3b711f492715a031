// SPDX-License-Identifier: MIT
/*
 * pe.c - decode and validate the headers of an untrusted PE/COFF image
 * (PE32 and PE32+) into struct pk_pe.
 *
 * Every field is read with pk_get_le*() from a range checked first; nothing
 * is cast onto the input.  The checks follow what firmware (EDK2's
 * BasePeCoffLib) and the kernel (verify_pefile.c) insist on; where a real
 * image breaks a rule of the specification we do not enforce that rule
 * (docs/image.md lists which and why).
 */
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"
#include "pekexec/pe.h"

#define DOS_HDR_SIZE 0x40u
#define DOS_E_LFANEW 0x3cu
#define PE_SIG_SIZE 4u
#define COFF_HDR_SIZE 20u
#define SECTION_HDR_SIZE 40u
#define DIR_ENTRY_SIZE 8u

/* Size of the optional header up to (not including) the data directories. */
#define OPT_FIXED_PE32 96u
#define OPT_FIXED_PE32PLUS 112u

/* Optional header field offsets (relative to its start). */
#define OPT_MAGIC 0
#define OPT_SIZE_OF_CODE 4
#define OPT_SIZE_OF_INIT_DATA 8
#define OPT_SIZE_OF_UNINIT_DATA 12
#define OPT_ENTRY 16
#define OPT_BASE_OF_CODE 20
#define OPT_IMAGE_BASE32 28
#define OPT_IMAGE_BASE64 24
#define OPT_SECTION_ALIGN 32
#define OPT_FILE_ALIGN 36
#define OPT_SIZE_OF_IMAGE 56
#define OPT_SIZE_OF_HEADERS 60
#define OPT_CHECKSUM 64
#define OPT_SUBSYSTEM 68
#define OPT_DLL_CHARS 70
#define OPT_NDIRS_PE32 92
#define OPT_NDIRS_PE32PLUS 108

static int parse_dos(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
		     struct pk_pe *pe)
{
	if (len < 2 || buf[0] != 'M' || buf[1] != 'Z')
		return pk_err(ctx, -ENOEXEC, "not a PE image: no \"MZ\" at offset 0");
	if (len < DOS_HDR_SIZE)
		return pk_err(ctx, -EBADMSG,
			      "DOS header: file ends at 0x%zx, the header needs 0x%x bytes",
			      len, DOS_HDR_SIZE);
	pe->pe_offset = pk_get_le32(buf + DOS_E_LFANEW);
	if (!pk_range_ok(len, pe->pe_offset, PE_SIG_SIZE + COFF_HDR_SIZE))
		return pk_err(ctx, -EBADMSG,
			      "e_lfanew 0x%" PRIx32 " (at 0x%x): PE signature and COFF header (0x%x bytes) beyond the end of the file (0x%zx)",
			      pe->pe_offset, DOS_E_LFANEW,
			      PE_SIG_SIZE + COFF_HDR_SIZE, len);
	if (memcmp(buf + pe->pe_offset, "PE\0\0", PE_SIG_SIZE))
		return pk_err(ctx, -ENOEXEC,
			      "not a PE image: no PE signature \"PE\\0\\0\" at 0x%" PRIx32 " (e_lfanew)",
			      pe->pe_offset);
	return 0;
}

static int parse_coff(struct pk_ctx *ctx, const uint8_t *buf, struct pk_pe *pe)
{
	/* parse_dos() checked that the COFF header lies in the file. */
	const uint8_t *p = buf + pe->pe_offset + PE_SIG_SIZE;
	uint32_t off = pe->pe_offset + PE_SIG_SIZE;

	pe->machine = pk_get_le16(p + 0);
	pe->nsections = pk_get_le16(p + 2);
	pe->timestamp = pk_get_le32(p + 4);
	pe->symtab_offset = pk_get_le32(p + 8);
	pe->nsymbols = pk_get_le32(p + 12);
	pe->opt_size = pk_get_le16(p + 16);
	pe->characteristics = pk_get_le16(p + 18);
	if (pe->nsections > PK_PE_MAX_SECTIONS)
		return pk_err(ctx, -E2BIG,
			      "NumberOfSections %u (at 0x%" PRIx32 ") exceeds the limit of %u",
			      pe->nsections, off + 2, PK_PE_MAX_SECTIONS);
	/* pe_offset + 24 fits in size_t and in uint32_t + 24 (no wrap in 64 bits). */
	pe->opt_offset = off + COFF_HDR_SIZE;
	return 0;
}

static int parse_optional(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
			  struct pk_pe *pe)
{
	uint32_t opt = pe->opt_offset, fixed, ndirs_off, ndirs, i;
	uint32_t soh_off = opt + OPT_SIZE_OF_HEADERS;
	uint64_t table_end;
	const uint8_t *p;

	if (pe->opt_size < 2)
		return pk_err(ctx, -EBADMSG,
			      "SizeOfOptionalHeader %u (at 0x%" PRIx32 ") too small for the optional header's Magic",
			      pe->opt_size, opt - 4);
	if (!pk_range_ok(len, opt, 2))
		return pk_err(ctx, -EBADMSG,
			      "optional header Magic at 0x%" PRIx32 " beyond the end of the file (0x%zx)",
			      opt, len);
	p = buf + opt;
	pe->magic = pk_get_le16(p + OPT_MAGIC);
	if (pe->magic == PK_PE_MAGIC_PE32) {
		fixed = OPT_FIXED_PE32;
		ndirs_off = OPT_NDIRS_PE32;
	} else if (pe->magic == PK_PE_MAGIC_PE32PLUS) {
		fixed = OPT_FIXED_PE32PLUS;
		ndirs_off = OPT_NDIRS_PE32PLUS;
	} else {
		return pk_err(ctx, -ENOEXEC,
			      "not a PE image: optional header Magic 0x%x (at 0x%" PRIx32 ") is neither PE32 (0x10b) nor PE32+ (0x20b)",
			      pe->magic, opt);
	}
	if (pe->opt_size < fixed)
		return pk_err(ctx, -EBADMSG,
			      "SizeOfOptionalHeader %u (at 0x%" PRIx32 ") smaller than the %u bytes a %s optional header needs",
			      pe->opt_size, opt - 4, fixed,
			      pe->magic == PK_PE_MAGIC_PE32 ? "PE32" : "PE32+");
	if (!pk_range_ok(len, opt, pe->opt_size))
		return pk_err(ctx, -EBADMSG,
			      "optional header at 0x%" PRIx32 " (SizeOfOptionalHeader %u) beyond the end of the file (0x%zx)",
			      opt, pe->opt_size, len);

	pe->size_of_code = pk_get_le32(p + OPT_SIZE_OF_CODE);
	pe->size_of_initialized_data = pk_get_le32(p + OPT_SIZE_OF_INIT_DATA);
	pe->size_of_uninitialized_data = pk_get_le32(p + OPT_SIZE_OF_UNINIT_DATA);
	pe->entry_point = pk_get_le32(p + OPT_ENTRY);
	pe->base_of_code = pk_get_le32(p + OPT_BASE_OF_CODE);
	pe->image_base = pe->magic == PK_PE_MAGIC_PE32 ?
				 pk_get_le32(p + OPT_IMAGE_BASE32) :
				 pk_get_le64(p + OPT_IMAGE_BASE64);
	pe->section_alignment = pk_get_le32(p + OPT_SECTION_ALIGN);
	pe->file_alignment = pk_get_le32(p + OPT_FILE_ALIGN);
	pe->size_of_image = pk_get_le32(p + OPT_SIZE_OF_IMAGE);
	pe->size_of_headers = pk_get_le32(p + OPT_SIZE_OF_HEADERS);
	pe->checksum = pk_get_le32(p + OPT_CHECKSUM);
	pe->checksum_offset = opt + OPT_CHECKSUM;
	pe->subsystem = pk_get_le16(p + OPT_SUBSYSTEM);
	pe->dll_characteristics = pk_get_le16(p + OPT_DLL_CHARS);
	ndirs = pk_get_le32(p + ndirs_off);
	pe->dirs_offset = opt + fixed;

	if (!pk_is_pow2(pe->file_alignment))
		return pk_err(ctx, -EBADMSG,
			      "FileAlignment 0x%" PRIx32 " (at 0x%" PRIx32 ") is not a power of two",
			      pe->file_alignment, opt + OPT_FILE_ALIGN);
	if (!pk_is_pow2(pe->section_alignment))
		return pk_err(ctx, -EBADMSG,
			      "SectionAlignment 0x%" PRIx32 " (at 0x%" PRIx32 ") is not a power of two",
			      pe->section_alignment, opt + OPT_SECTION_ALIGN);
	if (pe->section_alignment < pe->file_alignment)
		return pk_err(ctx, -EBADMSG,
			      "SectionAlignment 0x%" PRIx32 " (at 0x%" PRIx32 ") is smaller than FileAlignment 0x%" PRIx32,
			      pe->section_alignment, opt + OPT_SECTION_ALIGN,
			      pe->file_alignment);

	/*
	 * EDK2 insists on both: at most 16 directories, and an optional
	 * header exactly as long as its fixed part plus the directories.
	 */
	if (ndirs > PK_PE_MAX_DIRS)
		return pk_err(ctx, -EBADMSG,
			      "NumberOfRvaAndSizes %" PRIu32 " (at 0x%" PRIx32 ") exceeds %u",
			      ndirs, opt + ndirs_off, PK_PE_MAX_DIRS);
	if (pe->opt_size != fixed + ndirs * DIR_ENTRY_SIZE)
		return pk_err(ctx, -EBADMSG,
			      "SizeOfOptionalHeader %u (at 0x%" PRIx32 ") disagrees with Magic 0x%x and NumberOfRvaAndSizes %" PRIu32 " (at 0x%" PRIx32 "): expected %" PRIu32,
			      pe->opt_size, opt - 4, pe->magic, ndirs,
			      opt + ndirs_off, fixed + ndirs * DIR_ENTRY_SIZE);
	pe->ndirs = ndirs;
	memset(pe->dirs, 0, sizeof(pe->dirs));
	for (i = 0; i < ndirs; i++) {
		/* Inside the optional header, checked above. */
		const uint8_t *d = p + fixed + i * DIR_ENTRY_SIZE;

		pe->dirs[i].virtual_address = pk_get_le32(d);
		pe->dirs[i].size = pk_get_le32(d + 4);
	}

	/* The section table follows the optional header. */
	pe->sections_offset = opt + pe->opt_size;
	table_end = (uint64_t)pe->sections_offset +
		    (uint64_t)pe->nsections * SECTION_HDR_SIZE;
	if (table_end > len)
		return pk_err(ctx, -EBADMSG,
			      "section table at 0x%" PRIx32 " (NumberOfSections %u) ends at 0x%" PRIx64 ", beyond the end of the file (0x%zx)",
			      pe->sections_offset, pe->nsections, table_end, len);
	if (pe->size_of_headers < table_end)
		return pk_err(ctx, -EBADMSG,
			      "SizeOfHeaders 0x%" PRIx32 " (at 0x%" PRIx32 ") is smaller than the end of the section table (0x%" PRIx64 ", NumberOfSections %u)",
			      pe->size_of_headers, soh_off, table_end,
			      pe->nsections);
	if (pe->size_of_headers > len)
		return pk_err(ctx, -EBADMSG,
			      "SizeOfHeaders 0x%" PRIx32 " (at 0x%" PRIx32 ") is beyond the end of the file (0x%zx)",
			      pe->size_of_headers, soh_off, len);
	if (pe->size_of_headers > pe->size_of_image)
		return pk_err(ctx, -EBADMSG,
			      "SizeOfHeaders 0x%" PRIx32 " (at 0x%" PRIx32 ") is larger than SizeOfImage 0x%" PRIx32,
			      pe->size_of_headers, soh_off, pe->size_of_image);
	return 0;
}

static void section_name(const uint8_t *p, char name[9])
{
	memcpy(name, p, 8);
	name[8] = '\0';
}

static int parse_section(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
			 struct pk_pe *pe, unsigned int i)
{
	struct pk_pe_section *s = &pe->sections[i];
	/* Inside the section table, which parse_optional() checked. */
	uint32_t hdr = pe->sections_offset + i * SECTION_HDR_SIZE;
	const uint8_t *p = buf + hdr;
	uint64_t vend, mem_size;

	memset(s, 0, sizeof(*s));
	section_name(p, s->name);
	s->virtual_size = pk_get_le32(p + 8);
	s->virtual_address = pk_get_le32(p + 12);
	s->size_of_raw_data = pk_get_le32(p + 16);
	s->pointer_to_raw_data = pk_get_le32(p + 20);
	s->characteristics = pk_get_le32(p + 36);
	s->header_offset = hdr;

	if (s->size_of_raw_data) {
		if (!pk_range_ok(len, s->pointer_to_raw_data, s->size_of_raw_data))
			return pk_err(ctx, -EBADMSG,
				      "section %u (%s): PointerToRawData 0x%" PRIx32 " + SizeOfRawData 0x%" PRIx32 " is beyond the end of the file (0x%zx); section header at 0x%" PRIx32,
				      i, s->name, s->pointer_to_raw_data,
				      s->size_of_raw_data, len, hdr);
		if (s->pointer_to_raw_data < pe->size_of_headers)
			return pk_err(ctx, -EBADMSG,
				      "section %u (%s): PointerToRawData 0x%" PRIx32 " lies inside the headers (SizeOfHeaders 0x%" PRIx32 "); section header at 0x%" PRIx32,
				      i, s->name, s->pointer_to_raw_data,
				      pe->size_of_headers, hdr);
	}

	/*
	 * What a loader reads (DESIGN.md §5): min(VirtualSize, SizeOfRawData),
	 * since SizeOfRawData includes file-alignment padding.  A VirtualSize
	 * of 0 means "as on disk", as EDK2 and binutils read it.
	 */
	mem_size = s->virtual_size ? s->virtual_size : s->size_of_raw_data;
	s->data_size = s->virtual_size && s->virtual_size < s->size_of_raw_data ?
			       s->virtual_size :
			       s->size_of_raw_data;
	s->data_offset = s->data_size ? s->pointer_to_raw_data : 0;

	vend = (uint64_t)s->virtual_address + mem_size;
	if (mem_size && s->virtual_address < pe->size_of_headers)
		return pk_err(ctx, -EBADMSG,
			      "section %u (%s): VirtualAddress 0x%" PRIx32 " lies inside the headers (SizeOfHeaders 0x%" PRIx32 "); section header at 0x%" PRIx32,
			      i, s->name, s->virtual_address,
			      pe->size_of_headers, hdr);
	if (vend > pe->size_of_image)
		return pk_err(ctx, -EBADMSG,
			      "section %u (%s): VirtualAddress 0x%" PRIx32 " + VirtualSize 0x%" PRIx64 " is beyond SizeOfImage 0x%" PRIx32 "; section header at 0x%" PRIx32,
			      i, s->name, s->virtual_address, mem_size,
			      pe->size_of_image, hdr);
	return 0;
}

/* Two sections' raw data, or their memory images, must not overlap. */
static int check_overlaps(struct pk_ctx *ctx, const struct pk_pe *pe)
{
	unsigned int i, j;

	/* n <= PK_PE_MAX_SECTIONS: the quadratic loop is bounded. */
	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *a = &pe->sections[i];
		uint64_t a_end = (uint64_t)a->pointer_to_raw_data + a->size_of_raw_data;
		uint64_t a_msz = a->virtual_size ? a->virtual_size : a->size_of_raw_data;
		uint64_t a_vend = (uint64_t)a->virtual_address + a_msz;

		for (j = i + 1; j < pe->nsections; j++) {
			const struct pk_pe_section *b = &pe->sections[j];
			uint64_t b_end = (uint64_t)b->pointer_to_raw_data + b->size_of_raw_data;
			uint64_t b_msz = b->virtual_size ? b->virtual_size : b->size_of_raw_data;
			uint64_t b_vend = (uint64_t)b->virtual_address + b_msz;

			if (a->size_of_raw_data && b->size_of_raw_data &&
			    a->pointer_to_raw_data < b_end &&
			    b->pointer_to_raw_data < a_end)
				return pk_err(ctx, -EBADMSG,
					      "section %u (%s): raw data [0x%" PRIx32 ", 0x%" PRIx64 ") overlaps section %u (%s) [0x%" PRIx32 ", 0x%" PRIx64 ") (PointerToRawData/SizeOfRawData); section header at 0x%" PRIx32,
					      j, b->name, b->pointer_to_raw_data, b_end,
					      i, a->name, a->pointer_to_raw_data, a_end,
					      b->header_offset);
			if (a_msz && b_msz && a->virtual_address < b_vend &&
			    b->virtual_address < a_vend)
				return pk_err(ctx, -EBADMSG,
					      "section %u (%s): memory [0x%" PRIx32 ", 0x%" PRIx64 ") overlaps section %u (%s) [0x%" PRIx32 ", 0x%" PRIx64 ") (VirtualAddress/VirtualSize); section header at 0x%" PRIx32,
					      j, b->name, b->virtual_address, b_vend,
					      i, a->name, a->virtual_address, a_vend,
					      b->header_offset);
		}
	}
	return 0;
}

/*
 * The certificate table's "VirtualAddress" is a file offset.  It must lie in
 * the file, after the headers and after every section's raw data (the
 * Authenticode digest hashes sections, then the bytes up to the table).
 * Its contents are the Authenticode code's business.
 */
static int check_cert_table(struct pk_ctx *ctx, const struct pk_pe *pe,
			    size_t len)
{
	const struct pk_pe_dir *d = &pe->dirs[PK_PE_DIR_SECURITY];
	uint32_t at = pe->dirs_offset + PK_PE_DIR_SECURITY * DIR_ENTRY_SIZE;
	unsigned int i;

	if (!pk_pe_has_cert_table(pe))
		return 0;
	if (!pk_range_ok(len, d->virtual_address, d->size))
		return pk_err(ctx, -EBADMSG,
			      "certificate table (data directory 4 at 0x%" PRIx32 "): offset 0x%" PRIx32 " + size 0x%" PRIx32 " is beyond the end of the file (0x%zx)",
			      at, d->virtual_address, d->size, len);
	if (d->virtual_address < pe->size_of_headers)
		return pk_err(ctx, -EBADMSG,
			      "certificate table (data directory 4 at 0x%" PRIx32 "): offset 0x%" PRIx32 " lies inside the headers (SizeOfHeaders 0x%" PRIx32 ")",
			      at, d->virtual_address, pe->size_of_headers);
	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];
		uint64_t end = (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data;

		if (s->size_of_raw_data && d->virtual_address < end)
			return pk_err(ctx, -EBADMSG,
				      "certificate table (data directory 4 at 0x%" PRIx32 "): offset 0x%" PRIx32 " lies before the end of section %u (%s) raw data (0x%" PRIx64 ")",
				      at, d->virtual_address, i, s->name, end);
	}
	return 0;
}

struct pk_pe *pk_pe_new(void)
{
	return calloc(1, sizeof(struct pk_pe));
}

void pk_pe_free(struct pk_pe *pe)
{
	free(pe); /* the image it points to is not its own */
}

int pk_pe_parse(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
		struct pk_pe *ret_pe)
{
	struct pk_pe *pe = ret_pe;
	unsigned int i;
	int r;

	if (!buf)
		len = 0;
	memset(pe, 0, sizeof(*pe));
	pe->buf = buf;
	pe->len = len;

	r = parse_dos(ctx, buf, len, pe);
	if (r < 0)
		return r;
	r = parse_coff(ctx, buf, pe);
	if (r < 0)
		return r;
	r = parse_optional(ctx, buf, len, pe);
	if (r < 0)
		return r;
	for (i = 0; i < pe->nsections; i++) {
		r = parse_section(ctx, buf, len, pe, i);
		if (r < 0)
			return r;
	}
	r = check_overlaps(ctx, pe);
	if (r < 0)
		return r;
	r = check_cert_table(ctx, pe, len);
	if (r < 0)
		return r;
	return pk_zboot_parse(ctx, buf, len, &pe->zboot);
}

const struct pk_pe_section *pk_pe_find_section(const struct pk_pe *pe,
					       const char *name)
{
	unsigned int i;

	if (!pe || !name)
		return NULL;
	for (i = 0; i < pe->nsections && i < PK_PE_MAX_SECTIONS; i++)
		if (!strcmp(pe->sections[i].name, name))
			return &pe->sections[i];
	return NULL;
}

const struct pk_pe_section *
pk_pe_profile_section_match(const struct pk_pe *pe, unsigned int profile, const char *name,
			    pk_pe_section_match_fn match, void *user)
{
	const struct pk_pe_section *base = NULL, *own = NULL;
	bool want_profile;
	unsigned int nprofile = 0; /* ".profile" sections seen so far */
	unsigned int i;

	if (!pe || !name)
		return NULL;
	want_profile = !strcmp(name, ".profile");
	for (i = 0; i < pe->nsections && i < PK_PE_MAX_SECTIONS; i++) {
		const struct pk_pe_section *s = &pe->sections[i];

		if (!strcmp(s->name, ".profile")) {
			nprofile++;
			if (want_profile && nprofile == profile + 1 && s->data_size)
				own = s;
			continue;
		}
		if (want_profile || strcmp(s->name, name) || !s->data_size)
			continue;
		/* only where it could be picked: the base's first, the profile's */
		if ((nprofile || base) && (nprofile != profile + 1 || own))
			continue;
		if (match && !match(pe, s, user))
			continue;
		if (!nprofile)
			base = s;
		else
			own = s;
	}
	/* Profile 0 of an image without ".profile" is the base alone. */
	if (profile >= nprofile && !(profile == 0 && nprofile == 0))
		return NULL;
	return own ? own : base;
}

const struct pk_pe_section *pk_pe_profile_section(const struct pk_pe *pe, unsigned int profile,
						  const char *name)
{
	return pk_pe_profile_section_match(pe, profile, name, NULL, NULL);
}

unsigned int pk_pe_profile_count(const struct pk_pe *pe)
{
	unsigned int i, n = 0;

	for (i = 0; pe && i < pe->nsections && i < PK_PE_MAX_SECTIONS; i++)
		n += !strcmp(pe->sections[i].name, ".profile");
	return n;
}

bool pk_pe_has_cert_table(const struct pk_pe *pe)
{
	return pe->ndirs > PK_PE_DIR_SECURITY &&
	       pe->dirs[PK_PE_DIR_SECURITY].size != 0;
}

const char *pk_pe_machine_name(uint16_t machine)
{
	switch (machine) {
	case 0x8664:
		return "x86_64";
	case 0xaa64:
		return "aarch64";
	case 0x5064:
		return "riscv64";
	case 0x6264:
		return "loongarch64";
	case 0x14c:
		return "i386";
	case 0x1c0:
	case 0x1c2:
	case 0x1c4:
		return "arm";
	default:
		return "unknown";
	}
}
