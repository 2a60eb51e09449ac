/* lease.* (SPEC §4.2): paged listing, lookup, deletion. */
#include <stdlib.h>

#include "ctl_cmd.h"
#include "daemon.h"
#include "err.h"
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
