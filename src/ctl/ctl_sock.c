/* Management socket I/O: listener, per-client line reader with a size limit,
 * the SO_PEERCRED access check, and in-order delivery of replies. The TLS
 * listener (ctl_tls.c) hands its authenticated clients to the same reader
 * (ctl_client_add); the role check and the audit log apply to both. */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ctl.h"
#include "ctl_auth.h"
#include "ctl_cmd.h"
#include "ctl_drift.h"
#include "ctl_rpc.h"
#include "ctl_sock.h"
#include "ctl_unix.h"
#include "daemon.h"
#include "err.h"
#include "log.h"
#include "util.h"

#define CTL_MAX_REQUEST		(1024 * 1024)	/* bytes in one request line */
#define CTL_MAX_PENDING		64		/* requests in flight per client */
#define CTL_MAX_OUTPUT		(16 * 1024 * 1024)	/* unread replies per client */

struct ctl_client;

struct ctl_req {
	TAILQ_ENTRY(ctl_req)	 entry;
	struct ctl_client	*client;	/* NULL once the client is gone */
	struct daemon		*daemon;
	json_t			*id;		/* NULL: notification */
	char			*reply;		/* the line, once answered */
	int			 done;
	char			**local;	/* ctl_call_local: the line goes here */
	ctl_done_fn		 done_fn;	/* ctl_call_as: the line goes here */
	void			*done_arg;
	int			 calling;	/* inside ctl_call_as: it frees r */
	int			 code;		/* 0, or the error answered */
	struct audit		*audit;		/* set: write an audit line */
	char			*audit_who[4];	/* channel, identity, peer, method */
	json_t			*audit_params;
};
TAILQ_HEAD(ctl_reqs, ctl_req);

struct ctl_client {
	TAILQ_ENTRY(ctl_client)	 entry;
	struct ctl		*ctl;
	struct bufferevent	*bev;
	struct ctl_reqs		 reqs;		/* in arrival order */
	size_t			 npending;
	uid_t			 uid;
	pid_t			 pid;
	const char		*channel;	/* "unix", "tls" */
	char			*identity;
	char			*peer;
	char			*denied;	/* why role is ROLE_NONE */
	enum ctl_role		 role;
	void			(*on_close)(void *);
	void			*close_arg;
	int			 discarding;	/* skipping an oversized line */
	int			 closing;	/* EOF seen: flush, then close */
};
TAILQ_HEAD(ctl_clients, ctl_client);

struct ctl {
	struct event_base	*base;
	struct daemon		*daemon;
	struct evconnlistener	*listener;
	char			*path;
	gid_t			 gid;
	struct ctl_clients	 clients;
	size_t			 nclients;
	struct audit		*audit;		/* NULL: none */
	struct ctl_tls		*tls;		/* NULL: no remote listener */
	struct ctl_drift	*drift;		/* NULL: no drift checker */
};

static void client_read(struct bufferevent *, void *);
static int text_printable(const char *);

/* ---- replies ---- */

static void
req_free(struct ctl_req *r)
{
	for (size_t i = 0; i < nitems(r->audit_who); i++)
		free(r->audit_who[i]);
	json_decref(r->audit_params);
	free(r->reply);
	json_decref(r->id);
	free(r);
}

/* The audit line of an answered change (REMOTE.md, Audit log). */
static void
req_audit(struct ctl_req *r)
{
	char *line;

	if (r->audit == NULL)
		return;
	line = audit_format(time(NULL), r->audit_who[0], r->audit_who[1],
	    r->audit_who[2], r->audit_who[3], r->audit_params, r->code);
	if (line == NULL || audit_write(r->audit, line) == -1)
		log_warnx("audit: %s by %s: not written", r->audit_who[3],
		    r->audit_who[1]);
	free(line);
}

static void
client_free(struct ctl_client *c)
{
	struct ctl_req *r;

	while ((r = TAILQ_FIRST(&c->reqs)) != NULL) {
		TAILQ_REMOVE(&c->reqs, r, entry);
		if (r->done)
			req_free(r);
		else
			r->client = NULL;	/* the handler frees it on answer */
	}
	TAILQ_REMOVE(&c->ctl->clients, c, entry);
	c->ctl->nclients--;
	bufferevent_free(c->bev);
	if (c->on_close != NULL)
		c->on_close(c->close_arg);
	free(c->identity);
	free(c->peer);
	free(c->denied);
	free(c);
}

/* Write every answered request at the head of the queue, in order. */
static void
client_flush(struct ctl_client *c)
{
	struct ctl_req *r;
	struct evbuffer *out = bufferevent_get_output(c->bev);

	while ((r = TAILQ_FIRST(&c->reqs)) != NULL && r->done) {
		TAILQ_REMOVE(&c->reqs, r, entry);
		c->npending--;
		if (r->reply != NULL)
			evbuffer_add(out, r->reply, strlen(r->reply));
		req_free(r);
	}
	if (evbuffer_get_length(out) > CTL_MAX_OUTPUT || c->npending >= CTL_MAX_PENDING)
		bufferevent_disable(c->bev, EV_READ);
	else if (!c->closing) {
		bufferevent_enable(c->bev, EV_READ);
		/* lines may wait in the input since the window was full */
		if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
			bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
			    BEV_TRIG_DEFER_CALLBACKS);
	}
}

/* Store the reply line of a request and deliver what is deliverable. */
static void
req_finish(struct ctl_req *r, char *line)
{
	struct ctl_client *c = r->client;

	if (r->done) {
		log_warnx("ctl: internal error: request answered twice");
		free(line);
		return;
	}
	r->done = 1;
	if (r->local != NULL) {		/* ctl_call_local frees r */
		*r->local = line;
		return;
	}
	req_audit(r);
	if (r->done_fn != NULL)		/* ctl_call_as */
		r->done_fn(r->done_arg, line, r->code);
	r->reply = r->id ? line : (free(line), NULL);
	if (c == NULL) {		/* client gone: nobody to tell */
		if (!r->calling)
			req_free(r);
		return;
	}
	client_flush(c);
}

struct daemon *
ctl_req_daemon(struct ctl_req *r)
{
	return r->daemon;
}

void
ctl_reply(struct ctl_req *r, json_t *result)
{
	char *line = rpc_result_line(r->id, result);

	json_decref(result);
	if (line == NULL)
		line = rpc_error_line(r->id, ERR_JET_ERROR, "out of memory");
	req_finish(r, line);
}

void
ctl_fail(struct ctl_req *r, int code, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	r->code = code;
	r->daemon->stats.rpc_errors++;
	req_finish(r, rpc_error_line(r->id, code, detail));
}

void
ctl_fail_store(struct ctl_req *r)
{
	log_warnx("ctl: storage error: %s", store_errmsg(r->daemon->store));
	ctl_fail(r, ERR_JET_ERROR, "storage error: %s", store_errmsg(r->daemon->store));
}

/* A read-only method called from inside the daemon (the dashboard's JSON,
 * ctl_dash.c): the same handler a client's request runs, answered at once;
 * a method of another class is refused (NULL) before it runs. */
json_t *
ctl_call_self(struct daemon *d, const char *method, json_t *params, int *code,
    char *detail, size_t detlen)
{
	struct ctl_req *r = calloc(1, sizeof(*r));
	uint64_t errors = d->stats.rpc_errors;	/* not a client's: not counted */
	char *line = NULL;
	json_t *reply, *result = NULL, *err;

	*code = ERR_JET_ERROR;
	snprintf(detail, detlen, "out of memory");
	if (r == NULL)
		return NULL;
	r->daemon = d;
	r->local = &line;
	r->id = json_integer(0);
	ctl_dispatch(r, method, params);
	d->stats.rpc_errors = errors;
	json_decref(r->id);
	r->id = NULL;
	if (!r->done) {			/* answers later: dropped then (req_finish) */
		r->local = NULL;
		snprintf(detail, detlen, "%s answers later", method);
		return NULL;
	}
	req_free(r);
	if (line != NULL && (reply = json_loads(line, 0, NULL)) != NULL) {
		if ((result = json_incref(json_object_get(reply, "result"))) ==
		    NULL && (err = json_object_get(reply, "error")) != NULL) {
			const char *why = json_string_value(json_object_get(
			    json_object_get(err, "data"), "detail"));

			*code = (int)json_integer_value(json_object_get(err,
			    "code"));
			snprintf(detail, detlen, "%s", why ? why : "");
		}
		json_decref(reply);
	}
	free(line);
	if (result != NULL)
		*code = 0;
	return result;
}

void
ctl_req_identity(struct ctl_req *r, char *buf, size_t len)
{
	const char *id = r->audit_who[1], *ch = r->audit_who[0], *peer =
	    r->audit_who[2];

	if (id == NULL && r->client != NULL) {
		id = r->client->identity;
		ch = r->client->channel;
		peer = r->client->peer;
	}
	snprintf(buf, len, "%s (%s %s)", id ? id : "?", ch ? ch : "?",
	    peer ? peer : "?");
}

json_t *
ctl_call_local(struct daemon *d, const char *method, json_t *params)
{
	char detail[8];
	int code;

	/* read-only methods only (RPC.md §1.1): the callers answer over
	 * channels that authenticate nobody */
	if (ctl_method_class(method) != CTL_READ)
		return NULL;
	return ctl_call_self(d, method, params, &code, detail, sizeof(detail));
}

/* ---- requests ---- */

static struct ctl_req *
req_new(struct ctl_client *c, json_t *id)
{
	struct ctl_req *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->client = c;
	r->daemon = c->ctl->daemon;
	r->id = id;
	TAILQ_INSERT_TAIL(&c->reqs, r, entry);
	c->npending++;
	return r;
}

/* Keep what the audit line of a change will say (strdup failures only cost
 * the line's fields). */
static void
req_audit_prepare(struct ctl *ctl, const struct ctl_peer *p, struct ctl_req *r,
    const char *method, json_t *params)
{
	const char *who[4] = { p->channel, p->identity, p->peer, method };

	if ((r->audit = ctl->audit) == NULL)
		return;
	for (size_t i = 0; i < nitems(who); i++)
		r->audit_who[i] = strdup(who[i] ? who[i] : "");
	r->audit_params = json_incref(params);
}

/* session.auth {"token"} (REMOTE.md, Tokens): on the TLS channel, the
 * token's name and role for the rest of the connection, in place of the
 * certificate's. Not a method of the table: it acts on the connection. */
static void
client_auth(struct ctl_client *c, struct ctl_req *r, json_t *params)
{
	const char *tok = json_string_value(json_object_get(params, "token"));
	const char *name;
	enum ctl_role role;
	char *id;

	if (strcmp(c->channel, "tls") != 0) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "session.auth is for the remote "
		    "channel: on the socket, the peer's credentials decide");
		return;
	}
	if (tok == NULL || json_object_size(params) != 1) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "session.auth takes one parameter, "
		    "\"token\", a string");
		return;
	}
	if (ctl_tls_token(c->ctl->tls, tok, &name, &role) == -1) {
		log_notice("remote: %s (%s): bearer token refused", c->peer,
		    c->identity);
		ctl_fail(r, ERR_ACCESS_DENIED, "the token is not one of [management] "
		    "tokens");
		return;
	}
	if (asprintf(&id, "token %s (%s)", name, c->identity) == -1) {
		ctl_fail(r, ERR_JET_ERROR, "out of memory");
		return;
	}
	free(c->identity);
	c->identity = id;
	c->role = role;
	log_info("remote: %s is %s (%s)", c->peer, id, ctl_role_name(role));
	ctl_reply(r, json_pack("{s:s, s:s}", "identity", id, "role",
	    ctl_role_name(role)));
}

/* session.on_behalf {"of"} (REMOTE.md §9): a partner daemon acting for
 * one of its own callers says whom; the connection's identity, in the log
 * and the audit log, becomes "SUBJECT on behalf of OF". The role stays the
 * certificate's. */
static void
client_on_behalf(struct ctl_client *c, struct ctl_req *r, json_t *params)
{
	const char *of = json_string_value(json_object_get(params, "of"));
	char *id;

	if (strcmp(c->channel, "tls") != 0 || strstr(c->identity,
	    " on behalf of ") != NULL) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "session.on_behalf is for a "
		    "partner's TLS connection, once");
		return;
	}
	if (of == NULL || json_object_size(params) != 1 || *of == '\0' ||
	    strlen(of) > 512 || !text_printable(of)) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "session.on_behalf takes one "
		    "parameter, \"of\", printable text of 1..512 bytes");
		return;
	}
	if (asprintf(&id, "%s on behalf of %s", c->identity, of) == -1) {
		ctl_fail(r, ERR_JET_ERROR, "out of memory");
		return;
	}
	free(c->identity);
	c->identity = id;
	log_info("remote: %s is %s", c->peer, id);
	ctl_reply(r, json_pack("{s:s}", "identity", id));
}

/* No control characters: the text goes to the log and the audit log. */
static int
text_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* The role check (RPC.md §1.1), then the method. Every call of a known
 * method that is not read-only is audited, refused or not. */
static void
call_checked(struct ctl *ctl, const struct ctl_peer *p, struct ctl_req *r,
    const char *method, json_t *params)
{
	enum ctl_class cls = ctl_method_class(method);

	if (ctl_method_find(method) != NULL && cls != CTL_READ)
		req_audit_prepare(ctl, p, r, method, params);
	if (p->role == ROLE_NONE)
		ctl_fail(r, ERR_ACCESS_DENIED, "%s", p->denied ? p->denied :
		    "access denied");
	else if (ctl_method_find(method) != NULL && !ctl_role_may(p->role, cls)) {
		log_notice("ctl: %s %s (%s) may not call %s: refused", p->channel,
		    p->identity, ctl_role_name(p->role), method);
		ctl_fail(r, ERR_ACCESS_DENIED, "%s changes the server: %s (%s) is "
		    "in the role %s, which may call read-only methods only",
		    method, p->identity, p->channel, ctl_role_name(p->role));
	} else
		ctl_dispatch(r, method, params);
}

static void
client_call(struct ctl_client *c, struct ctl_req *r, const char *method,
    json_t *params)
{
	struct ctl_peer p = { .channel = c->channel, .identity = c->identity,
	    .peer = c->peer, .role = c->role, .denied = c->denied };

	if (strcmp(method, "session.auth") == 0)
		client_auth(c, r, params);
	else if (strcmp(method, "session.on_behalf") == 0)
		client_on_behalf(c, r, params);
	else
		call_checked(c->ctl, &p, r, method, params);
}

/* A call of another channel (the dashboard over HTTPS, ctl_https.c): the
 * same role check, audit and dispatch as a client's line; session.auth is
 * the channel's own business (87 here). */
int
ctl_call_as(struct ctl *ctl, const struct ctl_peer *p, json_t *id,
    const char *method, json_t *params, ctl_done_fn done, void *arg,
    struct ctl_req **pending)
{
	struct ctl_req *r = calloc(1, sizeof(*r));

	*pending = NULL;
	if (r == NULL)
		return -1;
	r->calling = 1;
	r->daemon = ctl->daemon;
	r->id = json_incref(id != NULL ? id : json_null());
	r->done_fn = done;
	r->done_arg = arg;
	ctl->daemon->stats.rpc_requests++;
	if (strcmp(method, "session.auth") == 0 ||
	    strcmp(method, "session.on_behalf") == 0)
		ctl_fail(r, ERR_INVALID_PARAMETER, "%s is for JSON-RPC lines: over "
		    "HTTPS the token goes in the Authorization header", method);
	else
		call_checked(ctl, p, r, method, params);
	r->calling = 0;
	if (!r->done)
		*pending = r;
	else
		req_free(r);
	return 0;
}

void
ctl_call_cancel(struct ctl_req *r)
{
	r->done_fn = NULL;
}

/* Handle one complete request line. */
static void
client_line(struct ctl_client *c, const char *line, size_t len)
{
	char detail[256];
	struct rpc_call call;
	struct ctl_req *r;
	json_t *id;
	int rc;

	c->ctl->daemon->stats.rpc_requests++;
	rc = rpc_parse(line, len, &call, &id, detail, sizeof(detail));
	if ((r = req_new(c, rc == 0 ? json_incref(call.id) : id)) == NULL) {
		json_decref(rc == 0 ? call.id : id);
		if (rc == 0)
			rpc_call_fini(&call);
		log_warnx("ctl: out of memory");
		return;
	}
	if (rc != 0) {
		if (r->id == NULL)	/* an unreadable request still gets an answer */
			r->id = json_null();
		ctl_fail(r, rc, "%s", detail);
		return;
	}
	client_call(c, r, call.method, call.params);
	rpc_call_fini(&call);
}

/* A line over the limit: answer once, then skip to its end. */
static void
client_oversized(struct ctl_client *c)
{
	struct ctl_req *r;

	c->discarding = 1;
	c->ctl->daemon->stats.rpc_requests++;
	if ((r = req_new(c, json_null())) != NULL)
		ctl_fail(r, ERR_RPC_INVALID_REQUEST, "request larger than %d bytes",
		    CTL_MAX_REQUEST);
}

/* Drop input up to and including the next newline; 1 if one was found. */
static int
client_discard(struct ctl_client *c, struct evbuffer *in)
{
	struct evbuffer_ptr p = evbuffer_search(in, "\n", 1, NULL);

	if (p.pos < 0) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return 0;
	}
	evbuffer_drain(in, (size_t)p.pos + 1);
	c->discarding = 0;
	return 1;
}

/* Take the next line out of the input, if a whole one is there. */
static char *
client_next_line(struct ctl_client *c, struct evbuffer *in, size_t *len)
{
	struct evbuffer_ptr p;
	char *line;

	if (c->discarding && !client_discard(c, in))
		return NULL;
	p = evbuffer_search(in, "\n", 1, NULL);
	if (p.pos < 0 || (size_t)p.pos > CTL_MAX_REQUEST) {
		if (evbuffer_get_length(in) > CTL_MAX_REQUEST) {
			client_oversized(c);
			client_discard(c, in);
		}
		return NULL;
	}
	if ((line = malloc((size_t)p.pos + 1)) == NULL)
		return NULL;
	evbuffer_remove(in, line, (size_t)p.pos + 1);
	line[p.pos] = '\0';
	*len = (size_t)p.pos;
	if (*len > 0 && line[*len - 1] == '\r')
		line[--*len] = '\0';
	return line;
}

/* Whether a line holds anything but white space. */
static int
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct ctl_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t len;

	while (c->npending < CTL_MAX_PENDING &&
	    (line = client_next_line(c, in, &len)) != NULL) {
		if (!blank(line, len))
			client_line(c, line, len);
		free(line);
	}
}

/* Output drained: resume reading, or finish closing. */
static void
client_write(struct bufferevent *bev, void *arg)
{
	struct ctl_client *c = arg;

	if (c->closing && TAILQ_EMPTY(&c->reqs))
		client_free(c);
	else
		client_flush(c);
}

/* EOF: answer what was sent (a last line without newline too), then close. */
static void
client_eof(struct ctl_client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t len;

	client_read(c->bev, c);
	len = evbuffer_get_length(in);
	if (!c->discarding && len > 0 && len <= CTL_MAX_REQUEST) {
		char *line = malloc(len);

		if (line != NULL) {
			evbuffer_remove(in, line, len);
			if (!blank(line, len))
				client_line(c, line, len);
			free(line);
		}
	}
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	if (TAILQ_EMPTY(&c->reqs) &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		client_free(c);
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_client *c = arg;

	if (what & BEV_EVENT_EOF)
		client_eof(c);
	else if (what & BEV_EVENT_TIMEOUT) {
		log_info("ctl: %s client %s (%s) idle too long: closed", c->channel,
		    c->identity, c->peer);
		client_free(c);
	} else if (what & BEV_EVENT_ERROR) {
		/* a record that does not decrypt (a garbled or replayed
		 * stream) after the handshake: said, as refusals are */
		unsigned long e = bufferevent_get_openssl_error(bev);
		const char *tls = e != 0 && ERR_GET_REASON(e) !=
		    SSL_R_UNEXPECTED_EOF_WHILE_READING ? ERR_reason_error_string(e) :
		    NULL;	/* a close without close_notify: a close */

		if (tls != NULL)
			log_notice("remote: %s (%s) refused mid-session: TLS: %s; "
			    "closed", c->peer, c->identity, tls);
		else
			log_debug("ctl: %s client %s: %s", c->channel, c->peer,
			    strerror(errno));
		client_free(c);
	}
}

/* ---- access ---- */

/* RPC.md §1: uid 0 or a member of control-socket-group. */
static void
client_check_access(struct ctl_client *c, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("ctl: SO_PEERCRED");
		return;
	}
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->role = cred.uid == 0 ||
	    ctl_unix_in_group(fd, cred.uid, cred.gid, c->ctl->gid) ? ROLE_ADMIN :
	    ROLE_NONE;
	if (asprintf(&c->identity, "uid %u", (unsigned)cred.uid) == -1)
		c->identity = NULL;
	if (asprintf(&c->peer, "pid %ld", (long)cred.pid) == -1)
		c->peer = NULL;
	if (c->role == ROLE_NONE && asprintf(&c->denied, "uid %u is neither root "
	    "nor a member of the control-socket-group", (unsigned)cred.uid) == -1)
		c->denied = NULL;
	if (c->role == ROLE_NONE)
		log_notice("ctl: uid %u (pid %ld) refused: not in the "
		    "control-socket-group", (unsigned)cred.uid, (long)cred.pid);
}

static void
ctl_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct ctl *ctl = arg;
	struct ctl_client *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->bev = bufferevent_socket_new(ctl->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("ctl: out of memory, dropping a client");
		free(c);
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->channel = "unix";
	TAILQ_INIT(&c->reqs);
	client_check_access(c, fd);
	TAILQ_INSERT_TAIL(&ctl->clients, c, entry);
	ctl->nclients++;
	bufferevent_setcb(c->bev, client_read, client_write, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

int
ctl_client_add(struct ctl *ctl, struct bufferevent *bev, const struct ctl_peer *p)
{
	struct ctl_client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	c->identity = strdup(p->identity ? p->identity : "");
	c->peer = strdup(p->peer ? p->peer : "");
	c->denied = p->denied ? strdup(p->denied) : NULL;
	if (c->identity == NULL || c->peer == NULL) {
		free(c->identity);
		free(c->peer);
		free(c->denied);
		free(c);
		return -1;
	}
	c->ctl = ctl;
	c->bev = bev;
	c->channel = p->channel;
	c->role = p->role;
	c->on_close = p->on_close;
	c->close_arg = p->arg;
	TAILQ_INIT(&c->reqs);
	TAILQ_INSERT_TAIL(&ctl->clients, c, entry);
	ctl->nclients++;
	bufferevent_setcb(bev, client_read, client_write, client_event, c);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	/* a request may have come with the end of the handshake */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		bufferevent_trigger(bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
		    BEV_TRIG_DEFER_CALLBACKS);
	return 0;
}

struct event_base *
ctl_base(struct ctl *ctl)
{
	return ctl->base;
}

struct daemon *
ctl_daemon(struct ctl *ctl)
{
	return ctl->daemon;
}

int
ctl_set_audit(struct ctl *ctl, const char *path, const char *user, char *err,
    size_t errlen)
{
	if ((ctl->audit = audit_new(path, user, err, errlen)) == NULL)
		return -1;
	return 0;
}

int
ctl_listen_tls(struct ctl *ctl, const struct conf *c, char *err, size_t errlen)
{
	if ((ctl->tls = ctl_tls_new(ctl, c, err, errlen)) == NULL)
		return -1;
	/* the daemon as a client of its partners' listeners (REMOTE.md §8) */
	if ((ctl->drift = ctl_drift_new(ctl->base, ctl->daemon, c, err,
	    errlen)) == NULL && err[0] != '\0')
		return -1;
	return 0;
}

/* ---- the listener ---- */

/* The socket file's group and mode; the group is changed only when it
 * differs (a service user may not chown, even to its own group, under the
 * unit's system call filter). */
int
ctl_set_access(struct ctl *ctl, mode_t mode, gid_t gid)
{
	struct stat sb;

	if (stat(ctl->path, &sb) == -1 || (sb.st_gid != gid &&
	    chown(ctl->path, (uid_t)-1, gid) == -1) || chmod(ctl->path, mode) == -1) {
		log_warn("control socket %s: cannot give it group %u and mode %04o "
		    "as uid %u", ctl->path, (unsigned)gid, (unsigned)mode,
		    (unsigned)geteuid());
		return -1;
	}
	ctl->gid = gid;
	return 0;
}

struct ctl *
ctl_new(struct event_base *base, struct daemon *d, const char *path, mode_t mode,
    gid_t gid, char *err, size_t errlen)
{
	struct ctl *ctl = calloc(1, sizeof(*ctl));
	int fd;

	err[0] = '\0';
	if (ctl == NULL || (ctl->path = strdup(path)) == NULL) {
		free(ctl);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->base = base;
	ctl->daemon = d;
	TAILQ_INIT(&ctl->clients);
	if ((fd = ctl_unix_listen(path, err, errlen)) == -1 ||
	    ctl_set_access(ctl, mode, gid) == -1 ||
	    (ctl->listener = evconnlistener_new(base, ctl_accept, ctl,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd)) == NULL) {
		if (fd != -1) {
			if (err[0] == '\0')
				snprintf(err, errlen, "control socket %s: cannot set "
				    "mode/group: %s%s", path, strerror(errno),
				    geteuid() == 0 ? "" : " (not running as root: "
				    "control-socket-group must be a group of this "
				    "user)");
			close(fd);
			unlink(path);
		}
		free(ctl->path);
		free(ctl);
		return NULL;
	}
	return ctl;
}

void
ctl_free(struct ctl *ctl)
{
	struct ctl_client *c;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->clients)) != NULL)
		client_free(c);
	ctl_fo_pair_shutdown();
	ctl_fo_repl_shutdown();
	ctl_drift_free(ctl->drift);
	ctl_tls_free(ctl->tls);
	audit_free(ctl->audit);
	evconnlistener_free(ctl->listener);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

size_t
ctl_nclients(struct ctl *ctl)
{
	return ctl ? ctl->nclients : 0;
}
