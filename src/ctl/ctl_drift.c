/* Configuration drift between failover partners (ctl_drift.h, REMOTE.md §8).
 * One timer; per relationship named in [management] partners, one TLS
 * connection at a time to the partner's listener, made with
 * [management] client-certificate / client-key and verified against
 * [management] ca and the partner's address: one scope.config_hash request,
 * one reply line, the connection closed. The scopes whose hashes differ (or
 * that the partner lacks) are the relationship's drift; a change of it is
 * logged once. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "conf.h"
#include "ctl_cfg.h"
#include "ctl_drift.h"
#include "ctl_sock.h"
#include "err.h"
#include "daemon.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define DRIFT_TIMEOUT	5		/* seconds for one exchange */
#define DRIFT_LINE_MAX	(1024 * 1024)
#define DRIFT_PORT	9968

struct drift_rel {
	char			 name[STORE_NAME_MAX];
	char			 host[64];
	uint16_t		 port;
	struct bufferevent	*bev;		/* the exchange under way */
	json_t			*drift;		/* subnets; NULL unknown */
	json_t			*params;	/* relationship fields; NULL
						 * unknown */
	json_t			*first;		/* the first answer of a check */
	char			 nonce[33];	/* of failover.config */
	char			 err[160];	/* the last check's failure */
	int64_t			 checked;	/* wall clock of the last answer */
	int			 dynamic;	/* from failover.create, not partners */
	struct ctl_drift	*owner;
};

struct ctl_drift {
	struct event_base	*base;
	struct daemon		*d;
	SSL_CTX			*ctx;
	struct event		*timer;
	unsigned		 interval;
	struct drift_rel	*v;
	size_t			 n, cap;	/* cap: never realloc'd after start */
};

static struct ctl_drift *the;	/* one daemon, one checker */

/* ---- configuration ---- */

static int
parse_partners(struct ctl_drift *dr, const char *s, char *err, size_t errlen)
{
	char *copy = strdup(s), *save = NULL, *item;

	if (copy == NULL)
		return -1;
	for (item = strtok_r(copy, ", \t", &save); item != NULL;
	    item = strtok_r(NULL, ", \t", &save)) {
		char *eq = strchr(item, '='), *colon;
		struct drift_rel *r;
		struct in_addr ia;
		unsigned long port = DRIFT_PORT;

		if (eq == NULL || eq == item)
			goto bad;
		*eq = '\0';
		if ((colon = strchr(eq + 1, ':')) != NULL) {
			char *end;

			*colon = '\0';
			port = strtoul(colon + 1, &end, 10);
			if (*end != '\0' || port < 1 || port > 65535)
				goto bad;
		}
		if (inet_pton(AF_INET, eq + 1, &ia) != 1 ||
		    strlen(item) >= STORE_NAME_MAX)
			goto bad;
		if ((r = realloc(dr->v, (dr->n + 1) * sizeof(*r))) == NULL)
			goto bad;
		dr->v = r;
		r = &dr->v[dr->n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", item);
		snprintf(r->host, sizeof(r->host), "%s", eq + 1);
		r->port = (uint16_t)port;
		r->owner = dr;
	}
	free(copy);
	return 0;
bad:
	snprintf(err, errlen, "[management] partners: '%s' is not NAME=IPV4[:PORT]",
	    item);
	free(copy);
	return -1;
}

static SSL_CTX *
client_ctx(const struct conf *c, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	const char *what = "";

	if (ctx == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	what = c->mgmt_client_cert;
	if (SSL_CTX_use_certificate_chain_file(ctx, c->mgmt_client_cert) != 1)
		goto fail;
	what = c->mgmt_client_key;
	if (SSL_CTX_use_PrivateKey_file(ctx, c->mgmt_client_key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)
		goto fail;
	what = c->mgmt_ca;
	if (SSL_CTX_load_verify_locations(ctx, c->mgmt_ca, NULL) != 1)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
fail:
	snprintf(err, errlen, "[management] client-certificate: cannot use %s: %s",
	    what, ERR_reason_error_string(ERR_get_error()));
	SSL_CTX_free(ctx);
	return NULL;
}

/* ---- one check ---- */

static void
rel_done(struct drift_rel *r)
{
	json_decref(r->first);
	r->first = NULL;
	if (r->bev != NULL) {
		bufferevent_free(r->bev);
		r->bev = NULL;
	}
}

/* Log a change of the drift: scopes, relationship parameters. */
static void
rel_log(struct drift_rel *r, json_t *drift, json_t *params)
{
	char *s = json_dumps(drift, JSON_COMPACT);
	char *f = json_dumps(params ? params : json_null(), JSON_COMPACT |
	    JSON_ENCODE_ANY);

	if (json_array_size(drift) > 0 || json_array_size(params) > 0)
		log_warnx("failover %s: configuration drift with the partner "
		    "%s:%u in scopes %s, relationship parameters %s (dhcpfoctl "
		    "failover diff %s)", r->name, r->host, r->port, s ? s : "?",
		    f ? f : "?", r->name);
	else if (r->drift != NULL)
		log_notice("failover %s: the configuration is the partner's "
		    "again", r->name);
	free(s);
	free(f);
}

/* Record the outcome; log once per change of the drift or of the error.
 * params: the relationship's differing parameters, NULL not compared (a
 * partner without failover.config). */
static void
rel_result(struct drift_rel *r, json_t *drift, json_t *params, const char *err)
{
	if (err != NULL) {
		if (strcmp(r->err, err) != 0)
			log_warnx("failover %s: cannot compare the configuration "
			    "with the partner %s:%u: %s", r->name, r->host, r->port,
			    err);
		snprintf(r->err, sizeof(r->err), "%s", err);
		return;
	}
	if (r->err[0] != '\0')
		log_info("failover %s: the partner %s:%u answers the configuration "
		    "check again", r->name, r->host, r->port);
	r->err[0] = '\0';
	r->checked = time_wall();
	if (r->drift == NULL || !json_equal(r->drift, drift) ||
	    !json_equal(r->params ? r->params : json_null(), params ? params :
	    json_null()))
		rel_log(r, drift, params);
	json_decref(r->drift);
	r->drift = json_incref(drift);
	json_decref(r->params);
	r->params = json_incref(params);
}

/* The detail of an error reply, or NULL. */
static const char *
reply_error(json_t *reply)
{
	json_t *e = json_object_get(reply, "error");
	const char *why = json_string_value(json_object_get(json_object_get(e,
	    "data"), "detail"));

	return why ? why : json_string_value(json_object_get(e, "message"));
}

/* The partner's scope.config_hash: the relationship's scopes whose hashes
 * differ from ours (a new reference), or NULL with why. */
static json_t *
scopes_compare(struct drift_rel *r, json_t *reply, const char **why)
{
	struct store *st = r->owner->d->store;
	json_t *theirs = json_object(), *drift = json_array(), *sc, *o;
	struct fo_rel rel;
	size_t i;
	char a[16], mine[CFG_HASH_LEN + 1];

	sc = json_object_get(json_object_get(reply, "result"), "scopes");
	if (!json_is_array(sc) || store_rel_get(st, r->name, &rel) != 0) {
		*why = !json_is_array(sc) ? reply_error(reply) : "no such "
		    "relationship on this server";
		if (*why == NULL)
			*why = "a reply that is not scope.config_hash's";
		json_decref(theirs);
		json_decref(drift);
		return NULL;
	}
	json_array_foreach(sc, i, o) {
		const char *sub = json_string_value(json_object_get(o, "subnet"));

		if (sub != NULL)
			json_object_set(theirs, sub, json_object_get(o, "hash"));
	}
	for (i = 0; i < rel.nscopes; i++) {
		const char *h;

		addr_str(rel.scopes[i], a);
		h = json_string_value(json_object_get(theirs, a));
		if (scope_cfg_hash(st, rel.scopes[i], mine) != 0 || h == NULL ||
		    strcmp(h, mine) != 0)
			json_array_append_new(drift, json_string(a));
	}
	fo_rel_fini(&rel);
	json_decref(theirs);
	return drift;
}

/* The partner's failover.config against ours: the names of the differing
 * parameters (["relationship"] when the partner has none), NULL when the
 * partner cannot say (an older dhcpfod). A new reference. */
static json_t *
params_compare(struct drift_rel *r, json_t *reply)
{
	json_t *res = json_object_get(reply, "result"), *p, *mine, *d, *e, *out;
	int code = (int)json_integer_value(json_object_get(json_object_get(reply,
	    "error"), "code"));
	size_t i;

	if (res == NULL)
		return code == ERR_FO_REL_DOES_NOT_EXIST ? json_pack("[s]",
		    "relationship") : NULL;
	p = json_pack("{s:s, s:s}", "name", r->name, "nonce", r->nonce);
	mine = ctl_call_local(r->owner->d, "failover.config", p);
	json_decref(p);
	if (mine == NULL)
		return NULL;
	d = cfg_rel_diff(mine, res);
	out = json_array();
	json_array_foreach(d, i, e)
		json_array_append(out, json_object_get(e, "field"));
	json_decref(d);
	json_decref(mine);
	return out;
}

/* Both answers in: the outcome. */
static void
rel_compare(struct drift_rel *r, json_t *scopes_reply, json_t *params_reply)
{
	const char *why = NULL;
	json_t *drift = scopes_compare(r, scopes_reply, &why), *params;

	if (drift == NULL) {
		rel_result(r, NULL, NULL, why);
		return;
	}
	/* parameters not compared this time: the last answer stands */
	if ((params = params_compare(r, params_reply)) == NULL)
		params = json_incref(r->params);
	rel_result(r, drift, params, NULL);
	json_decref(drift);
	json_decref(params);
}

static void
rel_read(struct bufferevent *bev, void *arg)
{
	struct drift_rel *r = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	json_t *reply;
	size_t len;
	char *line;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		reply = json_loads(line, 0, NULL);
		free(line);
		if (r->first == NULL) {		/* scope.config_hash's */
			r->first = reply ? reply : json_object();
			continue;
		}
		rel_compare(r, r->first, reply);
		json_decref(reply);
		rel_done(r);
		return;
	}
	if (evbuffer_get_length(in) > DRIFT_LINE_MAX) {
		rel_result(r, NULL, NULL, "a reply line too long");
		rel_done(r);
	}
}

/* Why a TLS connection to the partner's listener ended: TLS, a timeout, a
 * close before the reply, or the socket's error. */
static void
link_failure(struct bufferevent *bev, short what, char *why, size_t len)
{
	unsigned long e = bufferevent_get_openssl_error(bev);
	const char *tls;

	/* a refused connect shows as an OpenSSL error without a reason */
	if (e != 0 && (tls = ERR_reason_error_string(e)) != NULL)
		snprintf(why, len, "TLS: %s", tls);
	else if (what & BEV_EVENT_TIMEOUT)
		snprintf(why, len, "no answer within %d seconds", DRIFT_TIMEOUT);
	else if (what & BEV_EVENT_EOF)
		snprintf(why, len, "the connection closed before the reply");
	else
		snprintf(why, len, "cannot connect: %s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* Connected: both questions at once, the relationship's with a new nonce
 * (its shared secret is compared as a digest salted with it). */
static void
rel_event(struct bufferevent *bev, short what, void *arg)
{
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"scope.config_hash\",\"params\":{}}\n";
	struct drift_rel *r = arg;
	unsigned char n[16];
	json_t *q;
	char why[160], *line;

	if (what & BEV_EVENT_CONNECTED) {
		if (RAND_bytes(n, sizeof(n)) != 1)
			memset(n, 0, sizeof(n));
		for (size_t i = 0; i < sizeof(n); i++)
			snprintf(r->nonce + 2 * i, 3, "%02x", n[i]);
		q = json_pack("{s:s, s:i, s:s, s:{s:s, s:s}}", "jsonrpc", "2.0",
		    "id", 2, "method", "failover.config", "params", "name",
		    r->name, "nonce", r->nonce);
		line = q ? json_dumps(q, JSON_COMPACT) : NULL;
		json_decref(q);
		bufferevent_write(bev, req, sizeof(req) - 1);
		if (line != NULL) {
			bufferevent_write(bev, line, strlen(line));
			bufferevent_write(bev, "\n", 1);
		}
		free(line);
		return;
	}
	link_failure(bev, what, why, sizeof(why));
	rel_result(r, NULL, NULL, why);
	rel_done(r);
}

static void
rel_start(struct drift_rel *r)
{
	struct ctl_drift *dr = r->owner;
	struct sockaddr_in sin;
	struct timeval tv = { DRIFT_TIMEOUT, 0 };
	SSL *ssl;

	if (r->bev != NULL)
		return;		/* the previous check is still under way */
	if ((ssl = SSL_new(dr->ctx)) == NULL)
		return;
	/* the partner's certificate must name its address */
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), r->host);
	r->bev = bufferevent_openssl_socket_new(dr->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (r->bev == NULL) {
		SSL_free(ssl);
		return;
	}
	bufferevent_setcb(r->bev, rel_read, NULL, rel_event, r);
	bufferevent_set_timeouts(r->bev, &tv, &tv);
	bufferevent_enable(r->bev, EV_READ | EV_WRITE);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(r->port);
	inet_pton(AF_INET, r->host, &sin.sin_addr);
	if (bufferevent_socket_connect(r->bev, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1) {
		char why[160];

		snprintf(why, sizeof(why), "cannot connect: %s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		rel_result(r, NULL, NULL, why);
		rel_done(r);
	}
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_drift *dr = arg;
	struct timeval tv = { dr->interval, 0 };

	for (size_t i = 0; i < dr->n; i++)
		if (dr->v[i].name[0] != '\0')
			rel_start(&dr->v[i]);
	evtimer_add(dr->timer, &tv);
}

/* ---- the API ---- */

/* Room for every relationship a server may have besides the configured
 * ones, so that ctl_drift_watch never moves an entry a connection points
 * at. */
static int
reserve(struct ctl_drift *dr)
{
	struct drift_rel *v = realloc(dr->v, (dr->n + FO_MAX_RELATIONSHIPS) *
	    sizeof(*v));

	if (v == NULL)
		return -1;
	dr->v = v;
	dr->cap = dr->n + FO_MAX_RELATIONSHIPS;
	return 0;
}

int
ctl_drift_client(struct event_base **base, SSL_CTX **ctx)
{
	if (the == NULL)
		return -1;
	*base = the->base;
	*ctx = the->ctx;
	return 0;
}

struct ctl_drift *
ctl_drift_new(struct event_base *base, struct daemon *d, const struct conf *c,
    char *err, size_t errlen)
{
	struct ctl_drift *dr;
	struct timeval first = { 1, 0 };

	err[0] = '\0';
	if (c->mgmt_client_cert == NULL)
		return NULL;
	if (c->mgmt_client_key == NULL || c->mgmt_ca == NULL) {
		snprintf(err, errlen, "[management] client-certificate needs "
		    "client-key and ca");
		return NULL;
	}
	if ((dr = calloc(1, sizeof(*dr))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dr->base = base;
	dr->d = d;
	dr->interval = c->mgmt_drift_interval;
	if ((c->mgmt_partners != NULL && parse_partners(dr, c->mgmt_partners,
	    err, errlen) == -1) || reserve(dr) == -1 ||
	    (dr->ctx = client_ctx(c, err, errlen)) == NULL ||
	    (dr->timer = evtimer_new(base, tick, dr)) == NULL) {
		if (err[0] == '\0')
			snprintf(err, errlen, "out of memory");
		ctl_drift_free(dr);
		return NULL;
	}
	the = dr;
	if (dr->interval == 0)
		return dr;	/* the client for failover.* on both sides only */
	evtimer_add(dr->timer, &first);
	log_info("configuration drift: checking %zu relationship%s every %u s",
	    dr->n, dr->n == 1 ? "" : "s", dr->interval);
	return dr;
}

void
ctl_drift_free(struct ctl_drift *dr)
{
	if (dr == NULL)
		return;
	if (the == dr)
		the = NULL;
	for (size_t i = 0; i < dr->n; i++) {
		rel_done(&dr->v[i]);
		json_decref(dr->v[i].drift);
		json_decref(dr->v[i].params);
	}
	free(dr->v);
	if (dr->timer != NULL)
		event_free(dr->timer);
	SSL_CTX_free(dr->ctx);
	free(dr);
}

static struct drift_rel *
find(const char *name)
{
	for (size_t i = 0; the != NULL && name != NULL && *name && i < the->n; i++)
		if (strcasecmp(the->v[i].name, name) == 0)
			return &the->v[i];
	return NULL;
}

json_t *
ctl_drift_json(const char *name)
{
	struct drift_rel *r = find(name);
	char pm[80];
	json_t *o;

	if (r == NULL)
		return NULL;
	snprintf(pm, sizeof(pm), "%s:%u", r->host, r->port);
	o = json_pack("{s:s, s:O, s:I}", "partner_management", pm, "config_drift",
	    r->drift ? r->drift : json_null(), "config_checked",
	    (json_int_t)r->checked);
	if (o != NULL)
		json_object_set(o, "config_drift_relationship", r->drift &&
		    r->params ? r->params : json_null());
	if (o != NULL && r->err[0] != '\0')
		json_object_set_new(o, "config_check_error", json_string(r->err));
	return o;
}

int
ctl_drift_count(const char *name)
{
	struct drift_rel *r = find(name);

	return r == NULL || r->drift == NULL ? -1 : (int)json_array_size(r->drift);
}

int
ctl_drift_params_count(const char *name)
{
	struct drift_rel *r = find(name);

	return r == NULL || r->drift == NULL || r->params == NULL ? -1 :
	    (int)json_array_size(r->params);
}

int
ctl_drift_partner(const char *name, char *host, size_t len, uint16_t *port)
{
	for (size_t i = 0; the != NULL && name != NULL && i < the->n; i++)
		if (strcasecmp(the->v[i].name, name) == 0) {
			snprintf(host, len, "%s", the->v[i].host);
			*port = the->v[i].port;
			return 0;
		}
	return -1;
}

void
ctl_drift_watch(const char *name, const char *host, uint16_t port)
{
	struct drift_rel *r;
	char h[64];
	uint16_t p;

	if (the == NULL || ctl_drift_partner(name, h, sizeof(h), &p) == 0)
		return;		/* configured, or already watched */
	for (r = the->v; r < the->v + the->n && r->name[0] != '\0'; r++)
		;
	if (r == the->v + the->n) {
		if (the->n == the->cap)
			return;
		the->n++;
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->host, sizeof(r->host), "%s", host);
	r->port = port;
	r->owner = the;
	r->dynamic = 1;
	if (the->interval > 0)
		rel_start(r);
}

void
ctl_drift_forget(const char *name)
{
	struct drift_rel *r = find(name);

	if (r == NULL || !r->dynamic)
		return;
	rel_done(r);
	json_decref(r->drift);
	json_decref(r->params);
	r->drift = r->params = NULL;
	r->name[0] = '\0';	/* a free slot for ctl_drift_watch */
}

void
ctl_drift_check_now(const char *name)
{
	struct drift_rel *r = find(name);

	if (r != NULL && r->owner->interval > 0)
		rel_start(r);
}
