/* SPDX-License-Identifier: MIT */
/*
 * parser.h - what the parser programs share: the map layout every parser
 * program carries (DESIGN.md §3: ringbuf_1..4, .rodata, .data, .bss,
 * .rodata.str1.1), the kfunc declarations, the record size and the helper
 * that sends one command record through a ring-buffer reservation.
 *
 * Record size.  bpf_ringbuf_reserve() takes a size the verifier knows as a
 * constant, and the 512-byte stack is too small, so every command is built
 * in a reservation of PARSER_RECORD bytes: the 8-byte struct cmd_hdr and up
 * to PARSER_CHUNK bytes of payload.  A program reserves that record once
 * and reuses it for all its commands: nobody consumes a parser's ring, so
 * even a discarded record keeps its ring space until the run ends.  Larger payloads are streamed as several
 * records of the same command (docs/parsers.md, "Chunked commands"):
 * consecutive COPY/KERNEL records concatenate, DECOMPRESS/KERNEL records
 * concatenate into one compressed stream, COPY/INITRD pieces append anyway.
 * PARSER_CHUNK is a multiple of 4, so chunking an initrd piece does not
 * change the padding COPY/INITRD applies.
 *
 * Ring sizes: ringbuf_1 holds the one record (plus the ring's 8-byte
 * record header), so it is PARSER_RECORD rounded up to a power of two:
 * 8 MiB.  ringbuf_2..4 are unused and one page each (the
 * kernel wants a power-of-two multiple of the page size).
 */
#ifndef PEKEXEC_BPF_PARSER_H
#define PEKEXEC_BPF_PARSER_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kexec_bpf/kexec_bpf.h"

#define PARSER_CHUNK (4u << 20)
#define PARSER_HDR ((__u32)sizeof(struct cmd_hdr))
#define PARSER_RECORD (PARSER_HDR + PARSER_CHUNK)
#define PARSER_RING1 (8u << 20)
#define PARSER_RING_UNUSED 4096u

/* Errno values the programs report (no libc headers in BPF programs). */
#define PARSER_ENOENT 2
#define PARSER_ENOMEM 12
#define PARSER_EFAULT 14
#define PARSER_EINVAL 22
#define PARSER_ENOEXEC 8
#define PARSER_EFBIG 27
#define PARSER_ERANGE 34
#define PARSER_EBADMSG 74
#define PARSER_EPROTONOSUPPORT 93

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PARSER_RING1);
} ringbuf_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PARSER_RING_UNUSED);
} ringbuf_2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PARSER_RING_UNUSED);
} ringbuf_3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PARSER_RING_UNUSED);
} ringbuf_4 SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/*
 * The kernel's light-skeleton glue (DESIGN.md §3) expects the maps .rodata,
 * .data, .bss and .rodata.str1.1 in every parser program, whatever the
 * program itself uses; these definitions make sure each one exists.
 */
static const char parser_rodata[8] __attribute__((used)) = "kexec";
static char parser_data[8] __attribute__((used)) = "parser";
static char parser_bss[8] __attribute__((used));
static const char parser_str[] __attribute__((used, section(".rodata.str1.1"))) =
	"kexec-bpf parser";

/*
 * parser_log - a trace line with exactly three arguments (pass 0 for the
 * unused ones), so r3..r5 are always initialised whatever the executor's
 * helper table declares for bpf_trace_printk.
 */
#define parser_log(fmt, a, b, c) bpf_printk(fmt, a, b, c)

/* kfuncs of DESIGN.md §3 */
struct bpf_parser_context;
extern struct bpf_parser_context *bpf_get_parser_context(unsigned long id) __ksym;
extern void bpf_put_parser_context(struct bpf_parser_context *ctx) __ksym;
extern int bpf_buffer_parser(char *buf, int buf_sz,
			     struct bpf_parser_context *ctx) __ksym;

/* cmd and subcmd in one argument: BPF calls take at most five. */
#define PARSER_CMD(cmd, subcmd) ((__u32)(cmd) | (__u32)(subcmd) << 16)
#define PARSER_DECOMPRESS_KERNEL PARSER_CMD(KEXEC_BPF_CMD_DECOMPRESS, KEXEC_BPF_SUBCMD_KERNEL)
#define PARSER_COPY_KERNEL PARSER_CMD(KEXEC_BPF_CMD_COPY, KEXEC_BPF_SUBCMD_KERNEL)
#define PARSER_COPY_INITRD PARSER_CMD(KEXEC_BPF_CMD_COPY, KEXEC_BPF_SUBCMD_INITRD)
#define PARSER_COPY_CMDLINE PARSER_CMD(KEXEC_BPF_CMD_COPY, KEXEC_BPF_SUBCMD_CMDLINE)

/*
 * Why everything here is __always_inline, and why parser_send() reads the
 * payload length back from the record: Linux 6.1's verifier (the kernel
 * executor) unrolls the chunk loop of parser_send_range() (up to
 * PARSER_MAX_CHUNKS iterations) and prunes an iteration only against a
 * finished one whose scalars it knows "precisely" enough.  A size passed
 * to bpf_probe_read_kernel() must be precise, and the verifier tracks
 * that back through every computation of it: across a bpf-to-bpf call it
 * gives up and marks every scalar of the path precise, and within one
 * function it marks the remaining length of the range precise, so the
 * iterations never prune and the program hits the 1M-instruction limit
 * (-E2BIG from BPF_PROG_LOAD inside kexec_file_load()).  With no
 * subprograms, and the size loaded from the record (memory the verifier
 * does not track, so the precision chain ends there), 6.1 verifies uki
 * in 160866 processed instructions and zboot in 40285.  The user-space
 * executor runs the same code; the value read back is the one just
 * written.
 */

/*
 * parser_send - one command record in @rec (the program's one reservation
 * of PARSER_RECORD bytes, reused for every command): @len bytes of the
 * image at @src (read with bpf_probe_read_kernel) as the payload of
 * @cmd, a PARSER_CMD() word.  @len may be 0 (an empty payload).  Returns
 * bpf_buffer_parser()'s result (>= 0 on success), or a negative errno.
 */
static __always_inline int parser_send(struct bpf_parser_context *pctx,
				       char *rec, __u32 cmd, const char *src,
				       __u32 len)
{
	struct cmd_hdr *hdr = (struct cmd_hdr *)rec;
	__u32 n;

	hdr->cmd = (__u16)cmd;
	hdr->subcmd = (__u16)(cmd >> 16);
	hdr->payload_len = len;
	/* payload_len, read back (offset 4, 4-aligned in the record) */
	n = *(volatile __u32 *)(rec + 4);
	if (n > PARSER_CHUNK)
		return -PARSER_EINVAL;
	if (n && bpf_probe_read_kernel(rec + PARSER_HDR, n, src) < 0)
		return -PARSER_EFAULT;
	return bpf_buffer_parser(rec, PARSER_RECORD, pctx);
}

/*
 * Failing a stage.  A parser program is an fentry program, and the kernel
 * lets those return nothing but 0 (check_return_code(); the sandbox's
 * verifier has the same rule), so a program cannot fail a stage by its
 * return value.  It fails it with a record that is not a command of
 * DESIGN.md §3: both executors answer an unknown command with -EINVAL and
 * fail the stage, whatever the program does next.  The built-in programs
 * send command 0 with the errno as subcommand, which the pipeline reports
 * as "the program gave up: <errno text>".  After an earlier failed command
 * this is -ECANCELED and changes nothing.  Without a parser context or a
 * record there is nothing to send; the stage then fails for producing no
 * kernel.
 */
#define PARSER_ABORT 0

static __always_inline void parser_abort(struct bpf_parser_context *pctx,
					 char *rec, int err)
{
	parser_send(pctx, rec, PARSER_CMD(PARSER_ABORT, (__u16)-err), rec, 0);
}

/*
 * parser_send_range - stream the @len bytes at @src as records of at most
 * PARSER_CHUNK bytes.  The caller has checked the range against the image
 * size.  At most PARSER_MAX_CHUNKS records (the verifier needs a bound).
 */
#define PARSER_MAX_CHUNKS 256u /* 1 GiB per range */

static __always_inline int parser_send_range(struct bpf_parser_context *pctx,
					     char *rec, __u32 cmd,
					     const char *src, __u64 len)
{
	__u32 i;
	int ret;

	if (len > (__u64)PARSER_CHUNK * PARSER_MAX_CHUNKS)
		return -PARSER_EFBIG;
	for (i = 0; i < PARSER_MAX_CHUNKS && len; i++) {
		__u32 n = len > PARSER_CHUNK ? PARSER_CHUNK : (__u32)len;

		ret = parser_send(pctx, rec, cmd, src, n);
		if (ret < 0)
			return ret;
		src += n;
		len -= n;
	}
	return 0;
}

/* Little-endian loads from a stack copy (the programs run on LE hosts and
 * BPF is the host's byte order; the image fields are LE). */
static __always_inline __u32 parser_le32(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 |
	       (__u32)p[3] << 24;
}

static __always_inline __u16 parser_le16(const __u8 *p)
{
	return (__u16)(p[0] | p[1] << 8);
}

#endif
