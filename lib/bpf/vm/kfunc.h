/* SPDX-License-Identifier: MIT */
/*
 * kfunc.h - the kexec kfuncs the sandbox offers (DESIGN.md §3) and their
 * sandbox ids.  After loading, a call with src_reg BPF_PSEUDO_KFUNC_CALL
 * carries one of these ids in imm (object.h).
 *
 *   struct bpf_parser_context *bpf_get_parser_context(unsigned long id);
 *	KF_ACQUIRE | KF_RET_NULL: the program must test the result for NULL
 *	and release a non-NULL one on every path.
 *   void bpf_put_parser_context(struct bpf_parser_context *ctx);
 *	KF_RELEASE.
 *   int bpf_buffer_parser(char *buf, int buf_sz, struct bpf_parser_context *ctx);
 *	KF_TRUSTED_ARGS | KF_SLEEPABLE: @buf/@buf_sz readable memory holding
 *	[struct cmd_hdr][payload].  buf_sz < 0: -EINVAL.  Otherwise
 *	env->buffer_parser's result; a record shorter than its header or
 *	whose payload_len exceeds buf_sz - 8 reaches it with payload NULL.
 */
#ifndef PK_BPF_KFUNC_H
#define PK_BPF_KFUNC_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

enum pk_bpf_kfunc_id {
	PK_KFUNC_GET_PARSER_CONTEXT = 1,
	PK_KFUNC_PUT_PARSER_CONTEXT = 2,
	PK_KFUNC_BUFFER_PARSER = 3,
};

#define PK_KFUNC_NAME_GET_PARSER_CONTEXT "bpf_get_parser_context"
#define PK_KFUNC_NAME_PUT_PARSER_CONTEXT "bpf_put_parser_context"
#define PK_KFUNC_NAME_BUFFER_PARSER "bpf_buffer_parser"

/*
 * The kfunc table: one struct pk_bpf_helper per kfunc (id, name, argument
 * kinds, return kind, host function).  *@ret_cnt = number of entries.
 */
const struct pk_bpf_helper *pk_bpf_kfuncs(size_t *ret_cnt);

/* The entry of kfunc @id, or NULL. */
const struct pk_bpf_helper *pk_bpf_kfunc_by_id(uint32_t id);

/* The sandbox id of kfunc @name, or -ENOENT. */
int pk_bpf_kfunc_by_name(const char *name);

#endif
