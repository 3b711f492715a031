// SPDX-License-Identifier: MIT
/*
 * checksum.c - the PE CheckSum field as the Windows image loader (imagehlp
 * CheckSumMappedFile) and sbsign compute it: the one's-complement style sum
 * of all little-endian 16-bit words of the file, carries folded back into 16
 * bits, the CheckSum field itself counted as zero, an odd last byte added
 * alone, then the file length added.
 */
#include "ac_internal.h"

uint32_t pk_pe_checksum(const uint8_t *buf, size_t len, uint32_t checksum_offset)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		uint32_t w = pk_get_le16(buf + i);

		/* The 4-byte CheckSum field counts as zero. */
		if (i >= checksum_offset && i - checksum_offset < 4)
			w = 0;
		sum += w;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (i < len) {
		sum += buf[i];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint32_t)(sum + len);
}
