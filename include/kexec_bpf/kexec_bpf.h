/* SPDX-License-Identifier: MIT */
/*
 * kexec_bpf.h - the ABI between a boot image's parser program (its .bpf
 * section) and the loader that runs it: the patched kernel
 * (CONFIG_KEXEC_BPF) or libpekexec's sandbox.  Binary layout follows the
 * upstream v6 posting so that its programs run unchanged (DESIGN.md §3).
 *
 * A parser program attaches as SEC("fentry.s/kexec_image_parser_anchor"),
 * reads the stage's image from ctx->kernel with bpf_probe_read(_kernel),
 * builds [struct cmd_hdr][payload] records in ring-buffer reservations and
 * hands each to bpf_buffer_parser().
 *
 * This header is included by BPF programs (clang -target bpf) and by C code
 * of both executors.  Programs built against a bpftool vmlinux.h that
 * already declares struct kexec_context define KEXEC_BPF_HAVE_CONTEXT first.
 */
#ifndef KEXEC_BPF_H
#define KEXEC_BPF_H

#include <linux/types.h>

#ifndef KEXEC_BPF_HAVE_CONTEXT
/* First argument of the anchor.  One stage's input. */
struct kexec_context {
	_Bool kdump;                /* loading a crash kernel (-p) */
	char *kernel;               /* this stage's input image */
	unsigned long kernel_sz;
	char *initrd;               /* user-supplied, may be NULL */
	unsigned long initrd_sz;
	char *cmdline;              /* user-supplied, may be NULL */
	unsigned long cmdline_sz;
};
#endif

/* One command record; payload_len bytes of payload follow directly. */
struct cmd_hdr {
	__u16 cmd;
	__u16 subcmd;
	__u32 payload_len;
} __attribute__((packed));

#define KEXEC_BPF_CMD_DECOMPRESS 0x1
#define KEXEC_BPF_CMD_COPY 0x2

#define KEXEC_BPF_SUBCMD_KERNEL 0x1
#define KEXEC_BPF_SUBCMD_INITRD 0x2
#define KEXEC_BPF_SUBCMD_CMDLINE 0x3

/* Name of the function a parser program attaches to. */
#define KEXEC_BPF_ANCHOR "kexec_image_parser_anchor"
/* Name of the PE section that carries the program. */
#define KEXEC_BPF_SECTION ".bpf"
/* Symbols of the .bpf ELF object: the light skeleton's blobs. */
#define KEXEC_BPF_SYM_DATA "opts_data"
#define KEXEC_BPF_SYM_INSN "opts_insn"
/* At most this many stages (nested images) per load. */
#define KEXEC_BPF_MAX_STAGES 4

#endif
