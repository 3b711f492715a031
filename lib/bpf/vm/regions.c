// SPDX-License-Identifier: MIT
/*
 * regions.c - the guest address space of one run: a small table of regions
 * (guest slot -> host bytes, size, permissions).  See vm-internal.h for the
 * address layout.
 */
#include "vm-internal.h"

void pk_run_regions_init(struct pk_bpf_run *run)
{
	memset(run->regions, 0, sizeof(run->regions));
	/* generations restart each run so that runs are deterministic */
	run->next_gen = 1;
	run->regions[PK_SLOT_STACK] = (struct pk_region){
		.host = run->stack,
		.size = sizeof(run->stack),
		.gen = run->next_gen++,
		.perm = PK_BPF_MEM_READ | PK_BPF_MEM_WRITE,
	};
}

void pk_run_regions_fini(struct pk_bpf_run *run)
{
	uint32_t i;

	for (i = PK_SLOT_FIRST_DYN; i < PK_BPF_MAX_REGIONS; i++) {
		struct pk_region *r = &run->regions[i];

		if (r->perm && r->kind == PK_REGION_RINGBUF_REC)
			free(r->host);
		r->perm = 0;
	}
}

int pk_run_region_add(struct pk_bpf_run *run, void *host, uint64_t size,
		      unsigned int perm, enum pk_region_kind kind,
		      uint64_t *ret_gaddr)
{
	uint32_t i;

	if (size > UINT32_MAX)
		return -EINVAL;
	for (i = PK_SLOT_FIRST_DYN; i < PK_BPF_MAX_REGIONS; i++) {
		struct pk_region *r = &run->regions[i];

		if (r->perm)
			continue;
		/* 24-bit generations; a run creating 16M regions wraps, which
		 * only weakens stale-pointer detection, never the bounds.
		 * Generation 0 is skipped: a small scalar must never be an
		 * address. */
		r->gen = run->next_gen++ & 0xffffff;
		if (!r->gen)
			r->gen = run->next_gen++ & 0xffffff;
		r->host = host;
		r->size = size;
		/* a handle region has no bytes but must look allocated */
		r->perm = (uint8_t)(perm ? perm : 0x80);
		r->kind = (uint8_t)kind;
		r->map = 0;
		*ret_gaddr = pk_gaddr(r->gen, i, 0);
		return 0;
	}
	return -ENOSPC;
}

struct pk_region *pk_run_region_at(struct pk_bpf_run *run, uint64_t gaddr)
{
	uint32_t slot = (uint32_t)(gaddr >> 32) & 0xff;
	struct pk_region *r;

	if (slot < PK_SLOT_FIRST_DYN || slot >= PK_BPF_MAX_REGIONS)
		return NULL;
	r = &run->regions[slot];
	if (!r->perm || r->gen != (uint32_t)(gaddr >> 40) || (uint32_t)gaddr)
		return NULL;
	return r;
}

int pk_bpf_run_mem(struct pk_bpf_run *run, uint64_t gaddr, uint64_t size,
		   unsigned int perm, void **ret_host)
{
	void *p = pk_run_access(run, gaddr, size, perm);

	if (!p)
		return -EFAULT;
	*ret_host = p;
	return 0;
}

int pk_bpf_run_add_region(struct pk_bpf_run *run, void *host, size_t size,
			  unsigned int perm, uint64_t *ret_gaddr)
{
	perm &= PK_BPF_MEM_READ | PK_BPF_MEM_WRITE | PK_BPF_MEM_PROBE;
	if (!perm)
		return -EINVAL;
	return pk_run_region_add(run, host, size, perm, PK_REGION_PLAIN,
				 ret_gaddr);
}

int pk_bpf_run_del_region(struct pk_bpf_run *run, uint64_t gaddr)
{
	struct pk_region *r = pk_run_region_at(run, gaddr);

	if (!r || r->kind != PK_REGION_PLAIN)
		return -ENOENT;
	r->perm = 0;
	return 0;
}

struct pk_ctx *pk_bpf_run_ctx(struct pk_bpf_run *run)
{
	return run->ctx;
}

void *pk_bpf_run_user(struct pk_bpf_run *run)
{
	return run->vm->env->user;
}

const struct pk_bpf_prog *pk_bpf_run_prog(struct pk_bpf_run *run)
{
	return run->vm->prog;
}

const struct pk_bpf_env *pk_bpf_run_env(struct pk_bpf_run *run)
{
	return run->vm->env;
}

uint64_t pk_bpf_run_map_addr(struct pk_bpf_run *run, uint32_t map_idx)
{
	if (map_idx >= run->vm->prog->map_cnt)
		return 0;
	return run->map_gaddr[map_idx];
}
