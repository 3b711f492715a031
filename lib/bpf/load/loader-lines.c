// SPDX-License-Identifier: MIT
/*
 * loader-lines.c - what both loaders share once instructions are final:
 * instruction decoding, and BTF line info turned into prog->lines so that
 * verifier messages cite "file:line: source".
 */
#include <bpf/btf.h>

#include "internal.h"
#include "loader.h"

void pk_bpf_insns_decode(const uint8_t *buf, uint32_t cnt, struct bpf_insn *out)
{
	uint32_t i;

	for (i = 0; i < cnt; i++, buf += 8) {
		out[i] = (struct bpf_insn){
			.code = buf[0],
			.dst_reg = buf[1] & 0xf,
			.src_reg = buf[1] >> 4,
			.off = (int16_t)pk_get_le16(buf + 2),
			.imm = (int32_t)pk_get_le32(buf + 4),
		};
	}
}

static int cmp_line(const void *a, const void *b)
{
	const struct pk_bpf_line *x = a, *y = b;

	return x->insn_idx < y->insn_idx ? -1 : x->insn_idx > y->insn_idx;
}

/* The two strings of @r, or false if either does not resolve. */
static bool line_strs(const struct btf *btf, const struct pk_line_src *r,
		      const char **file, const char **text)
{
	*file = btf__str_by_offset(btf, r->file_name_off);
	*text = btf__str_by_offset(btf, r->line_off);
	return *file && *text;
}

int pk_bpf_lines_attach(struct pk_ctx *ctx, struct pk_bpf_object *obj,
			const struct pk_lines_pending *p, uint32_t n)
{
	size_t total = 0, pos = 0;
	uint32_t i, j;
	char *pool;

	for (i = 0; i < n; i++) {
		for (j = 0; j < p[i].cnt; j++) {
			const char *f, *t;

			if (!line_strs(p[i].btf, &p[i].recs[j], &f, &t))
				continue;
			/* each string is inside the BTF (<= 4 GiB): no wrap */
			total += strlen(f) + strlen(t) + 2;
			if (total > PK_BPF_OBJ_MAX_LEN * 4ULL)
				return pk_err(ctx, -EFBIG, "line info: more than %llu bytes of strings",
					      PK_BPF_OBJ_MAX_LEN * 4ULL);
		}
	}
	if (!total)
		return 0;
	/* append to the object's pool; lines already attached are rebased */
	pool = malloc(obj->strings_len + total);
	if (!pool)
		return pk_err(ctx, -ENOMEM, "line info: out of memory");
	if (obj->strings_len)
		memcpy(pool, obj->strings, obj->strings_len);
	for (i = 0; i < obj->prog_cnt; i++) {
		struct pk_bpf_prog *pr = obj->progs ? obj->progs[i] : NULL;

		for (j = 0; pr && j < pr->line_cnt; j++) {
			pr->lines[j].file = pool + (pr->lines[j].file - obj->strings);
			pr->lines[j].text = pool + (pr->lines[j].text - obj->strings);
		}
	}
	free(obj->strings);
	obj->strings = pool;
	pos = obj->strings_len;
	obj->strings_len += total;

	for (i = 0; i < n; i++) {
		struct pk_bpf_prog *prog = p[i].prog;
		struct pk_bpf_line *lines;
		uint32_t cnt = 0;

		if (!p[i].cnt)
			continue;
		lines = calloc(p[i].cnt, sizeof(*lines));
		if (!lines)
			return pk_err(ctx, -ENOMEM, "line info: out of memory");
		for (j = 0; j < p[i].cnt; j++) {
			const struct pk_line_src *r = &p[i].recs[j];
			const char *f, *t;
			size_t fl, tl;

			if (!line_strs(p[i].btf, r, &f, &t) || r->insn_idx >= prog->insn_cnt)
				continue;
			fl = strlen(f) + 1;
			tl = strlen(t) + 1;
			memcpy(pool + pos, f, fl);
			memcpy(pool + pos + fl, t, tl);
			lines[cnt++] = (struct pk_bpf_line){
				.insn_idx = r->insn_idx,
				.line = r->line_col >> 10,
				.col = r->line_col & 0x3ff,
				.file = pool + pos,
				.text = pool + pos + fl,
			};
			pos += fl + tl;
		}
		qsort(lines, cnt, sizeof(*lines), cmp_line);
		free(prog->lines);
		prog->lines = lines;
		prog->line_cnt = cnt;
	}
	return 0;
}
