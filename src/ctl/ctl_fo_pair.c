/* failover.create / delete / add_scopes / remove_scopes with
 * "partner_management" (RPC.md §6.16, REMOTE.md §9): the change made on both
 * servers by this one, as Windows' Add-/Remove-DhcpServerv4Failover and
 * Add-/Remove-DhcpServerv4FailoverScope do. Over a TLS connection to the
 * partner's listener (ctl_link.c, this daemon's client certificate): say on
 * whose behalf; copy the scopes' configuration there (create, add: cfg_plan's
 * calls) or disable the partner's copies of the scopes it gives up (delete,
 * remove: FAILOVER.md §5.6's order, one owner of each free address); make the
 * partner's call; then this server's own. The answer leaves when both are
 * done; a failure undoes, newest first, what was done on the partner. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "cfgdiff.h"
#include "ctl_cfg.h"
#include "ctl_cmd.h"
#include "ctl_drift.h"
#include "ctl_fo.h"
#include "ctl_link.h"
#include "ctl_param.h"
#include "daemon.h"
#include "err.h"
#include "fo.h"
#include "log.h"
#include "util.h"

#define PAIR_PORT	9968

enum pair_step { STEP_BEHALF, STEP_SCOPE_READ, STEP_SCOPE_CALL, STEP_METHOD,
	STEP_UNDO };

struct pair {
	LIST_ENTRY(pair)	 entry;
	struct ctl_req		*req;
	struct daemon		*d;
	enum pair_kind		 kind;
	enum pair_step		 step;
	char			 name[STORE_NAME_MAX];
	char			 host[64];
	uint16_t		 port;
	char			 pm[80];	/* host:port */
	int			 force;
	struct ctl_link		*link;
	json_t			*local;		/* this server's params */
	json_t			*remote;	/* the partner's params */
	json_t			*scopes;	/* subnets to copy or disable */
	size_t			 next;
	json_t			*plan;		/* the calls left for a scope */
	json_t			*report;	/* "partner" of the answer */
	json_t			*undo;		/* partner calls, newest first */
	json_t			*undone;	/* what the undo did */
	int			 code;		/* the failure answered */
	char			 why[512];
};
LIST_HEAD(pairs, pair);

static struct pairs running = LIST_HEAD_INITIALIZER(running);

static const char *const methods[] = { "failover.create", "failover.delete",
	"failover.add_scopes", "failover.remove_scopes" };

static void pair_answer(void *, json_t *, int, const char *);
static void pair_next_scope(struct pair *);
static void pair_next_call(struct pair *);

static void
pair_free(struct pair *j)
{
	LIST_REMOVE(j, entry);
	ctl_link_free(j->link);
	json_decref(j->local);
	json_decref(j->remote);
	json_decref(j->scopes);
	json_decref(j->plan);
	json_decref(j->report);
	json_decref(j->undo);
	json_decref(j->undone);
	free(j);
}

/* One call on the partner; its answer comes to pair_answer. */
static void
pair_call(struct pair *j, enum pair_step step, const char *method, json_t *params)
{
	j->step = step;
	if (ctl_link_call(j->link, method, params, pair_answer, j) == -1)
		pair_answer(j, NULL, -1, "out of memory");
	json_decref(params);
}

/* Remember how to undo a call the partner made. */
static void
pair_undo_push(struct pair *j, const char *method, json_t *params)
{
	json_array_insert_new(j->undo, 0, json_pack("{s:s, s:o}", "method", method,
	    "params", params));
}

/* The end: this server's answer, and the log. */
static void
pair_finish(struct pair *j, json_t *result)
{
	if (result != NULL) {
		json_object_set(result, "partner", j->report);
		log_notice("failover %s: %s on both servers (the partner %s, %lld "
		    "calls there)", j->name, methods[j->kind], j->pm,
		    (long long)json_integer_value(json_object_get(j->report,
		    "calls")));
		ctl_reply(j->req, result);
	} else {
		char *u = json_dumps(j->undone, JSON_COMPACT), undone[1024] = "";

		if (json_array_size(j->undone) > 0)
			snprintf(undone, sizeof(undone), "; undone on the partner "
			    "%s: %s", j->pm, u ? u : "?");
		log_warnx("failover %s: %s on both servers failed: %s%s", j->name,
		    methods[j->kind], j->why, undone);
		ctl_fail(j->req, j->code, "%s%s", j->why, undone);
		free(u);
	}
	pair_free(j);
}

/* The next undo call, or the failure answered. */
static void
pair_undo_next(struct pair *j)
{
	json_t *c = json_array_get(j->undo, 0);

	if (c == NULL) {
		pair_finish(j, NULL);
		return;
	}
	json_incref(c);
	json_array_remove(j->undo, 0);
	json_object_set_new(j->report, "undoing", c);
	pair_call(j, STEP_UNDO, json_string_value(json_object_get(c, "method")),
	    json_incref(json_object_get(c, "params")));
}

/* Something failed: say what (code, text), undo what the partner did. A
 * dead link cannot undo: one new connection tries. */
static void __attribute__((format(printf, 3, 4)))
pair_fail(struct pair *j, int code, const char *fmt, ...)
{
	char err[160];
	va_list ap;

	j->code = code;
	va_start(ap, fmt);
	vsnprintf(j->why, sizeof(j->why), fmt, ap);
	va_end(ap);
	if (code == ERR_SERVER_UNAVAILABLE && json_array_size(j->undo) > 0) {
		ctl_link_free(j->link);
		if ((j->link = ctl_link_new(j->host, j->port, err, sizeof(err))) ==
		    NULL) {
			json_array_append_new(j->undone, json_sprintf("cannot "
			    "reconnect: %s", err));
			json_array_clear(j->undo);
		}
	}
	pair_undo_next(j);
}

/* This server's own call, once the partner's is made. */
static void
pair_local(struct pair *j)
{
	char detail[400];
	json_t *res;
	int code;

	res = ctl_call_self(j->d, methods[j->kind], j->local, &code, detail,
	    sizeof(detail));
	if (res == NULL) {
		pair_fail(j, code, "done on the partner, refused on this server: "
		    "%s", detail);
		return;
	}
	if (j->kind == PAIR_CREATE)
		ctl_drift_watch(j->name, j->host, j->port);
	else if (j->kind == PAIR_DELETE)
		ctl_drift_forget(j->name);
	pair_finish(j, res);
}

/* The partner's own failover.* call, and how to undo it. */
static void
pair_method(struct pair *j)
{
	pair_call(j, STEP_METHOD, methods[j->kind], json_incref(j->remote));
}

static void
pair_method_done(struct pair *j)
{
	json_t *sc = json_object_get(j->remote, "scopes");

	json_object_set_new(j->report, "done", json_true());
	if (j->kind == PAIR_CREATE)
		pair_undo_push(j, "failover.delete", json_pack("{s:s}", "name",
		    j->name));
	else if (j->kind == PAIR_ADD_SCOPES)
		pair_undo_push(j, "failover.remove_scopes", json_pack("{s:s, s:O}",
		    "name", j->name, "scopes", sc));
	else if (j->kind == PAIR_REMOVE_SCOPES)
		pair_undo_push(j, "failover.add_scopes", json_pack("{s:s, s:O}",
		    "name", j->name, "scopes", sc));
	pair_local(j);
}

/* The partner's copy of the current scope read: the calls that make it ours
 * (create, add) or that disable it (delete, remove). */
static void
pair_scope_read(struct pair *j, json_t *res, int code, const char *detail)
{
	const char *subnet = json_string_value(json_array_get(j->scopes, j->next));
	json_t *theirs = json_object_get(json_array_get(json_object_get(res,
	    "scopes"), 0), "config"), *here;
	char why[256] = "cannot read it on this server";
	uint32_t a;

	if (res == NULL && code != ERR_SUBNET_NOT_PRESENT) {
		pair_fail(j, code == -1 ? ERR_SERVER_UNAVAILABLE : code, "the "
		    "partner's scope.config %s: %s", subnet, detail);
		return;
	}
	json_decref(j->plan);
	j->plan = json_array();
	if (j->kind == PAIR_DELETE || j->kind == PAIR_REMOVE_SCOPES) {
		if (theirs != NULL && strcmp(json_string_value(json_object_get(
		    theirs, "state")) ? json_string_value(json_object_get(theirs,
		    "state")) : "", "enabled") == 0)
			json_array_append_new(j->plan, json_pack("{s:s, s:{s:s, "
			    "s:s}}", "method", "scope.set", "params", "subnet",
			    subnet, "state", "disabled"));
	} else {
		here = addr_parse(subnet, &a) == 0 ? scope_cfg_canon(j->d->store,
		    a) : NULL;
		json_decref(j->plan);
		j->plan = here ? cfg_plan(subnet, here, theirs, why, sizeof(why)) :
		    NULL;
		json_decref(here);
		if (j->plan == NULL) {
			pair_fail(j, ERR_INVALID_PARAMETER, "scope %s cannot be "
			    "copied to the partner: %s", subnet, why);
			return;
		}
	}
	pair_next_call(j);
}

/* The next call of the current scope's plan, or the next scope. */
static void
pair_next_call(struct pair *j)
{
	json_t *c = json_array_get(j->plan, 0);

	if (c == NULL) {
		j->next++;
		pair_next_scope(j);
		return;
	}
	json_incref(c);
	json_array_remove(j->plan, 0);
	json_object_set_new(j->report, "pending", c);
	pair_call(j, STEP_SCOPE_CALL, json_string_value(json_object_get(c,
	    "method")), json_incref(json_object_get(c, "params")));
}

/* A call of a scope's plan answered: counted, and how to undo it kept (a
 * scope created is deleted, one disabled enabled again; a scope made equal
 * to ours stays so). */
static void
pair_scope_called(struct pair *j)
{
	json_t *c = json_object_get(j->report, "pending");
	const char *m = json_string_value(json_object_get(c, "method"));
	json_t *sub = json_object_get(json_object_get(c, "params"), "subnet");
	const char *what = NULL;

	json_object_set_new(j->report, "calls", json_integer(json_integer_value(
	    json_object_get(j->report, "calls")) + 1));
	if (strcmp(m, "scope.create") == 0) {
		pair_undo_push(j, "scope.delete", json_pack("{s:O}", "subnet", sub));
		what = "scopes_created";
	} else if (j->kind == PAIR_DELETE || j->kind == PAIR_REMOVE_SCOPES) {
		pair_undo_push(j, "scope.set", json_pack("{s:O, s:s}", "subnet", sub,
		    "state", "enabled"));
		what = "scopes_disabled";
	}
	if (what != NULL)
		json_array_append(json_object_get(j->report, what), sub);
	json_object_del(j->report, "pending");
	pair_next_call(j);
}

static void
pair_next_scope(struct pair *j)
{
	const char *subnet = json_string_value(json_array_get(j->scopes, j->next));

	if (subnet == NULL) {
		pair_method(j);
		return;
	}
	pair_call(j, STEP_SCOPE_READ, "scope.config", json_pack("{s:s}", "subnet",
	    subnet));
}

/* A dead link before the partner's call: a forced delete goes on here. */
static int
pair_forced(struct pair *j, const char *detail)
{
	char why[400];
	json_t *res;
	int code;

	if (j->kind != PAIR_DELETE || !j->force || json_object_get(j->report,
	    "done") == json_true())
		return 0;
	if ((res = ctl_call_self(j->d, "failover.delete", j->local, &code, why,
	    sizeof(why))) == NULL) {
		j->code = code;
		snprintf(j->why, sizeof(j->why), "%s", why);
		pair_undo_next(j);
		return 1;
	}
	json_object_set_new(j->report, "error", json_string(detail));
	json_object_set(res, "partner", j->report);
	json_object_set_new(res, "warning", json_sprintf("deleted on this server "
	    "only (force): the partner %s was not reached (%s); delete it there "
	    "when it answers", j->pm, detail));
	log_warnx("failover %s: deleted on this server only (force): the partner "
	    "%s was not reached: %s", j->name, j->pm, detail);
	ctl_drift_forget(j->name);
	ctl_reply(j->req, res);
	pair_free(j);
	return 1;
}

/* Every answer of the partner comes here. */
static void
pair_answer(void *arg, json_t *res, int code, const char *detail)
{
	struct pair *j = arg;

	if (j->step == STEP_UNDO) {
		json_t *c = json_object_get(j->report, "undoing");

		json_array_append_new(j->undone, json_sprintf("%s %s: %s",
		    json_string_value(json_object_get(c, "method")),
		    json_string_value(json_object_get(json_object_get(c, "params"),
		    json_object_get(json_object_get(c, "params"), "subnet") ?
		    "subnet" : "name")), res ? "done" : detail));
		pair_undo_next(j);
		return;
	}
	if (code == -1 && pair_forced(j, detail))
		return;
	if (code == -1) {
		pair_fail(j, ERR_SERVER_UNAVAILABLE, "the partner %s: %s%s", j->pm,
		    detail, json_array_size(j->undo) ? "" : "; nothing was changed "
		    "on either server");
		return;
	}
	switch (j->step) {
	case STEP_BEHALF:
		pair_next_scope(j);
		break;
	case STEP_SCOPE_READ:
		pair_scope_read(j, res, code, detail);
		break;
	case STEP_SCOPE_CALL:
	case STEP_METHOD:
		if (res == NULL && j->step == STEP_METHOD && j->kind ==
		    PAIR_DELETE && code == ERR_FO_REL_DOES_NOT_EXIST) {
			/* nothing to delete there: this side still goes */
			json_object_set_new(j->report, "absent", json_true());
			pair_method_done(j);
		} else if (res == NULL)
			pair_fail(j, code, "the partner %s refused %s: %s", j->pm,
			    j->step == STEP_METHOD ? methods[j->kind] :
			    json_string_value(json_object_get(json_object_get(
			    j->report, "pending"), "method")), detail);
		else if (j->step == STEP_METHOD)
			pair_method_done(j);
		else
			pair_scope_called(j);
		break;
	case STEP_UNDO:
		break;
	}
}

/* "partner_management": "HOST[:PORT]", or true for the relationship's
 * partner of [management] partners: 0, or -1 answered 87. */
static int
pair_where(struct ctl_req *r, json_t *v, const char *name, struct pair *j)
{
	const char *s = json_string_value(v);
	unsigned long port = PAIR_PORT;
	struct in_addr ia;
	char *colon, *end;

	if (json_is_true(v)) {
		if (ctl_drift_partner(name, j->host, sizeof(j->host), &j->port) == 0)
			goto ok;
		ctl_fail(r, ERR_INVALID_PARAMETER, "'partner_management': true, but "
		    "relationship '%s' has no partner in [management] partners: "
		    "give its address, \"HOST[:PORT]\"", name);
		return -1;
	}
	if (s == NULL || strlen(s) >= sizeof(j->host))
		goto bad;
	snprintf(j->host, sizeof(j->host), "%s", s);
	if ((colon = strchr(j->host, ':')) != NULL) {
		*colon = '\0';
		port = strtoul(colon + 1, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535)
			goto bad;
	}
	if (inet_pton(AF_INET, j->host, &ia) != 1)
		goto bad;
	j->port = (uint16_t)port;
ok:
	snprintf(j->pm, sizeof(j->pm), "%s:%u", j->host, j->port);
	return 0;
bad:
	ctl_fail(r, ERR_INVALID_PARAMETER, "'partner_management' must be "
	    "\"IPV4[:PORT]\" (the partner's management listener) or true");
	return -1;
}

/* This server's checks of the method, nothing stored yet: the name, the
 * parameters for each side and the scopes to copy or disable. 0 or -1
 * answered. */
static int
pair_checks(struct pair *j, struct ctl_req *r)
{
	struct fo_rel rel = { 0 };
	const char *name;
	char a[16];
	int rc = -1;

	if (j->kind == PAIR_CREATE) {
		if (ctl_fo_create_check(r, j->local, &rel, &name) == -1)
			goto done;
		snprintf(j->name, sizeof(j->name), "%s", name);
		json_object_set_new(j->local, "server_type", json_string(
		    fo_role_name(rel.server_type)));
		j->remote = json_deep_copy(j->local);
		json_object_set_new(j->remote, "server_type", json_string(
		    rel.server_type == FO_PRIMARY ? "secondary" : "primary"));
		j->scopes = json_deep_copy(json_object_get(j->local, "scopes"));
	} else if (j->kind == PAIR_DELETE) {
		if (ctl_rel_named(r, j->local, &rel) == -1)
			goto done;
		snprintf(j->name, sizeof(j->name), "%s", rel.name);
		j->remote = json_pack("{s:s}", "name", rel.name);
		j->scopes = json_array();
		for (size_t i = 0; i < rel.nscopes; i++)
			json_array_append_new(j->scopes, json_string(addr_str(
			    rel.scopes[i], a)));
	} else {
		if (ctl_fo_scopes_check(r, j->local, j->kind == PAIR_ADD_SCOPES,
		    &rel) == -1)
			return -1;	/* rel released */
		snprintf(j->name, sizeof(j->name), "%s", rel.name);
		j->remote = json_deep_copy(j->local);
		j->scopes = json_deep_copy(json_object_get(j->local, "scopes"));
	}
	rc = 0;
done:
	fo_rel_fini(&rel);
	return rc;
}

/* The front of a change on both servers: the partner's address, `force`,
 * this server's checks, one change of a relationship at a time, the
 * connection. 0, or -1 answered. */
static int
pair_front(struct pair *j, struct ctl_req *r, json_t *p)
{
	json_t *force = json_object_get(p, "force");
	struct pair *o;
	char err[200];

	if (force != NULL && (j->kind != PAIR_DELETE || !json_is_boolean(force))) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'force' is a boolean of "
		    "failover.delete with partner_management");
		return -1;
	}
	j->force = json_is_true(force);
	j->local = json_deep_copy(p);
	json_object_del(j->local, "partner_management");
	json_object_del(j->local, "force");
	if (pair_checks(j, r) == -1 || pair_where(r, json_object_get(p,
	    "partner_management"), j->name, j) == -1)
		return -1;
	LIST_FOREACH(o, &running, entry)
		if (o != j && strcasecmp(o->name, j->name) == 0) {
			ctl_fail(r, ERR_FO_SCOPE_SYNC_IN_PROGRESS, "a change of "
			    "relationship '%s' on both servers is under way",
			    j->name);
			return -1;
		}
	if ((j->link = ctl_link_new(j->host, j->port, err, sizeof(err))) == NULL) {
		if (strstr(err, "client-certificate") != NULL)
			ctl_fail(r, ERR_INVALID_PARAMETER, "%s; or make the calls on "
			    "each server from the console (dhcpfoctl ... --partner P "
			    "--console)", err);
		else
			ctl_fail(r, ERR_SERVER_UNAVAILABLE, "the partner %s: %s; "
			    "nothing was changed on either server", j->pm, err);
		return -1;
	}
	return 0;
}

void
ctl_fo_pair(struct ctl_req *r, json_t *p, enum pair_kind kind)
{
	struct pair *j = calloc(1, sizeof(*j));
	char who[600];

	if (j == NULL) {
		ctl_fail(r, ERR_JET_ERROR, "out of memory");
		return;
	}
	j->req = r;
	j->d = ctl_req_daemon(r);
	j->kind = kind;
	LIST_INSERT_HEAD(&running, j, entry);
	if (pair_front(j, r, p) == -1) {
		pair_free(j);
		return;
	}
	j->report = json_pack("{s:s, s:b, s:i, s:[], s:[]}", "management", j->pm,
	    "done", 0, "calls", 0, "scopes_created", "scopes_disabled");
	j->undo = json_array();
	j->undone = json_array();
	ctl_req_identity(r, who, sizeof(who));
	pair_call(j, STEP_BEHALF, "session.on_behalf", json_pack("{s:s}", "of",
	    who));
}

void
ctl_fo_pair_shutdown(void)
{
	struct pair *j;

	while ((j = LIST_FIRST(&running)) != NULL) {
		ctl_fail(j->req, ERR_SERVER_UNAVAILABLE, "the server is shutting "
		    "down: %s of %s on both servers is not finished; see "
		    "failover.get on each", methods[j->kind], j->name);
		pair_free(j);
	}
}
