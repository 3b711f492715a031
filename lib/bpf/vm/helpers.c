// SPDX-License-Identifier: MIT
/*
 * helpers.c - the sandbox's built-in helpers: array maps, ring buffers,
 * bpf_probe_read(_kernel) (from the stage's image buffers only) and the
 * helper lookup (environment table first, then these).
 */
#include <inttypes.h>

#include "vm-internal.h"

#define PK_FN_NAME(x) "bpf_" #x
static const char *const helper_names[] = { __BPF_FUNC_MAPPER(PK_FN_NAME) };

const char *pk_bpf_helper_name(uint32_t id)
{
	return id < PK_ARRAY_SIZE(helper_names) ? helper_names[id] : NULL;
}

/* A map handle argument: the map index, or -1 (verifier made this impossible). */
static int64_t map_arg(struct pk_bpf_run *run, uint64_t v)
{
	if ((uint32_t)(v >> 32) != PK_SLOT_MAPPTR ||
	    (uint32_t)v >= run->vm->prog->map_cnt)
		return -1;
	return (uint32_t)v;
}

static int bad_arg(struct pk_bpf_run *run, const char *what)
{
	return pk_err(run->ctx, -EFAULT, "%s: invalid argument at run time", what);
}

static uint64_t elem_stride(const struct pk_bpf_map *m)
{
	return ((uint64_t)m->value_size + 7) & ~7ULL;
}

static int h_map_lookup(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	int64_t mi = map_arg(run, a[0]);
	const struct pk_bpf_map *m;
	const uint8_t *key;
	uint32_t idx;

	if (mi < 0)
		return bad_arg(run, "map");
	m = run->vm->prog->maps[mi];
	key = pk_run_access(run, a[1], 4, PK_BPF_MEM_READ);
	if (!key || m->type != BPF_MAP_TYPE_ARRAY || !run->map_gaddr[mi])
		return bad_arg(run, "key");
	idx = pk_get_le32(key);
	*r0 = idx < m->max_entries ? run->map_gaddr[mi] + idx * elem_stride(m) : 0;
	return 0;
}

static int h_map_update(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	int64_t mi = map_arg(run, a[0]);
	const struct pk_bpf_map *m;
	const uint8_t *key, *val;
	uint32_t idx;
	int r;

	if (mi < 0)
		return bad_arg(run, "map");
	m = run->vm->prog->maps[mi];
	key = pk_run_access(run, a[1], 4, PK_BPF_MEM_READ);
	val = pk_run_access(run, a[2], m->value_size, PK_BPF_MEM_READ);
	if (!key || !val || m->type != BPF_MAP_TYPE_ARRAY)
		return bad_arg(run, "key/value");
	r = pk_bpf_run_charge(run, "copy of the value", m->value_size);
	if (r)
		return r;
	idx = pk_get_le32(key);
	if (a[3] > BPF_EXIST)
		*r0 = (uint64_t)-EINVAL;
	else if (idx >= m->max_entries)
		*r0 = (uint64_t)-E2BIG;
	else if (a[3] == BPF_NOEXIST)
		*r0 = (uint64_t)-EEXIST; /* array elements always exist */
	else {
		memmove(m->data + idx * elem_stride(m), val, m->value_size);
		*r0 = 0;
	}
	return 0;
}

static int h_probe_read(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	uint8_t *dst;
	const uint8_t *src;
	int r;

	if (!a[1]) {
		*r0 = 0;
		return 0;
	}
	dst = pk_run_access(run, a[0], a[1], PK_BPF_MEM_WRITE);
	if (!dst)
		return bad_arg(run, "dst");
	/* a copy, or a memset when the source is out of range: a[1] bytes */
	r = pk_bpf_run_charge(run, "read", a[1]);
	if (r)
		return r;
	/* only the stage's image and the context's buffers are readable */
	src = pk_run_access(run, a[2], a[1], PK_BPF_MEM_PROBE);
	if (!src) {
		memset(dst, 0, a[1]);
		*r0 = (uint64_t)-EFAULT;
		return 0;
	}
	memmove(dst, src, a[1]);
	run->read_dst = dst;
	run->read_src = src;
	run->read_len = a[1];
	*r0 = 0;
	return 0;
}

/*
 * Ring buffers, kernel accounting: each record takes round_up(size + 8, 8)
 * bytes of the ring; with no consumer in the sandbox (as for a parser
 * program in the kernel), the producer position only grows, and a record
 * that would take it past max_entries - 1 fails (NULL / -EAGAIN).
 */
#define RB_ALLOC_BYTES 256 /* budget charge of an allocation: 16 instructions */

static bool rb_account(struct pk_bpf_run *run, uint32_t mi, uint64_t size)
{
	const struct pk_bpf_map *m = run->vm->prog->maps[mi];
	uint64_t len = (size + 8 + 7) & ~7ULL;
	uint64_t *prod = &run->vm->rb_prod[mi];

	if (size > UINT32_MAX || len > m->max_entries ||
	    *prod + len > (uint64_t)m->max_entries - 1)
		return false;
	*prod += len;
	return true;
}

static int h_rb_reserve(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	int64_t mi = map_arg(run, a[0]);
	uint8_t *rec;
	uint64_t g;
	int r;

	if (mi < 0 || run->vm->prog->maps[mi]->type != BPF_MAP_TYPE_RINGBUF)
		return bad_arg(run, "ringbuf map");
	*r0 = 0;
	if (a[2] || !rb_account(run, (uint32_t)mi, a[1]))
		return 0;
	/* the record is allocated and zeroed: its bytes + RB_ALLOC_BYTES */
	r = pk_bpf_run_charge(run, "zeroed record", a[1] + RB_ALLOC_BYTES);
	if (r)
		return r;
	rec = calloc(1, a[1] ? a[1] : 1);
	if (!rec)
		return pk_err(run->ctx, -ENOMEM, "ring-buffer record of %" PRIu64
			      " bytes: out of memory", a[1]);
	if (pk_run_region_add(run, rec, a[1], PK_BPF_MEM_READ | PK_BPF_MEM_WRITE,
			      PK_REGION_RINGBUF_REC, &g)) {
		free(rec);
		return pk_err(run->ctx, -ENOSPC,
			      "more than %d live memory regions", PK_BPF_MAX_REGIONS);
	}
	pk_run_region_at(run, g)->map = (uint32_t)mi;
	*r0 = g;
	return 0;
}

static int h_rb_release(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	struct pk_region *r = pk_run_region_at(run, a[0]);

	if (!r || r->kind != PK_REGION_RINGBUF_REC)
		return bad_arg(run, "ring-buffer record");
	free(r->host);
	r->host = NULL;
	r->perm = 0;
	*r0 = 0;
	return 0;
}

static int h_rb_output(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	int64_t mi = map_arg(run, a[0]);

	if (mi < 0 || run->vm->prog->maps[mi]->type != BPF_MAP_TYPE_RINGBUF)
		return bad_arg(run, "ringbuf map");
	if (a[2] && !pk_run_access(run, a[1], a[2], PK_BPF_MEM_READ))
		return bad_arg(run, "data");
	*r0 = rb_account(run, (uint32_t)mi, a[2]) ? 0 : (uint64_t)-EAGAIN;
	return 0;
}

void pk_run_release_all(struct pk_bpf_run *run)
{
	pk_run_regions_fini(run);
	run->parser_refs = 0;
}

#define A(x) PK_BPF_ARG_##x
static const struct pk_bpf_helper builtin[] = {
	{ BPF_FUNC_map_lookup_elem, "bpf_map_lookup_elem", { A(MAP), A(MAP_KEY) },
	  PK_BPF_RET_MAP_VALUE_OR_NULL, 0, h_map_lookup },
	{ BPF_FUNC_map_update_elem, "bpf_map_update_elem",
	  { A(MAP), A(MAP_KEY), A(MAP_VALUE), A(SCALAR) }, PK_BPF_RET_INTEGER, 0,
	  h_map_update },
	{ BPF_FUNC_probe_read, "bpf_probe_read", { A(MEM_UNINIT), A(SIZE_OR_ZERO), A(ANYTHING) },
	  PK_BPF_RET_INTEGER, 0, h_probe_read },
	{ BPF_FUNC_probe_read_kernel, "bpf_probe_read_kernel",
	  { A(MEM_UNINIT), A(SIZE_OR_ZERO), A(ANYTHING) }, PK_BPF_RET_INTEGER, 0,
	  h_probe_read },
	/*
	 * As the kernel's bpf_trace_printk_proto: only the format is checked;
	 * r3..r5 are read at run time as the format asks.  A register the
	 * verifier calls uninitialised holds 0 (the interpreter zeroes its
	 * registers at entry) or a value this program computed earlier: a
	 * guest scalar or address, never host data (%s goes through the
	 * region check).
	 */
	{ BPF_FUNC_trace_printk, "bpf_trace_printk", { A(MEM_RO), A(SIZE) },
	  PK_BPF_RET_INTEGER, 0, pk_bpf_trace_printk },
	{ BPF_FUNC_ringbuf_output, "bpf_ringbuf_output",
	  { A(MAP), A(MEM_RO), A(SIZE_OR_ZERO), A(SCALAR) }, PK_BPF_RET_INTEGER, 0,
	  h_rb_output },
	{ BPF_FUNC_ringbuf_reserve, "bpf_ringbuf_reserve",
	  { A(MAP), A(CONST_SIZE), A(SCALAR) }, PK_BPF_RET_RINGBUF_MEM_OR_NULL, 0,
	  h_rb_reserve },
	{ BPF_FUNC_ringbuf_submit, "bpf_ringbuf_submit", { A(RINGBUF_MEM), A(SCALAR) },
	  PK_BPF_RET_VOID, PK_BPF_FN_RELEASE, h_rb_release },
	{ BPF_FUNC_ringbuf_discard, "bpf_ringbuf_discard", { A(RINGBUF_MEM), A(SCALAR) },
	  PK_BPF_RET_VOID, PK_BPF_FN_RELEASE, h_rb_release },
};
#undef A

const struct pk_bpf_helper *pk_bpf_builtin_helper(uint32_t id)
{
	size_t i;

	for (i = 0; i < PK_ARRAY_SIZE(builtin); i++)
		if (builtin[i].id == id)
			return &builtin[i];
	return NULL;
}

const struct pk_bpf_helper *pk_bpf_find_helper(const struct pk_bpf_env *env,
					       uint32_t id)
{
	size_t i;

	for (i = 0; env && i < env->helper_cnt; i++)
		if (env->helpers[i].id == id && env->helpers[i].fn)
			return &env->helpers[i];
	return pk_bpf_builtin_helper(id);
}
