// SPDX-License-Identifier: MIT
/*
 * vm.c - the sandbox's entry points: verify, bind, run.  A vm exists only
 * for a program the verifier accepted; each run builds a fresh guest
 * address space (stack, context, map values, image buffers) and tears it
 * down, releasing whatever the program still held.
 */
#include "vm-internal.h"

/* A parser program's verification depends on the env only through its helpers. */
static bool reusable(const struct pk_bpf_env *env, const struct pk_bpf_prog *prog)
{
	return prog->kind == PK_BPF_PROG_KEXEC_PARSER && !env->helper_cnt;
}

static int check_size(struct pk_ctx *ctx, const struct pk_bpf_prog *prog)
{
	if (!prog || !prog->insn_cnt || prog->insn_cnt > PK_BPF_MAX_INSNS)
		return pk_err(ctx, -EINVAL, "program has %u instructions (1..%u allowed)",
			      prog ? prog->insn_cnt : 0, PK_BPF_MAX_INSNS);
	return 0;
}

/* Verifies @prog; with @ret_aux, the accepted program's facts go there. */
static int verify(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		  const struct pk_bpf_prog *prog, struct pk_insn_aux **ret_aux)
{
	struct pk_insn_aux *aux;
	int err;

	err = check_size(ctx, prog);
	if (err)
		return err;
	aux = calloc(prog->insn_cnt, sizeof(*aux));
	if (!aux)
		return pk_err(ctx, -ENOMEM, "verifier: out of memory");
	err = pk_bpf_verify_aux(ctx, env, prog, aux);
	if (err || !ret_aux)
		free(aux);
	else
		*ret_aux = aux;
	return err;
}

int pk_bpf_verify_keep(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		       struct pk_bpf_prog *prog)
{
	struct pk_insn_aux *aux;
	int err;

	if (!prog || !reusable(env, prog))
		return verify(ctx, env, prog, NULL);
	err = verify(ctx, env, prog, &aux);
	if (err)
		return err;
	free(prog->verified);
	prog->verified = aux;
	return 0;
}

int pk_bpf_verify(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		  const struct pk_bpf_prog *prog)
{
	return verify(ctx, env, prog, NULL);
}

int pk_bpf_vm_new(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		  const struct pk_bpf_prog *prog, struct pk_bpf_vm **ret_vm)
{
	struct pk_bpf_vm *vm;
	int err;

	err = check_size(ctx, prog);
	if (err)
		return err;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return pk_err(ctx, -ENOMEM, "vm: out of memory");
	vm->ctx = ctx;
	vm->env = env;
	vm->prog = prog;
	vm->aux = calloc(prog->insn_cnt, sizeof(*vm->aux));
	vm->rb_prod = calloc(prog->map_cnt + 1, sizeof(*vm->rb_prod));
	if (!vm->aux || !vm->rb_prod) {
		pk_bpf_vm_free(vm);
		return pk_err(ctx, -ENOMEM, "vm: out of memory");
	}
	if (prog->verified && reusable(env, prog)) {
		memcpy(vm->aux, prog->verified, prog->insn_cnt * sizeof(*vm->aux));
		*ret_vm = vm;
		return 0;
	}
	err = pk_bpf_verify_aux(ctx, env, prog, vm->aux);
	if (err) {
		pk_bpf_vm_free(vm);
		return err;
	}
	*ret_vm = vm;
	return 0;
}

void pk_bpf_vm_free(struct pk_bpf_vm *vm)
{
	if (!vm)
		return;
	free(vm->aux);
	free(vm->rb_prod);
	free(vm);
}

uint64_t pk_bpf_vm_insn_count(const struct pk_bpf_vm *vm)
{
	return vm->last_count;
}

static int add(struct pk_bpf_run *run, const void *host, uint64_t size,
	       unsigned int perm, enum pk_region_kind kind, uint64_t *ret)
{
	/* PROBE and READ regions are never written: dropping const is safe */
	int err = pk_run_region_add(run, (void *)host, size, perm, kind, ret);

	if (err)
		return pk_err(run->ctx, err, "run: cannot map %llu bytes into the guest",
			      (unsigned long long)size);
	return 0;
}

static int setup_maps(struct pk_bpf_run *run)
{
	const struct pk_bpf_prog *prog = run->vm->prog;
	uint32_t i;
	int err;

	for (i = 0; i < prog->map_cnt; i++) {
		const struct pk_bpf_map *m = prog->maps[i];
		unsigned int perm = PK_BPF_MEM_READ;

		run->map_gaddr[i] = 0;
		if (m->type != BPF_MAP_TYPE_ARRAY || !m->data || !m->data_len)
			continue;
		if (!(m->map_flags & BPF_F_RDONLY_PROG))
			perm |= PK_BPF_MEM_WRITE;
		err = add(run, m->data, m->data_len, perm, PK_REGION_PLAIN,
			  &run->map_gaddr[i]);
		if (err)
			return err;
	}
	return 0;
}

static int setup_kexec(struct pk_bpf_run *run, const struct pk_bpf_input *in,
		       uint64_t *r1)
{
	uint64_t g[3] = { 0, 0, 0 }, kctx, args;
	const uint8_t *buf[3] = { in->kernel, in->initrd, in->cmdline };
	size_t len[3] = { in->kernel_len, in->initrd_len, in->cmdline_len };
	int i, err;

	for (i = 0; i < 3; i++) {
		if (!buf[i])
			continue;
		err = add(run, buf[i], len[i], PK_BPF_MEM_PROBE, PK_REGION_PLAIN, &g[i]);
		if (err)
			return err;
	}
	memset(run->kctx, 0, sizeof(run->kctx));
	run->kctx[0] = in->kdump;
	for (i = 0; i < 3; i++) {
		pk_put_le64(run->kctx + 8 + 16 * i, g[i]);
		pk_put_le64(run->kctx + 16 + 16 * i, buf[i] ? len[i] : 0);
	}
	/* loads through the trusted pointer, and probe reads of it (what
	 * BPF_CORE_READ(ctx, field) compiles to), as the kernel allows */
	err = add(run, run->kctx, sizeof(run->kctx),
		  PK_BPF_MEM_READ | PK_BPF_MEM_PROBE, PK_REGION_PLAIN, &kctx);
	if (err)
		return err;
	pk_put_le64(run->args, kctx);
	pk_put_le64(run->args + 8, in->parser_id);
	err = add(run, run->args, sizeof(run->args), PK_BPF_MEM_READ,
		  PK_REGION_PLAIN, &args);
	if (err)
		return err;
	err = add(run, NULL, 0, 0, PK_REGION_PARSER_CTX, &run->parser_ctx);
	if (err)
		return err;
	run->parser_id = in->parser_id;
	*r1 = args;
	return 0;
}

int pk_bpf_vm_run(struct pk_bpf_vm *vm, const struct pk_bpf_input *in,
		  uint64_t *ret_r0)
{
	const struct pk_bpf_prog *prog = vm->prog;
	struct pk_bpf_run *run;
	uint64_t r1 = 0, r2 = 0;
	int err;

	run = calloc(1, sizeof(*run));
	if (!run)
		return pk_err(vm->ctx, -ENOMEM, "run: out of memory");
	run->map_gaddr = calloc(prog->map_cnt + 1, sizeof(*run->map_gaddr));
	if (!run->map_gaddr) {
		free(run);
		return pk_err(vm->ctx, -ENOMEM, "run: out of memory");
	}
	run->vm = vm;
	run->ctx = vm->ctx;
	run->budget = vm->env->insn_budget ? vm->env->insn_budget : PK_BPF_DEFAULT_BUDGET;
	vm->last_count = 0;
	pk_run_regions_init(run);
	err = setup_maps(run);
	if (err)
		goto out;
	switch (prog->kind) {
	case PK_BPF_PROG_RAW:
	case PK_BPF_PROG_LSKEL_LOADER:
		if (in->mem_len != vm->env->ctx_size || (in->mem_len && !in->mem)) {
			err = pk_err(vm->ctx, -EINVAL,
				     "run: memory of %zu bytes, the program was verified for %zu",
				     in->mem_len, vm->env->ctx_size);
			goto out;
		}
		if (in->mem_len) {
			err = add(run, in->mem, in->mem_len,
				  PK_BPF_MEM_READ | PK_BPF_MEM_WRITE, PK_REGION_PLAIN, &r1);
			if (err)
				goto out;
		}
		r2 = in->mem_len;
		break;
	case PK_BPF_PROG_KEXEC_PARSER:
		err = setup_kexec(run, in, &r1);
		if (err)
			goto out;
		break;
	default:
		err = pk_err(vm->ctx, -EINVAL, "run: unknown program kind %d", prog->kind);
		goto out;
	}
	err = pk_bpf_interp(run, r1, r2, ret_r0);
out:
	pk_run_release_all(run);
	free(run->map_gaddr);
	free(run);
	return err;
}
