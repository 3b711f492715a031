/* SPDX-License-Identifier: MIT */
/*
 * parsers.h - the built-in parser programs (bpf/uki.bpf.c, bpf/zboot.bpf.c)
 * as .bpf section content, generated at build time by mk/parsers.mk into
 * $(BUILD)/gen/parsers-data.c and linked into the library.  Not installed.
 */
#ifndef PK_STAGES_PARSERS_H
#define PK_STAGES_PARSERS_H

#include <stddef.h>
#include <stdint.h>

struct pk_parser_blob {
	const char *name; /* "uki", "zboot" */
	const uint8_t *bytes;
	size_t len;
};

/* Generated: the table and its length. */
extern const struct pk_parser_blob pk_parser_blobs[];
extern const size_t pk_parser_blob_count;

/*
 * pk_parser_data - the .bpf section content of built-in parser @name.
 * The bytes are static.  0, or -ENOENT for an unknown name.
 */
int pk_parser_data(const char *name, const uint8_t **ret_bytes, size_t *ret_len);

#endif
