/* SPDX-License-Identifier: MIT */
/**
 * @file pe.h
 * @brief PE/COFF image reader (PE32 and PE32+) and the EFI zboot header.
 *
 * pk_pe_parse() decodes the headers of an untrusted image into host structs
 * (nothing is ever cast onto the input) and validates every offset and size
 * against the file.  Afterwards every section's [data_offset, data_offset +
 * data_size) is known to lie inside the buffer, so callers may read it
 * without further checks.  The buffer is not copied: it must outlive the
 * struct pk_pe.
 *
 * Errors (the context's message names the field and its file offset):
 * @retval -ENOEXEC  not a PE image (no MZ / PE signature, unknown optional
 *                   header magic)
 * @retval -EBADMSG  a PE image whose headers are inconsistent or point
 *                   outside the file (malformed)
 * @retval -E2BIG    more sections than PK_PE_MAX_SECTIONS
 * @retval -EPROTONOSUPPORT  a zboot header names an unknown compression
 *                   (see pk_zboot_parse(); a malformed zboot header is
 *                   -EBADMSG)
 *
 * The rules enforced, and the specification rules deliberately not
 * enforced because real images break them, are listed in docs/image.md.
 */
#ifndef PEKEXEC_PE_H
#define PEKEXEC_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PK_PE_MAX_SECTIONS 96 /* the PE/COFF limit for images */
#define PK_PE_MAX_DIRS 16

/* Data directory indices used here. */
#define PK_PE_DIR_SECURITY 4 /* certificate table: a *file offset*, not an RVA */

#define PK_PE_MAGIC_PE32 0x10b
#define PK_PE_MAGIC_PE32PLUS 0x20b

struct pk_pe_section {
	char name[9]; /* NUL-terminated; "/N" long names kept as written */
	uint32_t virtual_size;
	uint32_t virtual_address;
	uint32_t size_of_raw_data;
	uint32_t pointer_to_raw_data;
	uint32_t characteristics;
	uint32_t header_offset; /* file offset of this section header */
	/* What a loader reads: min(VirtualSize, SizeOfRawData) bytes at
	 * PointerToRawData (DESIGN.md §5).  Validated to lie in the file.
	 * A VirtualSize of 0 counts as SizeOfRawData (as EDK2 and binutils
	 * read it); data_offset is 0 when data_size is 0. */
	size_t data_offset;
	size_t data_size;
};

struct pk_pe_dir {
	uint32_t virtual_address;
	uint32_t size;
};

/** The EFI zboot header (DESIGN.md §5), present when bytes 4..7 are "zimg". */
struct pk_zboot {
	bool present;
	uint32_t payload_offset;
	uint32_t payload_size;
	char comp_name[33];    /* NUL-terminated compression name */
	int comp;              /* enum pk_comp of decompress.h */
	/* Size the payload declares for its decompressed Image: the le32
	 * after the payload (non-gzip) or the gzip ISIZE trailer. */
	uint32_t image_size;
	size_t image_size_offset; /* file offset of that le32 */
};

struct pk_pe {
	const uint8_t *buf; /* the image, not owned */
	size_t len;

	uint32_t pe_offset; /* e_lfanew: offset of "PE\0\0" */
	/* COFF file header */
	uint16_t machine;
	uint16_t nsections;
	uint32_t timestamp;
	uint32_t symtab_offset;
	uint32_t nsymbols;
	uint16_t opt_size; /* SizeOfOptionalHeader */
	uint16_t characteristics;
	/* optional header */
	uint32_t opt_offset; /* file offset of the optional header */
	uint16_t magic;      /* PK_PE_MAGIC_PE32 or PK_PE_MAGIC_PE32PLUS */
	uint32_t entry_point;
	uint64_t image_base;
	uint32_t section_alignment;
	uint32_t file_alignment;
	uint32_t size_of_image;
	uint32_t size_of_headers;
	uint32_t checksum;
	uint32_t checksum_offset; /* file offset of the CheckSum field */
	uint16_t subsystem;
	uint16_t dll_characteristics;
	uint32_t ndirs;      /* NumberOfRvaAndSizes, clamped to PK_PE_MAX_DIRS */
	uint32_t dirs_offset; /* file offset of data directory 0 */
	struct pk_pe_dir dirs[PK_PE_MAX_DIRS];
	uint32_t sections_offset; /* file offset of the section table */

	struct pk_pe_section sections[PK_PE_MAX_SECTIONS];
	struct pk_zboot zboot;

	/* More optional header fields (shown by inspect). */
	uint32_t size_of_code;
	uint32_t size_of_initialized_data;
	uint32_t size_of_uninitialized_data;
	uint32_t base_of_code;
};

/**
 * pk_pe_new - a new, zeroed struct pk_pe for pk_pe_parse() (which may fill
 * it again and again); pk_pe_free - release it (NULL is fine).  The one
 * way to get a struct pk_pe: it is large (PK_PE_MAX_SECTIONS sections), so
 * it lives on the heap, not on a stack or in static storage.
 * @return the new struct, or NULL when out of memory.
 */
struct pk_pe *pk_pe_new(void);
void pk_pe_free(struct pk_pe *pe);

/**
 * pk_pe_parse - decode and validate the headers of a PE image.
 * @ctx: context for the error message (may be NULL)
 * @buf, @len: the whole image file
 * @ret_pe: filled on success; untouched contents are undefined on error
 */
int pk_pe_parse(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
		struct pk_pe *ret_pe);

/** @return the first section called @name, or NULL. */
const struct pk_pe_section *pk_pe_find_section(const struct pk_pe *pe,
					       const char *name);

/**
 * pk_pe_profile_section - the section @name that systemd-stub and
 * systemd-boot use for UKI profile @profile (systemd v257+,
 * pe_locate_profile_sections()): the first non-empty one between the
 * profile's own ".profile" section (the (@profile+1)-th) and the next
 * ".profile", else the first non-empty one before the first ".profile"
 * (the base).  @name ".profile" gives the profile's own ".profile"
 * section.  An empty section counts as absent.
 * @return the section, or NULL when there is none, or when the image has
 * no profile @profile (profile 0 of an image without ".profile" is the
 * base alone).
 */
const struct pk_pe_section *pk_pe_profile_section(const struct pk_pe *pe, unsigned int profile,
						  const char *name);

/** A test on a candidate section; nonzero: it may be picked. */
typedef int (*pk_pe_section_match_fn)(const struct pk_pe *pe,
				      const struct pk_pe_section *s, void *user);

/**
 * pk_pe_profile_section_match - pk_pe_profile_section() among the sections
 * @match accepts (@user its argument): systemd-stub's .dtbauto choice, the
 * first whose device tree matches the system's, per profile as for any
 * section.  @match NULL accepts every section.
 */
const struct pk_pe_section *
pk_pe_profile_section_match(const struct pk_pe *pe, unsigned int profile, const char *name,
			    pk_pe_section_match_fn match, void *user);

/** @return how many ".profile" sections the image has (its UKI profiles). */
unsigned int pk_pe_profile_count(const struct pk_pe *pe);

/** @return true if the image carries a certificate table entry. */
bool pk_pe_has_cert_table(const struct pk_pe *pe);

/** @return "x86_64", "aarch64", "riscv64", "loongarch64", "i386", "arm", or "unknown". */
const char *pk_pe_machine_name(uint16_t machine);

/**
 * pk_zboot_parse - decode the zboot header at the start of @buf.
 * Sets ret->present = false and returns 0 when the "zimg" magic is absent.
 * @retval -EBADMSG  the magic is there but the payload lies outside the file,
 *                   the name is not NUL-terminated, or the size trailer is
 *                   missing
 * @retval -EPROTONOSUPPORT  unknown compression name
 */
int pk_zboot_parse(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
		   struct pk_zboot *ret);

#ifdef __cplusplus
}
#endif
#endif
