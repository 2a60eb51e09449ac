/* A JSON-RPC client of a partner's management listener (ctl_link.h): the
 * TLS client of the drift checker (ctl_drift.c), for a conversation of
 * several calls, each sent when the previous one is answered. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "ctl_drift.h"
#include "ctl_link.h"

#define LINK_TIMEOUT	10		/* seconds for an answer */
#define LINK_LINE_MAX	(1024 * 1024)

struct link_call {
	TAILQ_ENTRY(link_call)	 entry;
	char			*line;
	ctl_link_cb		 cb;
	void			*arg;
};
TAILQ_HEAD(link_calls, link_call);

struct ctl_link {
	struct bufferevent	*bev;
	struct event		*kick;		/* delivers the failure */
	struct link_calls	 calls;		/* the head is in flight once sent */
	int			 connected;
	int			 inflight;
	int			 failed;
	int			 next_id;
	char			 why[200];
};

static void
call_free(struct link_call *c)
{
	free(c->line);
	free(c);
}

/* The head call on the wire, when the link is up and idle. */
static void
link_send(struct ctl_link *l)
{
	struct link_call *c = TAILQ_FIRST(&l->calls);

	if (!l->connected || l->inflight || l->failed || c == NULL)
		return;
	bufferevent_write(l->bev, c->line, strlen(c->line));
	l->inflight = 1;
}

/* Answer the head call with the failure; one per turn of the loop, since a
 * callback may free the link. */
static void
link_kick(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_link *l = arg;
	struct link_call *c = TAILQ_FIRST(&l->calls);
	struct timeval now = { 0, 0 };
	char why[sizeof(l->why)];

	if (c == NULL)
		return;
	TAILQ_REMOVE(&l->calls, c, entry);
	if (!TAILQ_EMPTY(&l->calls))
		evtimer_add(l->kick, &now);
	memcpy(why, l->why, sizeof(why));
	c->cb(c->arg, NULL, -1, why);	/* may free l */
	call_free(c);
}

static void
link_fail(struct ctl_link *l, const char *why)
{
	struct timeval now = { 0, 0 };

	if (!l->failed)
		snprintf(l->why, sizeof(l->why), "%s", why);
	l->failed = 1;
	l->inflight = 0;
	evtimer_add(l->kick, &now);
}

/* One answer line: the head call's. */
static void
link_answer(struct ctl_link *l, const char *line)
{
	struct link_call *c = TAILQ_FIRST(&l->calls);
	json_t *reply = json_loads(line, 0, NULL), *res, *err;
	const char *detail;

	if (c == NULL || reply == NULL) {
		json_decref(reply);
		link_fail(l, "an answer that is not JSON-RPC");
		return;
	}
	TAILQ_REMOVE(&l->calls, c, entry);
	l->inflight = 0;
	link_send(l);
	res = json_object_get(reply, "result");
	err = json_object_get(reply, "error");
	detail = json_string_value(json_object_get(json_object_get(err, "data"),
	    "detail"));
	if (detail == NULL)
		detail = json_string_value(json_object_get(err, "message"));
	if (res != NULL)
		c->cb(c->arg, res, 0, NULL);	/* may free l */
	else
		c->cb(c->arg, NULL, (int)json_integer_value(json_object_get(err,
		    "code")), detail ? detail : "an error without detail");
	call_free(c);
	json_decref(reply);
}

static void
link_read(struct bufferevent *bev, void *arg)
{
	struct ctl_link *l = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);

	if (line == NULL) {
		if (evbuffer_get_length(in) > LINK_LINE_MAX)
			link_fail(l, "an answer line too long");
		return;
	}
	link_answer(l, line);		/* l may be gone after it */
	free(line);
}

static void
link_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_link *l = arg;
	unsigned long e;
	const char *tls;
	char why[160];

	if (what & BEV_EVENT_CONNECTED) {
		l->connected = 1;
		link_send(l);
		return;
	}
	/* a refused connect shows as an OpenSSL error without a reason */
	e = bufferevent_get_openssl_error(bev);
	if (e != 0 && (tls = ERR_reason_error_string(e)) != NULL)
		snprintf(why, sizeof(why), "TLS: %s", tls);
	else if (what & BEV_EVENT_TIMEOUT)
		snprintf(why, sizeof(why), "no answer within %d seconds",
		    LINK_TIMEOUT);
	else if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof(why), "the connection closed before the "
		    "answer");
	else
		snprintf(why, sizeof(why), "cannot connect: %s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	link_fail(l, why);
}

struct ctl_link *
ctl_link_new(const char *host, uint16_t port, char *err, size_t errlen)
{
	struct event_base *base;
	struct timeval tv = { LINK_TIMEOUT, 0 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct ctl_link *l;
	SSL_CTX *ctx;
	SSL *ssl;

	if (ctl_drift_client(&base, &ctx) == -1) {
		snprintf(err, errlen, "this server has no [management] "
		    "client-certificate to reach its partner with (REMOTE.md "
		    "section 8)");
		return NULL;
	}
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", host);
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL || (ssl = SSL_new(ctx)) == NULL) {
		free(l);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	TAILQ_INIT(&l->calls);
	/* the partner's certificate must name its address */
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	l->bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (l->bev == NULL)
		SSL_free(ssl);
	if (l->bev == NULL || (l->kick = evtimer_new(base, link_kick, l)) == NULL) {
		ctl_link_free(l);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	bufferevent_setcb(l->bev, link_read, NULL, link_event, l);
	bufferevent_set_timeouts(l->bev, &tv, &tv);
	bufferevent_enable(l->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(l->bev, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1)
		link_fail(l, "cannot connect");
	return l;
}

int
ctl_link_call(struct ctl_link *l, const char *method, json_t *params,
    ctl_link_cb cb, void *arg)
{
	json_t *req = json_pack("{s:s, s:i, s:s, s:O}", "jsonrpc", "2.0", "id",
	    ++l->next_id, "method", method, "params", params);
	struct link_call *c = calloc(1, sizeof(*c));
	char *s = req ? json_dumps(req, JSON_COMPACT) : NULL;
	struct timeval now = { 0, 0 };

	json_decref(req);
	if (c == NULL || s == NULL || asprintf(&c->line, "%s\n", s) == -1) {
		free(s);
		free(c);
		return -1;
	}
	free(s);
	c->cb = cb;
	c->arg = arg;
	TAILQ_INSERT_TAIL(&l->calls, c, entry);
	if (l->failed)
		evtimer_add(l->kick, &now);
	else
		link_send(l);
	return 0;
}

void
ctl_link_free(struct ctl_link *l)
{
	struct link_call *c;

	if (l == NULL)
		return;
	while ((c = TAILQ_FIRST(&l->calls)) != NULL) {
		TAILQ_REMOVE(&l->calls, c, entry);
		call_free(c);
	}
	if (l->kick != NULL)
		event_free(l->kick);
	if (l->bev != NULL)
		bufferevent_free(l->bev);
	free(l);
}
