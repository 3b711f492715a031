// SPDX-License-Identifier: MIT
/*
 * verb-bpf.c - pekexec bpf: the developer's entry points to the sandbox.
 *
 *   pekexec bpf verify PROGRAM
 *   pekexec bpf run [OPTIONS] PROGRAM IMAGE
 *
 * PROGRAM is a BPF ELF object, a .bpf light-skeleton object, or a PE image
 * whose own .bpf section is used.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "kexec_bpf/kexec_bpf.h"
#include "pekexec/bpf.h"
#include "pekexec/buf.h"
#include "pekexec/decompress.h"
#include "pekexec/file.h"
#include "pekexec/hash.h"
#include "pekexec/pe.h"
#include "pekexec/pipeline.h"
#include "tool.h"

#define BPF_MAX_PROGRAM (64u << 20)
#define BPF_MAX_IMAGE (2ull << 30)
#define BPF_MAX_DECOMPRESSED (1ull << 30)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec bpf verify PROGRAM\n"
		"       pekexec bpf run [OPTIONS] PROGRAM IMAGE\n"
		"\n"
		"Load a parser program into the sandbox and verify it, or run it on an\n"
		"image as one kexec stage and list the commands it issues.\n"
		"\n"
		"PROGRAM is a BPF ELF object (clang -target bpf), a .bpf light-skeleton\n"
		"object (opts_data/opts_insn), or a PE image whose .bpf section is used.\n"
		"\n"
		"verify: prints the program's name, section, instruction and map counts.\n"
		"run: prints one line per command: number, command/subcommand, payload\n"
		"size and sha256; for DECOMPRESS also the format and the decompressed\n"
		"size and sha256; for COPY/CMDLINE the text.  Then the program's return\n"
		"value and the number of instructions executed.\n"
		"\n"
		"Options of run:\n"
		"      --initrd FILE     user initrd the program sees (ctx->initrd)\n"
		"      --cmdline TEXT    user command line the program sees (ctx->cmdline)\n"
		"      --kdump           ctx->kdump = true\n"
		"      --no-decompress   do not decompress DECOMPRESS payloads\n"
		"      --no-hash         print sizes only (no sha256)\n"
		"      --trace           print every executed instruction (index, opcode,\n"
		"                        registers, fields) and its source line on stderr\n"
		"  -h, --help            this help\n"
		"\n"
		"Exit codes: 0 success, 1 I/O or other failure, 2 usage,\n"
		"3 malformed program object or image, 7 program rejected by the\n"
		"verifier or failed (a command failed or the run stopped).\n");
}

static int load_exit(int err)
{
	switch (err) {
	case -EBADMSG:
	case -EFBIG:
		return PK_EXIT_MALFORMED;
	case -ENOMEM:
	case -EIO:
		return PK_EXIT_FAILURE;
	default:
		return PK_EXIT_REJECTED;
	}
}

/* The program bytes: the file itself, or a PE image's .bpf section. */
static int program_bytes(struct tool *t, const struct pk_file *f, const char *path,
			 const uint8_t **ret, size_t *ret_len)
{
	const struct pk_pe_section *s;
	struct pk_pe *pe;
	int r;

	if (f->len < 2 || f->data[0] != 'M' || f->data[1] != 'Z') {
		*ret = f->data;
		*ret_len = f->len;
		return 0;
	}
	pe = pk_pe_new();
	if (!pe)
		return -ENOMEM;
	r = pk_pe_parse(t->ctx, f->data, f->len, pe);
	if (r) {
		tool_error(t, "bpf", path);
		pk_pe_free(pe);
		return r;
	}
	s = pk_pe_find_section(pe, KEXEC_BPF_SECTION);
	if (!s || !s->data_size) {
		tool_errorf("bpf", "%s: PE image without a %s section", path, KEXEC_BPF_SECTION);
		pk_pe_free(pe);
		return -ENOENT;
	}
	*ret = f->data + s->data_offset;
	*ret_len = s->data_size;
	pk_pe_free(pe);
	return 0;
}

static int open_program(struct tool *t, const char *path, struct pk_file *f,
			struct pk_bpf_program **ret)
{
	const uint8_t *bytes;
	size_t len;
	int r;

	r = pk_file_open(t->ctx, path, BPF_MAX_PROGRAM, f);
	if (r) {
		tool_error(t, "bpf", NULL);
		return PK_EXIT_FAILURE;
	}
	r = program_bytes(t, f, path, &bytes, &len);
	if (r)
		return r == -ENOENT ? PK_EXIT_MALFORMED : r == -ENOMEM ? PK_EXIT_FAILURE :
								  PK_EXIT_MALFORMED;
	r = pk_bpf_program_load(t->ctx, path, bytes, len, ret);
	if (r) {
		tool_errorf("bpf", "load: %s", pk_ctx_errmsg(t->ctx));
		return load_exit(r);
	}
	return 0;
}

static const char *form_name(enum pk_bpf_form f)
{
	return f == PK_BPF_FORM_LSKEL ? "light skeleton (.bpf object)" : "ELF object";
}

static int do_verify(struct tool *t, int argc, char **argv)
{
	struct pk_bpf_program *prog = NULL;
	struct pk_file f = { 0 };
	int ret;

	if (argc != 1) {
		usage(stderr);
		return PK_EXIT_USAGE;
	}
	ret = open_program(t, argv[0], &f, &prog);
	if (!ret)
		printf("%s: ok: program %s (section %s, %s): %u instructions, %u maps\n",
		       argv[0], pk_bpf_program_name(prog), pk_bpf_program_section(prog),
		       form_name(pk_bpf_program_form(prog)), pk_bpf_program_insn_count(prog),
		       pk_bpf_program_map_count(prog));
	pk_bpf_program_free(prog);
	pk_file_close(&f);
	return ret;
}

struct run_state {
	struct tool *t;
	struct pk_bpf_program *prog;
	bool decompress;
	bool hash;
	const char *last_text; /* trace: source line shown last */
	unsigned int n;
	int failed; /* first callback error */
};


static void print_sized(const struct run_state *st, const char *key, const uint8_t *p, size_t len)
{
	char hex[2 * PK_SHA256_LEN + 1];
	uint8_t d[PK_SHA256_LEN];

	printf(" %s_len=%zu", key, len);
	if (st->hash) {
		pk_sha256(p, len, d);
		pk_hex(d, sizeof(d), hex);
		printf(" %s_sha256=%s", key, hex);
	}
}

static void print_text(const uint8_t *p, uint32_t len)
{
	uint32_t i;

	printf(" text=\"");
	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	putchar('"');
}

static int on_command(void *user, uint16_t cmd, uint16_t subcmd, const uint8_t *payload,
		      uint32_t len, const uint8_t *from)
{
	struct run_state *st = user;
	const char *cname = pk_cmd_name(cmd), *sname = pk_subcmd_name(subcmd);
	int r = 0;

	(void)from; /* the pipeline's zero-copy hint: nothing to show */
	printf("command %u: %s/%s", ++st->n, cname ? cname : "?", sname ? sname : "?");
	if (!payload || !cname || !sname) {
		/* What fails a stage in the pipeline and in the kernel. */
		printf(" (%u/%u) %s payload_len=%u error=-EINVAL\n", cmd, subcmd,
		       payload ? "unknown" : "malformed", len);
		if (!st->failed)
			st->failed = -EINVAL;
		return -EINVAL;
	}
	print_sized(st, "payload", payload, len);
	if (cmd == KEXEC_BPF_CMD_COPY && subcmd == KEXEC_BPF_SUBCMD_CMDLINE)
		print_text(payload, len);
	if (cmd == KEXEC_BPF_CMD_DECOMPRESS && st->decompress) {
		struct pk_buf out = { 0 };

		printf(" format=%s", pk_comp_name(pk_comp_detect(payload, len)));
		r = pk_decompress(st->t->ctx, payload, len, BPF_MAX_DECOMPRESSED, &out);
		if (r)
			printf(" error=\"%s\"", pk_ctx_errmsg(st->t->ctx));
		else
			print_sized(st, "output", out.data, out.len);
		pk_buf_free(&out);
	}
	putchar('\n');
	if (r && !st->failed)
		st->failed = r;
	return r;
}

static void on_insn(void *user, uint32_t idx, const struct bpf_insn *in, const uint64_t regs[11])
{
	struct run_state *st = user;
	const char *file, *text;
	uint32_t line;

	/* line 0 marks compiler-made code: keep showing the last real line */
	if (pk_bpf_program_source(st->prog, idx, &file, &line, &text) && line &&
	    text != st->last_text) {
		const char *base = strrchr(file, '/');

		fprintf(stderr, "; %s:%u: %s\n", base ? base + 1 : file, line, text);
		st->last_text = text;
	}
	fprintf(stderr,
		"%5u: %02x dst=r%u src=r%u off=%d imm=%d | r0=%#llx r1=%#llx r2=%#llx r3=%#llx r4=%#llx r5=%#llx r10=%#llx\n",
		idx, in->code, in->dst_reg, in->src_reg, in->off, in->imm,
		(unsigned long long)regs[0], (unsigned long long)regs[1],
		(unsigned long long)regs[2], (unsigned long long)regs[3],
		(unsigned long long)regs[4], (unsigned long long)regs[5],
		(unsigned long long)regs[10]);
}

static int do_run(struct tool *t, int argc, char **argv)
{
	enum { OPT_INITRD = 256, OPT_CMDLINE, OPT_KDUMP, OPT_NODEC, OPT_NOHASH, OPT_TRACE };
	static const struct option opts[] = {
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "kdump", no_argument, NULL, OPT_KDUMP },
		{ "no-decompress", no_argument, NULL, OPT_NODEC },
		{ "no-hash", no_argument, NULL, OPT_NOHASH },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct run_state st = { .t = t, .decompress = true, .hash = true };
	struct pk_bpf_callbacks cb = { .on_command = on_command, .user = &st };
	bool trace = false;
	struct pk_bpf_stage_input in = { .parser_id = 1 };
	struct pk_file pf = { 0 }, img = { 0 }, initrd = { 0 };
	struct pk_bpf_program *prog = NULL;
	struct pk_bpf_run_result res = { 0 };
	const char *initrd_path = NULL, *cmdline = NULL;
	int c, r, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_INITRD: initrd_path = optarg; break;
		case OPT_CMDLINE: cmdline = optarg; break;
		case OPT_KDUMP: in.kdump = true; break;
		case OPT_NODEC: st.decompress = false; break;
		case OPT_NOHASH: st.hash = false; break;
		case OPT_TRACE: trace = true; break;
		case 'h':
			usage(stdout);
			return PK_EXIT_OK;
		default:
			usage(stderr);
			return PK_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return PK_EXIT_USAGE;
	}
	ret = open_program(t, argv[optind], &pf, &prog);
	if (ret)
		goto out;
	st.prog = prog;
	if (trace)
		cb.on_insn = on_insn;
	ret = PK_EXIT_FAILURE;
	if (pk_file_open(t->ctx, argv[optind + 1], BPF_MAX_IMAGE, &img) ||
	    (initrd_path && pk_file_open(t->ctx, initrd_path, BPF_MAX_IMAGE, &initrd))) {
		tool_error(t, "bpf", NULL);
		goto out;
	}
	in.kernel = img.data;
	in.kernel_len = img.len;
	in.initrd = initrd_path ? initrd.data : NULL;
	in.initrd_len = initrd.len;
	in.cmdline = (const uint8_t *)cmdline;
	in.cmdline_len = cmdline ? strlen(cmdline) + 1 : 0;
	printf("program %s (%s), %u instructions; image %s, %zu bytes\n",
	       pk_bpf_program_name(prog), form_name(pk_bpf_program_form(prog)),
	       pk_bpf_program_insn_count(prog), argv[optind + 1], img.len);
	fflush(stdout);
	r = pk_bpf_program_run(t->ctx, prog, &in, &cb, &res);
	if (r) {
		tool_errorf("bpf", "run: %s: stage 1: %s", argv[optind + 1], pk_ctx_errmsg(t->ctx));
		ret = PK_EXIT_REJECTED;
		goto out;
	}
	printf("result: r0=%lld insns=%llu commands=%u\n", (long long)(int64_t)res.r0,
	       (unsigned long long)res.insn_count, st.n);
	ret = st.failed ? PK_EXIT_REJECTED : PK_EXIT_OK;
	if (st.failed)
		tool_errorf("bpf", "run: %s: stage 1: a command failed: %s", argv[optind + 1],
			    strerror(-st.failed));
out:
	pk_bpf_program_free(prog);
	pk_file_close(&initrd);
	pk_file_close(&img);
	pk_file_close(&pf);
	return ret;
}

int verb_bpf(struct tool *t, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? PK_EXIT_USAGE : PK_EXIT_OK;
	}
	if (!strcmp(argv[1], "verify")) {
		if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			usage(stdout);
			return PK_EXIT_OK;
		}
		return do_verify(t, argc - 2, argv + 2);
	}
	if (!strcmp(argv[1], "run"))
		return do_run(t, argc - 1, argv + 1);
	tool_errorf("bpf", "unknown subcommand '%s' (verify, run)", argv[1]);
	return PK_EXIT_USAGE;
}
