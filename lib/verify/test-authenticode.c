// SPDX-License-Identifier: MIT
/*
 * test-authenticode.c - unit tests of lib/verify on a small PE32+ image:
 * digest against pesign --hash, CheckSum against sbsign's, signatures against
 * sbverify, the certificate-table rules and their error codes, trust loading.
 * Also writes the seeds of fuzz-authenticode into $BUILD/fuzz-seeds/.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "ac_internal.h"
#include "check.h"
#include "pekexec/file.h"
#include "small-pe.h"

static char dir[512];
static bool have_tools;

static const char *path(const char *name)
{
	static char buf[4][600];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int parse(struct pk_ctx *ctx, const struct pk_buf *b, struct pk_pe *pe)
{
	return pk_pe_parse(ctx, b->data, b->len, pe);
}

/* "hash: HEX" from pesign, or "" */
static void pesign_hash(const char *file, char *out, size_t len)
{
	struct pk_buf b = { 0 };
	const char *p;

	out[0] = '\0';
	if (test_system("pesign -h -i '%s' >'%s' 2>/dev/null", file, path("pesign.out")) ||
	    test_read_file(path("pesign.out"), &b) < 0)
		return;
	pk_buf_append(&b, "", 1);
	p = strstr((char *)b.data, "hash: ");
	if (p)
		snprintf(out, len, "%.64s", p + 6);
	pk_buf_free(&b);
}

/* A malformed table: the small PE + @tail, directory entry (off, size). */
static int table_verdict(const void *tail, size_t tail_len, uint32_t off, uint32_t size)
{
	struct pk_buf img = { 0 };
	struct pk_sig_info *sigs = NULL;
	_pk_cleanup_pe_ struct pk_pe *pe = pk_pe_new();
	int r;

	CHECK(pk_fuzz_small_pe(&img) == 0);
	pk_buf_append(&img, tail, tail_len);
	pk_fuzz_set_cert_dir(&img, off, size);
	/* the PE reader already refuses some tables (-EBADMSG) */
	r = parse(NULL, &img, pe);
	if (r == 0)
		r = pk_authenticode_list(NULL, pe, NULL, &sigs);
	free(sigs);
	pk_buf_free(&img);
	return r;
}

/* rejected as malformed, by the PE reader or by the table walk */
#define MALFORMED(r) ((r) == -ENOEXEC || (r) == -EBADMSG)

static void put_entry(uint8_t *p, uint32_t len, uint16_t rev, uint16_t type)
{
	pk_put_le32(p, len);
	pk_put_le16(p + 4, rev);
	pk_put_le16(p + 6, type);
}

static void test_table_rules(void)
{
	uint8_t t[64 * 17] = { 0 };
	size_t i;

	/* structurally fine: two 16-byte entries fill 32 bytes exactly */
	put_entry(t, 16, 0x200, 2);
	put_entry(t + 16, 13, 0x200, 2); /* 13 -> 16 aligned */
	CHECK_EQ_INT(table_verdict(t, 32, PK_FUZZ_PE_LEN, 32), 2);
	/* one entry, its 8-aligned length short of the directory size */
	CHECK(MALFORMED(table_verdict(t, 32, PK_FUZZ_PE_LEN, 24)));
	/* data after the table: nothing may follow the last signature */
	CHECK(MALFORMED(table_verdict(t, 40, PK_FUZZ_PE_LEN, 32)));
	/* table beyond the end of the file */
	CHECK(MALFORMED(table_verdict(t, 16, PK_FUZZ_PE_LEN, 32)));
	/* offset not 8-aligned */
	put_entry(t + 4, 16, 0x200, 2);
	CHECK(MALFORMED(table_verdict(t, 20, PK_FUZZ_PE_LEN + 4, 16)));
	memset(t, 0, sizeof(t));
	/* offset inside the headers */
	CHECK(MALFORMED(table_verdict(NULL, 0, 0x100, PK_FUZZ_PE_LEN - 0x100)));
	/* offset without size, size without offset */
	CHECK(MALFORMED(table_verdict(NULL, 0, PK_FUZZ_PE_LEN, 0)));
	CHECK(MALFORMED(table_verdict(t, 16, 0, 16)));
	/* dwLength: 8 (empty), larger than the table, wrong revision, wrong type */
	put_entry(t, 8, 0x200, 2);
	CHECK(MALFORMED(table_verdict(t, 16, PK_FUZZ_PE_LEN, 16)));
	put_entry(t, 0x20, 0x200, 2);
	CHECK(MALFORMED(table_verdict(t, 16, PK_FUZZ_PE_LEN, 16)));
	put_entry(t, 16, 0x100, 2);
	CHECK(MALFORMED(table_verdict(t, 16, PK_FUZZ_PE_LEN, 16)));
	put_entry(t, 16, 0x200, 1);
	CHECK(MALFORMED(table_verdict(t, 16, PK_FUZZ_PE_LEN, 16)));
	/* more signatures than PK_AC_MAX_SIGS */
	for (i = 0; i < PK_AC_MAX_SIGS + 1; i++)
		put_entry(t + 16 * i, 16, 0x200, 2);
	CHECK(MALFORMED(table_verdict(t, 16 * (PK_AC_MAX_SIGS + 1), PK_FUZZ_PE_LEN,
				   16 * (PK_AC_MAX_SIGS + 1))));
	CHECK_EQ_INT(table_verdict(t, 16 * PK_AC_MAX_SIGS, PK_FUZZ_PE_LEN,
				   16 * PK_AC_MAX_SIGS), PK_AC_MAX_SIGS);
}

static void test_garbage_signature(void)
{
	struct pk_buf img = { 0 };
	struct pk_sig_info *sigs = NULL;
	struct pk_ctx *ctx = pk_ctx_new();
	uint8_t t[32] = { 0 };
	_pk_cleanup_pe_ struct pk_pe *pe = pk_pe_new();

	put_entry(t, 32, 0x200, 2);
	memset(t + 8, 0x30, 24);
	pk_fuzz_small_pe(&img);
	pk_buf_append(&img, t, sizeof(t));
	pk_fuzz_set_cert_dir(&img, PK_FUZZ_PE_LEN, sizeof(t));
	CHECK_EQ_INT(parse(ctx, &img, pe), 0);
	CHECK_EQ_INT(pk_authenticode_list(ctx, pe, NULL, &sigs), 1);
	CHECK(sigs && sigs[0].err == -ENOEXEC && strstr(sigs[0].reason, "signature 0 at 0x400"));
	free(sigs);
	CHECK_EQ_INT(pk_authenticode_verify(ctx, pe, NULL, NULL), -ENOEXEC);
	pk_buf_free(&img);
	pk_ctx_free(ctx);
}

static void test_trust_loading(void)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_trust *t = pk_trust_new();

	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	CHECK_EQ_INT(pk_trust_add_path(ctx, t, path("missing.pem")), -ENOENT);
	test_write_file(path("junk.pem"), "not a certificate\n", 18);
	CHECK_EQ_INT(pk_trust_add_path(ctx, t, path("junk.pem")), -EBADMSG);
	mkdir(path("empty.d"), 0755);
	CHECK_EQ_INT(pk_trust_add_path(ctx, t, path("empty.d")), -EBADMSG);
	CHECK_EQ_INT(pk_trust_count(t), 0);
	if (have_tools) {
		CHECK_EQ_INT(pk_trust_add_path(ctx, t, path("a.der")), 0);
		CHECK_EQ_INT(pk_trust_count(t), 1);
		/* two PEM certificates in one file */
		test_system("cat '%s' '%s' >'%s'", path("a.pem"), path("b.pem"), path("ab.pem"));
		CHECK_EQ_INT(pk_trust_add_path(ctx, t, path("ab.pem")), 0);
		CHECK_EQ_INT(pk_trust_count(t), 3);
	}
	pk_trust_free(t);
	pk_ctx_free(ctx);
}

static void write_seed(const char *seeds, const char *name, uint8_t mode,
		       const uint8_t *p, size_t n)
{
	struct pk_buf b = { 0 };
	char f[700];

	pk_buf_append(&b, &mode, 1);
	pk_buf_append(&b, p, n);
	snprintf(f, sizeof(f), "%s/%s", seeds, name);
	CHECK_EQ_INT(test_write_file(f, b.data, b.len), 0);
	pk_buf_free(&b);
}

static void test_sign_verify(void)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_signer *sa = NULL, *sb = NULL, *bad = NULL;
	struct pk_buf img = { 0 }, s1 = { 0 }, s2 = { 0 }, sbs = { 0 };
	struct pk_trust *ta = pk_trust_new(), *tb = pk_trust_new();
	struct pk_sig_info *sigs = NULL, info;
	uint8_t d[PK_DIGEST_MAX];
	char hex[2 * PK_DIGEST_MAX + 1], ph[80];
	_pk_cleanup_pe_ struct pk_pe *pe = pk_pe_new();
	const char *bdir;
	int n;

	pk_ctx_set_log(ctx, NULL, NULL, PK_LOG_ERROR);
	CHECK_EQ_INT(pk_signer_load(ctx, path("a.key"), path("a.pem"), &sa), 0);
	CHECK_EQ_INT(pk_signer_load(ctx, path("b.key"), path("b.der"), &sb), 0);
	CHECK_EQ_INT(pk_signer_load(ctx, path("a.key"), path("b.pem"), &bad), -EBADMSG);
	CHECK_EQ_INT(pk_signer_load(ctx, path("none.key"), path("b.pem"), &bad), -ENOENT);
	CHECK_EQ_INT(pk_trust_add_path(ctx, ta, path("a.pem")), 0);
	CHECK_EQ_INT(pk_trust_add_path(ctx, tb, path("b.pem")), 0);
	if (!sa || !sb)
		goto out;

	pk_fuzz_small_pe(&img);
	/* unsigned */
	CHECK_EQ_INT(parse(ctx, &img, pe), 0);
	CHECK_EQ_INT(pk_authenticode_verify(ctx, pe, ta, NULL), -ENODATA);
	/* digest == pesign --hash (the image is 8-aligned: signing adds nothing hashed) */
	test_write_file(path("small.efi"), img.data, img.len);
	CHECK_EQ_INT(pk_authenticode_digest(ctx, pe, PK_DIGEST_SHA256, d), 0);
	pk_hex(d, 32, hex);
	pesign_hash(path("small.efi"), ph, sizeof(ph));
	CHECK(ph[0] && !strcmp(hex, ph));

	/* sign, verify, sbverify agrees */
	CHECK_EQ_INT(pk_authenticode_sign(ctx, img.data, img.len, sa, PK_DIGEST_SHA256, false, &s1), 0);
	CHECK_EQ_INT(parse(ctx, &s1, pe), 0);
	CHECK_EQ_INT(pk_authenticode_verify(ctx, pe, ta, &info), 0);
	CHECK(!strcmp(info.subject, "CN = unit a"));
	CHECK_EQ_INT(pk_authenticode_verify(ctx, pe, tb, NULL), -EKEYREJECTED);
	test_write_file(path("s1.efi"), s1.data, s1.len);
	CHECK_EQ_INT(test_system("sbverify --cert '%s' '%s' >/dev/null 2>&1", path("a.pem"),
				 path("s1.efi")), 0);
	pesign_hash(path("s1.efi"), ph, sizeof(ph));
	CHECK(ph[0] && !strcmp(hex, ph));

	/* CheckSum: ours over sbsign's output equals the value sbsign wrote */
	CHECK_EQ_INT(test_system("sbsign --key '%s' --cert '%s' --output '%s' '%s' >/dev/null 2>&1",
				 path("a.key"), path("a.pem"), path("sb.efi"), path("small.efi")), 0);
	CHECK_EQ_INT(test_read_file(path("sb.efi"), &sbs), 0);
	if (sbs.len > PK_FUZZ_PE_OPT + 68)
		CHECK_EQ_INT(pk_pe_checksum(sbs.data, sbs.len, PK_FUZZ_PE_OPT + 64),
			     pk_get_le32(sbs.data + PK_FUZZ_PE_OPT + 64));

	/* append a sha512 signature by b: both listed, each checked */
	CHECK_EQ_INT(pk_authenticode_sign(ctx, s1.data, s1.len, sb, PK_DIGEST_SHA512, true, &s2), 0);
	CHECK_EQ_INT(parse(ctx, &s2, pe), 0);
	n = pk_authenticode_list(ctx, pe, ta, &sigs);
	CHECK_EQ_INT(n, 2);
	if (n == 2) {
		CHECK(sigs[0].digest_ok && sigs[0].sig_ok && sigs[0].trusted && !sigs[0].err);
		CHECK(sigs[1].digest_ok && sigs[1].sig_ok && !sigs[1].trusted);
		CHECK_EQ_INT(sigs[1].err, -EKEYREJECTED);
		CHECK_EQ_INT(sigs[1].alg, PK_DIGEST_SHA512);
	}
	free(sigs);
	CHECK_EQ_INT(pk_authenticode_verify(ctx, pe, tb, &info), 0);
	CHECK(!strcmp(info.subject, "CN = unit b"));
	CHECK_EQ_INT(pk_authenticode_verify(ctx, pe, ta, &info), 0);

	bdir = getenv("BUILD");
	if (bdir && *bdir) {
		char seeds[600];
		struct pk_ac_table tab;

		snprintf(seeds, sizeof(seeds), "%s/fuzz-seeds", bdir);
		mkdir(seeds, 0755);
		snprintf(seeds, sizeof(seeds), "%s/fuzz-seeds/fuzz-authenticode", bdir);
		mkdir(seeds, 0755);
		if (pk_ac_table_parse(ctx, pe, &tab) == 0 && tab.n == 2) {
			write_seed(seeds, "table-two", 0, s2.data + tab.offset, tab.size);
			write_seed(seeds, "image-two", 1, s2.data, s2.len);
			write_seed(seeds, "pkcs7-sha512", 2, s2.data + tab.entries[1].offset + 8,
				   tab.entries[1].length - 8);
		}
		write_seed(seeds, "image-sbsign", 1, sbs.data, sbs.len);
	}

	/* a byte of .text changed: bad digest for both signatures */
	s2.data[0x210] ^= 1;
	CHECK_EQ_INT(parse(ctx, &s2, pe), 0);
	CHECK_EQ_INT(pk_authenticode_verify(ctx, pe, ta, NULL), -EBADMSG);
	CHECK(strstr(pk_ctx_errmsg(ctx), "digest mismatch") != NULL);
	/* re-signing without append replaces both */
	pk_buf_free(&s1);
	CHECK_EQ_INT(pk_authenticode_sign(ctx, s2.data, s2.len, sa, PK_DIGEST_SHA384, false, &s1), 0);
	CHECK_EQ_INT(parse(ctx, &s1, pe), 0);
	n = pk_authenticode_list(ctx, pe, NULL, &sigs);
	CHECK_EQ_INT(n, 1);
	free(sigs);
	/* an unaligned image is padded with zeros to 8 before the table */
	pk_buf_free(&s2);
	pk_buf_append(&img, "x", 1);
	CHECK_EQ_INT(pk_authenticode_sign(ctx, img.data, img.len, sa, PK_DIGEST_SHA256, false, &s2), 0);
	CHECK_EQ_INT(parse(ctx, &s2, pe), 0);
	CHECK_EQ_INT(pe->dirs[PK_PE_DIR_SECURITY].virtual_address, PK_FUZZ_PE_LEN + 8);
	CHECK_EQ_INT(pk_authenticode_verify(ctx, pe, ta, NULL), 0);
	test_write_file(path("odd.efi"), s2.data, s2.len);
	CHECK_EQ_INT(test_system("sbverify --cert '%s' '%s' >/dev/null 2>&1", path("a.pem"),
				 path("odd.efi")), 0);
out:
	pk_buf_free(&img);
	pk_buf_free(&s1);
	pk_buf_free(&s2);
	pk_buf_free(&sbs);
	pk_signer_free(sa);
	pk_signer_free(sb);
	pk_trust_free(ta);
	pk_trust_free(tb);
	pk_ctx_free(ctx);
}

static bool make_keys(void)
{
	return !test_system("command -v openssl sbsign sbverify pesign >/dev/null") &&
	       !test_system("cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout a.key "
			    "-out a.pem -days 30 -subj '/CN=unit a' 2>/dev/null && "
			    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
			    "-nodes -keyout b.key -out b.pem -days 30 -subj '/CN=unit b' 2>/dev/null && "
			    "openssl x509 -in a.pem -outform DER -out a.der && "
			    "openssl x509 -in b.pem -outform DER -out b.der", dir);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "%s", test_tmpdir());
	have_tools = make_keys();
	test_table_rules();
	test_garbage_signature();
	test_trust_loading();
	if (have_tools)
		test_sign_verify();
	else
		printf("note: openssl/sbsigntool/pesign missing, signing tests not run\n");
	return CHECK_RESULT();
}
