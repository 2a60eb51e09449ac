/*
 * The dashboard over the management listener (REMOTE.md §10, RPC.md §8.1):
 * ctl_tls.c hands over a TLS connection whose first bytes are an HTTP
 * request; ctl_http.c reads it; this file answers. The caller is the
 * client certificate's subject, or the bearer token of an "Authorization:
 * Bearer" header (in place of the certificate's role, as session.auth does
 * on JSON-RPC lines; without any certificate only with [management]
 * token-without-certificate = yes). The pages are the plain listener's
 * (ctl_dash.c); GET /api/v1/whoami says who the caller is and whether it
 * may change anything; POST /api/v1/rpc runs one JSON-RPC request through
 * ctl_call_as: the method table, role check and audit log of every
 * channel. Against cross-site requests a POST must carry
 * "Content-Type: application/json" and "X-Requested-With: dhcpfod" (neither
 * can a foreign page send without a CORS preflight, which is never
 * answered), and no cookie is ever set or read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <jansson.h>

#include "conf.h"
#include "ctl_auth.h"
#include "ctl_dash.h"
#include "ctl_http.h"
#include "ctl_rpc.h"
#include "daemon.h"
#include "err.h"
#include "log.h"
#include "util.h"

#define HTTPS_CSRF_HEADER	"dhcpfod"	/* X-Requested-With's value */
#define HTTPS_LOG_BURST		20	/* refused tokens logged per window */
#define HTTPS_LOG_WINDOW	10	/* seconds */

struct https {
	struct ctl		*ctl;
	struct ctl_tls		*tls;
	struct http_srv		*srv;
	struct dash		*dash;
	int			 tokens;	/* [management] tokens configured */
	int64_t			 log_since;	/* the refusal log's window ... */
	unsigned		 logged, unlogged;	/* ... and its counts */
};

/* One connection's caller as the TLS handshake left it. */
struct https_ctx {
	struct https		*hs;
	char			 peer[64];
	char			 subject[512];	/* "" without a certificate */
	enum ctl_role		 cert_role;
	void			(*release)(void *);	/* the TLS listener's slot */
	void			*release_arg;
	struct ctl_req		*pending;	/* a POST being answered */
	struct http_conn	*conn;
};

/* Who calls, for this request: identity, role and why it has none. */
struct https_who {
	char			 identity[640];
	enum ctl_role		 role;
	int			 status;	/* 0, or 401 / 403 to refuse with */
	const char		*why;
};

/* "remote: PEER (CERT): HTTPS bearer token refused", at most HTTPS_LOG_BURST
 * a window (a page polling with a wrong token must not fill the log). */
static void
log_refused(struct https *hs, const char *peer, const char *cert)
{
	int64_t now = time_mono();

	if (now - hs->log_since >= HTTPS_LOG_WINDOW) {
		if (hs->unlogged > 0)
			log_notice("remote: %u more HTTPS bearer tokens refused in %d s",
			    hs->unlogged, HTTPS_LOG_WINDOW);
		hs->log_since = now;
		hs->logged = hs->unlogged = 0;
	}
	if (hs->logged >= HTTPS_LOG_BURST) {
		hs->unlogged++;
		return;
	}
	hs->logged++;
	log_notice("remote: %s (%s): HTTPS bearer token refused", peer, cert);
}

/* The caller of req (REMOTE.md §10): a bearer token, else the certificate. */
static void
who_of(const struct https_ctx *x, const struct http_req *req, struct https_who *w)
{
	const char *name, *cert = x->subject[0] ? x->subject : "no certificate";
	enum ctl_role role;

	*w = (struct https_who){ .role = ROLE_NONE };
	if (req->auth[0] != '\0') {
		if (strncasecmp(req->auth, "Bearer ", 7) != 0 ||
		    ctl_tls_token(x->hs->tls, req->auth + 7, &name, &role) == -1) {
			w->status = 401;
			w->why = "the bearer token is not one of [management] tokens";
			log_refused(x->hs, x->peer, cert);
			return;
		}
		snprintf(w->identity, sizeof(w->identity), "token %s (%s)", name, cert);
		w->role = role;
		return;
	}
	if (x->subject[0] == '\0') {
		w->status = 401;
		w->why = "no client certificate: sign in with a bearer token";
		return;
	}
	snprintf(w->identity, sizeof(w->identity), "%s", x->subject);
	if ((w->role = x->cert_role) == ROLE_NONE) {
		w->status = 403;
		w->why = "the certificate's subject matches neither [management] "
		    "admins nor users";
	}
}

/* A JSON answer; doc is consumed. */
static void
reply_json(struct http_out *o, int code, json_t *doc)
{
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
	o->code = text != NULL ? code : 500;
	o->type = "application/json";
	if (text != NULL)
		evbuffer_add(o->body, text, strlen(text));
	free(text);
}

/* A refusal: {"error": why}, and how to authenticate when 401. */
static void
reply_refuse(struct http_out *o, int code, const char *why)
{
	reply_json(o, code, json_pack("{s:i, s:s}", "status", code, "error", why));
	if (code == 401)
		o->extra = "WWW-Authenticate: Bearer realm=\"dhcpfod\"\r\n";
}

/* GET /api/v1/whoami: always answered, so the page can say what to do. */
static void
route_whoami(struct https_ctx *x, const struct https_who *w, struct http_out *o)
{
	int may = w->status == 0 && ctl_role_may(w->role, CTL_CHANGE);
	json_t *doc = json_pack("{s:s, s:b, s:b, s:b}", "channel", "https",
	    "may_change", may, "token_login", x->hs->tokens, "authenticated",
	    w->status == 0);

	json_object_set_new(doc, "identity", w->status == 0 ?
	    json_string(w->identity) : json_null());
	json_object_set_new(doc, "role", w->status == 0 ?
	    json_string(ctl_role_name(w->role)) : json_null());
	json_object_set_new(doc, "certificate", x->subject[0] ?
	    json_string(x->subject) : json_null());
	if (!may)
		json_object_set_new(doc, "why", json_string(w->status != 0 ? w->why :
		    "your role, DHCP Users, may call read-only methods only"));
	reply_json(o, 200, doc);
}

/* The JSON-RPC answer of a POST (ctl_call_as's done): 403 for 5, else 200. */
static void
rpc_done(void *arg, const char *line, int code)
{
	struct https_ctx *x = arg;
	struct http_out o = { .code = code == ERR_ACCESS_DENIED ? 403 : 200,
	    .type = "application/json", .body = evbuffer_new() };

	x->pending = NULL;
	if (o.body == NULL)
		o.code = 500;
	else if (line != NULL)
		evbuffer_add(o.body, line, strlen(line));
	http_answer(x->conn, &o);
	if (o.body != NULL)
		evbuffer_free(o.body);
}

/* The connection went before the answer: nobody to tell. */
static void
rpc_gone(void *arg)
{
	struct https_ctx *x = arg;

	if (x->pending != NULL)
		ctl_call_cancel(x->pending);
	x->pending = NULL;
}

/* The cross-site request checks of a POST; 0 or the status to refuse. */
static int
csrf_check(const struct http_req *req, const char **why)
{
	size_t n = strcspn(req->ctype, "; \t");

	if (n != 16 || strncasecmp(req->ctype, "application/json", 16) != 0) {
		*why = "POST needs Content-Type: application/json";
		return 415;
	}
	if (strcmp(req->xrw, HTTPS_CSRF_HEADER) != 0) {
		*why = "POST needs the header X-Requested-With: " HTTPS_CSRF_HEADER
		    " (cross-site request protection, docs/REMOTE.md §10)";
		return 403;
	}
	return 0;
}

/* POST /api/v1/rpc: one JSON-RPC request as the caller. */
static void
route_rpc(struct https_ctx *x, const struct http_req *req,
    const struct https_who *w, struct http_out *o)
{
	struct ctl_peer p = { .channel = "https", .identity = w->identity,
	    .peer = x->peer, .role = w->role, .denied = w->why };
	struct rpc_call call;
	char detail[256];
	json_t *id;
	int rc;

	if ((rc = rpc_parse(req->body, (size_t)req->clen, &call, &id, detail,
	    sizeof(detail))) != 0) {
		char *line = rpc_error_line(id, rc, detail);

		json_decref(id);
		reply_json(o, 400, line ? json_loads(line, 0, NULL) : NULL);
		free(line);
		return;
	}
	x->conn = req->conn;
	o->code = HTTP_LATER;
	http_on_gone(req->conn, rpc_gone, x);
	if (ctl_call_as(x->hs->ctl, &p, call.id, call.method, call.params, rpc_done,
	    x, &x->pending) == -1)
		reply_refuse(o, 500, "out of memory");
	rpc_call_fini(&call);
}

/* Every request of the TLS listener's HTTP: whoami, the API with a role,
 * the RPC, the dashboard's files. */
static void
https_request(void *arg, const struct http_req *req, struct http_out *o)
{
	struct https_ctx *x = req->ctx;
	struct https_who w;
	const char *why;
	int rc;

	who_of(x, req, &w);
	if (strcmp(req->path, "/api/v1/whoami") == 0 && req->method != HTTP_POST) {
		route_whoami(x, &w, o);
		return;
	}
	if (strcmp(req->path, "/api/v1/rpc") == 0) {
		if (req->method != HTTP_POST) {
			reply_refuse(o, 405, "POST a JSON-RPC request here");
			o->extra = "Allow: POST\r\n";
		} else if ((rc = csrf_check(req, &why)) != 0)
			reply_refuse(o, rc, why);
		else if (w.status == 401)
			reply_refuse(o, 401, w.why);
		else
			route_rpc(x, req, &w, o);	/* ROLE_NONE: 5, audited */
		return;
	}
	if (req->method == HTTP_POST)
		reply_refuse(o, strncmp(req->path, "/api/", 5) == 0 ? 405 : 404,
		    "POST goes to /api/v1/rpc only");
	else if (strncmp(req->path, "/api/", 5) == 0 && w.status != 0)
		reply_refuse(o, w.status, w.why);
	else if (dash_route(x->hs->dash, req, o) != 0)
		reply_refuse(o, 404, "not found");
}

static void
ctx_free(void *arg)
{
	struct https_ctx *x = arg;

	if (x->release != NULL)
		x->release(x->release_arg);
	free(x);
}

struct https *
https_new(struct ctl *ctl, struct ctl_tls *tls)
{
	struct https *hs = calloc(1, sizeof(*hs));
	struct daemon *d = ctl_daemon(ctl);

	if (hs == NULL)
		return NULL;
	hs->ctl = ctl;
	hs->tls = tls;
	hs->tokens = d->conf->mgmt_tokens != NULL;
	if ((hs->dash = dash_new(d)) == NULL ||
	    (hs->srv = http_srv_detached(ctl_base(ctl), https_request, hs)) == NULL) {
		https_free(hs);
		return NULL;
	}
	return hs;
}

void
https_free(struct https *hs)
{
	if (hs == NULL)
		return;
	http_srv_free(hs->srv);
	dash_free(hs->dash);
	free(hs);
}

int
https_adopt(struct https *hs, struct bufferevent *bev, const char *peer,
    const char *subject, enum ctl_role role, void (*release)(void *), void *arg)
{
	struct https_ctx *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		bufferevent_free(bev);
		release(arg);
		return -1;
	}
	x->hs = hs;
	snprintf(x->peer, sizeof(x->peer), "%s", peer);
	snprintf(x->subject, sizeof(x->subject), "%s", subject ? subject : "");
	x->cert_role = role;
	x->release = release;
	x->release_arg = arg;
	return http_srv_adopt(hs->srv, bev, x, ctx_free);
}
