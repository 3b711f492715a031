// SPDX-License-Identifier: MIT
/*
 * verb-entries.c - pekexec entries: print the boot entries of an ESP as
 * boot-entries.c reads them (the same code 'load/extract --entry' use).
 * docs/entries.md has the rules.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-entries.h"
#include "json.h"
#include "tool.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pekexec entries [--json] [--esp DIR] [--boot-path DIR] [--no-variables]\n"
		"\n"
		"List the boot entries of an ESP (and an XBOOTLDR partition) as\n"
		"systemd-boot orders them: Type #1 loader/entries/ *.conf and Type #2\n"
		"EFI/Linux/ *.efi (UKIs with .osrel, one entry per profile), entries\n"
		"with a sort-key first (by sort-key, machine-id, newest version), then\n"
		"by file name, newest first; '*' marks the default, as systemd-boot\n"
		"picks it: the EFI variables LoaderEntryOneShot, LoaderEntryDefault,\n"
		"then loader.conf's 'default' pattern ('@saved': the EFI variable\n"
		"LoaderEntryLastBooted), else the first.\n"
		"\n"
		"      --esp DIR       the ESP (default: /boot/efi, else /efi, else /boot)\n"
		"      --boot-path DIR the XBOOTLDR partition (default, without --esp:\n"
		"                      /boot when the ESP is /boot/efi or /efi and /boot\n"
		"                      is its own mount with loader/entries or EFI/Linux)\n"
		"      --json          JSON (format pekexec-entries/1)\n"
		"      --no-variables  do not read the EFI variables (bootctl's option)\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit codes: 0 ok, 1 failure, 2 usage.\n");
}

int verb_entries(struct tool *t, int argc, char **argv)
{
	enum { O_JSON = 256, O_ESP, O_NO_VARIABLES, O_BOOT_PATH };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "esp", required_argument, NULL, O_ESP },
		{ "boot-path", required_argument, NULL, O_BOOT_PATH },
		{ "no-variables", no_argument, NULL, O_NO_VARIABLES },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct boot_entries be = { .def = -1 };
	const struct boot_entry *v;
	const char *esp = NULL, *xbootldr = NULL;
	bool json = false, variables = true;
	size_t n, i;
	int c, r, def;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON:
			json = true;
			break;
		case O_ESP:
			esp = optarg;
			break;
		case O_BOOT_PATH:
			xbootldr = optarg;
			break;
		case O_NO_VARIABLES:
			variables = false;
			break;
		case 'h':
			usage(stdout);
			return PK_EXIT_OK;
		default:
			usage(stderr);
			return PK_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		tool_errorf("entries", "unexpected argument '%s'", argv[optind]);
		return PK_EXIT_USAGE;
	}
	if (!esp) {
		esp = boot_entries_guess_esp();
		if (!xbootldr)
			xbootldr = boot_entries_guess_xbootldr(esp);
	}
	if (!esp) {
		tool_errorf("entries", "no ESP found (/boot/efi, /efi, /boot): give --esp DIR");
		return PK_EXIT_FAILURE;
	}
	r = boot_entries_load(t, esp, xbootldr, variables, &be);
	if (r < 0) {
		tool_errorf("entries", "%s: %s", esp, r == -E2BIG ? "more than 1024 entries" :
			    strerror(-r));
		return PK_EXIT_FAILURE;
	}
	v = be.v;
	n = be.n;
	def = be.def;
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "format", "pekexec-entries/1");
		json_string(&j, "default_by", be.def_by ? be.def_by : "");
		json_array_begin(&j, "entries");
		for (i = 0; i < n; i++) {
			const struct boot_entry *e = &v[i];
			size_t k;

			json_object_begin(&j, NULL);
			json_string(&j, "id", e->id);
			json_string(&j, "type", e->type == 1 ? "type1" : "type2");
			json_string(&j, "partition", e->xbootldr ? "xbootldr" : "esp");
			json_string(&j, "path", e->path);
			json_bool(&j, "default", (int)i == def);
			json_string(&j, "title", e->title ? e->title : e->id);
			json_string(&j, "version", e->version ? e->version : "");
			json_string(&j, "sort_key", e->sort_key ? e->sort_key : "");
			json_string(&j, "machine_id", e->machine_id ? e->machine_id : "");
			json_uint(&j, "profile", e->profile);
			json_string(&j, "linux", e->linux_path ? e->linux_path : "");
			json_string(&j, "uki", e->uki_path ? e->uki_path : "");
			json_string(&j, "efi", e->efi_path ? e->efi_path : "");
			json_array_begin(&j, "initrd");
			for (k = 0; k < e->ninitrd; k++)
				json_string(&j, NULL, e->initrd[k]);
			json_array_end(&j);
			json_string(&j, "options", e->options ? e->options : "");
			json_string(&j, "devicetree", e->devicetree ? e->devicetree : "");
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
		if (json_finish(&j) < 0)
			r = -EIO;
	} else {
		for (i = 0; i < n; i++)
			printf("%c %s  %-24s %s%s%s\n", (int)i == def ? '*' : ' ',
			       v[i].type == 1 ? "type1" : "type2", v[i].id,
			       v[i].title ? v[i].title : v[i].id,
			       v[i].version ? "  " : "", v[i].version ? v[i].version : "");
	}
	boot_entries_free(&be);
	return r < 0 ? PK_EXIT_FAILURE : PK_EXIT_OK;
}
