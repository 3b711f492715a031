// SPDX-License-Identifier: MIT
/*
 * parser.c - where .bpf section content comes from: a built-in parser
 * program ("uki", "zboot") or a file, and inserting it into an image.
 */
#include "internal.h"
#include "pekexec/build.h"
#include "pekexec/file.h"
#include "stages/parsers.h"

/* A .bpf section holds an ELF object of a few KiB; refuse absurd files. */
#define PARSER_MAX_LEN (64u * 1024u * 1024u)

int pk_parser_builtin(struct pk_ctx *ctx, const char *name,
		      const uint8_t **ret_bytes, size_t *ret_len)
{
	/* The programs of bpf/, built by mk/parsers.mk into the library. */
	if (!name || pk_parser_data(name, ret_bytes, ret_len) < 0)
		return pk_err(ctx, -ENOENT,
			      "no built-in parser program \"%s\" (known: uki, zboot)",
			      name ? name : "");
	return 0;
}

int pk_add_bpf(struct pk_ctx *ctx, const uint8_t *img, size_t len,
	       const uint8_t *bpf, size_t bpf_len, struct pk_buf *ret_out,
	       struct pk_build_info *ret_info)
{
	const struct pk_build_section sec = {
		.name = ".bpf",
		.data = bpf,
		.len = bpf_len,
		.characteristics = PK_SCN_DATA_RO,
	};

	return pk_pe_add_sections(ctx, img, len, &sec, 1, PK_BUILD_REPLACE,
				  ret_out, ret_info);
}

int pk_parser_resolve(struct pk_ctx *ctx, const char *spec,
		      struct pk_file *storage, const uint8_t **ret_bytes,
		      size_t *ret_len)
{
	int r;

	if (!spec || !strcmp(spec, "uki") || !strcmp(spec, "zboot"))
		return pk_parser_builtin(ctx, spec, ret_bytes, ret_len);
	r = pk_file_open(ctx, spec, PARSER_MAX_LEN, storage);
	if (r < 0)
		return r;
	if (!storage->len)
		return pk_err(ctx, -EINVAL, "%s: empty parser program", spec);
	*ret_bytes = storage->data;
	*ret_len = storage->len;
	return 0;
}
