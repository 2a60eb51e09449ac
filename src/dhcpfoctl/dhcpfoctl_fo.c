/* dhcpfoctl: the failover commands, one per failover.* method (RPC.md §6, §7). */
#include <stdio.h>

#include "dhcpfoctl.h"
#include "err.h"

#define END	{ NULL, NULL, 0, 0, NULL, NULL, NULL }

static const struct argdef no_args[] = { END };

static const struct argdef a_name[] = {
	{ "NAME", "name", T_STR, ARG_REQUIRED, NULL, "the relationship's name",
	    NULL },
	END
};

static const struct argdef a_name_scopes[] = {
	{ "NAME", "name", T_STR, ARG_REQUIRED, NULL, "the relationship's name",
	    NULL },
	{ "SUBNET", "scopes", T_ADDRS, ARG_REQUIRED | ARG_MULTI, NULL,
	    "scopes' subnet addresses", NULL },
	END
};

static const struct argdef a_maint[] = {
	{ "start|cancel", "action", T_STR, ARG_REQUIRED, NULL,
	    "start: hand every client to the partner (PAUSED); cancel: back to "
	    "NORMAL", NULL },
	{ "NAME", "name", T_STR, ARG_REQUIRED, NULL, "the relationship's name",
	    NULL },
	END
};

static const struct argdef a_scope[] = {
	{ "SUBNET", "scope", T_ADDR, ARG_REQUIRED, NULL,
	    "the scope's subnet address", NULL },
	END
};

static const struct argdef a_address[] = {
	{ "ADDR", "address", T_ADDR, ARG_REQUIRED, NULL, "an address of a scope",
	    NULL },
	END
};

static const struct argdef o_create[] = {
	{ "primary", "primary_server", T_ADDR, ARG_REQUIRED, "ADDR",
	    "the primary server's address", NULL },
	{ "secondary", "secondary_server", T_ADDR, ARG_REQUIRED, "ADDR",
	    "the secondary server's address", NULL },
	{ "role", "server_type", T_ROLE, 0, "primary|secondary",
	    "this server's role (default: the one whose address is its "
	    "server-id)", NULL },
	{ "mode", "mode", T_MODE, 0, "load-balance|hot-standby",
	    "default load-balance", NULL },
	{ "percentage", "percentage", T_UINT, 0, "N",
	    "load-balance: the primary's share (default 50); hot-standby: the "
	    "standby's reserve (default 5)", NULL },
	{ "mclt", "mclt", T_UINT, 0, "S",
	    "maximum client lead time in seconds (default 3600)", NULL },
	{ "safe-period", "safe_period", T_UINT, 0, "S",
	    "seconds in COMMUNICATION_INT before PARTNER_DOWN (0: never)", NULL },
	{ "lb-max-seconds", "load_balance_max_seconds", T_UINT, 0, "S",
	    "in NORMAL, answer any client that has waited more than S seconds "
	    "(its secs field), whatever the hash (default 3; 0: never)", NULL },
	{ "max-response-delay", "max_response_delay", T_UINT, 0, "S",
	    "seconds of silence before the link counts as lost, advertised to the "
	    "partner (ISC's max-response-delay; 0: 10, the default)", NULL },
	{ "max-unacked-updates", "max_unacked_updates", T_UINT, 0, "N",
	    "binding updates the partner may send before waiting for an "
	    "acknowledgement, advertised in CONNECT (ISC's max-unacked-updates; "
	    "1..128, 0: dhcpfod's choice)", NULL },
	{ "secret", "shared_secret", T_STR, 0, "X",
	    "shared secret authenticating the partners' messages", NULL },
	{ "primary-name", "primary_server_name", T_STR, 0, "N",
	    "the primary's name", NULL },
	{ "secondary-name", "secondary_server_name", T_STR, 0, "N",
	    "the secondary's name", NULL },
	{ "port", "port", T_UINT, 0, "P", "the partner's failover port "
	    "(default 647)", NULL },
	{ "scope", "scopes", T_ADDRS, ARG_REQUIRED | ARG_MULTI, "SUBNET",
	    "scopes of the relationship: the words up to the next option; "
	    "may repeat", NULL },
	{ "partner", "partner", T_STR, 0, "IPV4[:PORT]", "the server creates "
	    "its partner's copy there too, with the scopes' configuration "
	    "(partner_management, REMOTE.md section 9)", NULL },
	{ "partner-socket", "partner_socket", T_STR, 0, "PATH",
	    "this command does it, the partner on this host", NULL },
	{ "console", "console", T_FLAG, 0, NULL, "with --partner: this command "
	    "calls both servers itself (REMOTE.md section 7)", "1" },
	END
};

static const struct argdef o_partner_too[] = {
	{ "partner", "partner", T_STR, 0, "IPV4[:PORT]", "the server does the "
	    "same on its partner there (add: the scopes' configuration copied "
	    "first; remove: the partner's copies disabled; REMOTE.md section "
	    "9)", NULL },
	{ "partner-socket", "partner_socket", T_STR, 0, "PATH",
	    "this command does it, the partner on this host", NULL },
	{ "console", "console", T_FLAG, 0, NULL, "with --partner: this command "
	    "calls both servers itself (REMOTE.md section 7)", "1" },
	END
};

static const struct argdef o_delete[] = {
	{ "partner", "partner", T_STR, 0, "IPV4[:PORT]", "the server deletes "
	    "its partner's copy there too, and disables the partner's copies "
	    "of the scopes (REMOTE.md section 9)", NULL },
	{ "force", "force", T_FLAG, 0, NULL, "with --partner: delete here even "
	    "when the partner cannot be reached (exit 1, a warning)", "1" },
	{ "partner-socket", "partner_socket", T_STR, 0, "PATH",
	    "this command does it, the partner on this host", NULL },
	{ "console", "console", T_FLAG, 0, NULL, "with --partner: this command "
	    "calls both servers itself (REMOTE.md section 7)", "1" },
	END
};

static const struct argdef o_set[] = {
	{ "percentage", "percentage", T_UINT, 0, "N",
	    "load-balance: the primary's share; hot-standby: the standby's "
	    "reserve", NULL },
	{ "mclt", "mclt", T_UINT, 0, "S", "maximum client lead time in seconds",
	    NULL },
	{ "safe-period", "safe_period", T_UINT, 0, "S",
	    "seconds in COMMUNICATION_INT before PARTNER_DOWN (0: never)", NULL },
	{ "lb-max-seconds", "load_balance_max_seconds", T_UINT, 0, "S",
	    "in NORMAL, answer any client that has waited more than S seconds "
	    "(0: never)", NULL },
	{ "state", "state", T_STATE, 0, "STATE",
	    "PARTNER_DOWN declares the partner down", NULL },
	{ "prev-state", "prev_state", T_STATE, 0, "STATE", "the previous state",
	    NULL },
	{ "mode", "mode", T_MODE, 0, "load-balance|hot-standby", "the mode",
	    NULL },
	{ "max-response-delay", "max_response_delay", T_UINT, 0, "S",
	    "seconds of silence before the link counts as lost, advertised to the "
	    "partner (ISC's max-response-delay; 0: 10, the default)", NULL },
	{ "max-unacked-updates", "max_unacked_updates", T_UINT, 0, "N",
	    "binding updates the partner may send before waiting for an "
	    "acknowledgement, advertised in CONNECT (ISC's max-unacked-updates; "
	    "1..128, 0: dhcpfod's choice)", NULL },
	{ "secret", "shared_secret", T_STR, 0, "X", "shared secret (\"\": none)",
	    NULL },
	END
};

static const struct argdef o_list[] = {
	{ "resume", "resume", T_UINT, 0, "N", "start at the N-th relationship",
	    NULL },
	{ "max", "max", T_UINT, 0, "N", "at most N relationships", NULL },
	END
};

static const struct argdef a_client[] = {
	{ "ADDR|HWADDR", NULL, T_CLIENT, 0, NULL,
	    "the client's address or hardware address", NULL },
	END
};

static const struct argdef o_client[] = {
	{ "hostname", "hostname", T_STR, 0, "NAME", "the client's host name",
	    NULL },
	END
};

/* client-info names its client exactly one way. */
static int
check_client(const struct cmd *c, json_t *params, char *err, size_t errlen)
{
	if (json_object_size(params) == 1)
		return 0;
	snprintf(err, errlen, "give exactly one of ADDR, HWADDR and --hostname "
	    "NAME");
	return -1;
}

/* ERROR_NO_MORE_ITEMS for the first page only means there is none. */
static int
list_onerr(const struct cmd *c, json_t *params, int code, json_t **result)
{
	json_t *resume = json_object_get(params, "resume");

	if (code != ERR_NO_MORE_ITEMS ||
	    (resume != NULL && json_integer_value(resume) != 0))
		return -1;
	*result = json_pack("{s:[], s:i, s:i}", "relationships", "resume", 0,
	    "total", 0);
	return CLI_EXIT_OK;
}

const struct cmd cli_fo_cmds[] = {
	{ "failover", "create", "failover.create",
	    "Create a failover relationship.", a_name, o_create, NULL, NULL, 0,
	    run_fo_create_pair },
	{ "failover", "set", "failover.set", "Change a relationship.",
	    a_name, o_set, cli_need_change, NULL, 0, NULL },
	{ "failover", "delete", "failover.delete", "Delete a relationship.",
	    a_name, o_delete, NULL, NULL, 0, run_fo_delete_pair },
	{ "failover", "get", "failover.get", "Show a relationship.",
	    a_name, no_args, NULL, NULL, 0, NULL },
	{ "failover", "list", "failover.list", "List the relationships.",
	    no_args, o_list, NULL, list_onerr, 0, NULL },
	{ "failover", "add-scope", "failover.add_scopes",
	    "Add scopes to a relationship.", a_name_scopes, o_partner_too, NULL,
	    NULL, 0,
	    run_fo_add_scopes_pair },
	{ "failover", "remove-scope", "failover.remove_scopes",
	    "Remove scopes from a relationship.", a_name_scopes, o_partner_too,
	    NULL, NULL, 0, run_fo_remove_scopes_pair },
	{ "failover", "scope-relationship", "failover.scope_relationship",
	    "Show the relationship of a scope.", a_scope, no_args, NULL, NULL, 0, NULL },
	{ "failover", "stats", "failover.scope_statistics",
	    "Show a scope's address counts on both servers.", a_scope, no_args,
	    NULL, NULL, 0, NULL },
	{ "failover", "address-status", "failover.address_status",
	    "Show which server owns an address.", a_address, no_args, NULL, NULL,
	    0, NULL },
	{ "failover", "client-info", "failover.client_info",
	    "Show a client's lease with its failover times.", a_client, o_client,
	    check_client, NULL, 0, NULL },
	{ "failover", "time", "failover.system_time",
	    "Show the server's clock and the allowed skew.", no_args, no_args, NULL,
	    NULL, 0, NULL },
	{ "failover", "rebalance", "failover.trigger_addr_allocation",
	    "Rebalance the free addresses between the partners.",
	    a_name, no_args, NULL, NULL, 0, NULL },
	{ "failover", "trigger-addr-allocation", "failover.trigger_addr_allocation",
	    "Same as rebalance.", a_name, no_args, NULL, NULL, 0, NULL },
	{ "failover", "maintenance", "failover.maintenance",
	    "Planned maintenance: the partner serves every client meanwhile.",
	    a_maint, no_args, NULL, NULL, 0, NULL },
	{ "failover", "resync", "failover.resync",
	    "Ask the partner for every binding (UPDREQALL), serving on.",
	    a_name, no_args, NULL, NULL, 0, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL }
};
