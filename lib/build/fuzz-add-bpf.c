// SPDX-License-Identifier: MIT
/*
 * fuzz-add-bpf.c - pk_add_bpf() on hostile input images.  Properties:
 * never a crash or an out-of-bounds access (ASan); when it succeeds, the
 * output parses, its .bpf holds exactly the program, every section of the
 * input (but a replaced .bpf) keeps its name, addresses and bytes, a zboot
 * payload keeps its bytes, and adding the same program again gives the
 * same image (replacing is idempotent).
 */
#include <stdio.h>

#include "internal.h"
#include "pekexec/build.h"
#include "pekexec/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pk_pe *in_pe, *out_pe; /* for one input: LLVMFuzzerTestOneInput() */

static const uint8_t program[] = "\x7f" "ELF fuzz program: any bytes will do";

#define ASSERT(c)                                                         \
	do {                                                              \
		if (!(c)) {                                               \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
			abort();                                          \
		}                                                         \
	} while (0)

/*
 * Input file range of the debug directory, whose entries' PointerToRawData
 * the writer rewrites when data moves (the only section bytes it changes).
 */
static bool debug_dir_range(const struct pk_pe *pe, uint64_t *ret_off, uint32_t *ret_n)
{
	const struct pk_pe_dir *d = &pe->dirs[6];
	unsigned int i;

	if (pe->ndirs <= 6 || d->size < 28)
		return false;
	*ret_n = d->size / 28 > 64 ? 64 : d->size / 28;
	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];

		if (d->virtual_address >= s->virtual_address &&
		    pk_range_ok(s->size_of_raw_data, d->virtual_address - s->virtual_address,
				*ret_n * 28u)) {
			*ret_off = s->pointer_to_raw_data + (uint64_t)(d->virtual_address -
								       s->virtual_address);
			return true;
		}
	}
	return false;
}

/* The bytes of a kept section, compared but for debug entry pointers. */
static bool same_bytes(const uint8_t *in, const struct pk_pe_section *s,
		       const uint8_t *out, const struct pk_pe_section *o)
{
	uint64_t dbg, at;
	uint32_t n, k;
	uint8_t *copy;
	bool same;

	if (!s->size_of_raw_data)
		return true;
	copy = malloc(s->size_of_raw_data);
	ASSERT(copy);
	memcpy(copy, out + o->pointer_to_raw_data, s->size_of_raw_data);
	if (debug_dir_range(in_pe, &dbg, &n)) {
		for (k = 0; k < n; k++) {
			at = dbg + k * 28u + 24;
			if (at >= s->pointer_to_raw_data &&
			    at + 4 <= (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data)
				memcpy(copy + (at - s->pointer_to_raw_data), in + at, 4);
		}
	}
	same = !memcmp(copy, in + s->pointer_to_raw_data, s->size_of_raw_data);
	free(copy);
	return same;
}

static void check(const uint8_t *in, size_t in_len, const struct pk_buf *out)
{
	const struct pk_pe_section *bpf;
	unsigned int i, j = 0;

	ASSERT(pk_pe_parse(NULL, out->data, out->len, out_pe) == 0);
	bpf = pk_pe_find_section(out_pe, ".bpf");
	ASSERT(bpf && bpf->data_size == sizeof(program));
	ASSERT(!memcmp(out->data + bpf->data_offset, program, sizeof(program)));
	ASSERT(!pk_pe_has_cert_table(out_pe));
	/* pk_add_bpf() parsed the same bytes successfully */
	ASSERT(pk_pe_parse(NULL, in, in_len, in_pe) == 0);
	for (i = 0; i < in_pe->nsections; i++) {
		const struct pk_pe_section *s = &in_pe->sections[i], *o;

		if (!strcmp(s->name, ".bpf"))
			continue; /* replaced (dropped or rewritten in place) */
		while (j < out_pe->nsections && !strcmp(out_pe->sections[j].name, ".bpf") &&
		       strcmp(s->name, ".bpf"))
			j++;
		ASSERT(j < out_pe->nsections);
		o = &out_pe->sections[j++];
		ASSERT(!strcmp(o->name, s->name));
		ASSERT(o->virtual_address == s->virtual_address);
		ASSERT(o->size_of_raw_data == s->size_of_raw_data);
		ASSERT(same_bytes(in, s, out->data, o));
	}
	if (in_pe->zboot.present) {
		ASSERT(out_pe->zboot.present);
		ASSERT(out_pe->zboot.payload_size == in_pe->zboot.payload_size);
		ASSERT(!memcmp(out->data + out_pe->zboot.payload_offset,
			       in + in_pe->zboot.payload_offset, in_pe->zboot.payload_size));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_buf out = { 0 }, again = { 0 };
	uint8_t *copy;

	if (!ctx)
		return 0;
	in_pe = pk_pe_new();
	out_pe = pk_pe_new();
	if (!in_pe || !out_pe)
		abort();
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	/* an exact-size copy: ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (pk_add_bpf(ctx, copy, size, program, sizeof(program), &out, NULL) == 0) {
		ASSERT(*pk_ctx_errmsg(ctx) == '\0');
		check(copy, size, &out);
		ASSERT(pk_add_bpf(ctx, out.data, out.len, program, sizeof(program),
				  &again, NULL) == 0);
		ASSERT(again.len == out.len && !memcmp(again.data, out.data, out.len));
	} else {
		ASSERT(out.len == 0 && *pk_ctx_errmsg(ctx));
	}
	pk_buf_free(&again);
	pk_buf_free(&out);
	free(copy);
	pk_pe_free(out_pe);
	pk_pe_free(in_pe);
	pk_ctx_free(ctx);
	return 0;
}
