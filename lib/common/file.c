// SPDX-License-Identifier: MIT
/* file.c - whole-file input and atomic output. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pekexec/file.h"

static int read_all(struct pk_ctx *ctx, const char *path, int fd, size_t max_len,
		    struct pk_file *f)
{
	_pk_cleanup_buf_ struct pk_buf b = { 0 };

	for (;;) {
		ssize_t n;
		int r = pk_buf_reserve(&b, 65536);

		if (r < 0)
			return pk_err(ctx, r, "%s: %s", path, strerror(-r));
		n = read(fd, b.data + b.len, b.cap - b.len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return pk_err(ctx, -errno, "%s: read: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > max_len)
			return pk_err(ctx, -EFBIG, "%s: larger than the limit of %zu bytes",
				      path, max_len);
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
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			f.base_ = p;
			f.map_len_ = (size_t)st.st_size;
			f.mapped_ = 1;
			f.data = p;
			f.len = (size_t)st.st_size;
			goto done;
		}
	}
	r = read_all(ctx, path, fd, max_len, &f);
	if (r < 0)
		goto out;
done:
	*ret_file = f;
out:
	close(fd);
	return r;
}

void pk_file_close(struct pk_file *f)
{
	if (!f)
		return;
	if (f->mapped_)
		munmap(f->base_, f->map_len_);
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
