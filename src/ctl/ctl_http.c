/* The HTTP server of metrics-listen and of the dashboard over TLS
 * (ctl_http.h): libevent's listener and bufferevents, one request per
 * connection, every limit enforced here so a handler only sees a complete,
 * well-formed GET or HEAD (or POST with its whole body, where allowed). */
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
	struct event		*deadline;	/* the request must arrive by then */
	void			*ctx;		/* http_srv_adopt's */
	void			(*ctx_free)(void *);
	void			(*gone)(void *);	/* answering later */
	void			*gone_arg;
	int			 head;		/* the request was HEAD */
	int			 answered;	/* conn_send ran */
};

struct http_srv {
	struct event_base	*base;
	struct evconnlistener	*lis;
	http_handler		 handler;
	void			*arg;
	const char		*why_read_only;	/* NULL: POST is served */
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
	if (c->gone != NULL)
		c->gone(c->gone_arg);
	if (c->deadline != NULL)
		event_free(c->deadline);
	bufferevent_free(c->bev);
	if (c->ctx_free != NULL)
		c->ctx_free(c->ctx);
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
	c->answered = 1;
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

	c->srv->stats.refused_bad += code != 408 && code != 504;
	if (o.body != NULL)
		evbuffer_add_printf(o.body, "%d %s\n", code, http_reason(code));
	if (code == 405)
		o.extra = c->srv->why_read_only != NULL ? "Allow: GET, HEAD\r\n" :
		    "Allow: GET, HEAD, POST\r\n";
	conn_send(c, &o, 0);
	if (o.body != NULL)
		evbuffer_free(o.body);
}

/* POST on a read-only server: 405 saying where changes go. */
static void
conn_read_only(struct http_conn *c)
{
	struct http_out o = { .code = 405, .body = evbuffer_new(),
	    .extra = "Allow: GET, HEAD\r\n" };

	c->srv->stats.refused_bad++;
	if (o.body != NULL)
		evbuffer_add_printf(o.body, "405 Method Not Allowed: %s\n",
		    c->srv->why_read_only);
	conn_send(c, &o, 0);
	if (o.body != NULL)
		evbuffer_free(o.body);
}

void
http_answer(struct http_conn *c, struct http_out *o)
{
	c->gone = NULL;
	conn_send(c, o, c->head);
}

void
http_on_gone(struct http_conn *c, void (*gone)(void *), void *arg)
{
	c->gone = gone;
	c->gone_arg = arg;
}

/* A parsed request with its body: the handler answers, now or later. */
static void
conn_request(struct http_conn *c, struct http_req *req, const char *body)
{
	struct timeval later = { HTTP_ANSWER_TIMEOUT, 0 };
	struct http_out o = { .code = 500 };

	c->srv->stats.requests++;
	if ((o.body = evbuffer_new()) == NULL) {
		conn_refuse(c, 500);
		return;
	}
	req->body = body;
	req->conn = c;
	req->ctx = c->ctx;
	c->head = req->head;
	if (c->deadline != NULL)
		event_del(c->deadline);
	bufferevent_disable(c->bev, EV_READ);
	c->srv->handler(c->srv->arg, req, &o);
	if (o.code != HTTP_LATER)
		conn_send(c, &o, req->head);
	else if (!c->answered && c->deadline != NULL)
		evtimer_add(c->deadline, &later);
	evbuffer_free(o.body);
}

/* A complete head of len bytes in p (avail bytes there): parse it, wait
 * for a POST's body, then the request. */
static void
conn_head(struct http_conn *c, struct evbuffer *in, const char *p, size_t len)
{
	struct http_req req;
	int rc;

	if ((rc = http_parse_head(p, len, &req)) != 0) {
		conn_refuse(c, rc);
		return;
	}
	if (req.method == HTTP_POST && c->srv->why_read_only != NULL) {
		conn_read_only(c);
		return;
	}
	if (evbuffer_get_length(in) < len + (size_t)req.clen)
		return;		/* the body is on its way (the deadline holds) */
	p = (const char *)evbuffer_pullup(in, (ev_ssize_t)(len + (size_t)req.clen));
	if (p == NULL)
		conn_refuse(c, 500);
	else
		conn_request(c, &req, p + len);
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
		conn_head(c, in, p, end);
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

/* The request did not arrive in time (a slow client): 408 and close; or a
 * later answer did not come: 504. */
static void
conn_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;

	c->srv->stats.timeouts++;
	conn_refuse(c, c->gone != NULL ? 504 : 408);
}

/* Over the connection cap: a best-effort 503 and close, never queued. */
static void
refuse_busy(struct http_srv *srv, evutil_socket_t fd)
{
	srv->stats.refused_busy++;
	(void)send(fd, busy_reply, sizeof(busy_reply) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	evutil_closesocket(fd);
}

/* Serve bev (taken) as a new connection; -1 out of memory (freed). */
static int
conn_start(struct http_srv *srv, struct bufferevent *bev, void *ctx,
    void (*ctx_free)(void *))
{
	struct timeval head = { HTTP_HEAD_TIMEOUT, 0 }, send_tv = { HTTP_SEND_TIMEOUT, 0 };
	struct http_conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		bufferevent_free(bev);
		if (ctx_free != NULL)
			ctx_free(ctx);
		return -1;
	}
	*c = (struct http_conn){ .srv = srv, .bev = bev, .ctx = ctx,
	    .ctx_free = ctx_free };
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	if ((c->deadline = evtimer_new(srv->base, conn_deadline, c)) == NULL) {
		conn_free(c);
		return -1;
	}
	bufferevent_setcb(c->bev, conn_read, NULL, conn_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, HTTP_MAX_HEAD +
	    (srv->why_read_only == NULL ? HTTP_MAX_BODY : 0));
	bufferevent_set_timeouts(c->bev, NULL, &send_tv);
	bufferevent_enable(c->bev, EV_READ);
	evtimer_add(c->deadline, &head);
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		bufferevent_trigger(bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
		    BEV_TRIG_DEFER_CALLBACKS);
	return 0;
}

static void
srv_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct http_srv *srv = arg;
	struct bufferevent *bev;

	if (srv->nconns >= HTTP_MAX_CONNS) {
		refuse_busy(srv, fd);
		return;
	}
	if ((bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	(void)conn_start(srv, bev, NULL, NULL);
}

int
http_srv_adopt(struct http_srv *srv, struct bufferevent *bev, void *ctx,
    void (*ctx_free)(void *))
{
	if (srv->nconns >= HTTP_MAX_CONNS) {
		srv->stats.refused_busy++;
		bufferevent_write(bev, busy_reply, sizeof(busy_reply) - 1);
		bufferevent_flush(bev, EV_WRITE, BEV_FLUSH);
		bufferevent_free(bev);
		if (ctx_free != NULL)
			ctx_free(ctx);
		return -1;
	}
	return conn_start(srv, bev, ctx, ctx_free);
}

struct http_srv *
http_srv_detached(struct event_base *base, http_handler handler, void *arg)
{
	struct http_srv *srv = calloc(1, sizeof(*srv));

	if (srv == NULL)
		return NULL;
	TAILQ_INIT(&srv->conns);
	srv->base = base;
	srv->handler = handler;
	srv->arg = arg;
	return srv;
}

struct http_srv *
http_srv_new(struct event_base *base, uint32_t addr, uint16_t port,
    http_handler handler, void *arg, const char *why_read_only, char *err,
    size_t errlen)
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
	srv->why_read_only = why_read_only;
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
	if (srv->lis != NULL)
		evconnlistener_free(srv->lis);
	free(srv);
}

const struct http_srv_stats *
http_srv_stats(const struct http_srv *srv)
{
	return &srv->stats;
}
