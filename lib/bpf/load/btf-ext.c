// SPDX-License-Identifier: MIT
/*
 * btf-ext.c - decode .BTF.ext: per program section, the line info (source
 * positions for verifier messages) and the CO-RE relocation records.
 * libbpf keeps its parser internal, so this one is ours.
 *
 * Layout (all little-endian, offsets relative to the end of the header):
 *   u16 magic 0xeb9f, u8 version 1, u8 flags, u32 hdr_len,
 *   u32 func_info_off, func_info_len, line_info_off, line_info_len,
 *   [u32 core_relo_off, core_relo_len]            (hdr_len >= 32)
 * each info block: u32 rec_size, then { u32 sec_name_off, u32 num_info,
 * num_info records of rec_size bytes } until the block ends.
 */
#include <bpf/btf.h>

#include "internal.h"
#include "loader.h"

#define BTF_EXT_MAGIC 0xeb9f
#define BTF_EXT_HDR_MIN 24
#define BTF_EXT_HDR_CORE 32

enum ext_kind { EXT_FUNC, EXT_LINE, EXT_CORE };

static const struct {
	const char *name;
	uint32_t min_rec;
} ext_kinds[] = {
	[EXT_FUNC] = { "func_info", 8 },
	[EXT_LINE] = { "line_info", 16 },
	[EXT_CORE] = { "core_relo", 16 },
};

void pk_btf_ext_free(struct pk_btf_ext *ext)
{
	uint32_t i;

	if (!ext)
		return;
	for (i = 0; i < ext->sec_cnt; i++) {
		free(ext->secs[i].lines);
		free(ext->secs[i].core);
	}
	free(ext->secs);
	free(ext);
}

const struct pk_btf_ext_sec *pk_btf_ext_sec(const struct pk_btf_ext *ext,
					    const char *name)
{
	uint32_t i;

	if (!ext)
		return NULL;
	for (i = 0; i < ext->sec_cnt; i++)
		if (!strcmp(ext->secs[i].name, name))
			return &ext->secs[i];
	return NULL;
}

static struct pk_btf_ext_sec *ext_sec_get(struct pk_btf_ext *ext, const char *name)
{
	struct pk_btf_ext_sec *s;
	uint32_t i;

	for (i = 0; i < ext->sec_cnt; i++)
		if (!strcmp(ext->secs[i].name, name))
			return &ext->secs[i];
	/* sec_cnt is bounded: each new section consumed >= 8 input bytes */
	s = realloc(ext->secs, (ext->sec_cnt + 1) * sizeof(*s));
	if (!s)
		return NULL;
	ext->secs = s;
	s = &ext->secs[ext->sec_cnt++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	return s;
}

static int ext_block(struct pk_ctx *ctx, struct pk_btf_ext *ext, const struct btf *btf,
		     enum ext_kind kind, const uint8_t *p, uint32_t len, uint32_t base,
		     uint32_t *total)
{
	uint32_t rec_size, off = 4;

	if (len == 0)
		return 0;
	if (len < 4)
		return pk_err(ctx, -EBADMSG, ".BTF.ext %s: block of %u bytes has no record size [at 0x%x]",
			      ext_kinds[kind].name, len, base);
	rec_size = pk_get_le32(p);
	if (rec_size < ext_kinds[kind].min_rec || rec_size > 1024 || rec_size % 4)
		return pk_err(ctx, -EBADMSG, ".BTF.ext %s: record size %u invalid [at 0x%x]",
			      ext_kinds[kind].name, rec_size, base);
	while (off < len) {
		uint32_t name_off, num, i;
		struct pk_btf_ext_sec *s;
		const char *name;
		void *arr;

		if (!pk_range_ok(len, off, 8))
			return pk_err(ctx, -EBADMSG, ".BTF.ext %s: truncated section header [at 0x%x]",
				      ext_kinds[kind].name, base + off);
		name_off = pk_get_le32(p + off);
		num = pk_get_le32(p + off + 4);
		off += 8;
		if (num == 0 || num > (len - off) / rec_size)
			return pk_err(ctx, -EBADMSG, ".BTF.ext %s: num_info %u does not fit the %u bytes left [at 0x%x]",
				      ext_kinds[kind].name, num, len - off, base + off - 4);
		if (num > PK_BPF_MAX_EXT_RECS - *total)
			return pk_err(ctx, -EFBIG, ".BTF.ext: more than %u records", PK_BPF_MAX_EXT_RECS);
		*total += num;
		name = btf__str_by_offset(btf, name_off);
		if (!name || !*name)
			return pk_err(ctx, -EBADMSG, ".BTF.ext %s: sec_name_off 0x%x is not a string of .BTF [at 0x%x]",
				      ext_kinds[kind].name, name_off, base + off - 8);
		s = ext_sec_get(ext, name);
		if (!s)
			return pk_err(ctx, -ENOMEM, ".BTF.ext: out of memory");
		if (kind == EXT_FUNC) {
			off += num * rec_size;
			continue;
		}
		if (kind == EXT_LINE) {
			if (s->lines)
				return pk_err(ctx, -EBADMSG, ".BTF.ext line_info: section %s listed twice", name);
			arr = s->lines = calloc(num, sizeof(*s->lines));
		} else {
			if (s->core)
				return pk_err(ctx, -EBADMSG, ".BTF.ext core_relo: section %s listed twice", name);
			arr = s->core = calloc(num, sizeof(*s->core));
		}
		if (!arr)
			return pk_err(ctx, -ENOMEM, ".BTF.ext: out of memory");
		for (i = 0; i < num; i++, off += rec_size) {
			const uint8_t *r = p + off;

			if (kind == EXT_LINE) {
				s->lines[i] = (struct pk_btf_ext_line){
					.insn_off = pk_get_le32(r),
					.file_name_off = pk_get_le32(r + 4),
					.line_off = pk_get_le32(r + 8),
					.line_col = pk_get_le32(r + 12),
				};
			} else {
				s->core[i] = (struct pk_btf_ext_core){
					.insn_off = pk_get_le32(r),
					.type_id = pk_get_le32(r + 4),
					.access_str_off = pk_get_le32(r + 8),
					.kind = pk_get_le32(r + 12),
				};
			}
		}
		if (kind == EXT_LINE)
			s->line_cnt = num;
		else
			s->core_cnt = num;
	}
	return 0;
}

int pk_btf_ext_parse(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
		     const struct btf *btf, struct pk_btf_ext **ret)
{
	struct pk_btf_ext *ext;
	uint32_t hdr_len, total = 0;
	uint32_t offs[3], lens[3];
	int i, r = 0;

	*ret = NULL;
	if (len < BTF_EXT_HDR_MIN)
		return pk_err(ctx, -EBADMSG, ".BTF.ext: %zu bytes, shorter than its header", len);
	if (pk_get_le16(buf) != BTF_EXT_MAGIC)
		return pk_err(ctx, -EBADMSG, ".BTF.ext: magic 0x%04x at 0x0 (want 0x%04x)",
			      pk_get_le16(buf), BTF_EXT_MAGIC);
	if (buf[2] != 1)
		return pk_err(ctx, -EBADMSG, ".BTF.ext: version %u at 0x2 not supported", buf[2]);
	if (buf[3])
		return pk_err(ctx, -EBADMSG, ".BTF.ext: flags 0x%x at 0x3 not supported", buf[3]);
	hdr_len = pk_get_le32(buf + 4);
	if (hdr_len < BTF_EXT_HDR_MIN || hdr_len > len || hdr_len % 4)
		return pk_err(ctx, -EBADMSG, ".BTF.ext: hdr_len %u at 0x4 invalid (file %zu bytes)",
			      hdr_len, len);
	for (i = 0; i < 3; i++) {
		offs[i] = lens[i] = 0;
		if (i == EXT_CORE && hdr_len < BTF_EXT_HDR_CORE)
			break;
		offs[i] = pk_get_le32(buf + 8 + 8 * i);
		lens[i] = pk_get_le32(buf + 12 + 8 * i);
		if (!pk_range_ok(len - hdr_len, offs[i], lens[i]))
			return pk_err(ctx, -EBADMSG, ".BTF.ext: %s off 0x%x len 0x%x beyond the %zu bytes after the header [at 0x%x]",
				      ext_kinds[i].name, offs[i], lens[i], len - hdr_len, 8 + 8 * i);
	}
	ext = calloc(1, sizeof(*ext));
	if (!ext)
		return pk_err(ctx, -ENOMEM, ".BTF.ext: out of memory");
	for (i = 0; i < 3 && !r; i++)
		r = ext_block(ctx, ext, btf, (enum ext_kind)i, buf + hdr_len + offs[i],
			      lens[i], hdr_len + offs[i], &total);
	if (r) {
		pk_btf_ext_free(ext);
		return r;
	}
	*ret = ext;
	return 0;
}
