/* The metrics over HTTP (metrics-listen): libevent's evhttp on one address,
 * GET /metrics answered with the text format 0.0.4, anything else 404.
 * Bounded: 8 KiB of headers, 4 KiB of body, 10 s to send a request, one
 * request per connection, and the text built at most once a second however
 * often it is asked for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "ctl.h"
#include "ctl_metrics.h"
#include "daemon.h"
#include "log.h"
#include "util.h"

#define HTTP_MAX_HEADERS	8192
#define HTTP_MAX_BODY		4096
#define HTTP_TIMEOUT		10	/* seconds */
#define HTTP_CACHE_MS		1000

#define CONTENT_TYPE		"text/plain; version=0.0.4; charset=utf-8"

struct metrics_http {
	struct daemon	*d;
	struct evhttp	*http;
	char		*text;		/* the last text built ... */
	int64_t		 text_ms;	/* ... and when (monotonic) */
};

/* The text, rebuilt when older than HTTP_CACHE_MS; NULL on error (logged). */
static const char *
current_text(struct metrics_http *mh)
{
	int64_t now = time_mono_ms();
	char err[512], *text;

	if (mh->text != NULL && now - mh->text_ms < HTTP_CACHE_MS)
		return mh->text;
	if ((text = metrics_text(mh->d, err, sizeof(err))) == NULL) {
		log_warnx("metrics: %s", err);
		return NULL;
	}
	free(mh->text);
	mh->text = text;
	mh->text_ms = now;
	return text;
}

/* A plain-text answer other than the metrics. */
static void
reply_plain(struct evhttp_request *req, int code, const char *reason)
{
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; charset=utf-8");
	if (b != NULL)
		evbuffer_add_printf(b, "%d %s\n", code, reason);
	evhttp_send_reply(req, code, reason, b);
	if (b != NULL)
		evbuffer_free(b);
}

/* Every request: GET or HEAD /metrics (any query), else 404. */
static void
http_request(struct evhttp_request *req, void *arg)
{
	struct metrics_http *mh = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *text;
	struct evbuffer *b;

	evhttp_add_header(out, "Connection", "close");
	if ((cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) || path == NULL ||
	    strcmp(path, "/metrics") != 0) {
		reply_plain(req, HTTP_NOTFOUND, "Not Found");
		return;
	}
	if ((text = current_text(mh)) == NULL || (b = evbuffer_new()) == NULL) {
		reply_plain(req, HTTP_INTERNAL, "Internal Server Error");
		return;
	}
	evhttp_add_header(out, "Content-Type", CONTENT_TYPE);
	evbuffer_add(b, text, strlen(text));
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

struct metrics_http *
metrics_http_new(struct daemon *d, uint32_t addr, uint16_t port, char *err,
    size_t errlen)
{
	struct metrics_http *mh = calloc(1, sizeof(*mh));
	char a[16];

	if (mh == NULL || (mh->http = evhttp_new(d->base)) == NULL) {
		snprintf(err, errlen, "out of memory");
		metrics_http_free(mh);
		return NULL;
	}
	mh->d = d;
	evhttp_set_max_headers_size(mh->http, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(mh->http, HTTP_MAX_BODY);
	evhttp_set_timeout(mh->http, HTTP_TIMEOUT);
	/* every method reaches http_request, which answers 404 but to GET/HEAD */
	evhttp_set_allowed_methods(mh->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(mh->http, http_request, mh);
	if (evhttp_bind_socket(mh->http, addr_str(addr, a), port) != 0) {
		snprintf(err, errlen, "metrics-listen: cannot listen on %s:%u: %s",
		    a, port, strerror(errno));
		metrics_http_free(mh);
		return NULL;
	}
	log_info("metrics: http://%s:%u/metrics", a, port);
	return mh;
}

void
metrics_http_free(struct metrics_http *mh)
{
	if (mh == NULL)
		return;
	if (mh->http != NULL)
		evhttp_free(mh->http);
	free(mh->text);
	free(mh);
}
