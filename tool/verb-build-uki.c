// SPDX-License-Identifier: MIT
/* verb-build-uki.c - pekexec build-uki: a Unified Kernel Image with a .bpf section. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pekexec/build.h"
#include "pekexec/file.h"
#include "pekexec/pe.h"
#include "build-out.h"
#include "tool.h"

#define UKI_MAX_INPUT (2048ul * 1024 * 1024)
#define UKI_MAX_FILES 64
#define UKI_MAX_PROFILES 16
#define STUB_DIR "/usr/lib/systemd/boot/efi/"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec build-uki --linux KERNEL [--initrd F]... [--ucode F]\n"
		"                         [--cmdline TEXT|@FILE] [--os-release FILE]\n"
		"                         [--uname S] [--profile SPEC]... [--stub PE|builtin]\n"
		"                         [--parser uki|FILE] [--key KEY --cert CERT] -o OUT\n"
		"\n"
		"Build a UKI: the stub's sections, then .osrel .cmdline .uname .initrd\n"
		".ucode .bpf .linux (ukify's order), then each profile's .profile and\n"
		"its own .cmdline/.initrd.\n"
		"\n"
		"  --uname S           .uname (default: read from an x86 bzImage; '' for none)\n"
		"  --stub PE|builtin   UKI stub (default: systemd's linux<arch>.efi.stub for\n"
		"                      the kernel's machine if installed, else 'builtin',\n"
		"                      a minimal PE that only returns EFI_UNSUPPORTED)\n"
		"  --profile SPEC      ID=id[,TITLE=text][,KEY=value]...[,cmdline=TEXT]\n"
		"                      [,initrd=FILE]...  (a comma not followed by KEY=\n"
		"                      belongs to the value)\n"
		"  --parser NAME|FILE  .bpf content: built-in 'uki' (default) or a file\n"
		"  --key, --cert       sign OUT (Authenticode, sha256)\n"
		"  -o, --output OUT    the UKI to write\n");
}

struct uki_args {
	const char *linux_path, *ucode, *cmdline, *osrel, *uname, *stub;
	struct build_out out; /* --parser, --key, --cert, -o */
	const char *initrds[UKI_MAX_FILES];
	size_t ninitrds;
	const char *profiles[UKI_MAX_PROFILES];
	size_t nprofiles;
};

/* Everything read, kept open until the image is written. */
struct uki_inputs {
	struct pk_file linux_img, ucode, osrel, cmdline_file, stub, parser;
	struct pk_file initrds[UKI_MAX_FILES];
	struct pk_blob initrd_blobs[UKI_MAX_FILES];
	struct pk_buf builtin_stub;
	struct pk_uki_profile profiles[UKI_MAX_PROFILES];
	char *profile_text[UKI_MAX_PROFILES];
	char *profile_cmdline[UKI_MAX_PROFILES];
	char **profile_initrd_paths[UKI_MAX_PROFILES];
	size_t profile_ninitrds[UKI_MAX_PROFILES];
	struct pk_file *profile_files[UKI_MAX_PROFILES];
	struct pk_blob *profile_blobs[UKI_MAX_PROFILES];
	char *cmdline;
	char uname[129];
};

static void inputs_free(struct uki_inputs *in)
{
	size_t i, j;

	pk_file_close(&in->linux_img);
	pk_file_close(&in->ucode);
	pk_file_close(&in->osrel);
	pk_file_close(&in->cmdline_file);
	pk_file_close(&in->stub);
	pk_file_close(&in->parser);
	for (i = 0; i < UKI_MAX_FILES; i++)
		pk_file_close(&in->initrds[i]);
	pk_buf_free(&in->builtin_stub);
	for (i = 0; i < UKI_MAX_PROFILES; i++) {
		for (j = 0; j < in->profile_ninitrds[i]; j++) {
			if (in->profile_files[i])
				pk_file_close(&in->profile_files[i][j]);
			free(in->profile_initrd_paths[i][j]);
		}
		free(in->profile_initrd_paths[i]);
		free(in->profile_files[i]);
		free(in->profile_blobs[i]);
		free(in->profile_text[i]);
		free(in->profile_cmdline[i]);
	}
	free(in->cmdline);
}

static int parse_args(int argc, char **argv, struct uki_args *a)
{
	static const struct option opts[] = {
		{ "linux", required_argument, NULL, 'l' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "ucode", required_argument, NULL, 'u' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "os-release", required_argument, NULL, 'r' },
		{ "uname", required_argument, NULL, 'n' },
		{ "profile", required_argument, NULL, 'P' },
		{ "stub", required_argument, NULL, 's' },
		BUILD_OUT_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (!build_out_take(&a->out, c, optarg))
			continue;
		switch (c) {
		case 'l': a->linux_path = optarg; break;
		case 'u': a->ucode = optarg; break;
		case 'c': a->cmdline = optarg; break;
		case 'r': a->osrel = optarg[0] == '@' ? optarg + 1 : optarg; break;
		case 'n': a->uname = optarg; break;
		case 's': a->stub = optarg; break;
		case 'i':
			if (a->ninitrds >= UKI_MAX_FILES) {
				tool_errorf("build-uki", "more than %d --initrd", UKI_MAX_FILES);
				return -1;
			}
			a->initrds[a->ninitrds++] = optarg;
			break;
		case 'P':
			if (a->nprofiles >= UKI_MAX_PROFILES) {
				tool_errorf("build-uki", "more than %d --profile", UKI_MAX_PROFILES);
				return -1;
			}
			a->profiles[a->nprofiles++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !a->linux_path || !a->out.output) {
		tool_errorf("build-uki", "--linux and -o are required");
		return -1;
	}
	if (build_out_check("build-uki", &a->out) < 0)
		return -1;
	return 0;
}

static int open_input(struct tool *t, const char *path, struct pk_file *f)
{
	if (pk_file_open(t->ctx, path, UKI_MAX_INPUT, f) < 0) {
		tool_error(t, "build-uki", NULL);
		return -1;
	}
	return 0;
}

static const char *stub_file_for(uint16_t machine)
{
	switch (machine) {
	case PK_PE_MACHINE_X86_64: return STUB_DIR "linuxx64.efi.stub";
	case PK_PE_MACHINE_ARM64: return STUB_DIR "linuxaa64.efi.stub";
	case PK_PE_MACHINE_RISCV64: return STUB_DIR "linuxriscv64.efi.stub";
	case PK_PE_MACHINE_LOONGARCH64: return STUB_DIR "linuxloongarch64.efi.stub";
	default: return NULL;
	}
}

static uint16_t host_machine(void)
{
#if defined(__aarch64__)
	return PK_PE_MACHINE_ARM64;
#elif defined(__riscv) && __riscv_xlen == 64
	return PK_PE_MACHINE_RISCV64;
#elif defined(__loongarch64)
	return PK_PE_MACHINE_LOONGARCH64;
#else
	return PK_PE_MACHINE_X86_64;
#endif
}

/*
 * The stub: --stub PE, --stub builtin, or systemd's stub for the kernel's
 * machine (the host's if the kernel is not a PE) when installed, else ours.
 */
static int load_stub(struct tool *t, const struct uki_args *a,
		     struct uki_inputs *in, struct pk_blob *ret)
{
	struct pk_pe *pe;
	uint16_t machine = host_machine();
	const char *path;

	if (a->stub && strcmp(a->stub, "builtin")) {
		if (open_input(t, a->stub, &in->stub) < 0)
			return -1;
		*ret = (struct pk_blob){ in->stub.data, in->stub.len };
		return 0;
	}
	pe = pk_pe_new();
	if (pe && pk_pe_parse(NULL, in->linux_img.data, in->linux_img.len, pe) == 0)
		machine = pe->machine;
	pk_pe_free(pe);
	path = stub_file_for(machine);
	if (!a->stub && path && access(path, R_OK) == 0) {
		if (open_input(t, path, &in->stub) < 0)
			return -1;
		*ret = (struct pk_blob){ in->stub.data, in->stub.len };
		return 0;
	}
	if (pk_build_minimal_stub(t->ctx, machine, &in->builtin_stub) < 0) {
		tool_error(t, "build-uki", NULL);
		return -1;
	}
	if (t->verbose)
		fprintf(stderr, "pekexec: build-uki: using the built-in minimal stub for %s\n",
			pk_pe_machine_name(machine));
	*ret = (struct pk_blob){ in->builtin_stub.data, in->builtin_stub.len };
	return 0;
}

/* --cmdline TEXT or @FILE: the section holds exactly those bytes. */
static int load_cmdline(struct tool *t, const char *arg, struct uki_inputs *in)
{
	if (!arg)
		return 0;
	if (arg[0] != '@') {
		in->cmdline = strdup(arg);
	} else {
		if (open_input(t, arg + 1, &in->cmdline_file) < 0)
			return -1;
		in->cmdline = strndup((const char *)in->cmdline_file.data,
				      in->cmdline_file.len);
		if (in->cmdline && strlen(in->cmdline) != in->cmdline_file.len) {
			tool_errorf("build-uki", "%s: NUL byte in the command line", arg + 1);
			return -1;
		}
	}
	if (!in->cmdline) {
		tool_errorf("build-uki", "out of memory");
		return -1;
	}
	return 0;
}

static int load_profile(struct tool *t, const char *spec, size_t i,
			struct uki_inputs *in)
{
	struct pk_uki_profile *p = &in->profiles[i];
	size_t j, n;

	if (pk_profile_parse(t->ctx, spec, &in->profile_text[i], &in->profile_cmdline[i],
			     &in->profile_initrd_paths[i], &in->profile_ninitrds[i]) < 0) {
		tool_error(t, "build-uki", NULL);
		return -2;
	}
	n = in->profile_ninitrds[i];
	in->profile_files[i] = calloc(n ? n : 1, sizeof(struct pk_file));
	in->profile_blobs[i] = calloc(n ? n : 1, sizeof(struct pk_blob));
	if (!in->profile_files[i] || !in->profile_blobs[i]) {
		tool_errorf("build-uki", "out of memory");
		return -1;
	}
	for (j = 0; j < n; j++) {
		if (open_input(t, in->profile_initrd_paths[i][j], &in->profile_files[i][j]) < 0)
			return -1;
		in->profile_blobs[i][j] = (struct pk_blob){ in->profile_files[i][j].data,
							    in->profile_files[i][j].len };
	}
	p->profile_text = in->profile_text[i];
	p->cmdline = in->profile_cmdline[i];
	p->initrds = in->profile_blobs[i];
	p->ninitrds = n;
	return 0;
}

/* Reads every input; returns an exit code or -1 to go on. */
static int load_inputs(struct tool *t, const struct uki_args *a,
		       struct uki_inputs *in, struct pk_uki_opts *o)
{
	const uint8_t *bpf;
	size_t i, bpf_len;
	int r;

	if (open_input(t, a->linux_path, &in->linux_img) < 0)
		return PK_EXIT_FAILURE;
	o->linux_img = (struct pk_blob){ in->linux_img.data, in->linux_img.len };
	for (i = 0; i < a->ninitrds; i++) {
		if (open_input(t, a->initrds[i], &in->initrds[i]) < 0)
			return PK_EXIT_FAILURE;
		in->initrd_blobs[i] = (struct pk_blob){ in->initrds[i].data, in->initrds[i].len };
	}
	o->initrds = in->initrd_blobs;
	o->ninitrds = a->ninitrds;
	if (a->ucode && open_input(t, a->ucode, &in->ucode) < 0)
		return PK_EXIT_FAILURE;
	o->ucode = (struct pk_blob){ in->ucode.data, in->ucode.len };
	if (a->osrel && open_input(t, a->osrel, &in->osrel) < 0)
		return PK_EXIT_FAILURE;
	o->osrel = (struct pk_blob){ in->osrel.data, in->osrel.len };
	if (load_cmdline(t, a->cmdline, in) < 0)
		return PK_EXIT_FAILURE;
	o->cmdline = in->cmdline;
	o->uname = a->uname;
	/* as ukify: without --uname, read it from a bzImage */
	if (!a->uname && pk_uki_guess_uname(in->linux_img.data, in->linux_img.len,
					     in->uname, sizeof(in->uname)) == 0)
		o->uname = in->uname;
	for (i = 0; i < a->nprofiles; i++) {
		r = load_profile(t, a->profiles[i], i, in);
		if (r < 0)
			return r == -2 ? PK_EXIT_USAGE : PK_EXIT_FAILURE;
	}
	o->profiles = in->profiles;
	o->nprofiles = a->nprofiles;
	if (pk_parser_resolve(t->ctx, a->out.parser ? a->out.parser : "uki", &in->parser,
			      &bpf, &bpf_len) < 0) {
		tool_error(t, "build-uki", NULL);
		return PK_EXIT_FAILURE;
	}
	o->bpf = (struct pk_blob){ bpf, bpf_len };
	if (load_stub(t, a, in, &o->stub) < 0)
		return PK_EXIT_FAILURE;
	return -1;
}

int verb_build_uki(struct tool *t, int argc, char **argv)
{
	struct uki_args a = { 0 };
	struct uki_inputs *in;
	struct pk_uki_opts o = { 0 };
	struct pk_buf out = { 0 };
	int r, ret;

	r = parse_args(argc, argv, &a);
	if (r)
		return r > 0 ? PK_EXIT_OK : PK_EXIT_USAGE;
	in = calloc(1, sizeof(*in));
	if (!in) {
		tool_errorf("build-uki", "out of memory");
		return PK_EXIT_FAILURE;
	}
	ret = load_inputs(t, &a, in, &o);
	if (ret >= 0)
		goto out;
	ret = PK_EXIT_FAILURE;
	r = pk_uki_build(t->ctx, &o, &out);
	if (r < 0) {
		tool_error(t, "build-uki", NULL);
		ret = r == -ENOEXEC || r == -EBADMSG || r == -E2BIG ? PK_EXIT_MALFORMED :
		      r == -EINVAL ? PK_EXIT_USAGE : PK_EXIT_FAILURE;
		goto out;
	}
	if (build_out_finish(t, "build-uki", &a.out, out.data, out.len) < 0)
		goto out;
	ret = PK_EXIT_OK;
out:
	pk_buf_free(&out);
	inputs_free(in);
	free(in);
	return ret;
}
