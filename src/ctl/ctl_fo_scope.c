/* failover.* queries about one scope or address (RPC.md §6): the scope's
 * relationship and statistics, a client's binding, the server time and an
 * address's failover status (DhcpV4FailoverGetScopeRelationship and friends). */
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

/* The scope named by the "scope" parameter: 87, 20005. */
static int
scope_of_param(struct ctl_req *r, json_t *p, struct scope *sc)
{
	static const char *const allowed[] = { "scope", NULL };
	uint32_t subnet;
	char a[16];
	int rc;

	if (param_addr(r, p, "scope", 1, &subnet) == -1 || param_only(r, p, allowed) == -1)
		return -1;
	rc = store_scope_get(ctl_req_daemon(r)->store, subnet, sc);
	if (rc == STORE_NOTFOUND)
		ctl_fail(r, ERR_SUBNET_NOT_PRESENT, "no scope %s", addr_str(subnet, a));
	else if (rc == -1)
		ctl_fail_store(r);
	return rc == 0 ? 0 : -1;
}

void
m_fo_scope_relationship(struct ctl_req *r, json_t *p)
{
	struct scope sc;
	char a[16];

	if (scope_of_param(r, p, &sc) == -1)
		return;
	if (sc.relationship[0] == '\0')
		ctl_fail(r, ERR_FO_SCOPE_NOT_IN_REL, "scope %s is in no failover "
		    "relationship", addr_str(sc.subnet, a));
	else
		ctl_rel_reply(r, sc.relationship);
	scope_fini(&sc);
}

/* Which role this server has for a scope: that of its relationship, or
 * FO_ROLE_NONE. */
static int
scope_role(struct ctl_req *r, const struct scope *sc, enum fo_role *role)
{
	struct fo_rel rel;

	*role = FO_ROLE_NONE;
	if (sc->relationship[0] == '\0')
		return 0;
	if (store_rel_get(ctl_req_daemon(r)->store, sc->relationship, &rel) != 0) {
		ctl_fail_store(r);
		return -1;
	}
	*role = rel.server_type;
	fo_rel_fini(&rel);
	return 0;
}

void
m_fo_scope_statistics(struct ctl_req *r, json_t *p)
{
	struct scope_stats stats;
	struct scope sc;
	enum fo_role role;

	if (scope_of_param(r, p, &sc) == -1)
		return;
	if (scope_role(r, &sc, &role) == 0) {
		if (store_scope_stats(ctl_req_daemon(r)->store, sc.subnet, role,
		    &stats) != 0)
			ctl_fail_store(r);
		else
			ctl_reply(r, stats_to_json(sc.subnet, &stats));
	}
	scope_fini(&sc);
}

void
m_fo_client_info(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "address", "hwaddr", "hostname", NULL };
	struct store *st = ctl_req_daemon(r)->store;
	uint8_t hw[16], hwlen;
	const char *host;
	uint32_t addr;
	struct lease l;
	int ra, rh, rn, rc;

	if (param_only(r, p, allowed) == -1 ||
	    (ra = param_addr(r, p, "address", 0, &addr)) == -1 ||
	    (rh = param_hwaddr(r, p, "hwaddr", 0, hw, &hwlen)) == -1 ||
	    (rn = param_str(r, p, "hostname", 0, &host)) == -1)
		return;
	if (ra + rh + rn != 2 || (rn == 0 && *host == '\0')) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "give exactly one of 'address', "
		    "'hwaddr' and 'hostname' (not empty)");
		return;
	}
	rc = ra == 0 ? store_lease_get(st, addr, &l) : rh == 0 ?
	    store_lease_get_hw(st, hw, hwlen, &l) : store_lease_get_host(st, host, &l);
	if (rc == STORE_NOTFOUND)
		ctl_fail(r, ERR_JET_ERROR, "no such client");
	else if (rc == -1)
		ctl_fail_store(r);
	else
		ctl_reply(r, lease_to_json(&l, 1));
}

void
m_fo_system_time(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { NULL };

	if (param_only(r, p, allowed) == -1)
		return;
	ctl_reply(r, json_pack("{s:I, s:i}", "time", (json_int_t)time_wall(),
	    "max_allowed_delta", FO_MAX_CLOCK_SKEW));
}

/* Who owns a free address without a row: the run that holds it. */
static int
rowless_owner(struct store *st, uint32_t subnet, uint32_t addr, int *owner)
{
	struct rebal_run *runs;
	size_t n, lo = 0, hi;

	if (store_free_runs(st, subnet, &runs, &n) != 0)
		return -1;
	*owner = -1;
	for (hi = n; lo < hi;) {
		size_t mid = (lo + hi) / 2;

		if (runs[mid].end < addr)
			lo = mid + 1;
		else if (runs[mid].start > addr)
			hi = mid;
		else {
			*owner = runs[mid].owner;
			break;
		}
	}
	free(runs);
	return 0;
}

static const char *const addr_status_names[] = {
	"primary", "secondary", "excluded", "reserved"
};

/* RPC.md §6 address_status: 0 primary, 1 secondary, 2 excluded, 3 reserved;
 * a leased address reports the server that leased it. */
static int
address_status(struct ctl_req *r, const struct scope *sc, uint32_t addr, int *status)
{
	struct store *st = ctl_req_daemon(r)->store;
	struct reservation rv;
	struct lease l;
	int rc;

	if (ivlset_contains(&sc->exclusions, addr)) {
		*status = 2;
		return 0;
	}
	if ((rc = store_resv_get(st, addr, &rv)) == 0) {
		*status = 3;
		return 0;
	}
	if (rc == STORE_NOTFOUND && (rc = store_lease_get(st, addr, &l)) == 0) {
		*status = l.state == LEASE_BACKUP ? FO_SECONDARY :
		    l.state == LEASE_FREE ? FO_PRIMARY : l.owner;
		return 0;
	}
	if (rc == -1 || rowless_owner(st, sc->subnet, addr, status) == -1) {
		ctl_fail_store(r);
		return -1;
	}
	return 0;
}

void
m_fo_address_status(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "address", NULL };
	struct store *st = ctl_req_daemon(r)->store;
	struct reservation rv;
	struct scope sc;
	uint32_t addr;
	char a[16];
	int rc, status;

	if (param_addr(r, p, "address", 1, &addr) == -1 || param_only(r, p, allowed) == -1)
		return;
	if ((rc = store_scope_find(st, addr, &sc)) == -1) {
		ctl_fail_store(r);
		return;
	}
	if (rc == 0 && (addr < sc.range_start || addr > sc.range_end) &&
	    store_resv_get(st, addr, &rv) != 0) {
		scope_fini(&sc);
		rc = STORE_NOTFOUND;
	}
	if (rc == STORE_NOTFOUND) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "no scope holds %s",
		    addr_str(addr, a));
		return;
	}
	if (sc.relationship[0] == '\0')
		ctl_fail(r, ERR_FO_SCOPE_NOT_IN_REL, "scope %s is in no failover "
		    "relationship", addr_str(sc.subnet, a));
	else if (address_status(r, &sc, addr, &status) == 0)
		ctl_reply(r, json_pack("{s:o, s:i, s:s}", "address", json_addr(addr),
		    "status", status, "status_name", addr_status_names[status & 3]));
	scope_fini(&sc);
}
