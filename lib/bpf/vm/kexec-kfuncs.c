// SPDX-License-Identifier: MIT
/*
 * kexec-kfuncs.c - the kexec kfuncs of DESIGN.md §3 (kfunc.h): the parser
 * context handle and bpf_buffer_parser(), which checks that one
 * [struct cmd_hdr][payload] record lies in the program's memory and hands
 * it to the environment's dispatcher (the stage pipeline).
 */
#include "kexec_bpf/kexec_bpf.h"
#include "kfunc.h"
#include "vm-internal.h"

static bool is_parser_ctx(struct pk_bpf_run *run, uint64_t h)
{
	return run->parser_ctx && h == run->parser_ctx && run->parser_refs;
}

static int k_get(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	*r0 = 0;
	if (run->parser_ctx && a[0] == run->parser_id) {
		run->parser_refs++;
		*r0 = run->parser_ctx;
	}
	return 0;
}

static int k_put(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	if (!is_parser_ctx(run, a[0]))
		return pk_err(run->ctx, -EFAULT,
			      "bpf_put_parser_context: not a held parser context");
	run->parser_refs--;
	*r0 = 0;
	return 0;
}

/*
 * Where @n bytes at @p were read from by the last bpf_probe_read(), if
 * they lie within what it wrote; else NULL.  Only addresses are compared
 * (as integers: @p and the destination may be different objects); the
 * bytes may have changed since, which the dispatcher checks.
 */
static const uint8_t *read_from(const struct pk_bpf_run *run, const uint8_t *p, uint32_t n)
{
	uintptr_t a = (uintptr_t)p, d = (uintptr_t)run->read_dst;

	if (!run->read_dst || !n || a < d || a - d > run->read_len ||
	    n > run->read_len - (a - d))
		return NULL;
	return run->read_src + (a - d);
}

/*
 * As the kernel's bpf_buffer_parser(): the record goes to the dispatcher,
 * which owns the stage (kexec_bpf_cmd_run() there, pk_sink_command() in
 * the pipeline).  Unknown commands and malformed records go there too, so
 * that they fail the stage in both executors; a malformed record arrives
 * with @payload NULL.  Only memory safety is decided here.
 */
static int k_buffer_parser(struct pk_bpf_run *run, const uint64_t a[5],
			   uint64_t *r0)
{
	const struct pk_bpf_env *env = run->vm->env;
	int32_t sz = (int32_t)a[1];
	const uint8_t *buf;
	uint16_t cmd = 0, sub = 0;
	uint32_t plen = 0;
	int r;

	if (!is_parser_ctx(run, a[2]))
		return pk_err(run->ctx, -EFAULT,
			      "bpf_buffer_parser: not a held parser context");
	if (sz < 0) { /* the kernel's buf__sz < 0: not a command at all */
		*r0 = (uint64_t)-EINVAL;
		return 0;
	}
	if (!env->buffer_parser) {
		*r0 = (uint64_t)-EOPNOTSUPP;
		return 0;
	}
	buf = pk_run_access(run, a[0], (uint32_t)sz, PK_BPF_MEM_READ);
	if (!buf && sz)
		return pk_err(run->ctx, -EFAULT,
			      "bpf_buffer_parser: buf/buf_sz %d outside the program's memory",
			      sz);
	/* the dispatcher reads the record (hashes, copies, decompresses it) */
	r = pk_bpf_run_charge(run, "record", (uint32_t)sz);
	if (r)
		return r;
	if (sz >= 8) {
		cmd = pk_get_le16(buf);
		sub = pk_get_le16(buf + 2);
		plen = pk_get_le32(buf + 4);
	}
	if (sz < 8 || plen > (uint32_t)sz - 8) {
		pk_info(run->ctx, "bpf_buffer_parser: malformed record: buf_sz %d, payload_len %u",
			sz, plen);
		r = env->buffer_parser(env->user, cmd, sub, NULL, plen, NULL);
	} else {
		r = env->buffer_parser(env->user, cmd, sub, buf + 8, plen,
				       read_from(run, buf + 8, plen));
	}
	*r0 = (uint64_t)(int64_t)r;
	return 0;
}

#define A(x) PK_BPF_ARG_##x
static const struct pk_bpf_helper kfuncs[] = {
	{ PK_KFUNC_GET_PARSER_CONTEXT, PK_KFUNC_NAME_GET_PARSER_CONTEXT, { A(SCALAR) },
	  PK_BPF_RET_PARSER_CTX_OR_NULL, 0, k_get },
	{ PK_KFUNC_PUT_PARSER_CONTEXT, PK_KFUNC_NAME_PUT_PARSER_CONTEXT,
	  { A(PARSER_CTX) }, PK_BPF_RET_VOID, PK_BPF_FN_RELEASE, k_put },
	{ PK_KFUNC_BUFFER_PARSER, PK_KFUNC_NAME_BUFFER_PARSER,
	  { A(MEM_RO), A(SIZE), A(PARSER_CTX) }, PK_BPF_RET_INTEGER,
	  PK_BPF_FN_SLEEPABLE, k_buffer_parser },
};
#undef A

const struct pk_bpf_helper *pk_bpf_kfuncs(size_t *ret_cnt)
{
	*ret_cnt = PK_ARRAY_SIZE(kfuncs);
	return kfuncs;
}

const struct pk_bpf_helper *pk_bpf_kfunc_by_id(uint32_t id)
{
	size_t i;

	for (i = 0; i < PK_ARRAY_SIZE(kfuncs); i++)
		if (kfuncs[i].id == id)
			return &kfuncs[i];
	return NULL;
}

int pk_bpf_kfunc_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < PK_ARRAY_SIZE(kfuncs); i++)
		if (!strcmp(kfuncs[i].name, name))
			return (int)kfuncs[i].id;
	return -ENOENT;
}
