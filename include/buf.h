/*
 * Bounds-checked reading and writing of wire data, for every wire format of
 * the project (DHCP packets, failover messages): fields are read and written
 * one by one through these functions, never by casting a struct over packet
 * bytes (bgpd ibuf, OpenSSH sshbuf).
 * Integers are in network byte order on the wire, host order in the API.
 */
#ifndef DHCPFOD_BUF_H
#define DHCPFOD_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A reader over bytes the caller owns and keeps alive. A failed read returns
 * -1, consumes nothing, zeroes its output and sets the sticky error flag:
 * every later read fails too, so a decoder may read a run of fields and test
 * buf_error() once. Fields are for buf.c; use the functions.
 */
struct buf {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;
	int		 err;
};

/* Reads data[0..len-1] from the start, error flag clear. */
void	buf_init(struct buf *, const void *data, size_t len);
size_t	buf_remaining(const struct buf *);
size_t	buf_offset(const struct buf *);		/* bytes consumed */
int	buf_error(const struct buf *);		/* 1 once a read has failed */

/* 0 / -1 (fewer bytes left than asked, or an earlier failure). */
int	buf_get_u8(struct buf *, uint8_t *);
int	buf_get_u16(struct buf *, uint16_t *);
int	buf_get_u32(struct buf *, uint32_t *);
/* Copies the next n bytes into out (zeroed on failure). */
int	buf_get_bytes(struct buf *, void *out, size_t n);
/* Points *p at the next n bytes, without copying (NULL on failure); valid as
 * long as the data the reader was made over. */
int	buf_get_ptr(struct buf *, size_t n, const uint8_t **p);
/* Makes sub a fresh reader over the next n bytes (empty on failure). */
int	buf_get_buf(struct buf *, size_t n, struct buf *sub);
int	buf_skip(struct buf *, size_t n);
/* The next byte without consuming it; -1 at the end or after a failure,
 * without setting the error flag. */
int	buf_peek_u8(const struct buf *, uint8_t *);

/*
 * A writer into a buffer the caller owns, of cap bytes. A put that does not
 * fit writes nothing, returns -1 and marks the writer failed: every later put
 * is a no-op returning -1, so an encoder may write a run of fields and test
 * wbuf_error() once. Fields are for buf.c; use the functions.
 */
struct wbuf {
	uint8_t		*data;
	size_t		 cap;
	size_t		 len;
	int		 err;
};

/* Writes into mem[0..cap-1] from the start, error flag clear. */
void	wbuf_init(struct wbuf *, void *mem, size_t cap);
size_t	wbuf_len(const struct wbuf *);		/* bytes written */
size_t	wbuf_avail(const struct wbuf *);	/* bytes free; 0 once failed */
int	wbuf_error(const struct wbuf *);	/* 1 once a put has failed */

/* 0 / -1 (no room, or an earlier failure). */
int	wbuf_put_u8(struct wbuf *, uint8_t);
int	wbuf_put_u16(struct wbuf *, uint16_t);
int	wbuf_put_u32(struct wbuf *, uint32_t);
int	wbuf_put_bytes(struct wbuf *, const void *, size_t n);
int	wbuf_put_zero(struct wbuf *, size_t n);
/* Overwrite bytes already written at offset off (a length or flag known only
 * later); -1 and the writer failed if they are not all below wbuf_len(). */
int	wbuf_set_u8(struct wbuf *, size_t off, uint8_t);
int	wbuf_set_u16(struct wbuf *, size_t off, uint16_t);
int	wbuf_set_u32(struct wbuf *, size_t off, uint32_t);

#endif
