// SPDX-License-Identifier: MIT
/* json.c - the streaming JSON writer of json.h. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static void put_escaped(FILE *out, const char *s, size_t n)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void indent(struct json *j)
{
	int i;

	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Comma, newline, indentation and key before a value. */
static void member(struct json *j, const char *key)
{
	bool in_object = j->depth > 0 && j->is_object[j->depth - 1];

	if (!key != !in_object)
		j->err = j->err ? j->err : -EINVAL;
	if (j->depth > 0) {
		if (j->nonempty[j->depth - 1])
			fputc(',', j->out);
		fputc('\n', j->out);
		j->nonempty[j->depth - 1] = true;
		indent(j);
	}
	if (key) {
		put_escaped(j->out, key, strlen(key));
		fputs(": ", j->out);
	}
}

static void open_container(struct json *j, const char *key, bool object)
{
	member(j, key);
	fputc(object ? '{' : '[', j->out);
	if (j->depth >= JSON_MAX_DEPTH) {
		j->err = j->err ? j->err : -EINVAL;
		return;
	}
	j->is_object[j->depth] = object;
	j->nonempty[j->depth] = false;
	j->depth++;
}

static void close_container(struct json *j, bool object)
{
	if (j->depth == 0 || j->is_object[j->depth - 1] != object) {
		j->err = j->err ? j->err : -EINVAL;
		return;
	}
	j->depth--;
	if (j->nonempty[j->depth]) {
		fputc('\n', j->out);
		indent(j);
	}
	fputc(object ? '}' : ']', j->out);
}

void json_object_begin(struct json *j, const char *key)
{
	open_container(j, key, true);
}

void json_object_end(struct json *j)
{
	close_container(j, true);
}

void json_array_begin(struct json *j, const char *key)
{
	open_container(j, key, false);
}

void json_array_end(struct json *j)
{
	close_container(j, false);
}

void json_string_n(struct json *j, const char *key, const char *val, size_t n)
{
	member(j, key);
	put_escaped(j->out, val, n);
}

void json_string(struct json *j, const char *key, const char *val)
{
	if (!val) {
		json_null(j, key);
		return;
	}
	json_string_n(j, key, val, strlen(val));
}

void json_uint(struct json *j, const char *key, uint64_t val)
{
	member(j, key);
	fprintf(j->out, "%" PRIu64, val);
}

void json_int(struct json *j, const char *key, int64_t val)
{
	member(j, key);
	fprintf(j->out, "%" PRId64, val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}

int json_finish(struct json *j)
{
	if (j->depth != 0 && !j->err)
		j->err = -EINVAL;
	fputc('\n', j->out);
	if (fflush(j->out) != 0 || ferror(j->out))
		return -EIO;
	return j->err;
}
