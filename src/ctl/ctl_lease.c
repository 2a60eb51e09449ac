/* lease.* (RPC.md §2-§5): paged listing, lookup, deletion, and adding a lease
 * another server granted (migration). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_param.h"
#include "daemon.h"
#include "dhcp_pool.h"
#include "err.h"
#include "fo.h"
#include "util.h"

#define LEASE_LIST_DEFAULT	1000
#define LEASE_LIST_MAX		10000

/* Answer a lookup result: the lease, "not found" (20013) or a storage error. */
static void
reply_lease(struct ctl_req *r, int rc, const struct lease *l, int with_fo)
{
	if (rc == STORE_NOTFOUND)
		ctl_fail(r, ERR_JET_ERROR, "no lease found");
	else if (rc == -1)
		ctl_fail_store(r);
	else
		ctl_reply(r, lease_to_json(l, with_fo));
}

/* The optional subnet filter must name a scope. 0 or -1 answered. */
static int
subnet_filter(struct ctl_req *r, json_t *p, uint32_t *subnet)
{
	struct scope sc;
	char a[16];
	int rc;

	*subnet = 0;
	if ((rc = param_addr(r, p, "subnet", 0, subnet)) != 0)
		return rc == 1 ? 0 : -1;
	rc = store_scope_get(ctl_req_daemon(r)->store, *subnet, &sc);
	if (rc == 0)
		scope_fini(&sc);
	else if (rc == STORE_NOTFOUND)
		ctl_fail(r, ERR_SUBNET_NOT_PRESENT, "no scope %s", addr_str(*subnet, a));
	else
		ctl_fail_store(r);
	return rc == 0 ? 0 : -1;
}

void
m_lease_list(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "subnet", "from", "limit", NULL };
	uint32_t subnet, from = 0;
	uint64_t limit = LEASE_LIST_DEFAULT;
	struct lease *v;
	json_t *a, *next = NULL;
	size_t n;

	if (param_only(r, p, allowed) == -1 || subnet_filter(r, p, &subnet) == -1 ||
	    param_addr(r, p, "from", 0, &from) == -1 ||
	    param_uint(r, p, "limit", 0, 1, LEASE_LIST_MAX, &limit) == -1)
		return;
	/* one more than asked tells whether there is a next page */
	if (store_lease_list(ctl_req_daemon(r)->store, subnet, from, limit + 1, &v,
	    &n) == -1) {
		ctl_fail_store(r);
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n && i < limit; i++)
		json_array_append_new(a, lease_to_json(&v[i], 0));
	if (n > limit)
		next = json_addr(v[limit - 1].address);
	free(v);
	ctl_reply(r, json_pack("{s:o, s:o}", "leases", a, "next",
	    next ? next : json_null()));
}

void
m_lease_get(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "address", "hwaddr", NULL };
	struct store *st = ctl_req_daemon(r)->store;
	uint8_t hw[16], hwlen;
	uint32_t addr;
	struct lease l;
	int ra, rh;

	if (param_only(r, p, allowed) == -1 ||
	    (ra = param_addr(r, p, "address", 0, &addr)) == -1 ||
	    (rh = param_hwaddr(r, p, "hwaddr", 0, hw, &hwlen)) == -1)
		return;
	if (ra + rh != 1) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "give exactly one of 'address' and "
		    "'hwaddr'");
		return;
	}
	if (ra == 0)
		reply_lease(r, store_lease_get(st, addr, &l), &l, 0);
	else
		reply_lease(r, store_lease_get_hw(st, hw, hwlen, &l), &l, 0);
}

void
m_lease_delete(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "address", NULL };
	uint32_t addr;
	char a[16];
	int rc;

	if (param_only(r, p, allowed) == -1 ||
	    param_addr(r, p, "address", 1, &addr) == -1)
		return;
	rc = store_lease_delete(ctl_req_daemon(r)->store, addr);
	if (rc == STORE_NOTFOUND)
		ctl_fail(r, ERR_JET_ERROR, "no lease of %s", addr_str(addr, a));
	else if (rc == -1)
		ctl_fail_store(r);
	else
		ctl_reply(r, json_object());
}

/* client_id as hex ("01aabbccddeeff", colons allowed): 0 set, 1 absent, -1
 * answered. */
static int
param_cid(struct ctl_req *r, json_t *p, uint8_t *cid, uint8_t *len)
{
	static const char hex[] = "0123456789abcdef";
	const char *s;
	size_t n = 0;
	int rc;

	if ((rc = param_str(r, p, "client_id", 0, &s)) != 0)
		return rc;
	while (*s != '\0') {
		const char *hi, *lo;

		if (*s == ':') {
			s++;
			continue;
		}
		if (n == 255 || (hi = strchr(hex, tolower((unsigned char)s[0]))) == NULL ||
		    s[1] == '\0' || (lo = strchr(hex, tolower((unsigned char)s[1]))) == NULL) {
			ctl_fail(r, ERR_INVALID_PARAMETER, "'client_id' must be at most "
			    "255 bytes in hex");
			return -1;
		}
		cid[n++] = (uint8_t)((hi - hex) << 4 | (lo - hex));
		s += 2;
	}
	*len = (uint8_t)n;
	return 0;
}

/* Whether the existing row leaves room for this client's lease. */
static int
addr_takeable(const struct lease *old, const struct lease *l)
{
	if (lease_state_is_free(old->state))
		return 1;
	return old->state == LEASE_ACTIVE && old->hwlen == l->hwlen &&
	    memcmp(old->hwaddr, l->hwaddr, l->hwlen) == 0;
}

/* lease.add's parameters into l (ACTIVE from starts to ends); -1 answered. */
static int
add_params(struct ctl_req *r, json_t *p, struct lease *l)
{
	static const char *const allowed[] = { "address", "hwaddr", "client_id",
	    "hostname", "starts", "ends", "cltt", NULL };
	const char *host = NULL;
	uint64_t starts = 0, ends = 0, cltt = 0;
	int64_t now = time_wall();
	char a[16];

	if (param_only(r, p, allowed) == -1 ||
	    param_addr(r, p, "address", 1, &l->address) == -1 ||
	    param_hwaddr(r, p, "hwaddr", 1, l->hwaddr, &l->hwlen) == -1 ||
	    param_cid(r, p, l->client_id, &l->cidlen) == -1 ||
	    param_str(r, p, "hostname", 0, &host) == -1 ||
	    param_uint(r, p, "starts", 0, 0, UINT32_MAX, &starts) == -1 ||
	    param_uint(r, p, "ends", 1, 1, UINT32_MAX, &ends) == -1 ||
	    param_uint(r, p, "cltt", 0, 0, UINT32_MAX, &cltt) == -1)
		return -1;
	if (host != NULL && strlen(host) >= sizeof(l->hostname)) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'hostname' is over 255 bytes");
		return -1;
	}
	if ((int64_t)ends <= now) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "the lease of %s has already ended",
		    addr_str(l->address, a));
		return -1;
	}
	if (host != NULL)
		snprintf(l->hostname, sizeof(l->hostname), "%s", host);
	l->state = LEASE_ACTIVE;
	l->starts = starts ? (int64_t)starts : now;
	l->ends = (int64_t)ends;
	l->cltt = cltt ? (int64_t)cltt : l->starts;
	return 0;
}

/* The scope of l's address, which must hold it in its range, not excluded;
 * in a failover scope this server is the one that leased it and the partner
 * hears of it. -1 answered. */
static int
add_scope(struct ctl_req *r, struct store *st, struct lease *l)
{
	struct scope sc;
	char a[16];
	int rc;

	if ((rc = store_scope_find(st, l->address, &sc)) != 0) {
		if (rc == -1)
			ctl_fail_store(r);
		else
			ctl_fail(r, ERR_SUBNET_NOT_PRESENT, "no scope holds %s",
			    addr_str(l->address, a));
		return -1;
	}
	l->subnet = sc.subnet;
	rc = l->address < sc.range_start || l->address > sc.range_end ||
	    ivlset_contains(&sc.exclusions, l->address);
	if (rc == 0 && sc.relationship[0] != '\0') {
		struct fo_rel rel;

		if (store_rel_get(st, sc.relationship, &rel) != 0) {
			scope_fini(&sc);
			ctl_fail_store(r);
			return -1;
		}
		l->owner = rel.server_type;	/* the one that leased it: us */
		l->fo_sync = 1;
		fo_rel_fini(&rel);
	}
	scope_fini(&sc);
	if (rc) {
		ctl_fail(r, ERR_INVALID_RANGE, "%s is outside the scope's range or "
		    "excluded", addr_str(l->address, a));
		return -1;
	}
	return 0;
}

/* Whether l's address is free for its client: not reserved for another,
 * not leased to another. -1 answered. */
static int
add_free(struct ctl_req *r, struct store *st, const struct lease *l)
{
	struct reservation rv;
	struct lease old;
	char a[16];
	int rc;

	if ((rc = store_resv_get(st, l->address, &rv)) == -1) {
		ctl_fail_store(r);
		return -1;
	}
	if (rc == 0 && (rv.hwlen != l->hwlen ||
	    memcmp(rv.hwaddr, l->hwaddr, l->hwlen))) {
		ctl_fail(r, ERR_RESERVEDIP_EXISTS, "%s is reserved for another client",
		    addr_str(l->address, a));
		return -1;
	}
	if ((rc = store_lease_get(st, l->address, &old)) == -1) {
		ctl_fail_store(r);
		return -1;
	}
	if (rc == 0 && !addr_takeable(&old, l)) {
		ctl_fail(r, ERR_CLIENT_EXISTS, "%s is %s for another client",
		    addr_str(l->address, a), lease_state_name(old.state));
		return -1;
	}
	return 0;
}

/* lease.add: a lease this server did not grant, imported from another
 * server's database (scripts/dhcpd-import): ACTIVE for the client until
 * `ends`, and in a failover scope a binding update for the partner. */
void
m_lease_add(struct ctl_req *r, json_t *p)
{
	struct daemon *d = ctl_req_daemon(r);
	struct store *st = d->store;
	struct lease l = { 0 };

	if (add_params(r, p, &l) == -1 || add_scope(r, st, &l) == -1 ||
	    add_free(r, st, &l) == -1)
		return;
	if (store_begin(st) == -1 ||
	    store_lease_put(st, &l, LEASE_BY_OPERATOR) == -1 ||
	    store_commit(st) == -1) {
		store_rollback(st);
		ctl_fail_store(r);
		return;
	}
	if (d->pool != NULL && pool_loaded(d->pool)) {	/* the engine's view */
		struct pool_scope *ps = pool_scope_of(d->pool, l.address);

		if (ps != NULL)
			pool_take(ps, l.address);
		pool_due_add(d->pool, l.address, l.ends);
	}
	if (l.fo_sync)
		fo_kick(d->fo);
	ctl_reply(r, lease_to_json(&l, 0));
}
