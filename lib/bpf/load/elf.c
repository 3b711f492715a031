// SPDX-License-Identifier: MIT
/*
 * elf.c - a bounds-checked index of an ELF64 little-endian relocatable file,
 * as clang writes BPF objects and as .bpf sections carry light skeletons.
 *
 * libelf decodes the headers, symbols and relocations; every range it hands
 * back is checked again here against the file length (subtraction form),
 * every count is capped, and every name must be NUL-terminated inside its
 * string table, so the loaders above never see an out-of-file pointer.
 */
#include <gelf.h>
#include <libelf.h>

#include "internal.h"
#include "loader.h"

static bool elf_lib_ready(void)
{
	/* elf_version() only records the version the caller speaks; it has no
	 * other effect and is idempotent. */
	return elf_version(EV_CURRENT) != EV_NONE;
}

bool pk_bpf_is_elf(const uint8_t *buf, size_t len)
{
	return len >= 4 && !memcmp(buf, ELFMAG, SELFMAG);
}

void pk_elf_free(struct pk_elf *e)
{
	if (!e)
		return;
	if (e->elf_)
		elf_end(e->elf_);
	free(e->secs);
	free(e->syms);
	free(e->image_);
	free(e);
}

const struct pk_elf_sec *pk_elf_sec(const struct pk_elf *e, uint32_t idx)
{
	return idx < e->sec_cnt ? &e->secs[idx] : NULL;
}

const struct pk_elf_sec *pk_elf_sec_by_name(const struct pk_elf *e,
					    const char *name)
{
	uint32_t i;

	for (i = 1; i < e->sec_cnt; i++)
		if (!strcmp(e->secs[i].name, name))
			return &e->secs[i];
	return NULL;
}

/* A NUL-terminated string at @off of string section @strsec, or NULL. */
static const char *elf_str(const struct pk_elf *e, uint32_t strsec, uint64_t off)
{
	const struct pk_elf_sec *s = pk_elf_sec(e, strsec);

	if (!s || s->type != SHT_STRTAB || !s->data || off >= s->size)
		return NULL;
	if (!memchr(s->data + off, 0, s->size - off))
		return NULL;
	return (const char *)s->data + off;
}

static int elf_read_sections(struct pk_ctx *ctx, struct pk_elf *e, Elf *elf)
{
	size_t shnum, shstrndx, i;

	if (elf_getshdrnum(elf, &shnum) || elf_getshdrstrndx(elf, &shstrndx))
		return pk_err(ctx, -EBADMSG, "%s: bad section header table (e_shoff/e_shnum/e_shstrndx): %s",
			      e->file, elf_errmsg(-1));
	if (shnum == 0)
		/* libelf reports 0 for a table outside the file, too */
		return pk_err(ctx, -EBADMSG, "%s: no section headers (e_shoff 0x%llx, e_shnum %u at 0x3c, file 0x%zx bytes)",
			      e->file, (unsigned long long)pk_get_le64(e->image_ + 0x28),
			      pk_get_le16(e->image_ + 0x3c), e->len_);
	if (shnum > PK_BPF_MAX_SECTIONS)
		return pk_err(ctx, -EFBIG, "%s: e_shnum %zu above the cap of %u",
			      e->file, shnum, PK_BPF_MAX_SECTIONS);
	if (shstrndx >= shnum)
		return pk_err(ctx, -EBADMSG, "%s: e_shstrndx %zu beyond e_shnum %zu",
			      e->file, shstrndx, shnum);
	e->secs = calloc(shnum, sizeof(*e->secs));
	if (!e->secs)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", e->file);
	e->sec_cnt = (uint32_t)shnum;

	for (i = 0; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);
		struct pk_elf_sec *s = &e->secs[i];
		GElf_Shdr sh;

		if (!scn || !gelf_getshdr(scn, &sh))
			return pk_err(ctx, -EBADMSG, "%s: section header %zu unreadable: %s",
				      e->file, i, elf_errmsg(-1));
		s->idx = (uint32_t)i;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		if (i == 0 || sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL)
			continue;
		if (!pk_range_ok(e->len_, sh.sh_offset, sh.sh_size))
			return pk_err(ctx, -EBADMSG, "%s: section %zu: sh_offset 0x%llx + sh_size 0x%llx beyond end of file (0x%zx)",
				      e->file, i, (unsigned long long)sh.sh_offset,
				      (unsigned long long)sh.sh_size, e->len_);
		s->data = e->image_ + sh.sh_offset;
	}
	/* names need the string table's data, so a second pass */
	for (i = 0; i < shnum; i++) {
		struct pk_elf_sec *s = &e->secs[i];
		GElf_Shdr sh;

		if (!gelf_getshdr(elf_getscn(elf, i), &sh))
			return pk_err(ctx, -EBADMSG, "%s: section header %zu unreadable", e->file, i);
		s->name = i ? elf_str(e, (uint32_t)shstrndx, sh.sh_name) : "";
		if (!s->name)
			return pk_err(ctx, -EBADMSG, "%s: section %zu: sh_name 0x%x outside the section-name table (section %zu)",
				      e->file, i, sh.sh_name, shstrndx);
	}
	return 0;
}

static int elf_read_symbols(struct pk_ctx *ctx, struct pk_elf *e)
{
	const struct pk_elf_sec *st = NULL;
	uint64_t cnt, i;
	uint32_t j;

	for (j = 1; j < e->sec_cnt; j++) {
		if (e->secs[j].type != SHT_SYMTAB)
			continue;
		if (st)
			return pk_err(ctx, -EBADMSG, "%s: more than one SHT_SYMTAB (sections %u and %u)",
				      e->file, st->idx, j);
		st = &e->secs[j];
	}
	if (!st)
		return 0; /* callers that need symbols say so */
	if (st->size % sizeof(Elf64_Sym))
		return pk_err(ctx, -EBADMSG, "%s: .symtab size 0x%llx not a multiple of %zu [at 0x%llx]",
			      e->file, (unsigned long long)st->size, sizeof(Elf64_Sym),
			      (unsigned long long)st->offset);
	cnt = st->size / sizeof(Elf64_Sym);
	if (cnt > PK_BPF_MAX_SYMBOLS)
		return pk_err(ctx, -EFBIG, "%s: %llu symbols, above the cap of %u",
			      e->file, (unsigned long long)cnt, PK_BPF_MAX_SYMBOLS);
	if (st->link >= e->sec_cnt || e->secs[st->link].type != SHT_STRTAB)
		return pk_err(ctx, -EBADMSG, "%s: .symtab sh_link %u is not a string table",
			      e->file, st->link);
	e->symtab_idx = st->idx;
	e->syms = calloc(cnt ? cnt : 1, sizeof(*e->syms));
	if (!e->syms)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", e->file);
	for (i = 0; i < cnt; i++) {
		const uint8_t *p = st->data + i * sizeof(Elf64_Sym);
		struct pk_elf_sym *s = &e->syms[i];
		uint32_t name = pk_get_le32(p);

		s->bind = p[4] >> 4;
		s->type = p[4] & 0xf;
		s->shndx = pk_get_le16(p + 6);
		s->value = pk_get_le64(p + 8);
		s->size = pk_get_le64(p + 16);
		s->name = elf_str(e, st->link, name);
		if (!s->name)
			return pk_err(ctx, -EBADMSG, "%s: symbol %llu: st_name 0x%x outside the string table [at 0x%llx]",
				      e->file, (unsigned long long)i, name,
				      (unsigned long long)(st->offset + i * sizeof(Elf64_Sym)));
		if (s->shndx == SHN_XINDEX)
			return pk_err(ctx, -EBADMSG, "%s: symbol %llu (%s): SHN_XINDEX not supported",
				      e->file, (unsigned long long)i, s->name);
	}
	e->sym_cnt = (uint32_t)cnt;
	return 0;
}

int pk_elf_open(struct pk_ctx *ctx, const char *name, const uint8_t *buf,
		size_t len, struct pk_elf **ret)
{
	struct pk_elf *e;
	GElf_Ehdr eh;
	Elf *elf;
	int r;

	*ret = NULL;
	if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG))
		return pk_err(ctx, -EBADMSG, "%s: not an ELF file (magic at 0x0)", name);
	if (buf[EI_CLASS] != ELFCLASS64)
		return pk_err(ctx, -EBADMSG, "%s: EI_CLASS %u at 0x4: only ELF64 is supported",
			      name, buf[EI_CLASS]);
	if (buf[EI_DATA] != ELFDATA2LSB)
		return pk_err(ctx, -EBADMSG, "%s: EI_DATA %u at 0x5: only little-endian is supported",
			      name, buf[EI_DATA]);
	if (len > PK_BPF_OBJ_MAX_LEN)
		return pk_err(ctx, -EFBIG, "%s: %zu bytes, above the cap of %u", name,
			      len, PK_BPF_OBJ_MAX_LEN);
	if (!elf_lib_ready())
		return pk_err(ctx, -EINVAL, "%s: libelf: %s", name, elf_errmsg(-1));

	e = calloc(1, sizeof(*e));
	if (!e)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", name);
	e->file = name;
	e->len_ = len;
	e->image_ = malloc(len);
	if (!e->image_) {
		r = pk_err(ctx, -ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	memcpy(e->image_, buf, len);
	elf = elf_memory((char *)e->image_, len);
	e->elf_ = elf;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		r = pk_err(ctx, -EBADMSG, "%s: bad ELF header: %s", name, elf_errmsg(-1));
		goto fail;
	}
	e->machine = eh.e_machine;
	e->type = eh.e_type;
	r = elf_read_sections(ctx, e, elf);
	if (!r)
		r = elf_read_symbols(ctx, e);
	if (r)
		goto fail;
	*ret = e;
	return 0;
fail:
	pk_elf_free(e);
	return r;
}

int pk_elf_rels(struct pk_ctx *ctx, const struct pk_elf *e,
		const struct pk_elf_sec *sec, struct pk_elf_rel **ret,
		uint32_t *ret_cnt)
{
	struct pk_elf_rel *rels;
	uint64_t cnt, i;

	*ret = NULL;
	*ret_cnt = 0;
	if (sec->type != SHT_REL || !sec->data)
		return pk_err(ctx, -EBADMSG, "%s: section %u (%s): not SHT_REL", e->file,
			      sec->idx, sec->name);
	if (sec->size % sizeof(Elf64_Rel))
		return pk_err(ctx, -EBADMSG, "%s: section %u (%s): size 0x%llx not a multiple of %zu [at 0x%llx]",
			      e->file, sec->idx, sec->name, (unsigned long long)sec->size,
			      sizeof(Elf64_Rel), (unsigned long long)sec->offset);
	if (sec->link != e->symtab_idx || !e->symtab_idx)
		return pk_err(ctx, -EBADMSG, "%s: section %u (%s): sh_link %u is not the symbol table",
			      e->file, sec->idx, sec->name, sec->link);
	cnt = sec->size / sizeof(Elf64_Rel);
	if (cnt > PK_BPF_MAX_RELOS)
		return pk_err(ctx, -EFBIG, "%s: section %u (%s): %llu relocations, above the cap of %u",
			      e->file, sec->idx, sec->name, (unsigned long long)cnt,
			      PK_BPF_MAX_RELOS);
	rels = calloc(cnt ? cnt : 1, sizeof(*rels));
	if (!rels)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", e->file);
	for (i = 0; i < cnt; i++) {
		const uint8_t *p = sec->data + i * sizeof(Elf64_Rel);
		uint64_t info = pk_get_le64(p + 8);

		rels[i].offset = pk_get_le64(p);
		rels[i].sym = (uint32_t)ELF64_R_SYM(info);
		rels[i].type = (uint32_t)ELF64_R_TYPE(info);
		if (rels[i].sym >= e->sym_cnt) {
			uint32_t sym = rels[i].sym;

			free(rels);
			return pk_err(ctx, -EBADMSG, "%s: section %u (%s): relocation %llu: symbol %u beyond the %u symbols [at 0x%llx]",
				      e->file, sec->idx, sec->name, (unsigned long long)i,
				      sym, e->sym_cnt,
				      (unsigned long long)(sec->offset + i * sizeof(Elf64_Rel)));
		}
	}
	*ret = rels;
	*ret_cnt = (uint32_t)cnt;
	return 0;
}
