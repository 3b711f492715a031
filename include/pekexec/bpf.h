/* SPDX-License-Identifier: MIT */
/**
 * @file bpf.h
 * @brief Load a parser program (BPF ELF object or .bpf light-skeleton
 *        object), verify it, and run it on one stage's image.
 *
 * A parser program is what a boot image's .bpf section carries
 * (DESIGN.md §3): the program attaches to kexec_image_parser_anchor, reads
 * the image and issues DECOMPRESS / COPY commands through
 * bpf_buffer_parser().  Two encodings are accepted:
 *
 *  - a BPF ELF object as clang writes it (development, tests);
 *  - a .bpf section object: an ELF relocatable with opts_data/opts_insn,
 *    the blobs of a libbpf light skeleton, whose loader program runs in the
 *    sandbox with emulated bpf() commands (docs/bpf-loading.md).
 *
 * Loading always verifies the parser program; there is no way around it.
 *
 * Errors (negative errno; pk_ctx_errmsg() names the file, the field or
 * instruction and the file offset):
 * @retval -EBADMSG     malformed object: ELF, BTF, .BTF.ext, relocation,
 *                      CO-RE record, light-skeleton symbol or blob
 * @retval -ENOENT      no parser program, a missing symbol, an unknown kfunc
 * @retval -EOPNOTSUPP  a feature the sandbox does not offer (map type,
 *                      program type, extern variable, bitfield CO-RE, ...)
 * @retval -EFBIG       a size or count above the loader's caps
 * @retval -EINVAL      the verifier rejected the program, or the light
 *                      skeleton's loader failed a command
 * @retval -E2BIG       verification exceeded its limits
 * @retval -ENOMEM      allocation failed
 * Running adds the sandbox's run-time errors (-EFAULT, -ETIME, -ENOSPC) and
 * whatever a callback returns.
 */
#ifndef PEKEXEC_BPF_H
#define PEKEXEC_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pk_bpf_program;

enum pk_bpf_form {
	PK_BPF_FORM_ELF = 1,   /**< a BPF ELF object */
	PK_BPF_FORM_LSKEL = 2, /**< a .bpf light-skeleton object */
};

/**
 * pk_bpf_program_load - detect the form of @bytes, load, link and relocate
 * the object and verify its parser program (the first program attached to
 * kexec_image_parser_anchor).  @name names the input in messages.
 * @bytes need not outlive the call.
 */
int pk_bpf_program_load(struct pk_ctx *ctx, const char *name,
			const uint8_t *bytes, size_t len,
			struct pk_bpf_program **ret_prog);

/** Frees @prog and everything it loaded; NULL is allowed. */
void pk_bpf_program_free(struct pk_bpf_program *prog);

/** How @prog was encoded. */
enum pk_bpf_form pk_bpf_program_form(const struct pk_bpf_program *prog);
/** The program's name (its function name) and ELF section. */
const char *pk_bpf_program_name(const struct pk_bpf_program *prog);
const char *pk_bpf_program_section(const struct pk_bpf_program *prog);
/** Instructions after linking; number of maps it uses. */
uint32_t pk_bpf_program_insn_count(const struct pk_bpf_program *prog);
uint32_t pk_bpf_program_map_count(const struct pk_bpf_program *prog);

/** What one map of a program is (for inspect). */
struct pk_bpf_map_info {
	const char *name;     /**< ".rodata", "ringbuf_1", ... */
	uint32_t type;        /**< BPF_MAP_TYPE_* */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries; /**< ring buffers: the ring size in bytes */
	uint32_t map_flags;
};

/** Fills @ret for map @idx of @prog; false if @idx is out of range. */
bool pk_bpf_program_map(const struct pk_bpf_program *prog, uint32_t idx,
			struct pk_bpf_map_info *ret);

/**
 * pk_bpf_program_source - the source position of instruction @idx from the
 * program's line info: file, line and the line's text.  false without.
 */
bool pk_bpf_program_source(const struct pk_bpf_program *prog, uint32_t idx,
			   const char **ret_file, uint32_t *ret_line,
			   const char **ret_text);

/** One stage's input (struct kexec_context of the ABI + parser id). */
struct pk_bpf_stage_input {
	const uint8_t *kernel; /**< the stage's image */
	size_t kernel_len;
	const uint8_t *initrd; /**< user-supplied, may be NULL */
	size_t initrd_len;
	const uint8_t *cmdline; /**< user-supplied, may be NULL */
	size_t cmdline_len;
	bool kdump;
	uint64_t parser_id;
};

/**
 * A command the program issued through bpf_buffer_parser(): cmd / subcmd
 * as in kexec_bpf.h, the payload (valid during the call only).  Return 0,
 * or a negative errno that the program sees as bpf_buffer_parser()'s
 * result.  Every command reaches the callback, unknown ones too (the
 * pipeline fails the stage on them, as the kernel does); @payload NULL
 * means a malformed record (shorter than its header, or payload_len @len
 * beyond the buffer) and must be answered with an error.
 *
 * @from is a hint for zero copy: when the payload lies within what the
 * program's last bpf_probe_read(_kernel) wrote, where in the stage's
 * input (pk_bpf_stage_input) those @len bytes were read from; else NULL.
 * The program may have changed the payload since: only bytes compared
 * equal to @payload may stand in for it.
 */
typedef int (*pk_bpf_command_fn)(void *user, uint16_t cmd, uint16_t subcmd,
				 const uint8_t *payload, uint32_t len,
				 const uint8_t *from);

struct bpf_insn; /* <linux/bpf.h> */

/**
 * Called before each instruction executes (tracing): @idx indexes the
 * loaded program's instructions, @regs are r0..r10 at that moment.
 */
typedef void (*pk_bpf_insn_fn)(void *user, uint32_t idx, const struct bpf_insn *insn,
			       const uint64_t regs[11]);

struct pk_bpf_callbacks {
	pk_bpf_command_fn on_command; /**< NULL: every command gets -EOPNOTSUPP */
	void *user;
	pk_bpf_insn_fn on_insn;       /**< optional; slows the run down */
};

/** What one run reports. */
struct pk_bpf_run_result {
	uint64_t r0;         /**< the program's return value */
	uint64_t insn_count; /**< instructions executed */
};

/**
 * pk_bpf_program_run - run @prog once on @in.  The program's maps keep
 * their state between runs (as in the kernel).  @ret may be NULL.
 */
int pk_bpf_program_run(struct pk_ctx *ctx, struct pk_bpf_program *prog,
		       const struct pk_bpf_stage_input *in,
		       const struct pk_bpf_callbacks *cb,
		       struct pk_bpf_run_result *ret);

#ifdef __cplusplus
}
#endif
#endif
