/* Bounds-checked reader and writer of wire data (see buf.h). The only code
 * that indexes raw packet bytes. */
#include <string.h>

#include "buf.h"

/* What a reader or writer made over NULL points at: no bytes. */
static const uint8_t	 nothing[1];
static uint8_t		 nowhere[1];

void
buf_init(struct buf *b, const void *data, size_t len)
{
	b->data = data != NULL ? data : nothing;
	b->len = data != NULL ? len : 0;
	b->off = 0;
	b->err = 0;
}

size_t
buf_remaining(const struct buf *b)
{
	return b->len - b->off;
}

size_t
buf_offset(const struct buf *b)
{
	return b->off;
}

int
buf_error(const struct buf *b)
{
	return b->err;
}

/* Consumes n bytes and points *p at them; on failure consumes nothing and
 * sets the sticky error flag. */
static int
take(struct buf *b, size_t n, const uint8_t **p)
{
	if (b->err || n > b->len - b->off) {
		b->err = 1;
		*p = NULL;
		return -1;
	}
	*p = b->data + b->off;
	b->off += n;
	return 0;
}

int
buf_get_u8(struct buf *b, uint8_t *v)
{
	const uint8_t *p;

	if (take(b, 1, &p) == -1) {
		*v = 0;
		return -1;
	}
	*v = p[0];
	return 0;
}

int
buf_get_u16(struct buf *b, uint16_t *v)
{
	const uint8_t *p;

	if (take(b, 2, &p) == -1) {
		*v = 0;
		return -1;
	}
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

int
buf_get_u32(struct buf *b, uint32_t *v)
{
	const uint8_t *p;

	if (take(b, 4, &p) == -1) {
		*v = 0;
		return -1;
	}
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return 0;
}

int
buf_get_bytes(struct buf *b, void *out, size_t n)
{
	const uint8_t *p;

	if (take(b, n, &p) == -1) {
		if (n > 0)
			memset(out, 0, n);
		return -1;
	}
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

int
buf_get_ptr(struct buf *b, size_t n, const uint8_t **p)
{
	return take(b, n, p);
}

int
buf_get_buf(struct buf *b, size_t n, struct buf *sub)
{
	const uint8_t *p;

	if (take(b, n, &p) == -1) {
		buf_init(sub, NULL, 0);
		return -1;
	}
	buf_init(sub, p, n);
	return 0;
}

int
buf_skip(struct buf *b, size_t n)
{
	const uint8_t *p;

	return take(b, n, &p);
}

int
buf_peek_u8(const struct buf *b, uint8_t *v)
{
	if (b->err || b->off == b->len) {
		*v = 0;
		return -1;
	}
	*v = b->data[b->off];
	return 0;
}

void
wbuf_init(struct wbuf *w, void *mem, size_t cap)
{
	w->data = mem != NULL ? mem : nowhere;
	w->cap = mem != NULL ? cap : 0;
	w->len = 0;
	w->err = 0;
}

size_t
wbuf_len(const struct wbuf *w)
{
	return w->len;
}

size_t
wbuf_avail(const struct wbuf *w)
{
	return w->err ? 0 : w->cap - w->len;
}

int
wbuf_error(const struct wbuf *w)
{
	return w->err;
}

/* Reserves n bytes at the end and points *p at them; on failure reserves
 * nothing and marks the writer failed. */
static int
grow(struct wbuf *w, size_t n, uint8_t **p)
{
	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		*p = NULL;
		return -1;
	}
	*p = w->data + w->len;
	w->len += n;
	return 0;
}

/* Stores v as n big-endian bytes at p. */
static void
store_be(uint8_t *p, uint32_t v, size_t n)
{
	for (size_t i = n; i > 0; i--) {
		p[i - 1] = (uint8_t)v;
		v >>= 8;
	}
}

/* Appends v as n big-endian bytes. */
static int
put_be(struct wbuf *w, uint32_t v, size_t n)
{
	uint8_t *p;

	if (grow(w, n, &p) == -1)
		return -1;
	store_be(p, v, n);
	return 0;
}

int
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	return put_be(w, v, 1);
}

int
wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	return put_be(w, v, 2);
}

int
wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	return put_be(w, v, 4);
}

int
wbuf_put_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *p;

	if (grow(w, n, &p) == -1)
		return -1;
	if (n > 0)
		memcpy(p, src, n);
	return 0;
}

int
wbuf_put_zero(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (grow(w, n, &p) == -1)
		return -1;
	if (n > 0)
		memset(p, 0, n);
	return 0;
}

/* Overwrites n written bytes at off with v, big-endian. */
static int
set_be(struct wbuf *w, size_t off, uint32_t v, size_t n)
{
	if (w->err || off > w->len || n > w->len - off) {
		w->err = 1;
		return -1;
	}
	store_be(w->data + off, v, n);
	return 0;
}

int
wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v)
{
	return set_be(w, off, v, 1);
}

int
wbuf_set_u16(struct wbuf *w, size_t off, uint16_t v)
{
	return set_be(w, off, v, 2);
}

int
wbuf_set_u32(struct wbuf *w, size_t off, uint32_t v)
{
	return set_be(w, off, v, 4);
}
