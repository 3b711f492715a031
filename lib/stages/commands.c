// SPDX-License-Identifier: MIT
/*
 * commands.c - what the commands of DESIGN.md §3 do to one stage, with the
 * chunking rules of docs/parsers.md:
 *
 *   COPY/KERNEL        appended to the stage's new kernel (consecutive
 *                      records of one program concatenate)
 *   DECOMPRESS/KERNEL  appended to the stage's compressed stream; an empty
 *                      record closes it: the stream is decompressed then
 *                      (format by magic, bounded) and bpf_buffer_parser()
 *                      returns the decompressed size.  A stream left open
 *                      is decompressed when the program returns.
 *   COPY/INITRD        one initrd piece; an empty one marks where the
 *                      loader's initrd goes
 *   COPY/CMDLINE       first sets, later ones append with one space
 *
 * Mixing COPY/KERNEL and DECOMPRESS/KERNEL in one stage, or a second
 * stream, is -EINVAL.  Add-ons may not touch the kernel (-EPERM).
 *
 * Zero copy (issue 14): when the stage's image outlives the result
 * (s->img), a payload is not copied if the sandbox says where in the image
 * the program read it from and the bytes there compare equal to the
 * payload now, as bpf_buffer_parser() hands it over: the kernel, the
 * stream or the initrd piece then refers to that range of the image
 * (struct pk_span), and is copied only when a later payload does not
 * continue the range.  The comparison is the proof; the hint alone is
 * not, since the program may change a record after reading into it, and
 * it cannot write the image.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kexec_bpf/kexec_bpf.h"
#include "pekexec/decompress.h"
#include "pekexec/hash.h"
#include "stages.h"

#define CMDS_MAX 65536u /* records per stage: 256 GiB of 4 MiB chunks, never reached */

void pk_sink_init(struct pk_sink *s, struct pk_ctx *ctx, const char *label, bool addon)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->label = label;
	s->addon = addon;
}

void pk_sink_free(struct pk_sink *s)
{
	if (!s)
		return;
	pk_span_free(&s->kernel);
	pk_span_free(&s->zstream);
	pk_span_free(&s->early);
	pk_span_free(&s->late);
	pk_buf_free(&s->cmdline);
	free(s->cmds);
	s->cmds = NULL;
	s->ncmds = s->cmds_cap = 0;
}

static const char *const cmd_names[] = {
	[KEXEC_BPF_CMD_DECOMPRESS] = "DECOMPRESS",
	[KEXEC_BPF_CMD_COPY] = "COPY",
};

static const char *const subcmd_names[] = {
	[KEXEC_BPF_SUBCMD_KERNEL] = "KERNEL",
	[KEXEC_BPF_SUBCMD_INITRD] = "INITRD",
	[KEXEC_BPF_SUBCMD_CMDLINE] = "CMDLINE",
};

const char *pk_cmd_name(uint16_t cmd)
{
	return cmd < PK_ARRAY_SIZE(cmd_names) ? cmd_names[cmd] : NULL;
}

const char *pk_subcmd_name(uint16_t subcmd)
{
	return subcmd < PK_ARRAY_SIZE(subcmd_names) ? subcmd_names[subcmd] : NULL;
}

/* Record the first failure of the stage, and return @err to the program. */
static int PK_PRINTF(3, 4) sink_fail(struct pk_sink *s, int err, const char *fmt, ...)
{
	va_list ap;

	if (!s->failed) {
		s->failed = err;
		s->policy = err == -EPERM;
		va_start(ap, fmt);
		vsnprintf(s->why, sizeof(s->why), fmt, ap);
		va_end(ap);
	}
	return err;
}

int pk_buf_append_piece(struct pk_buf *b, const uint8_t *p, size_t n)
{
	size_t pad = b->len % 4 ? 4 - b->len % 4 : 0;
	int r;

	if (!n)
		return 0;
	if (b->len > PK_PIPELINE_MAX_INITRD || pad + n > PK_PIPELINE_MAX_INITRD - b->len)
		return -EFBIG;
	r = pk_buf_append_zeros(b, pad);
	if (r < 0)
		return r;
	return pk_buf_append(b, p, n);
}

void pk_span_free(struct pk_span *s)
{
	pk_buf_free(&s->own);
	*s = (struct pk_span){ 0 };
}

static bool span_borrowed(const struct pk_span *s)
{
	return s->len && s->data != s->own.data;
}

static void span_sync(struct pk_span *s)
{
	s->data = s->own.data;
	s->len = s->own.len;
}

int pk_span_own(struct pk_span *s)
{
	struct pk_buf b = { 0 };
	int r;

	if (!span_borrowed(s))
		return 0;
	r = pk_buf_append(&b, s->data, s->len);
	if (r < 0)
		return r;
	pk_buf_free(&s->own);
	s->own = b;
	span_sync(s);
	return 0;
}

int pk_span_append(struct pk_span *s, const uint8_t *p, size_t n, const uint8_t *from)
{
	int r;

	if (!n)
		return 0;
	if (from && !s->len) {
		pk_buf_free(&s->own);
		s->data = from;
		s->len = n;
		return 0;
	}
	/* the callers cap every span far below SIZE_MAX */
	if (from && span_borrowed(s) && (uintptr_t)s->data + s->len == (uintptr_t)from) {
		s->len += n;
		return 0;
	}
	r = pk_span_own(s);
	if (!r)
		r = pk_buf_append(&s->own, p, n);
	span_sync(s);
	return r;
}

int pk_span_append_piece(struct pk_span *s, const uint8_t *p, size_t n, const uint8_t *from)
{
	int r;

	if (!n)
		return 0;
	if (s->len > PK_PIPELINE_MAX_INITRD || n > PK_PIPELINE_MAX_INITRD - s->len)
		return -EFBIG;
	if (!(s->len % 4)) /* no padding: the pieces join as one range */
		return pk_span_append(s, p, n, from);
	r = pk_span_own(s);
	if (!r)
		r = pk_buf_append_piece(&s->own, p, n);
	span_sync(s);
	return r;
}

const uint8_t *pk_span_steal(struct pk_span *s, size_t *ret_len, void **ret_alloc)
{
	const uint8_t *p = s->data;

	*ret_len = s->len;
	*ret_alloc = NULL;
	if (!s->len)
		p = NULL;
	else if (!span_borrowed(s))
		*ret_alloc = s->own.data;
	if (!*ret_alloc)
		pk_buf_free(&s->own);
	*s = (struct pk_span){ 0 };
	return p;
}

/*
 * @from if the @n payload bytes @p lie there in the stage's image, now:
 * the sandbox's hint checked against the image's bounds and the bytes
 * compared.  NULL otherwise (the payload is copied).
 */
static const uint8_t *proven(const struct pk_sink *s, const uint8_t *p, uint32_t n,
			     const uint8_t *from)
{
	uintptr_t f = (uintptr_t)from, i = (uintptr_t)s->img;

	if (!s->img || !from || !n || f < i || f - i > s->img_len ||
	    n > s->img_len - (f - i))
		return NULL;
	return memcmp(from, p, n) ? NULL : from;
}

static int do_kernel_copy(struct pk_sink *s, const uint8_t *p, uint32_t n,
			  const uint8_t *from)
{
	if (s->kmode == PK_KMODE_DECOMPRESS)
		return sink_fail(s, -EINVAL,
				 "COPY/KERNEL after DECOMPRESS/KERNEL in the same stage");
	s->kmode = PK_KMODE_COPY;
	if (n > PK_PIPELINE_MAX_KERNEL - s->kernel.len)
		return sink_fail(s, -EFBIG,
				 "COPY/KERNEL: the kernel would exceed %u bytes",
				 PK_PIPELINE_MAX_KERNEL);
	if (pk_span_append(&s->kernel, p, n, proven(s, p, n, from)) < 0)
		return sink_fail(s, -ENOMEM, "COPY/KERNEL: out of memory");
	/* The kernel is this one payload: record_cmd() hashed it already. */
	s->kernel_d.known = !s->no_digests && s->kernel.len == n;
	if (s->kernel_d.known)
		memcpy(s->kernel_d.d, s->cmds[s->ncmds - 1].sha256, PK_SHA256_LEN);
	return 0;
}

/* Decompress the stream into the kernel slot; the size or -errno. */
static int close_stream(struct pk_sink *s)
{
	int r;

	if (!s->zstream.len)
		return sink_fail(s, -EINVAL,
				 "DECOMPRESS/KERNEL: closing an empty stream");
	/* kmode DECOMPRESS: the kernel slot is empty, so owned */
	r = pk_decompress(s->ctx, s->zstream.data, s->zstream.len,
			  PK_PIPELINE_MAX_KERNEL, &s->kernel.own);
	span_sync(&s->kernel);
	pk_span_free(&s->zstream);
	s->zclosed = true;
	if (r < 0)
		return sink_fail(s, r, "DECOMPRESS/KERNEL: %s", pk_ctx_errmsg(s->ctx));
	/* PK_PIPELINE_MAX_KERNEL < INT_MAX: the size fits the int result. */
	return (int)s->kernel.len;
}

static int do_decompress(struct pk_sink *s, const uint8_t *p, uint32_t n,
			 const uint8_t *from)
{
	if (s->kmode == PK_KMODE_COPY)
		return sink_fail(s, -EINVAL,
				 "DECOMPRESS/KERNEL after COPY/KERNEL in the same stage");
	if (s->zclosed)
		return sink_fail(s, -EINVAL,
				 "DECOMPRESS/KERNEL after the stream was closed (one stream per stage)");
	s->kmode = PK_KMODE_DECOMPRESS;
	if (!n)
		return close_stream(s);
	if (n > PK_PIPELINE_MAX_KERNEL - s->zstream.len)
		return sink_fail(s, -EFBIG,
				 "DECOMPRESS/KERNEL: the compressed stream would exceed %u bytes",
				 PK_PIPELINE_MAX_KERNEL);
	if (pk_span_append(&s->zstream, p, n, proven(s, p, n, from)) < 0)
		return sink_fail(s, -ENOMEM, "DECOMPRESS/KERNEL: out of memory");
	return 0;
}

static int do_initrd(struct pk_sink *s, const uint8_t *p, uint32_t n,
		     const uint8_t *from)
{
	struct pk_span *b = s->marker ? &s->late : &s->early;
	struct pk_digest *d = s->marker ? &s->late_d : &s->early_d;
	int r;

	if (!n) {
		s->marker = true;
		return 0;
	}
	r = pk_span_append_piece(b, p, n, proven(s, p, n, from));
	/* One piece: the buffer is the payload record_cmd() hashed. */
	d->known = !s->no_digests && !r && b->len == n;
	if (d->known)
		memcpy(d->d, s->cmds[s->ncmds - 1].sha256, PK_SHA256_LEN);
	if (r == -EFBIG)
		return sink_fail(s, r, "COPY/INITRD: the initrd would exceed %u bytes",
				 PK_PIPELINE_MAX_INITRD);
	if (r < 0)
		return sink_fail(s, r, "COPY/INITRD: out of memory");
	return 0;
}

static int do_cmdline(struct pk_sink *s, const uint8_t *p, uint32_t n)
{
	size_t len = pk_cmdline_text_len(p, n);
	bool sep = s->has_cmdline && s->cmdline.len && len;

	if (len + sep > PK_PIPELINE_MAX_CMDLINE - s->cmdline.len)
		return sink_fail(s, -EFBIG,
				 "COPY/CMDLINE: the command line would exceed %u bytes",
				 PK_PIPELINE_MAX_CMDLINE);
	s->has_cmdline = true;
	if ((sep && pk_buf_append(&s->cmdline, " ", 1) < 0) ||
	    pk_buf_append(&s->cmdline, p, len) < 0)
		return sink_fail(s, -ENOMEM, "COPY/CMDLINE: out of memory");
	return 0;
}

static int record_cmd(struct pk_sink *s, uint16_t cmd, uint16_t sub,
		      const uint8_t *p, uint32_t n)
{
	struct pk_stage_cmd *c;

	if (s->ncmds == s->cmds_cap) {
		size_t cap = s->cmds_cap ? s->cmds_cap * 2 : 16;

		if (cap > CMDS_MAX)
			return sink_fail(s, -E2BIG, "more than %u commands in one stage",
					 CMDS_MAX);
		c = realloc(s->cmds, cap * sizeof(*c));
		if (!c)
			return sink_fail(s, -ENOMEM, "out of memory");
		s->cmds = c;
		s->cmds_cap = cap;
	}
	c = &s->cmds[s->ncmds++];
	c->cmd = cmd;
	c->subcmd = sub;
	c->len = n;
	c->result = 0;
	if (s->no_digests)
		memset(c->sha256, 0, sizeof(c->sha256));
	else
		pk_sha256(p, n, c->sha256);
	return 0;
}

int pk_sink_command(void *user, uint16_t cmd, uint16_t sub,
		    const uint8_t *payload, uint32_t len, const uint8_t *from)
{
	struct pk_sink *s = user;
	int r;

	r = record_cmd(s, cmd, sub, payload, payload ? len : 0);
	if (r < 0)
		return r;
	if (s->failed) {
		/* Nothing more happens once a command failed. */
		r = -ECANCELED;
	} else if (!payload) {
		r = sink_fail(s, -EINVAL, "malformed command record %u/%u (payload_len %u beyond the buffer, or no header)",
			      cmd, sub, len);
	} else if (cmd == 0) {
		/*
		 * Not a command: how the built-in programs fail a stage,
		 * since an fentry program must return 0 (bpf/parser.h).
		 */
		r = sink_fail(s, -EINVAL, "the program gave up: %s (command 0/%u)",
			      strerror(sub), sub);
	} else if (s->addon && sub == KEXEC_BPF_SUBCMD_KERNEL) {
		const char *name = pk_cmd_name(cmd);

		r = sink_fail(s, -EPERM, "%s%s from an add-on (add-ons may only add initrd and command line)",
			      name ? name : "unknown command", name ? "/KERNEL" : "");
	} else if (cmd == KEXEC_BPF_CMD_COPY && sub == KEXEC_BPF_SUBCMD_KERNEL) {
		r = do_kernel_copy(s, payload, len, from);
	} else if (cmd == KEXEC_BPF_CMD_DECOMPRESS && sub == KEXEC_BPF_SUBCMD_KERNEL) {
		r = do_decompress(s, payload, len, from);
	} else if (cmd == KEXEC_BPF_CMD_COPY && sub == KEXEC_BPF_SUBCMD_INITRD) {
		r = do_initrd(s, payload, len, from);
	} else if (cmd == KEXEC_BPF_CMD_COPY && sub == KEXEC_BPF_SUBCMD_CMDLINE) {
		r = do_cmdline(s, payload, len);
	} else {
		/* As kexec_bpf_cmd_run(): fails the stage. */
		r = sink_fail(s, -EINVAL, "unknown command %u/%u", cmd, sub);
	}
	s->cmds[s->ncmds - 1].result = r;
	return r;
}

int pk_sink_finish(struct pk_sink *s)
{
	int r;

	if (s->failed)
		return s->failed;
	if (s->kmode == PK_KMODE_DECOMPRESS && !s->zclosed) {
		r = close_stream(s);
		if (r < 0)
			return r;
	}
	/*
	 * Without a marker every piece is "late" (docs/parsers.md): the
	 * user's initrd goes first, as the kernel series does.  Pieces are
	 * collected as early until a marker proves they are; late is empty
	 * then, so moving them is the whole change.
	 */
	if (!s->marker && s->early.len) {
		s->late = s->early;
		s->late_d = s->early_d;
		s->early = (struct pk_span){ 0 };
		s->early_d.known = false;
	}
	return 0;
}
