/* SPDX-License-Identifier: MIT */
/* testlib.h - helpers shared by unit tests: files, processes, test data. */
#ifndef PK_TESTLIB_H
#define PK_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

#include "pekexec/buf.h"

/* Reads a whole file into @ret (cleared first); 0 or -errno. */
int test_read_file(const char *path, struct pk_buf *ret);
/* Writes a whole file; 0 or -errno. */
int test_write_file(const char *path, const void *p, size_t n);
/* Runs a shell command line; returns its exit status, or -1. */
int test_system(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* $IMAGES/name, or NULL if $IMAGES is unset; static storage. */
const char *test_image_path(const char *name);
/* A per-test scratch directory ($TMPDIR or /tmp); static storage. */
const char *test_tmpdir(void);
/* Deterministic pseudo-random bytes (xorshift64*, seeded). */
void test_random_bytes(uint64_t *state, void *p, size_t n);

#endif
