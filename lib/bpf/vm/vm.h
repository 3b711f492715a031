/* SPDX-License-Identifier: MIT */
/*
 * vm.h - the BPF sandbox: verifier + interpreter for loaded programs
 * (object.h).  docs/sandbox.md is the manual; this header is the contract.
 *
 * Life cycle:
 *
 *	pk_bpf_vm_new(ctx, &env, prog, &vm)   verifies @prog (always; there is
 *	                                      no way to skip it) and prepares it
 *	pk_bpf_vm_run(vm, &input, &r0)        runs it once (any number of times)
 *	pk_bpf_vm_free(vm)
 *
 * pk_bpf_verify() only verifies (for `pekexec bpf verify`).
 *
 * Guest memory is virtual: a guest address is (region tag << 32 | offset).
 * The program owns, at any moment, its stack frames, its context, the values
 * of its maps (BPF_F_RDONLY_PROG maps read-only), the ring-buffer records it
 * holds and regions registered by helpers; every load, store, atomic and
 * helper/kfunc pointer argument is checked against that table at run time,
 * under the verifier's static checks.  Forged addresses never reach host
 * memory.
 *
 * Helpers are pluggable: the sandbox's own (probe_read, probe_read_kernel,
 * trace_printk, ringbuf_*, map_lookup/update_elem) plus the environment's
 * table (struct pk_bpf_helper), looked up first.  The verifier checks every
 * call against the entry's argument kinds and return kind.
 *
 * Errors (negative errno; the context's message names the instruction index,
 * the rule and, with line info, the source line):
 *   -EINVAL   the program was rejected by the verifier ("insn 12: ...")
 *   -E2BIG    verification exceeded its caps (instructions, states, state
 *             memory, pruning comparisons)
 *   -EFAULT   run time: a memory access outside the program's regions
 *             (cannot happen for verified programs; defence in depth)
 *   -ETIME    run time: the instruction budget ran out (instructions and
 *             the bytes helpers touch, pk_bpf_run_charge())
 *   -ENOSPC   run time: stack overflow across bpf-to-bpf calls
 *   -ENOMEM   allocation failed
 *   other     returned by an environment helper or callback (fatal)
 */
#ifndef PK_BPF_VM_H
#define PK_BPF_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/load/object.h"
#include "pekexec/ctx.h"

/* Limits, as the kernel's where it has one. */
#define PK_BPF_MAX_INSNS 1000000        /* BPF_COMPLEXITY_LIMIT_INSNS */
#define PK_BPF_STACK_SIZE 512           /* MAX_BPF_STACK, across the call chain */
#define PK_BPF_MAX_FRAMES 8             /* MAX_CALL_FRAMES */
#define PK_BPF_DEFAULT_BUDGET 100000000ULL /* instructions per run */
#define PK_BPF_CHARGE_BYTES 16          /* helper work: bytes per budget instruction */
#define PK_BPF_MAX_STATES 200000        /* verifier: explored states per program */
#define PK_BPF_VERIFIER_MAX_MEM (256ULL << 20) /* verifier: bytes of kept states */
#define PK_BPF_VERIFIER_MAX_CMP 4000000 /* verifier: frames compared while pruning */
#define PK_BPF_MAX_REGIONS 64           /* live guest memory regions per run */

struct pk_bpf_vm;  /* a verified program bound to its environment */
struct pk_bpf_run; /* one execution; handed to helpers */

/*
 * Argument kinds of helpers and kfuncs, checked by the verifier.  A size
 * argument refers to the memory argument just before it.
 */
enum pk_bpf_arg_kind {
	PK_BPF_ARG_NONE = 0,       /* argument not used */
	PK_BPF_ARG_ANYTHING,       /* any initialised value (scalar or pointer) */
	PK_BPF_ARG_SCALAR,         /* an initialised scalar */
	PK_BPF_ARG_MEM_RO,         /* readable, initialised memory, size = next arg */
	PK_BPF_ARG_MEM_RO_OR_NULL, /* the same, or NULL (then size may be 0) */
	PK_BPF_ARG_MEM_UNINIT,     /* writable memory the helper fills, size = next arg */
	PK_BPF_ARG_SIZE,           /* size of the previous mem arg: bounded, > 0 */
	PK_BPF_ARG_SIZE_OR_ZERO,   /* the same, 0 allowed */
	PK_BPF_ARG_CONST_SIZE,     /* a constant known to the verifier (ringbuf reserve) */
	PK_BPF_ARG_CTX,            /* the program's context pointer */
	PK_BPF_ARG_MAP,            /* a map pointer (ld_imm64 BPF_PSEUDO_MAP_IDX) */
	PK_BPF_ARG_MAP_KEY,        /* readable memory of the map's key_size */
	PK_BPF_ARG_MAP_VALUE,      /* readable memory of the map's value_size */
	PK_BPF_ARG_RINGBUF_MEM,    /* a held ring-buffer record (released by the call) */
	PK_BPF_ARG_PARSER_CTX,     /* a held, non-NULL parser context (kfuncs) */
	PK_BPF_ARG_U64_OUT,        /* writable 8 bytes (ARG_PTR_TO_LONG) */
};

enum pk_bpf_ret_kind {
	PK_BPF_RET_INTEGER = 0,          /* a scalar */
	PK_BPF_RET_VOID,                 /* r0 is left unreadable */
	PK_BPF_RET_MAP_VALUE_OR_NULL,    /* into the map of arg 1 */
	PK_BPF_RET_RINGBUF_MEM_OR_NULL,  /* size = the CONST_SIZE arg; acquired */
	PK_BPF_RET_PARSER_CTX_OR_NULL,   /* acquired */
};

/* Flags of a helper/kfunc entry. */
#define PK_BPF_FN_RELEASE (1u << 0) /* releases the RINGBUF_MEM / PARSER_CTX arg */
#define PK_BPF_FN_SLEEPABLE (1u << 1) /* only in sleepable programs (not enforced for
				       * the sandbox's own kinds, recorded for docs) */

/*
 * A host function behind a helper or kfunc.  @args are r1..r5.  Set *@ret_r0
 * (the program's r0) and return 0, or return a negative errno to stop the
 * run (recorded with pk_err() by the function itself).  Values the program
 * should see as an error (e.g. -EINVAL) go into *@ret_r0, not the return.
 */
typedef int (*pk_bpf_fn)(struct pk_bpf_run *run, const uint64_t args[5],
			 uint64_t *ret_r0);

struct pk_bpf_helper {
	uint32_t id;        /* helper id (enum bpf_func_id) or kfunc id (kfunc.h) */
	const char *name;   /* for messages: "bpf_probe_read_kernel" */
	uint8_t args[5];    /* enum pk_bpf_arg_kind, r1..r5 */
	uint8_t ret;        /* enum pk_bpf_ret_kind */
	uint32_t flags;     /* PK_BPF_FN_* */
	pk_bpf_fn fn;
};

/*
 * bpf_buffer_parser()'s dispatch: one [struct cmd_hdr][payload] record,
 * whatever its command.  @payload is host memory valid only during the
 * call; NULL means the record was malformed (shorter than its header: cmd
 * and @subcmd 0; or payload_len @len beyond the buffer), which the
 * dispatcher must fail.  The return value goes to the program (0 or a
 * negative errno).  @from: where the payload's bytes were copied from by
 * the program's last bpf_probe_read(_kernel), when the payload lies
 * within what that call wrote (else NULL): a hint for zero copy, never a
 * proof (the program may have changed the bytes since; compare them).
 */
typedef int (*pk_bpf_cmd_fn)(void *user, uint16_t cmd, uint16_t subcmd,
			     const uint8_t *payload, uint32_t len, const uint8_t *from);

/* What a program runs against.  Zero-initialise, then fill what you need. */
struct pk_bpf_env {
	const char *label;        /* stage label for trace_printk lines ("stage 1") */
	uint64_t insn_budget;     /* per run; 0 = PK_BPF_DEFAULT_BUDGET */
	/*
	 * PK_BPF_PROG_RAW: the size of the memory r1 points to (r2 = the same
	 * value); the run's memory must be exactly this long.
	 * PK_BPF_PROG_LSKEL_LOADER: the size of the context r1 points to.
	 * PK_BPF_PROG_KEXEC_PARSER: ignored (r1 = the u64[2] anchor args).
	 */
	size_t ctx_size;
	const struct pk_bpf_helper *helpers; /* looked up before the built-ins */
	size_t helper_cnt;
	pk_bpf_cmd_fn buffer_parser; /* NULL: bpf_buffer_parser returns -EOPNOTSUPP */
	void *user;                  /* for buffer_parser and helpers */
	/*
	 * Optional (pekexec bpf run --trace): called with env->user before
	 * each instruction executes; @pc indexes prog->insns, @regs are r0..r10
	 * at that moment.  NULL costs one test per instruction.
	 */
	void (*trace)(void *user, uint32_t pc, const struct bpf_insn *insn,
		      const uint64_t regs[11]);
};

/* One run's input. */
struct pk_bpf_input {
	/* RAW and LSKEL_LOADER: the memory / context (writable, ctx_size bytes) */
	uint8_t *mem;
	size_t mem_len;
	/* KEXEC_PARSER: struct kexec_context + parser_id.  The buffers are
	 * readable by the program only through bpf_probe_read(_kernel). */
	bool kdump;
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd; /* may be NULL */
	size_t initrd_len;
	const uint8_t *cmdline; /* may be NULL */
	size_t cmdline_len;
	uint64_t parser_id;
};

/*
 * pk_bpf_verify - check @prog against @env (helpers, ctx_size) without
 * keeping anything.  0 or -EINVAL/-E2BIG/-ENOMEM (see above).
 */
int pk_bpf_verify(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		  const struct pk_bpf_prog *prog);

/*
 * pk_bpf_verify_keep - the same, and for a parser program checked without
 * extra helpers (then the result does not depend on @env) keep the result
 * in prog->verified for pk_bpf_vm_new().
 */
int pk_bpf_verify_keep(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		       struct pk_bpf_prog *prog);

/*
 * pk_bpf_vm_new - verify @prog (unless pk_bpf_verify_keep() did, and @env
 * has no extra helpers either) and bind it to @env.  @prog and @env (and the
 * tables it points to) must outlive the vm; the program's maps are used in
 * place (runs change their values, as in the kernel).
 */
int pk_bpf_vm_new(struct pk_ctx *ctx, const struct pk_bpf_env *env,
		  const struct pk_bpf_prog *prog, struct pk_bpf_vm **ret_vm);

/* Frees @vm; NULL is allowed. */
void pk_bpf_vm_free(struct pk_bpf_vm *vm);

/*
 * pk_bpf_vm_run - run once; *@ret_r0 = r0 at the final exit.  A program that
 * ends still holding a parser context or ring-buffer record is impossible
 * after verification; the run releases them anyway.
 */
int pk_bpf_vm_run(struct pk_bpf_vm *vm, const struct pk_bpf_input *in,
		  uint64_t *ret_r0);

/* Instructions executed by the last run of @vm (for benchmarks, tests). */
uint64_t pk_bpf_vm_insn_count(const struct pk_bpf_vm *vm);

/* --- for helpers and kfuncs, during a run --- */

/* Region permissions. */
#define PK_BPF_MEM_READ (1u << 0)  /* loads */
#define PK_BPF_MEM_WRITE (1u << 1) /* stores and atomics */
#define PK_BPF_MEM_PROBE (1u << 2) /* readable through bpf_probe_read* only */

/*
 * pk_bpf_run_mem - translate [@gaddr, @gaddr + @size) to host memory if it
 * lies inside one live region that has every bit of @perm
 * (PK_BPF_MEM_READ/WRITE/PROBE; PROBE: the regions readable through
 * bpf_probe_read* only, the image buffers).  0 and *@ret_host, or -EFAULT
 * (also for @perm 0).  @size 0 is valid at any offset up to the region's
 * size.
 */
int pk_bpf_run_mem(struct pk_bpf_run *run, uint64_t gaddr, uint64_t size,
		   unsigned int perm, void **ret_host);

/*
 * pk_bpf_run_add_region - make @size bytes at @host visible to the program
 * with @perm until pk_bpf_run_del_region() or the end of the run (the
 * caller keeps ownership of the bytes).  0 and *@ret_gaddr, -ENOSPC when
 * PK_BPF_MAX_REGIONS are live, -EINVAL if @size exceeds 4 GiB.
 */
int pk_bpf_run_add_region(struct pk_bpf_run *run, void *host, size_t size,
			  unsigned int perm, uint64_t *ret_gaddr);
/* Forgets the region starting at @gaddr; -ENOENT if there is none. */
int pk_bpf_run_del_region(struct pk_bpf_run *run, uint64_t gaddr);

/*
 * pk_bpf_run_charge - pay for helper work out of the run's instruction
 * budget before doing it: one instruction per PK_BPF_CHARGE_BYTES of the
 * @bytes the helper will read, write or scan (rounded up).  0, or -ETIME
 * (recorded, naming @what) when the budget cannot pay: the helper should
 * stop the run by returning it; the budget is then spent, so the run
 * stops at the next instruction anyway.  Every helper that touches guest
 * memory in proportion to an argument calls this, so that a run's time is
 * bounded by the budget whatever the program does (docs/sandbox.md).
 */
int pk_bpf_run_charge(struct pk_bpf_run *run, const char *what, uint64_t bytes);

/* The library context / env->user / the program / the env of a run. */
struct pk_ctx *pk_bpf_run_ctx(struct pk_bpf_run *run);
void *pk_bpf_run_user(struct pk_bpf_run *run);
const struct pk_bpf_prog *pk_bpf_run_prog(struct pk_bpf_run *run);
const struct pk_bpf_env *pk_bpf_run_env(struct pk_bpf_run *run);

/* Guest address of the value of array-map @map_idx's element 0 (the map's
 * region), or 0 if the map has no value region. */
uint64_t pk_bpf_run_map_addr(struct pk_bpf_run *run, uint32_t map_idx);

#endif
