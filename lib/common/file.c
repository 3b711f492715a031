// SPDX-License-Identifier: MIT
/*
 * file.c - whole-file input and atomic output.
 *
 * Input is read into memory the process owns, never mapped: the bytes the
 * signature check sees are the bytes every later step reads, whatever
 * another writer of the file does meanwhile (a shared or private mapping
 * shows its writes, and a truncation faults the reader with SIGBUS).  A
 * regular file of 2 MiB or more goes into one anonymous mapping advised
 * for transparent huge pages: the copy then costs about what the
 * mapping's page faults did (measured in docs/pipeline.md).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pekexec/file.h"

#define HUGE_PAGE ((size_t)2 << 20)

/* read() into @p (@cap bytes) until end of file; the count or -errno */
static ssize_t read_into(int fd, uint8_t *p, size_t cap)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t n = read(fd, p + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

/* A regular file of @size bytes; one byte more tells that it grew. */
static int read_regular(struct pk_ctx *ctx, const char *path, int fd, size_t size,
			struct pk_file *f)
{
	size_t cap = size + 1, map_len = 0, head;
	uint8_t *p = NULL;
	ssize_t n;

	if (size >= HUGE_PAGE) {
		/* aligned to a huge page: map one more and trim both ends */
		map_len = (cap + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		p = mmap(NULL, map_len + HUGE_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return pk_err(ctx, -ENOMEM, "%s: out of memory (%zu bytes)", path, size);
		head = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
		if (head)
			munmap(p, head);
		munmap(p + head + map_len, HUGE_PAGE - head);
		p += head;
		/* a hint only: without it the copy is slower, not wrong */
		madvise(p, map_len, MADV_HUGEPAGE);
	} else {
		p = malloc(cap);
		if (!p)
			return pk_err(ctx, -ENOMEM, "%s: out of memory (%zu bytes)", path, size);
	}
	f->base_ = p;
	f->alloc_len_ = map_len;
	n = read_into(fd, p, cap);
	if (n < 0 || (size_t)n == cap) {
		pk_file_close(f);
		return n < 0 ? pk_err(ctx, (int)n, "%s: read: %s", path, strerror((int)-n)) :
			       pk_err(ctx, -EAGAIN, "%s: grew beyond %zu bytes while it was read",
				      path, size);
	}
	f->data = p;
	f->len = (size_t)n;
	return 0;
}

/* Anything else (a pipe, a character device, procfs): read until end of file. */
static int read_stream(struct pk_ctx *ctx, const char *path, int fd, size_t max_len,
		       struct pk_file *f)
{
	_pk_cleanup_buf_ struct pk_buf b = { 0 };

	for (;;) {
		size_t room;
		ssize_t n;
		int r = pk_buf_reserve(&b, 65536);

		if (r < 0)
			return pk_err(ctx, r, "%s: %s", path, strerror(-r));
		/* one byte over the limit is enough to refuse */
		room = b.cap - b.len;
		if (max_len - b.len < room)
			room = max_len - b.len + 1;
		n = read_into(fd, b.data + b.len, room);
		if (n < 0)
			return pk_err(ctx, (int)n, "%s: read: %s", path, strerror((int)-n));
		b.len += (size_t)n;
		if (b.len > max_len)
			return pk_err(ctx, -EFBIG, "%s: larger than the limit of %zu bytes",
				      path, max_len);
		if ((size_t)n < room)
			break; /* end of file */
	}
	f->len = b.len;
	f->base_ = pk_buf_steal(&b, NULL);
	f->data = f->base_ ? f->base_ : (const uint8_t *)"";
	return 0;
}

int pk_file_open(struct pk_ctx *ctx, const char *path, size_t max_len,
		 struct pk_file *ret_file)
{
	struct pk_file f = { 0 };
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pk_err(ctx, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = pk_err(ctx, -errno, "%s: fstat: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = pk_err(ctx, -EISDIR, "%s: is a directory", path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_len) {
		r = pk_err(ctx, -EFBIG, "%s: %lld bytes, larger than the limit of %zu",
			   path, (long long)st.st_size, max_len);
		goto out;
	}
	/* procfs files say 0 bytes: read those as a stream */
	if (S_ISREG(st.st_mode) && st.st_size > 0)
		r = read_regular(ctx, path, fd, (size_t)st.st_size, &f);
	else
		r = read_stream(ctx, path, fd, max_len, &f);
	if (r < 0)
		goto out;
	*ret_file = f;
out:
	close(fd);
	return r;
}

void pk_file_close(struct pk_file *f)
{
	if (!f)
		return;
	if (f->alloc_len_)
		munmap(f->base_, f->alloc_len_);
	else
		free(f->base_);
	*f = (struct pk_file){ 0 };
}

int pk_file_write_atomic(struct pk_ctx *ctx, const char *path,
			 const void *data, size_t len, unsigned int mode)
{
	_pk_cleanup_free_ char *tmp = NULL;
	const uint8_t *p = data;
	size_t n = strlen(path) + 16;
	int fd, r;

	tmp = malloc(n);
	if (!tmp)
		return pk_err(ctx, -ENOMEM, "%s: out of memory", path);
	snprintf(tmp, n, "%s.tmpXXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return pk_err(ctx, -errno, "%s: %s", tmp, strerror(errno));
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = pk_err(ctx, -errno, "%s: write: %s", tmp, strerror(errno));
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		r = pk_err(ctx, -errno, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = pk_err(ctx, -errno, "%s: close: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = pk_err(ctx, -errno, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}
