// SPDX-License-Identifier: MIT
/* inspect-bpf.c - inspect's view of the .bpf program and of the stages. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>

#include "inspect-bpf.h"
#include "kexec_bpf/kexec_bpf.h"
#include "pekexec/hash.h"
#include "tool.h"

static const char *form_name(enum pk_bpf_form form)
{
	return form == PK_BPF_FORM_LSKEL ? "light skeleton" : "ELF object";
}

static const char *map_type_name(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
		return "array";
	case BPF_MAP_TYPE_RINGBUF:
		return "ringbuf";
	default:
		return "other";
	}
}

int inspect_bpf_collect(struct pk_ctx *ctx, const char *path, const uint8_t *img,
			size_t len, const uint8_t *bpf, size_t bpf_len,
			struct inspect_bpf *ret)
{
	const struct pk_pipeline_image image = { path, img, len };
	const struct pk_pipeline_opts opts = { .verify = PK_VERIFY_OFF };
	int r;

	*ret = (struct inspect_bpf){ 0 };
	r = pk_bpf_program_load(ctx, path, bpf, bpf_len, &ret->prog);
	if (r == -ENOMEM)
		return r;
	snprintf(ret->verdict, sizeof(ret->verdict), "%s",
		 r < 0 ? pk_ctx_errmsg(ctx) : "accepted");

	r = pk_pipeline_run(ctx, &image, &opts, &ret->result);
	if (r == -ENOMEM)
		return r;
	ret->ran = r == 0;
	if (r < 0)
		snprintf(ret->run_error, sizeof(ret->run_error), "%s", pk_ctx_errmsg(ctx));
	return 0;
}

void inspect_bpf_free(struct inspect_bpf *b)
{
	pk_bpf_program_free(b->prog);
	pk_pipeline_result_free(&b->result);
	*b = (struct inspect_bpf){ 0 };
}

static void json_program(struct json *j, const struct inspect_bpf *b)
{
	struct pk_bpf_map_info m;
	uint32_t i;

	json_object_begin(j, "program");
	json_bool(j, "accepted", b->prog != NULL);
	json_string(j, "verdict", b->verdict);
	if (b->prog) {
		json_string(j, "form", form_name(pk_bpf_program_form(b->prog)));
		json_string(j, "name", pk_bpf_program_name(b->prog));
		json_string(j, "section", pk_bpf_program_section(b->prog));
		json_uint(j, "instructions", pk_bpf_program_insn_count(b->prog));
		json_array_begin(j, "maps");
		for (i = 0; pk_bpf_program_map(b->prog, i, &m); i++) {
			json_object_begin(j, NULL);
			json_string(j, "name", m.name);
			json_string(j, "type", map_type_name(m.type));
			json_uint(j, "key_size", m.key_size);
			json_uint(j, "value_size", m.value_size);
			json_uint(j, "max_entries", m.max_entries);
			json_uint(j, "flags", m.map_flags);
			json_object_end(j);
		}
		json_array_end(j);
	}
	json_object_end(j);
}

static void json_stage(struct json *j, const struct pk_stage_record *s)
{
	char hex[2 * PK_SHA256_LEN + 1];
	size_t i;

	json_object_begin(j, NULL);
	json_uint(j, "index", s->index);
	json_bool(j, "addon", s->addon);
	json_string(j, "image", s->image);
	json_uint(j, "image_size", s->image_len);
	pk_hex(s->image_sha256, PK_SHA256_LEN, hex);
	json_string(j, "image_sha256", hex);
	json_string(j, "program", s->prog_name);
	json_uint(j, "program_instructions", s->prog_insns);
	json_uint(j, "instructions_executed", s->insn_count);
	json_array_begin(j, "commands");
	for (i = 0; i < s->ncmds; i++) {
		const struct pk_stage_cmd *c = &s->cmds[i];

		json_object_begin(j, NULL);
		json_string(j, "cmd", tool_name_or(pk_cmd_name(c->cmd), "?"));
		json_string(j, "subcmd", tool_name_or(pk_subcmd_name(c->subcmd), "?"));
		json_uint(j, "payload_size", c->len);
		pk_hex(c->sha256, PK_SHA256_LEN, hex);
		json_string(j, "payload_sha256", hex);
		json_int(j, "result", c->result);
		json_object_end(j);
	}
	json_array_end(j);
	json_uint(j, "kernel_out", s->kernel_out);
	if (s->kernel_out) {
		pk_hex(s->kernel_out_sha256, PK_SHA256_LEN, hex);
		json_string(j, "kernel_out_sha256", hex);
	}
	json_uint(j, "initrd_out", s->initrd_out);
	json_uint(j, "cmdline_out", s->cmdline_out);
	json_object_end(j);
}

void inspect_bpf_json(struct json *j, const struct inspect_bpf *b)
{
	char hex[2 * PK_SHA256_LEN + 1];
	uint8_t d[PK_SHA256_LEN];
	size_t i;

	json_program(j, b);
	json_object_begin(j, "stages");
	json_bool(j, "ok", b->ran);
	if (!b->ran) {
		json_string(j, "error", b->run_error);
	} else {
		json_array_begin(j, "stages");
		for (i = 0; i < b->result.nstages; i++)
			json_stage(j, &b->result.stages[i]);
		json_array_end(j);
		json_uint(j, "kernel_size", b->result.kernel_len);
		pk_sha256(b->result.kernel, b->result.kernel_len, d);
		pk_hex(d, sizeof(d), hex);
		json_string(j, "kernel_sha256", hex);
		json_uint(j, "initrd_size", b->result.initrd_len);
		pk_sha256(b->result.initrd, b->result.initrd_len, d);
		pk_hex(d, sizeof(d), hex);
		json_string(j, "initrd_sha256", hex);
		json_string(j, "cmdline", b->result.cmdline);
	}
	json_object_end(j);
}

void inspect_bpf_text(const struct inspect_bpf *b)
{
	struct pk_bpf_map_info m;
	size_t i, k;
	uint32_t n;

	if (!b->prog) {
		printf("  program:         REJECTED: %s\n", b->verdict);
	} else {
		printf("  program:         %s (%s, section %s), %" PRIu32 " instructions, verifier: %s\n",
		       pk_bpf_program_name(b->prog), form_name(pk_bpf_program_form(b->prog)),
		       pk_bpf_program_section(b->prog), pk_bpf_program_insn_count(b->prog),
		       b->verdict);
		for (n = 0; pk_bpf_program_map(b->prog, n, &m); n++)
			printf("  map %-2" PRIu32 "          %-16s %-8s value %" PRIu32 " x %" PRIu32 "%s\n",
			       n, m.name, map_type_name(m.type), m.value_size, m.max_entries,
			       (m.map_flags & BPF_F_RDONLY_PROG) ? " (read-only)" : "");
	}
	if (!b->ran) {
		printf("  stages:          failed (signatures not checked): %s\n", b->run_error);
		return;
	}
	printf("  stages:          %zu (signatures not checked here)\n", b->result.nstages);
	for (i = 0; i < b->result.nstages; i++) {
		const struct pk_stage_record *s = &b->result.stages[i];

		printf("    stage %u%s: %s (%zu bytes), program %s, %" PRIu64 " instructions run\n",
		       s->index, s->addon ? " (add-on)" : "", s->image, s->image_len,
		       s->prog_name, s->insn_count);
		for (k = 0; k < s->ncmds; k++)
			printf("      %s/%s %" PRIu32 " bytes -> %" PRId32 "\n",
			       tool_name_or(pk_cmd_name(s->cmds[k].cmd), "?"),
			       tool_name_or(pk_subcmd_name(s->cmds[k].subcmd), "?"),
			       s->cmds[k].len, s->cmds[k].result);
		if (s->kernel_out)
			printf("      new kernel: %zu bytes\n", s->kernel_out);
	}
	printf("  result:          kernel %zu bytes, initrd %zu bytes, cmdline \"%s\"\n",
	       b->result.kernel_len, b->result.initrd_len, b->result.cmdline);
}
