// SPDX-License-Identifier: MIT
/*
 * cpio.c - "newc" cpio archives byte for byte as systemd-stub's cpio.c
 * writes them (docs/pipeline.md §4, "Generated cpio archives"): the
 * kernel's initramfs buffer format, every number as 8 lowercase hex
 * digits, inodes counted from 1 per archive, uid/gid/mtime/devices 0,
 * nlink 1, header + name padded to 4 bytes from the archive's start, then
 * the contents padded to 4 bytes; leading directories before the first
 * file (0555 for every parent, the target's own mode for the last); a
 * trailer spelled as the stub spells it (name size "0000000B").
 *
 * Not libarchive: its newc writer prints every field in lowercase hex,
 * the trailer's name size too, so it cannot give the stub's bytes.
 */
#include <stdio.h>

#include "stages.h"

#define CPIO_HDR 110u         /* "070701" + 13 words of 8 hex digits */
#define CPIO_NAME_MAX 255u    /* the stub skips longer file names */
#define CPIO_DIR_MAX 255u     /* our targets are short; a cap keeps sums small */
#define CPIO_MEMBERS_MAX 4096u

void pk_cpio_writer_free(struct pk_cpio_writer *w)
{
	if (!w)
		return;
	pk_buf_free(&w->buf);
	free(w->members);
	memset(w, 0, sizeof(*w));
}

static void put_word(char *p, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 7; i >= 0; i--, v >>= 4)
		p[i] = hex[v & 0xf];
}

static int add_member(struct pk_cpio_writer *w, const char *path, uint32_t mode,
		      const uint8_t *p, size_t n)
{
	struct pk_cpio_member *m;

	if (w->nmembers == CPIO_MEMBERS_MAX)
		return -E2BIG;
	if (w->nmembers == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;

		m = realloc(w->members, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		w->members = m;
		w->cap = cap;
	}
	m = &w->members[w->nmembers++];
	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	m->mode = mode;
	m->size = n;
	pk_sha256(p, n, m->sha256);
	return 0;
}

/*
 * One entry: header, @path (NUL-terminated, namesize includes the NUL),
 * padding, @n bytes of contents, padding.  @path is at most
 * CPIO_DIR_MAX + 1 + CPIO_NAME_MAX bytes and @n at most UINT32_MAX, so
 * the sums below cannot overflow a size_t.
 */
static int put_entry(struct pk_cpio_writer *w, const char *path, uint32_t mode,
		     const uint8_t *p, size_t n)
{
	size_t namesize = strlen(path) + 1;
	uint32_t words[13];
	char hdr[CPIO_HDR];
	size_t i;
	int e;

	if (n > UINT32_MAX)
		return -EFBIG;
	if (w->inode == UINT32_MAX)
		return -E2BIG;
	if (w->buf.len > PK_PIPELINE_MAX_INITRD ||
	    CPIO_HDR + namesize + 3 + n + 3 > PK_PIPELINE_MAX_INITRD - w->buf.len)
		return -EFBIG;
	words[0] = ++w->inode;            /* inode, from 1 */
	words[1] = mode;
	words[2] = 0;                     /* uid */
	words[3] = 0;                     /* gid */
	words[4] = 1;                     /* nlink */
	words[5] = 0;                     /* mtime: the stub keeps measurements stable */
	words[6] = (uint32_t)n;
	for (i = 7; i < 11; i++)
		words[i] = 0;             /* dev and rdev, major and minor */
	words[11] = (uint32_t)namesize;
	words[12] = 0;                    /* check */
	memcpy(hdr, "070701", 6);
	for (i = 0; i < 13; i++)
		put_word(hdr + 6 + 8 * i, words[i]);
	e = pk_buf_append(&w->buf, hdr, sizeof(hdr));
	if (!e)
		e = pk_buf_append(&w->buf, path, namesize);
	if (!e)
		e = pk_buf_pad(&w->buf, 4);
	if (!e)
		e = pk_buf_append(&w->buf, p, n);
	if (!e)
		e = pk_buf_pad(&w->buf, 4);
	if (!e)
		e = add_member(w, path, mode, p, n);
	return e;
}

int pk_cpio_add_dirs(struct pk_cpio_writer *w, const char *dir, uint32_t dir_mode)
{
	char path[CPIO_DIR_MAX + 1];
	size_t len = strlen(dir), i;
	int e;

	if (!len || len > CPIO_DIR_MAX || dir[0] == '/' || dir[len - 1] == '/')
		return -EINVAL;
	/* Every parent first, 0555, as "mkdir -p" would (cpio.c's prefix loop). */
	for (i = 1; i < len; i++) {
		if (dir[i] != '/' || dir[i - 1] == '/')
			continue;
		memcpy(path, dir, i);
		path[i] = '\0';
		e = put_entry(w, path, PK_CPIO_S_IFDIR | 0555, NULL, 0);
		if (e < 0)
			return e;
	}
	return put_entry(w, dir, PK_CPIO_S_IFDIR | dir_mode, NULL, 0);
}

int pk_cpio_add_file(struct pk_cpio_writer *w, const char *dir, const char *name,
		     const uint8_t *p, size_t n, uint32_t mode)
{
	char path[CPIO_DIR_MAX + 1 + CPIO_NAME_MAX + 1];
	size_t dl = strlen(dir), nl = strlen(name);

	if (!dl || dl > CPIO_DIR_MAX || !nl || nl > CPIO_NAME_MAX || strchr(name, '/'))
		return -EINVAL;
	memcpy(path, dir, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, name, nl + 1);
	return put_entry(w, path, PK_CPIO_S_IFREG | mode, p, n);
}

int pk_cpio_add_trailer(struct pk_cpio_writer *w)
{
	/* As the stub's cpio.c spells it: inode 0, nlink 1, name size in
	 * upper case, four NULs (the name's and three of padding). */
	static const char trailer[] =
		"070701"
		"00000000" "00000000" "00000000" "00000000"
		"00000001" "00000000" "00000000" "00000000"
		"00000000" "00000000" "00000000" "0000000B"
		"00000000"
		"TRAILER!!!\0\0\0";

	_Static_assert(sizeof(trailer) % 4 == 0, "the trailer ends aligned");
	if (w->buf.len > PK_PIPELINE_MAX_INITRD - sizeof(trailer))
		return -EFBIG;
	return pk_buf_append(&w->buf, trailer, sizeof(trailer));
}
