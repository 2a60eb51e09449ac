/* The HTTP listener of metrics-listen (ctl_http.c does the connections and
 * their limits): GET /metrics answered with the text format 0.0.4, built at
 * most once a second however often it is asked for; the dashboard's pages
 * and JSON (ctl_dash.c) on the same address; anything else 404. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_dash.h"
#include "ctl_http.h"
#include "ctl_metrics.h"
#include "daemon.h"
#include "log.h"
#include "util.h"

#define HTTP_CACHE_MS		1000

#define CONTENT_TYPE		"text/plain; version=0.0.4; charset=utf-8"

struct metrics_http {
	struct daemon	*d;
	struct http_srv	*srv;
	struct dash	*dash;
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
reply_plain(struct http_out *o, int code)
{
	o->code = code;
	o->type = "text/plain; charset=utf-8";
	evbuffer_add_printf(o->body, "%d %s\n", code, http_reason(code));
}

/* Every well-formed GET or HEAD: /metrics, the dashboard, else 404. */
static void
http_request(void *arg, const struct http_req *req, struct http_out *o)
{
	struct metrics_http *mh = arg;
	const char *text;

	if (strcmp(req->path, "/metrics") != 0) {
		if (dash_route(mh->dash, req, o) != 0)
			reply_plain(o, 404);
		return;
	}
	if ((text = current_text(mh)) == NULL) {
		reply_plain(o, 500);
		return;
	}
	o->code = 200;
	o->type = CONTENT_TYPE;
	evbuffer_add(o->body, text, strlen(text));
}

struct metrics_http *
metrics_http_new(struct daemon *d, uint32_t addr, uint16_t port, char *err,
    size_t errlen)
{
	struct metrics_http *mh = calloc(1, sizeof(*mh));
	char a[16], why[256];

	if (mh == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mh->d = d;
	if ((mh->dash = dash_new(d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		metrics_http_free(mh);
		return NULL;
	}
	if ((mh->srv = http_srv_new(d->base, addr, port, http_request, mh,
	    "metrics-listen is read-only and authenticates nobody: changes go "
	    "through the management listener over TLS ([management] listen, "
	    "docs/REMOTE.md), or dhcpfoctl", why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "metrics-listen: cannot listen on %s:%u: %s",
		    addr_str(addr, a), port, why);
		metrics_http_free(mh);
		return NULL;
	}
	log_info("metrics: http://%s:%u/metrics", addr_str(addr, a), port);
	if (d->conf->dashboard_dir[0] != '\0')
		log_info("dashboard: http://%s:%u/ (files in %s)", a, port,
		    d->conf->dashboard_dir);
	return mh;
}

void
metrics_http_free(struct metrics_http *mh)
{
	if (mh == NULL)
		return;
	http_srv_free(mh->srv);
	dash_free(mh->dash);
	free(mh->text);
	free(mh);
}
