// SPDX-License-Identifier: MIT
/*
 * multimap.bpf.c - several BTF-defined maps of several types in ".maps",
 * used through maps other than the first: clang (14, 16) writes every
 * variable of the .maps DATASEC at offset 0, so a loader must place the
 * maps by their symbols, as libbpf does.  Maps: template.h's ring buffers
 * ringbuf_1..4, then two arrays, counts (4 x u64) and words (2 x 16
 * bytes).
 *
 * On an image of 1..MAX_RECORD_SIZE - 8 bytes it issues, in order:
 *   COPY/CMDLINE  "multimap=2"  (built in words[1], counts[2] incremented
 *                                twice from 0, through ringbuf_3)
 *   COPY/KERNEL   the whole image (through ringbuf_1)
 */
#include "template.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, char[16]);
} words SEC(".maps");

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(parse_multimap, struct kexec_context *context, unsigned long parser_id)
{
	unsigned long image_sz = context->kernel_sz;
	char *image = context->kernel;
	struct bpf_parser_context *pctx;
	__u32 k = 2, w = 1;
	struct cmd_hdr *hdr;
	char *word, *rec;
	__u64 *cnt;

	if (!image || !image_sz || image_sz > MAX_RECORD_SIZE - 8)
		return 0;
	cnt = bpf_map_lookup_elem(&counts, &k);
	word = bpf_map_lookup_elem(&words, &w);
	if (!cnt || !word)
		return 0;
	*cnt += 1;
	*cnt += 1;
	__builtin_memcpy(word, "multimap=", 9);
	word[9] = '0' + (*cnt & 7);
	word[10] = 0;
	pctx = bpf_get_parser_context(parser_id);
	if (!pctx)
		return 0;
	rec = bpf_ringbuf_reserve(&ringbuf_3, 64, 0);
	if (rec) {
		hdr = (struct cmd_hdr *)rec;
		hdr->cmd = KEXEC_BPF_CMD_COPY;
		hdr->subcmd = KEXEC_BPF_SUBCMD_CMDLINE;
		hdr->payload_len = 10;
		__builtin_memcpy(rec + sizeof(*hdr), word, 10);
		bpf_buffer_parser(rec, sizeof(*hdr) + 10, pctx);
		bpf_ringbuf_discard(rec, 0);
	}
	rec = bpf_ringbuf_reserve(&ringbuf_1, MAX_RECORD_SIZE, 0);
	if (rec) {
		hdr = (struct cmd_hdr *)rec;
		hdr->cmd = KEXEC_BPF_CMD_COPY;
		hdr->subcmd = KEXEC_BPF_SUBCMD_KERNEL;
		hdr->payload_len = image_sz;
		if (!bpf_probe_read_kernel(rec + sizeof(*hdr), image_sz, image))
			bpf_buffer_parser(rec, MAX_RECORD_SIZE, pctx);
		bpf_ringbuf_discard(rec, 0);
	}
	bpf_put_parser_context(pctx);
	return 0;
}
