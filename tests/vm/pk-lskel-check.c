// SPDX-License-Identifier: MIT
/*
 * pk-lskel-check.c - VM test diagnostics: run the light skeleton loader of
 * a .bpf section object (opts_data, opts_insn) from user space, as the
 * kernel's KEXEC_BPF loader runs it, but with a verifier log.  When
 * kexec_file_load() only says "failed to execute loader prog", this shows
 * what the verifier of this kernel rejected.
 *
 *   pk-lskel-check LSKEL.o      exit 0 if the loader program succeeded
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/skel_internal.h>

static char log_buf[1 << 20];

struct loader {
	struct bpf_loader_ctx ctx;
	int fds[256];
};

/* The bytes of symbol @name (its size includes one trailing NUL). */
static const void *symbol(Elf *elf, const char *name, size_t *ret_sz)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (i = 0; d && i < n; i++) {
			GElf_Sym s;
			Elf_Data *sd;
			const char *nm;

			if (!gelf_getsym(d, (int)i, &s))
				continue;
			nm = elf_strptr(elf, sh.sh_link, s.st_name);
			if (!nm || strcmp(nm, name) || s.st_size < 2)
				continue;
			sd = elf_getdata(elf_getscn(elf, s.st_shndx), NULL);
			if (!sd || s.st_value + s.st_size > sd->d_size)
				return NULL;
			*ret_sz = s.st_size - 1;
			return (const char *)sd->d_buf + s.st_value;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct bpf_load_and_run_opts opts = { 0 };
	static struct loader l;
	size_t data_sz = 0, insn_sz = 0;
	Elf *elf;
	int fd, err;

	if (argc != 2) {
		fprintf(stderr, "usage: pk-lskel-check LSKEL.o\n");
		return 2;
	}
	elf_version(EV_CURRENT);
	fd = open(argv[1], O_RDONLY);
	elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		fprintf(stderr, "pk-lskel-check: cannot read %s\n", argv[1]);
		return 1;
	}
	opts.data = symbol(elf, "opts_data", &data_sz);
	opts.insns = symbol(elf, "opts_insn", &insn_sz);
	if (!opts.data || !opts.insns) {
		fprintf(stderr, "pk-lskel-check: no opts_data/opts_insn\n");
		return 1;
	}
	l.ctx.sz = sizeof(l);
	l.ctx.log_level = 1;
	l.ctx.log_size = sizeof(log_buf);
	l.ctx.log_buf = (unsigned long)log_buf;
	opts.ctx = &l.ctx;
	opts.data_sz = (__u32)data_sz;
	opts.insns_sz = (__u32)insn_sz;
	err = bpf_load_and_run(&opts);
	printf("%s", log_buf);
	printf("pk-lskel-check: %s: %d (%s)\n", argv[1], err,
	       opts.errstr ? opts.errstr : "ok");
	return err ? 1 : 0;
}
