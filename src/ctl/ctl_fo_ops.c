/* failover.* operations on a running relationship (RPC.md §6): rebalancing
 * (DhcpV4FailoverTriggerAddrAllocation), planned maintenance and resync. */
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

/* The partner acknowledged every move (or the rebalance failed): answer. */
static void
trigger_done(void *arg, json_t *result, int code, const char *detail)
{
	struct ctl_req *r = arg;

	if (code == 0)
		ctl_reply(r, result);
	else
		ctl_fail(r, code, "%s", detail);
}

/*
 * failover.trigger_addr_allocation (RPC.md §6, §5.3): 87, 20115, 20117, 20120.
 * The moves are binding updates the partner acknowledges (fo_move.c); the
 * answer leaves when the last one is acknowledged.
 */
void
m_fo_trigger(struct ctl_req *r, json_t *p)
{
	struct fo_rel rel;

	if (ctl_rel_named(r, p, &rel) == -1)
		return;
	if (rel.server_type == FO_SECONDARY)
		ctl_fail(r, ERR_FO_REL_IS_SECONDARY, "this server is the secondary of "
		    "'%s': rebalancing runs on the primary", rel.name);
	else if (ctl_rel_check_normal(r, &rel) == 0)
		fo_trigger(ctl_req_daemon(r)->fo, rel.name, trigger_done, r);
	fo_rel_fini(&rel);
}

/* failover.maintenance {name, action "start"|"cancel"} (RPC.md §6.14;
 * draft-12 §9.15): 87, 20115, 20120; answers with the relationship. */
void
m_fo_maintenance(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "name", "action", NULL };
	const char *name, *action;
	struct fo_rel rel;
	char why[128];
	int start, code;

	if (param_name(r, p, &name) == -1 || param_only(r, p, allowed) == -1 ||
	    param_str(r, p, "action", 1, &action) == -1)
		return;
	start = strcmp(action, "start") == 0;
	if (!start && strcmp(action, "cancel") != 0) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'action' must be \"start\" or "
		    "\"cancel\"");
		return;
	}
	if (ctl_rel_lookup(r, name, &rel) == -1)
		return;
	code = fo_maintenance(ctl_req_daemon(r)->fo, rel.name, start, why,
	    sizeof(why));
	if (code != 0)
		ctl_fail(r, code, "%s", why);
	else {
		log_notice("failover %s: maintenance %s by the operator", rel.name,
		    start ? "started" : "cancelled");
		ctl_rel_reply(r, rel.name);
	}
	fo_rel_fini(&rel);
}

/* failover.resync {name} (RPC.md §6.15): every binding of the partner asked
 * for (UPDREQALL, draft-12 §7.4); answers at its UPDDONE: 87, 20115, 20120. */
void
m_fo_resync(struct ctl_req *r, json_t *p)
{
	struct fo_rel rel;

	if (ctl_rel_named(r, p, &rel) == -1)
		return;
	fo_resync(ctl_req_daemon(r)->fo, rel.name, trigger_done, r);
	fo_rel_fini(&rel);
}
