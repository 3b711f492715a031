/* SPDX-License-Identifier: MIT */
/*
 * object.h - a loaded BPF object: what the loaders (ELF object, light
 * skeleton) produce and what the verifier and the interpreter consume.
 *
 * Internal representation of references, after loading:
 *  - ld_imm64 with src_reg BPF_PSEUDO_MAP_IDX: imm = index into prog->maps;
 *    with src_reg BPF_PSEUDO_MAP_IDX_VALUE: imm = index, second imm = offset
 *    into the map's value.  (Loaders translate BPF_PSEUDO_MAP_FD /
 *    BPF_PSEUDO_MAP_VALUE of the light skeleton's fds into these.)
 *  - call with src_reg BPF_PSEUDO_KFUNC_CALL: imm = the sandbox's own kfunc
 *    id (lib/bpf/vm/kfunc.h lists them).  Loaders resolve extern kfuncs by
 *    name, and the light-skeleton loader translates the BTF ids it handed
 *    out through bpf_btf_find_by_name_kind() back into these ids.
 *  - call with src_reg BPF_PSEUDO_CALL: imm = relative target, as clang
 *    writes it.
 *  - call with src_reg 0: imm = helper id (enum bpf_func_id).
 */
#ifndef PK_BPF_OBJECT_H
#define PK_BPF_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#define PK_BPF_NAME_LEN 64

struct pk_bpf_map {
	char name[PK_BPF_NAME_LEN];
	uint32_t type;        /* BPF_MAP_TYPE_ARRAY or BPF_MAP_TYPE_RINGBUF */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries; /* ring buffers: the ring size in bytes */
	uint32_t map_flags;   /* BPF_F_RDONLY_PROG, BPF_F_MMAPABLE, ... */
	bool frozen;          /* BPF_MAP_FREEZE done: no more syscall updates */
	/* Array maps: max_entries * round_up(value_size, 8) bytes of values.
	 * Ring buffers: the ring's max_entries bytes.  Owned by the map. */
	uint8_t *data;
	size_t data_len;
};

enum pk_bpf_prog_kind {
	PK_BPF_PROG_RAW = 0,      /* conformance/test: r1 = memory, r2 = its length */
	PK_BPF_PROG_KEXEC_PARSER, /* fentry.s on kexec_image_parser_anchor */
	PK_BPF_PROG_LSKEL_LOADER, /* BPF_PROG_TYPE_SYSCALL loader of a light skeleton */
};

/* One line of BTF line info: instruction index -> source position. */
struct pk_bpf_line {
	uint32_t insn_idx;
	uint32_t line;
	uint32_t col;
	const char *file; /* points into the object's string storage */
	const char *text; /* the source line, may be "" */
};

struct pk_bpf_prog {
	char name[PK_BPF_NAME_LEN];
	char section[PK_BPF_NAME_LEN];
	enum pk_bpf_prog_kind kind;
	bool sleepable;
	struct bpf_insn *insns; /* owned */
	uint32_t insn_cnt;
	struct pk_bpf_map **maps; /* owned array of pointers to the object's maps */
	uint32_t map_cnt;
	struct pk_bpf_line *lines; /* owned, sorted by insn_idx; may be NULL */
	uint32_t line_cnt;
	/*
	 * Owned, may be NULL: what the verifier found for a parser program
	 * it accepted when the light skeleton's loader loaded it
	 * (pk_bpf_verify_keep()), so that pk_bpf_vm_new() need not verify
	 * it a second time.
	 */
	struct pk_insn_aux *verified;
};

struct pk_insn_aux; /* vm-internal.h */

/* Everything one load produced; owns its maps, programs and strings. */
struct pk_bpf_object {
	struct pk_bpf_map **maps;
	uint32_t map_cnt;
	struct pk_bpf_prog **progs;
	uint32_t prog_cnt;
	char *strings; /* storage for pk_bpf_line file/text */
	size_t strings_len;
};

/* Frees the object, its maps, programs and strings; NULL and half-built
 * objects are allowed. */
void pk_bpf_object_free(struct pk_bpf_object *obj);

/* Source position of instruction @idx, or NULL without line info. */
const struct pk_bpf_line *pk_bpf_prog_line(const struct pk_bpf_prog *prog,
					   uint32_t idx);

#endif
