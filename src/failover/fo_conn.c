/* The partner's TCP stream on libevent bufferevents: framing by the message
 * length of draft-12 §6.1, bounded queues both ways. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "fo_conn.h"
#include "fo_msg.h"
#include "log.h"

#define FO_CONN_OUT_MAX	(8 * 1024 * 1024)	/* unsent bytes before we give up */
#define FO_CONN_IN_MAX	(256 * 1024)		/* read at most this much per event */

struct fo_conn {
	struct bufferevent	*bev;
	uint32_t		 peer;
	struct fo_conn_cb	 cb;
	void			*arg;
	int			 failed;
	int			 busy;		/* inside conn_read's callbacks */
	int			 dead;		/* freed while busy: free after */
	unsigned		 bad_len;	/* the length field that closed it */
};

struct fo_listener {
	struct evconnlistener	*lev;
	void			(*accept)(void *, int, uint32_t);
	void			*arg;
};

/* Close with a reason; the owner frees. */
static void
conn_fail(struct fo_conn *c, const char *why)
{
	if (c->failed)
		return;
	c->failed = 1;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	c->cb.closed(c->arg, c, why);
}

/* Hand every whole message in the input to the owner (draft-12 §6.1 framing). */
static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct fo_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t msg[FO_MSG_MAX];
	int n = 0;

	c->busy = 1;
	while (!c->failed) {
		size_t avail = evbuffer_get_length(in);
		uint8_t hdr[2];
		int len;

		if (avail < 2)
			break;
		evbuffer_copyout(in, hdr, 2);
		if ((len = fo_msg_frame_len(hdr, 2)) == -1) {
			c->bad_len = (unsigned)hdr[0] << 8 | hdr[1];
			conn_fail(c, c->bad_len > FO_MSG_MAX ? "message length over "
			    "2048" : "message length under 12");
			break;
		}
		if (avail < (size_t)len)
			break;
		evbuffer_remove(in, msg, (size_t)len);
		c->cb.message(c->arg, c, msg, (size_t)len);
		n++;
	}
	if (n > 0 && !c->failed && c->cb.read_done != NULL)
		c->cb.read_done(c->arg, c);
	c->busy = 0;
	if (c->dead)		/* its owner let go of it in a callback */
		fo_conn_free(c);
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct fo_conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		int one = 1;

		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if (c->cb.connected != NULL)
			c->cb.connected(c->arg, c);
		return;
	}
	if (what & BEV_EVENT_EOF)
		conn_fail(c, "closed by the partner");
	else if (what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_fail(c, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* A connection object around bev. */
static struct fo_conn *
conn_new(struct bufferevent *bev, uint32_t peer, const struct fo_conn_cb *cb,
    void *arg)
{
	struct fo_conn *c;

	if (bev == NULL || (c = calloc(1, sizeof(*c))) == NULL) {
		if (bev != NULL)
			bufferevent_free(bev);
		return NULL;
	}
	c->bev = bev;
	c->peer = peer;
	c->cb = *cb;
	c->arg = arg;
	bufferevent_setcb(bev, conn_read, NULL, conn_event, c);
	bufferevent_setwatermark(bev, EV_READ, 0, FO_CONN_IN_MAX);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	return c;
}

struct fo_conn *
fo_conn_connect(struct event_base *base, uint32_t addr, uint16_t port,
    const struct fo_conn_cb *cb, void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct bufferevent *bev;
	struct fo_conn *c;

	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if ((c = conn_new(bev, addr, cb, arg)) == NULL)
		return NULL;
	if (bufferevent_socket_connect(bev, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fo_conn_free(c);
		return NULL;
	}
	return c;
}

struct fo_conn *
fo_conn_accepted(struct event_base *base, int fd, uint32_t peer,
    const struct fo_conn_cb *cb, void *arg)
{
	int one = 1;

	evutil_make_socket_nonblocking(fd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return conn_new(bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE),
	    peer, cb, arg);
}

void
fo_conn_set_cb(struct fo_conn *c, const struct fo_conn_cb *cb, void *arg)
{
	c->cb = *cb;
	c->arg = arg;
}

void
fo_conn_free(struct fo_conn *c)
{
	if (c == NULL)
		return;
	if (c->busy) {		/* conn_read still walks it: free on the way out */
		c->dead = 1;
		c->failed = 1;
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		return;
	}
	bufferevent_free(c->bev);
	free(c);
}

int
fo_conn_send(struct fo_conn *c, const uint8_t *msg, size_t len)
{
	if (c->failed)
		return -1;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) + len > FO_CONN_OUT_MAX)
		return -1;
	return bufferevent_write(c->bev, msg, len);
}

/* A lingering connection: its last message written, or 5 s, then freed
 * (from a libevent callback of its own, never inside conn_read). */
static void
linger_write(struct bufferevent *bev, void *arg)
{
	struct fo_conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		bufferevent_free(c->bev);
		free(c);
	}
}

static void
linger_event(struct bufferevent *bev, short what, void *arg)
{
	struct fo_conn *c = arg;

	bufferevent_free(c->bev);
	free(c);
}

void
fo_conn_linger(struct fo_conn *c)
{
	struct timeval five = { 5, 0 };

	if (c == NULL)
		return;
	if (c->failed || evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		fo_conn_free(c);
		return;
	}
	c->failed = 1;		/* conn_read stops; no callback reaches the owner */
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setcb(c->bev, NULL, linger_write, linger_event, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(c->bev, NULL, &five);
	bufferevent_enable(c->bev, EV_WRITE);
}

unsigned
fo_conn_bad_len(const struct fo_conn *c)
{
	return c->bad_len;
}

uint32_t
fo_conn_peer(const struct fo_conn *c)
{
	return c->peer;
}

size_t
fo_conn_queued(const struct fo_conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

static void
listener_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct fo_listener *l = arg;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	if (sa->sa_family != AF_INET) {
		close(fd);
		return;
	}
	l->accept(l->arg, fd, ntohl(sin->sin_addr.s_addr));
}

struct fo_listener *
fo_listen(struct event_base *base, uint32_t addr, uint16_t port,
    void (*accept)(void *, int, uint32_t), void *arg, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct fo_listener *l = calloc(1, sizeof(*l));

	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	l->accept = accept;
	l->arg = arg;
	l->lev = evconnlistener_new_bind(base, listener_accept, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sin, sizeof(sin));
	if (l->lev == NULL) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a));
		snprintf(err, errlen, "failover listen %s:%u: %s", a, (unsigned)port,
		    strerror(errno));
		free(l);
		return NULL;
	}
	return l;
}

void
fo_listener_free(struct fo_listener *l)
{
	if (l == NULL)
		return;
	evconnlistener_free(l->lev);
	free(l);
}
