/* SPDX-License-Identifier: MIT */
/*
 * loader.h - what the BPF object loaders share (not installed): the ELF
 * reader, .BTF.ext records, the executor's own BTF, CO-RE relocation, and
 * the two front ends (ELF object, light-skeleton object) that produce a
 * struct pk_bpf_object (object.h).
 *
 * Caps on untrusted input live here, one place, so tests and docs can cite
 * them.
 */
#ifndef PK_BPF_LOADER_H
#define PK_BPF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include "object.h"
#include "pekexec/ctx.h"

struct btf;

#define PK_BPF_OBJ_MAX_LEN (64u << 20)  /* an object file */
#define PK_BPF_MAX_SECTIONS 4096u
#define PK_BPF_MAX_SYMBOLS 65536u
#define PK_BPF_MAX_RELOS 262144u        /* per relocation section */
#define PK_BPF_LOAD_MAX_INSNS 1000000u  /* per program, after linking */
#define PK_BPF_MAX_MAPS 64u
#define PK_BPF_MAX_PROGS 64u
#define PK_BPF_MAX_EXT_RECS 1000000u    /* .BTF.ext records, all kinds */
#define PK_BPF_MAX_CORE_DEPTH 64u       /* CO-RE access string components */
#define PK_BPF_MAX_MAP_BYTES (256u << 20) /* one map's storage */

/* ---- elf.c: a bounds-checked view of an ELF64 little-endian file ---- */

struct pk_elf_sec {
	uint32_t idx;
	const char *name;
	uint32_t type;   /* SHT_* */
	uint64_t flags;  /* SHF_* */
	uint64_t offset; /* in the file */
	uint64_t size;
	uint32_t link;
	uint32_t info;
	const uint8_t *data; /* NULL for SHT_NOBITS; else size bytes in the file */
};

struct pk_elf_sym {
	const char *name;
	uint64_t value;
	uint64_t size;
	uint16_t shndx;
	uint8_t bind; /* STB_* */
	uint8_t type; /* STT_* */
};

struct pk_elf {
	const char *file; /* for messages */
	uint16_t machine;
	uint16_t type;
	struct pk_elf_sec *secs;
	uint32_t sec_cnt;
	struct pk_elf_sym *syms;
	uint32_t sym_cnt;
	uint32_t symtab_idx;
	/* private */
	void *elf_;
	uint8_t *image_; /* libelf wants a writable buffer: our own copy */
	size_t len_;
};

/*
 * pk_elf_open - check and index an ELF64 LE file of @len bytes: every
 * section header's range, the section-name table, the symbol table (one).
 * @name names the input in messages.
 * @retval -EBADMSG malformed; -ENOMEM; -EFBIG too large or too many entries
 */
int pk_elf_open(struct pk_ctx *ctx, const char *name, const uint8_t *buf,
		size_t len, struct pk_elf **ret);
void pk_elf_free(struct pk_elf *e);
const struct pk_elf_sec *pk_elf_sec_by_name(const struct pk_elf *e,
					    const char *name);
const struct pk_elf_sec *pk_elf_sec(const struct pk_elf *e, uint32_t idx);

/* One REL entry, decoded. */
struct pk_elf_rel {
	uint64_t offset;
	uint32_t sym;
	uint32_t type;
};
/* Decodes the SHT_REL section @sec into a new array (count capped). */
int pk_elf_rels(struct pk_ctx *ctx, const struct pk_elf *e,
		const struct pk_elf_sec *sec, struct pk_elf_rel **ret,
		uint32_t *ret_cnt);

/* ---- btf-ext.c: .BTF.ext ---- */

struct pk_btf_ext_line {
	uint32_t insn_off; /* bytes, in the section */
	uint32_t file_name_off;
	uint32_t line_off;
	uint32_t line_col;
};

struct pk_btf_ext_core {
	uint32_t insn_off; /* bytes */
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind; /* enum bpf_core_relo_kind */
};

/* The records of one program section. */
struct pk_btf_ext_sec {
	const char *name; /* from the object's BTF strings */
	struct pk_btf_ext_line *lines;
	uint32_t line_cnt;
	struct pk_btf_ext_core *core;
	uint32_t core_cnt;
};

struct pk_btf_ext {
	struct pk_btf_ext_sec *secs;
	uint32_t sec_cnt;
};

/*
 * pk_btf_ext_parse - decode .BTF.ext (header, func/line/CO-RE info) of
 * @len bytes; names resolve in @btf.  Func info is checked, not kept.
 * @retval -EBADMSG malformed; -ENOMEM; -EFBIG counts beyond the caps
 */
int pk_btf_ext_parse(struct pk_ctx *ctx, const uint8_t *buf, size_t len,
		     const struct btf *btf, struct pk_btf_ext **ret);
void pk_btf_ext_free(struct pk_btf_ext *ext);
const struct pk_btf_ext_sec *pk_btf_ext_sec(const struct pk_btf_ext *ext,
					    const char *name);

/* ---- btf-exec.c: the executor's own BTF (ABI types, kfuncs, anchor) ---- */

/* A new BTF describing include/kexec_bpf/kexec_bpf.h; NULL on ENOMEM. */
struct btf *pk_bpf_exec_btf_new(void);

/* The executor BTF's FUNC id of the anchor / of kfunc @name, or -ENOENT. */
int pk_bpf_exec_btf_func(const struct btf *btf, const char *name);

/* ---- core.c: CO-RE relocations ---- */

/*
 * pk_bpf_core_apply - apply one CO-RE relocation @rec (local types in
 * @local) to @insns (@insn_cnt instructions) against the executor's BTF
 * @target.  An unresolvable field access poisons the instruction the way
 * libbpf does (a call of a helper that does not exist) so that the
 * verifier rejects it only if reachable.
 * @where names the program in messages.
 * @retval -EBADMSG bad record (offset, type id, access string, instruction)
 * @retval -EOPNOTSUPP relocation kind not supported (bitfields, type match)
 */
int pk_bpf_core_apply(struct pk_ctx *ctx, const char *where,
		      const struct btf *local, const struct btf *target,
		      struct bpf_insn *insns, uint32_t insn_cnt,
		      const struct pk_btf_ext_core *rec);

#define PK_BPF_CORE_POISON 0xbad2310 /* libbpf's marker */

/* ---- loader-lines.c: BTF line info -> prog->lines ---- */

/* One line-info record, already remapped to an instruction index. */
struct pk_line_src {
	uint32_t insn_idx;
	uint32_t file_name_off; /* in the program's BTF strings */
	uint32_t line_off;
	uint32_t line_col;      /* line << 10 | column */
};

struct pk_lines_pending {
	struct pk_bpf_prog *prog;
	const struct btf *btf;
	struct pk_line_src *recs; /* owned by the caller */
	uint32_t cnt;
};

/*
 * pk_bpf_lines_attach - give each pending program its sorted prog->lines,
 * with file names and source text appended to obj->strings (one
 * allocation for the object; lines attached earlier are rebased).  Records whose strings do not resolve are
 * dropped.  -ENOMEM or -EFBIG.
 */
int pk_bpf_lines_attach(struct pk_ctx *ctx, struct pk_bpf_object *obj,
			const struct pk_lines_pending *p, uint32_t n);

/*
 * pk_bpf_map_alloc - check a map's shape as the kernel's map_create does
 * (array: key 4, value > 0, entries > 0; ringbuf: power-of-two multiple of
 * 4096 bytes) and allocate its zeroed storage (capped).
 * @retval -EINVAL bad shape; -EOPNOTSUPP other map types; -EFBIG; -ENOMEM
 */
int pk_bpf_map_alloc(struct pk_ctx *ctx, const char *where, struct pk_bpf_map *m);

/* Decode @cnt little-endian instructions from @buf into @out. */
void pk_bpf_insns_decode(const uint8_t *buf, uint32_t cnt, struct bpf_insn *out);

/* ---- loader-elf.c / lskel-*.c: the two front ends ---- */

/* Is @buf an ELF file at all? */
bool pk_bpf_is_elf(const uint8_t *buf, size_t len);

/*
 * pk_bpf_load_elf_object - a clang-built BPF ELF object to a loaded object:
 * maps (BTF-defined .maps, global-data sections), programs with their
 * subprograms linked, relocations and CO-RE applied, line info attached.
 */
int pk_bpf_load_elf_object(struct pk_ctx *ctx, const char *name,
			   const uint8_t *buf, size_t len,
			   struct pk_bpf_object **ret);

/* Has this ELF file the opts_data / opts_insn symbols of a .bpf object? */
bool pk_bpf_is_lskel(struct pk_ctx *ctx, const uint8_t *buf, size_t len);

/* The two blobs of a light-skeleton .bpf object (pointers into the input). */
struct pk_lskel_blobs {
	const uint8_t *data;
	size_t data_len;
	const uint8_t *insn;
	size_t insn_len;
};

/*
 * pk_lskel_parse - find opts_data / opts_insn in a .bpf ELF object.  Each
 * symbol's size includes one trailing NUL, which is checked and dropped.
 */
int pk_lskel_parse(struct pk_ctx *ctx, const char *name, const uint8_t *buf,
		   size_t len, struct pk_lskel_blobs *ret);

/* Runs a light skeleton's loader program; see lskel-run.c. */
int pk_lskel_load(struct pk_ctx *ctx, const char *name,
		  const struct pk_lskel_blobs *blobs, bool trace,
		  struct pk_bpf_object **ret);

#endif
