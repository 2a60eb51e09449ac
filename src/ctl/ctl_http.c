/* The HTTP server of metrics-listen (ctl_http.h): libevent's listener and
 * bufferevents, one request per connection, every limit enforced here so a
 * handler only sees a complete, well-formed GET or HEAD. */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "ctl_http.h"
#include "log.h"
#include "util.h"

struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	struct http_srv		*srv;
	struct bufferevent	*bev;
	struct event		*deadline;	/* the head must arrive by then */
};

struct http_srv {
	struct event_base	*base;
	struct evconnlistener	*lis;
	http_handler		 handler;
	void			*arg;
	TAILQ_HEAD(, http_conn)	 conns;
	size_t			 nconns;
	struct http_srv_stats	 stats;
};

static void	conn_event(struct bufferevent *, short, void *);

static const char busy_reply[] = "HTTP/1.1 503 Service Unavailable\r\n"
    "Connection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n";

static void
conn_free(struct http_conn *c)
{
	TAILQ_REMOVE(&c->srv->conns, c, entry);
	c->srv->nconns--;
	if (c->deadline != NULL)
		event_free(c->deadline);
	bufferevent_free(c->bev);
	free(c);
}

/* The answer is out: close. */
static void
conn_written(struct bufferevent *bev, void *arg)
{
	conn_free(arg);
}

/* Queue the status line, headers and body, then close once written. */
static void
conn_send(struct http_conn *c, const struct http_out *o, int head)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t len = o->body != NULL ? evbuffer_get_length(o->body) : 0;

	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nConnection: close\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\nCache-Control: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\n%s\r\n", o->code,
	    http_reason(o->code), o->type != NULL ? o->type :
	    "text/plain; charset=utf-8", len, o->cache != NULL ? o->cache :
	    "no-store", o->extra != NULL ? o->extra : "");
	if (!head && o->body != NULL)
		evbuffer_add_buffer(out, o->body);
	if (c->deadline != NULL)
		event_del(c->deadline);
	bufferevent_disable(c->bev, EV_READ);
	/* written: close; a reset or the send timeout: close too */
	bufferevent_setcb(c->bev, NULL, conn_written, conn_event, c);
	bufferevent_enable(c->bev, EV_WRITE);
}

/* An error status with a one-line text body. */
static void
conn_refuse(struct http_conn *c, int code)
{
	struct http_out o = { .code = code, .body = evbuffer_new() };

	c->srv->stats.refused_bad += code != 408;
	if (o.body != NULL)
		evbuffer_add_printf(o.body, "%d %s\n", code, http_reason(code));
	o.extra = code == 405 ? "Allow: GET, HEAD\r\n" : NULL;
	conn_send(c, &o, 0);
	if (o.body != NULL)
		evbuffer_free(o.body);
}

/* A complete head: parse it and let the handler answer. */
static void
conn_request(struct http_conn *c, const char *head, size_t len)
{
	struct http_req req;
	struct http_out o = { .code = 500 };
	int rc;

	if ((rc = http_parse_head(head, len, &req)) != 0) {
		conn_refuse(c, rc);
		return;
	}
	c->srv->stats.requests++;
	if ((o.body = evbuffer_new()) == NULL) {
		conn_refuse(c, 500);
		return;
	}
	c->srv->handler(c->srv->arg, &req, &o);
	conn_send(c, &o, req.head);
	evbuffer_free(o.body);
}

/* Bytes in: wait for the blank line, within the size limits. */
static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct http_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in), n = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;
	const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)n), *eol;
	size_t end;

	if (p == NULL)
		return;
	if ((end = http_head_end(p, n)) != 0) {
		conn_request(c, p, end);
		return;
	}
	/* the request line alone must fit in the target limit plus the rest */
	eol = memchr(p, '\n', n);
	if ((eol == NULL && n > HTTP_MAX_TARGET + 32) ||
	    (eol != NULL && (size_t)(eol - p) > HTTP_MAX_TARGET + 32))
		conn_refuse(c, 414);
	else if (len >= HTTP_MAX_HEAD)
		conn_refuse(c, 431);
}

/* EOF, error or the send timeout: drop the connection. */
static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct http_conn *c = arg;

	if (what & BEV_EVENT_TIMEOUT)
		c->srv->stats.timeouts++;
	conn_free(c);
}

/* The head did not arrive in time (a slow client): 408 and close. */
static void
conn_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;

	c->srv->stats.timeouts++;
	conn_refuse(c, 408);
}

/* Over the connection cap: a best-effort 503 and close, never queued. */
static void
refuse_busy(struct http_srv *srv, evutil_socket_t fd)
{
	srv->stats.refused_busy++;
	(void)send(fd, busy_reply, sizeof(busy_reply) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	evutil_closesocket(fd);
}

static void
srv_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct http_srv *srv = arg;
	struct timeval head = { HTTP_HEAD_TIMEOUT, 0 }, send_tv = { HTTP_SEND_TIMEOUT, 0 };
	struct http_conn *c;

	if (srv->nconns >= HTTP_MAX_CONNS || (c = calloc(1, sizeof(*c))) == NULL) {
		refuse_busy(srv, fd);
		return;
	}
	c->srv = srv;
	if ((c->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	if ((c->deadline = evtimer_new(srv->base, conn_deadline, c)) == NULL) {
		conn_free(c);
		return;
	}
	bufferevent_setcb(c->bev, conn_read, NULL, conn_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, HTTP_MAX_HEAD);
	bufferevent_set_timeouts(c->bev, NULL, &send_tv);
	bufferevent_enable(c->bev, EV_READ);
	evtimer_add(c->deadline, &head);
}

struct http_srv *
http_srv_new(struct event_base *base, uint32_t addr, uint16_t port,
    http_handler handler, void *arg, char *err, size_t errlen)
{
	struct http_srv *srv = calloc(1, sizeof(*srv));
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (srv == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	TAILQ_INIT(&srv->conns);
	srv->base = base;
	srv->handler = handler;
	srv->arg = arg;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	srv->lis = evconnlistener_new_bind(base, srv_accept, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 64,
	    (struct sockaddr *)&sin, sizeof(sin));
	if (srv->lis == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(srv);
		return NULL;
	}
	return srv;
}

void
http_srv_free(struct http_srv *srv)
{
	if (srv == NULL)
		return;
	while (!TAILQ_EMPTY(&srv->conns))
		conn_free(TAILQ_FIRST(&srv->conns));
	evconnlistener_free(srv->lis);
	free(srv);
}

const struct http_srv_stats *
http_srv_stats(const struct http_srv *srv)
{
	return &srv->stats;
}
