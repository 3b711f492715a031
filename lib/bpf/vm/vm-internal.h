/* SPDX-License-Identifier: MIT */
/*
 * vm-internal.h - what the sandbox's files share: the verified program
 * (struct pk_bpf_vm), one run's state (struct pk_bpf_run) and the guest
 * address space.
 *
 * Guest addresses: bits 63..40 generation, 39..32 region slot, 31..0 offset.
 * Slot 0 never holds memory (NULL and small scalars fault); slot
 * PK_SLOT_MAPPTR marks map handles (ld_imm64 BPF_PSEUDO_MAP_IDX), which are
 * not memory either.  A slot's generation changes whenever it is reused, so
 * a stale address faults instead of reaching the slot's next region.
 */
#ifndef PK_BPF_VM_INTERNAL_H
#define PK_BPF_VM_INTERNAL_H

#include "insn.h"
#include "internal.h"
#include "vm.h"

#define PK_SLOT_STACK 1
#define PK_SLOT_FIRST_DYN 2
#define PK_SLOT_MAPPTR 0xff

static inline uint64_t pk_gaddr(uint32_t gen, uint32_t slot, uint32_t off)
{
	return ((uint64_t)gen << 40) | ((uint64_t)(slot & 0xff) << 32) | off;
}

static inline uint64_t pk_map_handle(uint32_t idx)
{
	return pk_gaddr(0, PK_SLOT_MAPPTR, idx);
}

/* Per-instruction facts the verifier hands to the interpreter. */
struct pk_insn_aux {
	const struct pk_bpf_helper *fn; /* call/callx: the helper or kfunc */
	uint16_t stack_depth;           /* at a function start: its frame size */
};

struct pk_bpf_vm {
	struct pk_ctx *ctx;
	const struct pk_bpf_env *env;
	const struct pk_bpf_prog *prog;
	struct pk_insn_aux *aux;  /* insn_cnt entries */
	uint64_t *rb_prod;        /* per map: ring-buffer producer position */
	uint64_t last_count;
};

struct pk_region {
	uint8_t *host;
	uint64_t size;
	uint32_t gen;
	uint8_t perm; /* PK_BPF_MEM_*; 0 = free slot */
	uint8_t kind; /* enum pk_region_kind */
	uint32_t map; /* ringbuf record: its map */
};

enum pk_region_kind {
	PK_REGION_PLAIN = 0,
	PK_REGION_RINGBUF_REC, /* host bytes owned by the run */
	PK_REGION_PARSER_CTX,  /* handle, no bytes */
};

struct pk_frame {
	uint32_t ret_pc;
	uint64_t saved[4]; /* r6..r9 */
	uint64_t fp;       /* caller's r10 */
	uint32_t depth;    /* caller's frame size */
};

struct pk_bpf_run {
	struct pk_bpf_vm *vm;
	struct pk_ctx *ctx;
	struct pk_region regions[PK_BPF_MAX_REGIONS];
	uint32_t next_gen;
	uint64_t stack_low; /* lowest stack offset the current frames own */
	uint64_t *map_gaddr; /* per map: guest address of its values, or 0 */
	uint64_t parser_id;
	uint64_t parser_ctx; /* guest handle of the parser context */
	uint32_t parser_refs; /* acquisitions not yet released */
	uint64_t count;       /* instructions charged so far (synced around calls) */
	uint64_t budget;      /* the run's instruction budget */
	uint64_t charged;     /* the part of count helpers paid for */
	/* the last bpf_probe_read(): host dst, src, size (the hint that
	 * bpf_buffer_parser() passes on, kexec-kfuncs.c) */
	const uint8_t *read_dst, *read_src;
	uint64_t read_len;
	uint8_t stack[PK_BPF_STACK_SIZE];
	uint8_t kctx[56];    /* struct kexec_context, 64-bit guest layout */
	uint8_t args[16];    /* the anchor's u64 args[2] */
};

/* regions.c */
void pk_run_regions_init(struct pk_bpf_run *run);
void pk_run_regions_fini(struct pk_bpf_run *run);
int pk_run_region_add(struct pk_bpf_run *run, void *host, uint64_t size,
		      unsigned int perm, enum pk_region_kind kind,
		      uint64_t *ret_gaddr);
struct pk_region *pk_run_region_at(struct pk_bpf_run *run, uint64_t gaddr);

/*
 * pk_run_access - host pointer for [@gaddr, +@size) in one live region
 * that has every permission bit of @perm (at least one bit), or NULL.
 * Size 0 is valid at any offset up to the region's size.  The hot path of
 * every load and store.
 */
static inline __attribute__((always_inline)) void *
pk_run_access(struct pk_bpf_run *run, uint64_t gaddr,
	      uint64_t size, unsigned int perm)
{
	uint32_t slot = (uint32_t)(gaddr >> 32) & 0xff;
	uint32_t off = (uint32_t)gaddr;
	const struct pk_region *r;

	if (slot >= PK_BPF_MAX_REGIONS)
		return NULL;
	r = &run->regions[slot];
	if (!perm || (r->perm & perm) != perm || r->gen != (uint32_t)(gaddr >> 40) ||
	    !pk_range_ok(r->size, off, size))
		return NULL;
	if (slot == PK_SLOT_STACK && off < run->stack_low)
		return NULL;
	return r->host + off;
}

/* helpers.c: the built-in helper table and lookup */
const struct pk_bpf_helper *pk_bpf_builtin_helper(uint32_t id);
const struct pk_bpf_helper *pk_bpf_find_helper(const struct pk_bpf_env *env,
					       uint32_t id);
const char *pk_bpf_helper_name(uint32_t id);

/* verifier.c */
int pk_bpf_verify_aux(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		      const struct pk_bpf_prog *prog, struct pk_insn_aux *aux);

/* interp.c */
int pk_bpf_interp(struct pk_bpf_run *run, uint64_t r1, uint64_t r2,
		  uint64_t *ret_r0);

/* trace-printk.c */
int pk_bpf_trace_printk(struct pk_bpf_run *run, const uint64_t a[5],
			uint64_t *ret_r0);

/* ring buffers (helpers.c): release every record still held */
void pk_run_release_all(struct pk_bpf_run *run);

#endif
