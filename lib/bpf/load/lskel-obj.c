// SPDX-License-Identifier: MIT
/*
 * lskel-obj.c - read a .bpf section object: an ELF64 relocatable whose
 * global symbols opts_data and opts_insn hold a libbpf light skeleton's data
 * blob and loader program (DESIGN.md §3).  Each symbol's st_size counts one
 * trailing NUL (the arrays are C strings in bpftool's header).
 *
 * Checked, because upstream v6 trusted them: the symbols exist once, are
 * defined in a section with file data, lie inside it (subtraction form),
 * have st_size >= 1 (upstream computed st_size - 1 unchecked: an empty
 * symbol underflowed to 2^64 - 1), end with that NUL, and the loader is a
 * non-empty whole number of instructions.
 */
#include <elf.h>

#include "internal.h"
#include "kexec_bpf/kexec_bpf.h"
#include "loader.h"

#define LSKEL_MAX_DATA (64u << 20)
#define LSKEL_MAX_INSN (8u << 20)

static int find_blob(struct pk_ctx *ctx, const struct pk_elf *e, const char *sym_name,
		     size_t max, const uint8_t **ret, size_t *ret_len)
{
	const struct pk_elf_sym *found = NULL;
	const struct pk_elf_sec *sec;
	uint32_t i;

	for (i = 0; i < e->sym_cnt; i++) {
		const struct pk_elf_sym *s = &e->syms[i];

		if (strcmp(s->name, sym_name) || s->shndx == SHN_UNDEF)
			continue;
		if (found)
			return pk_err(ctx, -EBADMSG, "%s: symbol %s defined twice (symbols %u and %u)",
				      e->file, sym_name, (uint32_t)(found - e->syms), i);
		found = s;
	}
	if (!found)
		return pk_err(ctx, -ENOENT, "%s: no symbol %s", e->file, sym_name);
	if (found->bind != STB_GLOBAL)
		return pk_err(ctx, -EBADMSG, "%s: symbol %s is not global (binding %u)", e->file,
			      sym_name, found->bind);
	sec = found->shndx < SHN_LORESERVE ? pk_elf_sec(e, found->shndx) : NULL;
	if (!sec || !sec->data)
		return pk_err(ctx, -EBADMSG, "%s: symbol %s: st_shndx %u is not a section with data",
			      e->file, sym_name, found->shndx);
	if (found->size == 0)
		return pk_err(ctx, -EBADMSG, "%s: symbol %s: st_size 0, but it must count a trailing NUL",
			      e->file, sym_name);
	if (!pk_range_ok(sec->size, found->value, found->size))
		return pk_err(ctx, -EBADMSG, "%s: symbol %s: st_value 0x%llx + st_size 0x%llx beyond section %s (0x%llx bytes) [at 0x%llx]",
			      e->file, sym_name, (unsigned long long)found->value,
			      (unsigned long long)found->size, sec->name,
			      (unsigned long long)sec->size, (unsigned long long)sec->offset);
	if (found->size - 1 > max)
		return pk_err(ctx, -EFBIG, "%s: symbol %s: %llu bytes, above the cap of %zu",
			      e->file, sym_name, (unsigned long long)found->size - 1, max);
	if (sec->data[found->value + found->size - 1])
		return pk_err(ctx, -EBADMSG, "%s: symbol %s: last byte (at 0x%llx) is not the trailing NUL",
			      e->file, sym_name,
			      (unsigned long long)(sec->offset + found->value + found->size - 1));
	*ret = sec->data + found->value;
	*ret_len = (size_t)(found->size - 1);
	return 0;
}

int pk_lskel_parse(struct pk_ctx *ctx, const char *name, const uint8_t *buf,
		   size_t len, struct pk_lskel_blobs *ret)
{
	struct pk_elf *e;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = pk_elf_open(ctx, name, buf, len, &e);
	if (r)
		return r;
	if (e->type != ET_REL) {
		r = pk_err(ctx, -EBADMSG, "%s: e_type %u: a .bpf object is relocatable (ET_REL)",
			   name, e->type);
		goto out;
	}
	r = find_blob(ctx, e, KEXEC_BPF_SYM_DATA, LSKEL_MAX_DATA, &ret->data, &ret->data_len);
	if (!r)
		r = find_blob(ctx, e, KEXEC_BPF_SYM_INSN, LSKEL_MAX_INSN, &ret->insn, &ret->insn_len);
	if (r)
		goto out;
	if (!ret->insn_len || ret->insn_len % sizeof(struct bpf_insn)) {
		r = pk_err(ctx, -EBADMSG, "%s: opts_insn: %zu bytes, not a whole number of instructions",
			   name, ret->insn_len);
		goto out;
	}
	if (!ret->data_len) {
		r = pk_err(ctx, -EBADMSG, "%s: opts_data is empty", name);
		goto out;
	}
	/* the blobs point into the caller's buffer, not into libelf's copy */
	ret->data = buf + (ret->data - e->image_);
	ret->insn = buf + (ret->insn - e->image_);
out:
	pk_elf_free(e);
	if (r)
		memset(ret, 0, sizeof(*ret));
	return r;
}

bool pk_bpf_is_lskel(struct pk_ctx *ctx, const uint8_t *buf, size_t len)
{
	struct pk_elf *e;
	bool yes = false;
	uint32_t i;

	(void)ctx;
	if (pk_elf_open(NULL, "", buf, len, &e))
		return false;
	for (i = 0; i < e->sym_cnt; i++)
		if (!strcmp(e->syms[i].name, KEXEC_BPF_SYM_DATA) ||
		    !strcmp(e->syms[i].name, KEXEC_BPF_SYM_INSN))
			yes = true;
	pk_elf_free(e);
	return yes;
}
