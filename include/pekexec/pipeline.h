/* SPDX-License-Identifier: MIT */
/**
 * @file pipeline.h
 * @brief The stage pipeline: verify the envelope, run each stage's parser
 * program, run the add-ons, apply the command-line and initrd policy, and
 * return {kernel, initrd, cmdline} with a record of every stage.
 *
 * pk_pipeline_run() is the whole of DESIGN.md §3-§4 for user space
 * (docs/pipeline.md is the manual):
 *
 *  1. verify the image's signature by @opts->verify (require / auto / off)
 *     before any program runs;
 *  2. stage loop (at most KEXEC_BPF_MAX_STAGES): the stage's image must be
 *     a PE with a .bpf section; its program runs in the sandbox and must
 *     produce a new kernel (no progress is an error, never a loop); if that
 *     kernel is again a PE with .bpf it is the next stage's image;
 *  3. add-on stages: each add-on is verified by the same policy, must not
 *     carry .linux nor a .uname other than the image's, and its program may
 *     only add initrd pieces and command-line text;
 *  4. policy: a user command line (or initrd) next to one from the image is
 *     refused under enforcement (-EPERM), else the user's command line
 *     replaces the image's and a user initrd joins in systemd-stub order;
 *  5. the result.
 *
 * A failed run leaves nothing behind: @ret is empty and everything is
 * freed.  The message (pk_ctx_errmsg()) names the stage, the image and the
 * reason.
 *
 * Errors, one meaning each (the tool maps them to its exit codes):
 * @retval -ENOEXEC      malformed: not a PE image, malformed headers or
 *                       certificate table, no .bpf section in the image
 * @retval -ENODATA      unsigned, and the policy requires a signature
 * @retval -EBADMSG      a signature does not match the image (or its
 *                       PKCS#7 signature is invalid)
 * @retval -EKEYREJECTED signed, but by no trusted signer (under
 *                       enforcement)
 * @retval -EPROTO       a parser program was rejected by the verifier,
 *                       failed at run time, returned an error, issued a
 *                       command that failed (corrupt compressed stream,
 *                       size above the limits), made no progress, or the
 *                       chain exceeded KEXEC_BPF_MAX_STAGES
 * @retval -EPERM        refused by policy: user command line or initrd
 *                       next to the image's under enforcement; an add-on
 *                       with .linux, a different .uname, or that issued a
 *                       kernel command
 * @retval -EINVAL       bad options (unknown verify mode, NULL image, a
 *                       sidecar with a bad name, kind or a duplicate name)
 * @retval -ENOMEM       allocation failed
 */
#ifndef PEKEXEC_PIPELINE_H
#define PEKEXEC_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authenticode.h"
#include "ctx.h"
#include "hash.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest kernel a stage may produce (COPY or DECOMPRESS), and largest
 * compressed stream it may hand to DECOMPRESS. */
#define PK_PIPELINE_MAX_KERNEL (512u << 20)
/** Largest initrd the pipeline assembles (image pieces, user, add-ons). */
#define PK_PIPELINE_MAX_INITRD (2048u << 20)
/** Largest command line (bytes, without the NUL). */
#define PK_PIPELINE_MAX_CMDLINE 65536u

enum pk_verify_mode {
	PK_VERIFY_AUTO = 0, /**< require under lockdown, else verify if signed */
	PK_VERIFY_REQUIRE,  /**< a trusted signature is required */
	PK_VERIFY_OFF,      /**< signatures are not looked at */
};

/** "require" / "auto" / "off" to the mode; -EINVAL if unknown. */
int pk_verify_mode_from_name(const char *name, enum pk_verify_mode *ret);
const char *pk_verify_mode_name(enum pk_verify_mode mode);

/** Where systemd-stub puts a sidecar file of the ESP in the initrd; the
 * values are the stub's initrd order (docs/pipeline.md §4). */
enum pk_sidecar_kind {
	PK_SIDECAR_CREDENTIAL = 0,    /**< <uki>.extra.d/ *.cred -> .extra/credentials/ */
	PK_SIDECAR_GLOBAL_CREDENTIAL, /**< loader/credentials/ *.cred -> .extra/global_credentials/ */
	PK_SIDECAR_SYSEXT,            /**< <uki>.extra.d/ *.raw -> .extra/sysext/ */
	PK_SIDECAR_GLOBAL_SYSEXT,     /**< loader/extensions/ *.raw -> .extra/global_sysext/ */
	PK_SIDECAR_CONFEXT,           /**< <uki>.extra.d/ *.confext.raw -> .extra/confext/ */
	PK_SIDECAR_GLOBAL_CONFEXT,    /**< loader/extensions/ *.confext.raw -> .extra/global_confext/ */
	PK_SIDECAR_KINDS,
};

/** "credential", "global-credential", "sysext", ...; NULL if unknown. */
const char *pk_sidecar_kind_name(enum pk_sidecar_kind kind);

/** A sidecar file the caller found (not copied; must outlive the call). */
struct pk_sidecar {
	enum pk_sidecar_kind kind;
	const char *name;   /**< its file name: 1..255 ASCII bytes, no "/" */
	const uint8_t *data;
	size_t len;
};

/** An image handed to the pipeline (not copied; must outlive the call, and
 * with pk_pipeline_opts.borrow_image the result too). */
struct pk_pipeline_image {
	const char *name; /**< for messages and the record */
	const uint8_t *data;
	size_t len;
};

struct pk_pipeline_opts {
	enum pk_verify_mode verify;
	/** The running kernel is locked down (the caller reads
	 * /sys/kernel/security/lockdown): auto then means require. */
	bool lockdown;
	/** Trust anchors; NULL = none (nothing verifies under require). */
	const struct pk_trust *trust;
	/** User initrd, or NULL. */
	const uint8_t *initrd;
	size_t initrd_len;
	/** User command line (NUL-terminated), or NULL.  A leading "@N "
	 * selects UKI profile N and is stripped. */
	const char *cmdline;
	/** Add-ons, applied in this order. */
	const struct pk_pipeline_image *addons;
	size_t naddons;
	bool kdump;
	/** Do not add the cpio archives systemd-stub generates from the
	 * image's own sections (.pcrsig, .pcrpkey, .osrel, .profile of the
	 * selected profile; docs/pipeline.md §4).  By default they are added, as the stub does. */
	bool no_stub_cpios;
	/** Sidecar files (credentials, extensions): one archive per kind, in
	 * the stub's order, names sorted as the stub sorts them (strcmp);
	 * passed as the stub passes them, unverified.  Not affected by
	 * no_stub_cpios (the caller decides what to find). */
	const struct pk_sidecar *sidecars;
	size_t nsidecars;
	/** Compute no SHA-256 for the stage records (image, program,
	 * command payloads, kernel_out: left zero), so none for the result's
	 * kernel_sha256 (zero) either: for a caller that shows none of them
	 * (load).  The generated archives keep theirs (initrd_sha256_known
	 * only when the initrd is one of them). */
	bool no_digests;
	/** Zero copy: the result's kernel and initrd may point into the
	 * image's bytes (the envelope, not add-ons) instead of copies, where
	 * a parser program's COPY or DECOMPRESS payloads are proven to be
	 * ranges of it (docs/pipeline.md "Zero copy").  The image must then
	 * stay valid, and unchanged, until pk_pipeline_result_free().
	 * Outputs are byte-identical either way. */
	bool borrow_image;
};

/** What a signature check concluded for one image. */
enum pk_sig_state {
	PK_SIG_NOT_CHECKED = 0, /**< verify off, or a nested image (covered by the envelope) */
	PK_SIG_UNSIGNED,        /**< no signature (accepted: auto without lockdown) */
	PK_SIG_VERIFIED,        /**< a signature by a trusted signer */
	PK_SIG_UNTRUSTED,       /**< valid signature, untrusted signer (accepted: auto without lockdown) */
};

const char *pk_sig_state_name(enum pk_sig_state s);

/** One command a stage's program issued. */
struct pk_stage_cmd {
	uint16_t cmd;    /**< KEXEC_BPF_CMD_* */
	uint16_t subcmd; /**< KEXEC_BPF_SUBCMD_* */
	uint32_t len;    /**< payload bytes */
	int32_t result;  /**< what bpf_buffer_parser() returned to the program */
	uint8_t sha256[PK_SHA256_LEN]; /**< of the payload */
};

/**
 * pk_cmd_name - the name of a parser command number (DESIGN.md section 3):
 * "DECOMPRESS", "COPY".  pk_subcmd_name - of a sub-command number:
 * "KERNEL", "INITRD", "CMDLINE".  The one table of these names, for
 * messages and for tools that show pk_stage_cmd records.
 * @return the name, or NULL for a number the ABI does not define.
 */
const char *pk_cmd_name(uint16_t cmd);
const char *pk_subcmd_name(uint16_t subcmd);

/** The record of one stage (main or add-on). */
struct pk_stage_record {
	unsigned int index; /**< 1-based, main stages then add-ons */
	bool addon;
	char *image;        /**< what the stage ran on ("uki.efi", "uki.efi stage 1 kernel") */
	size_t image_len;
	uint8_t image_sha256[PK_SHA256_LEN];
	enum pk_sig_state sig;
	char signer[256];   /**< subject of the accepted signature, or "" */
	size_t prog_len;    /**< the .bpf section */
	uint8_t prog_sha256[PK_SHA256_LEN];
	char prog_name[64];
	uint32_t prog_insns;
	uint64_t insn_count; /**< instructions executed */
	struct pk_stage_cmd *cmds;
	size_t ncmds;
	size_t kernel_out;  /**< the new kernel (0: none, add-ons) */
	uint8_t kernel_out_sha256[PK_SHA256_LEN];
	size_t initrd_out;  /**< image initrd bytes this stage added */
	size_t cmdline_out; /**< command-line bytes this stage added */
};

/** Where the final command line and initrd came from. */
enum pk_source {
	PK_SOURCE_NONE = 0,
	PK_SOURCE_IMAGE, /**< the image (and its add-ons) */
	PK_SOURCE_USER,  /**< the user's, the image had none or was overridden */
	PK_SOURCE_BOTH,  /**< initrd only: user and image pieces, systemd order */
};

const char *pk_source_name(enum pk_source s);

/** cpio mode bits of a member's type (the kernel's initramfs format). */
#define PK_CPIO_S_IFDIR 0040000u
#define PK_CPIO_S_IFREG 0100000u

/** One entry of a generated cpio archive. */
struct pk_cpio_member {
	char path[512];  /**< as in the archive: ".extra/tpm2-pcr-signature.json" */
	uint32_t mode;   /**< type and permission bits: 0100444, 040555 */
	size_t size;     /**< contents (0 for a directory) */
	uint8_t sha256[PK_SHA256_LEN]; /**< of the contents */
};

/** A cpio archive the pipeline generated, as systemd-stub would, and put
 * into the result's initrd. */
struct pk_pipeline_cpio {
	char source[64]; /**< what it was made from: ".pcrsig", ".pcrpkey",
			  *   ".osrel", ".profile",
			  *   or a sidecar kind ("credential", ...) */
	size_t offset;   /**< where it starts in the result's initrd */
	size_t len;
	uint8_t sha256[PK_SHA256_LEN]; /**< of the archive */
	struct pk_cpio_member *members; /**< in archive order, trailer not listed */
	size_t nmembers;
};

struct pk_pipeline_result {
	const uint8_t *kernel; /**< may point into the image (borrow_image) */
	size_t kernel_len;
	const uint8_t *initrd; /**< NULL when empty; may point into the image */
	size_t initrd_len;
	char *cmdline;      /**< NUL-terminated, "" when empty */
	bool enforcing;     /**< require, or auto under lockdown */
	enum pk_source cmdline_source;
	enum pk_source initrd_source;
	unsigned int profile; /**< the "@N" the user selected (0 by default) */
	struct pk_stage_record *stages;
	size_t nstages;     /**< main stages then add-on stages */
	size_t nmain;       /**< how many of them are main stages */
	struct pk_pipeline_cpio *cpios; /**< generated archives, initrd order */
	size_t ncpios;
	/** SHA-256 of @kernel: the last main stage's kernel_out_sha256 */
	uint8_t kernel_sha256[PK_SHA256_LEN];
	/** SHA-256 of @initrd when the pipeline knew it without hashing the
	 * initrd again (one piece: a COPY/INITRD payload or one generated
	 * archive); else false and the caller hashes it if it needs it */
	bool initrd_sha256_known;
	uint8_t initrd_sha256[PK_SHA256_LEN];
	/* private: what pk_pipeline_result_free() frees (NULL: borrowed) */
	void *kernel_alloc_;
	void *initrd_alloc_;
};

/**
 * pk_pipeline_run - unpack @img (see the file comment).
 * @ret: zero-initialised by the caller; filled on success, left empty on
 * failure.  Free with pk_pipeline_result_free().
 */
int pk_pipeline_run(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
		    const struct pk_pipeline_opts *opts,
		    struct pk_pipeline_result *ret);

/** Frees everything in @r and zeroes it; NULL and half-filled are allowed. */
void pk_pipeline_result_free(struct pk_pipeline_result *r);

/** Where pk_pipeline_route() sends an image. */
enum pk_route {
	PK_ROUTE_PLAIN = 0, /**< no .bpf, no zboot: the kernel loads the file as it is */
	PK_ROUTE_PIPELINE,  /**< pk_pipeline_run() unpacks it in user space */
	PK_ROUTE_KERNEL,    /**< handed unopened to a CONFIG_KEXEC_BPF kernel */
};

/** Who unpacks an image with a .bpf section. */
enum pk_kernel_bpf {
	PK_KERNEL_BPF_AUTO = 0, /**< the kernel when it has CONFIG_KEXEC_BPF, there
				 *   is no add-on and no archive of the stub to
				 *   add (.pcrsig/.pcrpkey), else user space */
	PK_KERNEL_BPF_YES,      /**< the kernel */
	PK_KERNEL_BPF_NO,       /**< user space */
};

struct pk_route_opts {
	enum pk_kernel_bpf kernel_bpf;
	/** How many add-ons go with the image (they need the pipeline). */
	size_t naddons;
	/** As pk_pipeline_opts.no_stub_cpios: when false, an image with a
	 * non-empty .pcrsig or .pcrpkey needs the pipeline under
	 * PK_KERNEL_BPF_AUTO (the kernel would not add their archives). */
	bool no_stub_cpios;
	/** The running kernel's BTF for PK_KERNEL_BPF_AUTO
	 * (pk_kexec_kernel_bpf()); NULL: /sys/kernel/btf/vmlinux. */
	const char *kernel_btf;
};

/**
 * pk_pipeline_route - decide what to do with @img before anything is
 * loaded, failing closed (DESIGN.md §4):
 *
 *  - a file that claims to be a PE ("MZ" at 0) or an EFI zboot image
 *    ("zimg" at 4) but does not parse, the zboot header included, is
 *    refused with the message pk_pipeline_run() would give;
 *  - a zboot image without .bpf goes to the pipeline (which refuses it);
 *  - an image with .bpf goes to the kernel or the pipeline by @opts;
 *  - only what is clearly neither (an ELF, a raw Image, a PE without .bpf
 *    and zboot header such as a bzImage) is PK_ROUTE_PLAIN.
 *
 * @opts: NULL means PK_KERNEL_BPF_AUTO without add-ons.
 * @retval 0        *@ret set
 * @retval -ENOEXEC the image claims to be PE or zboot and is malformed
 * @retval -EINVAL   add-ons with an image that cannot take them (plain,
 *                   or PK_KERNEL_BPF_YES), NULL image, unknown mode
 * @retval -ENOMEM   allocation failed (never read as "no .bpf")
 */
int pk_pipeline_route(struct pk_ctx *ctx, const struct pk_pipeline_image *img,
		      const struct pk_route_opts *opts, enum pk_route *ret);

/** "plain", "pipeline", "kernel". */
const char *pk_route_name(enum pk_route route);

#ifdef __cplusplus
}
#endif
#endif
