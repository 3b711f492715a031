/* SPDX-License-Identifier: MIT */
/*
 * check.h - the few macros the unit tests use.  A test binary runs all of its
 * cases, prints one line per failed assertion and exits 1 if any failed,
 * 77 (with a reason on stdout) when it must be skipped, else 0.
 */
#ifndef PK_CHECK_H
#define PK_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

extern int check_failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
			       #cond);                                       \
			check_failures++;                                    \
		}                                                            \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                   \
	do {                                                                 \
		long long _a = (long long)(a), _b = (long long)(b);          \
		if (_a != _b) {                                              \
			printf("%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", \
			       __FILE__, __LINE__, #a, #b, _a, _b);          \
			check_failures++;                                    \
		}                                                            \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

/* Exit status for main(): 1 if any CHECK failed. */
#define CHECK_RESULT() (check_failures ? 1 : 0)

#define SKIP(...)                                                            \
	do {                                                                 \
		printf("SKIP: ");                                            \
		printf(__VA_ARGS__);                                         \
		printf("\n");                                                \
		exit(77);                                                    \
	} while (0)

#endif
