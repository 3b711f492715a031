// SPDX-License-Identifier: MIT
/*
 * fuzz-bpf-elf.c - property: the ELF object loader (ELF, BTF, .BTF.ext,
 * relocations, CO-RE, subprogram linking) never reads or writes outside its
 * input and its own allocations, and frees everything, whatever the bytes.
 * A successful load must give every program at least one instruction and
 * map references inside its map table.
 * Seeds: $BUILD/fuzz-seeds/fuzz-bpf-elf/ (written by test-bpf-malformed).
 */
#include <stdint.h>
#include <stdlib.h>

#include "loader.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_bpf_object *obj = NULL;
	uint32_t i, j;

	if (pk_bpf_load_elf_object(NULL, "fuzz", data, size, &obj))
		return 0;
	for (i = 0; i < obj->prog_cnt; i++) {
		const struct pk_bpf_prog *p = obj->progs[i];

		if (!p->insn_cnt)
			abort();
		for (j = 0; j < p->insn_cnt; j++) {
			const struct bpf_insn *in = &p->insns[j];

			if (in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
			    (in->src_reg == BPF_PSEUDO_MAP_IDX || in->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) &&
			    (in->imm < 0 || (uint32_t)in->imm >= p->map_cnt))
				abort();
		}
	}
	pk_bpf_object_free(obj);
	return 0;
}
