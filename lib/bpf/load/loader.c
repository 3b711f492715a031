// SPDX-License-Identifier: MIT
/*
 * loader.c - the library API of include/pekexec/bpf.h: pick the front end
 * (ELF object or light-skeleton .bpf object), choose the parser program,
 * bind it to the sandbox (which verifies it) and run it on a stage's input.
 */
#include <stdio.h>

#include "internal.h"
#include "loader.h"
#include "pekexec/bpf.h"
#include "bpf/vm/vm.h"

struct pk_bpf_program {
	enum pk_bpf_form form;
	struct pk_bpf_object *obj;
	struct pk_bpf_prog *prog; /* inside obj */
	struct pk_bpf_env env;
	struct pk_bpf_vm *vm;
	const struct pk_bpf_callbacks *cb; /* during a run */
};

static void trace_insn(void *user, uint32_t pc, const struct bpf_insn *insn,
		       const uint64_t regs[11])
{
	struct pk_bpf_program *p = user;

	if (p->cb && p->cb->on_insn)
		p->cb->on_insn(p->cb->user, pc, insn, regs);
}

static int dispatch(void *user, uint16_t cmd, uint16_t subcmd, const uint8_t *payload,
		    uint32_t len, const uint8_t *from)
{
	struct pk_bpf_program *p = user;

	if (!p->cb || !p->cb->on_command)
		return -EOPNOTSUPP;
	return p->cb->on_command(p->cb->user, cmd, subcmd, payload, len, from);
}

void pk_bpf_program_free(struct pk_bpf_program *prog)
{
	if (!prog)
		return;
	pk_bpf_vm_free(prog->vm);
	pk_bpf_object_free(prog->obj);
	free(prog);
}

int pk_bpf_program_load(struct pk_ctx *ctx, const char *name,
			const uint8_t *bytes, size_t len,
			struct pk_bpf_program **ret_prog)
{
	struct pk_bpf_program *p;
	uint32_t i;
	int r;

	*ret_prog = NULL;
	if (!pk_bpf_is_elf(bytes, len))
		return pk_err(ctx, -EBADMSG, "%s: neither a BPF ELF object nor a .bpf object (no ELF magic at 0x0)",
			      name);
	p = calloc(1, sizeof(*p));
	if (!p)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", name);
	/* a .bpf object is told by its opts_data / opts_insn symbols */
	if (pk_bpf_is_lskel(ctx, bytes, len)) {
		struct pk_lskel_blobs blobs;

		p->form = PK_BPF_FORM_LSKEL;
		r = pk_lskel_parse(ctx, name, bytes, len, &blobs);
		if (!r)
			r = pk_lskel_load(ctx, name, &blobs, false, &p->obj);
	} else {
		p->form = PK_BPF_FORM_ELF;
		r = pk_bpf_load_elf_object(ctx, name, bytes, len, &p->obj);
	}
	if (r)
		goto fail;
	for (i = 0; i < p->obj->prog_cnt && !p->prog; i++)
		if (p->obj->progs[i]->kind == PK_BPF_PROG_KEXEC_PARSER)
			p->prog = p->obj->progs[i];
	if (!p->prog) {
		r = pk_err(ctx, -ENOENT, "%s: no program attached to %s (SEC(\"fentry.s/%s\"))",
			   name, "kexec_image_parser_anchor", "kexec_image_parser_anchor");
		goto fail;
	}
	p->env.label = p->prog->name;
	p->env.buffer_parser = dispatch;
	p->env.user = p;
	r = pk_bpf_vm_new(ctx, &p->env, p->prog, &p->vm);
	if (r) {
		r = pk_err_prefix(ctx, r, "%s: program %s rejected", name, p->prog->name);
		goto fail;
	}
	*ret_prog = p;
	return 0;
fail:
	pk_bpf_program_free(p);
	return r;
}

enum pk_bpf_form pk_bpf_program_form(const struct pk_bpf_program *prog)
{
	return prog->form;
}

const char *pk_bpf_program_name(const struct pk_bpf_program *prog)
{
	return prog->prog->name;
}

const char *pk_bpf_program_section(const struct pk_bpf_program *prog)
{
	return prog->prog->section;
}

uint32_t pk_bpf_program_insn_count(const struct pk_bpf_program *prog)
{
	return prog->prog->insn_cnt;
}

bool pk_bpf_program_source(const struct pk_bpf_program *prog, uint32_t idx,
			   const char **ret_file, uint32_t *ret_line,
			   const char **ret_text)
{
	const struct pk_bpf_line *l = pk_bpf_prog_line(prog->prog, idx);

	if (!l)
		return false;
	*ret_file = l->file;
	*ret_line = l->line;
	*ret_text = l->text;
	return true;
}

uint32_t pk_bpf_program_map_count(const struct pk_bpf_program *prog)
{
	return prog->prog->map_cnt;
}

bool pk_bpf_program_map(const struct pk_bpf_program *prog, uint32_t idx,
			struct pk_bpf_map_info *ret)
{
	const struct pk_bpf_map *m;

	if (idx >= prog->prog->map_cnt)
		return false;
	m = prog->prog->maps[idx];
	*ret = (struct pk_bpf_map_info){
		.name = m->name,
		.type = m->type,
		.key_size = m->key_size,
		.value_size = m->value_size,
		.max_entries = m->max_entries,
		.map_flags = m->map_flags,
	};
	return true;
}

int pk_bpf_program_run(struct pk_ctx *ctx, struct pk_bpf_program *prog,
		       const struct pk_bpf_stage_input *in,
		       const struct pk_bpf_callbacks *cb,
		       struct pk_bpf_run_result *ret)
{
	struct pk_bpf_input vin = {
		.kdump = in->kdump,
		.kernel = in->kernel,
		.kernel_len = in->kernel_len,
		.initrd = in->initrd,
		.initrd_len = in->initrd_len,
		.cmdline = in->cmdline,
		.cmdline_len = in->cmdline_len,
		.parser_id = in->parser_id,
	};
	uint64_t r0 = 0;
	int r;

	(void)ctx; /* the vm records errors in the context it was made with */
	prog->cb = cb;
	/* the vm reads the env on every instruction: no hook, no cost */
	prog->env.trace = cb && cb->on_insn ? trace_insn : NULL;
	r = pk_bpf_vm_run(prog->vm, &vin, &r0);
	prog->env.trace = NULL;
	prog->cb = NULL;
	if (ret) {
		ret->r0 = r0;
		ret->insn_count = pk_bpf_vm_insn_count(prog->vm);
	}
	return r;
}
