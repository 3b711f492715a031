/* SPDX-License-Identifier: MIT */
/**
 * @file build.h
 * @brief Building images: the PE layout engine (add sections to an existing
 * PE), UKIs, EFI zboot images, and inserting a .bpf parser program.
 *
 * Every function takes the input image as (buf, len), parses it with
 * pk_pe_parse() and returns a new image in a pk_buf; the input is never
 * modified.  Outputs are unsigned (an input signature is dropped, since it
 * cannot cover the new bytes); the caller signs with pk_authenticode_sign().
 * The layout rules are in docs/build.md.
 *
 * Errors, one meaning each:
 * @retval -ENOEXEC  an input is not a PE image (from pk_pe_parse())
 * @retval -EBADMSG  an input PE is malformed, or a file pointer in it (symbol
 *                   table, debug directory, zboot payload) points at bytes
 *                   that cannot be kept (message: field and offset)
 * @retval -E2BIG    too many sections (more than PK_PE_MAX_SECTIONS), or the
 *                   output would not fit the 32-bit PE fields
 * @retval -ENOSPC   the new section headers do not fit and the headers
 *                   cannot grow (bytes after the section table are in use,
 *                   the image's file layout is its memory layout, or the
 *                   first section's memory starts too early), or a section
 *                   to replace in place is too small
 * @retval -EINVAL   a bad argument: empty or over-long section name, empty
 *                   section data, unknown machine or compression name,
 *                   malformed --profile specification
 * @retval -ENOENT   pk_parser_builtin(): no such built-in parser program
 * @retval -ENOMEM   allocation failed
 */
#ifndef PEKEXEC_BUILD_H
#define PEKEXEC_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Section characteristics (PE/COFF 3.1). */
#define PK_SCN_CNT_CODE 0x00000020u
#define PK_SCN_CNT_INITIALIZED_DATA 0x00000040u
#define PK_SCN_MEM_EXECUTE 0x20000000u
#define PK_SCN_MEM_READ 0x40000000u
#define PK_SCN_MEM_WRITE 0x80000000u
/** What ukify gives every section it adds but .linux: read-only data. */
#define PK_SCN_DATA_RO (PK_SCN_CNT_INITIALIZED_DATA | PK_SCN_MEM_READ)
/** What ukify gives .linux (old kernels run it in place via the EFI
 * handover protocol). */
#define PK_SCN_CODE_RO (PK_SCN_CNT_CODE | PK_SCN_MEM_READ)

#define PK_PE_MACHINE_X86_64 0x8664
#define PK_PE_MACHINE_ARM64 0xaa64
#define PK_PE_MACHINE_RISCV64 0x5064
#define PK_PE_MACHINE_LOONGARCH64 0x6264

/** One section to add: @len bytes at @data (not copied, not owned). */
struct pk_build_section {
	const char *name; /* 1..8 bytes */
	const uint8_t *data;
	size_t len;       /* > 0; becomes VirtualSize */
	uint32_t characteristics;
};

/** Flags of pk_pe_add_sections(). */
enum {
	/* Replace an existing section of the same name (one new section
	 * only): dropped and re-appended when it is the image's last
	 * section, rewritten in place when the new bytes fit its raw data
	 * and its memory span, -ENOSPC otherwise. */
	PK_BUILD_REPLACE = 1 << 0,
};

/** What pk_pe_add_sections() did, for the caller's messages. */
struct pk_build_info {
	bool dropped_signature; /* the input's certificate table was removed */
	bool replaced;          /* an existing section was replaced */
	uint32_t moved_by;      /* section data moved this far to grow the headers */
	uint32_t nsections;     /* sections in the output */
};

/**
 * pk_pe_add_sections - append sections to a PE image.
 *
 * New sections go after the existing ones, raw data at FileAlignment and
 * memory at SectionAlignment.  If their headers do not fit in front of the
 * first section's raw data, every section's raw data moves by a multiple
 * of FileAlignment and every file pointer is fixed (PointerToRawData, the
 * COFF symbol table, debug directory entries, the zboot payload offset).
 * SizeOfImage, SizeOfHeaders, NumberOfSections, SizeOfCode /
 * SizeOfInitializedData and CheckSum are recomputed; a certificate table
 * is dropped (info->dropped_signature).
 *
 * @flags: 0 or PK_BUILD_REPLACE
 * @ret_out: receives the new image (must be empty on entry)
 * @ret_info: optional
 */
int pk_pe_add_sections(struct pk_ctx *ctx, const uint8_t *img, size_t len,
		       const struct pk_build_section *secs, size_t nsecs,
		       unsigned int flags, struct pk_buf *ret_out,
		       struct pk_build_info *ret_info);

/**
 * pk_add_bpf - insert (or replace) the .bpf section of an image.
 * The output is unsigned; info->dropped_signature says whether the input
 * was signed (the caller tells the user to re-sign).
 */
int pk_add_bpf(struct pk_ctx *ctx, const uint8_t *img, size_t len,
	       const uint8_t *bpf, size_t bpf_len, struct pk_buf *ret_out,
	       struct pk_build_info *ret_info);

/**
 * pk_parser_builtin - the built-in parser program ("uki" or "zboot") as
 * .bpf section content.  The bytes are static: do not free them.
 * @retval -ENOENT unknown name
 */
int pk_parser_builtin(struct pk_ctx *ctx, const char *name,
		      const uint8_t **ret_bytes, size_t *ret_len);

struct pk_file;

/**
 * pk_parser_resolve - the .bpf content named by @spec: "uki" or "zboot"
 * (pk_parser_builtin()), else the path of a file, read into @storage
 * (zero-initialised; the caller closes it with pk_file_close()).
 * @retval -ENOENT no such built-in program, or the file's open() error
 * @retval -EINVAL the file is empty
 */
int pk_parser_resolve(struct pk_ctx *ctx, const char *spec,
		      struct pk_file *storage, const uint8_t **ret_bytes,
		      size_t *ret_len);

/**
 * pk_build_minimal_stub - the small PE used when no UKI stub is installed:
 * one .text section whose entry point returns EFI_UNSUPPORTED, for
 * @machine (PK_PE_MACHINE_*).  A valid PE32+ of the right machine, not a
 * boot loader.
 */
int pk_build_minimal_stub(struct pk_ctx *ctx, uint16_t machine,
			  struct pk_buf *ret_out);

/** One named file for a UKI section. */
struct pk_blob {
	const uint8_t *data;
	size_t len;
};

/** One --profile: a .profile section followed by its own sections. */
struct pk_uki_profile {
	const char *profile_text; /* content of .profile (e.g. "ID=x\nTITLE=y\n") */
	const char *cmdline;      /* NULL: none of its own */
	const struct pk_blob *initrds;
	size_t ninitrds;
};

struct pk_uki_opts {
	struct pk_blob stub;       /* the UKI stub PE */
	struct pk_blob linux_img;  /* the kernel (required) */
	const struct pk_blob *initrds;
	size_t ninitrds;
	struct pk_blob ucode;      /* optional (len 0: none) */
	const char *cmdline;       /* optional */
	struct pk_blob osrel;      /* optional */
	const char *uname;         /* optional */
	struct pk_blob bpf;        /* the .bpf content (len 0: no .bpf) */
	const struct pk_uki_profile *profiles;
	size_t nprofiles;
};

/**
 * pk_uki_build - a UKI: the stub's sections unchanged, then (ukify's order)
 * .osrel .cmdline .uname .initrd .ucode .bpf .linux, then for each profile
 * .profile and its sections.  Several initrds are concatenated, each
 * padded to 4 bytes.
 */
int pk_uki_build(struct pk_ctx *ctx, const struct pk_uki_opts *opts,
		 struct pk_buf *ret_out);

/**
 * pk_uki_guess_uname - the kernel release of an x86 bzImage, from the
 * version string its setup header points at (as ukify finds it).
 * @out: receives the NUL-terminated release, e.g. "6.1.0-56-amd64"
 * @retval -ENOENT not a bzImage, or no recognisable version string
 */
int pk_uki_guess_uname(const uint8_t *img, size_t len, char *out, size_t out_size);

/**
 * pk_profile_parse - turn a --profile SPEC ("ID=x[,TITLE=t][,cmdline=c]
 * [,initrd=FILE]...") into .profile text and the paths it names.
 * @ret_text: new "ID=x\nTITLE=t\n" (free() it)
 * @ret_cmdline: new string or NULL (free() it)
 * @ret_initrds: new array of new strings (free each and the array)
 */
int pk_profile_parse(struct pk_ctx *ctx, const char *spec, char **ret_text,
		     char **ret_cmdline, char ***ret_initrds,
		     size_t *ret_ninitrds);

/** The compressions of the zboot format. */
struct pk_zboot_opts {
	uint16_t machine;       /* PK_PE_MACHINE_* */
	const char *comp_name;  /* gzip, lz4, lzma, lzo, xzkern, zstd22 */
	/* the compressed stream exactly as the kernel's cmd_<name> writes it:
	 * for every method but gzip this includes the le32 size appended by
	 * size_append */
	struct pk_blob payload;
};

/**
 * pk_zboot_build - an EFI zboot PE (zboot-header.S of Linux 6.1) around
 * @opts->payload, without a .bpf section (add it with pk_add_bpf()).
 */
int pk_zboot_build(struct pk_ctx *ctx, const struct pk_zboot_opts *opts,
		   struct pk_buf *ret_out);

/**
 * pk_build_finish - sign @img (sha256) when @key_path and @cert_path are
 * given, then write it to @out_path atomically.  Errors of
 * pk_signer_load(), pk_authenticode_sign(), pk_file_write_atomic();
 * -EINVAL if only one of key and certificate is given.
 */
int pk_build_finish(struct pk_ctx *ctx, const uint8_t *img, size_t len,
		    const char *key_path, const char *cert_path,
		    const char *out_path);

/** @return PK_PE_MACHINE_* for "x86_64", "arm64"/"aarch64", "riscv64",
 * "loongarch64", or 0. */
uint16_t pk_build_machine_from_name(const char *name);

/** @return true if @name is one of the six zboot compression names. */
bool pk_zboot_comp_is_known(const char *name);

/**
 * pk_zboot_image_pad_size - the size Makefile.zboot pads the Image to
 * before compressing (the le32 image_size at 0x10 of an arm64/riscv64
 * Image header, when larger than @len), else @len.
 */
size_t pk_zboot_image_pad_size(const uint8_t *img, size_t len);

#ifdef __cplusplus
}
#endif
#endif
