// SPDX-License-Identifier: MIT
/*
 * test-json.c - the tool's JSON writer, with jq(1) as the oracle: the
 * output must parse, the values must read back as written, and every byte
 * value in a string must round-trip (\u00XX = the byte as a Latin-1 code
 * point, so jq's UTF-8 output converted back to Latin-1 by iconv(1) must be
 * the original bytes).  Misuse and write errors are reported by
 * json_finish().
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "json.h" /* json.o: linked in by the Makefile */

static const char *path_in_tmp(const char *name)
{
	static char path[4][4200];
	static int n;

	n = (n + 1) % 4;
	snprintf(path[n], sizeof(path[n]), "%s/%s", test_tmpdir(), name);
	return path[n];
}

static void test_document(void)
{
	const char *doc = path_in_tmp("doc.json"), *bytes = path_in_tmp("bytes.bin");
	char all[256];
	struct json j;
	FILE *f;
	int i;

	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	CHECK_EQ_INT(test_write_file(bytes, all, sizeof(all)), 0);

	f = fopen(doc, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "format", "test/1");
	json_string_n(&j, "bytes", all, sizeof(all));
	json_string(&j, "quote\"key\\", "a\"b\\c\n\t");
	json_uint(&j, "big", UINT64_MAX);
	json_int(&j, "neg", INT64_MIN);
	json_int(&j, "small", -5);
	json_bool(&j, "yes", true);
	json_bool(&j, "no", false);
	json_null(&j, "nothing");
	json_string(&j, "null_string", NULL);
	json_array_begin(&j, "empty_array");
	json_array_end(&j);
	json_object_begin(&j, "empty_object");
	json_object_end(&j);
	json_array_begin(&j, "list");
	for (i = 0; i < 3; i++) {
		json_object_begin(&j, NULL);
		json_uint(&j, "i", (uint64_t)i);
		json_array_begin(&j, "sq");
		json_uint(&j, NULL, (uint64_t)(i * i));
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	CHECK_EQ_INT(json_finish(&j), 0);
	fclose(f);

	/* jq parses it and reads the values back. */
	CHECK_EQ_INT(test_system("jq -e '.format == \"test/1\" and .yes == true and "
				 ".no == false and .nothing == null and .null_string == null and "
				 ".small == -5 and (.empty_array | length) == 0 and "
				 "(.empty_object | length) == 0 and (.list | length) == 3 and "
				 "([.list[].sq[0]] == [0, 1, 4]) and .list[2].i == 2 and "
				 ".[\"quote\\\"key\\\\\"] == \"a\\\"b\\\\c\\n\\t\"' '%s' >/dev/null",
				 doc),
		     0);
	/* Integers are written exactly (jq would round them to doubles). */
	CHECK_EQ_INT(test_system("grep -q '\"big\": 18446744073709551615,' '%s'", doc), 0);
	CHECK_EQ_INT(test_system("grep -q '\"neg\": -9223372036854775808,' '%s'", doc), 0);
	/* All 256 byte values round-trip. */
	CHECK_EQ_INT(test_system("jq -j .bytes '%s' | iconv -f UTF-8 -t LATIN1 | cmp -s - '%s'",
				 doc, bytes),
		     0);
}

static void test_misuse(void)
{
	struct json j;
	FILE *f = fopen("/dev/null", "w");
	int i;

	if (!f)
		return;
	json_init(&j, f);
	json_array_begin(&j, NULL);
	json_uint(&j, "key_in_array", 1);
	json_array_end(&j);
	CHECK_EQ_INT(json_finish(&j), -EINVAL);

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_uint(&j, NULL, 1); /* no key in an object */
	json_object_end(&j);
	CHECK_EQ_INT(json_finish(&j), -EINVAL);

	json_init(&j, f);
	json_object_begin(&j, NULL);
	CHECK_EQ_INT(json_finish(&j), -EINVAL); /* left open */

	json_init(&j, f);
	json_array_begin(&j, NULL);
	json_object_end(&j); /* mismatched */
	CHECK_EQ_INT(json_finish(&j), -EINVAL);

	json_init(&j, f);
	for (i = 0; i < JSON_MAX_DEPTH + 2; i++)
		json_array_begin(&j, NULL);
	CHECK_EQ_INT(json_finish(&j), -EINVAL); /* too deep, no overflow */
	fclose(f);

	f = fopen("/dev/full", "w");
	if (f) {
		json_init(&j, f);
		json_object_begin(&j, NULL);
		for (i = 0; i < 10000; i++)
			json_string(&j, "k", "some text to fill the stdio buffer");
		json_object_end(&j);
		CHECK_EQ_INT(json_finish(&j), -EIO);
		fclose(f);
	}
}

int main(void)
{
	if (test_system("command -v jq >/dev/null && command -v iconv >/dev/null"))
		SKIP("jq or iconv missing (scripts/deps.sh ensure test)");
	test_document();
	test_misuse();
	return CHECK_RESULT();
}
