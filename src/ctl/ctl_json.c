/* JSON forms of scopes, reservations, leases, relationships and statistics
 * (RPC.md §6.1 - §4.5). */
#include <string.h>

#include "ctl_drift.h"
#include "ctl_json.h"
#include "ctl_opt.h"
#include "fo.h"
#include "util.h"

json_t *
json_addr(uint32_t a)
{
	char buf[16];

	return json_string(addr_str(a, buf));
}

/* [{start, end}, ...] of an interval set. */
static json_t *
ivls_to_json(const struct ivlset *s)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < s->n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o}",
		    "start", json_addr(s->v[i].start), "end", json_addr(s->v[i].end)));
	return a;
}

json_t *
scope_to_json(const struct scope *sc)
{
	return json_pack("{s:o, s:o, s:i, s:s, s:{s:o, s:o}, s:I, s:s, s:o, s:o, s:o}",
	    "subnet", json_addr(sc->subnet), "mask", json_addr(sc->mask),
	    "prefix", mask_to_prefix(sc->mask), "name", sc->name,
	    "range", "start", json_addr(sc->range_start),
	    "end", json_addr(sc->range_end),
	    "lease_time", (json_int_t)sc->lease_time,
	    "state", sc->enabled ? "enabled" : "disabled",
	    "options", ctl_opt_to_json(&sc->options),
	    "exclusions", ivls_to_json(&sc->exclusions),
	    "relationship", sc->relationship[0] ? json_string(sc->relationship) :
	    json_null());
}

json_t *
resv_to_json(const struct reservation *r)
{
	char hw[64];

	return json_pack("{s:o, s:o, s:s, s:s}", "subnet", json_addr(r->subnet),
	    "address", json_addr(r->address),
	    "hwaddr", hwaddr_str(r->hwaddr, r->hwlen, hw), "name", r->name);
}

/* The four draft-12 bookkeeping times of failover.client_info (RPC.md §4). */
static void
lease_add_fo_times(json_t *o, const struct lease *l)
{
	json_object_set_new(o, "sent_pot_exp_time", json_integer(l->sent_pot_exp));
	json_object_set_new(o, "ack_pot_exp_time", json_integer(l->ack_pot_exp));
	json_object_set_new(o, "recv_pot_exp_time", json_integer(l->recv_pot_exp));
	json_object_set_new(o, "last_bndupd_time", json_integer(l->last_bndupd));
}

json_t *
lease_to_json(const struct lease *l, int with_fo)
{
	char hw[64], cid[2 * sizeof(l->client_id) + 1];
	json_t *o;

	o = json_pack("{s:o, s:o, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}",
	    "address", json_addr(l->address), "subnet", json_addr(l->subnet),
	    "hwaddr", hwaddr_str(l->hwaddr, l->hwlen, hw),
	    "client_id", hex_str(l->client_id, l->cidlen, cid),
	    "hostname", l->hostname, "state", lease_state_name(l->state),
	    "starts", (json_int_t)l->starts, "ends", (json_int_t)l->ends,
	    "cltt", (json_int_t)l->cltt, "owner", fo_role_name(l->owner));
	if (o != NULL && with_fo)
		lease_add_fo_times(o, l);
	return o;
}

json_t *
rel_to_json(const struct fo_rel *r)
{
	json_t *scopes = json_array(), *o, *drift = NULL;

	for (size_t i = 0; scopes != NULL && i < r->nscopes; i++)
		json_array_append_new(scopes, json_addr(r->scopes[i]));
	o = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:I, s:I, s:i, s:b, s:i, s:i, s:i, s:i, s:o}",
	    "name", r->name, "primary_server", json_addr(r->primary_server),
	    "secondary_server", json_addr(r->secondary_server),
	    "primary_server_name", r->primary_name,
	    "secondary_server_name", r->secondary_name,
	    "mode", fo_mode_name(r->mode), "server_type", fo_role_name(r->server_type),
	    "state", fo_state_name(r->state), "prev_state", fo_state_name(r->prev_state),
	    "partner_state", fo_state_name(r->partner_state),
	    "mclt", (json_int_t)r->mclt, "safe_period", (json_int_t)r->safe_period,
	    "percentage", (int)r->percentage,
	    "shared_secret_set", r->shared_secret[0] != '\0', "port", (int)r->port,
	    "load_balance_max_seconds", (int)r->lb_max_secs,
	    "max_response_delay", (int)r->max_response_delay,
	    "max_unacked_updates", (int)r->max_unacked, "scopes", scopes);
	/* the configuration drift checker's view (REMOTE.md §8), if it runs */
	if (o != NULL && (drift = ctl_drift_json(r->name)) != NULL)
		json_object_update(o, drift);
	json_decref(drift);
	return o;
}

json_t *
stats_to_json(uint32_t subnet, const struct scope_stats *s)
{
	return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "scope", json_addr(subnet), "num_addr", (json_int_t)s->num_addr,
	    "addr_free", (json_int_t)s->addr_free,
	    "addr_in_use", (json_int_t)s->addr_in_use,
	    "partner_addr_free", (json_int_t)s->partner_addr_free,
	    "this_addr_free", (json_int_t)s->this_addr_free,
	    "partner_addr_in_use", (json_int_t)s->partner_addr_in_use,
	    "this_addr_in_use", (json_int_t)s->this_addr_in_use);
}
