/* SPDX-License-Identifier: MIT */
/**
 * @file fdt.h
 * @brief The one thing pekexec reads from a flattened device tree (a UKI's
 * .dtb / .dtbauto section, the running system's /sys/firmware/fdt): the
 * root node's first "compatible" string, which systemd-stub matches to pick
 * a .dtbauto section (src/boot/devicetree.c devicetree_match(): "only
 * matches the first compatible string from each DT").
 *
 * The blob is untrusted: every offset is checked against @len and the
 * header's totalsize, the token walk always advances and stops at the end
 * of the structure block.
 *
 * @retval -EBADMSG  not a flattened device tree (magic 0xd00dfeed), or its
 *                   header or structure block is inconsistent
 * @retval -ENOENT   the root node has no "compatible" property (or it is
 *                   empty)
 */
#ifndef PEKEXEC_FDT_H
#define PEKEXEC_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The magic of a flattened device tree (big endian at offset 0). */
#define PK_FDT_MAGIC 0xd00dfeedu

/**
 * pk_fdt_root_compatible - the first string of the root node's
 * "compatible" property of the blob @buf, @len.
 * @ret, @ret_size: where the string goes, NUL-terminated, truncated to
 *                  @ret_size - 1 bytes (@ret_size > 0).
 * @return 0, or the errors of the file comment (with a message in @ctx
 *         naming the field and its offset).
 */
int pk_fdt_root_compatible(struct pk_ctx *ctx, const uint8_t *buf, size_t len, char *ret,
			   size_t ret_size);

#ifdef __cplusplus
}
#endif

#endif
