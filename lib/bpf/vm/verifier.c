// SPDX-License-Identifier: MIT
/*
 * verifier.c - the sandbox's verifier: structural pass (verifier-cfg.c),
 * liveness (verifier-live.c), then every path explored with abstract state
 * (verifier-state.h), kernel-like; this file is the path explorer, one
 * instruction at a time; scalar ranges are verifier-scalar.c's, pruning
 * and widening verifier-prune.c's:
 *
 *  - registers: not-init, scalar (unsigned and signed ranges; constants are
 *    folded with the interpreter's own semantics, insn.h), or a pointer
 *    (ctx, stack of frame N, map value, map value or NULL, memory (raw
 *    input, ring-buffer record) with size, memory or NULL, map handle,
 *    trusted struct kexec_context, parser context (or NULL)) with a fixed
 *    offset plus a bounded variable offset;
 *  - stack: per 8-byte slot, which bytes are initialised and the spilled
 *    register if an aligned 8-byte store saved one;
 *  - references: parser contexts and ring-buffer records acquired and not
 *    yet released; every exit of the main function must hold none;
 *  - a kexec parser program (fentry) must exit with R0 exactly 0, as the
 *    kernel's check_return_code() demands;
 *  - NULL checks refine *_OR_NULL registers (and their copies);
 *  - conditions on constants/ranges refine both branches, infeasible
 *    branches are not explored.
 *
 * Loops: allowed; termination is the run's instruction budget, not a proof.
 * States at jump targets are stored; a new state contained in a stored one
 * is pruned.  A jump target visited more than PK_VERIFIER_WIDEN times
 * widens the bounds that keep changing (sound: it only adds values) to the
 * next of the program's own compare constants (c - 1, c, c + 1), else to
 * the type's limit, so a loop counter tested against its bound keeps that
 * bound; after 2 * PK_VERIFIER_WIDEN visits bounds widen straight to the
 * limits, so exploration converges as fast as without thresholds; the
 * exploration itself is bounded
 * (PK_BPF_MAX_INSNS instructions, PK_BPF_MAX_STATES states; -E2BIG).
 */
#include <inttypes.h>

#include "kfunc.h"
#include "verifier-state.h"

static const char *const type_names[] = {
	"not initialised", "scalar", "ctx", "stack pointer", "map value",
	"map value or NULL", "memory", "memory or NULL", "map pointer",
	"trusted kexec_context", "parser context", "parser context or NULL",
	"released reference",
};

/* ---- state lifetime ---- */

void pk_vstate_free(struct pk_vstate *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->nframe; i++)
		free(s->fr[i]);
	free(s);
}

/*
 * Keep @bytes more of states (a pending branch or a stored state), or fail
 * with -E2BIG at PK_BPF_VERIFIER_MAX_MEM: the states of a program built to
 * explode (every path a new constant, eight frames deep) would take
 * gigabytes otherwise.
 */
int pk_vstate_charge(struct pk_verifier *v, uint32_t pc, uint64_t bytes)
{
	v->mem += bytes;
	if (v->mem > v->mem_peak)
		v->mem_peak = v->mem;
	if (v->mem > PK_BPF_VERIFIER_MAX_MEM)
		return pk_err(v->ctx, -E2BIG,
			      "program too complex: verifier state memory above %llu MiB at insn %u (%" PRIu64
			      " instructions explored, %" PRIu64 " branch states)",
			      PK_BPF_VERIFIER_MAX_MEM >> 20, pc, v->processed, v->states);
	return 0;
}

struct pk_vstate *pk_vstate_copy(const struct pk_vstate *s)
{
	struct pk_vstate *c = malloc(sizeof(*c));
	uint32_t i;

	if (!c)
		return NULL;
	*c = *s;
	c->next = NULL;
	for (i = 0; i < s->nframe; i++) {
		c->fr[i] = malloc(sizeof(*c->fr[i]));
		if (!c->fr[i]) {
			c->nframe = i;
			pk_vstate_free(c);
			return NULL;
		}
		*c->fr[i] = *s->fr[i];
	}
	return c;
}

/* ---- the explorer ---- */

struct vctx {
	struct pk_verifier *v;
	struct pk_vstate *work; /* pending branches */
};


static bool is_ptr(const struct vreg *r)
{
	return r->type != T_NOT_INIT && r->type != T_SCALAR;
}

static const char *tname(const struct vreg *r)
{
	return type_names[r->type];
}

static int check_read(struct pk_verifier *v, uint32_t pc, const struct vreg *r,
		      int regno)
{
	if (r->type == T_NOT_INIT)
		return pk_verr(v, pc, "R%d !read_ok: read of uninitialised register", regno);
	if (r->type == T_RELEASED)
		return pk_verr(v, pc, "R%d used after release (ref %u)", regno, r->ref);
	return 0;
}

static void for_each_reg(struct pk_vstate *s, void (*fn)(struct vreg *r, void *arg),
			 void *arg)
{
	uint32_t f, i;

	for (f = 0; f < s->nframe; f++) {
		for (i = 0; i < 11; i++)
			fn(&s->fr[f]->r[i], arg);
		for (i = 0; i < PK_BPF_STACK_SIZE / 8; i++)
			if (s->fr[f]->slot[i].spilled)
				fn(&s->fr[f]->slot[i].spill, arg);
	}
}

static void release_fn(struct vreg *r, void *arg)
{
	uint32_t ref = *(uint32_t *)arg;

	if (r->ref == ref && r->type != T_RELEASED) {
		memset(r, 0, sizeof(*r));
		r->type = T_RELEASED;
		r->ref = ref;
	}
}

static int release_ref(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
		       uint32_t ref)
{
	uint32_t i;

	for (i = 0; i < s->nref; i++)
		if (s->refs[i] == ref)
			break;
	if (i == s->nref)
		return pk_verr(v, pc, "release of reference %u that is not held", ref);
	s->refs[i] = s->refs[s->nref - 1];
	s->ref_type[i] = s->ref_type[s->nref - 1];
	s->nref--;
	for_each_reg(s, release_fn, &ref);
	return 0;
}

struct null_arg {
	uint32_t id;
	bool is_null;
};

static void null_fn(struct vreg *r, void *arg)
{
	const struct null_arg *a = arg;

	if (!r->id || r->id != a->id)
		return;
	if (a->is_null) {
		mark_const(r, 0);
		return;
	}
	if (r->type == T_MAP_VALUE_OR_NULL)
		r->type = T_MAP_VALUE;
	else if (r->type == T_MEM_OR_NULL)
		r->type = T_MEM;
	else if (r->type == T_PARSER_CTX_OR_NULL)
		r->type = T_PARSER_CTX;
	r->id = 0;
}

static bool is_or_null(const struct vreg *r)
{
	return r->type == T_MAP_VALUE_OR_NULL || r->type == T_MEM_OR_NULL ||
	       r->type == T_PARSER_CTX_OR_NULL;
}

static void mark_null(struct pk_vstate *s, const struct vreg *r, bool is_null)
{
	struct null_arg a = { r->id, is_null };
	uint32_t ref = r->ref, i;

	for_each_reg(s, null_fn, &a);
	if (is_null && ref) { /* NULL needs no release */
		for (i = 0; i < s->nref; i++)
			if (s->refs[i] == ref) {
				s->refs[i] = s->refs[s->nref - 1];
				s->ref_type[i] = s->ref_type[s->nref - 1];
				s->nref--;
				break;
			}
	}
}

/* ---- memory access ---- */

struct access {
	int64_t lo, hi; /* [lo, hi) relative to the region base */
	bool fixed;
};

static int access_range(struct pk_verifier *v, uint32_t pc, const struct vreg *r,
			int regno, int32_t off, uint64_t size, struct access *a)
{
	if (r->smin < -PK_PTR_OFF_MAX || r->smax > PK_PTR_OFF_MAX ||
	    size > PK_PTR_OFF_MAX)
		return pk_verr(v, pc, "R%d %s: unbounded variable offset or size", regno,
			       tname(r));
	a->lo = (int64_t)r->off + off + r->smin;
	a->hi = (int64_t)r->off + off + r->smax + (int64_t)size;
	a->fixed = r->smin == r->smax;
	return 0;
}

static int stack_access(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
			const struct vreg *r, int regno, int32_t off,
			uint64_t size, bool write, struct access *a)
{
	struct vframe *fr;
	int err = access_range(v, pc, r, regno, off, size, a);

	if (err)
		return err;
	if (a->lo < -PK_BPF_STACK_SIZE || a->hi > 0 || (!size && a->lo > 0))
		return pk_verr(v, pc, "invalid %s stack R%d off=%" PRId64 " size=%" PRIu64
			       " (outside the 512-byte frame)", write ? "write to" : "read from",
			       regno, a->lo, size);
	fr = s->fr[r->frame];
	if (v->subs[fr->sub].stack_depth < (uint32_t)-a->lo)
		v->subs[fr->sub].stack_depth = (uint32_t)-a->lo;
	return 0;
}

static struct vslot *slot_of(struct vframe *fr, int64_t byte)
{
	return &fr->slot[(byte + PK_BPF_STACK_SIZE) / 8];
}

static int stack_read_init(struct pk_verifier *v, uint32_t pc, struct vframe *fr,
			   const struct access *a, int regno)
{
	int64_t b;

	for (b = a->lo; b < a->hi; b++) {
		struct vslot *sl = slot_of(fr, b);

		if (!(sl->init & (1u << ((b + PK_BPF_STACK_SIZE) % 8))))
			return pk_verr(v, pc, "invalid read from stack R%d off %" PRId64
				       ": byte not initialised", regno, b);
	}
	return 0;
}

/* Bytes [lo, hi) written with unknown data (or data the verifier forgets). */
static void stack_clobber(struct vframe *fr, const struct access *a, bool init)
{
	int64_t b;

	for (b = a->lo; b < a->hi; b++) {
		struct vslot *sl = slot_of(fr, b);

		if (sl->spilled) {
			sl->spilled = 0;
			if (sl->spill.type != T_SCALAR)
				sl->init = 0xff; /* pointer bytes become data */
		}
		if (init)
			sl->init |= (uint8_t)(1u << ((b + PK_BPF_STACK_SIZE) % 8));
	}
}

static void load_result(struct vreg *dst, unsigned int size, bool sx)
{
	if (size == 8) {
		mark_unknown(dst);
		return;
	}
	if (sx) {
		int64_t m = 1LL << (size * 8 - 1);

		mark_unknown(dst);
		dst->smin = -m;
		dst->smax = m - 1;
		pk_vreg_sync(dst);
		return;
	}
	pk_vreg_urange(dst, 0, (1ULL << (size * 8)) - 1);
	pk_vreg_sync(dst);
}

static uint32_t map_value_size(struct pk_verifier *v, uint32_t map)
{
	return v->prog->maps[map]->value_size;
}

static int region_check(struct pk_verifier *v, uint32_t pc, const struct vreg *r,
			int regno, int32_t off, uint64_t size, bool write,
			uint64_t limit, const char *what)
{
	struct access a = { 0, 0, false };
	int err = access_range(v, pc, r, regno, off, size, &a);

	if (err)
		return err;
	if (a.lo < 0 || a.hi > (int64_t)limit)
		return pk_verr(v, pc, "invalid access to %s R%d: off=%" PRId64 " size=%" PRIu64
			       " outside [0, %" PRIu64 ")%s", what, regno, a.lo, size,
			       limit, write ? " (write)" : "");
	return 0;
}

/*
 * check_align - Linux 6.1's check_ptr_alignment() (kernel/bpf/verifier.c
 * 6.1.192 line 4378) for programs the kernel runs (not PK_BPF_PROG_RAW):
 * stack accesses are always strict (line 4403: the spill tracking relies
 * on it), atomics on every pointer (check_atomic() asks for
 * strict_alignment_once, lines 5269-5280); other accesses are not strict
 * on x86-64 and arm64 (CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS).  A byte is
 * always aligned.  A variable offset is aligned when its known low bits
 * say so (tnum_is_aligned(var_off + off), line 4365).
 */
static int check_align(struct pk_verifier *v, uint32_t pc, const struct vreg *r,
		       int regno, int32_t off, unsigned int size, bool atomic)
{
	static const char *const desc[] = { [T_STACK] = "stack ", [T_MAP_VALUE] = "value ",
					    [T_CTX] = "context " };
	const char *d = r->type < PK_ARRAY_SIZE(desc) && desc[r->type] ? desc[r->type] : "";
	int64_t at;

	if (v->prog->kind == PK_BPF_PROG_RAW || size == 1 || !is_ptr(r) ||
	    (!atomic && r->type != T_STACK))
		return 0;
	if (r->smin != r->smax) {
		struct tnum t = tnum_add(r->t, tnum_const((uint64_t)((int64_t)r->off + off)));

		if ((t.v | t.m) & (size - 1))
			return pk_verr(v, pc, "misaligned %saccess R%d: variable offset (known bits 0x%" PRIx64
				       " mask 0x%" PRIx64 ") + %d + %d, size %u",
				       d, regno, r->t.v, r->t.m, r->off, off, size);
		return 0;
	}
	at = (int64_t)r->off + r->smin + off;
	if (at % (int64_t)size)
		return pk_verr(v, pc, "misaligned %saccess R%d off %" PRId64 " size %u",
			       d, regno, at, size);
	return 0;
}

/*
 * check_mem - may the program access @size bytes at @r + @off?  For loads,
 * *@dst (if not NULL) receives the loaded value's abstract state.
 */
static int check_mem(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
		     const struct vreg *r, int regno, int32_t off, uint64_t size,
		     bool write, struct vreg *dst, bool sx, const struct vreg *val)
{
	const struct pk_bpf_prog *prog = v->prog;
	struct access a = { 0, 0, false };
	int err;

	switch (r->type) {
	case T_STACK: {
		struct vframe *fr = s->fr[r->frame];

		err = stack_access(v, pc, s, r, regno, off, size, write, &a);
		if (err)
			return err;
		if (write) {
			if (val && val->type == T_STACK && val->frame > r->frame)
				return pk_verr(v, pc, "cannot spill a pointer to frame %u's stack into frame %u",
					       val->frame, r->frame);
			if (a.fixed && size == 8 && !((a.lo + PK_BPF_STACK_SIZE) % 8) && val) {
				struct vslot *sl = slot_of(fr, a.lo);

				sl->spill = *val;
				sl->spilled = 1;
				sl->init = 0xff;
			} else {
				stack_clobber(fr, &a, a.fixed);
			}
			return 0;
		}
		err = stack_read_init(v, pc, fr, &a, regno);
		if (err)
			return err;
		if (!dst)
			return 0;
		if (a.fixed && size == 8 && !((a.lo + PK_BPF_STACK_SIZE) % 8) &&
		    slot_of(fr, a.lo)->spilled) {
			*dst = slot_of(fr, a.lo)->spill;
			return 0;
		}
		load_result(dst, (unsigned int)size, sx);
		return 0;
	}
	case T_CTX:
		if (prog->kind == PK_BPF_PROG_KEXEC_PARSER) {
			err = access_range(v, pc, r, regno, off, size, &a);
			if (err)
				return err;
			if (write)
				return pk_verr(v, pc, "write into the read-only context (R%d)", regno);
			if (!a.fixed || size != 8 || (a.lo != 0 && a.lo != 8))
				return pk_verr(v, pc, "invalid context access R%d off=%" PRId64
					       " size=%" PRIu64 " (args[0..1], 8 bytes each)",
					       regno, a.lo, size);
			if (dst) {
				if (a.lo == 0) {
					memset(dst, 0, sizeof(*dst));
					dst->type = T_KCTX;
				} else {
					mark_unknown(dst);
				}
			}
			return 0;
		}
		if (prog->kind == PK_BPF_PROG_LSKEL_LOADER && size) {
			/*
			 * A BPF_PROG_TYPE_SYSCALL context in 6.1: check_ptr_off_reg()
			 * (verifier.c 6.1.192 line 3883) wants the context pointer
			 * itself, syscall_prog_is_valid_access() (syscall.c line
			 * 5208) an offset aligned to the size.
			 */
			if (r->off || r->smin || r->smax)
				return pk_verr(v, pc, "dereference of modified ctx ptr R%d off=%d disallowed",
					       regno, r->off);
			if (off % (int64_t)size)
				return pk_verr(v, pc, "invalid bpf_context access off=%d size=%" PRIu64,
					       off, size);
		}
		err = region_check(v, pc, r, regno, off, size, write, v->env->ctx_size,
				   "context");
		break;
	case T_KCTX:
		if (write)
			return pk_verr(v, pc, "write into trusted struct kexec_context (R%d) is not allowed",
				       regno);
		err = access_range(v, pc, r, regno, off, size, &a);
		if (!err && !a.fixed)
			return pk_verr(v, pc, "variable offset into struct kexec_context (R%d)",
				       regno);
		if (!err)
			err = region_check(v, pc, r, regno, off, size, write, 56,
					   "struct kexec_context");
		break;
	case T_MAP_VALUE:
		if (write && (prog->maps[r->map]->map_flags & BPF_F_RDONLY_PROG))
			return pk_verr(v, pc, "write into read-only map '%s' (R%d)",
				       prog->maps[r->map]->name, regno);
		err = region_check(v, pc, r, regno, off, size, write,
				   map_value_size(v, r->map), "map value");
		break;
	case T_MEM:
		if (write && (r->flags & F_RDONLY))
			return pk_verr(v, pc, "write into read-only memory (R%d)", regno);
		err = region_check(v, pc, r, regno, off, size, write, r->size,
				   r->ref ? "ring-buffer record" : "memory");
		break;
	case T_NOT_INIT:
	case T_RELEASED:
		return check_read(v, pc, r, regno);
	case T_MAP_VALUE_OR_NULL:
	case T_MEM_OR_NULL:
	case T_PARSER_CTX_OR_NULL:
		return pk_verr(v, pc, "R%d invalid mem access '%s': possibly NULL, test it first",
			       regno, tname(r));
	default:
		return pk_verr(v, pc, "R%d invalid mem access '%s'%s", regno, tname(r),
			       r->type == T_SCALAR ? " (pointer forged from a scalar)" : "");
	}
	if (err)
		return err;
	if (dst)
		load_result(dst, (unsigned int)size, sx);
	return 0;
}

/* ---- ALU ---- */

/*
 * T_KCTX is the kernel's PTR_TO_BTF_ID: arithmetic is allowed (CO-RE reads
 * hand &ctx->field to bpf_probe_read_kernel); loads through it still need a
 * fixed in-bounds offset (check_mem).
 */
static bool ptr_arith_ok(uint8_t type)
{
	return type == T_STACK || type == T_MAP_VALUE || type == T_MEM ||
	       type == T_CTX || type == T_KCTX;
}

static int check_alu(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s)
{
	const struct bpf_insn *in = &v->prog->insns[pc];
	struct vframe *fr = CUR(s);
	struct vreg *d = &fr->r[in->dst_reg], src;
	bool is64 = PK_BPF_CLASS(in->code) == BPF_ALU64;
	uint8_t op = PK_BPF_OP(in->code);
	int err;

	if (in->dst_reg == BPF_REG_10)
		return pk_verr(v, pc, "frame pointer R10 is read only");
	if (PK_BPF_SRC(in->code) == BPF_X && op != BPF_END) {
		err = check_read(v, pc, &fr->r[in->src_reg], in->src_reg);
		if (err)
			return err;
		src = fr->r[in->src_reg];
	} else {
		mark_const(&src, is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm);
	}
	if (op == BPF_MOV) {
		if (is_ptr(&src) && (!is64 || in->off))
			return pk_verr(v, pc, "R%d 32-bit or sign-extending move of a pointer (%s)",
				       in->src_reg, tname(&src));
		if (is_ptr(&src)) {
			*d = src;
			return 0;
		}
		pk_vreg_alu(in, d, &src);
		return 0;
	}
	err = check_read(v, pc, d, in->dst_reg);
	if (err)
		return err;
	if (!is_ptr(d) && !is_ptr(&src)) {
		pk_vreg_alu(in, d, &src);
		return 0;
	}
	/* pointer arithmetic: ptr +/- scalar (64-bit), or ptr - ptr */
	if (!is64)
		return pk_verr(v, pc, "32-bit arithmetic on a pointer (R%d %s)", in->dst_reg,
			       tname(is_ptr(d) ? d : &src));
	if (is_ptr(d) && is_ptr(&src)) {
		if (op == BPF_SUB && d->type == src.type && d->type == T_STACK) {
			mark_unknown(d);
			return 0;
		}
		return pk_verr(v, pc, "R%d pointer %s pointer prohibited", in->dst_reg,
			       op == BPF_SUB ? "-" : "op");
	}
	if (op == BPF_ADD && !is_ptr(d)) { /* scalar += ptr: swap */
		struct vreg t = *d;

		*d = src;
		src = t;
	} else if (!is_ptr(d) || (op != BPF_ADD && op != BPF_SUB)) {
		return pk_verr(v, pc, "R%d pointer arithmetic with %s prohibited (%s)",
			       in->dst_reg, is_ptr(d) ? "this operation" : "a pointer operand",
			       tname(is_ptr(d) ? d : &src));
	}
	if (!ptr_arith_ok(d->type))
		return pk_verr(v, pc, "R%d pointer arithmetic on %s prohibited", in->dst_reg,
			       tname(d));
	if (d->ref && d->type == T_MEM) {
		/* allowed, but the release helpers demand the original pointer */
	}
	if (is_const(&src)) {
		int64_t c = (int64_t)src.umin, no;

		if (op == BPF_SUB)
			c = -c;
		if (c < -PK_PTR_OFF_MAX || c > PK_PTR_OFF_MAX ||
		    pk_add_overflow((int64_t)d->off, c, &no) || no < -PK_PTR_OFF_MAX ||
		    no > PK_PTR_OFF_MAX)
			return pk_verr(v, pc, "R%d pointer arithmetic out of bounds (offset %" PRId64 ")",
				       in->dst_reg, (int64_t)d->off + c);
		d->off = (int32_t)no;
		return 0;
	}
	if (src.smin < -PK_PTR_OFF_MAX || src.smax > PK_PTR_OFF_MAX)
		return pk_verr(v, pc, "R%d pointer arithmetic with an unbounded scalar (R%d range [%" PRId64 ", %" PRId64 "]): bound it first",
			       in->dst_reg, in->src_reg, src.smin, src.smax);
	if (op == BPF_ADD) {
		d->t = tnum_add(ptr_var(d), src.t);
		d->smin += src.smin;
		d->smax += src.smax;
	} else {
		d->t = tnum_sub(ptr_var(d), src.t);
		d->smin -= src.smax;
		d->smax -= src.smin;
	}
	if (d->smin < -PK_PTR_OFF_MAX || d->smax > PK_PTR_OFF_MAX)
		return pk_verr(v, pc, "R%d pointer arithmetic out of bounds", in->dst_reg);
	return 0;
}

/* ---- conditional jumps ---- */

static int push(struct vctx *c, struct pk_vstate *s)
{
	int err;

	if (++c->v->states > PK_BPF_MAX_STATES) {
		pk_vstate_free(s);
		return pk_err(c->v->ctx, -E2BIG,
			      "program too complex: more than %d verifier states",
			      PK_BPF_MAX_STATES);
	}
	err = pk_vstate_charge(c->v, s->pc, state_bytes(s));
	if (err) {
		pk_vstate_free(s);
		return err;
	}
	s->next = c->work;
	c->work = s;
	return 0;
}

/*
 * A conditional jump: *@ret_s continues on one branch (or NULL if neither
 * is feasible, which cannot happen), the other is pushed.
 */
static int check_cond(struct vctx *c, struct pk_vstate *s, bool *ret_done)
{
	struct pk_verifier *v = c->v;
	uint32_t pc = s->pc;
	const struct bpf_insn *in = &v->prog->insns[pc];
	bool is32 = PK_BPF_CLASS(in->code) == BPF_JMP32;
	uint8_t op = PK_BPF_OP(in->code);
	struct vframe *fr = CUR(s);
	struct vreg *d = &fr->r[in->dst_reg], *sr = NULL, k;
	struct pk_vstate *t;
	bool can[2] = { true, true }; /* [0] fall through, [1] taken */
	int err, br;

	err = check_read(v, pc, d, in->dst_reg);
	if (err)
		return err;
	if (PK_BPF_SRC(in->code) == BPF_X) {
		sr = &fr->r[in->src_reg];
		err = check_read(v, pc, sr, in->src_reg);
		if (err)
			return err;
		k = *sr;
	} else {
		mark_const(&k, is32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm);
	}
	*ret_done = false;
	/* NULL checks */
	if ((op == BPF_JEQ || op == BPF_JNE) && !is32 &&
	    ((is_or_null(d) && is_const(&k) && !k.umin) ||
	     (sr && is_or_null(sr) && is_const(d) && !d->umin))) {
		struct vreg p = is_or_null(d) ? *d : *sr;

		t = pk_vstate_copy(s);
		if (!t)
			return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
		/* taken branch of JEQ: NULL */
		mark_null(t, &p, op == BPF_JEQ);
		mark_null(s, &p, op != BPF_JEQ);
		t->pc = pc + 1 + in->off;
		s->pc = pc + 1;
		return push(c, t);
	}
	if (is_ptr(d) || is_ptr(&k)) {
		if (is_or_null(d) || is_or_null(&k))
			return pk_verr(v, pc, "comparison of a possibly-NULL pointer with something else than 0");
		/* pointers: no refinement, both ways */
	} else {
		struct vreg d0 = *d, d1 = *d;

		if (is_const(&k)) {
			can[0] = pk_vreg_refine(&d0, op, is32, k.umin, false);
			can[1] = pk_vreg_refine(&d1, op, is32, k.umin, true);
		} else if (is_const(d) && sr) {
			struct vreg s0 = *sr, s1 = *sr;

			can[0] = pk_vreg_refine(&s0, pk_vreg_swap_op(op), is32, d->umin, false);
			can[1] = pk_vreg_refine(&s1, pk_vreg_swap_op(op), is32, d->umin, true);
			if (can[0] && can[1]) {
				t = pk_vstate_copy(s);
				if (!t)
					return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
				CUR(t)->r[in->src_reg] = s1;
				CUR(s)->r[in->src_reg] = s0;
				t->pc = pc + 1 + in->off;
				s->pc = pc + 1;
				return push(c, t);
			}
			d0 = *d;
			d1 = *d;
		}
		if (can[0] && can[1]) {
			t = pk_vstate_copy(s);
			if (!t)
				return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
			CUR(t)->r[in->dst_reg] = d1;
			*d = d0;
			t->pc = pc + 1 + in->off;
			s->pc = pc + 1;
			return push(c, t);
		}
		br = can[1] ? 1 : 0;
		if (!can[0] && !can[1]) {
			*ret_done = true; /* dead path */
			return 0;
		}
		*d = br ? d1 : d0;
		s->pc = br ? pc + 1 + in->off : pc + 1;
		return 0;
	}
	t = pk_vstate_copy(s);
	if (!t)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	t->pc = pc + 1 + in->off;
	s->pc = pc + 1;
	return push(c, t);
}

/* ---- calls ---- */

static int check_mem_arg(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
			 int regno, const struct vreg *size, bool write,
			 bool or_null)
{
	const struct vreg *r = &CUR(s)->r[regno];
	uint64_t n;
	struct access a = { 0, 0, false };
	int err;

	if (size->type != T_SCALAR)
		return pk_verr(v, pc, "R%d size argument must be a scalar, not %s",
			       regno + 1, tname(size));
	if (size->umax > PK_PTR_OFF_MAX)
		return pk_verr(v, pc, "R%d unbounded size argument (max %" PRIu64 "): bound it first",
			       regno + 1, size->umax);
	n = size->umax;
	if (or_null && r->type == T_SCALAR && is_const(r) && !r->umin) {
		if (size->umax)
			return pk_verr(v, pc, "R%d NULL memory with a non-zero size", regno);
		return 0;
	}
	if (!n)
		return 0;
	if (write && r->type == T_STACK) {
		err = stack_access(v, pc, s, r, regno, 0, n, true, &a);
		if (err)
			return err;
		/* filled by the helper: initialised only where surely written */
		if (a.fixed && size->umin == size->umax)
			stack_clobber(s->fr[r->frame], &a, true);
		else
			stack_clobber(s->fr[r->frame], &a, false);
		return 0;
	}
	return check_mem(v, pc, s, r, regno, 0, n, write, NULL, false, NULL);
}

static int check_helper_args(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
			     const struct pk_bpf_helper *h, uint32_t *ret_map,
			     uint32_t *ret_release, uint64_t *ret_const)
{
	struct vframe *fr = CUR(s);
	int64_t map = -1;
	int i, err;

	*ret_release = 0;
	for (i = 0; i < 5; i++) {
		const struct vreg *r = &fr->r[i + 1];
		uint8_t kind = h->args[i];

		if (kind == PK_BPF_ARG_NONE)
			continue;
		err = check_read(v, pc, r, i + 1);
		if (err)
			return err;
		switch (kind) {
		case PK_BPF_ARG_ANYTHING:
			break;
		case PK_BPF_ARG_SCALAR:
		case PK_BPF_ARG_SIZE:
		case PK_BPF_ARG_SIZE_OR_ZERO:
			if (r->type != T_SCALAR)
				return pk_verr(v, pc, "%s: R%d must be a scalar, not %s",
					       h->name, i + 1, tname(r));
			if (kind == PK_BPF_ARG_SIZE && !r->umin)
				return pk_verr(v, pc, "%s: R%d size may be 0", h->name, i + 1);
			break;
		case PK_BPF_ARG_CONST_SIZE:
			if (!is_const(r))
				return pk_verr(v, pc, "%s: R%d size must be a known constant",
					       h->name, i + 1);
			*ret_const = r->umin;
			if (map >= 0 && v->prog->maps[map]->type == BPF_MAP_TYPE_RINGBUF &&
			    (r->umin > v->prog->maps[map]->max_entries ||
			     r->umin + 8 > v->prog->maps[map]->max_entries))
				return pk_verr(v, pc, "%s: reservation of %" PRIu64
					       " bytes can never fit ring buffer '%s' of %u bytes",
					       h->name, r->umin, v->prog->maps[map]->name,
					       v->prog->maps[map]->max_entries);
			if (r->umin > PK_PTR_OFF_MAX)
				return pk_verr(v, pc, "%s: size %" PRIu64 " too large", h->name,
					       r->umin);
			break;
		case PK_BPF_ARG_MEM_RO:
		case PK_BPF_ARG_MEM_RO_OR_NULL:
		case PK_BPF_ARG_MEM_UNINIT:
			if (i == 4 || (h->args[i + 1] != PK_BPF_ARG_SIZE &&
				       h->args[i + 1] != PK_BPF_ARG_SIZE_OR_ZERO))
				return pk_verr(v, pc, "%s: helper table: memory argument %d without a size",
					       h->name, i + 1);
			err = check_read(v, pc, &fr->r[i + 2], i + 2);
			if (err)
				return err;
			err = check_mem_arg(v, pc, s, i + 1, &fr->r[i + 2],
					    kind == PK_BPF_ARG_MEM_UNINIT,
					    kind == PK_BPF_ARG_MEM_RO_OR_NULL);
			if (err)
				return pk_err_prefix(v->ctx, err, "%s", h->name);
			break;
		case PK_BPF_ARG_CTX:
			if (r->type != T_CTX || r->off || r->smin || r->smax)
				return pk_verr(v, pc, "%s: R%d must be the unmodified context",
					       h->name, i + 1);
			break;
		case PK_BPF_ARG_MAP:
			if (r->type != T_MAP_PTR)
				return pk_verr(v, pc, "%s: R%d must be a map pointer, not %s",
					       h->name, i + 1, tname(r));
			map = r->map;
			*ret_map = r->map;
			if ((h->id == BPF_FUNC_map_lookup_elem || h->id == BPF_FUNC_map_update_elem) &&
			    h == pk_bpf_builtin_helper(h->id) &&
			    v->prog->maps[map]->type != BPF_MAP_TYPE_ARRAY)
				return pk_verr(v, pc, "%s: map '%s' is not an array map", h->name,
					       v->prog->maps[map]->name);
			if (h->id >= BPF_FUNC_ringbuf_output && h->id <= BPF_FUNC_ringbuf_discard &&
			    h == pk_bpf_builtin_helper(h->id) &&
			    v->prog->maps[map]->type != BPF_MAP_TYPE_RINGBUF)
				return pk_verr(v, pc, "%s: map '%s' is not a ring buffer", h->name,
					       v->prog->maps[map]->name);
			if (h->id == BPF_FUNC_map_update_elem &&
			    (v->prog->maps[map]->map_flags & BPF_F_RDONLY_PROG))
				return pk_verr(v, pc, "%s: write into read-only map '%s'", h->name,
					       v->prog->maps[map]->name);
			break;
		case PK_BPF_ARG_MAP_KEY:
		case PK_BPF_ARG_MAP_VALUE: {
			struct vreg sz;

			if (map < 0)
				return pk_verr(v, pc, "%s: helper table: key/value before the map",
					       h->name);
			mark_const(&sz, kind == PK_BPF_ARG_MAP_KEY ? v->prog->maps[map]->key_size
							       : v->prog->maps[map]->value_size);
			err = check_mem_arg(v, pc, s, i + 1, &sz, false, false);
			if (err)
				return pk_err_prefix(v->ctx, err, "%s", h->name);
			break;
		}
		case PK_BPF_ARG_RINGBUF_MEM:
			if (r->type != T_MEM || !r->ref)
				return pk_verr(v, pc, "%s: R%d must be a held ring-buffer record, not %s",
					       h->name, i + 1, r->type == T_MEM_OR_NULL ?
					       "a possibly-NULL one" : tname(r));
			if (r->off || r->smin || r->smax)
				return pk_verr(v, pc, "%s: R%d must point to the start of the record",
					       h->name, i + 1);
			if (h->flags & PK_BPF_FN_RELEASE)
				*ret_release = r->ref;
			break;
		case PK_BPF_ARG_PARSER_CTX:
			if (r->type != T_PARSER_CTX)
				return pk_verr(v, pc, "%s: R%d must be a held parser context, not %s",
					       h->name, i + 1, tname(r));
			if (h->flags & PK_BPF_FN_RELEASE)
				*ret_release = r->ref;
			break;
		case PK_BPF_ARG_U64_OUT: {
			struct vreg sz;

			mark_const(&sz, 8);
			err = check_mem_arg(v, pc, s, i + 1, &sz, true, false);
			if (err)
				return pk_err_prefix(v->ctx, err, "%s", h->name);
			break;
		}
		default:
			return pk_verr(v, pc, "%s: unknown argument kind %u", h->name, kind);
		}
	}
	return 0;
}

static int acquire(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
		   uint8_t type, uint32_t *ret_ref)
{
	if (s->nref >= PK_MAX_REFS)
		return pk_verr(v, pc, "more than %d references held", PK_MAX_REFS);
	*ret_ref = ++v->next_id;
	s->refs[s->nref] = *ret_ref;
	s->ref_type[s->nref++] = type;
	return 0;
}

static int check_helper_call(struct pk_verifier *v, uint32_t pc, struct pk_vstate *s,
			     const struct pk_bpf_helper *h)
{
	struct vframe *fr = CUR(s);
	uint32_t map = 0, release = 0, ref = 0;
	uint64_t csize = 0;
	struct vreg *r0 = &fr->r[0];
	int i, err;

	v->aux[pc].fn = h;
	err = check_helper_args(v, pc, s, h, &map, &release, &csize);
	if (err)
		return err;
	if (release) {
		err = release_ref(v, pc, s, release);
		if (err)
			return err;
	}
	for (i = 1; i <= 5; i++)
		memset(&fr->r[i], 0, sizeof(fr->r[i]));
	switch (h->ret) {
	case PK_BPF_RET_INTEGER:
		mark_unknown(r0);
		break;
	case PK_BPF_RET_VOID:
		memset(r0, 0, sizeof(*r0));
		break;
	case PK_BPF_RET_MAP_VALUE_OR_NULL:
		memset(r0, 0, sizeof(*r0));
		r0->type = T_MAP_VALUE_OR_NULL;
		r0->map = map;
		r0->id = ++v->next_id;
		break;
	case PK_BPF_RET_RINGBUF_MEM_OR_NULL:
		err = acquire(v, pc, s, T_MEM, &ref);
		if (err)
			return err;
		memset(r0, 0, sizeof(*r0));
		r0->type = T_MEM_OR_NULL;
		r0->size = (uint32_t)csize;
		r0->id = ++v->next_id;
		r0->ref = ref;
		break;
	case PK_BPF_RET_PARSER_CTX_OR_NULL:
		err = acquire(v, pc, s, T_PARSER_CTX, &ref);
		if (err)
			return err;
		memset(r0, 0, sizeof(*r0));
		r0->type = T_PARSER_CTX_OR_NULL;
		r0->id = ++v->next_id;
		r0->ref = ref;
		break;
	default:
		return pk_verr(v, pc, "%s: unknown return kind %u", h->name, h->ret);
	}
	return 0;
}

static int check_call(struct vctx *c, struct pk_vstate *s)
{
	struct pk_verifier *v = c->v;
	uint32_t pc = s->pc;
	const struct bpf_insn *in = &v->prog->insns[pc];
	const struct pk_bpf_helper *h;

	if (in->code == (BPF_JMP | BPF_CALL | BPF_X)) {
		const struct vreg *r = &CUR(s)->r[in->dst_reg];
		int err = check_read(v, pc, r, in->dst_reg);

		if (err)
			return err;
		/* callx: only a register the verifier knows to hold one helper id */
		if (!is_const(r) || r->umin > UINT32_MAX)
			return pk_verr(v, pc, "callx R%u: target is not a known constant helper id",
				       in->dst_reg);
		if (v->aux[pc].fn && v->aux[pc].fn->id != r->umin)
			return pk_verr(v, pc, "callx R%u: different helpers on different paths",
				       in->dst_reg);
		h = pk_bpf_find_helper(v->env, (uint32_t)r->umin);
		if (!h)
			return pk_verr(v, pc, "callx: unknown helper %" PRIu64 " (%s)", r->umin,
				       pk_bpf_helper_name((uint32_t)r->umin) ?
				       pk_bpf_helper_name((uint32_t)r->umin) : "no such helper");
		return check_helper_call(v, pc, s, h);
	}
	if (in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		h = pk_bpf_kfunc_by_id((uint32_t)in->imm);
		if (!h)
			return pk_verr(v, pc, "unknown kfunc id %d", in->imm);
		if (v->prog->kind != PK_BPF_PROG_KEXEC_PARSER)
			return pk_verr(v, pc, "kfunc %s is only available to kexec parser programs",
				       h->name);
		return check_helper_call(v, pc, s, h);
	}
	h = pk_bpf_find_helper(v->env, (uint32_t)in->imm);
	if (!h)
		return pk_verr(v, pc, "unknown helper %d (%s)", in->imm,
			       pk_bpf_helper_name((uint32_t)in->imm) ?
			       pk_bpf_helper_name((uint32_t)in->imm) : "no such helper");
	return check_helper_call(v, pc, s, h);
}

static int check_bpf_call(struct pk_verifier *v, struct pk_vstate *s)
{
	uint32_t pc = s->pc, target = pc + 1 + (uint32_t)v->prog->insns[pc].imm, i;
	struct vframe *caller = CUR(s), *callee;

	if (s->nframe >= PK_BPF_MAX_FRAMES)
		return pk_verr(v, pc, "call depth exceeds %d frames", PK_BPF_MAX_FRAMES);
	callee = calloc(1, sizeof(*callee));
	if (!callee)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	for (i = 1; i <= 5; i++)
		callee->r[i] = caller->r[i];
	memset(&callee->r[10], 0, sizeof(callee->r[10]));
	callee->r[10].type = T_STACK;
	callee->r[10].frame = (uint8_t)s->nframe;
	callee->callsite = pc;
	callee->sub = v->sub_of[target];
	for (i = 1; i <= 5; i++) /* caller-saved registers are clobbered */
		memset(&caller->r[i], 0, sizeof(caller->r[i]));
	s->fr[s->nframe++] = callee;
	s->pc = target;
	return 0;
}

static int check_exit(struct pk_verifier *v, struct pk_vstate *s, bool *ret_done)
{
	uint32_t pc = s->pc;
	struct vframe *fr = CUR(s), *caller;
	int err = check_read(v, pc, &fr->r[0], 0);

	if (err)
		return pk_err_prefix(v->ctx, err, "at exit");
	if (s->nframe == 1) {
		if (s->nref)
			return pk_verr(v, pc, "unreleased reference %u (%s) at program exit",
				       s->refs[0], s->ref_type[0] == T_MEM ?
				       "ring-buffer record: submit or discard it" :
				       "parser context: put it");
		if (v->prog->kind == PK_BPF_PROG_KEXEC_PARSER) {
			const struct vreg *r0 = &fr->r[0];

			/*
			 * An fentry program's return value goes nowhere, and
			 * the kernel's check_return_code() demands exactly 0
			 * from it; a program that fails must say so with a
			 * failing command (docs/parsers.md).
			 */
			if (r0->type != T_SCALAR)
				return pk_verr(v, pc, "R0 must be a scalar at program exit, not %s",
					       tname(r0));
			if (r0->umax != 0 && r0->umin == r0->umax)
				return pk_verr(v, pc, "R0 is %" PRId64 " at program exit; an fentry parser program must return 0",
					       (int64_t)r0->umin);
			if (r0->umax != 0)
				return pk_verr(v, pc, "R0 may be in [%" PRId64 ", %" PRId64 "] at program exit; an fentry parser program must return 0",
					       r0->smin, r0->smax);
		}
		*ret_done = true;
		return 0;
	}
	if (fr->r[0].type == T_STACK && fr->r[0].frame == s->nframe - 1)
		return pk_verr(v, pc, "returning a pointer to the callee's own stack");
	caller = s->fr[s->nframe - 2];
	caller->r[0] = fr->r[0];
	s->pc = fr->callsite + 1;
	free(fr);
	s->nframe--;
	*ret_done = false;
	return 0;
}

/* ---- one instruction ---- */

static int step(struct vctx *c, struct pk_vstate *s, bool *ret_done)
{
	struct pk_verifier *v = c->v;
	uint32_t pc = s->pc;
	const struct bpf_insn *in = &v->prog->insns[pc];
	struct vframe *fr = CUR(s);
	uint8_t cls = PK_BPF_CLASS(in->code);
	int err;

	*ret_done = false;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		err = check_alu(v, pc, s);
		s->pc++;
		return err;
	case BPF_LDX: {
		struct vreg val;
		const struct vreg *base = &fr->r[in->src_reg];

		if (in->dst_reg == BPF_REG_10)
			return pk_verr(v, pc, "frame pointer R10 is read only");
		err = check_read(v, pc, base, in->src_reg);
		if (!err)
			err = check_align(v, pc, base, in->src_reg, in->off,
					  pk_bpf_size_bytes(in->code), false);
		if (!err)
			err = check_mem(v, pc, s, base, in->src_reg, in->off,
					pk_bpf_size_bytes(in->code), false, &val,
					PK_BPF_MODE(in->code) == BPF_MEMSX, NULL);
		if (err)
			return err;
		fr->r[in->dst_reg] = val;
		s->pc++;
		return 0;
	}
	case BPF_ST:
	case BPF_STX: {
		const struct vreg *base = &fr->r[in->dst_reg];
		struct vreg val;
		unsigned int n = pk_bpf_size_bytes(in->code);

		err = check_read(v, pc, base, in->dst_reg);
		if (err)
			return err;
		if (cls == BPF_ST) {
			mark_const(&val, (uint64_t)(int64_t)in->imm);
		} else {
			err = check_read(v, pc, &fr->r[in->src_reg], in->src_reg);
			if (err)
				return err;
			val = fr->r[in->src_reg];
		}
		if (PK_BPF_MODE(in->code) == BPF_ATOMIC) {
			if (is_ptr(&val))
				return pk_verr(v, pc, "atomic operation with a pointer operand R%u",
					       in->src_reg);
			if (in->imm == BPF_CMPXCHG) {
				err = check_read(v, pc, &fr->r[0], 0);
				if (err)
					return err;
				if (is_ptr(&fr->r[0]))
					return pk_verr(v, pc, "cmpxchg with a pointer in R0");
			}
			/* read-modify-write: both checks; the slot becomes data */
			err = check_align(v, pc, base, in->dst_reg, in->off, n, true);
			if (!err)
				err = check_mem(v, pc, s, base, in->dst_reg, in->off, n, false,
					&val, false, NULL);
			if (!err)
				err = check_mem(v, pc, s, base, in->dst_reg, in->off, n, true,
						NULL, false, NULL);
			if (err)
				return err;
			if (in->imm == BPF_CMPXCHG)
				load_result(&fr->r[0], n, false);
			else if (in->imm & BPF_FETCH)
				load_result(&fr->r[in->src_reg], n, false);
			s->pc++;
			return 0;
		}
		err = check_align(v, pc, base, in->dst_reg, in->off, n, false);
		if (!err)
			err = check_mem(v, pc, s, base, in->dst_reg, in->off, n, true, NULL,
					false, n == 8 ? &val : NULL);
		if (err)
			return err;
		s->pc++;
		return 0;
	}
	case BPF_LD: {
		struct vreg *d = &fr->r[in->dst_reg];
		uint32_t map = (uint32_t)in->imm;

		if (in->dst_reg == BPF_REG_10)
			return pk_verr(v, pc, "frame pointer R10 is read only");
		if (in->src_reg == 0) {
			mark_const(d, (uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32);
		} else if (in->src_reg == BPF_PSEUDO_MAP_IDX) {
			memset(d, 0, sizeof(*d));
			d->type = T_MAP_PTR;
			d->map = map;
		} else {
			const struct pk_bpf_map *m = v->prog->maps[map];

			if (m->type != BPF_MAP_TYPE_ARRAY || !m->data)
				return pk_verr(v, pc, "direct value access to map '%s' that has no values",
					       m->name);
			if ((uint32_t)in[1].imm >= m->value_size)
				return pk_verr(v, pc, "direct value offset %u outside map '%s' value of %u bytes",
					       (uint32_t)in[1].imm, m->name, m->value_size);
			memset(d, 0, sizeof(*d));
			d->type = T_MAP_VALUE;
			d->map = map;
			d->off = (int32_t)(uint32_t)in[1].imm;
		}
		s->pc += 2;
		return 0;
	}
	case BPF_JMP:
	case BPF_JMP32:
		switch (PK_BPF_OP(in->code)) {
		case BPF_JA:
			s->pc = pk_jump_target(in, pc);
			return 0;
		case BPF_EXIT:
			return check_exit(v, s, ret_done);
		case BPF_CALL:
			if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL)
				return check_bpf_call(v, s);
			err = check_call(c, s);
			s->pc++;
			return err;
		default:
			return check_cond(c, s, ret_done);
		}
	}
	return pk_verr(v, pc, "unknown opcode 0x%02x", in->code);
}

static struct pk_vstate *initial_state(struct pk_verifier *v)
{
	struct pk_vstate *s = calloc(1, sizeof(*s));
	struct vframe *fr;

	if (!s)
		return NULL;
	fr = calloc(1, sizeof(*fr));
	if (!fr) {
		free(s);
		return NULL;
	}
	s->fr[0] = fr;
	s->nframe = 1;
	fr->r[10].type = T_STACK;
	switch (v->prog->kind) {
	case PK_BPF_PROG_RAW:
		if (v->env->ctx_size) {
			fr->r[1].type = T_MEM;
			fr->r[1].size = (uint32_t)v->env->ctx_size;
		} else {
			mark_const(&fr->r[1], 0);
		}
		mark_const(&fr->r[2], v->env->ctx_size);
		break;
	default:
		fr->r[1].type = T_CTX;
		break;
	}
	return s;
}

int pk_verify_paths(struct pk_verifier *v)
{
	struct vctx c = { .v = v, .work = NULL };
	struct pk_vstate *s;
	int err = 0;

	if (v->prog->kind == PK_BPF_PROG_RAW && v->env->ctx_size > PK_PTR_OFF_MAX)
		return pk_err(v->ctx, -EINVAL, "memory of %zu bytes is too large",
			      v->env->ctx_size);
	s = initial_state(v);
	if (!s)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	c.work = s;
	v->mem = state_bytes(s);
	while (!err && c.work) {
		bool done = false;

		s = c.work;
		c.work = s->next;
		s->next = NULL;
		v->mem -= state_bytes(s); /* charged by push() or below */
		while (!done) {
			if (v->prof)
				v->prof->visits[s->pc]++;
			if (++v->processed > PK_BPF_MAX_INSNS) {
				err = pk_err(v->ctx, -E2BIG,
					     "program too complex: more than %d instructions explored (insn %u)",
					     PK_BPF_MAX_INSNS, s->pc);
				break;
			}
			if (v->flags[s->pc] & PK_VF_PRUNE) {
				err = pk_vprune_point(v, s, &done);
				if (err || done)
					break;
			}
			err = step(&c, s, &done);
			if (err)
				break;
		}
		pk_vstate_free(s);
	}
	while (c.work) {
		s = c.work;
		c.work = s->next;
		pk_vstate_free(s);
	}
	return err;
}

int pk_bpf_verify_aux(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		      const struct pk_bpf_prog *prog, struct pk_insn_aux *aux)
{
	struct pk_verifier v = { .ctx = ctx, .env = env, .prog = prog, .aux = aux };
	uint32_t cnt = prog->insn_cnt, i;
	int err;

	if (prog->kind != PK_BPF_PROG_RAW && prog->kind != PK_BPF_PROG_KEXEC_PARSER &&
	    prog->kind != PK_BPF_PROG_LSKEL_LOADER)
		return pk_err(ctx, -EINVAL, "unknown program kind %d", prog->kind);
	for (i = 0; i < prog->map_cnt; i++)
		if (!prog->maps[i])
			return pk_err(ctx, -EINVAL, "map %u missing", i);
	v.flags = calloc(cnt, 1);
	v.sub_of = calloc(cnt, sizeof(*v.sub_of));
	v.stored = calloc(cnt, sizeof(*v.stored));
	v.visits = calloc(cnt, sizeof(*v.visits));
	if (!v.flags || !v.sub_of || !v.stored || !v.visits) {
		err = pk_err(ctx, -ENOMEM, "verifier: out of memory");
		goto out;
	}
	if (getenv("PK_VERIFIER_PROFILE")) {
		v.prof = calloc(1, sizeof(*v.prof));
		if (v.prof)
			v.prof->visits = calloc(cnt, sizeof(*v.prof->visits));
		if (!v.prof || !v.prof->visits) {
			err = pk_err(ctx, -ENOMEM, "verifier: out of memory");
			goto out;
		}
	}
	err = pk_verify_cfg(&v);
	if (!err)
		err = pk_verify_liveness(&v);
	if (!err)
		err = pk_vcollect_thresholds(&v);
	if (!err)
		err = pk_verify_paths(&v);
	if (!err)
		err = pk_verify_stack_depth(&v);
	if (!err)
		pk_debug(ctx, "verifier: %u instructions, %u functions: %" PRIu64
			 " instructions explored, %" PRIu64 " branch states, %" PRIu64
			 " KiB of states at most, %" PRIu64 " frame comparisons",
			 cnt, v.sub_cnt, v.processed, v.states, v.mem_peak >> 10, v.cmp);
	if (!err && v.prof)
		pk_vprof_report(&v);
out:
	if (v.prof)
		free(v.prof->visits);
	free(v.prof);
	if (v.stored)
		for (i = 0; i < cnt; i++)
			while (v.stored[i]) {
				struct pk_vstate *nx = v.stored[i]->next;

				pk_vstate_free(v.stored[i]);
				v.stored[i] = nx;
			}
	free(v.stored);
	free(v.visits);
	free(v.thr_u);
	free(v.thr_s);
	free(v.flags);
	free(v.live);
	free(v.slive);
	free(v.spill_live);
	free(v.sub_of);
	free(v.subs);
	return err;
}
