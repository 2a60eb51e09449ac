/* The dashboard (README, RPC.md §8.1): a fixed list of files from
 * dashboard-dir, and two JSON documents built only from what the RPC methods
 * answer (ctl_call_local runs their handlers), so the page and dhcpfoctl
 * never disagree. Read-only: no method that changes anything is reachable
 * from here (changes: POST /api/v1/rpc of ctl_https.c, on the management
 * listener only). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "conf.h"
#include "ctl_dash.h"
#include "ctl_sock.h"
#include "daemon.h"
#include "util.h"

#define DASH_MAX_FILE	(512 * 1024)
#define DASH_MAX_QUERY	256
#define DASH_CACHE_MS	1000

struct dash {
	struct daemon	*d;
	char		*status;	/* the last /api/v1/status text ... */
	int64_t		 status_ms;	/* ... and when (monotonic) */
};

/* The only files served: URL path, file name in dashboard-dir, type. */
static const struct dash_file {
	const char	*path, *file, *type;
} dash_files[] = {
	{ "/",			"index.html",	"text/html; charset=utf-8" },
	{ "/index.html",	"index.html",	"text/html; charset=utf-8" },
	{ "/dashboard.css",	"dashboard.css", "text/css; charset=utf-8" },
	{ "/dashboard.js",	"dashboard.js",	"text/javascript; charset=utf-8" },
	{ "/favicon.svg",	"favicon.svg",	"image/svg+xml" },
};

#define DASH_CSP	"Content-Security-Policy: default-src 'self'; " \
			"frame-ancestors 'none'\r\nX-Frame-Options: DENY\r\n"

/* Method + params in, result out; NULL when the method failed. */
static json_t *
call(struct daemon *d, const char *method, json_t *params)
{
	json_t *res = ctl_call_local(d, method, params);

	json_decref(params);
	return res;
}

/* The relationships: failover.list, each completed by failover.get (the
 * live link, state_since, history). */
static json_t *
status_rels(struct daemon *d)
{
	json_t *list = call(d, "failover.list", json_object()), *out = json_array();
	json_t *rel, *got;
	size_t i;

	json_array_foreach(json_object_get(list, "relationships"), i, rel) {
		got = call(d, "failover.get", json_pack("{s:O}", "name",
		    json_object_get(rel, "name")));
		if (got != NULL)
			json_object_update_missing(got, rel);
		json_array_append_new(out, got != NULL ? got : json_incref(rel));
	}
	json_decref(list);
	return out;
}

/* The scopes: scope.list, each with failover.scope_statistics and the
 * number of reservation.list. */
static json_t *
status_scopes(struct daemon *d)
{
	json_t *list = call(d, "scope.list", json_object()), *out = json_array();
	json_t *sc, *st, *rv, *subnet;
	size_t i;

	json_array_foreach(json_object_get(list, "scopes"), i, sc) {
		subnet = json_object_get(sc, "subnet");
		st = call(d, "failover.scope_statistics", json_pack("{s:O}", "scope",
		    subnet));
		rv = call(d, "reservation.list", json_pack("{s:O}", "subnet", subnet));
		json_object_set_new(sc, "statistics", st != NULL ? st : json_null());
		json_object_set_new(sc, "reservations", json_integer((json_int_t)
		    json_array_size(json_object_get(rv, "reservations"))));
		json_decref(rv);
		json_array_append(out, sc);
	}
	json_decref(list);
	return out;
}

json_t *
dash_status(struct daemon *d)
{
	json_t *server = call(d, "server.status", json_object());

	return json_pack("{s:o, s:o, s:o}",
	    "server", server != NULL ? server : json_null(),
	    "relationships", status_rels(d), "scopes", status_scopes(d));
}

/* GET /api/v1/whoami on the plain listener: nobody, who may change nothing
 * ("Rebalance now" needs the management listener, ctl_https.c). */
static json_t *
whoami_plain(void)
{
	return json_pack("{s:s, s:n, s:n, s:b, s:b, s:b, s:s}", "channel", "http",
	    "identity", "role", "authenticated", 0, "may_change", 0, "token_login", 0,
	    "why", "Rebalance now needs the authenticated management listener "
	    "(TLS with roles, docs/REMOTE.md §10), which this plain HTTP listener "
	    "is not");
}

/* Which failover.client_info key a search text is: address, hwaddr or
 * hostname. */
static const char *
query_kind(const char *q)
{
	unsigned a, b, c, e;
	char tail;

	if (sscanf(q, "%u.%u.%u.%u%c", &a, &b, &c, &e, &tail) == 4)
		return "address";
	if (strlen(q) == 17 && (q[2] == ':' || q[2] == '-'))
		return "hwaddr";
	return "hostname";
}

json_t *
dash_leases(struct daemon *d, const char *q)
{
	json_t *l = NULL, *a = json_array();

	if (*q != '\0')
		l = call(d, "failover.client_info", json_pack("{s:s}",
		    query_kind(q), q));
	if (l != NULL)
		json_array_append_new(a, l);
	return json_pack("{s:s, s:o}", "q", q, "leases", a);
}

/* A JSON text as the answer (never cached by the client). */
static void
reply_text(struct http_out *o, const char *text)
{
	o->code = text != NULL ? 200 : 500;
	o->type = "application/json";
	if (text != NULL)
		evbuffer_add(o->body, text, strlen(text));
}

/* A JSON document as the answer; doc is consumed. */
static void
reply_json(struct http_out *o, json_t *doc)
{
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
	reply_text(o, text);
	free(text);
}

/* The status text, rebuilt when older than DASH_CACHE_MS; NULL on error. */
static const char *
status_text(struct dash *dh)
{
	int64_t now = time_mono_ms();
	json_t *doc;
	char *text;

	if (dh->status != NULL && now - dh->status_ms < DASH_CACHE_MS)
		return dh->status;
	if ((doc = dash_status(dh->d)) == NULL)
		return NULL;
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text == NULL)
		return NULL;
	free(dh->status);
	dh->status = text;
	dh->status_ms = now;
	return text;
}

/* One of dash_files from dashboard-dir: regular, not a link, bounded. */
static void
reply_file(struct daemon *d, const struct dash_file *f, struct http_out *o)
{
	char path[1200];
	struct stat sb;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", d->conf->dashboard_dir, f->file);
	o->code = 404;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > DASH_MAX_FILE ||
	    evbuffer_add_file(o->body, fd, 0, sb.st_size) != 0) {
		close(fd);
		return;
	}
	o->code = 200;
	o->type = f->type;
	o->cache = "no-cache";		/* revalidate: an upgrade shows at once */
	o->extra = DASH_CSP;
}

struct dash *
dash_new(struct daemon *d)
{
	struct dash *dh = calloc(1, sizeof(*dh));

	if (dh != NULL)
		dh->d = d;
	return dh;
}

void
dash_free(struct dash *dh)
{
	if (dh == NULL)
		return;
	free(dh->status);
	free(dh);
}

int
dash_route(struct dash *dh, const struct http_req *req, struct http_out *o)
{
	struct daemon *d = dh->d;
	char q[DASH_MAX_QUERY];

	if (d->conf->dashboard_dir == NULL || d->conf->dashboard_dir[0] == '\0')
		return -1;
	if (strcmp(req->path, "/api/v1/status") == 0) {
		reply_text(o, status_text(dh));
		return 0;
	}
	if (strcmp(req->path, "/api/v1/whoami") == 0) {
		reply_json(o, whoami_plain());
		return 0;
	}
	if (strcmp(req->path, "/api/v1/leases") == 0) {
		if (http_query_get(req->query, "q", q, sizeof(q)) != 0)
			q[0] = '\0';
		reply_json(o, dash_leases(d, q));
		return 0;
	}
	for (size_t i = 0; i < nitems(dash_files); i++)
		if (strcmp(req->path, dash_files[i].path) == 0) {
			reply_file(d, &dash_files[i], o);
			return 0;
		}
	return -1;
}
