/*
 * A small HTTP/1.1 server for the metrics-listen address (the metrics and the
 * dashboard, read-only: GET and HEAD) and for the dashboard over the
 * management listener's TLS (ctl_https.c: also POST, with a small body). One
 * request per connection. Bounded against abuse (RPC.md §8.1): HTTP_MAX_CONNS
 * open connections (more are answered 503 and closed at once), HTTP_MAX_HEAD
 * bytes of request head (431; a request line over HTTP_MAX_TARGET: 414),
 * HTTP_MAX_BODY bytes of body (413), HTTP_HEAD_TIMEOUT seconds to send the
 * whole request (slow clients: 408), and HTTP_SEND_TIMEOUT seconds to take
 * the answer.
 *   ctl_http.c        connections, limits, replies (I/O)
 *   ctl_http_parse.c  the request head (pure, unit tested)
 */
#ifndef DHCPFOD_CTL_HTTP_H
#define DHCPFOD_CTL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_CONNS		32
#define HTTP_MAX_HEAD		8192
#define HTTP_MAX_TARGET		2048
#define HTTP_MAX_BODY		16384	/* POST only */
#define HTTP_MAX_AUTH		512	/* the Authorization header's value */
#define HTTP_HEAD_TIMEOUT	5	/* seconds, from accept */
#define HTTP_SEND_TIMEOUT	10	/* seconds without progress */
#define HTTP_ANSWER_TIMEOUT	30	/* seconds for an HTTP_LATER answer: 504 */

struct bufferevent;
struct event_base;
struct evbuffer;

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST };

struct http_conn;

/* A parsed request: path and query point into http_req's own copy; the
 * few headers the servers read; the body (POST) and the connection's
 * context (http_srv_adopt) are set by ctl_http.c. */
struct http_req {
	enum http_method method;
	int		 head;			/* HEAD: no body in the answer */
	char		 target[HTTP_MAX_TARGET + 1];
	const char	*path;			/* "/metrics" */
	const char	*query;			/* after '?', "" when none */
	char		 auth[HTTP_MAX_AUTH + 1];	/* Authorization, "" none */
	char		 ctype[128];		/* Content-Type, "" none */
	char		 xrw[64];		/* X-Requested-With, "" none */
	long		 clen;			/* Content-Length, 0 none */
	const char	*body;			/* clen bytes (not terminated) */
	struct http_conn *conn;			/* to answer later */
	void		*ctx;			/* http_srv_adopt's ctx */
};

/* What a handler answers: code, type and body (the server owns body). */
struct http_out {
	int		 code;
	const char	*type;			/* Content-Type */
	const char	*cache;			/* Cache-Control, NULL: no-store */
	const char	*extra;			/* more header lines "K: V\r\n", or NULL */
	struct evbuffer	*body;
};
/* A handler that sets code HTTP_LATER answers later with http_answer. */
#define HTTP_LATER	0

typedef void (*http_handler)(void *arg, const struct http_req *, struct http_out *);

/* Parse a complete request head (up to the blank line) of len bytes:
 * 0 and *req filled (method GET, HEAD or POST), or the status to refuse it
 * with (400, 405, 413, 414, 501, 505). */
int	http_parse_head(const char *head, size_t len, struct http_req *req);
/* Whether the head is complete: the length up to and including the blank
 * line, 0 when more is needed. */
size_t	http_head_end(const char *buf, size_t len);
/* The reason phrase of a status code. */
const char *http_reason(int code);
/* Decode %XX and '+' in place (a query value); -1 on a bad escape or NUL. */
int	http_unescape(char *s);
/* The value of key in a query string, decoded into buf; -1 when absent. */
int	http_query_get(const char *query, const char *key, char *buf, size_t len);

struct http_srv;
struct http_srv_stats {
	uint64_t	requests, refused_busy, refused_bad, timeouts;
};
/* Listen on addr:port (GET and HEAD only; POST is 405 with why_read_only
 * as the body); NULL with err when it cannot. */
struct http_srv *http_srv_new(struct event_base *, uint32_t addr, uint16_t port,
	    http_handler, void *arg, const char *why_read_only, char *err,
	    size_t errlen);
/* A server without a listener, also for POST: its connections come from
 * http_srv_adopt. */
struct http_srv *http_srv_detached(struct event_base *, http_handler, void *arg);
/* Serve an open stream (a TLS bufferevent whose input may already hold the
 * request's first bytes); ctx is each request's, ctx_free(ctx) runs when
 * the connection goes. -1 (over the cap: answered 503 and freed, ctx_free
 * run) never leaves bev to the caller. */
int	http_srv_adopt(struct http_srv *, struct bufferevent *, void *ctx,
	    void (*ctx_free)(void *));
void	http_srv_free(struct http_srv *);
const struct http_srv_stats *http_srv_stats(const struct http_srv *);
/* Answer a request whose handler said HTTP_LATER (o->body is the caller's). */
void	http_answer(struct http_conn *, struct http_out *);
/* Call gone(arg) if the connection closes before http_answer. */
void	http_on_gone(struct http_conn *, void (*gone)(void *), void *arg);

#endif
