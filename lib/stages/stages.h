/* SPDX-License-Identifier: MIT */
/*
 * stages.h - what the files of lib/stages share (not installed):
 *
 *   pipeline.c   pk_pipeline_run(): verify -> stages -> add-ons -> policy
 *   stage.c      one stage: its .bpf, the program run, the checks after it
 *   commands.c   the command sink: what DECOMPRESS / COPY do to a stage
 *   policy.c     signature policy, user command line, result assembly
 *   record.c     stage records, freeing results
 *   route.c      pk_pipeline_route(): plain, pipeline or kernel
 *   exec.c       the executor: pekexec/bpf.h (load, verify, run)
 *   parsers.c    the built-in parser programs' bytes
 */
#ifndef PK_STAGES_H
#define PK_STAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "pekexec/bpf.h"
#include "pekexec/pe.h"
#include "pekexec/pipeline.h"

/* ---- exec.c: running a .bpf section ---- */

/* What the executor tells about the program it ran. */
struct pk_exec_info {
	char name[64];
	uint32_t insns;      /* after loading */
	uint64_t insn_count; /* executed */
	uint64_t r0;
};

/*
 * The executor: load @bpf (a .bpf section), verify it and run it once on
 * @in, sending commands to @cb.  Returns 0 when the program ran to its
 * end (whatever r0 it returned), else the loader's / sandbox's error
 * (-EINVAL: rejected, ...).  Tests substitute their own.
 */
typedef int (*pk_exec_fn)(struct pk_ctx *ctx, const char *name,
			  const uint8_t *bpf, size_t bpf_len,
			  const struct pk_bpf_stage_input *in,
			  const struct pk_bpf_callbacks *cb,
			  struct pk_exec_info *ret_info);

int pk_exec_bpf(struct pk_ctx *ctx, const char *name, const uint8_t *bpf,
		size_t bpf_len, const struct pk_bpf_stage_input *in,
		const struct pk_bpf_callbacks *cb, struct pk_exec_info *ret_info);

/* pk_pipeline_run() with another executor (tests). */
int pk_pipeline_run_with(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
			 const struct pk_pipeline_opts *opts, pk_exec_fn exec,
			 struct pk_pipeline_result *ret);

/* ---- commands.c: the command sink of one stage ---- */

/*
 * The bytes a stage builds (its kernel, compressed stream, initrd pieces):
 * @data/@len, either @own's bytes or (zero copy, issue 14) a range of the
 * caller's image that the sink compared equal to the payloads the program
 * handed over; @own is empty then.  Zero-initialise.
 */
struct pk_span {
	const uint8_t *data;
	size_t len;
	struct pk_buf own;
};

void pk_span_free(struct pk_span *s);
/* Owned bytes from now on: copy a borrowed range (-ENOMEM). */
int pk_span_own(struct pk_span *s);
/*
 * Append @n bytes @p; @from: the same bytes in the caller's image, proven
 * equal, or NULL.  Borrowed while every piece continues the range.
 * pk_span_append_piece - the same as pk_buf_append_piece() (4-byte
 * aligned pieces, PK_PIPELINE_MAX_INITRD).
 */
int pk_span_append(struct pk_span *s, const uint8_t *p, size_t n, const uint8_t *from);
int pk_span_append_piece(struct pk_span *s, const uint8_t *p, size_t n, const uint8_t *from);
/* Hand the bytes over: *@ret_alloc is what to free (NULL if borrowed). */
const uint8_t *pk_span_steal(struct pk_span *s, size_t *ret_len, void **ret_alloc);

/*
 * The SHA-256 of a buffer's bytes, when it is known without hashing them
 * again: a buffer that holds exactly one command's payload has that
 * record's digest (issue 14: every byte range is hashed once).
 */
struct pk_digest {
	bool known;
	uint8_t d[PK_SHA256_LEN];
};

/*
 * Initrd pieces of one stage.  An empty COPY/INITRD marks where the
 * loader's (user's) initrd goes: pieces before the marker are "early"
 * (e.g. .ucode), the rest "late" (systemd-stub's order); without a
 * marker all pieces are late (pk_sink_finish() moves them).
 */
struct pk_sink {
	struct pk_ctx *ctx;
	const char *label;  /* "stage 1 (uki.efi)" for messages */
	bool addon;         /* kernel commands are refused */
	bool no_digests;    /* records without SHA-256 (pk_pipeline_opts) */
	/*
	 * Zero copy: the stage's image, when it outlives the result (the
	 * caller's, pk_pipeline_opts.borrow_image), else NULL.  A payload
	 * whose bytes equal img's at the hint the sandbox gives is kept as a
	 * reference to them (struct pk_span).
	 */
	const uint8_t *img;
	size_t img_len;
	/* kernel slot */
	enum { PK_KMODE_NONE, PK_KMODE_COPY, PK_KMODE_DECOMPRESS } kmode;
	struct pk_span kernel;
	struct pk_digest kernel_d; /* of kernel, if it is one COPY's payload */
	struct pk_span zstream;  /* DECOMPRESS records, until closed */
	bool zclosed;
	/* initrd */
	struct pk_span early, late;
	struct pk_digest early_d, late_d; /* known if one piece */
	bool marker;
	/* command line: first COPY/CMDLINE sets, later ones append with a space */
	struct pk_buf cmdline;
	bool has_cmdline;
	/* record */
	struct pk_stage_cmd *cmds;
	size_t ncmds, cmds_cap;
	/* the first command that failed, and why */
	int failed;
	bool policy;        /* the failure was a policy refusal (-EPERM) */
	char why[512];
};

void pk_sink_init(struct pk_sink *s, struct pk_ctx *ctx, const char *label, bool addon);
void pk_sink_free(struct pk_sink *s);

/* The pk_bpf_command_fn of the sink (@user is the struct pk_sink). */
int pk_sink_command(void *user, uint16_t cmd, uint16_t subcmd,
		    const uint8_t *payload, uint32_t len, const uint8_t *from);

/* At the end of the program: decompress a stream the program left open. */
int pk_sink_finish(struct pk_sink *s);

/*
 * pk_buf_append_piece - append @n bytes as one initrd piece: pad @b to 4
 * bytes first when it is not empty (pieces start 4-byte aligned; the last
 * one is not padded).  Caps the total at PK_PIPELINE_MAX_INITRD (-EFBIG).
 */
int pk_buf_append_piece(struct pk_buf *b, const uint8_t *p, size_t n);

/* ---- stage.c: one stage ---- */

struct pk_stage_args {
	pk_exec_fn exec;
	unsigned int index;      /* 1-based */
	bool addon;
	const char *label;       /* the image, for messages and the record */
	const uint8_t *img;
	size_t len;
	const struct pk_pe *pe;  /* img, parsed */
	const uint8_t *initrd;   /* the user's, for ctx->initrd */
	size_t initrd_len;
	const char *cmdline;     /* the user's as given, for ctx->cmdline */
	bool kdump;
	/* the digest of img if known (the previous stage's kernel_out), else NULL */
	const uint8_t *img_sha256;
	bool no_digests;         /* hash nothing (pk_pipeline_opts) */
	bool borrow;             /* img outlives the result: zero copy from it */
	/* an add-on without its own .bpf runs this one: the first stage's
	 * (the signed envelope's) parser program, as real add-ons carry none */
	const uint8_t *main_prog;
	size_t main_prog_len;
};

/*
 * pk_stage_run - run the image's .bpf program into @sink (initialised
 * here; the caller frees it) and fill @rec (the caller frees it).  An
 * add-on without .bpf runs @a->main_prog instead.
 * Errors: -ENOEXEC no .bpf section (and no main_prog for an add-on), -EPROTO the program or a command
 * failed, -EPERM an add-on broke the rules, -ENOMEM.  The message starts
 * with "stage N (IMAGE): " or "add-on N (IMAGE): ".
 */
int pk_stage_run(struct pk_ctx *ctx, const struct pk_stage_args *a,
		 struct pk_sink *sink, struct pk_stage_record *rec);

/* ---- policy.c ---- */

/*
 * pk_policy_verify - the signature policy of DESIGN.md §4 for one image.
 * @enforcing: require a trusted signature
 * @ret_state, @ret_signer (256 bytes): what was concluded
 * Errors: -ENODATA, -EBADMSG, -EKEYREJECTED, -ENOEXEC (pipeline.h).
 */
int pk_policy_verify(struct pk_ctx *ctx, const struct pk_pe *pe,
		     const char *name, bool enforcing, bool off,
		     const struct pk_trust *trust, enum pk_sig_state *ret_state,
		     char *ret_signer);

/*
 * pk_user_cmdline - the user's command line without a leading "@N "
 * profile selector and surrounding white space.  *@ret_line is a new
 * string ("" when nothing is left), *@ret_profile the N (0 if none).
 */
int pk_user_cmdline(const char *line, char **ret_line, unsigned int *ret_profile);

/* Trim trailing white space and cut at the first NUL: a payload as text. */
size_t pk_cmdline_text_len(const uint8_t *p, size_t n);

/*
 * pk_cmdline_is_equal - are @a and @b the same command line once every run
 * of white space is one blank and both ends are trimmed?  (A user line
 * equal to the image's own is not an override: DESIGN.md §4.)
 */
bool pk_cmdline_is_equal(const char *a, size_t alen, const char *b, size_t blen);

/* ---- route.c ---- */

/*
 * pk_envelope_parse - parse the image handed to the pipeline (or to
 * pk_pipeline_route()): -ENOEXEC "NAME: not a valid PE image: <why>" for
 * anything pk_pe_parse() refuses, -ENOMEM.
 */
int pk_envelope_parse(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
		      struct pk_pe *ret_pe);

/* ---- cpio.c: archives as systemd-stub's cpio.c writes them ---- */

struct pk_cpio_writer {
	struct pk_buf buf;
	uint32_t inode;     /* the last one given; the first entry gets 1 */
	struct pk_cpio_member *members;
	size_t nmembers, cap;
};

/*
 * pk_cpio_add_dirs - directory entries for @dir ("a/b/c", no leading or
 * trailing "/"): every parent with mode 0555, @dir itself with @dir_mode.
 * pk_cpio_add_file - the file @dir/@name (name: 1..255 bytes, no "/"),
 * @n bytes (at most UINT32_MAX), permission bits @mode.
 * pk_cpio_add_trailer - the end of the archive.
 * Errors: -EINVAL bad path, -EFBIG over PK_PIPELINE_MAX_INITRD or a
 * member over 4 GiB, -E2BIG too many members, -ENOMEM.
 */
int pk_cpio_add_dirs(struct pk_cpio_writer *w, const char *dir, uint32_t dir_mode);
int pk_cpio_add_file(struct pk_cpio_writer *w, const char *dir, const char *name,
		     const uint8_t *p, size_t n, uint32_t mode);
int pk_cpio_add_trailer(struct pk_cpio_writer *w);
void pk_cpio_writer_free(struct pk_cpio_writer *w);

/* ---- stubgen.c: the archives systemd-stub makes from a UKI's sections ---- */

/*
 * pk_stub_section - the section @name systemd-stub uses for @profile of
 * @pe: the first one within the profile (from its ".profile" to the
 * next), else the first one before the first ".profile" (the base).
 * NULL if neither has it or the profile does not exist.
 */
const struct pk_pe_section *pk_stub_section(const struct pk_pe *pe, unsigned int profile,
					    const char *name);

/*
 * pk_stub_cpios - the .pcrsig, .pcrpkey, .osrel and .profile archives of
 * @pe's @profile, each a complete archive, appended to *@cpios / *@bufs (the caller frees
 * both arrays and what they hold; offsets are left 0).
 */
int pk_stub_cpios(struct pk_ctx *ctx, const char *name, const struct pk_pe *pe,
		  unsigned int profile, struct pk_pipeline_cpio **cpios,
		  struct pk_buf **bufs, size_t *n);

/*
 * pk_stub_sidecar_cpios - one archive per kind of @sc (pipeline.h), kinds
 * in enum order, names sorted; appended as pk_stub_cpios() does.
 * Errors: -EINVAL bad kind/name or a name twice in a kind, -EFBIG, -ENOMEM.
 */
int pk_stub_sidecar_cpios(struct pk_ctx *ctx, const struct pk_sidecar *sc, size_t nsc,
			  struct pk_pipeline_cpio **cpios, struct pk_buf **bufs, size_t *n);

/* ---- record.c ---- */

/*
 * Moves the sink's command list into @rec and fills the sizes and the
 * kernel's digest (hashed only if the sink does not know it).
 */
void pk_record_take(struct pk_stage_record *rec, struct pk_sink *s);
void pk_record_free(struct pk_stage_record *rec);

#endif
