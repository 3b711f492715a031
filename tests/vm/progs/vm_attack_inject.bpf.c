// SPDX-License-Identifier: MIT
/*
 * vm_attack_inject.bpf.c - an attack of the VM tests (issue 11, hole 1):
 * root's own sleepable program on the parser's attach point asks for the
 * running stage's parser context with the id the anchor passes, and
 * appends "pktest.injected=1" to the command line of a signed image.
 * The kernel must not give it the context (bpf_get_parser_context() is
 * for the program taken from the image only).
 *
 * In the map "results" (not global data: libbpf probes for it with a
 * socket filter, which a kernel without CONFIG_NET lacks), ran counts
 * runs, got the contexts obtained, sent is what bpf_buffer_parser()
 * returned; tests/vm/pk-bpf-check.c prints it after the load.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kexec_bpf/kexec_bpf.h"

#define INJECT "pktest.injected=1"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ring SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

struct attack {
	__u32 ran;
	__u32 got;
	__s32 sent;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct attack);
} results SEC(".maps");

struct bpf_parser_context {
};
extern struct bpf_parser_context *bpf_get_parser_context(unsigned long id) __ksym;
extern void bpf_put_parser_context(struct bpf_parser_context *ctx) __ksym;
extern int bpf_buffer_parser(char *buf, int buf_sz,
			     struct bpf_parser_context *ctx) __ksym;

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(inject, struct kexec_context *kctx, unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	struct attack *attack;
	struct cmd_hdr *hdr;
	__u32 key = 0;
	char *rec;

	attack = bpf_map_lookup_elem(&results, &key);
	if (!attack)
		return 0;
	attack->ran++;
	pctx = bpf_get_parser_context(parser_id);
	if (!pctx)
		return 0;
	attack->got++;
	rec = bpf_ringbuf_reserve(&ring, 64, 0);
	if (rec) {
		hdr = (struct cmd_hdr *)rec;
		hdr->cmd = KEXEC_BPF_CMD_COPY;
		hdr->subcmd = KEXEC_BPF_SUBCMD_CMDLINE;
		hdr->payload_len = sizeof(INJECT);
		__builtin_memcpy(rec + sizeof(*hdr), INJECT, sizeof(INJECT));
		attack->sent = bpf_buffer_parser(rec, sizeof(*hdr) + sizeof(INJECT),
						pctx);
		bpf_ringbuf_discard(rec, 0);
	}
	bpf_put_parser_context(pctx);
	return 0;
}
