// SPDX-License-Identifier: MIT
/* object.c - lifetime of loaded BPF objects. */
#include "internal.h"
#include "object.h"

static void pk_bpf_prog_free(struct pk_bpf_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog->maps);
	free(prog->lines);
	free(prog->verified);
	free(prog);
}

static void pk_bpf_map_free(struct pk_bpf_map *map)
{
	if (!map)
		return;
	free(map->data);
	free(map);
}

void pk_bpf_object_free(struct pk_bpf_object *obj)
{
	uint32_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->prog_cnt; i++)
		pk_bpf_prog_free(obj->progs ? obj->progs[i] : NULL);
	for (i = 0; i < obj->map_cnt; i++)
		pk_bpf_map_free(obj->maps ? obj->maps[i] : NULL);
	free(obj->progs);
	free(obj->maps);
	free(obj->strings);
	free(obj);
}

const struct pk_bpf_line *pk_bpf_prog_line(const struct pk_bpf_prog *prog,
					   uint32_t idx)
{
	const struct pk_bpf_line *best = NULL;
	uint32_t lo = 0, hi = prog->line_cnt;

	/* last entry with insn_idx <= idx */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (prog->lines[mid].insn_idx <= idx) {
			best = &prog->lines[mid];
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return best;
}
