/* SPDX-License-Identifier: MIT */
/*
 * vmlinux-shuffled.h - a vmlinux.h whose struct kexec_context has another
 * layout than the executor's (members reordered, two extra members, a
 * 4-byte kernel_sz).  A program built against it only works if its CO-RE
 * relocations are applied against the executor's BTF: t-bpf-core.sh.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef unsigned short __u16;
typedef unsigned int __u32;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct kexec_context {
	unsigned long reserved_a[3];
	char *cmdline;
	unsigned long cmdline_sz;
	unsigned int kernel_sz;
	unsigned int reserved_b;
	char *initrd;
	unsigned long initrd_sz;
	char *kernel;
	_Bool kdump;
};

struct cmd_hdr {
	__u16 cmd;
	__u16 subcmd;
	__u32 payload_len;
} __attribute__((packed));

struct bpf_parser_context;

#pragma clang attribute pop

#endif
