// SPDX-License-Identifier: MIT
/* fuzz-decompress-xz.c - xz decoder: bounded, exact limit, no crash (fuzz-decompress.h). */
#include "fuzz-decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return pk_fuzz_decompress(PK_COMP_XZ, data, size);
}
