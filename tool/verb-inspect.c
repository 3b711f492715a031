// SPDX-License-Identifier: MIT
/*
 * verb-inspect.c - `pekexec inspect [--json] IMAGE`: what the headers say,
 * the sections and the bytes a loader reads of each, the data directories,
 * the signatures, the zboot header and the .bpf section.
 *
 * The JSON form is a stable, versioned schema (docs/inspect-json.md); the
 * text form is for humans and may change.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-entries.h"
#include "inspect-bpf.h"
#include "json.h"
#include "pekexec/authenticode.h"
#include "pekexec/decompress.h"
#include "pekexec/file.h"
#include "pekexec/hash.h"
#include "pekexec/pe.h"
#include "tool.h"

#define INSPECT_FORMAT "pekexec-inspect/1"
/* PE offsets are 32-bit: nothing past 4 GiB can be addressed. */
#define INSPECT_MAX_FILE ((size_t)UINT32_MAX)

static const char *const dir_names[PK_PE_MAX_DIRS] = {
	"export", "import", "resource", "exception", "certificate_table",
	"base_relocation", "debug", "architecture", "global_ptr", "tls",
	"load_config", "bound_import", "iat", "delay_import", "clr_runtime",
	"reserved",
};

static const struct {
	uint32_t bit;
	const char *name;
} scn_flags[] = {
	{ 0x00000020, "code" },
	{ 0x00000040, "initialized_data" },
	{ 0x00000080, "uninitialized_data" },
	{ 0x00000200, "lnk_info" },
	{ 0x00000800, "lnk_remove" },
	{ 0x00001000, "comdat" },
	{ 0x01000000, "nreloc_ovfl" },
	{ 0x02000000, "discardable" },
	{ 0x04000000, "not_cached" },
	{ 0x08000000, "not_paged" },
	{ 0x10000000, "shared" },
	{ 0x20000000, "execute" },
	{ 0x40000000, "read" },
	{ 0x80000000, "write" },
};

static const char *magic_name(uint16_t magic)
{
	return magic == PK_PE_MAGIC_PE32 ? "PE32" : "PE32+";
}

static const char *subsystem_name(uint16_t subsystem)
{
	switch (subsystem) {
	case 10:
		return "efi_application";
	case 11:
		return "efi_boot_service_driver";
	case 12:
		return "efi_runtime_driver";
	case 13:
		return "efi_rom";
	default:
		return "other";
	}
}

static void sha256_hex(const uint8_t *p, size_t n, char out[2 * PK_SHA256_LEN + 1])
{
	uint8_t d[PK_SHA256_LEN];

	pk_sha256(p, n, d);
	pk_hex(d, sizeof(d), out);
}

/* "code,execute,read" into @out. */
static void flags_text(uint32_t ch, char *out, size_t outsz)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(scn_flags) / sizeof(scn_flags[0]); i++) {
		if (!(ch & scn_flags[i].bit))
			continue;
		len += (size_t)snprintf(out + len, len < outsz ? outsz - len : 0, "%s%s",
					len ? "," : "", scn_flags[i].name);
	}
}

/* Section names are 8 raw bytes: show non-printable ones escaped. */
static void name_text(const char *name, char out[8 * 4 + 1])
{
	size_t i, o = 0;

	for (i = 0; name[i] && i < 8; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)sprintf(out + o, "\\x%02x", c);
	}
	out[o] = '\0';
}

/* What inspect found besides the headers. */
struct facts {
	const char *path;
	const uint8_t *buf;
	size_t len;
	const struct pk_pe *pe;
	struct pk_sig_info *sigs;
	bool have_trust;       /* --trust given: sigs[].trusted means something */
	int nsigs;             /* < 0: the certificate table could not be read */
	const char *sig_error; /* its message */
	bool have_bpf;         /* .bpf present: bpfi is filled */
	struct inspect_bpf bpfi;
};

/*
 * The UKI sections systemd-stub looks up for a profile (main after v258,
 * src/fundamental/uki.c unified_sections[], the stub's find_sections():
 * the profile's own, from its .profile to the next, else the base's, the
 * ones before the first .profile; pk_pe_profile_section()).
 */
static const char *const uki_sections[] = {
	".linux", ".osrel", ".cmdline", ".initrd", ".ucode", ".splash", ".dtb",
	".dtbauto", ".hwids", ".uname", ".sbat", ".pcrsig", ".pcrpkey", ".profile",
	".efifw",
};

/* Profiles to show: .profile sections, or 1 (the base) for a UKI without. */
static unsigned int profile_count(const struct pk_pe *pe)
{
	unsigned int n = pk_pe_profile_count(pe);

	if (n)
		return n;
	return pk_pe_find_section(pe, ".linux") ? 1 : 0;
}

/* KEY=VALUE of @profile's .profile (os-release syntax), "" if none. */
static void profile_value(const struct pk_pe *pe, unsigned int profile, const char *key,
			  char *out, size_t outsz)
{
	const struct pk_pe_section *s = pk_pe_profile_section(pe, profile, ".profile");
	const char *text, *nul;
	char *v = NULL;

	/* pk_pe_parse() checked that the section's bytes lie inside the file */
	if (s) {
		text = (const char *)pe->buf + s->data_offset;
		nul = memchr(text, '\0', s->data_size);
		v = boot_entries_osrel_get(text, nul ? (size_t)(nul - text) : s->data_size, key);
	}
	snprintf(out, outsz, "%s", v ? v : "");
	free(v);
}

/* The index of @s in @pe's section table. */
static unsigned int section_index(const struct pk_pe *pe, const struct pk_pe_section *s)
{
	return (unsigned int)(s - pe->sections);
}

static bool section_is_base(const struct pk_pe *pe, const struct pk_pe_section *s)
{
	unsigned int i;

	for (i = 0; i < pe->nsections && &pe->sections[i] != s; i++)
		if (!strcmp(pe->sections[i].name, ".profile"))
			return false;
	return strcmp(s->name, ".profile") != 0;
}

static void json_profiles(struct json *j, const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	unsigned int p, n = profile_count(pe);
	char v[256];
	size_t k;

	json_array_begin(j, "profiles");
	for (p = 0; p < n; p++) {
		json_object_begin(j, NULL);
		json_uint(j, "index", p);
		profile_value(pe, p, "ID", v, sizeof(v));
		json_string(j, "id", v);
		profile_value(pe, p, "TITLE", v, sizeof(v));
		json_string(j, "title", v);
		json_array_begin(j, "sections");
		for (k = 0; k < sizeof(uki_sections) / sizeof(uki_sections[0]); k++) {
			const struct pk_pe_section *s = pk_pe_profile_section(pe, p, uki_sections[k]);

			if (!s)
				continue;
			json_object_begin(j, NULL);
			json_string(j, "name", uki_sections[k]);
			json_uint(j, "section", section_index(pe, s));
			json_bool(j, "base", section_is_base(pe, s));
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

static void text_profiles(const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	unsigned int p, n = profile_count(pe);
	char id[256], title[256];
	size_t k;

	if (!n)
		return;
	printf("\nUKI profiles (%u): the sections systemd-stub uses for each (#: section, * the base's)\n", n);
	for (p = 0; p < n; p++) {
		profile_value(pe, p, "ID", id, sizeof(id));
		profile_value(pe, p, "TITLE", title, sizeof(title));
		printf("  @%u%s%s%s%s%s:", p, id[0] ? " ID=" : "", id, title[0] ? " \"" : "", title,
		       title[0] ? "\"" : "");
		for (k = 0; k < sizeof(uki_sections) / sizeof(uki_sections[0]); k++) {
			const struct pk_pe_section *s = pk_pe_profile_section(pe, p, uki_sections[k]);

			if (s)
				printf(" %s#%u%s", uki_sections[k], section_index(pe, s),
				       section_is_base(pe, s) ? "*" : "");
		}
		printf("\n");
	}
}

static void json_sections(struct json *j, const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	char hex[2 * PK_SHA256_LEN + 1];
	unsigned int i;
	size_t k;

	json_array_begin(j, "sections");
	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];

		json_object_begin(j, NULL);
		json_uint(j, "index", i);
		json_string(j, "name", s->name);
		json_uint(j, "virtual_address", s->virtual_address);
		json_uint(j, "virtual_size", s->virtual_size);
		json_uint(j, "pointer_to_raw_data", s->pointer_to_raw_data);
		json_uint(j, "size_of_raw_data", s->size_of_raw_data);
		json_uint(j, "data_offset", s->data_offset);
		json_uint(j, "data_size", s->data_size);
		sha256_hex(f->buf + s->data_offset, s->data_size, hex);
		json_string(j, "data_sha256", hex);
		json_uint(j, "characteristics", s->characteristics);
		json_array_begin(j, "flags");
		for (k = 0; k < sizeof(scn_flags) / sizeof(scn_flags[0]); k++)
			if (s->characteristics & scn_flags[k].bit)
				json_string(j, NULL, scn_flags[k].name);
		json_array_end(j);
		json_uint(j, "header_offset", s->header_offset);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_signatures(struct json *j, const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	int i;

	json_object_begin(j, "signatures");
	if (pk_pe_has_cert_table(pe)) {
		json_object_begin(j, "certificate_table");
		json_uint(j, "offset", pe->dirs[PK_PE_DIR_SECURITY].virtual_address);
		json_uint(j, "size", pe->dirs[PK_PE_DIR_SECURITY].size);
		json_object_end(j);
	} else {
		json_null(j, "certificate_table");
	}
	json_string(j, "error", f->nsigs < 0 ? f->sig_error : NULL);
	json_array_begin(j, "list");
	for (i = 0; i < f->nsigs; i++) {
		const struct pk_sig_info *s = &f->sigs[i];

		json_object_begin(j, NULL);
		json_uint(j, "offset", s->offset);
		json_uint(j, "length", s->length);
		json_string(j, "digest_algorithm", pk_digest_name(s->alg));
		json_bool(j, "digest_ok", s->digest_ok);
		json_bool(j, "signature_ok", s->sig_ok);
		if (f->have_trust)
			json_bool(j, "trusted", s->trusted);
		else
			json_null(j, "trusted");
		json_string(j, "subject", s->subject);
		json_string(j, "issuer", s->issuer);
		json_string(j, "error", s->err ? strerror(-s->err) : NULL);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void json_zboot_bpf(struct json *j, const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	const struct pk_pe_section *bpf = pk_pe_find_section(pe, ".bpf");
	char hex[2 * PK_SHA256_LEN + 1];

	if (pe->zboot.present) {
		const struct pk_zboot *z = &pe->zboot;

		json_object_begin(j, "zboot");
		json_uint(j, "payload_offset", z->payload_offset);
		json_uint(j, "payload_size", z->payload_size);
		json_string(j, "compression", z->comp_name);
		json_string(j, "format", pk_comp_name((enum pk_comp)z->comp));
		json_uint(j, "image_size", z->image_size);
		sha256_hex(f->buf + z->payload_offset, z->payload_size, hex);
		json_string(j, "payload_sha256", hex);
		json_object_end(j);
	} else {
		json_null(j, "zboot");
	}
	if (bpf) {
		json_object_begin(j, "bpf");
		json_uint(j, "section_index", (uint64_t)(bpf - pe->sections));
		json_uint(j, "offset", bpf->data_offset);
		json_uint(j, "size", bpf->data_size);
		sha256_hex(f->buf + bpf->data_offset, bpf->data_size, hex);
		json_string(j, "sha256", hex);
		if (f->have_bpf)
			inspect_bpf_json(j, &f->bpfi);
		json_object_end(j);
	} else {
		json_null(j, "bpf");
	}
}

static int print_json(const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	char hex[2 * PK_SHA256_LEN + 1];
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "format", INSPECT_FORMAT);
	json_string(&j, "file", f->path);
	json_uint(&j, "file_size", f->len);
	sha256_hex(f->buf, f->len, hex);
	json_string(&j, "file_sha256", hex);

	json_object_begin(&j, "pe");
	json_uint(&j, "pe_offset", pe->pe_offset);
	json_uint(&j, "machine", pe->machine);
	json_string(&j, "machine_name", pk_pe_machine_name(pe->machine));
	json_uint(&j, "number_of_sections", pe->nsections);
	json_uint(&j, "timestamp", pe->timestamp);
	json_uint(&j, "pointer_to_symbol_table", pe->symtab_offset);
	json_uint(&j, "number_of_symbols", pe->nsymbols);
	json_uint(&j, "size_of_optional_header", pe->opt_size);
	json_uint(&j, "characteristics", pe->characteristics);
	json_uint(&j, "magic", pe->magic);
	json_string(&j, "magic_name", magic_name(pe->magic));
	json_uint(&j, "size_of_code", pe->size_of_code);
	json_uint(&j, "size_of_initialized_data", pe->size_of_initialized_data);
	json_uint(&j, "size_of_uninitialized_data", pe->size_of_uninitialized_data);
	json_uint(&j, "entry_point", pe->entry_point);
	json_uint(&j, "base_of_code", pe->base_of_code);
	json_uint(&j, "image_base", pe->image_base);
	json_uint(&j, "section_alignment", pe->section_alignment);
	json_uint(&j, "file_alignment", pe->file_alignment);
	json_uint(&j, "size_of_image", pe->size_of_image);
	json_uint(&j, "size_of_headers", pe->size_of_headers);
	json_uint(&j, "checksum", pe->checksum);
	json_uint(&j, "checksum_offset", pe->checksum_offset);
	json_uint(&j, "subsystem", pe->subsystem);
	json_string(&j, "subsystem_name", subsystem_name(pe->subsystem));
	json_uint(&j, "dll_characteristics", pe->dll_characteristics);
	json_uint(&j, "number_of_rva_and_sizes", pe->ndirs);
	json_object_end(&j);

	json_array_begin(&j, "data_directories");
	for (i = 0; i < pe->ndirs; i++) {
		json_object_begin(&j, NULL);
		json_uint(&j, "index", i);
		json_string(&j, "name", dir_names[i]);
		json_uint(&j, "virtual_address", pe->dirs[i].virtual_address);
		json_uint(&j, "size", pe->dirs[i].size);
		json_object_end(&j);
	}
	json_array_end(&j);

	json_sections(&j, f);
	json_signatures(&j, f);
	json_zboot_bpf(&j, f);
	json_profiles(&j, f);
	json_object_end(&j);
	return json_finish(&j);
}

static void text_sections(const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	unsigned int i;

	printf("\nSections (%u):\n", pe->nsections);
	printf("  %-3s %-10s %-10s %-10s %-10s %-10s %-10s %s\n", "#", "name",
	       "vaddr", "vsize", "file off", "raw size", "read size", "flags");
	for (i = 0; i < pe->nsections; i++) {
		const struct pk_pe_section *s = &pe->sections[i];
		char flags[256], name[33];

		flags_text(s->characteristics, flags, sizeof(flags));
		name_text(s->name, name);
		printf("  %-3u %-10s 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08zx %s\n",
		       i, name, s->virtual_address, s->virtual_size,
		       s->pointer_to_raw_data, s->size_of_raw_data, s->data_size,
		       flags);
	}
}

static void text_signatures(const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	int i;

	printf("\nSignatures: ");
	if (!pk_pe_has_cert_table(pe)) {
		printf("none (no certificate table)\n");
		return;
	}
	printf("certificate table at 0x%" PRIx32 ", 0x%" PRIx32 " bytes\n",
	       pe->dirs[PK_PE_DIR_SECURITY].virtual_address,
	       pe->dirs[PK_PE_DIR_SECURITY].size);
	if (f->nsigs < 0) {
		printf("  unreadable: %s\n", f->sig_error);
		return;
	}
	for (i = 0; i < f->nsigs; i++) {
		const struct pk_sig_info *s = &f->sigs[i];

		printf("  [%d] at 0x%" PRIx32 " (%" PRIu32 " bytes): %s, digest %s, signature %s\n",
		       i, s->offset, s->length, pk_digest_name(s->alg),
		       s->digest_ok ? "matches" : "DOES NOT MATCH",
		       s->sig_ok ? "valid" : "INVALID");
		printf("      subject: %s\n      issuer:  %s\n", s->subject, s->issuer);
		if (f->have_trust)
			printf("      trusted: %s\n", s->trusted ? "yes" : "no");
		if (s->err)
			printf("      error:   %s\n", strerror(-s->err));
	}
}

static int print_text(const struct facts *f)
{
	const struct pk_pe *pe = f->pe;
	const struct pk_pe_section *bpf = pk_pe_find_section(pe, ".bpf");
	char hex[2 * PK_SHA256_LEN + 1];
	unsigned int i;

	sha256_hex(f->buf, f->len, hex);
	printf("File:              %s (%zu bytes)\n", f->path, f->len);
	printf("SHA-256:           %s\n", hex);
	printf("Format:            %s, machine %s (0x%04x), subsystem %s (%u)\n",
	       magic_name(pe->magic), pk_pe_machine_name(pe->machine),
	       pe->machine, subsystem_name(pe->subsystem), pe->subsystem);
	printf("Entry point:       0x%08" PRIx32 "\n", pe->entry_point);
	printf("Image base:        0x%" PRIx64 "\n", pe->image_base);
	printf("Alignment:         section 0x%" PRIx32 ", file 0x%" PRIx32 "\n",
	       pe->section_alignment, pe->file_alignment);
	printf("Size of image:     0x%" PRIx32 "\n", pe->size_of_image);
	printf("Size of headers:   0x%" PRIx32 "\n", pe->size_of_headers);
	printf("Checksum:          0x%08" PRIx32 " (at 0x%" PRIx32 ")\n",
	       pe->checksum, pe->checksum_offset);
	printf("Characteristics:   0x%04x (COFF), 0x%04x (DLL)\n",
	       pe->characteristics, pe->dll_characteristics);

	printf("\nData directories (%" PRIu32 ", non-empty shown):\n", pe->ndirs);
	for (i = 0; i < pe->ndirs; i++)
		if (pe->dirs[i].virtual_address || pe->dirs[i].size)
			printf("  %-2u %-18s 0x%08" PRIx32 " 0x%" PRIx32 " bytes%s\n", i,
			       dir_names[i], pe->dirs[i].virtual_address,
			       pe->dirs[i].size,
			       i == PK_PE_DIR_SECURITY ? " (file offset)" : "");

	text_sections(f);
	text_signatures(f);

	printf("\nzboot:             ");
	if (pe->zboot.present)
		printf("%s (%s), payload at 0x%" PRIx32 ", 0x%" PRIx32 " bytes, image size %" PRIu32 "\n",
		       pe->zboot.comp_name, pk_comp_name((enum pk_comp)pe->zboot.comp),
		       pe->zboot.payload_offset, pe->zboot.payload_size,
		       pe->zboot.image_size);
	else
		printf("no\n");
	printf(".bpf:              ");
	if (bpf) {
		sha256_hex(f->buf + bpf->data_offset, bpf->data_size, hex);
		printf("%zu bytes at 0x%zx, sha256 %s\n", bpf->data_size,
		       bpf->data_offset, hex);
		if (f->have_bpf)
			inspect_bpf_text(&f->bpfi);
	} else {
		printf("no\n");
	}
	text_profiles(f);
	if (fflush(stdout) != 0 || ferror(stdout))
		return -EIO;
	return 0;
}

static void help(FILE *out)
{
	fprintf(out,
		"Usage: pekexec inspect [--json] [--trust PATH]... IMAGE\n"
		"\n"
		"Show a PE image's headers, data directories and sections (with the\n"
		"bytes a loader reads of each and their SHA-256), its signatures\n"
		"(signer, digest algorithm, whether the digest matches the image),\n"
		"its EFI zboot header and its .bpf section: the parser program\n"
		"(form, instructions, maps, the sandbox verifier's verdict) and the\n"
		"stages it produces when the image is unpacked (signatures not\n"
		"checked for that; use verify or extract); a UKI's profiles (@N) and\n"
		"the sections systemd-stub uses for each (its own, else the base's).\n"
		"\n"
		"Options:\n"
		"  --json      machine-readable output, schema \"" INSPECT_FORMAT "\"\n"
		"              (docs/inspect-json.md)\n"
		"  --trust PATH  also say whether each signer chains to these anchors\n"
		"              (PEM/DER certificate files or directories; repeatable)\n"
		"  -h, --help  this help\n"
		"\n"
		"Exit codes: 0 shown; 1 the file cannot be read (or output failed);\n"
		"2 usage error; 3 malformed image (message names the field and offset;\n"
		"with an unreadable certificate table everything else is shown first).\n");
}

int verb_inspect(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "trust", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct pk_pe *pe = NULL;
	struct pk_file file = { 0 };
	struct pk_trust *trust = NULL;
	struct facts f = { 0 };
	bool json = false;
	int c, r, ret = PK_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 't':
			if (tool_trust_add(t, "inspect", &trust, optarg) < 0) {
				pk_trust_free(trust);
				return PK_EXIT_FAILURE;
			}
			break;
		case 'h':
			help(stdout);
			pk_trust_free(trust);
			return PK_EXIT_OK;
		default:
			tool_errorf("inspect", "unknown option '%s' (see 'pekexec inspect --help')",
				    argv[optind - 1]);
			pk_trust_free(trust);
			return PK_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		tool_errorf("inspect", "expected one IMAGE (see 'pekexec inspect --help')");
		pk_trust_free(trust);
		return PK_EXIT_USAGE;
	}
	f.have_trust = trust != NULL;
	f.path = argv[optind];

	r = pk_file_open(t->ctx, f.path, INSPECT_MAX_FILE, &file);
	if (r < 0) {
		/* pk_file_open's message already names the path. */
		tool_errorf("inspect", "%s", pk_ctx_errmsg(t->ctx));
		pk_trust_free(trust);
		return PK_EXIT_FAILURE;
	}
	f.buf = file.data;
	f.len = file.len;
	pe = pk_pe_new();
	if (!pe) {
		tool_errorf("inspect", "out of memory");
		pk_file_close(&file);
		pk_trust_free(trust);
		return PK_EXIT_FAILURE;
	}
	r = pk_pe_parse(t->ctx, file.data, file.len, pe);
	if (r < 0) {
		tool_error(t, "inspect", f.path);
		pk_pe_free(pe);
		pk_file_close(&file);
		pk_trust_free(trust);
		return r == -ENOMEM ? PK_EXIT_FAILURE : PK_EXIT_MALFORMED;
	}
	f.pe = pe;

	f.nsigs = pk_authenticode_list(t->ctx, pe, trust, &f.sigs);
	if (f.nsigs < 0) {
		f.sig_error = pk_ctx_errmsg(t->ctx);
		ret = f.nsigs == -ENOMEM ? PK_EXIT_FAILURE : PK_EXIT_MALFORMED;
	}

	{
		const struct pk_pe_section *bpf = pk_pe_find_section(pe, ".bpf");

		if (bpf) {
			r = inspect_bpf_collect(t->ctx, f.path, file.data, file.len,
						file.data + bpf->data_offset,
						bpf->data_size, &f.bpfi);
			if (r < 0) {
				tool_errorf("inspect", "out of memory");
				ret = PK_EXIT_FAILURE;
				goto out;
			}
			f.have_bpf = true;
		}
	}

	r = json ? print_json(&f) : print_text(&f);
	if (r < 0) {
		tool_errorf("inspect", "writing the output failed");
		ret = PK_EXIT_FAILURE;
	} else if (f.nsigs < 0) {
		tool_errorf("inspect", "%s: certificate table: %s", f.path, f.sig_error);
	}
out:
	inspect_bpf_free(&f.bpfi);
	free(f.sigs);
	pk_pe_free(pe);
	pk_file_close(&file);
	pk_trust_free(trust);
	return ret;
}
