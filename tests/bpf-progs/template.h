/* SPDX-License-Identifier: MIT */
/*
 * template.h - what every kexec parser program of this directory shares,
 * written the way the upstream v6 posting's template does it: the types
 * come from a bpftool-generated vmlinux.h (CO-RE: struct kexec_context is
 * preserve_access_index), four ring buffers ringbuf_1..4 (only the first
 * one is big), the command constants, the kfunc declarations, and dummy
 * variables that make sure .rodata, .data, .bss and .rodata.str1.1 exist.
 *
 * Define VMLINUX_H to include another vmlinux.h (tests use a reordered one).
 */
#ifndef PK_TEST_TEMPLATE_H
#define PK_TEST_TEMPLATE_H

#ifdef VMLINUX_H
#include VMLINUX_H
#else
#include "vmlinux.h"
#endif
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define KEXEC_BPF_CMD_DECOMPRESS 0x1
#define KEXEC_BPF_CMD_COPY 0x2
#define KEXEC_BPF_SUBCMD_KERNEL 0x1
#define KEXEC_BPF_SUBCMD_INITRD 0x2
#define KEXEC_BPF_SUBCMD_CMDLINE 0x3

#ifndef RINGBUF1_SIZE
#define RINGBUF1_SIZE (32 << 20)
#endif
/* the largest record a program builds: header + payload */
#ifndef MAX_RECORD_SIZE
#define MAX_RECORD_SIZE (16 << 20)
#endif
#define RINGBUF_MIN_SIZE 1 /* libbpf rounds up to one page */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBUF1_SIZE);
} ringbuf_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBUF_MIN_SIZE);
} ringbuf_2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBUF_MIN_SIZE);
} ringbuf_3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBUF_MIN_SIZE);
} ringbuf_4 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

extern struct bpf_parser_context *bpf_get_parser_context(unsigned long id) __ksym;
extern void bpf_put_parser_context(struct bpf_parser_context *ctx) __ksym;
extern int bpf_buffer_parser(char *buf, int buf_sz,
			     struct bpf_parser_context *ctx) __ksym;

/* make sure the four global-data sections exist, as upstream does */
static const char tmpl_rodata[16] __attribute__((used)) = "rodata";
static char tmpl_data[16] __attribute__((used)) = "data";
static char *tmpl_str __attribute__((used)) = ".rodata.str1.1";
static char tmpl_bss[16] __attribute__((used));

#endif
