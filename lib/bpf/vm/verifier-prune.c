// SPDX-License-Identifier: MIT
/*
 * verifier-prune.c - pruning and widening.  At a prune point (jump target
 * or branch fall-through, verifier-cfg.c) a state contained in a stored
 * one is not explored further: only live registers and the running
 * frame's live stack slots count (verifier-live.c), and a stored state
 * that keeps failing to prune is dropped.  A join point visited often
 * widens the bounds that keep changing, to the program's own compare
 * constants first, then to the type's limits, so loops converge.
 * PK_VERIFIER_PROFILE=1 reports where exploration went.
 */
#include <inttypes.h>
#include <stdio.h>

#include "verifier-state.h"

/* Is every value @cur may hold one @old was explored with? */
static bool reg_within(const struct vreg *old, const struct vreg *cur)
{
	if (old->type == T_NOT_INIT)
		return true; /* never read from here on, on any path */
	if (old->type != cur->type)
		return false;
	if (old->type == T_SCALAR)
		return cur->umin >= old->umin && cur->umax <= old->umax &&
		       cur->smin >= old->smin && cur->smax <= old->smax &&
		       cur->u32min >= old->u32min && cur->u32max <= old->u32max &&
		       cur->s32min >= old->s32min && cur->s32max <= old->s32max &&
		       tnum_in(old->t, cur->t);
	if (old->type == T_RELEASED)
		return true;
	return old->off == cur->off && old->frame == cur->frame &&
	       old->flags == cur->flags && old->size == cur->size &&
	       old->map == cur->map && old->id == cur->id && old->ref == cur->ref &&
	       cur->smin >= old->smin && cur->smax <= old->smax &&
	       tnum_in(ptr_var(old), ptr_var(cur)); /* the known bits decide alignment */
}

/*
 * Registers of frame @f that can still be read when @s goes on: the live
 * ones at s->pc for the running frame; for a caller, those live where it
 * resumes that r6..r9 carry across the call (verifier-live.c).
 */
static uint16_t live_regs(const struct pk_verifier *v, const struct pk_vstate *s,
			  uint32_t f)
{
	if (f + 1 == s->nframe)
		return v->live[s->pc];
	return v->live[s->fr[f + 1]->callsite + 1] & 0x3c0; /* r6..r9 */
}

/*
 * Is every value @cur may hold one @old was explored with?  -1 if so, else
 * what differed first (struct pk_vprof's reasons): 0 frames or
 * references, 1 + n register n, 11 + 4 * slot + k stack slot (k: 0 init
 * bytes, 1 spilled pointer, 2 spilled scalar, 3 pointer spilled in @cur
 * only).
 */
static int state_miss(const struct pk_verifier *v, const struct pk_vstate *old,
		      const struct pk_vstate *cur)
{
	uint32_t f, i;

	if (old->nframe != cur->nframe || old->nref != cur->nref)
		return 0;
	for (i = 0; i < old->nref; i++)
		if (old->refs[i] != cur->refs[i])
			return 0;
	for (f = 0; f < old->nframe; f++) {
		const struct vframe *a = old->fr[f], *b = cur->fr[f];
		uint16_t live = live_regs(v, old, f);
		/* the running frame's dead slots never matter either, nor a
		 * spill no path loads again (verifier-live.c; a live spill's
		 * slot is live); a caller's slots may still be read through a
		 * pointer: all count */
		bool top = f + 1 == old->nframe;
		uint64_t ilive = top ? v->slive[old->pc] : UINT64_MAX;
		uint64_t slive = top ? v->spill_live[old->pc] : UINT64_MAX;

		if (a->callsite != b->callsite)
			return 0;
		for (i = 0; i < BPF_REG_10; i++) /* r10: the frame, always equal */
			if ((live & (1u << i)) && !reg_within(&a->r[i], &b->r[i]))
				return 1 + (int)i; /* a dead register never matters */
		for (; ilive; ilive &= ilive - 1) {
			const struct vslot *x, *y;
			int r;

			i = (uint32_t)__builtin_ctzll(ilive);
			x = &a->slot[i];
			y = &b->slot[i];
			r = 11 + 4 * (int)i;
			if (!(slive & (UINT64_C(1) << i))) {
				/* read, if at all, only as bytes after a store
				 * dropped the spill: the init bytes decide */
				if ((x->init & y->init) != x->init)
					return r;
				continue;
			}
			if ((x->init & y->init) != x->init)
				return r;
			if (x->spilled && x->spill.type != T_SCALAR) {
				if (!y->spilled || !reg_within(&x->spill, &y->spill))
					return r + 1;
			} else if (x->spilled) {
				if (y->spilled && !reg_within(&x->spill, &y->spill))
					return r + 2;
				if (!y->spilled && !is_unknown(&x->spill))
					return r + 2;
			} else if (y->spilled && y->spill.type != T_SCALAR && x->init) {
				return r + 3;
			}
		}
	}
	return -1;
}

static bool state_within(const struct pk_verifier *v, const struct pk_vstate *old,
			 const struct pk_vstate *cur)
{
	int miss = state_miss(v, old, cur);

	if (miss >= 0 && v->prof)
		v->prof->miss[miss]++;
	return miss < 0;
}

#define THR_SIGN (UINT64_C(1) << 63) /* x ^ THR_SIGN: signed order as unsigned */

/*
 * The smallest threshold >= @x (@up) or the largest <= @x in @thr (sorted,
 * v->thr_cnt values), else the limit: UINT64_MAX up, 0 down (INT64_MAX and
 * INT64_MIN for thr_s's encoding).
 */
static uint64_t thr_find(const struct pk_verifier *v, const uint64_t *thr, uint64_t x,
			 bool up)
{
	uint32_t lo = 0, hi = v->thr_cnt;

	if (!v->thr_on)
		return up ? UINT64_MAX : 0;

	while (lo < hi) { /* first index with thr[i] >= x */
		uint32_t mid = lo + (hi - lo) / 2;

		if (thr[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (up)
		return lo < v->thr_cnt ? thr[lo] : UINT64_MAX;
	if (lo < v->thr_cnt && thr[lo] == x)
		return x;
	return lo ? thr[lo - 1] : 0;
}

static uint64_t thr_u(const struct pk_verifier *v, uint64_t x, bool up)
{
	return thr_find(v, v->thr_u, x, up);
}

static int64_t thr_s(const struct pk_verifier *v, int64_t x, bool up)
{
	return (int64_t)(thr_find(v, v->thr_s, (uint64_t)x ^ THR_SIGN, up) ^ THR_SIGN);
}

static void widen_reg(const struct pk_verifier *v, struct vreg *cur,
		      const struct vreg *old)
{
	if (cur->type != old->type)
		return;
	if (cur->type == T_SCALAR && !reg_within(old, cur)) {
		if (cur->umax > old->umax)
			cur->umax = thr_u(v, cur->umax, true);
		if (cur->umin < old->umin)
			cur->umin = thr_u(v, cur->umin, false);
		if (cur->smax > old->smax)
			cur->smax = thr_s(v, cur->smax, true);
		if (cur->smin < old->smin)
			cur->smin = thr_s(v, cur->smin, false);
		/* the 32-bit bounds and known bits follow the widened
		 * 64-bit ones, or they would narrow them back */
		cur->u32min = 0;
		cur->u32max = UINT32_MAX;
		cur->s32min = INT32_MIN;
		cur->s32max = INT32_MAX;
		cur->t = TNUM_UNKNOWN;
		pk_vreg_sync(cur);
	}
}

static void widen(const struct pk_verifier *v, struct pk_vstate *cur,
		  const struct pk_vstate *old)
{
	uint32_t f, i;

	if (old->nframe != cur->nframe)
		return;
	for (f = 0; f < cur->nframe; f++) {
		for (i = 0; i < 11; i++)
			widen_reg(v, &cur->fr[f]->r[i], &old->fr[f]->r[i]);
		for (i = 0; i < PK_BPF_STACK_SIZE / 8; i++)
			if (cur->fr[f]->slot[i].spilled && old->fr[f]->slot[i].spilled)
				widen_reg(v, &cur->fr[f]->slot[i].spill,
					  &old->fr[f]->slot[i].spill);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Collects the widening thresholds from every compare with a constant. */
int pk_vcollect_thresholds(struct pk_verifier *v)
{
	const struct bpf_insn *in = v->prog->insns;
	uint32_t cnt = v->prog->insn_cnt, i, n = 0;
	int d;

	for (i = 0; i < cnt; i++) {
		uint8_t cls = PK_BPF_CLASS(in[i].code), op = PK_BPF_OP(in[i].code);

		if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL &&
		    op != BPF_EXIT && !(v->flags[i] & PK_VF_LDIMM2) &&
		    pk_jump_target(&in[i], i) <= i) /* verifier-cfg.c: in range */
			v->flags[pk_jump_target(&in[i], i)] |= PK_VF_LOOP;
		if ((cls == BPF_JMP || cls == BPF_JMP32) && PK_BPF_SRC(in[i].code) == BPF_K &&
		    op != BPF_JA && op != BPF_CALL && op != BPF_EXIT && op != BPF_JSET &&
		    !(v->flags[i] & PK_VF_LDIMM2))
			n += cls == BPF_JMP32 ? 6 : 3;
	}
	if (!n)
		return 0;
	/* n <= 6 * PK_BPF_MAX_INSNS: no overflow */
	v->thr_u = calloc(n, sizeof(*v->thr_u));
	v->thr_s = calloc(n, sizeof(*v->thr_s));
	if (!v->thr_u || !v->thr_s)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	for (i = 0; i < cnt; i++) {
		uint8_t cls = PK_BPF_CLASS(in[i].code), op = PK_BPF_OP(in[i].code);
		uint64_t c[2];
		int k, nc = 1;

		if (!((cls == BPF_JMP || cls == BPF_JMP32) &&
		      PK_BPF_SRC(in[i].code) == BPF_K && op != BPF_JA && op != BPF_CALL &&
		      op != BPF_EXIT && op != BPF_JSET && !(v->flags[i] & PK_VF_LDIMM2)))
			continue;
		c[0] = (uint64_t)(int64_t)in[i].imm;
		if (cls == BPF_JMP32) {
			c[1] = (uint32_t)in[i].imm;
			nc = 2;
		}
		for (k = 0; k < nc; k++)
			for (d = -1; d <= 1; d++) {
				v->thr_u[v->thr_cnt] = c[k] + (uint64_t)(int64_t)d;
				v->thr_s[v->thr_cnt++] = (c[k] + (uint64_t)(int64_t)d) ^ THR_SIGN;
			}
	}
	qsort(v->thr_u, v->thr_cnt, sizeof(*v->thr_u), cmp_u64);
	qsort(v->thr_s, v->thr_cnt, sizeof(*v->thr_s), cmp_u64);
	return 0;
}


/* how often this path has been at loop head @pc (counting this visit) */
static uint32_t path_visits(struct pk_vstate *s, uint32_t pc)
{
	uint32_t i, k = 0;

	for (i = 0; i < PK_LOOP_SLOTS; i++) {
		if (s->lp_cnt[i] && s->lp_pc[i] == pc)
			return ++s->lp_cnt[i];
		if (s->lp_cnt[i] < s->lp_cnt[k])
			k = i;
	}
	/* a new loop head takes the least used slot; a count forgotten
	 * only delays widening (the visits of all paths still bound it) */
	s->lp_pc[k] = pc;
	s->lp_cnt[k] = 1;
	return 1;
}

/* true: @s is covered by an explored state and need not be explored */
int pk_vprune_point(struct pk_verifier *v, struct pk_vstate *s, bool *ret_pruned)
{
	struct pk_vstate **head = &v->stored[s->pc], *it, *copy, **pp;
	uint32_t n = 0, mine = 0, all;

	*ret_pruned = false;
	for (pp = head; (it = *pp);) {
		/* each comparison walks up to every frame: bounded in total */
		v->cmp += it->nframe;
		if (v->cmp > PK_BPF_VERIFIER_MAX_CMP)
			return pk_err(v->ctx, -E2BIG,
				      "program too complex: more than %d frame comparisons while pruning at insn %u (%" PRIu64
				      " instructions explored, %" PRIu64 " branch states)",
				      PK_BPF_VERIFIER_MAX_CMP, s->pc, v->processed, v->states);
		if (state_within(v, it, s)) {
			it->hit++;
			*ret_pruned = true;
			return 0;
		}
		/*
		 * A stored state that keeps failing to prune (the iterations
		 * of a loop whose counter differs each time) is dropped, as
		 * the kernel's is_state_visited() does (miss_cnt > hit_cnt * 3
		 * + 3): forgetting it only costs time.  The newest stays, as
		 * widening compares with it.
		 */
		if (++it->miss > it->hit * 3 + 3 && it != *head) {
			*pp = it->next;
			v->mem -= state_bytes(it);
			pk_vstate_free(it);
			continue;
		}
		pp = &it->next;
	}
	all = ++v->visits[s->pc];
	if (v->flags[s->pc] & PK_VF_LOOP)
		mine = path_visits(s, s->pc);
	/*
	 * A loop head widens when this path has gone round it often (other
	 * paths' states there, e.g. the same loop with another constant
	 * trip count, say nothing about this one), or when all paths
	 * together have been there very often; other join points widen
	 * after PK_VERIFIER_WIDEN visits of all paths.
	 */
	if ((v->flags[s->pc] & PK_VF_LOOP) ?
	    (mine > PK_VERIFIER_WIDEN || all > PK_VERIFIER_WIDEN_ALL) :
	    all > PK_VERIFIER_WIDEN) {
		/* thresholds for a while, then straight to the limits: a
		 * bound that keeps growing past them is not a loop bound */
		v->thr_on = (v->flags[s->pc] & PK_VF_LOOP) ?
			    (mine <= 2 * PK_VERIFIER_WIDEN && all <= 2 * PK_VERIFIER_WIDEN_ALL) :
			    all <= 2 * PK_VERIFIER_WIDEN;
		if (*head)
			widen(v, s, *head);
	}
	copy = pk_vstate_copy(s);
	if (!copy)
		return pk_err(v->ctx, -ENOMEM, "verifier: out of memory");
	copy->hit = copy->miss = 0;
	copy->next = *head;
	*head = copy;
	/* keep the newest few; forgetting old ones only costs time */
	for (pp = head; *pp; pp = &(*pp)->next)
		if (++n == PK_VERIFIER_STORED_PER_INSN) {
			it = (*pp)->next;
			(*pp)->next = NULL;
			while (it) {
				struct pk_vstate *nx = it->next;

				v->mem -= state_bytes(it);
				pk_vstate_free(it);
				it = nx;
			}
			break;
		}
	return pk_vstate_charge(v, s->pc, state_bytes(copy));
}

void pk_vprof_report(struct pk_verifier *v)
{
	struct pk_vprof *p = v->prof;
	char line[1024];
	uint32_t i, k, best[10] = { 0 };
	size_t n;
	int used = 0;

	/* the ten most visited instructions */
	for (k = 0; k < 10; k++) {
		uint32_t b = UINT32_MAX;

		for (i = 0; i < v->prog->insn_cnt; i++) {
			uint32_t j;
			bool taken = false;

			for (j = 0; j < k; j++)
				taken |= best[j] == i;
			if (!taken && p->visits[i] && (b == UINT32_MAX || p->visits[i] > p->visits[b]))
				b = i;
		}
		if (b == UINT32_MAX)
			break;
		best[k] = b;
		used += snprintf(line + used, sizeof(line) - (size_t)used, " insn %u: %u;", b,
				 p->visits[b]);
	}
	pk_debug(v->ctx, "verifier profile: most visited:%s", line);
	/* failed comparisons by what differed first, most frequent first */
	used = 0;
	line[0] = 0;
	for (k = 0; k < 12; k++) {
		uint32_t b = 0;

		for (i = 1; i < PK_VPROF_NREASON; i++)
			if (p->miss[i] > p->miss[b])
				b = i;
		if (!p->miss[b] && k)
			break;
		n = sizeof(line) - (size_t)used;
		if (b == 0)
			used += snprintf(line + used, n, " frames/refs %" PRIu64 ";", p->miss[b]);
		else if (b < 11)
			used += snprintf(line + used, n, " r%u %" PRIu64 ";", b - 1, p->miss[b]);
		else
			used += snprintf(line + used, n, " fp%d %s %" PRIu64 ";",
					 (int)((b - 11) / 4 * 8) - PK_BPF_STACK_SIZE,
					 (const char *const[]){ "init", "spilled pointer",
								"spilled scalar", "pointer in cur" }[(b - 11) % 4],
					 p->miss[b]);
		p->miss[b] = 0;
		if (used >= (int)sizeof(line))
			break;
	}
	pk_debug(v->ctx, "verifier profile: prune misses by first difference:%s", line);
}
