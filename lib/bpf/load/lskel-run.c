// SPDX-License-Identifier: MIT
/*
 * lskel-run.c - load a light skeleton the way the kernel's light-skeleton
 * machinery does (tools/lib/bpf/skel_internal.h, kernel side): put the data
 * blob in a one-element array map ("__loader.map"), verify the loader
 * program as a BPF_PROG_TYPE_SYSCALL program (PK_BPF_PROG_LSKEL_LOADER) and
 * run it in the sandbox with a zeroed struct bpf_loader_ctx.
 *
 * The loader program, written by libbpf's gen_loader.c, creates the maps,
 * fills and freezes the global-data maps, loads the program's BTF, finds
 * the attach target and kfuncs by name, and loads the programs - all
 * through helpers emulated here:
 *
 *   bpf_sys_bpf(cmd, attr, size)     MAP_CREATE, MAP_UPDATE_ELEM, MAP_FREEZE,
 *                                    BTF_LOAD, PROG_LOAD, LINK_CREATE,
 *                                    RAW_TRACEPOINT_OPEN
 *   bpf_btf_find_by_name_kind()      answered from the executor's BTF
 *   bpf_sys_close(fd)
 *   bpf_copy_from_user()             only reads guest memory
 *
 * Every attr and every pointer in it is read through the sandbox's region
 * checks (pk_bpf_run_mem); file descriptors are indices of a private table.
 * PROG_LOAD applies the CO-RE records of the attr against the executor's
 * BTF, turns fds and BTF ids into the object.h representation and verifies
 * the program.  Failures are returned to the loader program as negative
 * errno (as the kernel does), which then stops; the reason is kept for the
 * final message.
 */
#include <bpf/btf.h>
#include <linux/btf.h>
#include <stdio.h>

#include "internal.h"
#include "kexec_bpf/kexec_bpf.h"
#include "bpf/vm/kfunc.h"
#include "loader.h"
#include "bpf/vm/vm.h"

#define LSKEL_MAX_FDS 256
#define LSKEL_FD_BASE 3
#define LSKEL_MAX_BTF (16u << 20)
#define LSKEL_MAX_BTFS 16 /* BTF_LOADs per skeleton (libbpf's loader makes one) */
/*
 * The loader's context (libbpf's skel_internal.h): struct bpf_loader_ctx
 * (24 bytes: sz, flags, log_level, log_size, log_buf), then one
 * struct bpf_map_desc per map (16 bytes: map_fd, max_entries,
 * initial_value) and one struct bpf_prog_desc per program (4 bytes:
 * prog_fd).  gen_loader.c allows 64 maps and 32 programs; room for all.
 */
#define LSKEL_CTX_SIZE (24 + 64 * 16 + 32 * 4)

enum fd_kind { FD_NONE = 0, FD_MAP, FD_BTF, FD_PROG, FD_LINK };

struct lskel_fd {
	enum fd_kind kind;
	uint32_t idx; /* into maps / btfs / obj->progs */
};

struct lskel_state {
	struct pk_ctx *ctx;
	const char *file;
	struct btf *exec_btf;
	struct pk_bpf_object *obj; /* maps and programs made by the loader */
	struct btf **btfs;
	uint32_t btf_cnt;
	struct pk_lines_pending *pending;
	uint32_t pending_cnt;
	struct lskel_fd fds[LSKEL_MAX_FDS];
	char why[512]; /* the first failure, for the final message */
	int why_err;
};

static int fail(struct lskel_state *S, int err, const char *fmt, ...) PK_PRINTF(3, 4);
static int fail(struct lskel_state *S, int err, const char *fmt, ...)
{
	va_list ap;

	if (!S->why_err) {
		va_start(ap, fmt);
		vsnprintf(S->why, sizeof(S->why), fmt, ap);
		va_end(ap);
		S->why_err = err;
	}
	return err;
}

static int fd_new(struct lskel_state *S, enum fd_kind kind, uint32_t idx)
{
	int i;

	for (i = 0; i < LSKEL_MAX_FDS; i++)
		if (S->fds[i].kind == FD_NONE) {
			S->fds[i] = (struct lskel_fd){ kind, idx };
			return i + LSKEL_FD_BASE;
		}
	return fail(S, -EMFILE, "more than %d open objects", LSKEL_MAX_FDS);
}

static const struct lskel_fd *fd_get(struct lskel_state *S, int64_t fd, enum fd_kind kind)
{
	if (fd < LSKEL_FD_BASE || fd >= LSKEL_FD_BASE + LSKEL_MAX_FDS)
		return NULL;
	if (S->fds[fd - LSKEL_FD_BASE].kind != kind)
		return NULL;
	return &S->fds[fd - LSKEL_FD_BASE];
}

/*
 * Copy @size bytes of guest memory at @gaddr (readable region) to @dst.
 * @dst may be guest memory too, overlapping the source
 * (bpf_copy_from_user(ctx, 64, ctx + 8)): memmove.
 */
static int guest_read(struct pk_bpf_run *run, uint64_t gaddr, void *dst, uint64_t size)
{
	void *src;

	if (!size)
		return 0;
	if (pk_bpf_run_mem(run, gaddr, size, PK_BPF_MEM_READ, &src))
		return -EFAULT;
	if (pk_bpf_run_charge(run, "copy", size))
		return -ETIME;
	memmove(dst, src, size);
	return 0;
}

/* ---- commands ---- */

static int cmd_map_create(struct lskel_state *S, const union bpf_attr *a)
{
	struct pk_bpf_map **maps, *m;
	char where[96];
	int r;

	if (S->obj->map_cnt >= PK_BPF_MAX_MAPS)
		return fail(S, -E2BIG, "MAP_CREATE: more than %u maps", PK_BPF_MAX_MAPS);
	if (a->map_flags & ~(uint32_t)(BPF_F_RDONLY_PROG | BPF_F_MMAPABLE | BPF_F_WRONLY_PROG))
		return fail(S, -EINVAL, "MAP_CREATE: map_flags 0x%x not supported", a->map_flags);
	m = calloc(1, sizeof(*m));
	if (!m)
		return fail(S, -ENOMEM, "out of memory");
	memcpy(m->name, a->map_name, sizeof(a->map_name));
	m->name[sizeof(a->map_name) - 1] = 0;
	m->type = a->map_type;
	m->key_size = a->key_size;
	m->value_size = a->value_size;
	m->max_entries = a->max_entries;
	m->map_flags = a->map_flags;
	snprintf(where, sizeof(where), "MAP_CREATE %u", S->obj->map_cnt);
	r = pk_bpf_map_alloc(S->ctx, where, m);
	if (r) {
		free(m);
		return fail(S, r, "%s", pk_ctx_errmsg(S->ctx));
	}
	maps = realloc(S->obj->maps, (S->obj->map_cnt + 1) * sizeof(*maps));
	if (!maps) {
		free(m->data);
		free(m);
		return fail(S, -ENOMEM, "out of memory");
	}
	S->obj->maps = maps;
	maps[S->obj->map_cnt++] = m;
	return fd_new(S, FD_MAP, S->obj->map_cnt - 1);
}

static int cmd_map_update(struct lskel_state *S, struct pk_bpf_run *run, const union bpf_attr *a)
{
	const struct lskel_fd *f = fd_get(S, a->map_fd, FD_MAP);
	struct pk_bpf_map *m;
	uint32_t key;
	uint64_t stride;

	if (!f)
		return fail(S, -EBADF, "MAP_UPDATE_ELEM: fd %u is not a map", a->map_fd);
	m = S->obj->maps[f->idx];
	if (m->type != BPF_MAP_TYPE_ARRAY)
		return fail(S, -EINVAL, "MAP_UPDATE_ELEM: map %s is not an array", m->name);
	if (m->frozen)
		return fail(S, -EPERM, "MAP_UPDATE_ELEM: map %s is frozen", m->name);
	if (a->flags > BPF_EXIST)
		return fail(S, -EINVAL, "MAP_UPDATE_ELEM: flags %llu", (unsigned long long)a->flags);
	if (guest_read(run, a->key, &key, sizeof(key)))
		return fail(S, -EFAULT, "MAP_UPDATE_ELEM: key pointer 0x%llx unreadable",
			    (unsigned long long)a->key);
	if (key >= m->max_entries)
		return fail(S, -E2BIG, "MAP_UPDATE_ELEM: key %u beyond map %s", key, m->name);
	stride = ((uint64_t)m->value_size + 7) / 8 * 8;
	if (guest_read(run, a->value, m->data + key * stride, m->value_size))
		return fail(S, -EFAULT, "MAP_UPDATE_ELEM: value pointer 0x%llx (%u bytes) unreadable",
			    (unsigned long long)a->value, m->value_size);
	return 0;
}

static int cmd_map_freeze(struct lskel_state *S, const union bpf_attr *a)
{
	const struct lskel_fd *f = fd_get(S, a->map_fd, FD_MAP);

	if (!f)
		return fail(S, -EBADF, "MAP_FREEZE: fd %u is not a map", a->map_fd);
	if (S->obj->maps[f->idx]->frozen)
		return fail(S, -EBUSY, "MAP_FREEZE: map %s already frozen", S->obj->maps[f->idx]->name);
	S->obj->maps[f->idx]->frozen = true;
	return 0;
}

static int cmd_btf_load(struct lskel_state *S, struct pk_bpf_run *run, const union bpf_attr *a)
{
	struct btf **btfs, *btf;
	uint8_t *raw;
	int r;

	if (!a->btf_size || a->btf_size > LSKEL_MAX_BTF)
		return fail(S, -E2BIG, "BTF_LOAD: btf_size %u", a->btf_size);
	if (S->btf_cnt >= LSKEL_MAX_BTFS)
		return fail(S, -E2BIG, "BTF_LOAD: more than %d BTF objects", LSKEL_MAX_BTFS);
	raw = malloc(a->btf_size);
	if (!raw)
		return fail(S, -ENOMEM, "out of memory");
	if (guest_read(run, a->btf, raw, a->btf_size)) {
		free(raw);
		return fail(S, -EFAULT, "BTF_LOAD: btf pointer 0x%llx (%u bytes) unreadable",
			    (unsigned long long)a->btf, a->btf_size);
	}
	btf = btf__new(raw, a->btf_size);
	r = errno;
	free(raw);
	if (!btf)
		return fail(S, -EINVAL, "BTF_LOAD: BTF rejected by libbpf: %s", strerror(r));
	btfs = realloc(S->btfs, (S->btf_cnt + 1) * sizeof(*btfs));
	if (!btfs) {
		btf__free(btf);
		return fail(S, -ENOMEM, "out of memory");
	}
	S->btfs = btfs;
	btfs[S->btf_cnt++] = btf;
	return fd_new(S, FD_BTF, S->btf_cnt - 1);
}

/* Index of @map in @p->maps, added if new. */
static int prog_map_idx(struct pk_bpf_prog *p, struct pk_bpf_map *map)
{
	struct pk_bpf_map **maps;
	uint32_t i;

	for (i = 0; i < p->map_cnt; i++)
		if (p->maps[i] == map)
			return (int)i;
	maps = realloc(p->maps, (p->map_cnt + 1) * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	p->maps = maps;
	maps[p->map_cnt] = map;
	return (int)p->map_cnt++;
}

/* Turn fds / fd_array indices / BTF ids into the object.h representation. */
static int translate_insns(struct lskel_state *S, struct pk_bpf_run *run,
			   const union bpf_attr *a, struct pk_bpf_prog *p)
{
	uint32_t i;

	for (i = 0; i < p->insn_cnt; i++) {
		struct bpf_insn *in = &p->insns[i];

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			const struct lskel_fd *f;
			int32_t fd = in->imm;
			int mi;

			if (i + 1 >= p->insn_cnt)
				return fail(S, -EINVAL, "PROG_LOAD %s: insn %u: truncated ld_imm64", p->name, i);
			if (!in->src_reg) {
				i++;
				continue;
			}
			if (in->src_reg == BPF_PSEUDO_MAP_IDX || in->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
				if (!a->fd_array || in->imm < 0 || in->imm >= 512 ||
				    guest_read(run, a->fd_array + (uint64_t)in->imm * 4, &fd, 4))
					return fail(S, -EINVAL, "PROG_LOAD %s: insn %u: fd_array[%d] unreadable",
						    p->name, i, in->imm);
			} else if (in->src_reg != BPF_PSEUDO_MAP_FD && in->src_reg != BPF_PSEUDO_MAP_VALUE) {
				return fail(S, -EOPNOTSUPP, "PROG_LOAD %s: insn %u: ld_imm64 src_reg %u not supported",
					    p->name, i, in->src_reg);
			}
			f = fd_get(S, fd, FD_MAP);
			if (!f)
				return fail(S, -EBADF, "PROG_LOAD %s: insn %u: fd %d is not a map", p->name, i, fd);
			mi = prog_map_idx(p, S->obj->maps[f->idx]);
			if (mi < 0)
				return fail(S, -ENOMEM, "out of memory");
			if (in->src_reg == BPF_PSEUDO_MAP_VALUE || in->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
				if (in[1].imm < 0 || (uint32_t)in[1].imm > S->obj->maps[f->idx]->value_size)
					return fail(S, -EINVAL, "PROG_LOAD %s: insn %u: value offset %d outside map %s",
						    p->name, i, in[1].imm, S->obj->maps[f->idx]->name);
				in->src_reg = BPF_PSEUDO_MAP_IDX_VALUE;
			} else {
				in->src_reg = BPF_PSEUDO_MAP_IDX;
				in[1].imm = 0;
			}
			in->imm = mi;
			i++;
			continue;
		}
		if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
			const struct btf_type *t = in->imm > 0 ?
				btf__type_by_id(S->exec_btf, (uint32_t)in->imm) : NULL;
			const char *name = t && btf_is_func(t) ?
				btf__name_by_offset(S->exec_btf, t->name_off) : NULL;
			int id = name ? pk_bpf_kfunc_by_name(name) : -ENOENT;

			if (in->off)
				return fail(S, -EINVAL, "PROG_LOAD %s: insn %u: kfunc from module BTF (off %d)",
					    p->name, i, in->off);
			if (id < 0)
				return fail(S, -EINVAL, "PROG_LOAD %s: insn %u: BTF id %d is not a kfunc",
					    p->name, i, in->imm);
			in->imm = id;
		}
	}
	return 0;
}

static int prog_core(struct lskel_state *S, struct pk_bpf_run *run, const union bpf_attr *a,
		     struct pk_bpf_prog *p, const struct btf *btf)
{
	uint32_t i;
	int r;

	if (!a->core_relo_cnt)
		return 0;
	if (!btf)
		return fail(S, -EINVAL, "PROG_LOAD %s: CO-RE records without prog_btf_fd", p->name);
	if (a->core_relo_rec_size < sizeof(struct bpf_core_relo) || a->core_relo_rec_size > 64 ||
	    a->core_relo_cnt > PK_BPF_MAX_EXT_RECS)
		return fail(S, -EINVAL, "PROG_LOAD %s: core_relo_rec_size %u / core_relo_cnt %u",
			    p->name, a->core_relo_rec_size, a->core_relo_cnt);
	for (i = 0; i < a->core_relo_cnt; i++) {
		struct bpf_core_relo rec;
		struct pk_btf_ext_core c;
		char where[96];

		if (guest_read(run, a->core_relos + (uint64_t)i * a->core_relo_rec_size, &rec, sizeof(rec)))
			return fail(S, -EFAULT, "PROG_LOAD %s: core_relos[%u] unreadable", p->name, i);
		c = (struct pk_btf_ext_core){ rec.insn_off, rec.type_id, rec.access_str_off, rec.kind };
		snprintf(where, sizeof(where), "PROG_LOAD %s", p->name);
		r = pk_bpf_core_apply(S->ctx, where, btf, S->exec_btf, p->insns, p->insn_cnt, &c);
		if (r)
			return fail(S, r, "%s", pk_ctx_errmsg(S->ctx));
	}
	return 0;
}

static int prog_lines(struct lskel_state *S, struct pk_bpf_run *run, const union bpf_attr *a,
		      struct pk_bpf_prog *p, const struct btf *btf)
{
	struct pk_lines_pending *pend;
	uint32_t i;

	if (!a->line_info_cnt || !btf)
		return 0;
	if (a->line_info_rec_size < sizeof(struct bpf_line_info) || a->line_info_rec_size > 64 ||
	    a->line_info_cnt > PK_BPF_MAX_EXT_RECS)
		return fail(S, -EINVAL, "PROG_LOAD %s: line_info_rec_size %u / line_info_cnt %u",
			    p->name, a->line_info_rec_size, a->line_info_cnt);
	pend = realloc(S->pending, (S->pending_cnt + 1) * sizeof(*pend));
	if (!pend)
		return fail(S, -ENOMEM, "out of memory");
	S->pending = pend;
	pend = &S->pending[S->pending_cnt];
	*pend = (struct pk_lines_pending){ .prog = p, .btf = btf };
	pend->recs = calloc(a->line_info_cnt, sizeof(*pend->recs));
	if (!pend->recs)
		return fail(S, -ENOMEM, "out of memory");
	S->pending_cnt++;
	for (i = 0; i < a->line_info_cnt; i++) {
		struct bpf_line_info li;

		if (guest_read(run, a->line_info + (uint64_t)i * a->line_info_rec_size, &li, sizeof(li)))
			return fail(S, -EFAULT, "PROG_LOAD %s: line_info[%u] unreadable", p->name, i);
		/* the kernel's line_info counts instructions, not bytes */
		pend->recs[pend->cnt++] = (struct pk_line_src){ li.insn_off, li.file_name_off,
								li.line_off, li.line_col };
	}
	return 0;
}

static int prog_kind(struct lskel_state *S, const union bpf_attr *a, struct pk_bpf_prog *p)
{
	if (a->prog_type == BPF_PROG_TYPE_SYSCALL) {
		p->kind = PK_BPF_PROG_RAW;
		snprintf(p->section, sizeof(p->section), "syscall");
		return 0;
	}
	if (a->prog_type != BPF_PROG_TYPE_TRACING || a->expected_attach_type != BPF_TRACE_FENTRY)
		return fail(S, -EINVAL, "PROG_LOAD %s: prog_type %u / attach type %u: only fentry on %s",
			    p->name, a->prog_type, a->expected_attach_type, KEXEC_BPF_ANCHOR);
	if (a->attach_btf_obj_fd || (int)a->attach_btf_id != pk_bpf_exec_btf_func(S->exec_btf, KEXEC_BPF_ANCHOR))
		return fail(S, -EINVAL, "PROG_LOAD %s: attach_btf_id %u is not %s", p->name,
			    a->attach_btf_id, KEXEC_BPF_ANCHOR);
	if (a->prog_flags & ~(uint32_t)BPF_F_SLEEPABLE)
		return fail(S, -EINVAL, "PROG_LOAD %s: prog_flags 0x%x", p->name, a->prog_flags);
	p->kind = PK_BPF_PROG_KEXEC_PARSER;
	p->sleepable = a->prog_flags & BPF_F_SLEEPABLE;
	snprintf(p->section, sizeof(p->section), "fentry%s/%s", p->sleepable ? ".s" : "",
		 KEXEC_BPF_ANCHOR);
	return 0;
}

static int cmd_prog_load(struct lskel_state *S, struct pk_bpf_run *run, const union bpf_attr *a)
{
	const struct btf *btf = NULL;
	struct pk_bpf_prog **progs, *p;
	const struct lskel_fd *bf;
	struct pk_bpf_env env = { 0 };
	uint8_t *raw;
	int r;

	if (S->obj->prog_cnt >= PK_BPF_MAX_PROGS)
		return fail(S, -E2BIG, "PROG_LOAD: more than %u programs", PK_BPF_MAX_PROGS);
	if (!a->insn_cnt || a->insn_cnt > PK_BPF_LOAD_MAX_INSNS)
		return fail(S, -E2BIG, "PROG_LOAD: insn_cnt %u", a->insn_cnt);
	if (a->prog_btf_fd) {
		bf = fd_get(S, a->prog_btf_fd, FD_BTF);
		if (!bf)
			return fail(S, -EBADF, "PROG_LOAD: prog_btf_fd %u is not BTF", a->prog_btf_fd);
		btf = S->btfs[bf->idx];
	}
	progs = realloc(S->obj->progs, (S->obj->prog_cnt + 1) * sizeof(*progs));
	if (!progs)
		return fail(S, -ENOMEM, "out of memory");
	S->obj->progs = progs;
	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(S, -ENOMEM, "out of memory");
	progs[S->obj->prog_cnt++] = p;
	memcpy(p->name, a->prog_name, sizeof(a->prog_name));
	p->name[sizeof(a->prog_name) - 1] = 0;
	r = prog_kind(S, a, p);
	if (r)
		return r;
	p->insns = calloc(a->insn_cnt, sizeof(*p->insns));
	raw = malloc((size_t)a->insn_cnt * 8);
	if (!p->insns || !raw) {
		free(raw);
		return fail(S, -ENOMEM, "out of memory");
	}
	if (guest_read(run, a->insns, raw, (uint64_t)a->insn_cnt * 8)) {
		free(raw);
		return fail(S, -EFAULT, "PROG_LOAD %s: insns pointer 0x%llx (%u instructions) unreadable",
			    p->name, (unsigned long long)a->insns, a->insn_cnt);
	}
	pk_bpf_insns_decode(raw, a->insn_cnt, p->insns);
	free(raw);
	p->insn_cnt = a->insn_cnt;
	r = prog_core(S, run, a, p, btf);
	if (!r)
		r = translate_insns(S, run, a, p);
	if (!r)
		r = prog_lines(S, run, a, p, btf);
	if (r)
		return r;
	/* lines now, so that verifier messages cite the source */
	if (S->pending_cnt && S->pending[S->pending_cnt - 1].prog == p) {
		r = pk_bpf_lines_attach(S->ctx, S->obj, &S->pending[S->pending_cnt - 1], 1);
		if (r)
			return fail(S, r, "%s", pk_ctx_errmsg(S->ctx));
	}
	/* a parser program is verified now, as the kernel would; RAW test
	 * programs when their memory size is known (pk_bpf_program_run) */
	if (p->kind == PK_BPF_PROG_KEXEC_PARSER) {
		r = pk_bpf_verify_keep(S->ctx, &env, p);
		if (r)
			return fail(S, r, "PROG_LOAD %s: %s", p->name, pk_ctx_errmsg(S->ctx));
	}
	return fd_new(S, FD_PROG, S->obj->prog_cnt - 1);
}

static int cmd_link(struct lskel_state *S, const union bpf_attr *a, int cmd)
{
	uint32_t prog_fd = cmd == BPF_LINK_CREATE ? a->link_create.prog_fd : a->raw_tracepoint.prog_fd;
	const struct lskel_fd *f = fd_get(S, prog_fd, FD_PROG);

	if (!f || S->obj->progs[f->idx]->kind != PK_BPF_PROG_KEXEC_PARSER)
		return fail(S, -EINVAL, "%s: fd %u is not a parser program",
			    cmd == BPF_LINK_CREATE ? "LINK_CREATE" : "RAW_TRACEPOINT_OPEN", prog_fd);
	return fd_new(S, FD_LINK, f->idx);
}

/* ---- helpers ---- */

static const char *cmd_name(uint64_t cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE: return "MAP_CREATE";
	case BPF_MAP_UPDATE_ELEM: return "MAP_UPDATE_ELEM";
	case BPF_MAP_FREEZE: return "MAP_FREEZE";
	case BPF_BTF_LOAD: return "BTF_LOAD";
	case BPF_PROG_LOAD: return "PROG_LOAD";
	case BPF_LINK_CREATE: return "LINK_CREATE";
	case BPF_RAW_TRACEPOINT_OPEN: return "RAW_TRACEPOINT_OPEN";
	}
	return "?";
}

static int h_sys_bpf(struct pk_bpf_run *run, const uint64_t args[5], uint64_t *ret_r0)
{
	struct lskel_state *S = pk_bpf_run_user(run);
	union bpf_attr a;
	int r;

	memset(&a, 0, sizeof(a));
	if (args[2] > sizeof(a)) {
		r = fail(S, -E2BIG, "bpf_sys_bpf: attr size %llu", (unsigned long long)args[2]);
		goto out;
	}
	if (guest_read(run, args[1], &a, args[2])) {
		r = fail(S, -EFAULT, "bpf_sys_bpf: attr 0x%llx unreadable", (unsigned long long)args[1]);
		goto out;
	}
	switch (args[0]) {
	case BPF_MAP_CREATE: r = cmd_map_create(S, &a); break;
	case BPF_MAP_UPDATE_ELEM: r = cmd_map_update(S, run, &a); break;
	case BPF_MAP_FREEZE: r = cmd_map_freeze(S, &a); break;
	case BPF_BTF_LOAD: r = cmd_btf_load(S, run, &a); break;
	case BPF_PROG_LOAD: r = cmd_prog_load(S, run, &a); break;
	case BPF_LINK_CREATE:
	case BPF_RAW_TRACEPOINT_OPEN: r = cmd_link(S, &a, (int)args[0]); break;
	default:
		r = fail(S, -EOPNOTSUPP, "bpf_sys_bpf: command %llu not supported",
			 (unsigned long long)args[0]);
	}
	pk_debug(S->ctx, "%s: bpf_sys_bpf(%s) = %d", S->file, cmd_name(args[0]), r);
out:
	*ret_r0 = (uint64_t)(int64_t)r;
	return 0;
}

static int h_btf_find(struct pk_bpf_run *run, const uint64_t args[5], uint64_t *ret_r0)
{
	struct lskel_state *S = pk_bpf_run_user(run);
	char name[128];
	int id;

	*ret_r0 = (uint64_t)(int64_t)-EINVAL;
	if (args[1] == 0 || args[1] > sizeof(name) || args[3] != 0 ||
	    guest_read(run, args[0], name, args[1]) || name[args[1] - 1]) {
		fail(S, -EINVAL, "bpf_btf_find_by_name_kind: bad name or flags");
		return 0;
	}
	id = btf__find_by_name_kind(S->exec_btf, name, (uint32_t)args[2]);
	if (id <= 0) {
		fail(S, -ENOENT, "bpf_btf_find_by_name_kind: no %s of kind %llu in the executor's BTF",
		     name, (unsigned long long)args[2]);
		*ret_r0 = (uint64_t)(int64_t)-ENOENT;
		return 0;
	}
	*ret_r0 = (uint32_t)id; /* BTF object fd 0: "vmlinux" */
	return 0;
}

static int h_sys_close(struct pk_bpf_run *run, const uint64_t args[5], uint64_t *ret_r0)
{
	struct lskel_state *S = pk_bpf_run_user(run);
	int64_t fd = (int64_t)args[0];

	if (fd < LSKEL_FD_BASE || fd >= LSKEL_FD_BASE + LSKEL_MAX_FDS ||
	    S->fds[fd - LSKEL_FD_BASE].kind == FD_NONE) {
		*ret_r0 = (uint64_t)(int64_t)-EBADF;
		return 0;
	}
	/* objects stay in the result; only the number goes */
	S->fds[fd - LSKEL_FD_BASE].kind = FD_NONE;
	*ret_r0 = 0;
	return 0;
}

static int h_copy_from_user(struct pk_bpf_run *run, const uint64_t args[5], uint64_t *ret_r0)
{
	void *dst;

	/* there is no user space here: only guest memory is readable */
	if (pk_bpf_run_mem(run, args[0], args[1], PK_BPF_MEM_WRITE, &dst) ||
	    guest_read(run, args[2], dst, args[1])) {
		*ret_r0 = (uint64_t)(int64_t)-EFAULT;
		return 0;
	}
	*ret_r0 = 0;
	return 0;
}

static const struct pk_bpf_helper lskel_helpers[] = {
	{ BPF_FUNC_sys_bpf, "bpf_sys_bpf",
	  { PK_BPF_ARG_SCALAR, PK_BPF_ARG_MEM_RO, PK_BPF_ARG_SIZE }, PK_BPF_RET_INTEGER, 0, h_sys_bpf },
	{ BPF_FUNC_btf_find_by_name_kind, "bpf_btf_find_by_name_kind",
	  { PK_BPF_ARG_MEM_RO, PK_BPF_ARG_SIZE, PK_BPF_ARG_SCALAR, PK_BPF_ARG_SCALAR },
	  PK_BPF_RET_INTEGER, 0, h_btf_find },
	{ BPF_FUNC_sys_close, "bpf_sys_close", { PK_BPF_ARG_SCALAR }, PK_BPF_RET_INTEGER, 0,
	  h_sys_close },
	{ BPF_FUNC_copy_from_user, "bpf_copy_from_user",
	  { PK_BPF_ARG_MEM_UNINIT, PK_BPF_ARG_SIZE_OR_ZERO, PK_BPF_ARG_ANYTHING },
	  PK_BPF_RET_INTEGER, PK_BPF_FN_SLEEPABLE, h_copy_from_user },
};

/* ---- driver ---- */

static void state_release(struct lskel_state *S)
{
	uint32_t i;

	for (i = 0; i < S->btf_cnt; i++)
		btf__free(S->btfs[i]);
	free(S->btfs);
	for (i = 0; i < S->pending_cnt; i++)
		free(S->pending[i].recs);
	free(S->pending);
	btf__free(S->exec_btf);
	pk_bpf_object_free(S->obj);
}

/* The loader program and its map, as an object of their own. */
static int loader_object(struct pk_ctx *ctx, const char *name, const struct pk_lskel_blobs *b,
			 struct pk_bpf_object **ret)
{
	struct pk_bpf_object *o = calloc(1, sizeof(*o));
	struct pk_bpf_map *m = NULL;
	struct pk_bpf_prog *p = NULL;
	int r;

	*ret = o;
	if (!o || !(o->maps = calloc(1, sizeof(*o->maps))) || !(o->progs = calloc(1, sizeof(*o->progs))))
		return pk_err(ctx, -ENOMEM, "%s: out of memory", name);
	m = o->maps[0] = calloc(1, sizeof(*m));
	if (!m)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", name);
	o->map_cnt = 1;
	snprintf(m->name, sizeof(m->name), "__loader.map");
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (uint32_t)b->data_len;
	m->max_entries = 1;
	r = pk_bpf_map_alloc(ctx, name, m);
	if (r)
		return r;
	memcpy(m->data, b->data, b->data_len);
	p = o->progs[0] = calloc(1, sizeof(*p));
	if (!p)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", name);
	o->prog_cnt = 1;
	snprintf(p->name, sizeof(p->name), "__loader.prog");
	snprintf(p->section, sizeof(p->section), "syscall");
	p->kind = PK_BPF_PROG_LSKEL_LOADER;
	p->sleepable = true;
	p->insn_cnt = (uint32_t)(b->insn_len / 8);
	p->insns = calloc(p->insn_cnt, sizeof(*p->insns));
	p->maps = calloc(1, sizeof(*p->maps));
	if (!p->insns || !p->maps)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", name);
	p->maps[0] = m;
	p->map_cnt = 1;
	pk_bpf_insns_decode(b->insn, p->insn_cnt, p->insns);
	return 0;
}

int pk_lskel_load(struct pk_ctx *ctx, const char *name,
		  const struct pk_lskel_blobs *blobs, bool trace,
		  struct pk_bpf_object **ret)
{
	struct lskel_state S = { .ctx = ctx, .file = name };
	struct pk_bpf_object *lo = NULL;
	struct pk_bpf_vm *vm = NULL;
	struct pk_bpf_env env = {
		.label = "lskel loader",
		.ctx_size = LSKEL_CTX_SIZE,
		.helpers = lskel_helpers,
		.helper_cnt = PK_ARRAY_SIZE(lskel_helpers),
		.user = &S,
	};
	uint8_t lctx[LSKEL_CTX_SIZE];
	struct pk_bpf_input in = { .mem = lctx, .mem_len = sizeof(lctx) };
	uint64_t r0 = 0;
	int r;

	(void)trace;
	*ret = NULL;
	memset(lctx, 0, sizeof(lctx));
	/* struct bpf_loader_ctx: sz; flags 0 (not BPF_SKEL_KERNEL: initial
	 * values would come through copy_from_user, and there are none) */
	pk_put_le32(lctx, (uint32_t)sizeof(lctx));
	S.exec_btf = pk_bpf_exec_btf_new();
	S.obj = calloc(1, sizeof(*S.obj));
	if (!S.exec_btf || !S.obj) {
		r = pk_err(ctx, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	r = loader_object(ctx, name, blobs, &lo);
	if (r)
		goto out;
	r = pk_bpf_vm_new(ctx, &env, lo->progs[0], &vm);
	if (r) {
		r = pk_err_prefix(ctx, r, "%s: light-skeleton loader program rejected", name);
		goto out;
	}
	r = pk_bpf_vm_run(vm, &in, &r0);
	if (r) {
		r = pk_err_prefix(ctx, r, "%s: light-skeleton loader program failed", name);
		goto out;
	}
	if (r0) {
		int err = (int)(int64_t)r0;

		r = pk_err(ctx, err < 0 && err > -4096 ? err : -EINVAL,
			   "%s: light-skeleton loader returned %d: %s", name, err,
			   S.why_err ? S.why : "(no failed command recorded)");
		goto out;
	}
	if (!S.obj->prog_cnt) {
		r = pk_err(ctx, -ENOENT, "%s: the light-skeleton loader loaded no program", name);
		goto out;
	}
	*ret = PK_TAKE_PTR(S.obj);
out:
	pk_bpf_vm_free(vm);
	pk_bpf_object_free(lo);
	state_release(&S);
	return r;
}
