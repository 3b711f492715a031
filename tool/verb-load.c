// SPDX-License-Identifier: MIT
/*
 * verb-load.c - pekexec load / exec / unload, and kexec-tools' command line
 * when pekexec runs as 'kexec' (kexec-compat.c).
 *
 * load: pk_pipeline_route() decides, failing closed; this file only
 * prints its answer.  An image with a .bpf section (or a zboot header) goes
 * through the pipeline (verify -> parser programs -> add-ons -> policy) and
 * its kernel, initrd and command line are handed to kexec_file_load(2), or
 * it is handed unopened to a kernel with CONFIG_KEXEC_BPF (its BTF has the
 * parser anchor; lib/kexec/kernel-bpf.c) when no add-on is given, or with
 * --kernel-bpf; --no-kernel-bpf keeps it in user space.  A file that
 * claims to be PE or zboot but does not parse is refused as 'extract'
 * refuses it.  Only what is clearly neither (bzImage, arm64 Image, ELF, a
 * PE without .bpf) is passed through with the user's initrd and command
 * line, and the kernel checks it as it always does.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-entries.h"
#include "devicetree.h"
#include "entry-plan.h"
#include "esp-detect.h"
#include "load-args.h"
#include "sidecars.h"
#include "pekexec-config.h" /* PK_SYSCONFDIR: mk/install.mk */
#include "pekexec/authenticode.h"
#include "pekexec/file.h"
#include "pekexec/hash.h"
#include "pekexec/kexec.h"
#include "pekexec/pe.h"
#include "pekexec/pipeline.h"
#include "tool.h"

#define LOAD_MAX_IMAGE (4ull << 30)
#define LOAD_LOCKDOWN "/sys/kernel/security/lockdown"
#define LOAD_PROC_CMDLINE "/proc/cmdline"

static const char *verb_name(enum load_op op)
{
	return op == LOAD_OP_EXEC ? "exec" : op == LOAD_OP_UNLOAD ? "unload" :
	       op == LOAD_OP_STATUS ? "status" : "load";
}

static void usage(FILE *out, enum load_op op)
{
	if (op == LOAD_OP_EXEC) {
		fprintf(out,
			"Usage: pekexec exec\n"
			"\n"
			"Start the kernel loaded by 'pekexec load': sync(), then\n"
			"reboot(LINUX_REBOOT_CMD_KEXEC).  Services are not stopped: use\n"
			"'systemctl kexec' for an orderly shutdown.\n"
			"\n"
			"  -e, --exec     accepted (kexec-tools)\n"
			"  -h, --help     this help\n");
		return;
	}
	if (op == LOAD_OP_UNLOAD) {
		fprintf(out,
			"Usage: pekexec unload [-p]\n"
			"\n"
			"Unload the loaded kernel (kexec_file_load with KEXEC_FILE_UNLOAD).\n"
			"\n"
			"  -p, --load-panic  unload the crash kernel instead\n"
			"  -u, --unload      accepted (kexec-tools)\n"
			"  -h, --help        this help\n");
		return;
	}
	fprintf(out,
		"Usage: pekexec load [OPTIONS] IMAGE\n"
		"       pekexec load [OPTIONS] --entry ID | --default\n"
		"\n"
		"Load IMAGE for a later 'pekexec exec' (or 'systemctl kexec') with\n"
		"kexec_file_load(2).  A UKI or EFI zboot image with a .bpf section is\n"
		"verified and unpacked by its own parser program(s) first (as 'pekexec\n"
		"extract' does); a file that claims to be PE or zboot but does not parse\n"
		"is refused as 'extract' refuses it; any other kernel image (bzImage,\n"
		"arm64 Image, ELF) is handed to the kernel as is.\n"
		"\n"
		"  -p, --load-panic        load a crash kernel (kdump), used on panic\n"
		"  -l, --load              accepted (kexec-tools)\n"
		"  -s, --kexec-file-syscall accepted: kexec_file_load is the only mode\n"
		"      --initrd FILE       a user initrd (--ramdisk is the same)\n"
		"      --append TEXT       the user command line (--command-line is the\n"
		"                          same; appended to --reuse-cmdline's text)\n"
		"      --command-line TEXT see --append\n"
		"      --reuse-cmdline     the running kernel's command line, without\n"
		"                          BOOT_IMAGE= (and crashkernel= with -p)\n"
		"      --addon FILE        an add-on (PE with .cmdline/.initrd/.ucode; its\n"
		"                          .bpf, else the image's parser program reads it),\n"
		"                          repeatable, applied in the order given\n"
		"  -t, --trust PATH        trust anchors (PEM/DER file or directory),\n"
		"                          repeatable; " TOOL_TRUST_DIR " is added when\n"
		"                          it exists\n"
		"      --verify MODE       require, auto (default: require when the running\n"
		"                          kernel is locked down) or off\n"
		"      --dry-run           do everything but the system call and print what\n"
		"                          would be loaded (sizes, sha256, command line)\n"
		"      --kernel-bpf        hand a .bpf image to the kernel unopened; the\n"
		"                          default when the running kernel has\n"
		"                          CONFIG_KEXEC_BPF, no --addon/--esp is given\n"
		"                          and the image has no .pcrsig/.pcrpkey\n"
		"      --no-kernel-bpf     unpack a .bpf image in user space even then\n"
		"      --esp DIR           the ESP IMAGE lies on: add what systemd-stub\n"
		"                          finds there (add-ons, credentials, extensions;\n"
		"                          see 'pekexec extract --help'); forces the\n"
		"                          user-space pipeline.  Without --esp, the ESP\n"
		"                          IMAGE lies on, when sidecars are found there\n"
		"      --no-sidecars       neither search --esp nor add the cpio archives\n"
		"                          systemd-stub makes from the UKI (.pcrsig,\n"
		"                          .pcrpkey, .osrel, .profile as /.extra/...);\n"
		"                          only the user-space pipeline adds them\n"
		"      --entry ID          instead of IMAGE: the ESP's boot entry ID, as\n"
		"                          'pekexec entries' lists it (see 'pekexec\n"
		"                          extract --help'); no --initrd, --append,\n"
		"                          --command-line, --reuse-cmdline with it\n"
		"      --default           instead of IMAGE: the ESP's default entry\n"
		"      --boot-path DIR     with --entry/--default: the XBOOTLDR partition\n"
		"                          (see 'pekexec extract --help')\n"
		"  -d, --debug             more messages\n"
		"  -h, --help              this help\n"
		"\n"
		"A user command line equal to the image's own (white space normalised;\n"
		"systemd passes a UKI's .cmdline as --append) is not an override.  Under\n"
		"enforcement a different one, or a user initrd, next to the image's own\n"
		"is refused (exit 8).  Exit codes: 0 ok, 1 failure, 2 usage, 3 malformed\n"
		"image or a format the kernel cannot load, 4 unsigned (or the kernel\n"
		"requires a signature), 5 bad digest, 6 untrusted signer, 7 parser program\n"
		"rejected or failed, 8 refused by policy.\n");
}

/* The whole of a small text file as a string, or NULL. */
static char *read_text(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (buf) {
		n = fread(buf, 1, max, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* "none", "integrity", "confidentiality", or NULL (no securityfs / LSM). */
static const char *lockdown_mode(void)
{
	char *text = read_text(LOAD_LOCKDOWN, 256);
	const char *mode = pk_kexec_lockdown_mode(text);

	free(text);
	return mode;
}

/* systemd-stub's "@N" profile prefix (parse_profile_from_cmdline()), else 0. */
static unsigned int cmdline_profile(const char *line)
{
	unsigned long n;
	char *end;

	if (!line || line[0] != '@' || line[1] < '0' || line[1] > '9')
		return 0;
	n = strtoul(line + 1, &end, 10);
	if ((*end && *end != ' ') || n > UINT_MAX)
		return 0;
	return (unsigned int)n;
}

static void print_blob(const char *what, const void *p, size_t n)
{
	uint8_t d[PK_SHA256_LEN];
	char hex[2 * PK_SHA256_LEN + 1];

	if (!p || !n) {
		printf("%-8s none\n", what);
		return;
	}
	pk_sha256(p, n, d);
	pk_hex(d, PK_SHA256_LEN, hex);
	printf("%-8s %zu bytes sha256 %s\n", what, n, hex);
}

static void print_plan(const struct load_args *a, const struct entry_plan *ep,
		       const char *esp_detected, const char *source,
		       const struct pk_kexec_image *k)
{
	bool has_initrd = k->initrd && k->initrd_len;

	if (ep && ep->id)
		printf("entry    %s (%s, %s)\n", ep->id, ep->type == 1 ? "type1" : "type2", ep->rel);
	if (esp_detected)
		printf("esp      %s (detected: IMAGE lies on it)\n", esp_detected);
	printf("image    %s\n", a->image);
	printf("source   %s\n", source);
	print_blob("kernel", k->kernel, k->kernel_len);
	print_blob("initrd", k->initrd, k->initrd_len);
	printf("cmdline  \"%s\"\n", k->cmdline ? k->cmdline : "");
	printf("flags    %s\n", a->crash ? (has_initrd ? "KEXEC_FILE_ON_CRASH" :
					 "KEXEC_FILE_ON_CRASH|KEXEC_FILE_NO_INITRAMFS") :
	       has_initrd ? "0" : "KEXEC_FILE_NO_INITRAMFS");
}

struct load_state {
	struct pk_file img, initrd;
	struct pk_file addon_files[LOAD_MAX_ADDONS];
	struct pk_pipeline_image addons[LOAD_MAX_ADDONS];
	struct pk_pipeline_result res;
	struct sidecars sc;
	struct pk_trust *trust;
	char *cmdline;
	struct entry_plan ep; /* --entry / --default */
	const uint8_t *initrd_data; /* --initrd's or the entry's */
	size_t initrd_len;
	bool has_initrd;
	char *esp_detected; /* no --esp: the ESP IMAGE lies on (esp-detect.c) */
};

static void load_state_free(struct load_state *s, size_t naddons)
{
	size_t i;

	pk_pipeline_result_free(&s->res);
	sidecars_free(&s->sc);
	for (i = 0; i < naddons; i++)
		pk_file_close(&s->addon_files[i]);
	pk_file_close(&s->initrd);
	pk_file_close(&s->img);
	pk_trust_free(s->trust);
	free(s->cmdline);
	entry_plan_free(&s->ep);
	free(s->esp_detected);
}

/* Runs the pipeline on a .bpf image; fills @k from s->res. */
static int run_pipeline(struct tool *t, const struct load_args *a, struct load_state *s,
			const char *lockdown, bool user_none, struct pk_kexec_image *k)
{
	struct pk_pipeline_image in = { a->image, s->img.data, s->img.len };
	struct pk_pipeline_opts o = { 0 };
	size_t i;
	int r;

	for (i = 0; i < a->ntrust; i++)
		if (tool_trust_add(t, "load", &s->trust, a->trust[i]) < 0)
			return PK_EXIT_FAILURE;
	if (tool_trust_add(t, "load", &s->trust, NULL) < 0)
		return PK_EXIT_FAILURE;
	if (a->pipe.esp && !a->pipe.no_sidecars && !s->sc.items) {
		r = sidecars_find(t, "load", a->pipe.esp, a->image, a->pipe.addons,
				  a->pipe.naddons, &s->sc);
		if (r < 0)
			return r == -EINVAL ? PK_EXIT_USAGE : PK_EXIT_FAILURE;
	}
	for (i = 0; i < a->pipe.naddons && !(a->pipe.esp && !a->pipe.no_sidecars); i++) {
		if (pk_file_open(t->ctx, a->pipe.addons[i], LOAD_MAX_IMAGE, &s->addon_files[i]) < 0) {
			tool_error(t, "load", NULL);
			return PK_EXIT_FAILURE;
		}
		s->addons[i] = (struct pk_pipeline_image){ a->pipe.addons[i], s->addon_files[i].data,
							   s->addon_files[i].len };
	}
	o.verify = a->pipe.verify;
	o.lockdown = lockdown && strcmp(lockdown, "none");
	o.trust = s->trust;
	o.initrd = s->has_initrd ? s->initrd_data : NULL;
	o.initrd_len = s->initrd_len;
	o.cmdline = user_none ? NULL : s->cmdline;
	o.addons = s->sc.addons ? s->sc.addons : s->addons;
	o.naddons = s->sc.addons ? s->sc.naddons : a->pipe.naddons;
	o.kdump = a->crash;
	o.no_stub_cpios = a->pipe.no_sidecars;
	/* load shows no stage record; --dry-run hashes what it prints */
	o.no_digests = true;
	o.sidecars = s->sc.files;
	o.nsidecars = s->sc.nfiles;
	/* s->img stays until the result is freed (load_state_free()) */
	o.borrow_image = true;
	r = pk_pipeline_run(t->ctx, &in, &o, &s->res);
	if (r < 0) {
		tool_error(t, "load", NULL);
		return tool_exit_code(r);
	}
	*k = (struct pk_kexec_image){ s->res.kernel, s->res.kernel_len, s->res.initrd,
				      s->res.initrd_len, s->res.cmdline };
	return PK_EXIT_OK;
}

/*
 * --entry/--default: the entry's kernel becomes @la's image, its initrd and
 * options the user's, and the ESP's sidecars apply unless the kernel is
 * plain (nothing would read them) or --no-sidecars.
 */
static int plan_load_entry(struct tool *t, struct load_args *la, struct load_state *s,
			   bool *user_none)
{
	const char *esp = la->pipe.esp ? la->pipe.esp : boot_entries_guess_esp();
	const char *xbootldr = la->pipe.boot_path ? la->pipe.boot_path :
			       la->pipe.esp ? NULL : boot_entries_guess_xbootldr(esp);
	int r;

	if (!esp) {
		tool_errorf("load", "no ESP found (/boot/efi, /efi, /boot): give --esp DIR");
		return PK_EXIT_USAGE;
	}
	r = entry_plan_make(t, "load", esp, xbootldr, la->pipe.entry, &s->ep);
	if (r != PK_EXIT_OK)
		return r;
	la->image = s->ep.image;
	/* the entry's partition's sidecars (the ESP or XBOOTLDR) need the
	 * user-space pipeline: not with --kernel-bpf */
	la->pipe.esp = la->kernel_bpf == PK_KERNEL_BPF_YES ? NULL : s->ep.root;
	if (la->kernel_bpf == PK_KERNEL_BPF_YES && !la->pipe.no_sidecars)
		fprintf(stderr, "pekexec: load: warning: --kernel-bpf: the ESP's sidecars (add-ons, credentials, extensions) are not added\n");
	s->initrd_data = s->ep.initrd;
	s->initrd_len = s->ep.initrd_len;
	s->has_initrd = s->ep.has_initrd;
	*user_none = !s->ep.cmdline;
	if (s->ep.cmdline && !(s->cmdline = strdup(s->ep.cmdline))) {
		tool_errorf("load", "out of memory");
		return PK_EXIT_FAILURE;
	}
	return PK_EXIT_OK;
}

/*
 * No --esp: when IMAGE lies on an ESP (esp-detect.c) and something there is
 * for it, search it as --esp would.  Nothing found, a plain image (nothing
 * would read it) or --kernel-bpf (the kernel takes no sidecars): the load
 * goes on as without an ESP.  Returns an exit code.
 */
static int detect_esp(struct tool *t, struct load_args *a, struct load_state *s,
		      const struct pk_pipeline_image *in)
{
	struct pk_route_opts ro = { .kernel_bpf = a->kernel_bpf, .naddons = a->pipe.naddons,
				    .kernel_btf = getenv("PEKEXEC_KERNEL_BTF") };
	enum pk_route route;
	size_t i, used = 0;
	char *esp;
	int r;

	if (a->pipe.esp || a->pipe.no_sidecars || a->kernel_bpf == PK_KERNEL_BPF_YES)
		return PK_EXIT_OK;
	esp = esp_detect(a->image);
	if (!esp)
		return PK_EXIT_OK;
	r = pk_pipeline_route(t->ctx, in, &ro, &route);
	pk_ctx_clear_error(t->ctx); /* the real routing below reports it */
	if (r < 0 || route == PK_ROUTE_PLAIN) {
		free(esp);
		return PK_EXIT_OK;
	}
	r = sidecars_find(t, "load", esp, a->image, a->pipe.addons, a->pipe.naddons, &s->sc);
	if (r < 0) {
		free(esp);
		return PK_EXIT_FAILURE;
	}
	for (i = 0; i < s->sc.n; i++)
		used += !s->sc.items[i].skipped;
	if (used <= a->pipe.naddons) { /* the --addon ones come last */
		sidecars_free(&s->sc);
		free(esp);
		return PK_EXIT_OK;
	}
	if (t->verbose || a->verbose)
		fprintf(stderr, "pekexec: load: %s lies on the ESP %s: %zu sidecar(s) found there\n",
			a->image, esp, used - a->pipe.naddons);
	s->esp_detected = esp;
	a->pipe.esp = esp;
	return PK_EXIT_OK;
}

static int do_load(struct tool *t, const struct load_args *args)
{
	struct load_args la = *args, *a = &la;
	struct load_state s;
	struct pk_kexec_image k;
	const char *lockdown = lockdown_mode();
	const char *source;
	char *proc = NULL;
	struct pk_pipeline_image in;
	struct pk_route_opts ro = { 0 };
	enum pk_route route;
	bool user_none;
	int r, ret = PK_EXIT_FAILURE;

	memset(&s, 0, sizeof(s));
	if (a->pipe.entry || a->pipe.entry_default) {
		ret = plan_load_entry(t, a, &s, &user_none);
		if (ret != PK_EXIT_OK)
			goto out;
		ret = PK_EXIT_FAILURE;
	} else {
		if (a->reuse_cmdline)
			proc = read_text(LOAD_PROC_CMDLINE, PK_PIPELINE_MAX_CMDLINE);
		s.cmdline = load_user_cmdline(a, proc, &user_none);
		free(proc);
		if (!user_none && !s.cmdline) {
			tool_errorf("load", a->reuse_cmdline ? "cannot read " LOAD_PROC_CMDLINE :
				    "out of memory");
			goto out;
		}
	}
	if (pk_file_open(t->ctx, a->image, LOAD_MAX_IMAGE, &s.img) < 0 ||
	    (a->pipe.initrd &&
	     pk_file_open(t->ctx, a->pipe.initrd, PK_PIPELINE_MAX_INITRD, &s.initrd) < 0)) {
		tool_error(t, "load", NULL);
		goto out;
	}
	if (a->pipe.initrd) {
		s.initrd_data = s.initrd.data;
		s.initrd_len = s.initrd.len;
		s.has_initrd = true;
	}
	in = (struct pk_pipeline_image){ a->image, s.img.data, s.img.len };
	if (!s.ep.id) {
		ret = detect_esp(t, a, &s, &in);
		if (ret != PK_EXIT_OK)
			goto out;
		ret = PK_EXIT_FAILURE;
	}
	if (s.ep.id && a->pipe.esp && !a->pipe.no_sidecars) {
		/* a plain kernel of a Type #1 entry: no stub reads the ESP */
		ro.kernel_bpf = a->kernel_bpf;
		ro.naddons = a->pipe.naddons;
		ro.kernel_btf = getenv("PEKEXEC_KERNEL_BTF");
		if (pk_pipeline_route(t->ctx, &in, &ro, &route) == 0 && route == PK_ROUTE_PLAIN)
			a->pipe.esp = NULL;
		pk_ctx_clear_error(t->ctx);
	}
	ro.kernel_bpf = a->kernel_bpf;
	/* --esp may find add-ons: the pipeline then, as for --addon */
	ro.naddons = a->pipe.naddons + (a->pipe.esp && !a->pipe.no_sidecars);
	ro.no_stub_cpios = a->pipe.no_sidecars;
	ro.kernel_btf = getenv("PEKEXEC_KERNEL_BTF");
	r = pk_pipeline_route(t->ctx, &in, &ro, &route);
	if (r < 0) {
		/* a damaged image: extract's message and exit code */
		tool_error(t, "load", NULL);
		ret = r == -EINVAL ? PK_EXIT_USAGE : tool_exit_code(r);
		goto out;
	}
	if (route == PK_ROUTE_PIPELINE) {
		ret = run_pipeline(t, a, &s, lockdown, user_none, &k);
		if (ret != PK_EXIT_OK)
			goto out;
		source = "pipeline";
	} else {
		k = (struct pk_kexec_image){ s.img.data, s.img.len, s.initrd_data, s.initrd_len,
					     s.cmdline };
		source = route == PK_ROUTE_PLAIN ? "pass-through (no .bpf: the kernel loads it)" :
			 a->kernel_bpf == PK_KERNEL_BPF_YES ? "kernel-bpf (--kernel-bpf: image handed to the kernel)" :
			 "kernel-bpf (the running kernel has CONFIG_KEXEC_BPF: image handed to it)";
	}
	{
		/* outside the pipeline: its enforcement rule, the "@N" it would take */
		bool enforcing = route == PK_ROUTE_PIPELINE ? s.res.enforcing :
				 a->pipe.verify == PK_VERIFY_REQUIRE ||
				 (a->pipe.verify == PK_VERIFY_AUTO && lockdown && strcmp(lockdown, "none"));
		unsigned int profile = route == PK_ROUTE_PIPELINE ? s.res.profile :
				       cmdline_profile(s.cmdline);
		bool pipe = route == PK_ROUTE_PIPELINE;
		struct dt_report dt;

		ret = dt_check(t, "load", s.img.data, s.img.len, profile, s.ep.devicetree_path,
			       s.ep.devicetree,
			       !pipe ? NULL : s.sc.addons ? s.sc.addons : s.addons,
			       !pipe ? 0 : s.sc.addons ? s.sc.naddons : a->pipe.naddons,
			       enforcing, &dt);
		if (ret != PK_EXIT_OK)
			goto out;
		ret = PK_EXIT_FAILURE;
	}
	if (a->dry_run) {
		print_plan(a, &s.ep, s.esp_detected, source, &k);
		ret = PK_EXIT_OK;
		goto out;
	}
	r = pk_kexec_load(t->ctx, &k, a->crash ? PK_KEXEC_CRASH : 0, lockdown);
	if (r < 0) {
		tool_error(t, "load", a->image);
		ret = tool_exit_code_kernel(r);
		goto out;
	}
	if (t->verbose || a->verbose)
		fprintf(stderr, "pekexec: load: %s: loaded%s (%s): kernel %zu bytes, initrd %zu bytes, cmdline \"%s\"\n",
			a->image, a->crash ? " as crash kernel" : "", source, k.kernel_len,
			k.initrd_len, k.cmdline ? k.cmdline : "");
	ret = PK_EXIT_OK;
out:
	load_state_free(&s, a->pipe.naddons);
	return ret;
}

int load_run(struct tool *t, const struct load_args *a)
{
	int r;

	switch (a->op) {
	case LOAD_OP_LOAD:
		return do_load(t, a);
	case LOAD_OP_EXEC:
		r = pk_kexec_exec(t->ctx);
		break;
	case LOAD_OP_UNLOAD:
		r = pk_kexec_unload(t->ctx, a->crash ? PK_KEXEC_CRASH : 0);
		break;
	case LOAD_OP_STATUS:
		r = pk_kexec_is_loaded(t->ctx, a->crash ? PK_KEXEC_CRASH : 0);
		if (r >= 0)
			return r ? PK_EXIT_OK : PK_EXIT_FAILURE;
		break;
	default:
		return PK_EXIT_USAGE;
	}
	if (r < 0) {
		tool_error(t, verb_name(a->op), NULL);
		return PK_EXIT_FAILURE;
	}
	return PK_EXIT_OK;
}

static int verb_common(struct tool *t, enum load_op op, int argc, char **argv)
{
	struct load_args a;
	char err[256];

	if (load_args_parse(&a, op, argc, argv, err, sizeof(err)) < 0) {
		tool_errorf(verb_name(op), "%s", err);
		usage(stderr, op);
		return PK_EXIT_USAGE;
	}
	if (a.help || a.version) {
		usage(stdout, op);
		return PK_EXIT_OK;
	}
	return load_run(t, &a);
}

int verb_load(struct tool *t, int argc, char **argv)
{
	return verb_common(t, LOAD_OP_LOAD, argc, argv);
}

int verb_exec(struct tool *t, int argc, char **argv)
{
	return verb_common(t, LOAD_OP_EXEC, argc, argv);
}

int verb_unload(struct tool *t, int argc, char **argv)
{
	return verb_common(t, LOAD_OP_UNLOAD, argc, argv);
}
