/* SPDX-License-Identifier: MIT */
/*
 * json.h - a small streaming JSON writer the tool's verbs share.
 *
 * Values are written as they come; the writer keeps the nesting and the
 * commas.  Inside an object every value has a key; inside an array (and at
 * the top level) the key is NULL.  Output is pretty-printed with two-space
 * indentation, one member per line, so that it is stable and diffable.
 *
 * Strings are byte strings: printable ASCII is written as is, '"' and '\'
 * are escaped, and every other byte (control characters and bytes >= 0x80)
 * is written as \u00XX, i.e. the byte read as a Latin-1 code point.  That
 * keeps the output valid JSON whatever the input bytes (section names,
 * certificate subjects) are, and the mapping is reversible.
 *
 *	struct json j;
 *
 *	json_init(&j, stdout);
 *	json_object_begin(&j, NULL);
 *	json_string(&j, "format", "pekexec-inspect/1");
 *	json_array_begin(&j, "sections");
 *	...
 *	json_array_end(&j);
 *	json_object_end(&j);
 *	if (json_finish(&j) < 0)
 *		... write error ...
 */
#ifndef PK_TOOL_JSON_H
#define PK_TOOL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool nonempty[JSON_MAX_DEPTH]; /* the container at this depth has a member */
	bool is_object[JSON_MAX_DEPTH];
	int err;                       /* first misuse or write error, sticky */
};

void json_init(struct json *j, FILE *out);

void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);

/* A NUL-terminated string; NULL writes null. */
void json_string(struct json *j, const char *key, const char *val);
/* @n bytes (may contain NUL). */
void json_string_n(struct json *j, const char *key, const char *val, size_t n);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_int(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/*
 * Ends the document with a newline and flushes.
 * @return 0, -EINVAL if containers were left open or misused (a key in an
 * array, none in an object, nesting deeper than JSON_MAX_DEPTH), or -EIO if
 * writing failed.
 */
int json_finish(struct json *j);

#endif
