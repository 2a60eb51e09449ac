/* dhcpfoctl failover diff / failover replicate (REMOTE.md §7): the
 * configuration of a relationship's scopes on this server (the local socket
 * or --server) compared with, or pushed to, the partner's (--partner
 * HOST[:PORT] over mutual TLS with the same certificate, or --partner-socket
 * PATH). Both sides' scope.config (RPC.md §2.6) and cfg_diff (cfgdiff.c) say
 * what differs; replicate makes the partner's calls that remove each
 * difference, as Invoke-DhcpServerv4FailoverReplication does from a console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "cfgdiff.h"
#include "dhcpfoctl.h"
#include "dhcpfoctl_remote.h"

#define END	{ NULL, NULL, 0, 0, NULL, NULL, NULL }

/* One server: the remote (NULL: socket). */
struct side {
	const struct cli_remote	*remote;
	const char		*socket;
	const char		*label;
	double			 timeout;
};

/* A call on s: the result (a new reference) or NULL with *code set (0: no
 * answer, after saying why; else the server's error code). */
static json_t *
side_call(const struct side *s, const char *method, json_t *params, int *code,
    int quiet)
{
	struct rpc_reply r;
	json_t *res;

	*code = 0;
	rpc_set_remote(s->remote);
	if (rpc_call(s->socket, s->timeout, method, params, &r) == -1)
		return NULL;
	if (r.result == NULL) {
		*code = r.code;
		if (!quiet)
			fprintf(stderr, "%s: %s: %s (%d): %s\n", s->label, method,
			    r.symbol, r.code, r.detail ? r.detail : "");
		rpc_reply_fini(&r);
		return NULL;
	}
	res = json_incref(r.result);
	rpc_reply_fini(&r);
	return res;
}

/* The partner from --partner / --partner-socket: 0, or -1 after saying why. */
static int
partner_side(json_t *params, struct side *p, struct cli_remote *r)
{
	const char *hp = json_string_value(json_object_get(params, "partner"));
	const char *ps = json_string_value(json_object_get(params, "partner_socket"));
	char err[CLI_ERRLEN];

	if ((hp == NULL) == (ps == NULL)) {
		fprintf(stderr, "dhcpfoctl: give the partner as one of --partner "
		    "HOST[:PORT] and --partner-socket PATH\n");
		return -1;
	}
	if (ps != NULL) {
		p->remote = NULL;
		p->socket = ps;
		p->label = ps;
		return 0;
	}
	if (remote_partner(hp, r, err, sizeof(err)) == -1) {
		fprintf(stderr, "dhcpfoctl: %s\n", err);
		return -1;
	}
	p->remote = r;
	p->socket = NULL;
	p->label = r->name;
	return 0;
}

/* The relationship's scopes on this server (a new reference) or NULL. */
static json_t *
rel_scopes(const struct side *here, json_t *params, int *rc)
{
	const char *scope = json_string_value(json_object_get(params, "scope"));
	json_t *p, *rel, *sc;
	int code;

	if (scope != NULL)
		return json_pack("[s]", scope);
	p = json_pack("{s:O}", "name", json_object_get(params, "name"));
	rel = side_call(here, "failover.get", p, &code, 0);
	json_decref(p);
	if (rel == NULL) {
		*rc = code ? CLI_EXIT_SERVER : CLI_EXIT_CONNECT;
		return NULL;
	}
	sc = json_incref(json_object_get(rel, "scopes"));
	json_decref(rel);
	return sc;
}

/* One scope's canonical configuration on s: a new reference; json_null()
 * when s has no such scope; NULL no answer (*rc set). */
static json_t *
scope_config(const struct side *s, const char *subnet, int *rc)
{
	json_t *p = json_pack("{s:s}", "subnet", subnet), *res, *c;
	int code;

	res = side_call(s, "scope.config", p, &code, 1);
	json_decref(p);
	if (res == NULL) {
		if (code == 20005)
			return json_null();
		if (code != 0)
			fprintf(stderr, "%s: scope.config %s: error %d\n", s->label,
			    subnet, code);
		*rc = code ? CLI_EXIT_SERVER : CLI_EXIT_CONNECT;
		return NULL;
	}
	c = json_incref(json_object_get(json_array_get(json_object_get(res,
	    "scopes"), 0), "config"));
	json_decref(res);
	return c;
}

static void
print_value(const char *who, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);

	printf("    %-8s %s\n", who, s ? s : "?");
	free(s);
}

/* The relationship's own parameters on both sides (failover.config, RPC.md
 * §6.17, with one nonce so that the shared secrets compare as digests):
 * printed like the scopes' fields; 1 when they differ, 0 not, -1 no answer. */
static int
diff_params(const struct side *here, const struct side *partner, json_t *name)
{
	unsigned char n[16];
	char nonce[33];
	json_t *p, *a, *b, *d, *e;
	size_t j;
	int code, rc;

	if (RAND_bytes(n, sizeof(n)) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(n); i++)
		snprintf(nonce + 2 * i, 3, "%02x", n[i]);
	p = json_pack("{s:O, s:s}", "name", name, "nonce", nonce);
	a = side_call(here, "failover.config", p, &code, 0);
	b = a ? side_call(partner, "failover.config", p, &code, 1) : NULL;
	json_decref(p);
	if (a == NULL || b == NULL) {
		json_decref(a);
		if (a == NULL || code == 0)
			return -1;
		printf("relationship %s: %s\n", json_string_value(name), code ==
		    20115 ? "missing on the partner" : "the partner cannot say "
		    "(no failover.config)");
		return code == 20115;
	}
	d = cfg_rel_diff(a, b);
	if ((rc = json_array_size(d) > 0))
		printf("relationship %s: %zu parameter%s differ%s\n",
		    json_string_value(name), json_array_size(d),
		    json_array_size(d) == 1 ? "" : "s", json_array_size(d) == 1 ?
		    "s" : "");
	else
		printf("relationship %s: identical parameters\n",
		    json_string_value(name));
	json_array_foreach(d, j, e) {
		printf("  %s\n", json_string_value(json_object_get(e, "field")));
		print_value("here:", json_object_get(e, "here"));
		print_value("partner:", json_object_get(e, "partner"));
	}
	json_decref(d);
	json_decref(a);
	json_decref(b);
	return rc;
}

/* One scope compared on both servers and printed: 1 when it differs (or is
 * missing on the partner), 0 when identical, -1 when a server could not say
 * (rc set). */
static int
diff_scope(struct side *here, struct side *partner, const char *subnet, int *rc)
{
	json_t *a, *b, *d, *e;
	size_t j;
	int differs = 1;

	if ((a = scope_config(here, subnet, rc)) == NULL ||
	    (b = scope_config(partner, subnet, rc)) == NULL) {
		json_decref(a);
		return -1;
	}
	if (json_is_null(b))
		printf("scope %s: missing on the partner (%s)\n", subnet,
		    partner->label);
	else if ((d = cfg_diff(a, b)) != NULL && json_array_size(d) > 0) {
		printf("scope %s: %zu field%s differ%s (here: %s, partner: %s)\n",
		    subnet, json_array_size(d), json_array_size(d) == 1 ? "" : "s",
		    json_array_size(d) == 1 ? "s" : "", here->label, partner->label);
		json_array_foreach(d, j, e) {
			printf("  %s\n", json_string_value(json_object_get(e,
			    "field")));
			print_value("here:", json_object_get(e, "here"));
			print_value("partner:", json_object_get(e, "partner"));
		}
		json_decref(d);
	} else {
		printf("scope %s: identical\n", subnet);
		json_decref(d);
		differs = 0;
	}
	json_decref(a);
	json_decref(b);
	return differs;
}

static int
run_diff(const struct cmd *c, json_t *params, const char *socket, double timeout)
{
	const struct cli_remote *mine = rpc_get_remote();
	struct side here = { mine, socket, mine ? mine->name : "here", timeout };
	struct side partner = { NULL, NULL, NULL, timeout };
	struct cli_remote pr;
	json_t *scopes, *sub;
	size_t i;
	int rc = CLI_EXIT_OK, ndiff = 0;

	if (partner_side(params, &partner, &pr) == -1)
		return CLI_EXIT_USAGE;
	if ((scopes = rel_scopes(&here, params, &rc)) == NULL)
		return rc;
	json_array_foreach(scopes, i, sub) {
		int d = diff_scope(&here, &partner, json_string_value(sub), &rc);

		if (d == -1) {
			json_decref(scopes);
			rpc_set_remote(mine);
			return rc;
		}
		ndiff += d;
	}
	json_decref(scopes);
	if (json_object_get(params, "scope") == NULL) {
		int pd = diff_params(&here, &partner, json_object_get(params, "name"));

		if (pd == -1) {
			rpc_set_remote(mine);
			return CLI_EXIT_CONNECT;
		}
		ndiff += pd;
	}
	rpc_set_remote(mine);
	return ndiff ? CLI_EXIT_SERVER : CLI_EXIT_OK;
}

/* ---- replicate ---- */

/* One call on the partner that removes a difference; 0 done, -1 failed. */
static int
push(const struct side *p, const char *method, json_t *params, int *ncalls)
{
	json_t *res;
	int code;

	res = side_call(p, method, params, &code, 0);
	json_decref(params);
	(*ncalls)++;
	if (res == NULL)
		return -1;
	json_decref(res);
	return 0;
}

/* Make the partner's copy of subnet equal to here's canonical a; b is the
 * partner's (json_null(): none). 0, or -1 (a call refused or unanswered). */
static int
replicate_scope(const struct side *p, const char *subnet, json_t *a, json_t *b,
    int *ncalls)
{
	char err[256];
	json_t *plan = cfg_plan(subnet, a, b, err, sizeof(err)), *step;
	size_t i;
	int bad = 0;

	if (plan == NULL) {
		fprintf(stderr, "%s: %s\n", p->label, err);
		return -1;
	}
	json_array_foreach(plan, i, step)
		bad |= push(p, json_string_value(json_object_get(step, "method")),
		    json_incref(json_object_get(step, "params")), ncalls);
	json_decref(plan);
	return bad ? -1 : 0;
}

static int
run_replicate(const struct cmd *c, json_t *params, const char *socket,
    double timeout)
{
	const struct cli_remote *mine = rpc_get_remote();
	struct side here = { mine, socket, mine ? mine->name : "here", timeout };
	struct side partner = { NULL, NULL, NULL, timeout };
	struct cli_remote pr;
	json_t *scopes, *sub;
	size_t i;
	int rc = CLI_EXIT_OK, failed = 0;

	if (partner_side(params, &partner, &pr) == -1)
		return CLI_EXIT_USAGE;
	if ((scopes = rel_scopes(&here, params, &rc)) == NULL)
		return rc;
	json_array_foreach(scopes, i, sub) {
		const char *subnet = json_string_value(sub);
		json_t *a, *b, *after;
		int ncalls = 0;

		if ((a = scope_config(&here, subnet, &rc)) == NULL ||
		    json_is_null(a) ||
		    (b = scope_config(&partner, subnet, &rc)) == NULL) {
			if (a != NULL && json_is_null(a)) {
				fprintf(stderr, "scope %s: not on this server\n",
				    subnet);
				rc = CLI_EXIT_SERVER;
			}
			json_decref(a);
			json_decref(scopes);
			rpc_set_remote(mine);
			return rc;
		}
		if (replicate_scope(&partner, subnet, a, b, &ncalls) == -1)
			failed++;
		after = scope_config(&partner, subnet, &rc);
		if (after != NULL && json_equal(a, after))
			printf("scope %s: %s (%d call%s on %s)\n", subnet,
			    ncalls ? "replicated" : "already identical", ncalls,
			    ncalls == 1 ? "" : "s", partner.label);
		else {
			printf("scope %s: NOT identical after %d calls on %s\n",
			    subnet, ncalls, partner.label);
			failed++;
		}
		json_decref(after);
		json_decref(a);
		json_decref(b);
	}
	json_decref(scopes);
	rpc_set_remote(mine);
	return failed ? CLI_EXIT_SERVER : CLI_EXIT_OK;
}

/* ---- failover create / delete --partner: both servers ---- */

/* params without the partner's keys: what this server's method takes. */
static json_t *
own_params(json_t *params)
{
	json_t *p = json_deep_copy(params);

	json_object_del(p, "partner");
	json_object_del(p, "partner_socket");
	json_object_del(p, "console");
	json_object_del(p, "force");
	return p;
}

/* Whether the server makes the change on both sides itself (--partner
 * without --console: "partner_management", RPC.md §6.16), rather than this
 * command calling each server. */
static int
by_server(json_t *params)
{
	return json_object_get(params, "partner") != NULL &&
	    json_object_get(params, "console") == NULL;
}

/* What the server did on both sides, in the lines the console's way prints
 * (REMOTE.md §7). */
static void
print_pair(const char *method, const char *name, const char *here, json_t *res)
{
	json_t *pr = json_object_get(res, "partner");
	const char *pm = json_string_value(json_object_get(pr, "management"));
	json_int_t calls = json_integer_value(json_object_get(pr, "calls"));

	if (strcmp(method, "failover.create") == 0) {
		printf("%s: created on %s (%s)\n", name, here, json_string_value(
		    json_object_get(res, "server_type")));
		printf("%s: created on the partner %s (%s), its scopes' "
		    "configuration copied (%lld call%s)\n", name, pm, strcmp(
		    json_string_value(json_object_get(res, "server_type")),
		    "primary") == 0 ? "secondary" : "primary", (long long)calls,
		    calls == 1 ? "" : "s");
	} else if (strcmp(method, "failover.delete") == 0) {
		printf("%s: deleted on %s\n", name, here);
		if (json_is_true(json_object_get(pr, "absent")))
			printf("%s: not on the partner %s (nothing to delete; its "
			    "copies of the scopes disabled)\n", name, pm);
		else if (json_is_true(json_object_get(pr, "done")))
			printf("%s: deleted on the partner %s (its copies of the "
			    "scopes disabled)\n", name, pm);
		else
			printf("%s: the partner %s was NOT reached: delete it there "
			    "when it answers (dhcpfoctl --server %s failover delete "
			    "%s)\n", name, pm, pm, name);
	} else {
		printf("%s: %s on %s\n", name, method, here);
		printf("%s: %s on the partner %s%s\n", name, method, pm,
		    strcmp(method, "failover.add_scopes") == 0 ? " (the scopes' "
		    "configuration copied first)" : " (its copies of the scopes "
		    "disabled)");
	}
}

/* The change on both sides by the server: one call with
 * partner_management; the answer when both are done. */
static int
run_by_server(const struct cmd *c, json_t *params, const char *socket,
    double timeout)
{
	const struct cli_remote *mine = rpc_get_remote();
	struct side here = { mine, socket, mine ? mine->name : "this server",
	    timeout < 60 ? 60 : timeout };	/* the partner's calls too */
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *p = own_params(params), *res;
	int code, rc;

	json_object_set(p, "partner_management", json_object_get(params,
	    "partner"));
	if (json_object_get(params, "force") != NULL)
		json_object_set_new(p, "force", json_true());
	res = side_call(&here, c->method, p, &code, 0);
	json_decref(p);
	if (res == NULL)
		return code ? CLI_EXIT_SERVER : CLI_EXIT_CONNECT;
	print_pair(c->method, name, here.label, res);
	rc = json_object_get(res, "warning") != NULL ? CLI_EXIT_SERVER : CLI_EXIT_OK;
	json_decref(res);
	return rc;
}

/* Each scope's configuration made equal on the partner (the partner's
 * failover.create needs its scopes to exist): 0, or 1 when one failed. */
static int
copy_scopes(struct side *here, struct side *partner, json_t *scopes, int *calls)
{
	json_t *sub, *a, *b;
	size_t i;
	int rc, failed = 0;

	json_array_foreach(scopes, i, sub) {
		const char *subnet = json_string_value(sub);

		if ((a = scope_config(here, subnet, &rc)) == NULL ||
		    (b = scope_config(partner, subnet, &rc)) == NULL) {
			json_decref(a);
			return 1;
		}
		if (replicate_scope(partner, subnet, a, b, calls) == -1)
			failed = 1;
		json_decref(a);
		json_decref(b);
	}
	return failed;
}

int
run_fo_create_pair(const struct cmd *c, json_t *params, const char *socket,
    double timeout)
{
	const struct cli_remote *mine = rpc_get_remote();
	struct side here = { mine, socket, mine ? mine->name : "this server", timeout };
	struct side partner = { NULL, NULL, NULL, timeout };
	const char *name = json_string_value(json_object_get(params, "name"));
	const char *type;
	struct cli_remote pr;
	json_t *p, *res;
	int code, calls = 0, failed;

	if (by_server(params))
		return run_by_server(c, params, socket, timeout);

	if (partner_side(params, &partner, &pr) == -1)
		return CLI_EXIT_USAGE;
	p = own_params(params);
	res = side_call(&here, "failover.create", p, &code, 0);
	if (res == NULL) {
		json_decref(p);
		rpc_set_remote(mine);
		return code ? CLI_EXIT_SERVER : CLI_EXIT_CONNECT;
	}
	type = json_string_value(json_object_get(res, "server_type"));
	printf("%s: created on %s (%s)\n", name, here.label, type ? type : "?");
	/* the scopes' configuration first: the partner's failover.create
	 * needs its scopes to exist */
	failed = copy_scopes(&here, &partner, json_object_get(p, "scopes"), &calls);
	if (!failed) {
		json_object_set_new(p, "server_type", json_string(type != NULL &&
		    strcmp(type, "primary") == 0 ? "secondary" : "primary"));
		json_t *pres = side_call(&partner, "failover.create", p, &code, 0);

		if (pres == NULL)
			failed = 1;
		else
			printf("%s: created on the partner %s (%s), its scopes' "
			    "configuration copied (%d call%s)\n", name, partner.label,
			    json_string_value(json_object_get(pres, "server_type")),
			    calls, calls == 1 ? "" : "s");
		json_decref(pres);
	}
	if (failed)
		printf("%s: created on %s only: NOT on the partner %s (the reason "
		    "is above); retry with `failover create ... --partner`, or "
		    "`failover delete %s --partner` to undo\n", name, here.label,
		    partner.label, name);
	json_decref(res);
	json_decref(p);
	rpc_set_remote(mine);
	return failed ? CLI_EXIT_SERVER : CLI_EXIT_OK;
}

int
run_fo_delete_pair(const struct cmd *c, json_t *params, const char *socket,
    double timeout)
{
	const struct cli_remote *mine = rpc_get_remote();
	struct side here = { mine, socket, mine ? mine->name : "this server", timeout };
	struct side partner = { NULL, NULL, NULL, timeout };
	const char *name = json_string_value(json_object_get(params, "name"));
	struct cli_remote pr;
	json_t *p, *res;
	int code, bad = 0;

	if (by_server(params))
		return run_by_server(c, params, socket, timeout);

	if (partner_side(params, &partner, &pr) == -1)
		return CLI_EXIT_USAGE;
	p = own_params(params);
	if ((res = side_call(&here, "failover.delete", p, &code, 1)) != NULL)
		printf("%s: deleted on %s\n", name, here.label);
	else if (code == 20115)
		printf("%s: not on %s (nothing to delete)\n", name, here.label);
	else {
		if (code)
			printf("%s: NOT deleted on %s: refused (error %d)\n", name,
			    here.label, code);
		else
			printf("%s: NOT deleted on %s: no answer\n", name,
			    here.label);
		bad = 1;
	}
	json_decref(res);
	if ((res = side_call(&partner, "failover.delete", p, &code, 1)) != NULL)
		printf("%s: deleted on the partner %s\n", name, partner.label);
	else if (code == 20115)
		printf("%s: not on the partner %s (nothing to delete)\n", name,
		    partner.label);
	else {
		if (code)
			printf("%s: the partner %s refused the delete (error %d)\n",
			    name, partner.label, code);
		else
			printf("%s: the partner %s was NOT reached: delete it there "
			    "when it answers (dhcpfoctl --server %s failover delete "
			    "%s)\n", name, partner.label, partner.label, name);
		bad = 1;
	}
	json_decref(res);
	json_decref(p);
	rpc_set_remote(mine);
	return bad ? CLI_EXIT_SERVER : CLI_EXIT_OK;
}

/* failover add-scope / remove-scope --partner: here, then the partner (for
 * add, after copying the scopes' configuration there). */
static int
run_scopes_pair(json_t *params, const char *socket, double timeout,
    const char *method, int copy)
{
	const struct cli_remote *mine = rpc_get_remote();
	struct side here = { mine, socket, mine ? mine->name : "this server", timeout };
	struct side partner = { NULL, NULL, NULL, timeout };
	const char *name = json_string_value(json_object_get(params, "name"));
	struct cli_remote pr;
	json_t *p, *res, *sub;
	size_t i;
	int code, rc = CLI_EXIT_OK, calls = 0, failed = 0;

	if (partner_side(params, &partner, &pr) == -1)
		return CLI_EXIT_USAGE;
	p = own_params(params);
	if ((res = side_call(&here, method, p, &code, 0)) == NULL) {
		json_decref(p);
		rpc_set_remote(mine);
		return code ? CLI_EXIT_SERVER : CLI_EXIT_CONNECT;
	}
	json_decref(res);
	printf("%s: %s on %s\n", name, method, here.label);
	json_array_foreach(copy ? json_object_get(p, "scopes") : NULL, i, sub) {
		const char *subnet = json_string_value(sub);
		json_t *a, *b;

		if ((a = scope_config(&here, subnet, &rc)) == NULL ||
		    (b = scope_config(&partner, subnet, &rc)) == NULL) {
			json_decref(a);
			failed = 1;
			break;
		}
		if (replicate_scope(&partner, subnet, a, b, &calls) == -1)
			failed = 1;
		json_decref(a);
		json_decref(b);
	}
	if (!failed && (res = side_call(&partner, method, p, &code, 0)) != NULL) {
		printf("%s: %s on the partner %s%s\n", name, method, partner.label,
		    copy ? " (the scopes' configuration copied first)" : "");
		json_decref(res);
	} else {
		printf("%s: %s on %s only: NOT on the partner %s (the reason is "
		    "above)\n", name, method, here.label, partner.label);
		failed = 1;
	}
	json_decref(p);
	rpc_set_remote(mine);
	return failed ? CLI_EXIT_SERVER : CLI_EXIT_OK;
}

int
run_fo_add_scopes_pair(const struct cmd *c, json_t *params, const char *socket,
    double timeout)
{
	if (by_server(params))
		return run_by_server(c, params, socket, timeout);
	return run_scopes_pair(params, socket, timeout, "failover.add_scopes", 1);
}

int
run_fo_remove_scopes_pair(const struct cmd *c, json_t *params,
    const char *socket, double timeout)
{
	if (by_server(params))
		return run_by_server(c, params, socket, timeout);
	return run_scopes_pair(params, socket, timeout, "failover.remove_scopes", 0);
}

static const struct argdef a_rel[] = {
	{ "NAME", "name", T_STR, ARG_REQUIRED, NULL, "the relationship", NULL },
	END
};

static const struct argdef o_partner[] = {
	{ "partner", "partner", T_STR, 0, "HOST[:PORT]",
	    "the partner's management listener (mutual TLS, this command's "
	    "--cert, --key and --ca); replicate without it: the server pushes",
	    NULL },
	{ "partner-socket", "partner_socket", T_STR, 0, "PATH",
	    "the partner's Unix socket, when both run on this host", NULL },
	{ "scope", "scope", T_ADDR, 0, "SUBNET",
	    "this scope only, instead of every scope of the relationship", NULL },
	END
};

const struct cmd cli_fleet_cmds[] = {
	{ "failover", "diff", NULL, "Show field by field how the partner's "
	    "configuration of the relationship's scopes differs from this "
	    "server's.", a_rel, o_partner, NULL, NULL, 0, run_diff },
	{ "failover", "replicate", "failover.replicate", "Copy the "
	    "configuration of the relationship's scopes to the partner "
	    "(Invoke-DhcpServerv4FailoverReplication): the server does it "
	    "(failover.replicate), or this command with --partner.", a_rel,
	    o_partner, NULL, NULL, 0, run_replicate },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL }
};
