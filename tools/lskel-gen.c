// SPDX-License-Identifier: MIT
/*
 * lskel-gen.c - build tool: turn a BPF ELF object into the content of a
 * boot image's .bpf section (DESIGN.md §3): an ELF64 relocatable object
 * with two global symbols, opts_data and opts_insn, the data blob and the
 * loader program of the object's libbpf light skeleton.  Each symbol's size
 * includes one trailing NUL, as in the arrays bpftool writes.
 *
 * The blobs come from libbpf's bpf_object__gen_loader() API (the code that
 * `bpftool gen skeleton -L` runs), not from scraping bpftool output: Debian's
 * bpftool 7.1 writes them inline.  Loading an object in gen-loader mode
 * records the bpf() calls instead of making them, so no privileges or BPF
 * support of the build machine are needed.
 *
 *   pk-lskel-gen IN.bpf.o OUT.o
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

static const char shstrtab[] = "\0.rodata\0.symtab\0.strtab\0.shstrtab";
enum { SH_RODATA = 1, SH_SYMTAB = 9, SH_STRTAB = 17, SH_SHSTRTAB = 25 };
static const char strtab[] = "\0opts_data\0opts_insn";
enum { ST_DATA = 1, ST_INSN = 11 };

static int add_section(Elf *elf, const void *buf, size_t size, Elf64_Word name,
		       Elf64_Word type, Elf64_Xword flags, Elf64_Word link,
		       Elf64_Word info, Elf64_Xword entsize, size_t align)
{
	Elf_Scn *scn = elf_newscn(elf);
	Elf_Data *d;
	GElf_Shdr sh;

	if (!scn || !(d = elf_newdata(scn)) || !gelf_getshdr(scn, &sh))
		return -1;
	d->d_buf = (void *)buf;
	d->d_size = size;
	d->d_type = ELF_T_BYTE;
	d->d_align = align;
	sh.sh_name = name;
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_link = link;
	sh.sh_info = info;
	sh.sh_entsize = entsize;
	sh.sh_addralign = align;
	return gelf_update_shdr(scn, &sh) ? (int)elf_ndxscn(scn) : -1;
}

/* .rodata = opts_data NUL [pad to 8] opts_insn NUL */
static int write_object(const char *path, const struct gen_loader_opts *g)
{
	size_t insn_off = ((size_t)g->data_sz + 1 + 7) / 8 * 8;
	size_t ro_size = insn_off + g->insns_sz + 1;
	unsigned char *ro = calloc(1, ro_size);
	Elf64_Sym syms[3];
	GElf_Ehdr eh;
	Elf *elf = NULL;
	int fd, ret = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!ro || fd < 0)
		goto out;
	memcpy(ro, g->data, g->data_sz);
	memcpy(ro + insn_off, g->insns, g->insns_sz);
	memset(syms, 0, sizeof(syms));
	syms[1] = (Elf64_Sym){ .st_name = ST_DATA, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
			       .st_shndx = 1, .st_value = 0, .st_size = g->data_sz + 1ull };
	syms[2] = (Elf64_Sym){ .st_name = ST_INSN, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
			       .st_shndx = 1, .st_value = insn_off, .st_size = g->insns_sz + 1ull };

	elf = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!elf || !gelf_newehdr(elf, ELFCLASS64) || !gelf_getehdr(elf, &eh))
		goto out;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_shstrndx = 4;
	if (!gelf_update_ehdr(elf, &eh) ||
	    add_section(elf, ro, ro_size, SH_RODATA, SHT_PROGBITS, SHF_ALLOC, 0, 0, 0, 8) != 1 ||
	    add_section(elf, syms, sizeof(syms), SH_SYMTAB, SHT_SYMTAB, 0, 3, 1,
			sizeof(Elf64_Sym), 8) != 2 ||
	    add_section(elf, strtab, sizeof(strtab), SH_STRTAB, SHT_STRTAB, 0, 0, 0, 0, 1) != 3 ||
	    add_section(elf, shstrtab, sizeof(shstrtab), SH_SHSTRTAB, SHT_STRTAB, 0, 0, 0, 0, 1) != 4)
		goto out;
	if (elf_update(elf, ELF_C_WRITE) < 0)
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "pk-lskel-gen: %s: %s\n", path,
			elf_errno() ? elf_errmsg(-1) : strerror(errno));
	if (elf)
		elf_end(elf);
	if (fd >= 0 && close(fd))
		ret = -1;
	free(ro);
	return ret;
}

/* libbpf's messages, minus its note about relocations in data sections
 * (pointers in .data; the loader ignores them, as libbpf does) */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || strstr(fmt, "skipping relo section"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(gen_loader_opts, gopts);
	struct bpf_object *obj;
	int err, ret = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: pk-lskel-gen IN.bpf.o OUT.o\n");
		return 2;
	}
	if (elf_version(EV_CURRENT) == EV_NONE)
		return 1;
	libbpf_set_print(print_libbpf);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "pk-lskel-gen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__gen_loader(obj, &gopts);
	if (!err)
		err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "pk-lskel-gen: %s: generating the loader failed: %s\n",
			argv[1], strerror(-err));
		goto out;
	}
	if (!gopts.data_sz || !gopts.insns_sz) {
		fprintf(stderr, "pk-lskel-gen: %s: libbpf produced an empty loader\n", argv[1]);
		goto out;
	}
	if (write_object(argv[2], &gopts))
		goto out;
	ret = 0;
out:
	bpf_object__close(obj);
	if (ret)
		unlink(argv[2]);
	return ret;
}
