/*
 * A small read-only HTTP/1.1 server for the metrics-listen address (the
 * metrics and the dashboard): GET and HEAD, one request per connection, no
 * request body. Bounded against abuse (RPC.md §8.1): HTTP_MAX_CONNS open
 * connections (more are answered 503 and closed at once), HTTP_MAX_HEAD
 * bytes of request head (431; a request line over HTTP_MAX_TARGET: 414),
 * HTTP_HEAD_TIMEOUT seconds to send the whole head (slow clients: 408), and
 * HTTP_SEND_TIMEOUT seconds to take the answer.
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
#define HTTP_HEAD_TIMEOUT	5	/* seconds, from accept */
#define HTTP_SEND_TIMEOUT	10	/* seconds without progress */

struct event_base;
struct evbuffer;

/* A parsed request: path and query point into http_req's own copy. */
struct http_req {
	int		 head;			/* HEAD: no body in the answer */
	char		 target[HTTP_MAX_TARGET + 1];
	const char	*path;			/* "/metrics" */
	const char	*query;			/* after '?', "" when none */
};

/* What a handler answers: code, type and body (the server owns body). */
struct http_out {
	int		 code;
	const char	*type;			/* Content-Type */
	const char	*cache;			/* Cache-Control, NULL: no-store */
	const char	*extra;			/* more header lines "K: V\r\n", or NULL */
	struct evbuffer	*body;
};

typedef void (*http_handler)(void *arg, const struct http_req *, struct http_out *);

/* Parse a complete request head (up to the blank line) of len bytes:
 * 0 and *req filled, or the status to refuse it with (400, 405, 414, 505). */
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
/* Listen on addr:port; NULL with err when it cannot. */
struct http_srv *http_srv_new(struct event_base *, uint32_t addr, uint16_t port,
	    http_handler, void *arg, char *err, size_t errlen);
void	http_srv_free(struct http_srv *);
const struct http_srv_stats *http_srv_stats(const struct http_srv *);

#endif
