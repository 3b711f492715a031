// SPDX-License-Identifier: MIT
/*
 * test-build.c - the PE layout engine against the PE rules, checked on the
 * output by pk_pe_parse() and by this file's own arithmetic (never by the
 * engine's): raw data at FileAlignment, memory adjacent at
 * SectionAlignment, SizeOfImage / SizeOfHeaders, the CheckSum recomputed
 * here independently, every input section's bytes unchanged (compared with
 * the input), every new section's bytes equal to what was given.
 *
 * Cases: header growth (section data moves, the COFF symbol table and a
 * zboot payload offset follow), a certificate table dropped, .bpf replaced
 * at the end and in place, Debian's bzImage whose setup header at 0x1f1
 * limits the section table, zboot frames for every compression name, the
 * minimal stub for each machine, --profile specifications, bad arguments.
 * Inputs and outputs are written as seeds for fuzz-add-bpf.
 */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "check.h"
#include "internal.h"
#include "pekexec/build.h"
#include "pekexec/pe.h"

static struct pk_ctx *ctx;
static struct pk_pe *pe_in, *pe_out; /* pk_pe_new() in main() */

/* The PE CheckSum, written here from the PE/COFF specification. */
static uint32_t oracle_checksum(const uint8_t *b, size_t len, size_t csum_at)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		if (i == csum_at || i == csum_at + 2)
			continue;
		sum += (uint32_t)b[i] | (uint32_t)b[i + 1] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += b[len - 1];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + len);
}

static uint64_t up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static void write_seed(const char *name, const uint8_t *p, size_t n)
{
	const char *build = getenv("BUILD");
	char path[4096];

	if (!build)
		return;
	snprintf(path, sizeof(path), "%s/fuzz-seeds", build);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fuzz-seeds/fuzz-add-bpf", build);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fuzz-seeds/fuzz-add-bpf/%s", build, name);
	test_write_file(path, p, n);
}

/*
 * The rules every output obeys, given the parsed input and the sections
 * that were added (appended in order after the input's).
 */
static void check_output(const uint8_t *in, size_t in_len, const uint8_t *out,
			 size_t out_len, const struct pk_build_section *secs,
			 size_t nsecs, unsigned int dropped)
{
	unsigned int i, nkept;
	uint64_t vend = 0, table_end;

	CHECK_EQ_INT(pk_pe_parse(ctx, in, in_len, pe_in), 0);
	if (pk_pe_parse(ctx, out, out_len, pe_out)) {
		printf("output does not parse: %s\n", pk_ctx_errmsg(ctx));
		CHECK(0);
		return;
	}
	nkept = pe_in->nsections - dropped;
	CHECK_EQ_INT(pe_out->nsections, nkept + nsecs);
	CHECK_EQ_INT(pe_out->file_alignment, pe_in->file_alignment);
	CHECK_EQ_INT(pe_out->section_alignment, pe_in->section_alignment);
	CHECK_EQ_INT(pe_out->entry_point, pe_in->entry_point);
	CHECK_EQ_INT(pe_out->checksum,
		     oracle_checksum(out, out_len, pe_out->checksum_offset));
	CHECK(!pk_pe_has_cert_table(pe_out));
	table_end = pe_out->sections_offset + 40ull * pe_out->nsections;
	CHECK(pe_out->size_of_headers >= table_end);
	CHECK(pe_out->size_of_headers == pe_in->size_of_headers ||
	      pe_out->size_of_headers % pe_out->file_alignment == 0);
	/* The headers before the section table are the input's. */
	CHECK_EQ_INT(pe_out->sections_offset, pe_in->sections_offset);
	for (i = 0; i < pe_out->nsections; i++) {
		const struct pk_pe_section *o = &pe_out->sections[i];
		uint64_t e = (uint64_t)o->virtual_address +
			     (o->virtual_size ? o->virtual_size : o->size_of_raw_data);

		if (o->size_of_raw_data)
			CHECK(o->pointer_to_raw_data >= pe_out->size_of_headers);
		if (i < nkept) {
			const struct pk_pe_section *s = &pe_in->sections[i];

			CHECK(!strcmp(o->name, s->name));
			CHECK_EQ_INT(o->virtual_address, s->virtual_address);
			CHECK_EQ_INT(o->virtual_size, s->virtual_size);
			CHECK_EQ_INT(o->size_of_raw_data, s->size_of_raw_data);
			CHECK_EQ_INT(o->characteristics, s->characteristics);
			CHECK_EQ_INT((o->pointer_to_raw_data - s->pointer_to_raw_data) %
					     pe_in->file_alignment, 0);
			CHECK(o->size_of_raw_data == 0 ||
			      !memcmp(out + o->pointer_to_raw_data,
				      in + s->pointer_to_raw_data, s->size_of_raw_data));
		} else {
			const struct pk_build_section *n = &secs[i - nkept];

			CHECK(!strcmp(o->name, n->name));
			CHECK_EQ_INT(o->virtual_size, n->len);
			CHECK_EQ_INT(o->data_size, n->len);
			CHECK(!memcmp(out + o->data_offset, n->data, n->len));
			CHECK_EQ_INT(o->characteristics, n->characteristics);
			CHECK_EQ_INT(o->pointer_to_raw_data % pe_out->file_alignment, 0);
			CHECK_EQ_INT(o->size_of_raw_data, up(n->len, pe_out->file_alignment));
			/* adjacent to the memory before it */
			CHECK_EQ_INT(o->virtual_address, up(vend, pe_out->section_alignment));
		}
		if (e > vend)
			vend = e;
	}
	CHECK_EQ_INT(pe_out->size_of_image, up(vend, pe_out->section_alignment));
}

static void fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t st = seed;

	test_random_bytes(&st, p, n);
}

/* Many sections on the minimal stub: the headers grow. */
static void test_growth(void)
{
	struct pk_buf stub = { 0 }, out = { 0 };
	struct pk_build_section secs[40];
	static uint8_t data[40][700];
	static char names[40][9];
	struct pk_build_info info;
	size_t i;

	CHECK_EQ_INT(pk_build_minimal_stub(ctx, PK_PE_MACHINE_X86_64, &stub), 0);
	for (i = 0; i < 40; i++) {
		fill(data[i], sizeof(data[i]), i + 1);
		snprintf(names[i], sizeof(names[i]), ".s%zu", i);
		secs[i] = (struct pk_build_section){ names[i], data[i], 100 + i * 15,
						     PK_SCN_DATA_RO };
	}
	CHECK_EQ_INT(pk_pe_add_sections(ctx, stub.data, stub.len, secs, 40, 0, &out,
					&info), 0);
	CHECK(info.moved_by > 0 && info.moved_by % 0x200 == 0);
	CHECK(!info.dropped_signature);
	check_output(stub.data, stub.len, out.data, out.len, secs, 40, 0);
	write_seed("stub-x86_64", stub.data, stub.len);
	pk_buf_free(&out);

	/* few sections: no growth */
	CHECK_EQ_INT(pk_pe_add_sections(ctx, stub.data, stub.len, secs, 3, 0, &out,
					&info), 0);
	CHECK_EQ_INT(info.moved_by, 0);
	check_output(stub.data, stub.len, out.data, out.len, secs, 3, 0);
	pk_buf_free(&out);
	pk_buf_free(&stub);
}

/* A COFF symbol table after the sections follows them; a cert table goes. */
static void test_symtab_and_signature(void)
{
	struct pk_buf stub = { 0 }, out = { 0 };
	struct pk_build_section secs[30];
	static uint8_t data[300];
	uint8_t tail[77], cert[16] = { 16, 0, 0, 0, 0, 2, 2, 0 };
	struct pk_build_info info;
	uint32_t symtab, n;
	size_t i;

	CHECK_EQ_INT(pk_build_minimal_stub(ctx, PK_PE_MACHINE_X86_64, &stub), 0);
	CHECK_EQ_INT(pk_pe_parse(ctx, stub.data, stub.len, pe_in), 0);
	fill(tail, sizeof(tail), 99);
	symtab = (uint32_t)stub.len;
	CHECK_EQ_INT(pk_buf_append(&stub, tail, sizeof(tail)), 0);
	pk_put_le32(stub.data + pe_in->pe_offset + 12, symtab);
	pk_put_le32(stub.data + pe_in->pe_offset + 16, 4);
	/* and a (fake) certificate table at the end, 8-aligned */
	CHECK_EQ_INT(pk_buf_pad(&stub, 8), 0);
	n = (uint32_t)stub.len;
	CHECK_EQ_INT(pk_buf_append(&stub, cert, sizeof(cert)), 0);
	pk_put_le32(stub.data + pe_in->dirs_offset + 32, n);
	pk_put_le32(stub.data + pe_in->dirs_offset + 36, sizeof(cert));

	fill(data, sizeof(data), 7);
	for (i = 0; i < 30; i++)
		secs[i] = (struct pk_build_section){ ".x", data, 10 + i, PK_SCN_DATA_RO };
	CHECK_EQ_INT(pk_pe_add_sections(ctx, stub.data, stub.len, secs, 30, 0, &out,
					&info), 0);
	CHECK(info.dropped_signature);
	CHECK(info.moved_by > 0);
	check_output(stub.data, stub.len, out.data, out.len, secs, 30, 0);
	CHECK_EQ_INT(pk_pe_parse(ctx, out.data, out.len, pe_out), 0);
	/* the tail (symbol table, then the padding before the certificates) */
	CHECK(pe_out->symtab_offset >= pe_out->sections[pe_out->nsections - 1].pointer_to_raw_data);
	CHECK(pk_range_ok(out.len, pe_out->symtab_offset, sizeof(tail)));
	CHECK(!memcmp(out.data + pe_out->symtab_offset, tail, sizeof(tail)));
	CHECK_EQ_INT(out.len, pe_out->symtab_offset + (n - symtab));
	write_seed("stub-symtab-signed", stub.data, stub.len);
	pk_buf_free(&out);
	pk_buf_free(&stub);
}

/*
 * A debug directory in .text whose entry points (PointerToRawData, a file
 * offset) at data in .text: after the headers grow, the entry points at
 * the same bytes.
 */
static void test_debug_dir(void)
{
	struct pk_buf stub = { 0 }, out = { 0 };
	struct pk_build_section secs[30];
	static uint8_t data[100];
	uint8_t marker[16];
	struct pk_build_info info;
	uint32_t text_hdr, dbg_file = 0x440, target = 0x480, p;
	size_t i;

	CHECK_EQ_INT(pk_build_minimal_stub(ctx, PK_PE_MACHINE_X86_64, &stub), 0);
	CHECK_EQ_INT(pk_pe_parse(ctx, stub.data, stub.len, pe_in), 0);
	CHECK_EQ_INT(pe_in->sections[0].pointer_to_raw_data, 0x400);
	text_hdr = pe_in->sections[0].header_offset;
	pk_put_le32(stub.data + text_hdr + 8, 0x200); /* VirtualSize: all of it */
	fill(marker, sizeof(marker), 31);
	memcpy(stub.data + target, marker, sizeof(marker));
	/* IMAGE_DEBUG_DIRECTORY: SizeOfData, AddressOfRawData, PointerToRawData */
	pk_put_le32(stub.data + dbg_file + 12, 2); /* Type: CODEVIEW */
	pk_put_le32(stub.data + dbg_file + 16, sizeof(marker));
	pk_put_le32(stub.data + dbg_file + 20, 0x1080);
	pk_put_le32(stub.data + dbg_file + 24, target);
	pk_put_le32(stub.data + pe_in->dirs_offset + 6 * 8, 0x1040);
	pk_put_le32(stub.data + pe_in->dirs_offset + 6 * 8 + 4, 28);
	/* keep the input's CheckSum consistent (not that it matters) */
	pk_put_le32(stub.data + pe_in->checksum_offset,
		    oracle_checksum(stub.data, stub.len, pe_in->checksum_offset));

	fill(data, sizeof(data), 32);
	for (i = 0; i < 30; i++)
		secs[i] = (struct pk_build_section){ ".d", data, 20 + i, PK_SCN_DATA_RO };
	CHECK_EQ_INT(pk_pe_add_sections(ctx, stub.data, stub.len, secs, 30, 0, &out, &info), 0);
	CHECK(info.moved_by > 0);
	p = pk_get_le32(out.data + dbg_file + info.moved_by + 24);
	/* everything else as usual: check a copy with the entry put back */
	{
		struct pk_buf copy = { 0 };

		CHECK_EQ_INT(pk_buf_append(&copy, out.data, out.len), 0);
		pk_put_le32(copy.data + dbg_file + info.moved_by + 24, target);
		CHECK_EQ_INT(pk_pe_parse(ctx, copy.data, copy.len, pe_out), 0);
		pk_put_le32(copy.data + pe_out->checksum_offset,
			    oracle_checksum(copy.data, copy.len, pe_out->checksum_offset));
		check_output(stub.data, stub.len, copy.data, copy.len, secs, 30, 0);
		pk_buf_free(&copy);
	}
	CHECK_EQ_INT(p, target + info.moved_by);
	CHECK(pk_range_ok(out.len, p, sizeof(marker)) &&
	      !memcmp(out.data + p, marker, sizeof(marker)));
	write_seed("stub-debugdir", stub.data, stub.len);
	pk_buf_free(&out);
	pk_buf_free(&stub);
}

/* .bpf replaced: at the end (dropped and re-appended), in place, too big. */
static void test_replace(void)
{
	struct pk_buf stub = { 0 }, a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	static uint8_t bpf1[3000], bpf2[1000], foo[500];
	struct pk_build_section foo_sec = { ".foo", foo, sizeof(foo), PK_SCN_DATA_RO };
	struct pk_build_section bpf2_sec = { ".bpf", bpf2, sizeof(bpf2), PK_SCN_DATA_RO };
	const struct pk_pe_section *s;
	struct pk_build_info info;

	fill(bpf1, sizeof(bpf1), 1);
	fill(bpf2, sizeof(bpf2), 2);
	fill(foo, sizeof(foo), 3);
	CHECK_EQ_INT(pk_build_minimal_stub(ctx, PK_PE_MACHINE_ARM64, &stub), 0);
	CHECK_EQ_INT(pk_add_bpf(ctx, stub.data, stub.len, bpf1, sizeof(bpf1), &a, &info), 0);
	CHECK(!info.replaced);
	CHECK_EQ_INT(pk_add_bpf(ctx, a.data, a.len, bpf2, sizeof(bpf2), &b, &info), 0);
	CHECK(info.replaced);
	/* the same as adding bpf2 to the stub directly */
	check_output(a.data, a.len, b.data, b.len, &bpf2_sec, 1, 1);
	check_output(stub.data, stub.len, b.data, b.len, &bpf2_sec, 1, 0);

	/* .bpf not last: rewritten in place when it fits */
	CHECK_EQ_INT(pk_pe_add_sections(ctx, a.data, a.len, &foo_sec, 1, 0, &c, NULL), 0);
	CHECK_EQ_INT(pk_add_bpf(ctx, c.data, c.len, bpf2, sizeof(bpf2), &d, &info), 0);
	CHECK(info.replaced);
	CHECK_EQ_INT(pk_pe_parse(ctx, d.data, d.len, pe_out), 0);
	CHECK_EQ_INT(pe_out->nsections, 3);
	s = pk_pe_find_section(pe_out, ".bpf");
	CHECK(s && s->data_size == sizeof(bpf2) && !memcmp(d.data + s->data_offset, bpf2, sizeof(bpf2)));
	CHECK(s && s->size_of_raw_data && !d.data[s->pointer_to_raw_data + sizeof(bpf2)]);
	s = pk_pe_find_section(pe_out, ".foo");
	CHECK(s && s->data_size == sizeof(foo) && !memcmp(d.data + s->data_offset, foo, sizeof(foo)));
	CHECK_EQ_INT(pe_out->checksum, oracle_checksum(d.data, d.len, pe_out->checksum_offset));
	pk_buf_free(&d);
	/* too big for its place */
	CHECK_EQ_INT(pk_add_bpf(ctx, c.data, c.len, foo, 0x1001, &d, NULL), -ENOSPC);
	CHECK(strstr(pk_ctx_errmsg(ctx), "section header at 0x") != NULL);
	CHECK_EQ_INT(d.len, 0);
	write_seed("stub-arm64-bpf-foo", c.data, c.len);
	pk_buf_free(&a);
	pk_buf_free(&b);
	pk_buf_free(&c);
	pk_buf_free(&stub);
}

/* Debian's bzImage: the table may grow only up to the setup header. */
static void test_bzimage(void)
{
	const char *path = test_image_path("vmlinuz-amd64");
	struct pk_buf img = { 0 }, out = { 0 };
	static uint8_t data[2000];
	struct pk_build_section secs[3];
	struct pk_build_info info;
	size_t i, room;

	if (!path || test_read_file(path, &img) < 0) {
		printf("note: no $IMAGES/vmlinuz-amd64, bzImage case not run\n");
		return;
	}
	CHECK_EQ_INT(pk_pe_parse(ctx, img.data, img.len, pe_in), 0);
	fill(data, sizeof(data), 5);
	for (i = 0; i < 3; i++)
		secs[i] = (struct pk_build_section){ ".bpf", data, 1500 + i, PK_SCN_DATA_RO };
	/* 0x1f1 is where the x86 setup header starts */
	room = (0x1f1 - (pe_in->sections_offset + 40u * pe_in->nsections)) / 40;
	CHECK(room >= 1);
	CHECK_EQ_INT(pk_pe_add_sections(ctx, img.data, img.len, secs, room, 0, &out, &info), 0);
	CHECK(info.dropped_signature);
	CHECK_EQ_INT(info.moved_by, 0);
	check_output(img.data, img.len, out.data, out.len, secs, room, 0);
	/* the setup header is untouched */
	CHECK(!memcmp(out.data + 0x1f1, img.data + 0x1f1, 0x80));
	pk_buf_free(&out);
	CHECK_EQ_INT(pk_pe_add_sections(ctx, img.data, img.len, secs, room + 1, 0, &out, NULL),
		     -ENOSPC);
	CHECK(strstr(pk_ctx_errmsg(ctx), "0x1f1") != NULL);

	/* the release, as ukify reads it; oracle: the Debian package name */
	{
		char uname[129], pkgpath[4096];
		struct pk_buf pkg = { 0 };

		snprintf(pkgpath, sizeof(pkgpath), "%s.pkg", path);
		CHECK_EQ_INT(pk_uki_guess_uname(img.data, img.len, uname, sizeof(uname)), 0);
		if (test_read_file(pkgpath, &pkg) == 0 && pkg.len > 12) {
			while (pkg.len && (pkg.data[pkg.len - 1] == '\n'))
				pkg.len--;
			CHECK(pkg.len - 12 == strlen(uname) &&
			      !memcmp(pkg.data + 12, uname, strlen(uname)));
		}
		CHECK_EQ_INT(pk_uki_guess_uname(img.data, 0x210, uname, sizeof(uname)), -ENOENT);
		CHECK_EQ_INT(pk_uki_guess_uname(img.data, img.len, uname, 4), -ENOENT);
		pk_buf_free(&pkg);
	}
	pk_buf_free(&img);
}

/*
 * A zboot image with small headers (0x200), built here by hand: adding
 * sections moves the payload, whose offset in the zboot header follows.
 */
static void make_small_zboot(struct pk_buf *b, const uint8_t *payload, size_t n)
{
	uint8_t *p;
	uint32_t opt = 0x58, text_raw = (uint32_t)up(0x20 + n + 4, 0x200);

	pk_buf_free(b);
	CHECK_EQ_INT(pk_buf_append_zeros(b, 0x200 + text_raw), 0);
	p = b->data;
	memcpy(p, "MZ\0\0zimg", 8);
	pk_put_le32(p + 0x08, 0x200 + 0x20);         /* payload offset */
	pk_put_le32(p + 0x0c, (uint32_t)n);          /* payload size */
	memcpy(p + 0x18, "zstd22", 6);
	pk_put_le32(p + 0x38, 0x818223cd);
	pk_put_le32(p + 0x3c, 0x40);
	memcpy(p + 0x40, "PE\0\0", 4);
	pk_put_le16(p + 0x44, 0xaa64);
	pk_put_le16(p + 0x46, 1);
	pk_put_le16(p + 0x54, 112 + 6 * 8);
	pk_put_le16(p + 0x56, 0x206);
	pk_put_le16(p + opt, 0x20b);
	pk_put_le32(p + opt + 16, 0x1000);           /* entry */
	pk_put_le32(p + opt + 32, 0x1000);           /* SectionAlignment */
	pk_put_le32(p + opt + 36, 0x200);            /* FileAlignment */
	pk_put_le32(p + opt + 56, (uint32_t)up(0x1000 + text_raw, 0x1000));
	pk_put_le32(p + opt + 60, 0x200);            /* SizeOfHeaders */
	pk_put_le16(p + opt + 68, 10);
	pk_put_le32(p + opt + 108, 6);
	memcpy(p + opt + 160, ".text", 5);
	pk_put_le32(p + opt + 160 + 8, text_raw);
	pk_put_le32(p + opt + 160 + 12, 0x1000);
	pk_put_le32(p + opt + 160 + 16, text_raw);
	pk_put_le32(p + opt + 160 + 20, 0x200);
	pk_put_le32(p + opt + 160 + 36, 0x60000020);
	memcpy(p + 0x220, payload, n);
	pk_put_le32(p + 0x220 + n, 0x12345678);      /* the decompressed size */
}

static void test_zboot_moves(void)
{
	struct pk_buf zb = { 0 }, out = { 0 };
	static uint8_t payload[3333], data[100];
	struct pk_build_section secs[8];
	struct pk_build_info info;
	size_t i;

	fill(payload, sizeof(payload), 11);
	fill(data, sizeof(data), 12);
	make_small_zboot(&zb, payload, sizeof(payload));
	CHECK_EQ_INT(pk_pe_parse(ctx, zb.data, zb.len, pe_in), 0);
	CHECK(pe_in->zboot.present);
	for (i = 0; i < 8; i++)
		secs[i] = (struct pk_build_section){ ".z", data, 50 + i, PK_SCN_DATA_RO };
	CHECK_EQ_INT(pk_pe_add_sections(ctx, zb.data, zb.len, secs, 8, 0, &out, &info), 0);
	CHECK(info.moved_by > 0);
	check_output(zb.data, zb.len, out.data, out.len, secs, 8, 0);
	CHECK_EQ_INT(pk_pe_parse(ctx, out.data, out.len, pe_out), 0);
	CHECK(pe_out->zboot.present);
	CHECK_EQ_INT(pe_out->zboot.payload_offset, pe_in->zboot.payload_offset + info.moved_by);
	CHECK_EQ_INT(pe_out->zboot.payload_size, sizeof(payload));
	CHECK_EQ_INT(pe_out->zboot.image_size, 0x12345678);
	CHECK(!memcmp(out.data + pe_out->zboot.payload_offset, payload, sizeof(payload)));
	write_seed("zboot-small", zb.data, zb.len);
	pk_buf_free(&out);
	pk_buf_free(&zb);
}

/* pk_zboot_build: the header decodes to what was given. */
static void test_zboot_build(void)
{
	static const char *const names[] = { "gzip", "lz4", "lzma", "lzo", "xzkern", "zstd22" };
	static uint8_t payload[5000];
	struct pk_buf out = { 0 }, with_bpf = { 0 };
	size_t i, size_len;

	fill(payload, sizeof(payload), 21);
	for (i = 0; i < PK_ARRAY_SIZE(names); i++) {
		struct pk_zboot_opts o = { PK_PE_MACHINE_ARM64, names[i],
					   { payload, sizeof(payload) } };

		size_len = strcmp(names[i], "gzip") ? 4 : 0;
		CHECK_EQ_INT(pk_zboot_build(ctx, &o, &out), 0);
		CHECK_EQ_INT(pk_pe_parse(ctx, out.data, out.len, pe_out), 0);
		CHECK_EQ_INT(pe_out->machine, PK_PE_MACHINE_ARM64);
		CHECK(pe_out->zboot.present);
		CHECK(!strcmp(pe_out->zboot.comp_name, names[i]));
		CHECK_EQ_INT(pe_out->zboot.payload_size, sizeof(payload) - size_len);
		CHECK(!memcmp(out.data + pe_out->zboot.payload_offset, payload, sizeof(payload)));
		CHECK_EQ_INT(pe_out->zboot.image_size,
			     pk_get_le32(payload + sizeof(payload) - 4));
		CHECK_EQ_INT(pk_get_le32(out.data + 0x38), 0x818223cd);
		CHECK_EQ_INT(pe_out->checksum,
			     oracle_checksum(out.data, out.len, pe_out->checksum_offset));
		/* the payload lies in .text, as zboot.lds puts it */
		CHECK(pe_out->nsections == 2 && !strcmp(pe_out->sections[0].name, ".text") &&
		      pe_out->zboot.payload_offset >= pe_out->sections[0].pointer_to_raw_data &&
		      pe_out->zboot.payload_offset + sizeof(payload) <=
			      pe_out->sections[0].pointer_to_raw_data +
				      pe_out->sections[0].size_of_raw_data);
		CHECK_EQ_INT(pk_add_bpf(ctx, out.data, out.len, payload, 999, &with_bpf, NULL), 0);
		{
			struct pk_build_section s = { ".bpf", payload, 999, PK_SCN_DATA_RO };

			check_output(out.data, out.len, with_bpf.data, with_bpf.len, &s, 1, 0);
		}
		if (i == 0)
			write_seed("zboot-gzip-bpf", with_bpf.data, with_bpf.len);
		pk_buf_free(&with_bpf);
		pk_buf_free(&out);
	}
	{
		struct pk_zboot_opts o = { PK_PE_MACHINE_ARM64, "bzip2", { payload, 100 } };

		CHECK_EQ_INT(pk_zboot_build(ctx, &o, &out), -EINVAL);
		o.comp_name = "lz4";
		o.payload.len = 4; /* only room for the size */
		CHECK_EQ_INT(pk_zboot_build(ctx, &o, &out), -EINVAL);
		o.machine = 0x14c;
		o.payload.len = 100;
		CHECK_EQ_INT(pk_zboot_build(ctx, &o, &out), -EINVAL);
	}
}

static void test_minimal_stubs(void)
{
	static const uint16_t machines[] = { PK_PE_MACHINE_X86_64, PK_PE_MACHINE_ARM64,
					     PK_PE_MACHINE_RISCV64,
					     PK_PE_MACHINE_LOONGARCH64 };
	struct pk_buf b = { 0 };
	size_t i;

	for (i = 0; i < PK_ARRAY_SIZE(machines); i++) {
		const struct pk_pe_section *t;

		CHECK_EQ_INT(pk_build_minimal_stub(ctx, machines[i], &b), 0);
		CHECK_EQ_INT(pk_pe_parse(ctx, b.data, b.len, pe_out), 0);
		CHECK_EQ_INT(pe_out->machine, machines[i]);
		CHECK_EQ_INT(pe_out->magic, PK_PE_MAGIC_PE32PLUS);
		CHECK_EQ_INT(pe_out->subsystem, 10);
		t = pk_pe_find_section(pe_out, ".text");
		CHECK(t && pe_out->entry_point >= t->virtual_address &&
		      pe_out->entry_point < t->virtual_address + t->virtual_size);
		CHECK_EQ_INT(pe_out->checksum,
			     oracle_checksum(b.data, b.len, pe_out->checksum_offset));
		pk_buf_free(&b);
	}
	CHECK_EQ_INT(pk_build_minimal_stub(ctx, 0x14c, &b), -EINVAL);
	{
		char uname[64];

		CHECK_EQ_INT(pk_build_minimal_stub(ctx, PK_PE_MACHINE_X86_64, &b), 0);
		CHECK_EQ_INT(pk_uki_guess_uname(b.data, b.len, uname, sizeof(uname)), -ENOENT);
		pk_buf_free(&b);
	}
}

static void test_bad_args(void)
{
	struct pk_buf stub = { 0 }, out = { 0 };
	uint8_t junk[512] = { 'M', 'Z' };
	struct pk_build_section s = { ".toolongname", junk, 10, PK_SCN_DATA_RO };

	CHECK_EQ_INT(pk_build_minimal_stub(ctx, PK_PE_MACHINE_X86_64, &stub), 0);
	CHECK_EQ_INT(pk_pe_add_sections(ctx, stub.data, stub.len, &s, 1, 0, &out, NULL), -EINVAL);
	s.name = ".ok";
	s.len = 0;
	CHECK_EQ_INT(pk_pe_add_sections(ctx, stub.data, stub.len, &s, 1, 0, &out, NULL), -EINVAL);
	junk[0x3d] = 0x10; /* e_lfanew 0x1000: beyond the file */
	CHECK_EQ_INT(pk_add_bpf(ctx, junk, sizeof(junk), junk, 10, &out, NULL), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "at 0x") != NULL);
	CHECK_EQ_INT(pk_add_bpf(ctx, junk + 1, 100, junk, 10, &out, NULL), -ENOEXEC);
	CHECK_EQ_INT(out.len, 0);
	pk_buf_free(&stub);
}

static void check_profile(const char *spec, int err, const char *text,
			  const char *cmdline, size_t ninitrds, const char *initrd0)
{
	char *t = NULL, *c = NULL, **v = NULL;
	size_t n = 0, i;
	int r = pk_profile_parse(ctx, spec, &t, &c, &v, &n);

	CHECK_EQ_INT(r, err);
	if (r < 0)
		return;
	CHECK(t && !strcmp(t, text));
	CHECK(cmdline ? c && !strcmp(c, cmdline) : !c);
	CHECK_EQ_INT(n, ninitrds);
	if (n)
		CHECK(!strcmp(v[0], initrd0));
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(t);
	free(c);
}

static void test_profiles(void)
{
	check_profile("ID=a", 0, "ID=a\n", NULL, 0, NULL);
	check_profile("ID=rescue,TITLE=Rescue mode,cmdline=console=ttyS0,115200 single,initrd=x",
		      0, "ID=rescue\nTITLE=Rescue mode\n", "console=ttyS0,115200 single", 1, "x");
	check_profile("TITLE=t,ID=b,initrd=f1,initrd=f2", 0, "TITLE=t\nID=b\n", NULL, 2, "f1");
	check_profile("TITLE=no id", -EINVAL, NULL, NULL, 0, NULL);
	check_profile("", -EINVAL, NULL, NULL, 0, NULL);
	check_profile("id=lower", -EINVAL, NULL, NULL, 0, NULL);
	check_profile("ID=a,ID=b", -EINVAL, NULL, NULL, 0, NULL);
	check_profile("ID=a,cmdline=x,cmdline=y", -EINVAL, NULL, NULL, 0, NULL);
}

int main(void)
{
	ctx = pk_ctx_new();
	pe_in = pk_pe_new();
	pe_out = pk_pe_new();
	if (!ctx || !pe_in || !pe_out)
		return 1;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	test_growth();
	test_symtab_and_signature();
	test_debug_dir();
	test_replace();
	test_bzimage();
	test_zboot_moves();
	test_zboot_build();
	test_minimal_stubs();
	test_bad_args();
	test_profiles();
	pk_pe_free(pe_out);
	pk_pe_free(pe_in);
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
