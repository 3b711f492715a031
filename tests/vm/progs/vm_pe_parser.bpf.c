// SPDX-License-Identifier: MIT
/*
 * vm_pe_parser.bpf.c - the parser program of the kernel series' VM test
 * images: a minimal UKI-like parser, enough to drive every command.
 *
 * It walks the PE section table of ctx->kernel (at most 16 sections) and
 * sends, in section table order:
 *   .cmdline  COPY/CMDLINE
 *   .initrd   COPY/INITRD
 *   .badcmd   an unknown command (0x7f/0x1): the load must fail with -EINVAL
 *   .probe    (after the loop) 8 bytes read with bpf_probe_read_kernel()
 *             from where its first byte says: 's', the kernel stack next
 *             to the struct kexec_context (outside everything a parser may
 *             read); 'u', the user's command line.  They become an initrd
 *             piece; a failed read aborts the stage (command 0, the errno
 *             as subcommand: "unknown command 0/14" for EFAULT)
 * and last, for .linux, COPY/KERNEL if it starts with "MZ", else
 * DECOMPRESS/KERNEL.  An image without .linux produces no kernel (the
 * "no progress" test).  Section sizes are min(VirtualSize, SizeOfRawData).
 * Limits (exclusive): kernel 8 MiB, initrd 4 MiB, command line 1 KiB.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kexec_bpf/kexec_bpf.h"

#define MAX_SECTIONS 16
/*
 * Nothing consumes these ring buffers, so a reservation's space is never
 * given back during a run: each command has a ring of its own, big enough
 * for the reservations of one run.  Payload limits are powers of two so
 * that a mask, which the verifier tracks, bounds the length.
 */
#define KERNEL_PAYLOAD (8 << 20)
#define INITRD_PAYLOAD (4 << 20)
#define SMALL_PAYLOAD 1024
#define NAME8(a, b, c, d, e, f, g, h)                                       \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | \
	 (__u64)(e) << 32 | (__u64)(f) << 40 | (__u64)(g) << 48 |           \
	 (__u64)(h) << 56)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * KERNEL_PAYLOAD);
} ringbuf_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * INITRD_PAYLOAD);
} ringbuf_2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * SMALL_PAYLOAD);
} ringbuf_3 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* opaque; a struct (not a forward declaration) so that libbpf's kfunc
 * prototype check matches it with the kernel's
 */
struct bpf_parser_context {
};
extern struct bpf_parser_context *bpf_get_parser_context(unsigned long id) __ksym;
extern void bpf_put_parser_context(struct bpf_parser_context *ctx) __ksym;
extern int bpf_buffer_parser(char *buf, int buf_sz,
			     struct bpf_parser_context *ctx) __ksym;

struct pe_section {
	__u64 name;
	__u32 vsize;
	__u32 vaddr;
	__u32 rawsize;
	__u32 rawptr;
};

/* one command, its payload shorter than payload_max (a power of two) */
static __always_inline int send(void *ring, __u64 payload_max,
				struct bpf_parser_context *pctx, __u16 cmd,
				__u16 subcmd, const char *src, __u64 len)
{
	struct cmd_hdr *hdr;
	char *rec;
	__u64 n;
	int ret;

	if (len >= payload_max)
		return -7; /* E2BIG */
	/* hide the check from the compiler so that it keeps the mask, the
	 * bound the verifier sees in the register it uses
	 */
	n = len;
	asm volatile("" : "+r"(n));
	n &= payload_max - 1;
	rec = bpf_ringbuf_reserve(ring, payload_max + sizeof(*hdr), 0);
	if (!rec)
		return -12; /* ENOMEM */
	hdr = (struct cmd_hdr *)rec;
	hdr->cmd = cmd;
	hdr->subcmd = subcmd;
	hdr->payload_len = n;
	if (bpf_probe_read_kernel(rec + sizeof(*hdr), n, src)) {
		bpf_ringbuf_discard(rec, 0);
		return -14; /* EFAULT */
	}
	ret = bpf_buffer_parser(rec, n + sizeof(*hdr), pctx);
	bpf_ringbuf_discard(rec, 0);
	return ret;
}

/* .probe: what a parser may read (docs/kernel.md, "Confinement") */
static __always_inline void probe(struct kexec_context *kctx,
				  struct bpf_parser_context *pctx,
				  const char *sel)
{
	unsigned long src;
	struct cmd_hdr *hdr;
	char what = 0, *rec;
	long ret;

	if (bpf_probe_read_kernel(&what, 1, sel))
		return;
	src = what == 's' ? (unsigned long)kctx + 64 :
			    (unsigned long)kctx->cmdline;
	rec = bpf_ringbuf_reserve(&ringbuf_3, SMALL_PAYLOAD + sizeof(*hdr), 0);
	if (!rec)
		return;
	hdr = (struct cmd_hdr *)rec;
	ret = bpf_probe_read_kernel(rec + sizeof(*hdr), 8, (void *)src);
	hdr->cmd = ret ? 0 : KEXEC_BPF_CMD_COPY;
	hdr->subcmd = ret ? -ret : KEXEC_BPF_SUBCMD_INITRD;
	hdr->payload_len = ret ? 0 : 8;
	bpf_buffer_parser(rec, sizeof(*hdr) + 8, pctx);
	bpf_ringbuf_discard(rec, 0);
}

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(vm_pe_parser, struct kexec_context *kctx, unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	__u64 img_sz = kctx->kernel_sz, table, linux_off = 0, linux_sz = 0;
	__u64 probe_off = 0;
	char *img = kctx->kernel;
	__u32 pe = 0;
	__u16 nsec = 0, opt = 0, magic = 0;
	int i;

	pctx = bpf_get_parser_context(parser_id);
	if (!pctx)
		return 0;
	if (img_sz < 0x40 || bpf_probe_read_kernel(&pe, 4, img + 0x3c) ||
	    pe > img_sz - 24 ||
	    bpf_probe_read_kernel(&nsec, 2, img + pe + 6) ||
	    bpf_probe_read_kernel(&opt, 2, img + pe + 20))
		goto out;
	table = pe + 24 + opt;

	for (i = 0; i < MAX_SECTIONS && i < nsec; i++) {
		struct pe_section sh;
		__u64 off = table + i * 40, size;

		if (off > img_sz || sizeof(sh) > img_sz - off ||
		    bpf_probe_read_kernel(&sh, sizeof(sh), img + off))
			break;
		size = sh.vsize < sh.rawsize ? sh.vsize : sh.rawsize;
		if (sh.rawptr > img_sz || size > img_sz - sh.rawptr)
			break;
		if (sh.name == NAME8('.', 'c', 'm', 'd', 'l', 'i', 'n', 'e'))
			send(&ringbuf_3, SMALL_PAYLOAD, pctx, KEXEC_BPF_CMD_COPY,
			     KEXEC_BPF_SUBCMD_CMDLINE, img + sh.rawptr, size);
		else if (sh.name == NAME8('.', 'i', 'n', 'i', 't', 'r', 'd', 0))
			send(&ringbuf_2, INITRD_PAYLOAD, pctx, KEXEC_BPF_CMD_COPY,
			     KEXEC_BPF_SUBCMD_INITRD, img + sh.rawptr, size);
		else if (sh.name == NAME8('.', 'b', 'a', 'd', 'c', 'm', 'd', 0))
			send(&ringbuf_3, SMALL_PAYLOAD, pctx, 0x7f,
			     KEXEC_BPF_SUBCMD_KERNEL, img + sh.rawptr, size);
		else if (sh.name == NAME8('.', 'p', 'r', 'o', 'b', 'e', 0, 0) &&
			 size)
			probe_off = sh.rawptr;
		else if (sh.name == NAME8('.', 'l', 'i', 'n', 'u', 'x', 0, 0)) {
			linux_off = sh.rawptr;
			linux_sz = size;
		}
	}

	if (probe_off)
		probe(kctx, pctx, img + probe_off);
	if (linux_sz >= 2 &&
	    !bpf_probe_read_kernel(&magic, 2, img + linux_off))
		send(&ringbuf_1, KERNEL_PAYLOAD, pctx,
		     magic == NAME8('M', 'Z', 0, 0, 0, 0, 0, 0) ?
		     KEXEC_BPF_CMD_COPY : KEXEC_BPF_CMD_DECOMPRESS,
		     KEXEC_BPF_SUBCMD_KERNEL, img + linux_off, linux_sz);
out:
	bpf_put_parser_context(pctx);
	return 0;
}
