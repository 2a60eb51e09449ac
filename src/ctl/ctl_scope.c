/* scope.* and reservation.* (RPC.md §2-§5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_opt.h"
#include "ctl_param.h"
#include "daemon.h"
#include "err.h"
#include "util.h"

#define SCOPE_NAME_MAX	255	/* bytes */

/* Look a scope up by the "subnet" parameter: 0, or -1 after answering
 * 87 (malformed), 20005 (unknown) or 20013 (storage). */
static int
scope_param(struct ctl_req *r, json_t *p, struct scope *sc)
{
	uint32_t subnet;
	int rc;

	if (param_addr(r, p, "subnet", 1, &subnet) == -1)
		return -1;
	rc = store_scope_get(ctl_req_daemon(r)->store, subnet, sc);
	if (rc == STORE_NOTFOUND) {
		char a[16];

		ctl_fail(r, ERR_SUBNET_NOT_PRESENT, "no scope %s", addr_str(subnet, a));
	} else if (rc == -1)
		ctl_fail_store(r);
	return rc == 0 ? 0 : -1;
}

/* Answer with the scope as now stored. */
static void
reply_scope(struct ctl_req *r, uint32_t subnet)
{
	struct scope sc;

	if (store_scope_get(ctl_req_daemon(r)->store, subnet, &sc) != 0) {
		ctl_fail_store(r);
		return;
	}
	ctl_reply(r, scope_to_json(&sc));
	scope_fini(&sc);
}

/* mask or prefix: exactly one form, contiguous, /1 to /30. */
static int
mask_param(struct ctl_req *r, json_t *p, uint32_t *mask)
{
	uint64_t prefix;
	int rm, rp;

	if ((rm = param_addr(r, p, "mask", 0, mask)) == -1 ||
	    (rp = param_uint(r, p, "prefix", 0, 1, 30, &prefix)) == -1)
		return -1;
	if (rm == 1 && rp == 1) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "missing parameter 'mask' "
		    "(or 'prefix')");
		return -1;
	}
	if (rm == 1)
		*mask = prefix_to_mask((int)prefix);
	if (mask_to_prefix(*mask) < 1 || mask_to_prefix(*mask) > 30 ||
	    (rp == 0 && *mask != prefix_to_mask((int)prefix))) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'mask' must be a contiguous netmask "
		    "from /1 to /30 (and agree with 'prefix' if both are given)");
		return -1;
	}
	return 0;
}

/* The "range" object {start, end}: well-formed or 87. */
static int
range_param(struct ctl_req *r, json_t *p, uint32_t *start, uint32_t *end)
{
	json_t *rg = json_object_get(p, "range");

	if (!json_is_object(rg)) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "parameter 'range' must be an "
		    "object {\"start\": ADDRESS, \"end\": ADDRESS}");
		return -1;
	}
	if (param_addr(r, rg, "start", 1, start) == -1 ||
	    param_addr(r, rg, "end", 1, end) == -1)
		return -1;
	return 0;
}

/* A range of usable addresses of the subnet: inside it, not its network or
 * broadcast address, start <= end. 20023 otherwise. */
static int
range_check(struct ctl_req *r, uint32_t subnet, uint32_t mask, uint32_t start,
    uint32_t end, const char *what)
{
	uint32_t bcast = subnet | ~mask;
	char a[16], b[16];

	if (start > end || (start & mask) != subnet || (end & mask) != subnet ||
	    start == subnet || end == bcast) {
		ctl_fail(r, ERR_INVALID_RANGE, "%s %s-%s is not a range of usable "
		    "addresses of the subnet (start <= end, inside it, not its network "
		    "or broadcast address)", what, addr_str(start, a), addr_str(end, b));
		return -1;
	}
	return 0;
}

/* The optional settable fields shared by create and set; 0, or -1 answered. */
static int
scope_fields(struct ctl_req *r, json_t *p, struct scope *sc, int *nset)
{
	const char *name, *state;
	uint64_t lt;
	char err[256];
	json_t *opts;
	int rc;

	if ((rc = param_str(r, p, "name", 0, &name)) == -1)
		return -1;
	if (rc == 0) {
		if (strlen(name) > SCOPE_NAME_MAX) {
			ctl_fail(r, ERR_INVALID_PARAMETER, "'name' is longer than %d "
			    "bytes", SCOPE_NAME_MAX);
			return -1;
		}
		snprintf(sc->name, sizeof(sc->name), "%s", name);
		(*nset)++;
	}
	if ((rc = param_uint(r, p, "lease_time", 0, 1, UINT32_MAX, &lt)) == -1)
		return -1;
	if (rc == 0) {
		sc->lease_time = (uint32_t)lt;
		(*nset)++;
	}
	if ((rc = param_str(r, p, "state", 0, &state)) == -1)
		return -1;
	if (rc == 0) {
		if (strcmp(state, "enabled") != 0 && strcmp(state, "disabled") != 0) {
			ctl_fail(r, ERR_INVALID_PARAMETER, "'state' must be \"enabled\" "
			    "or \"disabled\"");
			return -1;
		}
		sc->enabled = strcmp(state, "enabled") == 0;
		(*nset)++;
	}
	if ((opts = json_object_get(p, "options")) != NULL && !json_is_null(opts)) {
		dhcp_optlist_free(&sc->options);
		if (ctl_opt_from_json(opts, &sc->options, err, sizeof(err)) == -1) {
			ctl_fail(r, ERR_INVALID_PARAMETER, "%s", err);
			return -1;
		}
		(*nset)++;
	}
	return 0;
}

/* Parse and check everything of scope.create but existence; 0 or -1 answered. */
static int
scope_create_params(struct ctl_req *r, json_t *p, struct scope *sc)
{
	static const char *const allowed[] = { "subnet", "mask", "prefix", "name",
	    "range", "lease_time", "options", "state", NULL };
	int nset = 0;

	if (param_only(r, p, allowed) == -1 ||
	    param_addr(r, p, "subnet", 1, &sc->subnet) == -1 ||
	    mask_param(r, p, &sc->mask) == -1 ||
	    range_param(r, p, &sc->range_start, &sc->range_end) == -1)
		return -1;
	if ((sc->subnet & sc->mask) != sc->subnet) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'subnet' is not the network address "
		    "of a /%d", mask_to_prefix(sc->mask));
		return -1;
	}
	sc->lease_time = 86400;
	sc->enabled = 1;
	return scope_fields(r, p, sc, &nset);
}

void
m_scope_create(struct ctl_req *r, json_t *p)
{
	struct store *st = ctl_req_daemon(r)->store;
	struct scope sc = { 0 };
	uint32_t other;
	char a[16];
	int rc;

	if (scope_create_params(r, p, &sc) == -1)
		goto done;
	if ((rc = store_scope_overlap(st, sc.subnet, sc.mask, &other)) == -1) {
		ctl_fail_store(r);
		goto done;
	}
	if (rc == 0) {
		ctl_fail(r, ERR_SUBNET_EXISTS, other == sc.subnet ? "scope %s exists" :
		    "scope %s overlaps this subnet", addr_str(other, a));
		goto done;
	}
	if (range_check(r, sc.subnet, sc.mask, sc.range_start, sc.range_end,
	    "range") == -1)
		goto done;
	if (store_scope_insert(st, &sc) == -1)
		ctl_fail_store(r);
	else
		reply_scope(r, sc.subnet);
done:
	scope_fini(&sc);
}

void
m_scope_get(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "subnet", NULL };
	struct scope sc;

	if (param_only(r, p, allowed) == -1 || scope_param(r, p, &sc) == -1)
		return;
	ctl_reply(r, scope_to_json(&sc));
	scope_fini(&sc);
}

void
m_scope_list(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { NULL };
	struct scope *v;
	json_t *a;
	size_t n;

	if (param_only(r, p, allowed) == -1)
		return;
	if (store_scope_list(ctl_req_daemon(r)->store, &v, &n) == -1) {
		ctl_fail_store(r);
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, scope_to_json(&v[i]));
	scopes_free(v, n);
	ctl_reply(r, json_pack("{s:o}", "scopes", a));
}

void
m_scope_delete(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "subnet", NULL };
	struct scope sc;
	char a[16];

	if (param_only(r, p, allowed) == -1 || scope_param(r, p, &sc) == -1)
		return;
	if (sc.relationship[0] != '\0')
		ctl_fail(r, ERR_FO_SCOPE_ALREADY_IN_REL, "scope %s is in failover "
		    "relationship '%s': remove it from the relationship first",
		    addr_str(sc.subnet, a), sc.relationship);
	else if (store_scope_delete(ctl_req_daemon(r)->store, sc.subnet) != 0)
		ctl_fail_store(r);
	else
		ctl_reply(r, json_object());
	scope_fini(&sc);
}

void
m_scope_set(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "subnet", "name", "lease_time",
	    "options", "state", NULL };
	struct scope sc;
	int nset = 0;

	if (param_only(r, p, allowed) == -1 || scope_param(r, p, &sc) == -1)
		return;
	if (scope_fields(r, p, &sc, &nset) == 0) {
		if (nset == 0)
			ctl_fail(r, ERR_INVALID_PARAMETER, "nothing to set: give any of "
			    "name, lease_time, options, state");
		else if (store_scope_update(ctl_req_daemon(r)->store, &sc) == -1)
			ctl_fail_store(r);
		else
			reply_scope(r, sc.subnet);
	}
	scope_fini(&sc);
}

/* subnet, start, end of an exclusion; 0 or -1 answered. */
static int
exclusion_params(struct ctl_req *r, json_t *p, struct scope *sc, uint32_t *start,
    uint32_t *end)
{
	static const char *const allowed[] = { "subnet", "start", "end", NULL };
	uint32_t subnet;

	if (param_only(r, p, allowed) == -1 ||
	    param_addr(r, p, "subnet", 1, &subnet) == -1 ||
	    param_addr(r, p, "start", 1, start) == -1 ||
	    param_addr(r, p, "end", 1, end) == -1)
		return -1;
	return scope_param(r, p, sc);
}

void
m_scope_add_exclusion(struct ctl_req *r, json_t *p)
{
	struct scope sc;
	uint32_t start, end;
	char a[16], b[16];

	if (exclusion_params(r, p, &sc, &start, &end) == -1)
		return;
	if (start > end || start < sc.range_start || end > sc.range_end)
		ctl_fail(r, ERR_INVALID_RANGE, "exclusion %s-%s must lie inside the "
		    "scope's range %s-%s", addr_str(start, a), addr_str(end, b),
		    addr_str(sc.range_start, a), addr_str(sc.range_end, b));
	else if (ivlset_overlaps(&sc.exclusions, start, end))
		ctl_fail(r, ERR_INVALID_RANGE, "exclusion %s-%s overlaps an existing "
		    "one", addr_str(start, a), addr_str(end, b));
	else if (store_exclusion_add(ctl_req_daemon(r)->store, sc.subnet, start,
	    end) == -1)
		ctl_fail_store(r);
	else
		reply_scope(r, sc.subnet);
	scope_fini(&sc);
}

void
m_scope_remove_exclusion(struct ctl_req *r, json_t *p)
{
	struct scope sc;
	uint32_t start, end;
	char a[16], b[16];
	int rc;

	if (exclusion_params(r, p, &sc, &start, &end) == -1)
		return;
	rc = store_exclusion_remove(ctl_req_daemon(r)->store, sc.subnet, start, end);
	if (rc == STORE_NOTFOUND)
		ctl_fail(r, ERR_FILE_NOT_FOUND, "scope has no exclusion %s-%s",
		    addr_str(start, a), addr_str(end, b));
	else if (rc == -1)
		ctl_fail_store(r);
	else
		reply_scope(r, sc.subnet);
	scope_fini(&sc);
}

/* Parameters of reservation.add; 0 or -1 answered. */
static int
resv_params(struct ctl_req *r, json_t *p, struct reservation *rv, struct scope *sc)
{
	static const char *const allowed[] = { "subnet", "address", "hwaddr", "name",
	    NULL };
	const char *name = "";

	if (param_only(r, p, allowed) == -1 ||
	    param_addr(r, p, "subnet", 1, &rv->subnet) == -1 ||
	    param_addr(r, p, "address", 1, &rv->address) == -1 ||
	    param_hwaddr(r, p, "hwaddr", 1, rv->hwaddr, &rv->hwlen) == -1 ||
	    param_str(r, p, "name", 0, &name) == -1)
		return -1;
	if (strlen(name) > SCOPE_NAME_MAX) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'name' is longer than %d bytes",
		    SCOPE_NAME_MAX);
		return -1;
	}
	snprintf(rv->name, sizeof(rv->name), "%s", name);
	return scope_param(r, p, sc);
}

/* The checks of reservation.add after the scope is known. */
static int
resv_check(struct ctl_req *r, struct reservation *rv, const struct scope *sc)
{
	struct store *st = ctl_req_daemon(r)->store;
	struct reservation old;
	char a[16];
	int rc;

	if ((rv->address & sc->mask) != sc->subnet || rv->address == sc->subnet ||
	    rv->address == (sc->subnet | ~sc->mask)) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "%s is not a usable address of "
		    "the scope", addr_str(rv->address, a));
		return -1;
	}
	if ((rc = store_resv_get(st, rv->address, &old)) == 0) {
		ctl_fail(r, ERR_RESERVEDIP_EXISTS, "%s is already reserved",
		    addr_str(rv->address, a));
		return -1;
	}
	if (rc == STORE_NOTFOUND &&
	    (rc = store_resv_get_hw(st, sc->subnet, rv->hwaddr, rv->hwlen, &old)) == 0) {
		ctl_fail(r, ERR_CLIENT_EXISTS, "that hardware address already has a "
		    "reservation in this scope (%s)", addr_str(old.address, a));
		return -1;
	}
	if (rc == -1)
		ctl_fail_store(r);
	return rc == -1 ? -1 : 0;
}

void
m_resv_add(struct ctl_req *r, json_t *p)
{
	struct reservation rv = { 0 };
	struct scope sc;

	if (resv_params(r, p, &rv, &sc) == -1)
		return;
	if (resv_check(r, &rv, &sc) == 0) {
		if (store_resv_add(ctl_req_daemon(r)->store, &rv) == -1)
			ctl_fail_store(r);
		else
			ctl_reply(r, resv_to_json(&rv));
	}
	scope_fini(&sc);
}

void
m_resv_remove(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "subnet", "address", "hwaddr", "name",
	    NULL };
	struct store *st = ctl_req_daemon(r)->store;
	struct reservation rv;
	struct scope sc;
	uint32_t addr;
	char a[16];
	int rc;

	if (param_only(r, p, allowed) == -1 ||
	    param_addr(r, p, "address", 1, &addr) == -1 || scope_param(r, p, &sc) == -1)
		return;
	rc = store_resv_get(st, addr, &rv);
	if (rc == 0 && rv.subnet != sc.subnet)
		rc = STORE_NOTFOUND;
	if (rc == 0)
		rc = store_resv_remove(st, addr);
	if (rc == STORE_NOTFOUND)
		ctl_fail(r, ERR_FILE_NOT_FOUND, "no reservation of %s in this scope",
		    addr_str(addr, a));
	else if (rc == -1)
		ctl_fail_store(r);
	else
		ctl_reply(r, json_object());
	scope_fini(&sc);
}

void
m_resv_list(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "subnet", NULL };
	struct reservation *v;
	struct scope sc;
	json_t *a;
	size_t n;

	if (param_only(r, p, allowed) == -1 || scope_param(r, p, &sc) == -1)
		return;
	if (store_resv_list(ctl_req_daemon(r)->store, sc.subnet, &v, &n) == -1)
		ctl_fail_store(r);
	else {
		a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, resv_to_json(&v[i]));
		free(v);
		ctl_reply(r, json_pack("{s:o}", "reservations", a));
	}
	scope_fini(&sc);
}
