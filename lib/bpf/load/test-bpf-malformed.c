// SPDX-License-Identifier: MIT
/*
 * test-bpf-malformed.c - hostile objects for the loaders, generated from
 * the good test programs ($BUILD/bpf-progs) by targeted mutation: ELF
 * header and section table, symbols, relocations, BTF, .BTF.ext line info
 * and CO-RE records, light-skeleton symbols and blobs.  Each must be
 * rejected by pk_bpf_program_load() with its own errno and a message naming
 * the problem; then random mutations of the same objects, which must load
 * or fail cleanly (ASan/UBSan watch), and whose successful loads must run.
 *
 * It also writes the fuzz seeds: $BUILD/fuzz-seeds/fuzz-bpf-elf/ and
 * fuzz-bpf-lskel/ (good objects and the targeted mutants).
 */
#include <elf.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdio.h>
#include <sys/stat.h>

#include "check.h"
#include "internal.h"
#include "pekexec/bpf.h"

struct obj {
	uint8_t *p;
	size_t len;
};

/* ---- navigation in a known-good ELF64 LE file (test input, trusted) ---- */

static uint8_t *shdr(const struct obj *o, unsigned int i)
{
	return o->p + pk_get_le64(o->p + 0x28) + (size_t)i * 64;
}

static unsigned int shnum(const struct obj *o)
{
	return pk_get_le16(o->p + 0x3c);
}

static const char *sec_name(const struct obj *o, unsigned int i)
{
	const uint8_t *strsh = shdr(o, pk_get_le16(o->p + 0x3e));

	return (const char *)o->p + pk_get_le64(strsh + 24) + pk_get_le32(shdr(o, i));
}

static int sec_by_name(const struct obj *o, const char *name)
{
	unsigned int i;

	for (i = 1; i < shnum(o); i++)
		if (!strcmp(sec_name(o, i), name))
			return (int)i;
	return -1;
}

static int sec_by_type(const struct obj *o, uint32_t type, unsigned int nth)
{
	unsigned int i;

	for (i = 1; i < shnum(o); i++)
		if (pk_get_le32(shdr(o, i) + 4) == type && !nth--)
			return (int)i;
	return -1;
}

static uint8_t *sec_data(const struct obj *o, int i)
{
	return o->p + pk_get_le64(shdr(o, (unsigned int)i) + 24);
}

static uint64_t sec_size(const struct obj *o, int i)
{
	return pk_get_le64(shdr(o, (unsigned int)i) + 32);
}

/* symbol entry named @name (24 bytes), or NULL */
static uint8_t *sym(const struct obj *o, const char *name)
{
	int st = sec_by_type(o, SHT_SYMTAB, 0);
	const char *str = (const char *)sec_data(o, (int)pk_get_le32(shdr(o, (unsigned int)st) + 40));
	uint64_t i;

	for (i = 0; i < sec_size(o, st) / 24; i++) {
		uint8_t *s = sec_data(o, st) + i * 24;

		if (!strcmp(str + pk_get_le32(s), name))
			return s;
	}
	return NULL;
}

/* the REL section that relocates the program section */
static int prog_rel(const struct obj *o)
{
	unsigned int i;

	for (i = 1; i < shnum(o); i++)
		if (pk_get_le32(shdr(o, i) + 4) == SHT_REL &&
		    !strncmp(sec_name(o, pk_get_le32(shdr(o, i) + 44)), "fentry", 6))
			return (int)i;
	return -1;
}

static int prog_sec(const struct obj *o)
{
	unsigned int i;

	for (i = 1; i < shnum(o); i++)
		if (!strncmp(sec_name(o, i), "fentry.s/", 9) && pk_get_le32(shdr(o, i) + 4) == SHT_PROGBITS)
			return (int)i;
	return -1;
}

/* the first relocation of the program section against an ld_imm64 */
static uint8_t *ldimm_rel(const struct obj *o)
{
	int rs = prog_rel(o), ps = prog_sec(o);
	uint64_t i;

	for (i = 0; i < sec_size(o, rs) / 16; i++) {
		uint8_t *r = sec_data(o, rs) + i * 16;

		if (sec_data(o, ps)[pk_get_le64(r)] == (BPF_LD | BPF_IMM | BPF_DW))
			return r;
	}
	return NULL;
}

static uint8_t *memfind(struct obj *o, const void *needle, size_t n)
{
	size_t i;

	for (i = 0; i + n <= o->len; i++)
		if (!memcmp(o->p + i, needle, n))
			return o->p + i;
	return NULL;
}

/* .BTF.ext header and the start of its three blocks */
static uint8_t *btfext(const struct obj *o)
{
	return sec_data(o, sec_by_name(o, ".BTF.ext"));
}

static uint8_t *ext_block(const struct obj *o, int which)
{
	uint8_t *e = btfext(o);

	return e + pk_get_le32(e + 4) + pk_get_le32(e + 8 + 8 * which);
}

/* first CO-RE record: block start + rec_size(4) + sec_name_off(4) + num(4) */
static uint8_t *core_rec(const struct obj *o)
{
	return ext_block(o, 2) + 12;
}

/* offset of string @s in .BTF's string section */
static uint32_t btf_str_off(const struct obj *o, const char *s)
{
	uint8_t *b = sec_data(o, sec_by_name(o, ".BTF"));
	uint32_t hdr = pk_get_le32(b + 4), str = pk_get_le32(b + 16), len = pk_get_le32(b + 20);
	uint32_t i;

	for (i = 0; i + strlen(s) < len; i++)
		if (!strcmp((const char *)b + hdr + str + i, s))
			return i;
	return 0;
}

/* BTF type @id (1-based) in .BTF, by walking the type section. */
static uint8_t *btf_type(const struct obj *o, uint32_t id)
{
	uint8_t *b = sec_data(o, sec_by_name(o, ".BTF"));
	uint8_t *t = b + pk_get_le32(b + 4) + pk_get_le32(b + 8);
	uint8_t *end = t + pk_get_le32(b + 12);
	uint32_t i;

	for (i = 1; t < end; i++) {
		uint32_t info = pk_get_le32(t + 4), vlen = info & 0xffff;
		size_t extra;

		if (i == id)
			return t;
		switch ((info >> 24) & 0x1f) {
		case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: extra = 4; break;
		case BTF_KIND_ARRAY: extra = 12; break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC:
		case BTF_KIND_ENUM64: extra = 12 * (size_t)vlen; break;
		case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: extra = 8 * (size_t)vlen; break;
		default: extra = 0;
		}
		t += 12 + extra;
	}
	return NULL;
}

/* id of the first BTF type of @kind named @name (NULL: any name), or 0 */
static uint32_t btf_find(const struct obj *o, uint32_t kind, const char *name)
{
	uint32_t id, noff = name ? btf_str_off(o, name) : 0;
	uint8_t *t;

	for (id = 1; (t = btf_type(o, id)); id++)
		if (((pk_get_le32(t + 4) >> 24) & 0x1f) == kind &&
		    (!name || pk_get_le32(t) == noff))
			return id;
	return 0;
}

/* ---- the mutations ---- */

enum base { ELF_OBJ, LSKEL_OBJ };

struct mcase {
	const char *name;
	enum base base;
	void (*mutate)(struct obj *o, const struct obj *elf);
	int err;
	const char *msg;
};

static void m_trunc_hdr(struct obj *o, const struct obj *e) { (void)e; o->len = 10; }
static void m_trunc_half(struct obj *o, const struct obj *e) { (void)e; o->len /= 2; }
static void m_class32(struct obj *o, const struct obj *e) { (void)e; o->p[EI_CLASS] = ELFCLASS32; }
static void m_bigend(struct obj *o, const struct obj *e) { (void)e; o->p[EI_DATA] = ELFDATA2MSB; }
static void m_machine(struct obj *o, const struct obj *e) { (void)e; pk_put_le16(o->p + 18, EM_X86_64); }
static void m_exec(struct obj *o, const struct obj *e) { (void)e; pk_put_le16(o->p + 16, ET_EXEC); }
static void m_shoff(struct obj *o, const struct obj *e) { (void)e; pk_put_le64(o->p + 0x28, o->len + 4096); }
static void m_shnum(struct obj *o, const struct obj *e) { (void)e; pk_put_le16(o->p + 0x3c, 0xfff0); }
static void m_shstrndx(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le16(o->p + 0x3e, (uint16_t)(shnum(o) + 5));
}
static void m_sec_off(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le64(shdr(o, (unsigned int)sec_by_name(o, ".BTF")) + 24, 0x7fffffff0000ull);
}
static void m_sec_size(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le64(shdr(o, (unsigned int)prog_sec(o)) + 32, 0x100000000ull);
}
static void m_symtab_odd(struct obj *o, const struct obj *e)
{
	uint8_t *sh = shdr(o, (unsigned int)sec_by_type(o, SHT_SYMTAB, 0));

	(void)e;
	pk_put_le64(sh + 32, pk_get_le64(sh + 32) - 1);
}
static void m_sym_name(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le32(sym(o, "parse_zboot"), 0xffffff);
}
static void m_rel_off(struct obj *o, const struct obj *e) { (void)e; pk_put_le64(ldimm_rel(o), 0x100000); }
static void m_rel_misalign(struct obj *o, const struct obj *e)
{
	uint8_t *r = ldimm_rel(o);

	(void)e;
	pk_put_le64(r, pk_get_le64(r) + 4);
}
static void m_rel_sym(struct obj *o, const struct obj *e)
{
	uint8_t *r = ldimm_rel(o);

	(void)e;
	pk_put_le64(r + 8, ((uint64_t)0xffffff << 32) | (pk_get_le64(r + 8) & 0xffffffff));
}
static void m_rel_target(struct obj *o, const struct obj *e)
{
	uint8_t *r = ldimm_rel(o);
	uint8_t *code = sec_data(o, prog_sec(o));
	uint64_t i;

	(void)e;
	for (i = 0; i < sec_size(o, prog_sec(o)); i += 8)
		if (code[i] == (BPF_ALU64 | BPF_MOV | BPF_K) || code[i] == (BPF_LDX | BPF_MEM | BPF_DW))
			break;
	pk_put_le64(r, i);
}
static void m_rel_type(struct obj *o, const struct obj *e)
{
	uint8_t *r = ldimm_rel(o);

	(void)e;
	pk_put_le64(r + 8, (pk_get_le64(r + 8) & ~0xffffffffull) | 10);
}
static void m_rel_license(struct obj *o, const struct obj *e)
{
	uint8_t *r = ldimm_rel(o);
	int st = sec_by_type(o, SHT_SYMTAB, 0);
	uint64_t idx = (uint64_t)(sym(o, "LICENSE") - sec_data(o, st)) / 24;

	(void)e;
	pk_put_le64(r + 8, (idx << 32) | (pk_get_le64(r + 8) & 0xffffffff));
}
static void m_btf_magic(struct obj *o, const struct obj *e) { (void)e; pk_put_le16(sec_data(o, sec_by_name(o, ".BTF")), 0); }
static void m_btf_strlen(struct obj *o, const struct obj *e) { (void)e; pk_put_le32(sec_data(o, sec_by_name(o, ".BTF")) + 20, 0xffffff); }
static void m_btf_kind(struct obj *o, const struct obj *e)
{
	uint8_t *b = sec_data(o, sec_by_name(o, ".BTF"));
	uint8_t *t = b + pk_get_le32(b + 4) + pk_get_le32(b + 8);

	(void)e;
	pk_put_le32(t + 4, 31u << 24);
}
static void m_ext_magic(struct obj *o, const struct obj *e) { (void)e; pk_put_le16(btfext(o), 0x1234); }
static void m_ext_hdrlen(struct obj *o, const struct obj *e) { (void)e; pk_put_le32(btfext(o) + 4, 0xfff0); }
static void m_ext_linecnt(struct obj *o, const struct obj *e) { (void)e; pk_put_le32(ext_block(o, 1) + 8, 0x7fffffff); }
static void m_ext_recsize(struct obj *o, const struct obj *e) { (void)e; pk_put_le32(ext_block(o, 1), 3); }
static void m_core_off(struct obj *o, const struct obj *e) { (void)e; pk_put_le32(core_rec(o), 0xfffff8); }
static void m_core_kind(struct obj *o, const struct obj *e) { (void)e; pk_put_le32(core_rec(o) + 12, 77); }
static void m_core_type(struct obj *o, const struct obj *e) { (void)e; pk_put_le32(core_rec(o) + 4, 0xfffff); }
static void m_core_access(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le32(core_rec(o) + 8, btf_str_off(o, "kexec_context"));
}
/* a modifier that is its own target, as the type of map ringbuf_2 */
static void m_btf_mod_loop(struct obj *o, const struct obj *e)
{
	uint32_t var = btf_find(o, BTF_KIND_VAR, "ringbuf_2"), mod = btf_find(o, BTF_KIND_CONST, NULL);

	(void)e;
	if (!mod)
		mod = btf_find(o, BTF_KIND_VOLATILE, NULL);
	CHECK(var && mod);
	if (!var || !mod)
		return;
	pk_put_le32(btf_type(o, mod) + 8, mod);
	pk_put_le32(btf_type(o, var) + 8, mod);
}
/* DATASEC .maps with 65535 entries: the type section cannot hold them */
static void m_btf_vlen(struct obj *o, const struct obj *e)
{
	uint32_t ds = btf_find(o, BTF_KIND_DATASEC, ".maps");
	uint8_t *t = ds ? btf_type(o, ds) : NULL;

	(void)e;
	CHECK(t != NULL);
	if (t)
		pk_put_le32(t + 4, (BTF_KIND_DATASEC << 24) | 0xffff);
}
/* map ringbuf_2's symbol far beyond .maps; then at ringbuf_1's offset */
static void m_maps_sym_beyond(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le64(sym(o, "ringbuf_2") + 8, 0x100000);
}
static void m_maps_sym_dup(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le64(sym(o, "ringbuf_2") + 8, 0);
}
static void m_maps_sym_other(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le16(sym(o, "ringbuf_2") + 6, (uint16_t)sec_by_name(o, ".BTF"));
}
/* the first CO-RE record's access string "0:N" becomes "0:9": struct
 * kexec_context has 7 members */
static void m_core_past(struct obj *o, const struct obj *e)
{
	uint8_t *b = sec_data(o, sec_by_name(o, ".BTF"));
	char *s = (char *)b + pk_get_le32(b + 4) + pk_get_le32(b + 16) + pk_get_le32(core_rec(o) + 8);

	(void)e;
	CHECK(s[0] == '0' && s[1] == ':' && s[2] && !s[3]);
	s[2] = '9';
}
static void m_code_odd(struct obj *o, const struct obj *e)
{
	uint8_t *sh = shdr(o, (unsigned int)prog_sec(o));

	(void)e;
	pk_put_le64(sh + 32, pk_get_le64(sh + 32) - 4);
}
static void m_kfunc(struct obj *o, const struct obj *e)
{
	uint8_t *s = memfind(o, "bpf_buffer_parser", 18);

	(void)e;
	/* the first occurrence is in .strtab or .BTF: rename it everywhere */
	while (s) {
		s[16] = 'x';
		s = memfind(o, "bpf_buffer_parser", 18);
	}
}
static void m_sec_kprobe(struct obj *o, const struct obj *e)
{
	uint8_t *s = memfind(o, "fentry.s/kexec", 14);

	(void)e;
	while (s) {
		memcpy(s, "kprobe", 6);
		s = memfind(o, "fentry.s/kexec", 14);
	}
}
static void m_attach_other(struct obj *o, const struct obj *e)
{
	uint8_t *s = memfind(o, "/kexec_image_parser_anchor", 27);

	(void)e;
	while (s) {
		s[25] = 'X';
		s = memfind(o, "/kexec_image_parser_anchor", 27);
	}
}

/* light-skeleton object */
static void m_l_empty(struct obj *o, const struct obj *e) { (void)e; pk_put_le64(sym(o, "opts_data") + 16, 0); }
static void m_l_missing(struct obj *o, const struct obj *e) { (void)e; memcpy(memfind(o, "opts_insn", 10), "opts_insX", 9); }
static void m_l_beyond(struct obj *o, const struct obj *e) { (void)e; pk_put_le64(sym(o, "opts_insn") + 16, 1ull << 40); }
static void m_l_nonul(struct obj *o, const struct obj *e)
{
	uint8_t *s = sym(o, "opts_data");

	(void)e;
	sec_data(o, pk_get_le16(s + 6))[pk_get_le64(s + 8) + pk_get_le64(s + 16) - 1] = 'x';
}
static void m_l_trunc(struct obj *o, const struct obj *e)
{
	uint8_t *s = sym(o, "opts_insn");

	(void)e;
	/* one instruction less, still with a NUL as its counted last byte */
	pk_put_le64(s + 16, pk_get_le64(s + 16) - 8);
	sec_data(o, pk_get_le16(s + 6))[pk_get_le64(s + 8) + pk_get_le64(s + 16) - 1] = 0;
}
static void m_l_notwhole(struct obj *o, const struct obj *e)
{
	uint8_t *s = sym(o, "opts_insn");

	(void)e;
	/* make the counted NUL one byte earlier: size - 1 is no longer 8k */
	sec_data(o, pk_get_le16(s + 6))[pk_get_le64(s + 8) + pk_get_le64(s + 16) - 2] = 0;
	pk_put_le64(s + 16, pk_get_le64(s + 16) - 1);
}
static void m_l_shndx(struct obj *o, const struct obj *e) { (void)e; pk_put_le16(sym(o, "opts_insn") + 6, 99); }
static void m_l_dup(struct obj *o, const struct obj *e)
{
	(void)e;
	pk_put_le32(sym(o, "opts_insn"), pk_get_le32(sym(o, "opts_data")));
}
static void m_l_local(struct obj *o, const struct obj *e)
{
	uint8_t *s = sym(o, "opts_data");

	(void)e;
	s[4] = (uint8_t)((STB_LOCAL << 4) | (s[4] & 0xf));
}
static void m_l_opcode(struct obj *o, const struct obj *e)
{
	uint8_t *s = sym(o, "opts_insn");

	(void)e;
	sec_data(o, pk_get_le16(s + 6))[pk_get_le64(s + 8)] = 0xff;
}
static void m_l_zero_blob(struct obj *o, const struct obj *e)
{
	uint8_t *s = sym(o, "opts_data");

	(void)e;
	memset(sec_data(o, pk_get_le16(s + 6)) + pk_get_le64(s + 8), 0, pk_get_le64(s + 16));
}
static void m_l_btf(struct obj *o, const struct obj *e)
{
	uint8_t magic[4] = { 0x9f, 0xeb, 1, 0 };
	uint8_t *b = memfind(o, magic, 4);

	(void)e;
	pk_put_le32(b + 20, 0xffffff); /* str_len */
}
static void m_l_prog(struct obj *o, const struct obj *e)
{
	/* the parser program's first instructions, as libbpf put them in the
	 * blob: corrupt its first opcode */
	const uint8_t *code = sec_data(e, prog_sec(e));
	uint8_t *p = memfind(o, code, 24);

	p[0] = 0xff;
}

static const struct mcase cases[] = {
	{ "elf-truncated-header", ELF_OBJ, m_trunc_hdr, -EBADMSG, "not an ELF file" },
	{ "elf-truncated-half", ELF_OBJ, m_trunc_half, -EBADMSG, "section header" },
	{ "elf-class32", ELF_OBJ, m_class32, -EBADMSG, "EI_CLASS" },
	{ "elf-big-endian", ELF_OBJ, m_bigend, -EBADMSG, "EI_DATA" },
	{ "elf-machine-x86", ELF_OBJ, m_machine, -EBADMSG, "not a BPF relocatable" },
	{ "elf-type-exec", ELF_OBJ, m_exec, -EBADMSG, "not a BPF relocatable" },
	{ "elf-shoff-beyond", ELF_OBJ, m_shoff, -EBADMSG, "section header" },
	{ "elf-shnum-huge", ELF_OBJ, m_shnum, -EBADMSG, "section header" },
	{ "elf-shstrndx-bad", ELF_OBJ, m_shstrndx, -EBADMSG, "e_shstrndx" },
	{ "elf-section-offset-huge", ELF_OBJ, m_sec_off, -EBADMSG, "beyond end of file" },
	{ "elf-section-size-huge", ELF_OBJ, m_sec_size, -EBADMSG, "beyond end of file" },
	{ "elf-symtab-size-odd", ELF_OBJ, m_symtab_odd, -EBADMSG, "not a multiple of 24" },
	{ "elf-symbol-name-outside", ELF_OBJ, m_sym_name, -EBADMSG, "st_name" },
	{ "elf-code-size-odd", ELF_OBJ, m_code_odd, -EBADMSG, "not a multiple of 8" },
	{ "rel-offset-beyond", ELF_OBJ, m_rel_off, -EBADMSG, "r_offset" },
	{ "rel-offset-misaligned", ELF_OBJ, m_rel_misalign, -EBADMSG, "r_offset" },
	{ "rel-symbol-beyond", ELF_OBJ, m_rel_sym, -EBADMSG, "beyond the" },
	{ "rel-not-ld-imm64", ELF_OBJ, m_rel_target, -EBADMSG, "neither ld_imm64 nor call" },
	{ "rel-wrong-type", ELF_OBJ, m_rel_type, -EBADMSG, "want R_BPF_64_64" },
	{ "rel-against-license", ELF_OBJ, m_rel_license, -EBADMSG, "not a map or global data" },
	{ "btf-bad-magic", ELF_OBJ, m_btf_magic, -EBADMSG, "rejected by libbpf" },
	{ "btf-string-length", ELF_OBJ, m_btf_strlen, -EBADMSG, "rejected by libbpf" },
	{ "btf-unknown-kind", ELF_OBJ, m_btf_kind, -EBADMSG, "rejected by libbpf" },
	{ "btfext-bad-magic", ELF_OBJ, m_ext_magic, -EBADMSG, "magic" },
	{ "btfext-hdr-len", ELF_OBJ, m_ext_hdrlen, -EBADMSG, "hdr_len" },
	{ "btfext-line-count", ELF_OBJ, m_ext_linecnt, -EBADMSG, "num_info" },
	{ "btfext-record-size", ELF_OBJ, m_ext_recsize, -EBADMSG, "record size" },
	{ "core-insn-off", ELF_OBJ, m_core_off, -EBADMSG, "insn_off" },
	{ "core-kind", ELF_OBJ, m_core_kind, -EBADMSG, "unknown relocation kind" },
	{ "core-type-id", ELF_OBJ, m_core_type, -EBADMSG, "local type id" },
	{ "core-access-string", ELF_OBJ, m_core_access, -EBADMSG, "access string" },
	{ "core-access-past-type", ELF_OBJ, m_core_past, -EBADMSG, "member index 9 beyond" },
	{ "btf-modifier-loop", ELF_OBJ, m_btf_mod_loop, -EBADMSG, "ringbuf_2" },
	{ "btf-datasec-vlen-huge", ELF_OBJ, m_btf_vlen, -EBADMSG, "rejected by libbpf" },
	{ "maps-symbol-beyond", ELF_OBJ, m_maps_sym_beyond, -EBADMSG, "beyond .maps" },
	{ "maps-symbol-same-offset", ELF_OBJ, m_maps_sym_dup, -EBADMSG, "as map ringbuf_1" },
	{ "maps-symbol-other-section", ELF_OBJ, m_maps_sym_other, -EBADMSG, "no single object symbol" },
	{ "kfunc-unknown", ELF_OBJ, m_kfunc, -ENOENT, "not a kfunc" },
	{ "prog-type-kprobe", ELF_OBJ, m_sec_kprobe, -EOPNOTSUPP, "not a supported program type" },
	{ "prog-attach-other", ELF_OBJ, m_attach_other, -EOPNOTSUPP, "attaches to" },
	{ "lskel-empty-symbol", LSKEL_OBJ, m_l_empty, -EBADMSG, "st_size 0" },
	{ "lskel-missing-symbol", LSKEL_OBJ, m_l_missing, -ENOENT, "no symbol opts_insn" },
	{ "lskel-size-beyond-section", LSKEL_OBJ, m_l_beyond, -EBADMSG, "beyond section" },
	{ "lskel-no-trailing-nul", LSKEL_OBJ, m_l_nonul, -EBADMSG, "trailing NUL" },
	{ "lskel-insn-not-whole", LSKEL_OBJ, m_l_notwhole, -EBADMSG, "whole number" },
	{ "lskel-bad-shndx", LSKEL_OBJ, m_l_shndx, -EBADMSG, "st_shndx" },
	{ "lskel-duplicate-symbol", LSKEL_OBJ, m_l_dup, -EBADMSG, "opts_data defined twice" },
	{ "lskel-local-symbol", LSKEL_OBJ, m_l_local, -EBADMSG, "not global" },
	{ "lskel-loader-truncated", LSKEL_OBJ, m_l_trunc, -EINVAL, "loader program rejected" },
	{ "lskel-loader-bad-opcode", LSKEL_OBJ, m_l_opcode, -EINVAL, "loader program rejected" },
	{ "lskel-blob-zeroed", LSKEL_OBJ, m_l_zero_blob, -E2BIG, "BTF_LOAD" },
	{ "lskel-blob-bad-btf", LSKEL_OBJ, m_l_btf, -EINVAL, "BTF rejected" },
	{ "lskel-blob-bad-program", LSKEL_OBJ, m_l_prog, -EINVAL, "PROG_LOAD parse_zboot" },
};

static void write_seed(const char *build, const char *target, const char *name,
		       const struct obj *o)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/fuzz-seeds", build);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fuzz-seeds/%s", build, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fuzz-seeds/%s/%s", build, target, name);
	CHECK_EQ_INT(test_write_file(path, o->p, o->len), 0);
}

static int count_cmd(void *user, uint16_t cmd, uint16_t subcmd, const uint8_t *p, uint32_t len,
		     const uint8_t *from)
{
	(void)from;
	(void)cmd;
	(void)subcmd;
	(void)p;
	(void)len;
	(*(unsigned int *)user)++;
	return 0;
}

/* A mutant either fails with a message or loads and runs to an end. */
static void try_load(struct pk_ctx *ctx, const char *what, const struct obj *o)
{
	static uint8_t image[4096];
	struct pk_bpf_program *p = NULL;
	unsigned int n = 0;
	struct pk_bpf_callbacks cb = { count_cmd, &n };
	struct pk_bpf_stage_input in = { .kernel = image, .kernel_len = sizeof(image), .parser_id = 1 };
	int r;

	pk_ctx_clear_error(ctx);
	r = pk_bpf_program_load(ctx, what, o->p, o->len, &p);
	CHECK(r <= 0);
	if (r < 0 && !*pk_ctx_errmsg(ctx)) {
		printf("%s: error %d without a message\n", what, r);
		check_failures++;
	}
	if (!r) {
		memcpy(image, "MZ\0\0zimg", 8);
		r = pk_bpf_program_run(ctx, p, &in, &cb, NULL);
		CHECK(r <= 0);
	}
	pk_bpf_program_free(p);
}

int main(void)
{
	static const char *const elf_progs[] = { "zboot_parser", "sections", "zboot_parser-shuffled" };
	const char *build = getenv("BUILD");
	struct pk_buf good[2] = { { 0 }, { 0 } };
	struct pk_ctx *ctx = pk_ctx_new();
	uint64_t rng = 0x5eed0bad;
	char path[8192];
	size_t i;
	int r, k;

	if (!build)
		SKIP("$BUILD is not set: the test programs are in $BUILD/bpf-progs");
	if (!ctx)
		return 1;
	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	snprintf(path, sizeof(path), "%s/bpf-progs/zboot_parser.bpf.o", build);
	CHECK_EQ_INT(test_read_file(path, &good[ELF_OBJ]), 0);
	snprintf(path, sizeof(path), "%s/bpf-progs/zboot_parser.lskel.o", build);
	CHECK_EQ_INT(test_read_file(path, &good[LSKEL_OBJ]), 0);
	if (check_failures) {
		pk_buf_free(&good[0]);
		pk_buf_free(&good[1]);
		pk_ctx_free(ctx);
		return CHECK_RESULT();
	}

	/* the controls load */
	for (k = 0; k < 2; k++) {
		struct obj o = { good[k].data, good[k].len };
		struct pk_bpf_program *p = NULL;

		r = pk_bpf_program_load(ctx, "control", o.p, o.len, &p);
		if (r)
			printf("control %d: %s\n", k, pk_ctx_errmsg(ctx));
		CHECK_EQ_INT(r, 0);
		pk_bpf_program_free(p);
	}

	for (i = 0; i < PK_ARRAY_SIZE(cases); i++) {
		const struct mcase *c = &cases[i];
		struct obj elf = { good[ELF_OBJ].data, good[ELF_OBJ].len };
		struct obj o = { malloc(good[c->base].len), good[c->base].len };
		struct pk_bpf_program *p = NULL;

		if (!o.p)
			return 1;
		memcpy(o.p, good[c->base].data, o.len);
		c->mutate(&o, &elf);
		pk_ctx_clear_error(ctx);
		r = pk_bpf_program_load(ctx, c->name, o.p, o.len, &p);
		if (r != c->err || !strstr(pk_ctx_errmsg(ctx), c->msg)) {
			printf("%s: got %d \"%s\", want %d \"...%s...\"\n", c->name, r,
			       pk_ctx_errmsg(ctx), c->err, c->msg);
			check_failures++;
		}
		pk_bpf_program_free(p);
		write_seed(build, c->base == ELF_OBJ ? "fuzz-bpf-elf" : "fuzz-bpf-lskel", c->name, &o);
		free(o.p);
	}
	printf("%zu targeted mutations checked\n", PK_ARRAY_SIZE(cases));

	/* seeds: every good object */
	for (i = 0; i < PK_ARRAY_SIZE(elf_progs); i++) {
		struct pk_buf b = { 0 };
		const char *ext[2] = { "bpf.o", "lskel.o" };

		for (k = 0; k < 2; k++) {
			struct obj o;

			snprintf(path, sizeof(path), "%s/bpf-progs/%s.%s", build, elf_progs[i], ext[k]);
			CHECK_EQ_INT(test_read_file(path, &b), 0);
			o = (struct obj){ b.data, b.len };
			snprintf(path, sizeof(path), "%s.%s", elf_progs[i], ext[k]);
			write_seed(build, k ? "fuzz-bpf-lskel" : "fuzz-bpf-elf", path, &o);
		}
		pk_buf_free(&b);
	}

	/* random mutations: 1..8 bytes overwritten */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 150; i++) {
			struct obj o = { malloc(good[k].len), good[k].len };
			uint8_t nb;
			char what[64];
			unsigned int j;

			if (!o.p)
				return 1;
			memcpy(o.p, good[k].data, o.len);
			test_random_bytes(&rng, &nb, 1);
			for (j = 0; j <= nb % 8u; j++) {
				uint64_t pos;
				uint8_t v;

				test_random_bytes(&rng, &pos, sizeof(pos));
				test_random_bytes(&rng, &v, 1);
				o.p[pos % o.len] = v;
			}
			snprintf(what, sizeof(what), "random-%d-%zu", k, i);
			try_load(ctx, what, &o);
			free(o.p);
		}
	}
	printf("300 random mutations survived\n");
	pk_buf_free(&good[0]);
	pk_buf_free(&good[1]);
	pk_ctx_free(ctx);
	return CHECK_RESULT();
}
