// SPDX-License-Identifier: MIT
/* buf.c - owned, growable byte buffers. */
#include "internal.h"

void pk_buf_free(struct pk_buf *b)
{
	if (!b)
		return;
	free(b->data);
	*b = (struct pk_buf){ 0 };
}

int pk_buf_reserve(struct pk_buf *b, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (pk_add_overflow(b->len, n, &need))
		return -EOVERFLOW;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int pk_buf_append(struct pk_buf *b, const void *p, size_t n)
{
	int r = pk_buf_reserve(b, n);

	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int pk_buf_append_zeros(struct pk_buf *b, size_t n)
{
	int r = pk_buf_reserve(b, n);

	if (r < 0)
		return r;
	if (n)
		memset(b->data + b->len, 0, n);
	b->len += n;
	return 0;
}

int pk_buf_pad(struct pk_buf *b, size_t align)
{
	size_t rem = b->len & (align - 1);

	return rem ? pk_buf_append_zeros(b, align - rem) : 0;
}

uint8_t *pk_buf_steal(struct pk_buf *b, size_t *ret_len)
{
	uint8_t *p = b->data;

	if (ret_len)
		*ret_len = b->len;
	*b = (struct pk_buf){ 0 };
	return p;
}
