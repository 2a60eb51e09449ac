/* failover.replicate (RPC.md §6.13, Invoke-DhcpServerv4FailoverReplication):
 * the configuration of a relationship's scopes, or of one scope, pushed to the
 * partner over its management listener by the drift checker's TLS client
 * (ctl_drift.c). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctl_cmd.h"
#include "ctl_drift.h"
#include "ctl_param.h"
#include "daemon.h"
#include "err.h"
#include "util.h"

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
	ctl_drift_replicate(r, name, subnets);	/* answers, now or later */
	json_decref(subnets);
}
