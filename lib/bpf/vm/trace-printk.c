// SPDX-License-Identifier: MIT
/*
 * trace-printk.c - bpf_trace_printk(fmt, fmt_size, a1, a2, a3), formatted
 * here, never by the host's printf on guest data: the format is parsed
 * conversion by conversion (%d %i %u %x %ld %li %lu %lx %lld %lli %llu %llx
 * %p %s %%), at most three arguments, %s strings read through the region
 * check (one that faults prints as an empty string, as in the kernel).
 * The line goes to the library log at info level, tagged with the
 * environment's stage label.  Returns the length of the line, or -EINVAL
 * for a bad format (as the kernel: no NUL within the size, ASCII control
 * characters, %n and other unknown conversions, more than three, %s
 * followed by a letter or digit).  The kernel also knows width fields,
 * %c and %p extensions, which give -EINVAL here.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

#include "vm-internal.h"

#define PK_PRINTK_MAX 512
#define PUT_STR_MAX 256 /* bytes of one %s argument */
#define PRINTK_CALL_BYTES 16384 /* budget charge of one call: 1024 instructions */

struct out {
	char buf[PK_PRINTK_MAX];
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n > sizeof(o->buf) - 1 - o->len)
		n = sizeof(o->buf) - 1 - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* Bytes readable at @g with @perm, at most PUT_STR_MAX (binary search:
 * a readable range's prefixes are readable). */
static size_t readable(struct pk_bpf_run *run, uint64_t g, unsigned int perm)
{
	size_t lo = 0, hi = PUT_STR_MAX;

	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		if (pk_run_access(run, g, mid, perm))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* A %s argument: up to its NUL, PUT_STR_MAX bytes or the end of its region. */
static void put_str(struct pk_bpf_run *run, struct out *o, uint64_t g)
{
	unsigned int perm = PK_BPF_MEM_READ;
	size_t i, n = readable(run, g, perm);
	const uint8_t *p, *nul;

	if (!n) {
		perm = PK_BPF_MEM_PROBE;
		n = readable(run, g, perm);
	}
	if (!n) /* as the kernel (bpf_bprintf_prepare): an empty string */
		return;
	p = pk_run_access(run, g, n, perm);
	nul = memchr(p, 0, n);
	if (nul)
		n = (size_t)(nul - p);
	for (i = 0; i < n; i++) {
		char c = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';

		put(o, &c, 1);
	}
}

int pk_bpf_trace_printk(struct pk_bpf_run *run, const uint64_t a[5], uint64_t *r0)
{
	const char *fmt = pk_run_access(run, a[0], a[1], PK_BPF_MEM_READ);
	const char *label = run->vm->env->label;
	struct out o = { .len = 0 };
	uint32_t argi = 0;
	size_t i, n = a[1];
	int r;

	o.buf[0] = '\0';
	if (!fmt || !n)
		return pk_err(run->ctx, -EFAULT, "bpf_trace_printk: format outside memory");
	/*
	 * The format is scanned four times (NUL, length, characters,
	 * conversions); each call also formats and logs a line of up to
	 * PK_PRINTK_MAX bytes through the log callback, which may write to a
	 * terminal: a flat PRINTK_CALL_BYTES on top (measured: "%s%s%s" of
	 * 255-byte strings costs ~1 us per call).
	 */
	r = pk_bpf_run_charge(run, "format", 4 * (uint64_t)n + PRINTK_CALL_BYTES);
	if (r)
		return r;
	/* as 6.1's bpf_bprintf_prepare(): a NUL within fmt_size, no ASCII
	 * control characters but white space */
	if (!memchr(fmt, 0, n))
		goto bad;
	n = strlen(fmt);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)fmt[i];

		/* !isprint && !isspace in ASCII, without a call per byte */
		if ((c < 0x20 && (c < '\t' || c > '\r')) || c == 0x7f)
			goto bad;
	}
	for (i = 0; i < n; i++) {
		char tmp[32];
		int lmod = 0;
		uint64_t v;

		if (fmt[i] != '%') { /* a run of literal text, at memchr speed */
			const char *pct = memchr(fmt + i, '%', n - i);
			size_t lit = pct ? (size_t)(pct - fmt) - i : n - i;

			put(&o, fmt + i, lit);
			i += lit - 1;
			continue;
		}
		if (fmt[++i] == '%') {
			put(&o, "%", 1);
			continue;
		}
		while (fmt[i] == 'l' && lmod < 2) {
			lmod++;
			i++;
		}
		if (argi >= 3)
			goto bad;
		v = a[2 + argi++];
		switch (fmt[i]) {
		case 'd':
		case 'i':
			snprintf(tmp, sizeof(tmp), "%" PRId64,
				 lmod ? (int64_t)v : (int64_t)(int32_t)v);
			break;
		case 'u':
			snprintf(tmp, sizeof(tmp), "%" PRIu64, lmod ? v : (uint32_t)v);
			break;
		case 'x':
			snprintf(tmp, sizeof(tmp), "%" PRIx64, lmod ? v : (uint32_t)v);
			break;
		case 'p':
			if (lmod)
				goto bad;
			snprintf(tmp, sizeof(tmp), "0x%" PRIx64, v);
			break;
		case 's':
			/* the kernel: %s ends the conversion, or is followed by
			 * white space or punctuation (so no %sx, %pks...) */
			if (lmod || (fmt[i + 1] && !isspace((unsigned char)fmt[i + 1]) &&
				     !ispunct((unsigned char)fmt[i + 1])))
				goto bad;
			put_str(run, &o, v);
			continue;
		default:
			goto bad;
		}
		put(&o, tmp, strlen(tmp));
	}
	pk_log(run->ctx, PK_LOG_INFO, "bpf_trace_printk: [%s] %s",
	       label ? label : "bpf", o.buf);
	*r0 = o.len;
	return 0;
bad:
	*r0 = (uint64_t)-EINVAL;
	return 0;
}
