/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kexec_bpf.h - the ABI between a boot image's parser program (its .bpf
 * section) and the loader that runs it: the kernel (CONFIG_KEXEC_BPF) or a
 * user-space executor of the same programs.  The binary layout follows the
 * posting "kexec: Use BPF lskel to enable kexec to load PE format boot
 * image" so that its programs run unchanged.
 *
 * A parser program is a SEC("fentry.s/kexec_image_parser_anchor") program.
 * It reads the stage's image from ctx->kernel with bpf_probe_read() or
 * bpf_probe_read_kernel(), builds [struct cmd_hdr][payload] records in
 * ring buffer reservations and hands each to bpf_buffer_parser().
 *
 * BPF programs (clang -target bpf) and C code of the executors include
 * this header.  Programs built against a vmlinux.h that already declares
 * struct kexec_context define KEXEC_BPF_HAVE_CONTEXT first.
 */
#ifndef _UAPI_LINUX_KEXEC_BPF_H
#define _UAPI_LINUX_KEXEC_BPF_H

#include <linux/types.h>

#ifndef KEXEC_BPF_HAVE_CONTEXT
/*
 * The anchor's first argument: one stage's input.  Pointers and sizes are
 * the executor's; a program reads through them with the bounded
 * bpf_probe_read*() helpers only.
 */
struct kexec_context {
	__u8 kdump;			/* 1: loading a crash kernel */
	char *kernel;			/* this stage's input image */
	unsigned long kernel_sz;
	char *initrd;			/* the user's initrd, or NULL */
	unsigned long initrd_sz;
	char *cmdline;			/* the user's command line, or NULL */
	unsigned long cmdline_sz;	/* the terminating NUL included */
};
#endif

/* One command record; payload_len bytes of payload follow directly. */
struct cmd_hdr {
	__u16 cmd;
	__u16 subcmd;
	__u32 payload_len;
} __attribute__((packed));

/* Commands of bpf_buffer_parser() */
#define KEXEC_BPF_CMD_DECOMPRESS	0x1
#define KEXEC_BPF_CMD_COPY		0x2
#define KEXEC_BPF_SUBCMD_KERNEL		0x1
#define KEXEC_BPF_SUBCMD_INITRD		0x2
#define KEXEC_BPF_SUBCMD_CMDLINE	0x3

/* Caps on what the programs of one load may produce, in bytes. */
#define KEXEC_BPF_MAX_KERNEL		(512UL << 20)	/* and its stream */
#define KEXEC_BPF_MAX_INITRD		(2048UL << 20)
#define KEXEC_BPF_MAX_CMDLINE		(64UL << 10)

/* The function whose BTF prototype parser programs are verified for. */
#define KEXEC_BPF_ANCHOR		"kexec_image_parser_anchor"
/* The PE section that carries the program. */
#define KEXEC_BPF_SECTION		".bpf"
/* Symbols of the .bpf ELF object: the light skeleton's data and loader. */
#define KEXEC_BPF_SYM_DATA		"opts_data"
#define KEXEC_BPF_SYM_INSN		"opts_insn"
/* At most this many stages (nested images) per load. */
#define KEXEC_BPF_MAX_STAGES		4

#endif /* _UAPI_LINUX_KEXEC_BPF_H */
