// SPDX-License-Identifier: MIT
/*
 * digest.c - the Authenticode digest of a PE image, computed as the kernel's
 * crypto/asymmetric_keys/verify_pefile.c does (pefile_digest_pe_contents):
 *
 *   1. [0, SizeOfHeaders) without the CheckSum field and the 8-byte
 *      certificate-table directory entry;
 *   2. every section with SizeOfRawData != 0, sorted by PointerToRawData
 *      (ties: VirtualAddress, name, VirtualSize, SizeOfRawData), SizeOfRawData
 *      bytes each;
 *   3. with H = SizeOfHeaders + the sum of those SizeOfRawData, the bytes
 *      [H, start of the certificate table) when H is below it.
 *
 * The bytes are hashed straight from the caller's buffer (a mapping of the
 * file): one pass, no copies.  Where sbsigntools and pesign differ from the
 * kernel is written down in docs/authenticode.md.
 */
#include <openssl/evp.h>

#include "ac_internal.h"

static const struct {
	const char *name;
	size_t size;
} digest_algs[] = {
	[PK_DIGEST_SHA256] = { "sha256", 32 },
	[PK_DIGEST_SHA384] = { "sha384", 48 },
	[PK_DIGEST_SHA512] = { "sha512", 64 },
};

const char *pk_digest_name(enum pk_digest_alg alg)
{
	if ((unsigned int)alg >= PK_ARRAY_SIZE(digest_algs))
		return "unknown";
	return digest_algs[alg].name;
}

size_t pk_digest_size(enum pk_digest_alg alg)
{
	if ((unsigned int)alg >= PK_ARRAY_SIZE(digest_algs))
		return 0;
	return digest_algs[alg].size;
}

const EVP_MD *pk_ac_md(enum pk_digest_alg alg)
{
	switch (alg) {
	case PK_DIGEST_SHA256:
		return EVP_sha256();
	case PK_DIGEST_SHA384:
		return EVP_sha384();
	case PK_DIGEST_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

/* The kernel's pefile_compare_shdrs order. */
static int cmp_sections(const struct pk_pe_section *a, const struct pk_pe_section *b)
{
	int r;

	if (a->pointer_to_raw_data != b->pointer_to_raw_data)
		return a->pointer_to_raw_data > b->pointer_to_raw_data ? 1 : -1;
	if (a->virtual_address != b->virtual_address)
		return a->virtual_address > b->virtual_address ? 1 : -1;
	r = strncmp(a->name, b->name, sizeof(a->name));
	if (r)
		return r;
	if (a->virtual_size != b->virtual_size)
		return a->virtual_size > b->virtual_size ? 1 : -1;
	if (a->size_of_raw_data != b->size_of_raw_data)
		return a->size_of_raw_data > b->size_of_raw_data ? 1 : -1;
	return 0;
}

/* Insertion sort of section indices (at most PK_PE_MAX_SECTIONS), stable. */
static void sort_sections(const struct pk_pe *pe, unsigned int *order, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		unsigned int v = i;

		for (j = i; j > 0 && cmp_sections(&pe->sections[order[j - 1]],
						  &pe->sections[v]) > 0; j--)
			order[j] = order[j - 1];
		order[j] = v;
	}
}

/* Where the headers are split: checked against the file before hashing. */
static int header_layout(struct pk_ctx *ctx, const struct pk_pe *pe, size_t end,
			 uint32_t *ret_dirent)
{
	uint64_t dirent;

	if (pe->ndirs <= PK_PE_DIR_SECURITY)
		return pk_err(ctx, -ENOEXEC,
			      "NumberOfRvaAndSizes %u at 0x%x: no certificate-table directory entry",
			      pe->ndirs, pe->dirs_offset);
	dirent = (uint64_t)pe->dirs_offset + 8u * PK_PE_DIR_SECURITY;
	if ((uint64_t)pe->checksum_offset + 4 > dirent || dirent + 8 > pe->size_of_headers)
		return pk_err(ctx, -ENOEXEC,
			      "SizeOfHeaders 0x%x does not cover the certificate-table entry at 0x%llx",
			      pe->size_of_headers, (unsigned long long)dirent);
	if (pe->size_of_headers > end)
		return pk_err(ctx, -ENOEXEC,
			      "SizeOfHeaders 0x%x beyond the signed part of the file (0x%zx)",
			      pe->size_of_headers, end);
	*ret_dirent = (uint32_t)dirent;
	return 0;
}

int pk_ac_digest_to(struct pk_ctx *ctx, const struct pk_pe *pe, size_t end,
		    enum pk_digest_alg alg, uint8_t out[PK_DIGEST_MAX])
{
	unsigned int order[PK_PE_MAX_SECTIONS];
	const uint8_t *buf = pe->buf;
	unsigned int i, n, md_len;
	uint64_t hashed;
	uint32_t dirent = 0;
	EVP_MD_CTX *md;
	int r, ok;

	if (!pk_ac_md(alg))
		return pk_err(ctx, -EINVAL, "unknown digest algorithm %d", (int)alg);
	if (end > pe->len)
		return pk_err(ctx, -ENOEXEC, "certificate table at 0x%zx beyond end of file (0x%zx)",
			      end, pe->len);
	r = header_layout(ctx, pe, end, &dirent);
	if (r < 0)
		return r;

	n = pe->nsections < PK_PE_MAX_SECTIONS ? pe->nsections : PK_PE_MAX_SECTIONS;
	for (i = 0; i < n; i++) {
		const struct pk_pe_section *s = &pe->sections[i];

		/* The kernel would read past the end here; sbsign pads with zeros. */
		if (!pk_range_ok(pe->len, s->pointer_to_raw_data, s->size_of_raw_data))
			return pk_err(ctx, -ENOEXEC,
				      "section %u (%s): PointerToRawData 0x%x + SizeOfRawData 0x%x beyond end of file (0x%zx) [header at 0x%x]",
				      i, s->name, s->pointer_to_raw_data,
				      s->size_of_raw_data, pe->len, s->header_offset);
	}
	sort_sections(pe, order, n);

	md = EVP_MD_CTX_new();
	if (!md)
		return pk_err(ctx, -ENOMEM, "out of memory");
	ok = EVP_DigestInit_ex(md, pk_ac_md(alg), NULL);
	ok = ok && EVP_DigestUpdate(md, buf, pe->checksum_offset);
	ok = ok && EVP_DigestUpdate(md, buf + pe->checksum_offset + 4,
				    dirent - (pe->checksum_offset + 4));
	ok = ok && EVP_DigestUpdate(md, buf + dirent + 8, pe->size_of_headers - (dirent + 8));
	/* At most 96 sections of < 4 GiB each: the sum fits in 64 bits. */
	hashed = pe->size_of_headers;
	for (i = 0; ok && i < n; i++) {
		const struct pk_pe_section *s = &pe->sections[order[i]];

		if (!s->size_of_raw_data)
			continue;
		ok = EVP_DigestUpdate(md, buf + s->pointer_to_raw_data, s->size_of_raw_data);
		hashed += s->size_of_raw_data;
	}
	if (ok && hashed < end)
		ok = EVP_DigestUpdate(md, buf + hashed, end - (size_t)hashed);
	ok = ok && EVP_DigestFinal_ex(md, out, &md_len);
	EVP_MD_CTX_free(md);
	if (!ok)
		return pk_err(ctx, -ENOMEM, "%s digest failed", pk_digest_name(alg));
	return 0;
}

int pk_authenticode_digest(struct pk_ctx *ctx, const struct pk_pe *pe,
			   enum pk_digest_alg alg, uint8_t out[PK_DIGEST_MAX])
{
	const struct pk_pe_dir *d;
	size_t end = pe->len;

	/* As the kernel: the certificate table is taken to end the file. */
	if (pe->ndirs > PK_PE_DIR_SECURITY) {
		d = &pe->dirs[PK_PE_DIR_SECURITY];
		if (d->virtual_address && d->size) {
			if (d->size > pe->len)
				return pk_err(ctx, -ENOEXEC,
					      "certificate table size 0x%x larger than the file (0x%zx) [directory entry at 0x%x]",
					      d->size, pe->len,
					      pe->dirs_offset + 8 * PK_PE_DIR_SECURITY);
			end = pe->len - d->size;
		}
	}
	return pk_ac_digest_to(ctx, pe, end, alg, out);
}
