// SPDX-License-Identifier: MIT
/*
 * uki.bpf.c - the parser program of Unified Kernel Images (UAPI Group UKI
 * specification, as systemd-stub reads them) and of their add-ons.
 *
 *   .linux            -> COPY/KERNEL   (streamed in chunks, concatenated)
 *   .ucode            -> COPY/INITRD   (first: microcode must lead)
 *   (empty COPY/INITRD: where the loader's own initrd goes)
 *   .initrd           -> COPY/INITRD
 *   .cmdline          -> COPY/CMDLINE  (one record)
 *
 * Section bytes are min(VirtualSize, SizeOfRawData) at PointerToRawData
 * (SizeOfRawData includes file-alignment padding); a VirtualSize of 0
 * means SizeOfRawData.  Every offset is checked against the image size
 * here: the image is hostile until proven otherwise, and this program must
 * not depend on the loader having parsed it.
 *
 * Profiles (systemd-stub): the base profile is every section before the
 * first .profile; profile N (from 0) spans from the N-th .profile to the
 * next.  A lookup sees the profile's section first, then the base's.  The
 * user's command line selects a profile with a leading "@N " (the loader
 * strips that prefix); without it profile 0 is used.  Selecting a profile
 * the image does not have is an error.
 *
 * Add-ons (PE images with .cmdline / .initrd / .ucode and this program)
 * go through the same code; they simply have no .linux.
 */
#include "parser.h"

#define UKI_MAX_SECTIONS 96u /* PE/COFF's limit for images */
#define UKI_SHDR_LEN 40u

enum uki_kind { K_LINUX, K_UCODE, K_INITRD, K_CMDLINE, K_NKINDS, K_PROFILE, K_OTHER };

struct uki_slot {
	__u64 off;
	__u64 len;
	__u32 found;
	__u32 pad;
};

/*
 * What the section scan found.  It lives in .bss, not on the stack, so the
 * verifier's state at the top of the scan loop is the same on every path
 * (map memory is not tracked value by value): the loop stays cheap to
 * verify.  Reset at every run.
 */
struct uki_plan {
	struct uki_slot base[K_NKINDS];
	struct uki_slot prof[K_NKINDS];
	__s32 cur_profile;  /* -1 while in the base */
	__u32 nprofiles;
	__u32 selected;
	__u32 error;        /* a positive errno found during the scan */
};

struct uki_plan uki_plan;

/* Section names as little-endian u64 (names are NUL-padded to 8 bytes). */
#define NAME8(a, b, c, d, e, f, g, h)                                        \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | \
	 (__u64)(e) << 32 | (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)

static __always_inline enum uki_kind kind_of(__u64 name)
{
	if (name == NAME8('.', 'l', 'i', 'n', 'u', 'x', 0, 0))
		return K_LINUX;
	if (name == NAME8('.', 'u', 'c', 'o', 'd', 'e', 0, 0))
		return K_UCODE;
	if (name == NAME8('.', 'i', 'n', 'i', 't', 'r', 'd', 0))
		return K_INITRD;
	if (name == NAME8('.', 'c', 'm', 'd', 'l', 'i', 'n', 'e'))
		return K_CMDLINE;
	if (name == NAME8('.', 'p', 'r', 'o', 'f', 'i', 'l', 'e'))
		return K_PROFILE;
	return K_OTHER;
}

static __always_inline __u64 le64(const __u8 *p)
{
	return (__u64)parser_le32(p) | (__u64)parser_le32(p + 4) << 32;
}

/*
 * profile_from_cmdline - "@N" followed by a space or the end selects
 * profile N (at most 4 digits).  Anything else: profile 0.
 */
static __always_inline __u32 profile_from_cmdline(const char *cmdline, __u64 len)
{
	__u8 buf[8] = {};
	__u32 i, n = 0, digits = 0, want;

	if (!cmdline || len < 2)
		return 0;
	want = len < sizeof(buf) ? len : sizeof(buf);
	barrier_var(want); /* test the register that is passed */
	if (want > sizeof(buf))
		return 0;
	if (bpf_probe_read_kernel(buf, want, cmdline) < 0)
		return 0;
	if (buf[0] != '@')
		return 0;
	for (i = 1; i < sizeof(buf); i++) {
		__u8 c = buf[i];

		if (i >= len || c == ' ' || c == 0)
			break;
		if (c < '0' || c > '9' || digits == 4)
			return 0;
		n = n * 10 + (c - '0');
		digits++;
	}
	return digits ? n : 0;
}

/* One section header: record it in the plan if the program uses it. */
static __always_inline int scan_one(const char *img, __u64 img_sz, __u64 shdr_off)
{
	struct uki_plan *p = &uki_plan;
	__u8 sh[UKI_SHDR_LEN];
	__u32 vsize, raw, ptr;
	struct uki_slot *slot;
	enum uki_kind k;
	__u32 idx;
	__u64 len;

	if (bpf_probe_read_kernel(sh, sizeof(sh), img + shdr_off) < 0)
		return -PARSER_EFAULT;
	k = kind_of(le64(sh));
	if (k == K_OTHER)
		return 0;
	if (k == K_PROFILE) {
		p->cur_profile++;
		p->nprofiles++;
		return 0;
	}
	vsize = parser_le32(sh + 8);
	raw = parser_le32(sh + 16);
	ptr = parser_le32(sh + 20);
	len = vsize && vsize < raw ? vsize : raw;
	if (ptr > img_sz || len > img_sz - ptr) {
		parser_log("uki: section at 0x%lx: data 0x%x+0x%lx beyond the image",
			   shdr_off, ptr, len);
		return -PARSER_EBADMSG;
	}
	/* k < K_NKINDS here; the mask keeps the index visibly bounded for
	 * the verifier (barrier_var stops clang from dropping it). */
	idx = k;
	barrier_var(idx);
	idx &= 3;
	if (p->cur_profile < 0)
		slot = &p->base[idx];
	else if ((__u32)p->cur_profile == p->selected)
		slot = &p->prof[idx];
	else
		return 0;
	if (slot->found) /* the first of a name wins, as in systemd's pe.c */
		return 0;
	slot->off = ptr;
	slot->len = len;
	slot->found = 1;
	return 0;
}

/* Find the section table; *ret_off, *ret_n. */
static __always_inline int find_sections(const char *img, __u64 img_sz,
				    __u64 *ret_off, __u32 *ret_n)
{
	__u8 coff[24];
	__u8 lfanew[4];
	__u64 pe_off, tbl;
	__u32 n, opt;

	if (img_sz < 0x40)
		return -PARSER_ENOEXEC;
	if (bpf_probe_read_kernel(lfanew, sizeof(lfanew), img + 0x3c) < 0)
		return -PARSER_EFAULT;
	pe_off = parser_le32(lfanew);
	if (pe_off > img_sz || sizeof(coff) > img_sz - pe_off)
		return -PARSER_ENOEXEC;
	if (bpf_probe_read_kernel(coff, sizeof(coff), img + pe_off) < 0)
		return -PARSER_EFAULT;
	if (coff[0] != 'P' || coff[1] != 'E' || coff[2] || coff[3])
		return -PARSER_ENOEXEC;
	n = parser_le16(coff + 6);
	opt = parser_le16(coff + 20);
	if (n > UKI_MAX_SECTIONS)
		return -PARSER_EBADMSG;
	tbl = pe_off + sizeof(coff) + opt; /* < 2^33: no wrap */
	if (tbl > img_sz || (__u64)n * UKI_SHDR_LEN > img_sz - tbl)
		return -PARSER_EBADMSG;
	*ret_off = tbl;
	*ret_n = n;
	return 0;
}

static __always_inline struct uki_slot *pick(struct uki_plan *p, __u32 k)
{
	barrier_var(k);
	k &= 3;
	return p->prof[k].found ? &p->prof[k] : &p->base[k];
}

static __always_inline int parse_uki(struct bpf_parser_context *pctx, char *rec,
				const char *img, __u64 img_sz, __u32 selected)
{
	struct uki_plan *p = &uki_plan;
	struct uki_slot *s;
	__u64 tbl;
	__u32 i, n;
	int ret;

	__builtin_memset(p, 0, sizeof(*p));
	p->cur_profile = -1;
	p->selected = selected;

	ret = find_sections(img, img_sz, &tbl, &n);
	if (ret < 0) {
		parser_log("uki: not a PE image with a sane section table", 0, 0, 0);
		return ret;
	}
	for (i = 0; i < UKI_MAX_SECTIONS; i++) {
		if (i >= n)
			break;
		ret = scan_one(img, img_sz, tbl + (__u64)i * UKI_SHDR_LEN);
		if (ret < 0)
			return ret;
	}
	if (p->selected && p->selected >= p->nprofiles) {
		parser_log("uki: profile %u selected, the image has %u",
			   p->selected, p->nprofiles, 0);
		return -PARSER_ENOENT;
	}

	s = pick(p, K_LINUX);
	if (s->found) {
		ret = parser_send_range(pctx, rec, PARSER_COPY_KERNEL,
					img + s->off, s->len);
		if (ret < 0)
			return ret;
	}
	s = pick(p, K_UCODE);
	if (s->found) {
		ret = parser_send_range(pctx, rec, PARSER_COPY_INITRD,
					img + s->off, s->len);
		if (ret < 0)
			return ret;
	}
	/* The loader's initrd goes here: after .ucode, before .initrd. */
	ret = parser_send(pctx, rec, PARSER_COPY_INITRD, img, 0);
	if (ret < 0)
		return ret;
	s = pick(p, K_INITRD);
	if (s->found) {
		ret = parser_send_range(pctx, rec, PARSER_COPY_INITRD,
					img + s->off, s->len);
		if (ret < 0)
			return ret;
	}
	s = pick(p, K_CMDLINE);
	if (s->found && s->len) {
		if (s->len > PARSER_CHUNK)
			return -PARSER_EFBIG;
		ret = parser_send(pctx, rec, PARSER_COPY_CMDLINE, img + s->off,
				  (__u32)s->len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

SEC("fentry.s/kexec_image_parser_anchor")
int BPF_PROG(uki_parser, struct kexec_context *context,
	     unsigned long parser_id)
{
	struct bpf_parser_context *pctx;
	const char *img = context->kernel;
	char *rec;
	__u64 img_sz = context->kernel_sz;
	int ret;

	/* Without a context or a record no kernel comes out: the stage fails. */
	if (!img)
		return 0;
	pctx = bpf_get_parser_context(parser_id);
	if (!pctx)
		return 0;
	/* One record for the whole run (parser.h). */
	rec = bpf_ringbuf_reserve(&ringbuf_1, PARSER_RECORD, 0);
	if (!rec) {
		parser_log("uki: no ring-buffer record", 0, 0, 0);
		bpf_put_parser_context(pctx);
		return 0;
	}
	ret = parse_uki(pctx, rec, img, img_sz,
			profile_from_cmdline(context->cmdline, context->cmdline_sz));
	if (ret < 0)
		parser_abort(pctx, rec, ret);
	bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
	bpf_put_parser_context(pctx);
	return 0; /* the only value an fentry program may return */
}
