/* SPDX-License-Identifier: MIT */
/*
 * small-pe.h - a fixed, minimal, valid PE32+ image (headers + one .text
 * section), for the fuzz target and unit tests of lib/verify.  Not part of
 * the library.
 */
#ifndef PK_SMALL_PE_H
#define PK_SMALL_PE_H

#include "internal.h"

#define PK_FUZZ_PE_LEN 0x400u
#define PK_FUZZ_PE_OPT 0x58u /* 0x40 "PE\0\0" + 4 + 20 */

static inline int pk_fuzz_small_pe(struct pk_buf *b)
{
	uint8_t *p, *opt, *sec;
	int r = pk_buf_append_zeros(b, PK_FUZZ_PE_LEN);

	if (r < 0)
		return r;
	p = b->data;
	p[0] = 'M';
	p[1] = 'Z';
	pk_put_le32(p + 0x3c, 0x40);
	memcpy(p + 0x40, "PE\0\0", 4);
	pk_put_le16(p + 0x44, 0x8664);        /* Machine: x86_64 */
	pk_put_le16(p + 0x46, 1);             /* NumberOfSections */
	pk_put_le16(p + 0x54, 112 + 16 * 8);  /* SizeOfOptionalHeader */
	pk_put_le16(p + 0x56, 0x0022);        /* executable, large address aware */
	opt = p + PK_FUZZ_PE_OPT;
	pk_put_le16(opt, 0x20b);              /* PE32+ */
	pk_put_le32(opt + 4, 0x200);          /* SizeOfCode */
	pk_put_le32(opt + 16, 0x1000);        /* AddressOfEntryPoint */
	pk_put_le32(opt + 20, 0x1000);        /* BaseOfCode */
	pk_put_le32(opt + 32, 0x1000);        /* SectionAlignment */
	pk_put_le32(opt + 36, 0x200);         /* FileAlignment */
	pk_put_le32(opt + 56, 0x2000);        /* SizeOfImage */
	pk_put_le32(opt + 60, 0x200);         /* SizeOfHeaders */
	pk_put_le16(opt + 68, 10);            /* EFI application */
	pk_put_le32(opt + 108, 16);           /* NumberOfRvaAndSizes */
	sec = opt + 112 + 16 * 8;
	memcpy(sec, ".text", 5);
	pk_put_le32(sec + 8, 0x200);          /* VirtualSize */
	pk_put_le32(sec + 12, 0x1000);        /* VirtualAddress */
	pk_put_le32(sec + 16, 0x200);         /* SizeOfRawData */
	pk_put_le32(sec + 20, 0x200);         /* PointerToRawData */
	pk_put_le32(sec + 36, 0x60000020);    /* code, execute, read */
	memset(p + 0x200, 0xc3, 0x200);       /* ret */
	return 0;
}

/* Points the certificate-table directory entry at [off, off + size). */
static inline void pk_fuzz_set_cert_dir(struct pk_buf *b, uint32_t off, uint32_t size)
{
	pk_put_le32(b->data + PK_FUZZ_PE_OPT + 112 + 8 * 4, off);
	pk_put_le32(b->data + PK_FUZZ_PE_OPT + 112 + 8 * 4 + 4, size);
}

#endif
