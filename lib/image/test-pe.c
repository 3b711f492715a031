// SPDX-License-Identifier: MIT
/*
 * test-pe->c - the PE/COFF reader against independent oracles:
 *
 *  - real images ($IMAGES/vmlinuz-amd64, $IMAGES/linuxx64.efi.stub and a UKI
 *    assembled from them by objcopy): every header field and section is
 *    compared with `objdump -h -p`, every section's bytes with
 *    `objcopy -O binary --only-section`, and the UKI's added sections with
 *    the sha256 of the files objcopy was given;
 *  - synthetic PE32 and PE32+ images built here, then a table of malformed
 *    variants (one header field broken each) that must fail with a given
 *    errno and a message naming the field, and every truncation;
 *  - synthetic zboot images whose payloads come from the real compressors
 *    (gzip, zstd, xz, lzma, lz4 -l, lzop), and malformed zboot headers.
 *
 * Every parse runs on an exact-size heap copy so that ASan sees any read
 * past the end.  The synthetic images are also written as fuzz seeds to
 * $BUILD/fuzz-seeds/fuzz-pe-parse/.
 */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"
#include "pekexec/decompress.h"
#include "pekexec/hash.h"
#include "pekexec/pe.h"

static struct pk_ctx *ctx;
static struct pk_pe *pe; /* pk_pe_new() in main() */

/* Parse an exact-size copy of @buf so ASan catches any over-read. */
static int parse_copy(const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		abort();
	if (len)
		memcpy(copy, buf, len);
	pk_ctx_clear_error(ctx);
	r = pk_pe_parse(ctx, copy, len, pe);
	if (r == 0) {
		/* Touch every section's bytes: they must lie in the copy. */
		unsigned int i;
		uint8_t d[PK_SHA256_LEN];

		for (i = 0; i < pe->nsections; i++)
			pk_sha256(copy + pe->sections[i].data_offset,
				  pe->sections[i].data_size, d);
	}
	pe->buf = NULL; /* the copy is gone */
	free(copy);
	return r;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
	uint8_t d[PK_SHA256_LEN];

	pk_sha256(p, n, d);
	pk_hex(d, sizeof(d), out);
}

/* sha256sum(1) of a file: an oracle independent of our hashing. */
static int sha256sum_file(const char *path, char out[65])
{
	char cmd[4200], line[200];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fgets(line, sizeof(line), p) != NULL;
	pclose(p);
	if (!ok || strlen(line) < 64)
		return -1;
	memcpy(out, line, 64);
	out[64] = '\0';
	return 0;
}

/* ---------------------------------------------------------------------- */
/* objdump as the oracle for real images                                   */

struct od_section {
	char name[64];
	uint64_t size, vma, fileoff;
};

struct od {
	char format[64];
	unsigned int nsections;
	struct od_section sec[PK_PE_MAX_SECTIONS];
	char *priv; /* objdump -p output */
};

static char *run_capture(const char *cmd)
{
	struct pk_buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *p = popen(cmd, "r");

	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (pk_buf_append(&b, chunk, n) < 0)
			break;
	if (pclose(p) != 0 || pk_buf_append(&b, "", 1) < 0) {
		pk_buf_free(&b);
		return NULL;
	}
	return (char *)pk_buf_steal(&b, NULL);
}

static int od_load(const char *path, struct od *od)
{
	char cmd[4200], *h, *line, *save = NULL;

	memset(od, 0, sizeof(*od));
	snprintf(cmd, sizeof(cmd), "objdump -h -w '%s'", path);
	h = run_capture(cmd);
	if (!h)
		return -1;
	for (line = strtok_r(h, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct od_section s;
		unsigned int idx;
		uint64_t lma;
		char *fmt = strstr(line, "file format ");

		if (fmt) {
			snprintf(od->format, sizeof(od->format), "%s", fmt + 12);
			continue;
		}
		if (sscanf(line, " %u %63s %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64,
			   &idx, s.name, &s.size, &s.vma, &lma, &s.fileoff) != 6)
			continue;
		if (idx != od->nsections || od->nsections >= PK_PE_MAX_SECTIONS)
			break;
		od->sec[od->nsections++] = s;
	}
	free(h);
	snprintf(cmd, sizeof(cmd), "objdump -p '%s'", path);
	od->priv = run_capture(cmd);
	return od->priv ? 0 : -1;
}

/* The hex value objdump -p prints after KEY at the start of a line. */
static int od_field(const struct od *od, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);
	const char *p = od->priv;

	while (p && *p) {
		if (!strncmp(p, key, klen) && (p[klen] == '\t' || p[klen] == ' '))
			return sscanf(p + klen, " %" SCNx64, ret) == 1 ? 0 : -1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static int od_dir(const struct od *od, unsigned int i, uint64_t *va, uint64_t *size)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "\nEntry %x ", i);
	p = od->priv ? strstr(od->priv, key) : NULL;
	if (!p)
		return -1;
	return sscanf(p + strlen(key), "%" SCNx64 " %" SCNx64, va, size) == 2 ? 0 : -1;
}

#define CHECK_OD(key, val)                                                   \
	do {                                                                 \
		uint64_t _v = 0;                                             \
		CHECK(od_field(&od, key, &_v) == 0);                         \
		if ((uint64_t)(val) != _v) {                                 \
			printf("%s: %s: ours 0x%" PRIx64 ", objdump 0x%" PRIx64 "\n", \
			       path, key, (uint64_t)(val), _v);              \
			check_failures++;                                    \
		}                                                            \
	} while (0)

/* Compare a parsed real image with objdump and objcopy. */
static void check_against_objdump(const char *path, const uint8_t *buf, size_t len)
{
	struct od od;
	unsigned int i;
	uint16_t want_machine;

	if (od_load(path, &od) < 0) {
		printf("%s: objdump failed\n", path);
		check_failures++;
		return;
	}
	if (parse_copy(buf, len) != 0) {
		printf("%s: %s\n", path, pk_ctx_errmsg(ctx));
		check_failures++;
		free(od.priv);
		return;
	}

	want_machine = !strcmp(od.format, "pei-x86-64")     ? 0x8664 :
		       !strcmp(od.format, "pei-aarch64-little") ? 0xaa64 :
		       !strcmp(od.format, "pei-i386")       ? 0x14c :
							      0;
	CHECK(want_machine != 0);
	CHECK_EQ_INT(pe->machine, want_machine);
	/*
	 * binutils' coff_swap_filehdr_in() sets F_LSYMS (0x8) when
	 * NumberOfSymbols != 0 but PointerToSymbolTable == 0 (x86 bzImage
	 * headers declare one symbol): objdump shows that, not the file.
	 */
	CHECK_OD("Characteristics",
		 pe->characteristics |
			 (pe->nsymbols && !pe->symtab_offset ? 0x8 : 0));
	CHECK_OD("Magic", pe->magic);
	CHECK_OD("SizeOfCode", pe->size_of_code);
	CHECK_OD("SizeOfInitializedData", pe->size_of_initialized_data);
	CHECK_OD("SizeOfUninitializedData", pe->size_of_uninitialized_data);
	CHECK_OD("AddressOfEntryPoint", pe->entry_point);
	CHECK_OD("BaseOfCode", pe->base_of_code);
	CHECK_OD("ImageBase", pe->image_base);
	CHECK_OD("SectionAlignment", pe->section_alignment);
	CHECK_OD("FileAlignment", pe->file_alignment);
	CHECK_OD("SizeOfImage", pe->size_of_image);
	CHECK_OD("SizeOfHeaders", pe->size_of_headers);
	CHECK_OD("CheckSum", pe->checksum);
	CHECK_OD("Subsystem", pe->subsystem);
	CHECK_OD("DllCharacteristics", pe->dll_characteristics);
	CHECK_OD("NumberOfRvaAndSizes", pe->ndirs);
	for (i = 0; i < pe->ndirs; i++) {
		uint64_t va = 0, size = 0;

		CHECK(od_dir(&od, i, &va, &size) == 0);
		if (va != pe->dirs[i].virtual_address || size != pe->dirs[i].size) {
			printf("%s: data directory %u: ours 0x%x/0x%x, objdump 0x%" PRIx64 "/0x%" PRIx64 "\n",
			       path, i, pe->dirs[i].virtual_address, pe->dirs[i].size, va, size);
			check_failures++;
		}
	}

	CHECK_EQ_INT(pe->nsections, od.nsections);
	for (i = 0; i < pe->nsections && i < od.nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i], *f;
		const struct od_section *o = &od.sec[i];
		char cmd[8400], bin[4200], want[65], got[65];

		if (strcmp(s->name, o->name) || s->data_size != o->size ||
		    (uint64_t)s->virtual_address + pe->image_base != o->vma ||
		    s->pointer_to_raw_data != o->fileoff) {
			printf("%s: section %u: ours %s size 0x%zx va 0x%x off 0x%x; objdump %s 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "\n",
			       path, i, s->name, s->data_size, s->virtual_address,
			       s->pointer_to_raw_data, o->name, o->size, o->vma,
			       o->fileoff);
			check_failures++;
		}
		/* Found by name (a repeated name finds the first). */
		f = pk_pe_find_section(pe, o->name);
		CHECK(f && !strcmp(f->name, o->name) && f <= s);

		/* The bytes a loader reads, as objcopy extracts them. */
		snprintf(bin, sizeof(bin), "%s/sec-%u.bin", test_tmpdir(), i);
		snprintf(cmd, sizeof(cmd),
			 "objcopy -O binary --only-section='%s' '%s' '%s'", o->name,
			 path, bin);
		CHECK_EQ_INT(test_system("%s", cmd), 0);
		CHECK(sha256sum_file(bin, want) == 0);
		sha256_hex(buf + s->data_offset, s->data_size, got);
		if (strcmp(want, got)) {
			printf("%s: section %u (%s): bytes differ from objcopy's\n",
			       path, i, s->name);
			check_failures++;
		}
		unlink(bin);
	}
	free(od.priv);
}

static int read_image(const char *name, struct pk_buf *b)
{
	const char *path = test_image_path(name);

	if (!path || test_read_file(path, b) < 0)
		return -1;
	return 0;
}

static void need_images(void)
{
	const char *p = test_image_path("vmlinuz-amd64");

	if (p && !access(p, R_OK) && !access(test_image_path("linuxx64.efi.stub"), R_OK))
		return;
	if (check_failures)
		exit(1);
	SKIP("$IMAGES/vmlinuz-amd64 or linuxx64.efi.stub missing (make images)");
}

static void test_real_images(void)
{
	static const char *const names[] = { "vmlinuz-amd64", "linuxx64.efi.stub" };
	struct pk_buf b = { 0 };
	unsigned int i;

	for (i = 0; i < PK_ARRAY_SIZE(names); i++) {
		CHECK_EQ_INT(read_image(names[i], &b), 0);
		check_against_objdump(test_image_path(names[i]), b.data, b.len);
		CHECK(!pe->zboot.present);
		pk_buf_free(&b);
	}
	/* Debian's kernel is signed: its certificate table is there. */
	CHECK(read_image("vmlinuz-amd64", &b) == 0);
	CHECK_EQ_INT(parse_copy(b.data, b.len), 0);
	CHECK(pk_pe_has_cert_table(pe));
	CHECK(pk_pe_find_section(pe, ".text") != NULL);
	CHECK(pk_pe_find_section(pe, ".bpf") == NULL);
	CHECK(!strcmp(pk_pe_machine_name(pe->machine), "x86_64"));
	pk_buf_free(&b);
}

/* A UKI built by objcopy carries the inputs byte for byte. */
static void test_objcopy_uki(void)
{
	static const char *const secs[] = { ".osrel", ".cmdline", ".initrd", ".linux" };
	const char *dir = test_tmpdir();
	char path[4][4200], uki[4200], want[65], got[65], stub[4200], kernel[4200];
	struct pk_buf b = { 0 };
	uint64_t rnd = 42;
	uint8_t *initrd;
	unsigned int i;

	snprintf(stub, sizeof(stub), "%s", test_image_path("linuxx64.efi.stub"));
	snprintf(kernel, sizeof(kernel), "%s", test_image_path("vmlinuz-amd64"));
	for (i = 0; i < 4; i++)
		snprintf(path[i], sizeof(path[i]), "%s/uki%s", dir, secs[i]);
	CHECK_EQ_INT(test_write_file(path[0], "ID=debian\nVERSION_ID=12\n", 24), 0);
	CHECK_EQ_INT(test_write_file(path[1], "console=ttyS0 quiet", 19), 0);
	initrd = malloc(300001);
	test_random_bytes(&rnd, initrd, 300001);
	CHECK_EQ_INT(test_write_file(path[2], initrd, 300001), 0);
	free(initrd);
	snprintf(path[3], sizeof(path[3]), "%s", kernel);
	snprintf(uki, sizeof(uki), "%s/uki.efi", dir);
	CHECK_EQ_INT(test_system("'%s/tests/lib/mkuki-objcopy.sh' '%s' '%s' "
				 ".osrel='%s' .cmdline='%s' .initrd='%s' .linux='%s'",
				 getenv("TOP") ? getenv("TOP") : ".", stub, uki,
				 path[0], path[1], path[2], path[3]),
		     0);
	CHECK_EQ_INT(test_read_file(uki, &b), 0);
	check_against_objdump(uki, b.data, b.len);
	CHECK_EQ_INT(parse_copy(b.data, b.len), 0);
	for (i = 0; i < 4; i++) {
		const struct pk_pe_section *s = pk_pe_find_section(pe, secs[i]);
		struct stat st;

		CHECK(s != NULL);
		if (!s)
			continue;
		CHECK(stat(path[i], &st) == 0);
		CHECK_EQ_INT(s->data_size, st.st_size);
		CHECK(sha256sum_file(path[i], want) == 0);
		sha256_hex(b.data + s->data_offset, s->data_size, got);
		if (strcmp(want, got)) {
			printf("uki: %s differs from its input %s\n", secs[i], path[i]);
			check_failures++;
		}
	}
	/* The stub's own sections are still there, before the added ones. */
	CHECK(pk_pe_find_section(pe, ".sdmagic") < pk_pe_find_section(pe, ".osrel"));
	pk_buf_free(&b);
}

/* ---------------------------------------------------------------------- */
/* Synthetic images                                                        */

/*
 * Layout (written from the PE/COFF specification, not from pe->c):
 *   0x000 DOS header, e_lfanew = 0x40       0x040 "PE\0\0"
 *   0x044 COFF header (20 bytes)            0x058 optional header
 *   then 16 data directories, then 3 section headers; SizeOfHeaders 0x200
 *   .text    VA 0x1000 VirtualSize 0x180  raw 0x200 @ 0x200
 *   .data    VA 0x2000 VirtualSize 0x1000 raw 0x200 @ 0x400
 *   .payload VA 0x3000 VirtualSize plen   raw round_up(plen, 0x200) @ 0x600
 *   certificate table (0x20 bytes) right after .payload's raw data
 */
#define S_PE 0x40u
#define S_COFF 0x44u
#define S_OPT 0x58u
#define S_SOH 0x200u
#define S_FALIGN 0x200u
#define S_SALIGN 0x1000u
#define S_PAYLOAD_OFF 0x600u
#define S_CERT_SIZE 0x20u

struct syn {
	bool plus;
	uint32_t opt_size, sec_table, dirs;
	uint32_t payload_raw, cert_off;
	size_t len;
};

static uint32_t round_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

static void put_section(uint8_t *h, const char *name, uint32_t vsize, uint32_t va,
			uint32_t raw, uint32_t ptr, uint32_t chars)
{
	memset(h, 0, 40);
	memcpy(h, name, strlen(name) < 8 ? strlen(name) : 8);
	pk_put_le32(h + 8, vsize);
	pk_put_le32(h + 12, va);
	pk_put_le32(h + 16, raw);
	pk_put_le32(h + 20, ptr);
	pk_put_le32(h + 36, chars);
}

static void build_pe(struct pk_buf *b, struct syn *ly, bool plus,
		     const uint8_t *payload, size_t plen)
{
	uint32_t fixed = plus ? 112 : 96, i;
	uint8_t *p, *o;

	memset(ly, 0, sizeof(*ly));
	ly->plus = plus;
	ly->opt_size = fixed + 16 * 8;
	ly->dirs = S_OPT + fixed;
	ly->sec_table = S_OPT + ly->opt_size;
	ly->payload_raw = round_up((uint32_t)plen, S_FALIGN);
	ly->cert_off = S_PAYLOAD_OFF + ly->payload_raw;
	ly->len = ly->cert_off + S_CERT_SIZE;

	pk_buf_free(b);
	if (pk_buf_append_zeros(b, ly->len) < 0)
		abort();
	p = b->data;
	p[0] = 'M';
	p[1] = 'Z';
	pk_put_le32(p + 0x3c, S_PE);
	memcpy(p + S_PE, "PE\0\0", 4);
	pk_put_le16(p + S_COFF, plus ? 0x8664 : 0x14c);
	pk_put_le16(p + S_COFF + 2, 3);
	pk_put_le16(p + S_COFF + 16, (uint16_t)ly->opt_size);
	pk_put_le16(p + S_COFF + 18, 0x206);
	o = p + S_OPT;
	pk_put_le16(o, plus ? 0x20b : 0x10b);
	pk_put_le32(o + 4, 0x200);   /* SizeOfCode */
	pk_put_le32(o + 16, 0x1000); /* AddressOfEntryPoint */
	pk_put_le32(o + 20, 0x1000); /* BaseOfCode */
	if (plus)
		pk_put_le64(o + 24, 0x140000000ULL); /* ImageBase */
	else
		pk_put_le32(o + 28, 0x400000);
	pk_put_le32(o + 32, S_SALIGN);
	pk_put_le32(o + 36, S_FALIGN);
	pk_put_le32(o + 56, 0x3000 + round_up((uint32_t)plen, S_SALIGN)); /* SizeOfImage */
	pk_put_le32(o + 60, S_SOH);
	pk_put_le32(o + 64, 0x12345678); /* CheckSum */
	pk_put_le16(o + 68, 10);         /* EFI application */
	pk_put_le32(o + fixed - 4, 16);  /* NumberOfRvaAndSizes */
	pk_put_le32(p + ly->dirs + 4 * 8, ly->cert_off);
	pk_put_le32(p + ly->dirs + 4 * 8 + 4, S_CERT_SIZE);

	put_section(p + ly->sec_table, ".text", 0x180, 0x1000, 0x200, 0x200, 0x60000020);
	put_section(p + ly->sec_table + 40, ".data", 0x1000, 0x2000, 0x200, 0x400, 0xc0000040);
	put_section(p + ly->sec_table + 80, ".payload", (uint32_t)plen, 0x3000,
		    ly->payload_raw, S_PAYLOAD_OFF, 0x40000040);
	for (i = 0; i < 0x180; i++)
		p[0x200 + i] = (uint8_t)(i * 7);
	for (i = 0; i < 0x200; i++)
		p[0x400 + i] = (uint8_t)(i ^ 0x5a);
	if (plen)
		memcpy(p + S_PAYLOAD_OFF, payload, plen);
	pk_put_le32(p + ly->cert_off, S_CERT_SIZE);
}

static const uint8_t default_payload[] = "payload bytes of the synthetic image";

static void write_seed_for(const char *target, const char *name,
			   const uint8_t *p, size_t n)
{
	const char *build = getenv("BUILD");
	char path[4200];

	if (!build)
		return;
	snprintf(path, sizeof(path), "%s/fuzz-seeds", build);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fuzz-seeds/%s", build, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fuzz-seeds/%s/%s", build, target, name);
	test_write_file(path, p, n);
}

static void write_seed(const char *name, const uint8_t *p, size_t n)
{
	write_seed_for("fuzz-pe-parse", name, p, n);
}

static void test_synthetic_good(void)
{
	struct pk_buf b = { 0 };
	struct syn ly;
	int plus;

	for (plus = 0; plus <= 1; plus++) {
		const struct pk_pe_section *s;

		build_pe(&b, &ly, plus, default_payload, sizeof(default_payload));
		write_seed(plus ? "synthetic-pe32plus" : "synthetic-pe32", b.data, b.len);
		CHECK_EQ_INT(parse_copy(b.data, b.len), 0);
		if (check_failures)
			printf("%s\n", pk_ctx_errmsg(ctx));
		CHECK_EQ_INT(pe->magic, plus ? 0x20b : 0x10b);
		CHECK_EQ_INT(pe->machine, plus ? 0x8664 : 0x14c);
		CHECK(pe->image_base == (plus ? 0x140000000ULL : 0x400000));
		CHECK_EQ_INT(pe->pe_offset, S_PE);
		CHECK_EQ_INT(pe->opt_offset, S_OPT);
		CHECK_EQ_INT(pe->opt_size, ly.opt_size);
		CHECK_EQ_INT(pe->checksum, 0x12345678);
		CHECK_EQ_INT(pe->checksum_offset, S_OPT + 64);
		CHECK_EQ_INT(pe->dirs_offset, ly.dirs);
		CHECK_EQ_INT(pe->sections_offset, ly.sec_table);
		CHECK_EQ_INT(pe->ndirs, 16);
		CHECK_EQ_INT(pe->entry_point, 0x1000);
		CHECK_EQ_INT(pe->size_of_headers, S_SOH);
		CHECK_EQ_INT(pe->subsystem, 10);
		CHECK_EQ_INT(pe->nsections, 3);
		CHECK(pk_pe_has_cert_table(pe));
		CHECK_EQ_INT(pe->dirs[4].virtual_address, ly.cert_off);
		s = pk_pe_find_section(pe, ".text");
		CHECK(s && s->data_offset == 0x200 && s->data_size == 0x180 &&
		      s->header_offset == ly.sec_table && s->size_of_raw_data == 0x200);
		/* VirtualSize > SizeOfRawData: the raw bytes only. */
		s = pk_pe_find_section(pe, ".data");
		CHECK(s && s->data_offset == 0x400 && s->data_size == 0x200 &&
		      s->characteristics == 0xc0000040);
		s = pk_pe_find_section(pe, ".payload");
		CHECK(s && s->data_size == sizeof(default_payload) &&
		      s->header_offset == ly.sec_table + 80);
		CHECK(pk_pe_find_section(pe, ".pay") == NULL);
		CHECK(!pe->zboot.present);

		/* VirtualSize 0 reads as SizeOfRawData (EDK2, binutils). */
		pk_put_le32(b.data + ly.sec_table + 8, 0);
		CHECK_EQ_INT(parse_copy(b.data, b.len), 0);
		CHECK_EQ_INT(pe->sections[0].data_size, 0x200);

		/* Fewer data directories: no certificate table entry. */
		build_pe(&b, &ly, plus, default_payload, sizeof(default_payload));
		pk_put_le32(b.data + S_OPT + (plus ? 108 : 92), 4);
		pk_put_le16(b.data + S_COFF + 16, (uint16_t)(ly.opt_size - 12 * 8));
		/* move the section table up to its new place */
		memmove(b.data + ly.sec_table - 12 * 8, b.data + ly.sec_table, 3 * 40);
		CHECK_EQ_INT(parse_copy(b.data, b.len), 0);
		CHECK_EQ_INT(pe->ndirs, 4);
		CHECK(!pk_pe_has_cert_table(pe));
		CHECK_EQ_INT(pe->sections_offset, ly.sec_table - 12 * 8);
		CHECK(pk_pe_find_section(pe, ".payload") != NULL);

		/* A long "/N" name is kept as written; no sections is fine. */
		build_pe(&b, &ly, plus, default_payload, sizeof(default_payload));
		memcpy(b.data + ly.sec_table + 80, "/4\0\0\0\0\0\0", 8);
		CHECK_EQ_INT(parse_copy(b.data, b.len), 0);
		CHECK(pk_pe_find_section(pe, "/4") == &pe->sections[2]);
		/* An unterminated 8-byte name. */
		memcpy(b.data + ly.sec_table + 80, ".payload", 8);
		CHECK_EQ_INT(parse_copy(b.data, b.len), 0);
		CHECK(!strcmp(pe->sections[2].name, ".payload"));
	}
	pk_buf_free(&b);
}

/* ---------------------------------------------------------------------- */
/* The malformed-image table                                               */

enum base { B_FILE, B_PE, B_COFF, B_OPT, B_DIRS, B_SEC0, B_SEC1, B_SEC2, B_END };

struct poke {
	enum base base;
	int32_t off;
	int width; /* 0: unused */
	uint64_t val;
	bool add;  /* add val to the field instead of replacing it */
};

struct bad_case {
	const char *what;
	struct poke pokes[2];
	int err;
	const char *needle;
	const char *needle2;
};

/* Section header fields. */
#define VSIZE 8
#define VADDR 12
#define RAWSZ 16
#define RAWPTR 20

#define NDIRS_OFF(ly) ((ly)->plus ? 108 : 92)
#define OPT_NDIRS -1 /* placeholder: resolved per layout */

static const struct bad_case bad_cases[] = {
	{ "no MZ", { { B_FILE, 0, 2, 0x5a4e } }, -ENOEXEC, "MZ" },
	{ "e_lfanew beyond the file", { { B_FILE, 0x3c, 4, 0x100000 } }, -EBADMSG, "e_lfanew" },
	{ "e_lfanew wraps", { { B_FILE, 0x3c, 4, 0xfffffffe } }, -EBADMSG, "e_lfanew" },
	{ "e_lfanew at garbage", { { B_FILE, 0x3c, 4, 0x50 } }, -ENOEXEC, "PE signature" },
	{ "PE signature", { { B_PE, 3, 1, 1 } }, -ENOEXEC, "PE signature" },
	{ "NumberOfSections 97", { { B_COFF, 2, 2, 97 } }, -E2BIG, "NumberOfSections" },
	{ "NumberOfSections 0xffff", { { B_COFF, 2, 2, 0xffff } }, -E2BIG, "NumberOfSections" },
	{ "NumberOfSections past SizeOfHeaders", { { B_COFF, 2, 2, 10 } }, -EBADMSG, "NumberOfSections", "SizeOfHeaders" },
	{ "NumberOfSections past the file", { { B_COFF, 2, 2, 96 } }, -EBADMSG, "NumberOfSections", "end of the file" },
	{ "SizeOfOptionalHeader 0", { { B_COFF, 16, 2, 0 } }, -EBADMSG, "SizeOfOptionalHeader" },
	{ "SizeOfOptionalHeader too small", { { B_COFF, 16, 2, 64 } }, -EBADMSG, "SizeOfOptionalHeader" },
	{ "SizeOfOptionalHeader + 8", { { B_COFF, 16, 2, 8, true } }, -EBADMSG, "SizeOfOptionalHeader", "NumberOfRvaAndSizes" },
	{ "SizeOfOptionalHeader past the file", { { B_COFF, 16, 2, 0xfff0 } }, -EBADMSG, "SizeOfOptionalHeader" },
	{ "optional header Magic", { { B_OPT, 0, 2, 0x107 } }, -ENOEXEC, "Magic" },
	{ "NumberOfRvaAndSizes 17", { { B_OPT, OPT_NDIRS, 4, 17 } }, -EBADMSG, "NumberOfRvaAndSizes" },
	{ "NumberOfRvaAndSizes 15", { { B_OPT, OPT_NDIRS, 4, 15 } }, -EBADMSG, "NumberOfRvaAndSizes", "SizeOfOptionalHeader" },
	{ "NumberOfRvaAndSizes huge", { { B_OPT, OPT_NDIRS, 4, 0xffffffff } }, -EBADMSG, "NumberOfRvaAndSizes" },
	{ "SizeOfHeaders before the section table end", { { B_OPT, 60, 4, 0x100 } }, -EBADMSG, "SizeOfHeaders" },
	{ "SizeOfHeaders past the file", { { B_OPT, 60, 4, 0x100000 } }, -EBADMSG, "SizeOfHeaders" },
	{ "SizeOfHeaders over section data", { { B_OPT, 60, 4, 0x400 } }, -EBADMSG, "PointerToRawData", "SizeOfHeaders" },
	{ "FileAlignment not a power of two", { { B_OPT, 36, 4, 0x300 } }, -EBADMSG, "FileAlignment" },
	{ "FileAlignment 0", { { B_OPT, 36, 4, 0 } }, -EBADMSG, "FileAlignment" },
	{ "SectionAlignment not a power of two", { { B_OPT, 32, 4, 0x1001 } }, -EBADMSG, "SectionAlignment" },
	{ "SectionAlignment < FileAlignment", { { B_OPT, 32, 4, 0x100 } }, -EBADMSG, "SectionAlignment", "FileAlignment" },
	{ "SizeOfImage too small", { { B_OPT, 56, 4, 0x2000 } }, -EBADMSG, "SizeOfImage" },
	{ "PointerToRawData beyond the file", { { B_SEC2, RAWPTR, 4, 0x100000 } }, -EBADMSG, "section 2 (.payload): PointerToRawData", "beyond the end of the file" },
	{ "PointerToRawData wraps", { { B_SEC2, RAWPTR, 4, 0xffffff00 } }, -EBADMSG, "PointerToRawData", "SizeOfRawData" },
	{ "SizeOfRawData beyond the file", { { B_SEC2, RAWSZ, 4, 0x100000 } }, -EBADMSG, "SizeOfRawData", "section header at" },
	{ "PointerToRawData in the headers", { { B_SEC0, RAWPTR, 4, 0x100 } }, -EBADMSG, "section 0 (.text): PointerToRawData" },
	{ "VirtualSize past SizeOfImage", { { B_SEC0, VSIZE, 4, 0x10000000 } }, -EBADMSG, "VirtualSize", "SizeOfImage" },
	{ "VirtualSize wraps", { { B_SEC2, VSIZE, 4, 0xffffffff } }, -EBADMSG, "VirtualSize" },
	{ "VirtualAddress past SizeOfImage", { { B_SEC0, VADDR, 4, 0xfffff000 } }, -EBADMSG, "VirtualAddress", "SizeOfImage" },
	{ "VirtualAddress in the headers", { { B_SEC0, VADDR, 4, 0x100 } }, -EBADMSG, "VirtualAddress", "headers" },
	{ "overlapping raw data", { { B_SEC1, RAWPTR, 4, 0x300 } }, -EBADMSG, "overlaps", "PointerToRawData" },
	{ "overlapping memory", { { B_SEC1, VADDR, 4, 0x1000 } }, -EBADMSG, "overlaps", "VirtualAddress" },
	{ "overlapping memory by VirtualSize", { { B_SEC0, VSIZE, 4, 0x1001 } }, -EBADMSG, "overlaps", "VirtualSize" },
	{ "certificate table beyond the file", { { B_DIRS, 32, 4, 0x100000 } }, -EBADMSG, "certificate table", "end of the file" },
	{ "certificate table size beyond the file", { { B_DIRS, 36, 4, 0x21 } }, -EBADMSG, "certificate table", "end of the file" },
	{ "certificate table wraps", { { B_DIRS, 32, 4, 0xfffffff0 }, { B_DIRS, 36, 4, 0x20 } }, -EBADMSG, "certificate table" },
	{ "certificate table in the headers", { { B_DIRS, 32, 4, 0x10 } }, -EBADMSG, "certificate table", "headers" },
	{ "certificate table over a section", { { B_DIRS, 32, 4, 0x600 } }, -EBADMSG, "certificate table", "section 2" },
};

static uint32_t base_offset(const struct syn *ly, enum base base)
{
	switch (base) {
	case B_FILE:
		return 0;
	case B_PE:
		return S_PE;
	case B_COFF:
		return S_COFF;
	case B_OPT:
		return S_OPT;
	case B_DIRS:
		return ly->dirs;
	case B_SEC0:
	case B_SEC1:
	case B_SEC2:
		return ly->sec_table + 40 * (base - B_SEC0);
	case B_END:
		break;
	}
	return (uint32_t)ly->len;
}

static void apply_poke(struct pk_buf *b, const struct syn *ly, const struct poke *pk)
{
	uint32_t off = base_offset(ly, pk->base) +
		       (uint32_t)(pk->off == OPT_NDIRS ? NDIRS_OFF(ly) : pk->off);

	switch (pk->width) {
	case 1:
		b->data[off] = (uint8_t)(pk->val + (pk->add ? b->data[off] : 0));
		break;
	case 2:
		pk_put_le16(b->data + off, (uint16_t)(pk->val + (pk->add ? pk_get_le16(b->data + off) : 0)));
		break;
	case 4:
		pk_put_le32(b->data + off, (uint32_t)(pk->val + (pk->add ? pk_get_le32(b->data + off) : 0)));
		break;
	}
}

static void test_malformed(void)
{
	struct pk_buf b = { 0 };
	struct syn ly;
	unsigned int i, n;
	int plus;

	for (plus = 0; plus <= 1; plus++) {
		for (i = 0; i < PK_ARRAY_SIZE(bad_cases); i++) {
			const struct bad_case *c = &bad_cases[i];
			const char *msg;
			int r;

			build_pe(&b, &ly, plus, default_payload, sizeof(default_payload));
			for (n = 0; n < PK_ARRAY_SIZE(c->pokes); n++)
				apply_poke(&b, &ly, &c->pokes[n]);
			r = parse_copy(b.data, b.len);
			msg = pk_ctx_errmsg(ctx);
			if (r != c->err || !strstr(msg, c->needle) ||
			    (c->needle2 && !strstr(msg, c->needle2))) {
				printf("%s %s: got %d \"%s\", want %d naming \"%s\"%s%s\n",
				       plus ? "PE32+" : "PE32", c->what, r, msg, c->err,
				       c->needle, c->needle2 ? " and " : "",
				       c->needle2 ? c->needle2 : "");
				check_failures++;
			}
			if (plus && i % 4 == 0) {
				char name[64];

				snprintf(name, sizeof(name), "bad-%02u", i);
				write_seed(name, b.data, b.len);
			}
		}
	}
	pk_buf_free(&b);
}

/* Every truncation fails cleanly; the header boundaries name what is cut. */
static void test_truncations(void)
{
	static const struct {
		size_t len; /* 0: computed below */
		const char *needle;
	} named[] = {
		{ 1, "MZ" },
		{ 0x3f, "DOS header" },
		{ 0x40, "e_lfanew" },
		{ 0x57, "e_lfanew" },
		{ 0x59, "optional header" },
		{ 0x60, "SizeOfOptionalHeader" },
		{ 0x1a0, "section table" },
		{ 0x1ff, "SizeOfHeaders" },
		{ 0x3ff, "section 0 (.text)" },
		{ 0x5ff, "section 1 (.data)" },
		{ 0x7ff, "section 2 (.payload)" },
		{ 0x81f, "certificate table" },
	};
	struct pk_buf b = { 0 };
	struct syn ly;
	size_t len;
	unsigned int i;
	int plus, bad = 0;

	for (plus = 0; plus <= 1; plus++) {
		build_pe(&b, &ly, plus, default_payload, sizeof(default_payload));
		CHECK_EQ_INT(ly.len, 0x820);
		for (len = 0; len < ly.len; len++) {
			int r = parse_copy(b.data, len);

			if (r != (len < 2 ? -ENOEXEC : -EBADMSG) && bad++ < 5) {
				printf("truncated at 0x%zx: %d %s\n", len, r,
				       pk_ctx_errmsg(ctx));
				check_failures++;
			}
		}
		for (i = 0; i < PK_ARRAY_SIZE(named); i++) {
			parse_copy(b.data, named[i].len);
			if (!strstr(pk_ctx_errmsg(ctx), named[i].needle)) {
				printf("truncated at 0x%zx: \"%s\" does not name \"%s\"\n",
				       named[i].len, pk_ctx_errmsg(ctx), named[i].needle);
				check_failures++;
			}
		}
	}
	CHECK_EQ_INT(pk_pe_parse(ctx, NULL, 0, pe), -ENOEXEC);
	pk_buf_free(&b);
}

/* ---------------------------------------------------------------------- */
/* zboot                                                                   */

static void put_zboot(uint8_t *p, uint32_t off, uint32_t size, const char *name)
{
	memcpy(p + 4, "zimg", 4);
	pk_put_le32(p + 8, off);
	pk_put_le32(p + 12, size);
	memset(p + 0x18, 0, 0x20);
	memcpy(p + 0x18, name, strlen(name));
	pk_put_le32(p + 0x38, 0x818223cd); /* LINUX_PE_MAGIC */
}

static void test_zboot_real_compressors(void)
{
	static const struct {
		const char *zname, *cmd;
	} methods[] = {
		{ "gzip", "gzip -9 -n -c" },     { "zstd22", "zstd -19 -q -c" },
		{ "xzkern", "xz --check=crc32 -c" }, { "lzma", "lzma -9 -c" },
		{ "lz4", "lz4 -l -9 -q -c" },     { "lzo", "lzop -9 -c" },
	};
	const size_t in_len = 123457;
	char in_path[4200], out_path[4200];
	struct pk_buf b = { 0 }, comp = { 0 };
	uint8_t *in = malloc(in_len);
	uint64_t rnd = 7;
	unsigned int i;
	size_t k;
	struct syn ly;

	/* Compressible but not trivial: random words from a small alphabet. */
	test_random_bytes(&rnd, in, in_len);
	for (k = 0; k < in_len; k++)
		in[k] = (uint8_t)("abcdefgh \n"[in[k] % 10]);
	snprintf(in_path, sizeof(in_path), "%s/zin", test_tmpdir());
	CHECK_EQ_INT(test_write_file(in_path, in, in_len), 0);
	free(in);

	for (i = 0; i < PK_ARRAY_SIZE(methods); i++) {
		bool gz = !strcmp(methods[i].zname, "gzip");
		size_t plen;

		snprintf(out_path, sizeof(out_path), "%s/zout.%s", test_tmpdir(),
			 methods[i].zname);
		if (test_system("%s '%s' > '%s'", methods[i].cmd, in_path, out_path)) {
			printf("compressor '%s' failed (scripts/deps.sh ensure test)\n",
			       methods[i].cmd);
			check_failures++;
			continue;
		}
		CHECK_EQ_INT(test_read_file(out_path, &comp), 0);
		plen = comp.len;
		if (!gz) { /* the kernel's *_with_size: le32 size appended */
			uint8_t sz[4];

			pk_put_le32(sz, (uint32_t)in_len);
			CHECK_EQ_INT(pk_buf_append(&comp, sz, 4), 0);
		}
		build_pe(&b, &ly, true, comp.data, comp.len);
		put_zboot(b.data, S_PAYLOAD_OFF, (uint32_t)plen, methods[i].zname);
		write_seed(methods[i].zname, b.data, b.len);
		write_seed_for("fuzz-zboot-parse", methods[i].zname, b.data, b.len);
		CHECK_EQ_INT(parse_copy(b.data, b.len), 0);
		if (!pe->zboot.present || pe->zboot.payload_offset != S_PAYLOAD_OFF ||
		    pe->zboot.payload_size != plen || pe->zboot.image_size != in_len ||
		    strcmp(pe->zboot.comp_name, methods[i].zname)) {
			printf("zboot %s: present %d off 0x%x size 0x%x (want 0x%zx) image_size %u (want %zu) name %s: %s\n",
			       methods[i].zname, pe->zboot.present, pe->zboot.payload_offset,
			       pe->zboot.payload_size, plen, pe->zboot.image_size, in_len,
			       pe->zboot.comp_name, pk_ctx_errmsg(ctx));
			check_failures++;
		}
		/* The name maps to the format the real compressor's magic shows. */
		CHECK_EQ_INT(pe->zboot.comp, pk_comp_detect(comp.data, plen));
		CHECK(pe->zboot.comp != PK_COMP_NONE);

		/* Non-gzip without room for the trailing size: malformed. */
		if (!gz) {
			put_zboot(b.data, S_PAYLOAD_OFF,
				  (uint32_t)(b.len - S_PAYLOAD_OFF - 2), methods[i].zname);
			CHECK_EQ_INT(pk_zboot_parse(ctx, b.data, b.len, &pe->zboot), -EBADMSG);
			CHECK(strstr(pk_ctx_errmsg(ctx), "image size") != NULL);
		}
		pk_buf_free(&comp);
	}
	pk_buf_free(&b);
}

static void test_zboot_malformed(void)
{
	uint8_t h[0x100];
	struct pk_zboot z;
	char long_name[33];

	memset(h, 0, sizeof(h));
	h[0] = 'M';
	h[1] = 'Z';
	/* No magic: not present, not an error. */
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), 0);
	CHECK(!z.present);
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, 3, &z), 0);

	put_zboot(h, 0x40, 0x20, "zstd22");
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), 0);
	CHECK(z.present && z.comp == PK_COMP_ZSTD);
	CHECK_EQ_INT(z.image_size, pk_get_le32(h + 0x60));

	/* Truncated inside the header. */
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, 0x30, &z), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "zboot header") != NULL);
	/* Unknown name. */
	put_zboot(h, 0x40, 0x20, "bzip2");
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), -EPROTONOSUPPORT);
	CHECK(strstr(pk_ctx_errmsg(ctx), "bzip2") != NULL);
	/* Name without a NUL in its 32 bytes. */
	memset(long_name, 'a', 32);
	long_name[32] = '\0';
	put_zboot(h, 0x40, 0x20, long_name);
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "NUL") != NULL);
	/* Payload beyond the file, wrapping, inside the header. */
	put_zboot(h, 0x40, 0x1000, "lzma");
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "payload size") != NULL);
	put_zboot(h, 0xffffffff, 0x10, "lzma");
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "payload offset") != NULL);
	put_zboot(h, 0x10, 0x10, "lzma");
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "payload offset") != NULL);
	/* gzip: the ISIZE trailer is the payload's last 4 bytes. */
	put_zboot(h, 0x40, 3, "gzip");
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "ISIZE") != NULL);
	put_zboot(h, 0xc0, 0x40, "gzip");
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), 0);
	CHECK_EQ_INT(z.image_size, pk_get_le32(h + 0xfc));
	/* A payload ending exactly at the end of the file, size after it: no. */
	put_zboot(h, 0xc0, 0x40, "lz4");
	CHECK_EQ_INT(pk_zboot_parse(ctx, h, sizeof(h), &z), -EBADMSG);

	/* pk_pe_parse reports a broken zboot header of a valid PE. */
	{
		struct pk_buf b = { 0 };
		struct syn ly;

		build_pe(&b, &ly, true, default_payload, sizeof(default_payload));
		put_zboot(b.data, S_PAYLOAD_OFF, 0x100000, "gzip");
		CHECK_EQ_INT(parse_copy(b.data, b.len), -EBADMSG);
		CHECK(strstr(pk_ctx_errmsg(ctx), "zboot header") != NULL);
		put_zboot(b.data, S_PAYLOAD_OFF, 8, "brotli");
		CHECK_EQ_INT(parse_copy(b.data, b.len), -EPROTONOSUPPORT);
		pk_buf_free(&b);
	}
}

int main(void)
{
	ctx = pk_ctx_new();
	pe = pk_pe_new();
	if (!ctx || !pe)
		return 1;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);

	test_synthetic_good();
	test_malformed();
	test_truncations();
	test_zboot_malformed();
	test_zboot_real_compressors();
	need_images(); /* SKIP (after the tests above) without real images */
	test_real_images();
	test_objcopy_uki();

	pk_pe_free(pe);
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
