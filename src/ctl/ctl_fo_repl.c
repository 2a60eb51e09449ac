/* failover.replicate (RPC.md §6.13, Invoke-DhcpServerv4FailoverReplication):
 * the configuration of a relationship's scopes, or of one scope, pushed to the
 * partner over its management listener (ctl_link.c, the drift checker's TLS
 * client): per scope the partner's scope.config, then cfg_plan's calls one
 * by one; the answer when every scope is done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "cfgdiff.h"
#include "ctl_cfg.h"
#include "ctl_cmd.h"
#include "ctl_drift.h"
#include "ctl_link.h"
#include "log.h"
#include "ctl_param.h"
#include "daemon.h"
#include "err.h"
#include "util.h"

struct repl {
	LIST_ENTRY(repl)	 entry;
	struct ctl_req		*req;
	struct store		*st;
	char			 name[STORE_NAME_MAX];
	char			 pm[80];	/* the partner's host:port */
	struct ctl_link		*link;
	json_t			*subnets;	/* the scopes to replicate */
	size_t			 next;		/* index of the current scope */
	json_t			*plan;		/* the calls left for it */
	json_t			*cur;		/* {subnet, calls, errors} */
	json_t			*out;		/* every scope's cur */
};
LIST_HEAD(repls, repl);

static struct repls running = LIST_HEAD_INITIALIZER(running);

static void repl_scope(struct repl *);
static void repl_step(struct repl *);

static void
repl_free(struct repl *j)
{
	LIST_REMOVE(j, entry);
	ctl_link_free(j->link);
	json_decref(j->subnets);
	json_decref(j->plan);
	json_decref(j->cur);
	json_decref(j->out);
	free(j);
}

/* The partner stopped answering: 1722, saying how far it went. */
static void
repl_lost(struct repl *j, const char *why)
{
	ctl_fail(j->req, ERR_SERVER_UNAVAILABLE, "the partner %s of %s: %s%s",
	    j->pm, j->name, why, json_array_size(j->out) ? " (some scopes were "
	    "replicated before)" : "");
	repl_free(j);
}

/* Every scope done: answer, and check the drift again at once. */
static void
repl_finish(struct repl *j)
{
	size_t i;
	json_t *o;
	int ok = 1;

	json_array_foreach(j->out, i, o)
		if (json_array_size(json_object_get(o, "errors")) > 0)
			ok = 0;
	log_notice("failover %s: configuration replicated to %s: %s", j->name,
	    j->pm, ok ? "every scope" : "with errors");
	ctl_reply(j->req, json_pack("{s:s, s:s, s:b, s:O}", "relationship",
	    j->name, "partner", j->pm, "replicated", ok, "scopes", j->out));
	ctl_drift_check_now(j->name);
	repl_free(j);
}

/* A call of the plan answered: counted, its error kept. */
static void
repl_called(void *arg, json_t *res, int code, const char *detail)
{
	struct repl *j = arg;
	json_t *call = json_object_get(j->cur, "pending");

	if (code == -1) {
		repl_lost(j, detail);
		return;
	}
	json_object_set_new(j->cur, "calls", json_integer(json_integer_value(
	    json_object_get(j->cur, "calls")) + 1));
	if (res == NULL)
		json_array_append_new(json_object_get(j->cur, "errors"),
		    json_pack("{s:O, s:i, s:s}", "method", json_object_get(call,
		    "method"), "code", code, "detail", detail));
	json_object_del(j->cur, "pending");
	repl_step(j);
}

/* The next call of the plan, or the next scope. */
static void
repl_step(struct repl *j)
{
	json_t *call = json_array_get(j->plan, 0);

	if (call == NULL) {
		json_array_append(j->out, j->cur);
		json_decref(j->cur);
		j->cur = NULL;
		j->next++;
		repl_scope(j);
		return;
	}
	json_incref(call);
	json_array_remove(j->plan, 0);
	json_object_set_new(j->cur, "pending", call);
	if (ctl_link_call(j->link, json_string_value(json_object_get(call,
	    "method")), json_object_get(call, "params"), repl_called, j) == -1)
		repl_lost(j, "out of memory");
}

/* The partner's scope.config of the current scope: the plan. */
static void
repl_config(void *arg, json_t *res, int code, const char *detail)
{
	struct repl *j = arg;
	const char *subnet = json_string_value(json_object_get(j->cur, "subnet"));
	json_t *here, *b = json_object_get(json_array_get(json_object_get(res,
	    "scopes"), 0), "config");
	char why[256] = "cannot read this server's configuration";
	uint32_t a;

	if (code == -1) {
		repl_lost(j, detail);
		return;
	}
	json_decref(j->plan);
	j->plan = NULL;
	if (res == NULL && code != ERR_SUBNET_NOT_PRESENT)
		snprintf(why, sizeof(why), "the partner's scope.config: %s", detail);
	else if ((here = addr_parse(subnet, &a) == 0 ? scope_cfg_canon(j->st, a) :
	    NULL) != NULL) {
		j->plan = cfg_plan(subnet, here, b, why, sizeof(why));
		json_decref(here);
	}
	if (j->plan == NULL) {
		json_array_append_new(json_object_get(j->cur, "errors"),
		    json_string(why));
		j->plan = json_array();
	}
	repl_step(j);
}

static void
repl_scope(struct repl *j)
{
	const char *subnet = json_string_value(json_array_get(j->subnets, j->next));
	json_t *p;

	if (subnet == NULL) {
		repl_finish(j);
		return;
	}
	j->cur = json_pack("{s:s, s:i, s:[]}", "subnet", subnet, "calls", 0,
	    "errors");
	p = json_pack("{s:s}", "subnet", subnet);
	if (ctl_link_call(j->link, "scope.config", p, repl_config, j) == -1)
		repl_lost(j, "out of memory");
	json_decref(p);
}

/* The partner answered session.on_behalf: the first scope. */
static void
repl_behalf(void *arg, json_t *res, int code, const char *detail)
{
	struct repl *j = arg;

	if (code == -1)
		repl_lost(j, detail);
	else
		repl_scope(j);
}

/* Connect to the relationship's partner of [management] partners and push
 * subnets there; answers req, now or later. */
static void
repl_start(struct ctl_req *req, const char *name, json_t *subnets)
{
	struct repl *j, *o;
	char host[64], err[200], who[600];
	uint16_t port;
	json_t *p;

	if (ctl_drift_partner(name, host, sizeof(host), &port) == -1) {
		ctl_fail(req, ERR_INVALID_PARAMETER, "relationship %s has no partner "
		    "in [management] partners (or no client-certificate): "
		    "nowhere to replicate to (REMOTE.md section 8)", name);
		return;
	}
	LIST_FOREACH(o, &running, entry)
		if (strcasecmp(o->name, name) == 0) {
			ctl_fail(req, ERR_FO_SCOPE_SYNC_IN_PROGRESS, "a replication "
			    "of %s is under way", name);
			return;
		}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		ctl_fail(req, ERR_JET_ERROR, "out of memory");
		return;
	}
	LIST_INSERT_HEAD(&running, j, entry);
	j->req = req;
	j->st = ctl_req_daemon(req)->store;
	snprintf(j->name, sizeof(j->name), "%s", name);
	snprintf(j->pm, sizeof(j->pm), "%s:%u", host, port);
	j->subnets = json_incref(subnets);
	j->out = json_array();
	if ((j->link = ctl_link_new(host, port, err, sizeof(err))) == NULL) {
		repl_lost(j, err);
		return;
	}
	ctl_req_identity(req, who, sizeof(who));
	p = json_pack("{s:s}", "of", who);
	if (ctl_link_call(j->link, "session.on_behalf", p, repl_behalf, j) == -1)
		repl_lost(j, "out of memory");
	json_decref(p);
}

void
m_fo_replicate(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "name", "scope", NULL };
	struct store *st = ctl_req_daemon(r)->store;
	struct fo_rel rel;
	struct scope sc;
	const char *name = NULL;
	uint32_t subnet;
	json_t *subnets;
	char a[16], relname[STORE_NAME_MAX];
	int rn, rs, rc;

	if (param_only(r, p, allowed) == -1 ||
	    (rn = param_str(r, p, "name", 0, &name)) == -1 ||
	    (rs = param_addr(r, p, "scope", 0, &subnet)) == -1)
		return;
	if (rn != 0 && rs != 0) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "give name or scope (or both)");
		return;
	}
	subnets = json_array();
	if (rs == 0) {
		if ((rc = store_scope_get(st, subnet, &sc)) != 0) {
			json_decref(subnets);
			if (rc == STORE_NOTFOUND)
				ctl_fail(r, ERR_SUBNET_NOT_PRESENT, "no scope %s",
				    addr_str(subnet, a));
			else
				ctl_fail_store(r);
			return;
		}
		snprintf(relname, sizeof(relname), "%s", sc.relationship);
		scope_fini(&sc);
		if (relname[0] == '\0' || (rn == 0 && strcasecmp(relname,
		    name) != 0)) {
			json_decref(subnets);
			ctl_fail(r, ERR_FO_SCOPE_NOT_IN_REL, "scope %s is not in "
			    "%s", addr_str(subnet, a), rn == 0 ? name :
			    "a relationship");
			return;
		}
		json_array_append_new(subnets, json_string(addr_str(subnet, a)));
		name = relname;
	} else {
		if ((rc = store_rel_get(st, name, &rel)) != 0) {
			json_decref(subnets);
			if (rc == STORE_NOTFOUND)
				ctl_fail(r, ERR_FO_REL_DOES_NOT_EXIST, "no relationship "
				    "%s", name);
			else
				ctl_fail_store(r);
			return;
		}
		for (size_t i = 0; i < rel.nscopes; i++)
			json_array_append_new(subnets,
			    json_string(addr_str(rel.scopes[i], a)));
		snprintf(relname, sizeof(relname), "%s", rel.name);
		fo_rel_fini(&rel);
		name = relname;
	}
	repl_start(r, name, subnets);	/* answers, now or later */
	json_decref(subnets);
}

void
ctl_fo_repl_shutdown(void)
{
	struct repl *j;

	while ((j = LIST_FIRST(&running)) != NULL)
		repl_lost(j, "the server is shutting down");
}
