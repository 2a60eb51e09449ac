/* server.* (RPC.md §2-§5): status, counters, reload. */
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_cmd.h"
#include "ctl_param.h"
#include "daemon.h"
#include "err.h"
#include "fo.h"
#include "store_health.h"
#include "util.h"

/* Each relationship with this server's role, state and the partner's, and
 * the live link: connected, unacknowledged updates, clock skew. */
static json_t *
status_rels(struct daemon *d)
{
	struct store *st = d->store;
	struct fo_rel *v;
	json_t *a;
	size_t n;

	if (store_rel_list(st, &v, &n) == -1)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "name", v[i].name, "server_type", fo_role_name(v[i].server_type),
		    "mode", fo_mode_name(v[i].mode), "state", fo_state_name(v[i].state),
		    "partner_state", fo_state_name(v[i].partner_state));
		json_t *live = fo_status(d->fo, v[i].name);

		if (live != NULL)
			json_object_update(o, live);
		json_decref(live);
		json_array_append_new(a, o);
	}
	fo_rels_free(v, n);
	return a;
}

/* Whether the database takes durable writes, and if not since when and why. */
static json_t *
status_storage(struct store *st)
{
	const struct health *h = store_health(st);
	json_t *o = json_pack("{s:b, s:I}", "ok", h->ok,
	    "failures", (json_int_t)h->failures);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "error", h->ok ? json_null() : json_string(h->error));
	json_object_set_new(o, "kind", h->ok ? json_null() :
	    json_string(health_kind_label(h->kind)));
	json_object_set_new(o, "since", h->ok ? json_null() :
	    json_integer((json_int_t)h->since));
	json_object_set_new(o, "last_error", h->failures == 0 ? json_null() :
	    json_string(h->error));
	return o;
}

/* The counts of stored objects; null when the database cannot be read
 * (the storage object says why). */
static json_t *
status_counts(struct store *st)
{
	struct store_counts c;

	if (store_counts(st, &c) == -1)
		return json_null();
	return json_pack("{s:I, s:I, s:I, s:I}", "scopes", (json_int_t)c.scopes,
	    "relationships", (json_int_t)c.relationships,
	    "leases", (json_int_t)c.leases, "reservations", (json_int_t)c.reservations);
}

void
m_server_status(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { NULL };
	struct daemon *d = ctl_req_daemon(r);
	json_t *rels;
	char id[16];

	if (param_only(r, p, allowed) == -1)
		return;
	if ((rels = status_rels(d)) == NULL)
		rels = json_null();	/* unreadable: storage says why */
	ctl_reply(r, json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s,"
	    " s:o, s:o, s:o}",
	    "version", DHCPFOD_VERSION,
	    "uptime", (json_int_t)(time_mono() - d->started),
	    "time", (json_int_t)time_wall(), "pid", (json_int_t)d->pid,
	    "database", store_path(d->store), "control_socket", d->conf->control_socket,
	    "config", d->conf->path, "server_id", addr_str(daemon_server_id(d), id),
	    "counts", status_counts(d->store), "relationships", rels,
	    "storage", status_storage(d->store)));
}

/* {name: counter} for a counter array and its name function. */
static json_t *
counters(const uint64_t *v, int n, const char *(*name)(int), int from)
{
	json_t *o = json_object();

	for (int i = from; o != NULL && i < n; i++)
		json_object_set_new(o, name(i), json_integer((json_int_t)v[i]));
	return o;
}

void
m_server_stats(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { NULL };
	const struct stats *s = &ctl_req_daemon(r)->stats;

	if (param_only(r, p, allowed) == -1)
		return;
	ctl_reply(r, json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:{s:I, s:I, s:I}}",
	    "packets_received", counters(s->rx, STATS_DHCP_TYPES,
	    stats_dhcp_type_name, 0),
	    "packets_sent", counters(s->tx, STATS_DHCP_TYPES, stats_dhcp_type_name, 1),
	    "drops", counters(s->drops, DROP_NREASONS, stats_drop_name, 0),
	    "failover_drops", counters(s->fo_drops, FODROP_NREASONS,
	    stats_fo_drop_name, 0),
	    "leases_granted", (json_int_t)s->leases_granted,
	    "commit_batches", (json_int_t)s->commit_batches,
	    "rpc", "requests", (json_int_t)s->rpc_requests,
	    "errors", (json_int_t)s->rpc_errors,
	    "clients", (json_int_t)ctl_nclients(ctl_req_daemon(r)->ctl)));
}

void
m_server_reload(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { NULL };
	char err[512];

	if (param_only(r, p, allowed) == -1)
		return;
	if (daemon_reload(ctl_req_daemon(r), err, sizeof(err)) == -1)
		ctl_fail(r, ERR_INVALID_PARAMETER, "config not reloaded, the running "
		    "one stays: %s", err);
	else
		ctl_reply(r, json_pack("{s:b, s:s}", "reloaded", 1,
		    "config", ctl_req_daemon(r)->conf->path));
}
