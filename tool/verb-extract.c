// SPDX-License-Identifier: MIT
/*
 * verb-extract.c - pekexec extract: run an image's pipeline (verify, its
 * parser programs, add-ons, policy) and write the kernel, initrd, command
 * line and a manifest (format pekexec-manifest/1, docs/pipeline.md) into a
 * directory.  Nothing is written unless the whole pipeline succeeded.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "kexec_bpf/kexec_bpf.h"
#include "pekexec/authenticode.h"
#include "pekexec/file.h"
#include "pekexec/hash.h"
#include "pekexec-config.h" /* PK_SYSCONFDIR: mk/install.mk */
#include "pekexec/pipeline.h"
#include "boot-entries.h"
#include "devicetree.h"
#include "entry-plan.h"
#include "esp-detect.h"
#include "pipeline-args.h"
#include "sidecars.h"
#include "tool.h"

#define EXTRACT_MAX_IMAGE (4ull << 30)
#define EXTRACT_MAX_ADDONS PIPELINE_MAX_ADDONS
#define EXTRACT_LOCKDOWN "/sys/kernel/security/lockdown"

static const char *const out_names[] = { "kernel", "initrd", "cmdline", "manifest.json" };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec extract [OPTIONS] -o DIR IMAGE\n"
		"       pekexec extract [OPTIONS] -o DIR --entry ID | --default\n"
		"\n"
		"Unpack a UKI or EFI zboot image the way 'pekexec load' would: verify its\n"
		"signature, run its .bpf parser program(s) in the sandbox (nested images\n"
		"too), apply add-ons and the command-line/initrd policy, and write\n"
		"DIR/kernel, DIR/initrd, DIR/cmdline and DIR/manifest.json (a record of\n"
		"every stage).  Nothing is written if any step fails.\n"
		"\n"
		"  -o, --output DIR        where to write (created if missing)\n"
		"  -t, --trust PATH        trust anchors (PEM/DER file or directory),\n"
		"                          repeatable; " TOOL_TRUST_DIR " is added\n"
		"                          when it exists\n"
		"      --verify MODE       require: a trusted signature is required;\n"
		"                          auto (default): require if the running kernel is\n"
		"                          locked down, else check a signature if there is\n"
		"                          one; off: do not look at signatures\n"
		"      --addon FILE        an add-on (PE with .cmdline/.initrd/.ucode; its\n"
		"                          .bpf, else the image's parser program reads it),\n"
		"                          repeatable, applied in the order given\n"
		"      --initrd FILE       a user initrd\n"
		"      --command-line TEXT a user command line (\"@N ...\" selects UKI\n"
		"                          profile N)\n"
		"      --append TEXT       appended to the user command line\n"
		"      --esp DIR           the ESP (or XBOOTLDR) IMAGE lies on: add what\n"
		"                          systemd-stub finds there, add-ons\n"
		"                          (loader/addons/, IMAGE.extra.d/ *.addon.efi, before\n"
		"                          --addon ones), credentials (*.cred) and\n"
		"                          extensions (*.raw, *.confext.raw) as /.extra/\n"
		"                          cpio archives; without --esp, the ESP IMAGE\n"
		"                          lies on when bootctl would take it for one (the\n"
		"                          root of a vfat file system with EFI/ or loader/)\n"
		"      --no-sidecars       neither search --esp nor add the cpio archives\n"
		"                          systemd-stub makes from the UKI (.pcrsig,\n"
		"                          .pcrpkey, .osrel, .profile of the selected\n"
		"                          profile as /.extra/tpm2-pcr-signature.json,\n"
		"                          /.extra/tpm2-pcr-public-key.pem,\n"
		"                          /.extra/os-release, /.extra/profile)\n"
		"      --entry ID          instead of IMAGE: the boot entry ID of the ESP\n"
		"                          (--esp, else /boot/efi, /efi or /boot), as\n"
		"                          'pekexec entries' lists it and systemd-boot\n"
		"                          starts it: Type #2 (NAME.efi, NAME.efi@PROFILE)\n"
		"                          the UKI with that profile and its sidecars;\n"
		"                          Type #1 its linux (or uki) file, initrds\n"
		"                          joined, options as the user command line; no\n"
		"                          --initrd, --command-line, --append with it\n"
		"      --default           instead of IMAGE: the default entry, as\n"
		"                          'pekexec entries' marks it (LoaderEntryOneShot,\n"
		"                          LoaderEntryDefault, loader.conf's 'default';\n"
		"                          '@saved': LoaderEntryLastBooted)\n"
		"      --boot-path DIR     with --entry/--default: the XBOOTLDR partition,\n"
		"                          whose entries are listed with the ESP's\n"
		"                          (without --esp: /boot next to /boot/efi or\n"
		"                          /efi, as 'pekexec entries' finds it)\n"
		"  -h, --help              this help\n"
		"\n"
		"A user command line equal to the image's own (white space normalised) is\n"
		"not an override: the image's is used.  Under enforcement a different user\n"
		"command line, or a user initrd, next to the image's own is refused (exit 8);\n"
		"otherwise the user's command line wins and a user initrd is added in\n"
		"systemd-stub's order.\n"
		"\n"
		"Exit codes: 0 ok, 1 failure, 2 usage, 3 malformed image, 4 unsigned,\n"
		"5 bad digest, 6 untrusted signer, 7 parser program rejected or failed,\n"
		"8 refused by policy.\n");
}

/* Locked down unless the file is missing or its selected mode is "none". */
static bool kernel_locked_down(void)
{
	char buf[128];
	FILE *f = fopen(EXTRACT_LOCKDOWN, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return !strstr(buf, "[none]");
}

static void json_sha256(struct json *j, const char *key, const uint8_t d[PK_SHA256_LEN])
{
	char hex[2 * PK_SHA256_LEN + 1];

	pk_hex(d, PK_SHA256_LEN, hex);
	json_string(j, key, hex);
}

/* @known: the digest of @p, or NULL to hash the @n bytes here */
static void json_blob(struct json *j, const char *key, const char *file,
		      const void *p, size_t n, const uint8_t *known)
{
	uint8_t d[PK_SHA256_LEN];

	if (known)
		memcpy(d, known, sizeof(d));
	else
		pk_sha256(p, n, d);
	json_object_begin(j, key);
	json_string(j, "file", file);
	json_uint(j, "size", n);
	json_sha256(j, "sha256", d);
}

static void json_stage(struct json *j, const struct pk_stage_record *s)
{
	size_t i;

	json_object_begin(j, NULL);
	json_uint(j, "index", s->index);
	json_string(j, "kind", s->addon ? "addon" : "stage");
	json_string(j, "image", s->image);
	json_uint(j, "image_size", s->image_len);
	json_sha256(j, "image_sha256", s->image_sha256);
	json_string(j, "signature", pk_sig_state_name(s->sig));
	json_string(j, "signer", s->signer);
	json_object_begin(j, "program");
	json_string(j, "name", s->prog_name);
	json_uint(j, "size", s->prog_len);
	json_sha256(j, "sha256", s->prog_sha256);
	json_uint(j, "instructions", s->prog_insns);
	json_uint(j, "executed", s->insn_count);
	json_object_end(j);
	json_array_begin(j, "commands");
	for (i = 0; i < s->ncmds; i++) {
		const struct pk_stage_cmd *c = &s->cmds[i];

		json_object_begin(j, NULL);
		json_string(j, "cmd", tool_name_or(pk_cmd_name(c->cmd), "UNKNOWN"));
		json_string(j, "subcmd", tool_name_or(pk_subcmd_name(c->subcmd), "UNKNOWN"));
		json_uint(j, "size", c->len);
		json_sha256(j, "sha256", c->sha256);
		json_int(j, "result", c->result);
		json_object_end(j);
	}
	json_array_end(j);
	if (s->kernel_out) {
		json_object_begin(j, "kernel_out");
		json_uint(j, "size", s->kernel_out);
		json_sha256(j, "sha256", s->kernel_out_sha256);
		json_object_end(j);
	} else {
		json_null(j, "kernel_out");
	}
	json_uint(j, "initrd_out", s->initrd_out);
	json_uint(j, "cmdline_out", s->cmdline_out);
	json_object_end(j);
}

static void json_cpio(struct json *j, const struct pk_pipeline_cpio *c)
{
	char mode[16];
	size_t i;

	json_object_begin(j, NULL);
	json_string(j, "source", c->source);
	json_uint(j, "initrd_offset", c->offset);
	json_uint(j, "size", c->len);
	json_sha256(j, "sha256", c->sha256);
	json_array_begin(j, "members");
	for (i = 0; i < c->nmembers; i++) {
		const struct pk_cpio_member *m = &c->members[i];

		json_object_begin(j, NULL);
		json_string(j, "path", m->path);
		snprintf(mode, sizeof(mode), "%06o", (unsigned int)m->mode);
		json_string(j, "mode", mode);
		json_uint(j, "size", m->size);
		json_sha256(j, "sha256", m->sha256);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

/* An add-on's signature as its stage record says, "" if it did not run. */
static const char *addon_signature(const struct pk_pipeline_result *res, const char *label)
{
	size_t i;

	for (i = res->nmain; i < res->nstages; i++)
		if (!strcmp(res->stages[i].image, label))
			return pk_sig_state_name(res->stages[i].sig);
	return "";
}

static void json_sidecars(struct json *j, const struct sidecars *sc,
			  const struct pk_pipeline_result *res)
{
	size_t i;

	json_array_begin(j, "sidecars");
	for (i = 0; sc && i < sc->n; i++) {
		const struct sidecar_item *it = &sc->items[i];

		json_object_begin(j, NULL);
		json_string(j, "path", it->rel);
		json_string(j, "kind", sidecar_role_name(it->role));
		json_bool(j, "used", !it->skipped);
		json_string(j, "reason", it->skipped ? it->skipped : "");
		/* credentials and extensions go in as the stub passes them */
		json_string(j, "signature", it->skipped ? "" :
			    it->role == SIDECAR_ADDON ? addon_signature(res, it->rel) :
			    "not-checked");
		json_object_end(j);
	}
	json_array_end(j);
}

/* The manifest as a new string (free() it), or NULL. */
static void json_entry(struct json *j, const struct entry_plan *ep, bool plain)
{
	if (!ep) {
		json_null(j, "entry");
		return;
	}
	json_object_begin(j, "entry");
	json_string(j, "id", ep->id);
	json_string(j, "type", ep->type == 1 ? "type1" : "type2");
	json_string(j, "partition", ep->xbootldr ? "xbootldr" : "esp");
	json_string(j, "path", ep->rel);
	json_string(j, "loader", ep->type == 2 ? "type2" : ep->loader_key);
	json_string(j, "image", ep->image_rel);
	json_uint(j, "profile", ep->profile);
	json_uint(j, "initrds", ep->ninitrd);
	json_string(j, "options", ep->cmdline ? ep->cmdline : "");
	json_string(j, "devicetree", ep->devicetree ? ep->devicetree : "");
	/* plain: no .bpf, the kernel loads the file itself (load passes it through) */
	json_string(j, "route", plain ? "plain" : "pipeline");
	json_object_end(j);
}

static char *manifest(const char *image, const struct pk_file *img,
		      const struct pk_pipeline_opts *o, const struct pk_pipeline_result *res,
		      const struct sidecars *sc, const struct entry_plan *ep, bool plain,
		      const struct dt_report *dt, bool esp_detected)
{
	uint8_t d[PK_SHA256_LEN];
	struct json j;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "format", "pekexec-manifest/1");
	json_object_begin(&j, "image");
	json_string(&j, "path", image);
	json_uint(&j, "size", img->len);
	/* stage 1 ran on the file's bytes and hashed them (not plain) */
	if (!plain && res->nmain && res->stages[0].image_len == img->len)
		memcpy(d, res->stages[0].image_sha256, sizeof(d));
	else
		pk_sha256(img->data, img->len, d);
	json_sha256(&j, "sha256", d);
	json_object_end(&j);
	json_entry(&j, ep, plain);
	json_object_begin(&j, "policy");
	json_string(&j, "verify", pk_verify_mode_name(o->verify));
	json_bool(&j, "lockdown", o->lockdown);
	json_bool(&j, "enforcing", res->enforcing);
	json_uint(&j, "profile", res->profile);
	json_bool(&j, "user_cmdline", o->cmdline != NULL);
	json_bool(&j, "user_initrd", o->initrd != NULL);
	json_uint(&j, "addons", o->naddons);
	json_bool(&j, "stub_cpios", !o->no_stub_cpios);
	json_bool(&j, "esp", sc != NULL);
	json_bool(&j, "esp_detected", sc != NULL && esp_detected);
	json_object_end(&j);
	json_array_begin(&j, "stages");
	for (i = 0; i < res->nstages; i++)
		json_stage(&j, &res->stages[i]);
	json_array_end(&j);
	json_array_begin(&j, "generated");
	for (i = 0; i < res->ncpios; i++)
		json_cpio(&j, &res->cpios[i]);
	json_array_end(&j);
	json_sidecars(&j, sc, res);
	dt_report_json(&j, dt);
	json_object_begin(&j, "outputs");
	json_blob(&j, "kernel", "kernel", res->kernel, res->kernel_len,
		  plain ? NULL : res->kernel_sha256);
	json_object_end(&j);
	json_blob(&j, "initrd", "initrd", res->initrd, res->initrd_len,
		  !plain && res->initrd_sha256_known ? res->initrd_sha256 : NULL);
	json_string(&j, "source", pk_source_name(res->initrd_source));
	json_object_end(&j);
	json_blob(&j, "cmdline", "cmdline", res->cmdline, strlen(res->cmdline), NULL);
	json_string(&j, "source", pk_source_name(res->cmdline_source));
	json_string(&j, "text", res->cmdline);
	json_object_end(&j);
	json_object_end(&j);
	json_object_end(&j);
	if (json_finish(&j) < 0 || fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static void remove_outputs(const char *dir)
{
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(out_names) / sizeof(out_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, out_names[i]);
		unlink(path);
	}
}

static int write_outputs(struct tool *t, const char *dir, const struct pk_pipeline_result *res,
			 const char *man)
{
	const void *data[4] = { res->kernel, res->initrd, res->cmdline, man };
	size_t len[4] = { res->kernel_len, res->initrd_len, strlen(res->cmdline), strlen(man) };
	char path[4096];
	size_t i;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		tool_errorf("extract", "%s: %s", dir, strerror(errno));
		return -errno;
	}
	for (i = 0; i < 4; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, out_names[i]) >= sizeof(path)) {
			tool_errorf("extract", "%s: path too long", dir);
			remove_outputs(dir);
			return -ENAMETOOLONG;
		}
		if (pk_file_write_atomic(t->ctx, path, data[i], len[i], 0644) < 0) {
			tool_error(t, "extract", NULL);
			remove_outputs(dir);
			return -EIO;
		}
	}
	return 0;
}

/* --append goes after --command-line, one space between. */
static char *join_cmdline(const char *line, const char *append)
{
	char *s;

	if (!append)
		return line ? strdup(line) : NULL;
	if (!line)
		return strdup(append);
	if (asprintf(&s, "%s %s", line, append) < 0)
		return NULL;
	return s;
}

struct extract_args {
	const char *dir;
	struct pipeline_args pipe;
	bool esp_detected; /* no --esp: IMAGE lies on an ESP (esp-detect.c) */
};

/*
 * A Type #1 entry's plain kernel (no .bpf, no zboot: what 'load' passes
 * through to the kernel): the result is the files as they are.
 */
static void plain_result(const struct pk_file *img, const uint8_t *initrd, size_t initrd_len,
			 char *cmdline, struct pk_pipeline_result *res)
{
	memset(res, 0, sizeof(*res));
	res->kernel = img->data;
	res->kernel_len = img->len;
	res->initrd = initrd;
	res->initrd_len = initrd_len;
	res->cmdline = cmdline;
	res->cmdline_source = *cmdline ? PK_SOURCE_USER : PK_SOURCE_NONE;
	res->initrd_source = initrd_len ? PK_SOURCE_USER : PK_SOURCE_NONE;
}

static int run_extract(struct tool *t, const struct extract_args *a,
		       struct pk_trust *trust, const char *image, const struct entry_plan *ep,
		       const char *esp)
{
	struct pk_file img = { 0 }, initrd = { 0 };
	struct pk_file addon_files[EXTRACT_MAX_ADDONS];
	struct pk_pipeline_image addons[EXTRACT_MAX_ADDONS];
	struct pk_pipeline_result res = { 0 };
	struct pk_pipeline_opts o = { 0 };
	struct pk_pipeline_image in;
	struct sidecars sc = { 0 };
	struct dt_report dt;
	bool use_esp = esp && !a->pipe.no_sidecars, plain = false;
	char *cmdline = NULL, *man = NULL;
	char empty[1] = "";
	int r, ret = PK_EXIT_FAILURE;
	size_t i;

	memset(addon_files, 0, sizeof(addon_files));
	if (pk_file_open(t->ctx, image, EXTRACT_MAX_IMAGE, &img) < 0 ||
	    (a->pipe.initrd &&
	     pk_file_open(t->ctx, a->pipe.initrd, PK_PIPELINE_MAX_INITRD, &initrd) < 0)) {
		tool_error(t, "extract", NULL);
		goto out;
	}
	in = (struct pk_pipeline_image){ image, img.data, img.len };
	if (ep) {
		struct pk_route_opts ro = { .kernel_bpf = PK_KERNEL_BPF_NO,
					    .naddons = a->pipe.naddons };
		enum pk_route route;

		r = pk_pipeline_route(t->ctx, &in, &ro, &route);
		if (r < 0) {
			tool_error(t, "extract", NULL);
			ret = r == -EINVAL ? PK_EXIT_USAGE : tool_exit_code(r);
			goto out;
		}
		plain = route == PK_ROUTE_PLAIN;
		use_esp = use_esp && !plain;
	}
	if (use_esp) {
		r = sidecars_find(t, "extract", esp, image, a->pipe.addons,
				  a->pipe.naddons, &sc);
		if (r < 0) {
			ret = r == -EINVAL ? PK_EXIT_USAGE : PK_EXIT_FAILURE;
			goto out;
		}
	}
	for (i = 0; i < a->pipe.naddons && !use_esp; i++) {
		if (pk_file_open(t->ctx, a->pipe.addons[i], EXTRACT_MAX_IMAGE, &addon_files[i]) < 0) {
			tool_error(t, "extract", NULL);
			goto out;
		}
		addons[i] = (struct pk_pipeline_image){ a->pipe.addons[i], addon_files[i].data,
							addon_files[i].len };
	}
	if (ep)
		cmdline = ep->cmdline ? strdup(ep->cmdline) : NULL;
	else
		cmdline = join_cmdline(a->pipe.cmdline, a->pipe.append);
	if ((ep ? ep->cmdline != NULL : a->pipe.cmdline || a->pipe.append) && !cmdline) {
		tool_errorf("extract", "out of memory");
		goto out;
	}
	o.verify = a->pipe.verify;
	o.lockdown = kernel_locked_down();
	o.trust = trust;
	if (ep) {
		o.initrd = ep->has_initrd ? ep->initrd : NULL;
		o.initrd_len = ep->initrd_len;
	} else {
		o.initrd = a->pipe.initrd ? initrd.data : NULL;
		o.initrd_len = initrd.len;
	}
	o.cmdline = cmdline;
	o.addons = use_esp ? sc.addons : addons;
	o.naddons = use_esp ? sc.naddons : a->pipe.naddons;
	o.no_stub_cpios = a->pipe.no_sidecars;
	o.sidecars = sc.files;
	o.nsidecars = sc.nfiles;
	/* img stays until the result is freed (out: below) */
	o.borrow_image = true;

	if (plain)
		plain_result(&img, o.initrd, o.initrd_len, cmdline ? cmdline : empty, &res);
	else
		r = pk_pipeline_run(t->ctx, &in, &o, &res);
	if (!plain && r < 0) {
		/* The message names the stage and the image. */
		tool_error(t, "extract", NULL);
		ret = tool_exit_code(r);
		goto out;
	}
	/* a plain kernel: enforcement as the pipeline would have decided it */
	r = dt_check(t, "extract", img.data, img.len, plain ? 0 : res.profile,
		     ep ? ep->devicetree_path : NULL, ep ? ep->devicetree : NULL,
		     plain ? NULL : o.addons, plain ? 0 : o.naddons,
		     plain ? o.verify == PK_VERIFY_REQUIRE || (o.verify == PK_VERIFY_AUTO && o.lockdown) :
		     res.enforcing, &dt);
	if (r != PK_EXIT_OK) {
		ret = r;
		goto out;
	}
	man = manifest(image, &img, &o, &res, use_esp ? &sc : NULL, ep, plain, &dt,
		       a->esp_detected);
	if (!man) {
		tool_errorf("extract", "cannot write the manifest");
		goto out;
	}
	if (write_outputs(t, a->dir, &res, man) < 0)
		goto out;
	if (t->verbose)
		fprintf(stderr, "pekexec: extract: %s: %zu stage(s), kernel %zu bytes, initrd %zu bytes, cmdline \"%s\"\n",
			image, res.nstages, res.kernel_len, res.initrd_len, res.cmdline);
	ret = PK_EXIT_OK;
out:
	free(man);
	free(cmdline);
	if (!plain) /* else it points into img, ep and cmdline */
		pk_pipeline_result_free(&res);
	sidecars_free(&sc);
	for (i = 0; i < a->pipe.naddons; i++)
		pk_file_close(&addon_files[i]);
	pk_file_close(&initrd);
	pk_file_close(&img);
	return ret;
}

int verb_extract(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		PIPELINE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct extract_args a = { .pipe.verify = PK_VERIFY_AUTO };
	struct entry_plan ep = { 0 };
	struct pk_trust *trust = NULL;
	char *esp_auto = NULL;
	char err[256];
	int c, r, ret = PK_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:t:h", opts, NULL)) != -1) {
		r = pipeline_args_take(&a.pipe, c, optarg, err, sizeof(err));
		if (r < 0) {
			tool_errorf("extract", "%s", err);
			goto out;
		}
		if (r == 0)
			continue;
		switch (c) {
		case 'o':
			a.dir = optarg;
			break;
		case 't':
		case PIPE_O_TRUST:
			if (tool_trust_add(t, "extract", &trust, optarg) < 0) {
				ret = PK_EXIT_FAILURE;
				goto out;
			}
			break;
		case PIPE_O_CMDLINE:
			a.pipe.cmdline = optarg;
			break;
		case 'h':
			usage(stdout);
			ret = PK_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (a.pipe.entry || a.pipe.entry_default || a.pipe.boot_path) {
		if (pipeline_args_check_entry(&a.pipe, optind < argc ? argv[optind] : NULL,
					      a.pipe.cmdline ? "--command-line" :
					      a.pipe.append ? "--append" : NULL, err, sizeof(err)) < 0) {
			tool_errorf("extract", "%s", err);
			goto out;
		}
		if (!a.dir) {
			tool_errorf("extract", "-o DIR is required");
			usage(stderr);
			goto out;
		}
	} else if (argc - optind != 1 || !a.dir) {
		tool_errorf("extract", "%s", !a.dir ? "-o DIR is required" : "exactly one IMAGE expected");
		usage(stderr);
		goto out;
	}
	if (tool_trust_add(t, "extract", &trust, NULL) < 0) {
		ret = PK_EXIT_FAILURE;
		goto out;
	}
	if (a.pipe.entry || a.pipe.entry_default) {
		const char *esp = a.pipe.esp ? a.pipe.esp : boot_entries_guess_esp();
		const char *xbootldr = a.pipe.boot_path ? a.pipe.boot_path :
				       a.pipe.esp ? NULL : boot_entries_guess_xbootldr(esp);

		if (!esp) {
			tool_errorf("extract", "no ESP found (/boot/efi, /efi, /boot): give --esp DIR");
			goto out;
		}
		ret = entry_plan_make(t, "extract", esp, xbootldr, a.pipe.entry, &ep);
		/* the entry's sidecars are on its own partition (the stub's) */
		if (ret == PK_EXIT_OK)
			ret = run_extract(t, &a, trust, ep.image, &ep, ep.root);
	} else {
		if (!a.pipe.esp && !a.pipe.no_sidecars) {
			esp_auto = esp_detect(argv[optind]);
			a.esp_detected = esp_auto != NULL;
			if (esp_auto && t->verbose)
				fprintf(stderr, "pekexec: extract: %s lies on the ESP %s\n", argv[optind],
					esp_auto);
		}
		ret = run_extract(t, &a, trust, argv[optind], NULL,
				  a.pipe.esp ? a.pipe.esp : esp_auto);
	}
out:
	free(esp_auto);
	entry_plan_free(&ep);
	pk_trust_free(trust);
	return ret;
}
