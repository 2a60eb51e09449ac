/* failover.* (RPC.md §6): one handler per Windows DhcpV4Failover* function,
 * each running its checks in the order RPC.md §6 lists, first failure wins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmd.h"
#include "ctl_fo.h"
#include "ctl_json.h"
#include "ctl_param.h"
#include "daemon.h"
#include "err.h"
#include "fo.h"
#include "log.h"
#include "util.h"

#define FO_TEXT_MAX	255	/* bytes in server names and the shared secret */

/* Look a relationship up: 0, or -1 after answering 20115 / 20013. */
int
ctl_rel_lookup(struct ctl_req *r, const char *name, struct fo_rel *rel)
{
	int rc = store_rel_get(ctl_req_daemon(r)->store, name, rel);

	if (rc == STORE_NOTFOUND)
		ctl_fail(r, ERR_FO_REL_DOES_NOT_EXIST, "no failover relationship '%s'",
		    name);
	else if (rc == -1)
		ctl_fail_store(r);
	return rc == 0 ? 0 : -1;
}

/* The relationship of a method whose only parameter is its name: 0, or -1
 * after answering 87, 20115 or 20013. */
int
ctl_rel_named(struct ctl_req *r, json_t *p, struct fo_rel *rel)
{
	static const char *const allowed[] = { "name", NULL };
	const char *name;

	if (param_name(r, p, &name) == -1 || param_only(r, p, allowed) == -1)
		return -1;
	return ctl_rel_lookup(r, name, rel);
}

/* Answer with the relationship as now stored (ctl_fo.h). */
void
ctl_rel_reply(struct ctl_req *r, const char *name)
{
	struct fo_rel rel;

	if (store_rel_get(ctl_req_daemon(r)->store, name, &rel) != 0) {
		ctl_fail_store(r);
		return;
	}
	ctl_reply(r, rel_to_json(&rel));
	fo_rel_fini(&rel);
}

/* An optional enumerated field (mode, server_type, a state): 0 set, 1 absent,
 * -1 answered. */
static int
param_enum(struct ctl_req *r, json_t *p, const char *key, int (*parse)(const char *),
    const char *expect, int *out)
{
	const char *s;
	int rc;

	if ((rc = param_str(r, p, key, 0, &s)) != 0)
		return rc;
	if ((*out = parse(s)) < 0) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'%s' must be %s", key, expect);
		return -1;
	}
	return 0;
}

/* param_enum into a state, a mode, a role. */
static int
param_state(struct ctl_req *r, json_t *p, const char *key, const char *expect,
    enum fo_state *out)
{
	int v, rc = param_enum(r, p, key, fo_state_parse, expect, &v);

	if (rc == 0)
		*out = v;
	return rc;
}

static int
param_mode(struct ctl_req *r, json_t *p, enum fo_mode *out)
{
	int v, rc = param_enum(r, p, "mode", fo_mode_parse, "\"load-balance\" or "
	    "\"hot-standby\"", &v);

	if (rc == 0)
		*out = v;
	return rc;
}

static int
param_role(struct ctl_req *r, json_t *p, enum fo_role *out)
{
	int v, rc = param_enum(r, p, "server_type", fo_role_parse, "\"primary\" or "
	    "\"secondary\"", &v);

	if (rc == 0)
		*out = v;
	return rc;
}

/* An optional short text field copied into buf. */
static int
param_text(struct ctl_req *r, json_t *p, const char *key, char *buf, size_t len)
{
	const char *s;
	int rc;

	if ((rc = param_str(r, p, key, 0, &s)) != 0)
		return rc;
	if (strlen(s) > FO_TEXT_MAX) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'%s' is longer than %d bytes", key,
		    FO_TEXT_MAX);
		return -1;
	}
	snprintf(buf, len, "%s", s);
	return 0;
}

/* Names are shown in logs and tables: no control characters. */
static int
name_printable(struct ctl_req *r, const char *name)
{
	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		if (*s < 0x20 || *s == 0x7f) {
			ctl_fail(r, ERR_INVALID_PARAMETER, "'name' must not contain "
			    "control characters");
			return -1;
		}
	return 0;
}

/* This server's role when create does not say: the relationship address that
 * is this server's identifier. */
static int
derive_role(struct ctl_req *r, const struct fo_rel *rel, enum fo_role *role)
{
	uint32_t me = daemon_server_id(ctl_req_daemon(r));

	if (me != 0 && me == rel->primary_server)
		*role = FO_PRIMARY;
	else if (me != 0 && me == rel->secondary_server)
		*role = FO_SECONDARY;
	else {
		ctl_fail(r, ERR_INVALID_PARAMETER, "missing 'server_type' (\"primary\" "
		    "or \"secondary\"), and this server's identifier is neither the "
		    "primary_server nor the secondary_server");
		return -1;
	}
	return 0;
}

/* The numeric fields of create / set; nset counts the ones present. */
static int
rel_numbers(struct ctl_req *r, json_t *p, struct fo_rel *rel, int *nset)
{
	uint64_t v;
	int rc;

	if ((rc = param_uint(r, p, "percentage", 0, 0, 100, &v)) == -1)
		return -1;
	if (rc == 0 && ++*nset)
		rel->percentage = (unsigned)v;
	if ((rc = param_uint(r, p, "mclt", 0, 1, UINT32_MAX, &v)) == -1)
		return -1;
	if (rc == 0 && ++*nset)
		rel->mclt = (uint32_t)v;
	if ((rc = param_uint(r, p, "safe_period", 0, 0, UINT32_MAX, &v)) == -1)
		return -1;
	if (rc == 0 && ++*nset)
		rel->safe_period = (uint32_t)v;
	/* an extension: a client's secs field is 16 bits */
	if ((rc = param_uint(r, p, "load_balance_max_seconds", 0, 0, UINT16_MAX,
	    &v)) == -1)
		return -1;
	if (rc == 0 && ++*nset)
		rel->lb_max_secs = (unsigned)v;
	/* ISC's max-response-delay and max-unacked-updates; 0: the defaults */
	if ((rc = param_uint(r, p, "max_response_delay", 0, 0, 3600, &v)) == -1)
		return -1;
	if (rc == 0 && v > 0 && v < 3) {	/* CONTACT every third of it, 1 s ticks */
		ctl_fail(r, ERR_INVALID_PARAMETER, "'max_response_delay' must be 0 "
		    "(the default, 10 s) or 3..3600 seconds");
		return -1;
	}
	if (rc == 0 && ++*nset)
		rel->max_response_delay = (unsigned)v;
	if ((rc = param_uint(r, p, "max_unacked_updates", 0, 0, FO_WINDOW_MAX,
	    &v)) == -1)
		return -1;
	if (rc == 0 && ++*nset)
		rel->max_unacked = (unsigned)v;
	return 0;
}

/* Every parameter check of create that answers 87, in the order of RPC.md §6.2. */
static int
create_params(struct ctl_req *r, json_t *p, struct fo_rel *rel, const char **name)
{
	static const char *const allowed[] = { "name", "primary_server",
	    "secondary_server", "primary_server_name", "secondary_server_name", "mode",
	    "server_type", "mclt", "safe_period", "percentage", "shared_secret", "port",
	    "scopes", "load_balance_max_seconds", "state", "prev_state", "partner_state",
	    "shared_secret_set", "max_response_delay", "max_unacked_updates", NULL };
	int nset = 0, has_pct, rc_mode, rc_role;
	uint64_t port = FO_DEFAULT_PORT;

	if (param_name(r, p, name) == -1 || name_printable(r, *name) == -1 ||
	    param_addr(r, p, "primary_server", 1, &rel->primary_server) == -1 ||
	    param_addr(r, p, "secondary_server", 1, &rel->secondary_server) == -1 ||
	    param_addr_list(r, p, "scopes", FO_MAX_ADD_SCOPES, &rel->scopes,
	    &rel->nscopes) == -1)
		return -1;
	rel->mclt = FO_DEFAULT_MCLT;
	rel->lb_max_secs = FO_DEFAULT_LB_MAX_SECS;
	if (rel_numbers(r, p, rel, &nset) == -1)
		return -1;
	has_pct = json_object_get(p, "percentage") != NULL;
	if ((rc_mode = param_mode(r, p, &rel->mode)) == -1 ||
	    (rc_role = param_role(r, p, &rel->server_type)) == -1 ||
	    param_only(r, p, allowed) == -1 ||
	    param_text(r, p, "primary_server_name", rel->primary_name,
	    sizeof(rel->primary_name)) == -1 ||
	    param_text(r, p, "secondary_server_name", rel->secondary_name,
	    sizeof(rel->secondary_name)) == -1 ||
	    param_text(r, p, "shared_secret", rel->shared_secret,
	    sizeof(rel->shared_secret)) == -1 ||
	    param_uint(r, p, "port", 0, 1, 65535, &port) == -1)
		return -1;
	if (rc_mode == 1)
		rel->mode = FO_MODE_LOAD_BALANCE;
	if (!has_pct)
		rel->percentage = rel->mode == FO_MODE_HOT_STANDBY ? 5 : 50;
	rel->port = (uint16_t)port;
	if (rel->primary_server == rel->secondary_server) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "primary_server and secondary_server "
		    "must differ");
		return -1;
	}
	return rc_role == 1 ? derive_role(r, rel, &rel->server_type) : 0;
}

/* The existence checks of create after its parameters: 20005, 20125, 20128,
 * 20113, 20114, in the order of RPC.md §6.2. */
static int
create_checks(struct ctl_req *r, const struct fo_rel *rel, const char *name)
{
	struct store *st = ctl_req_daemon(r)->store;
	struct scope sc;
	struct fo_rel old;
	int64_t count;
	char a[16];
	int rc;

	for (size_t i = 0; i < rel->nscopes; i++) {
		if ((rc = store_scope_get(st, rel->scopes[i], &sc)) == STORE_NOTFOUND) {
			ctl_fail(r, ERR_SUBNET_NOT_PRESENT, "no scope %s",
			    addr_str(rel->scopes[i], a));
			return -1;
		}
		if (rc == -1)
			goto storage;
		scope_fini(&sc);
	}
	if (utf8_len(name) > FO_MAX_NAME) {
		ctl_fail(r, ERR_FO_REL_NAME_TOO_LONG, "a relationship name has at most "
		    "%d characters", FO_MAX_NAME);
		return -1;
	}
	if (store_rel_count(st, &count) == -1)
		goto storage;
	if (count >= FO_MAX_RELATIONSHIPS) {
		ctl_fail(r, ERR_FO_MAX_RELATIONSHIPS, "a server has at most %d failover "
		    "relationships", FO_MAX_RELATIONSHIPS);
		return -1;
	}
	for (size_t i = 0; i < rel->nscopes; i++) {
		if (store_scope_get(st, rel->scopes[i], &sc) != 0)
			goto storage;
		rc = sc.relationship[0] != '\0';
		if (rc)
			ctl_fail(r, ERR_FO_SCOPE_ALREADY_IN_REL, "scope %s is already in "
			    "relationship '%s'", addr_str(sc.subnet, a), sc.relationship);
		scope_fini(&sc);
		if (rc)
			return -1;
	}
	if ((rc = store_rel_get(st, name, &old)) == 0) {
		fo_rel_fini(&old);
		ctl_fail(r, ERR_FO_REL_EXISTS, "relationship '%s' exists", name);
		return -1;
	}
	if (rc == STORE_NOTFOUND)
		return 0;
storage:
	ctl_fail_store(r);
	return -1;
}

/* Whether subnet has an ACTIVE lease (reservations and exclusions are no
 * data); -1 on a storage error. */
static int
scope_leased(struct store *st, uint32_t subnet)
{
	struct lease *v;
	uint32_t from = 0;
	size_t n;
	int found = 0;

	do {
		if (store_lease_list(st, subnet, from, 256, &v, &n) == -1)
			return -1;
		for (size_t i = 0; i < n && !found; i++)
			found = v[i].state == LEASE_ACTIVE;
		if (n > 0)
			from = v[n - 1].address;
		free(v);
	} while (!found && n == 256);
	return found;
}

/* Whether any scope of rel has a client's lease: this server has the data
 * (MS-DHCPF 3.1.6.3; FAILOVER.md §5.1); -1 on a storage error. */
static int
scopes_leased(struct store *st, const struct fo_rel *rel)
{
	int rc = 0;

	for (size_t i = 0; i < rel->nscopes && rc == 0; i++)
		rc = scope_leased(st, rel->scopes[i]);
	return rc;
}

void
m_fo_create(struct ctl_req *r, json_t *p)
{
	struct fo_rel rel = { 0 };
	const char *name;
	int rc;

	if (create_params(r, p, &rel, &name) == -1 || create_checks(r, &rel, name) == -1)
		goto done;
	snprintf(rel.name, sizeof(rel.name), "%s", name);
	if ((rc = scopes_leased(ctl_req_daemon(r)->store, &rel)) == -1) {
		ctl_fail_store(r);
		goto done;
	}
	rel.state = fo_fsm_created(rc);
	rel.prev_state = FO_INIT;
	rel.partner_state = FO_NO_STATE;
	if (store_rel_insert(ctl_req_daemon(r)->store, &rel) == -1) {
		ctl_fail_store(r);
		goto done;
	}
	log_notice("failover %s: created (%s, this server %s, %zu scopes)", rel.name,
	    fo_mode_name(rel.mode), fo_role_name(rel.server_type), rel.nscopes);
	ctl_rel_reply(r, rel.name);
done:
	fo_rel_fini(&rel);
}

/* The fields of set, all checked before the lookup (Windows order). */
struct fo_set {
	struct fo_rel	 v;		/* values of the present fields */
	int		 nset;
	int		 has_state, has_prev, has_mode, has_secret;
};

static int
set_params(struct ctl_req *r, json_t *p, struct fo_set *s, const char **name)
{
	static const char *const allowed[] = { "name", "mclt", "safe_period", "state",
	    "percentage", "mode", "prev_state", "shared_secret",
	    "load_balance_max_seconds", "max_response_delay", "max_unacked_updates",
	    NULL };
	int rs, rp, rm, rx;

	if (param_name(r, p, name) == -1 || param_only(r, p, allowed) == -1 ||
	    rel_numbers(r, p, &s->v, &s->nset) == -1)
		return -1;
	if ((rs = param_state(r, p, "state", "a state name such as "
	    "\"PARTNER_DOWN\"", &s->v.state)) == -1 ||
	    (rp = param_state(r, p, "prev_state", "a state name",
	    &s->v.prev_state)) == -1 ||
	    (rm = param_mode(r, p, &s->v.mode)) == -1 ||
	    (rx = param_text(r, p, "shared_secret", s->v.shared_secret,
	    sizeof(s->v.shared_secret))) == -1)
		return -1;
	s->has_state = rs == 0;
	s->has_prev = rp == 0;
	s->has_mode = rm == 0;
	s->has_secret = rx == 0;
	s->nset += s->has_state + s->has_prev + s->has_mode + s->has_secret;
	if (s->has_state && s->v.state != FO_PARTNER_DOWN) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "an operator may only set 'state' to "
		    "\"PARTNER_DOWN\"%s; the partner protocol decides the others",
		    s->v.state == FO_PAUSED || s->v.state == FO_NORMAL ?
		    " (PAUSED and back: failover.maintenance start|cancel)" : "");
		return -1;
	}
	if (s->nset == 0) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "nothing to set: give any of mclt, "
		    "max_response_delay, max_unacked_updates, "
		    "safe_period, state, percentage, mode, prev_state, shared_secret, "
		    "load_balance_max_seconds");
		return -1;
	}
	return 0;
}

/* Copy the present fields of s into rel (all but state). */
static void
set_apply(json_t *p, const struct fo_set *s, struct fo_rel *rel)
{
	if (json_object_get(p, "percentage"))
		rel->percentage = s->v.percentage;
	if (json_object_get(p, "mclt"))
		rel->mclt = s->v.mclt;
	if (json_object_get(p, "safe_period"))
		rel->safe_period = s->v.safe_period;
	if (json_object_get(p, "load_balance_max_seconds"))
		rel->lb_max_secs = s->v.lb_max_secs;
	if (json_object_get(p, "max_response_delay"))
		rel->max_response_delay = s->v.max_response_delay;
	if (json_object_get(p, "max_unacked_updates"))
		rel->max_unacked = s->v.max_unacked;
	if (s->has_prev)
		rel->prev_state = s->v.prev_state;
	if (s->has_mode)
		rel->mode = s->v.mode;
	if (s->has_secret)
		memcpy(rel->shared_secret, s->v.shared_secret, sizeof(rel->shared_secret));
}

void
m_fo_set(struct ctl_req *r, json_t *p)
{
	struct store *st = ctl_req_daemon(r)->store;
	struct fo_set s = { 0 };
	struct fo_rel rel;
	const char *name;

	if (set_params(r, p, &s, &name) == -1 || ctl_rel_lookup(r, name, &rel) == -1)
		return;
	if (s.has_state && s.v.state != rel.state &&
	    !fo_operator_partner_down_ok(rel.state)) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "relationship '%s' is %s: the partner "
		    "is in contact, it cannot be declared down", rel.name,
		    fo_state_name(rel.state));
		goto done;
	}
	if (s.has_prev && !fo_operator_prev_state_ok(rel.state, rel.prev_state,
	    s.v.prev_state)) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "relationship '%s' is %s: 'prev_state' "
		    "%s %s", rel.name, fo_state_name(rel.state), fo_state_name(
		    s.v.prev_state), s.v.prev_state == FO_STARTUP ? "is never a "
		    "previous state" : "would be resumed without the partner's word; "
		    "only one that resumes RECOVER (NO_STATE, INIT, RECOVER, PAUSED, "
		    "SHUTDOWN) may be set in STARTUP, and PARTNER_DOWN is declared "
		    "with 'state'");
		goto done;
	}
	set_apply(p, &s, &rel);
	if (store_begin(st) == -1 || store_rel_update(st, &rel) != 0 ||
	    (s.has_state && fo_change_state(st, &rel, s.v.state, "operator") != 0) ||
	    store_commit(st) == -1) {
		store_rollback(st);
		ctl_fail_store(r);
		goto done;
	}
	ctl_rel_reply(r, rel.name);
done:
	fo_rel_fini(&rel);
}

void
m_fo_delete(struct ctl_req *r, json_t *p)
{
	struct fo_rel rel;

	if (ctl_rel_named(r, p, &rel) == -1)
		return;
	if (store_rel_delete(ctl_req_daemon(r)->store, rel.name) != 0)
		ctl_fail_store(r);
	else {
		log_notice("failover %s: deleted", rel.name);
		ctl_reply(r, json_object());
	}
	fo_rel_fini(&rel);
}

void
m_fo_get(struct ctl_req *r, json_t *p)
{
	struct fo_rel rel;
	json_t *o, *live;

	if (ctl_rel_named(r, p, &rel) == -1)
		return;
	o = rel_to_json(&rel);
	if ((live = fo_status(ctl_req_daemon(r)->fo, rel.name)) != NULL)
		json_object_update(o, live);	/* the link as it is now */
	json_decref(live);
	json_object_set_new(o, "state_since", json_integer((json_int_t)rel.stos));
	json_object_set_new(o, "history", fo_hist_json(rel.name));
	ctl_reply(r, o);
	fo_rel_fini(&rel);
}

/* A relationship for failover.list: the object, the live link, and the free
 * split over its scopes at a glance (this server's / the partner's). */
static json_t *
rel_list_entry(struct daemon *d, const struct fo_rel *rel)
{
	json_t *o = rel_to_json(rel), *live = fo_status(d->fo, rel->name);
	uint64_t mine = 0, theirs = 0;
	struct scope_stats s;

	if (live != NULL)
		json_object_update(o, live);
	json_decref(live);
	for (size_t k = 0; k < rel->nscopes; k++)
		if (store_scope_stats(d->store, rel->scopes[k], rel->server_type, &s) == 0) {
			mine += s.this_addr_free;
			theirs += s.partner_addr_free;
		}
	json_object_set_new(o, "this_addr_free", json_integer((json_int_t)mine));
	json_object_set_new(o, "partner_addr_free", json_integer((json_int_t)theirs));
	return o;
}

void
m_fo_list(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "resume", "max", NULL };
	uint64_t resume = 0, max = UINT32_MAX;
	struct fo_rel *v;
	json_t *a;
	size_t n, i;

	if (param_only(r, p, allowed) == -1 ||
	    param_uint(r, p, "resume", 0, 0, UINT32_MAX, &resume) == -1 ||
	    param_uint(r, p, "max", 0, 1, UINT32_MAX, &max) == -1)
		return;
	if (store_rel_list(ctl_req_daemon(r)->store, &v, &n) == -1) {
		ctl_fail_store(r);
		return;
	}
	if (resume >= n)
		ctl_fail(r, ERR_NO_MORE_ITEMS, "no relationships past %llu (there are "
		    "%zu)", (unsigned long long)resume, n);
	else {
		a = json_array();
		for (i = (size_t)resume; i < n && i - resume < max; i++)
			json_array_append_new(a, rel_list_entry(ctl_req_daemon(r), &v[i]));
		ctl_reply(r, json_pack("{s:o, s:I, s:I}", "relationships", a,
		    "resume", (json_int_t)i, "total", (json_int_t)n));
	}
	fo_rels_free(v, n);
}

/* The scope checks of add/remove: each scope exists (20005); for add, none is
 * in a relationship yet (20113). Returns 0 or -1 answered. */
static int
scopes_check(struct ctl_req *r, const uint32_t *scopes, size_t n, int adding)
{
	struct store *st = ctl_req_daemon(r)->store;
	struct scope sc;
	char a[16];
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = store_scope_get(st, scopes[i], &sc)) == STORE_NOTFOUND) {
			ctl_fail(r, ERR_SUBNET_NOT_PRESENT, "no scope %s",
			    addr_str(scopes[i], a));
			return -1;
		}
		if (rc == -1) {
			ctl_fail_store(r);
			return -1;
		}
		rc = adding && sc.relationship[0] != '\0';
		if (rc)
			ctl_fail(r, ERR_FO_SCOPE_ALREADY_IN_REL, "scope %s is already in "
			    "relationship '%s'", addr_str(sc.subnet, a), sc.relationship);
		scope_fini(&sc);
		if (rc)
			return -1;
	}
	return 0;
}

/* Scopes join or leave only while both servers can agree on them. */
int
ctl_rel_check_normal(struct ctl_req *r, const struct fo_rel *rel)
{
	if (rel->state == FO_NORMAL)
		return 0;
	ctl_fail(r, ERR_FO_STATE_NOT_NORMAL, "relationship '%s' is %s, not NORMAL: "
	    "the partner must be connected and synchronised", rel->name,
	    fo_state_name(rel->state));
	return -1;
}

/* Common front of add_scopes / remove_scopes: 87, 20005, (20113), 20115. */
static int
scope_change_front(struct ctl_req *r, json_t *p, int adding, struct fo_rel *rel,
    uint32_t **scopes, size_t *n)
{
	static const char *const allowed[] = { "name", "scopes", NULL };
	const char *name;

	if (param_name(r, p, &name) == -1 ||
	    param_addr_list(r, p, "scopes", FO_MAX_ADD_SCOPES, scopes, n) == -1)
		return -1;
	if (param_only(r, p, allowed) == -1 || scopes_check(r, *scopes, *n, adding) == -1 ||
	    ctl_rel_lookup(r, name, rel) == -1) {
		free(*scopes);
		return -1;
	}
	return 0;
}

void
m_fo_add_scopes(struct ctl_req *r, json_t *p)
{
	struct store *st = ctl_req_daemon(r)->store;
	struct fo_rel rel;
	uint32_t *scopes;
	size_t n, i;

	if (scope_change_front(r, p, 1, &rel, &scopes, &n) == -1)
		return;
	if (ctl_rel_check_normal(r, &rel) == 0) {
		if (store_begin(st) == -1)
			goto storage;
		for (i = 0; i < n; i++)
			if (store_rel_add_scope(st, rel.name, scopes[i]) != 0)
				break;
		/* the scopes' leases were never sent: every binding of the
		 * relationship goes to the partner (FAILOVER.md §5.6) */
		if (i < n || store_pending_mark_all(st, rel.name) == -1 ||
		    store_commit(st) == -1) {
			store_rollback(st);
			goto storage;
		}
		ctl_rel_reply(r, rel.name);
	}
	goto done;
storage:
	ctl_fail_store(r);
done:
	free(scopes);
	fo_rel_fini(&rel);
}

/* 20116 unless every scope belongs to rel. */
static int
scopes_in_rel(struct ctl_req *r, const struct fo_rel *rel, const uint32_t *scopes,
    size_t n)
{
	char a[16];

	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < rel->nscopes && rel->scopes[j] != scopes[i]; j++)
			;
		if (j == rel->nscopes) {
			ctl_fail(r, ERR_FO_SCOPE_NOT_IN_REL, "scope %s is not in "
			    "relationship '%s'", addr_str(scopes[i], a), rel->name);
			return -1;
		}
	}
	return 0;
}

void
m_fo_remove_scopes(struct ctl_req *r, json_t *p)
{
	struct store *st = ctl_req_daemon(r)->store;
	struct fo_rel rel;
	uint32_t *scopes;
	size_t n, i;

	if (scope_change_front(r, p, 0, &rel, &scopes, &n) == -1)
		return;
	if (scopes_in_rel(r, &rel, scopes, n) == 0 && ctl_rel_check_normal(r, &rel) == 0) {
		if (store_begin(st) == -1)
			goto storage;
		for (i = 0; i < n; i++)
			if (store_rel_remove_scope(st, scopes[i]) != 0)
				break;
		if (i < n || store_commit(st) == -1) {
			store_rollback(st);
			goto storage;
		}
		ctl_rel_reply(r, rel.name);
	}
	goto done;
storage:
	ctl_fail_store(r);
done:
	free(scopes);
	fo_rel_fini(&rel);
}
