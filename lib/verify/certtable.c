// SPDX-License-Identifier: MIT
/*
 * certtable.c - the attribute certificate table: where it is and the
 * WIN_CERTIFICATE entries in it.
 *
 * Rules (stricter than sbverify, as strict as the kernel where the kernel
 * checks anything; docs/authenticode.md lists the differences):
 *  - the directory entry is a file offset; it is 8-aligned, lies after the
 *    headers, and the table ends exactly at the end of the file: nothing may
 *    follow the last signature;
 *  - each entry: dwLength >= 8, revision 2.0, type PKCS_SIGNED_DATA; the next
 *    entry starts at the 8-aligned end of this one;
 *  - the 8-aligned entries fill the directory size exactly.
 */
#include "ac_internal.h"

int pk_ac_table_parse(struct pk_ctx *ctx, const struct pk_pe *pe,
		      struct pk_ac_table *ret)
{
	const uint8_t *buf = pe->buf;
	uint32_t dirent = pe->dirs_offset + 8 * PK_PE_DIR_SECURITY;
	uint64_t off, end;

	*ret = (struct pk_ac_table){ 0 };
	if (pe->ndirs <= PK_PE_DIR_SECURITY)
		return 0;
	ret->offset = pe->dirs[PK_PE_DIR_SECURITY].virtual_address;
	ret->size = pe->dirs[PK_PE_DIR_SECURITY].size;
	if (!ret->offset && !ret->size)
		return 0;
	ret->present = true;

	if (!ret->offset || !ret->size)
		return pk_err(ctx, -ENOEXEC,
			      "certificate table entry at 0x%x: offset 0x%x with size 0x%x",
			      dirent, ret->offset, ret->size);
	if (ret->offset % 8)
		return pk_err(ctx, -ENOEXEC,
			      "certificate table offset 0x%x is not 8-byte aligned [directory entry at 0x%x]",
			      ret->offset, dirent);
	if (ret->offset < pe->size_of_headers)
		return pk_err(ctx, -ENOEXEC,
			      "certificate table offset 0x%x inside the headers (SizeOfHeaders 0x%x)",
			      ret->offset, pe->size_of_headers);
	if (ret->size > PK_AC_MAX_TABLE)
		return pk_err(ctx, -ENOEXEC,
			      "certificate table size 0x%x larger than the limit 0x%x [directory entry at 0x%x]",
			      ret->size, PK_AC_MAX_TABLE, dirent);
	end = (uint64_t)ret->offset + ret->size;
	if (end != pe->len)
		return pk_err(ctx, -ENOEXEC,
			      "certificate table 0x%x + 0x%x ends at 0x%llx, but the file ends at 0x%zx: %s",
			      ret->offset, ret->size, (unsigned long long)end, pe->len,
			      end < pe->len ? "data after the certificate table" :
					      "table beyond end of file");

	for (off = ret->offset; off < end;) {
		struct pk_ac_entry *e;
		uint64_t next;

		if (ret->n == PK_AC_MAX_SIGS)
			return pk_err(ctx, -ENOEXEC,
				      "certificate table at 0x%x: more than %d signatures",
				      ret->offset, PK_AC_MAX_SIGS);
		if (end - off < PK_WIN_CERT_HDR_SIZE)
			return pk_err(ctx, -ENOEXEC,
				      "signature %zu: WIN_CERTIFICATE header at 0x%llx truncated by the end of the table (0x%llx)",
				      ret->n, (unsigned long long)off, (unsigned long long)end);
		e = &ret->entries[ret->n];
		e->offset = (uint32_t)off;
		e->length = pk_get_le32(buf + off);
		e->revision = pk_get_le16(buf + off + 4);
		e->type = pk_get_le16(buf + off + 6);
		if (e->length <= PK_WIN_CERT_HDR_SIZE || e->length > end - off)
			return pk_err(ctx, -ENOEXEC,
				      "signature %zu: dwLength 0x%x at 0x%llx outside 8..0x%llx (rest of the certificate table)",
				      ret->n, e->length, (unsigned long long)off,
				      (unsigned long long)(end - off));
		if (e->revision != PK_WIN_CERT_REVISION_2_0)
			return pk_err(ctx, -ENOEXEC,
				      "signature %zu: wRevision 0x%x at 0x%llx, expected 0x0200",
				      ret->n, e->revision, (unsigned long long)off + 4);
		if (e->type != PK_WIN_CERT_TYPE_PKCS_SIGNED_DATA)
			return pk_err(ctx, -ENOEXEC,
				      "signature %zu: wCertificateType 0x%x at 0x%llx, expected 0x0002 (PKCS_SIGNED_DATA)",
				      ret->n, e->type, (unsigned long long)off + 6);
		next = off + ((e->length + 7ull) & ~7ull);
		if (next > end)
			return pk_err(ctx, -ENOEXEC,
				      "signature %zu: dwLength 0x%x at 0x%llx, 8-aligned, passes the end of the table (0x%llx)",
				      ret->n, e->length, (unsigned long long)off,
				      (unsigned long long)end);
		ret->n++;
		off = next;
	}
	return 0;
}
