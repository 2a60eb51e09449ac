/* dhcpfoctl: the command table of the server, scope, reservation and lease
 * commands and of `call` (RPC.md §2-§5, §7). Each entry names its RPC method and
 * its arguments; dhcpfoctl_args.c does the rest. */
#include <stdio.h>

#include "dhcpfoctl.h"

#define END	{ NULL, NULL, 0, 0, NULL, NULL, NULL }

/* ---- arguments shared by several commands ---- */

static const struct argdef no_args[] = { END };

static const struct argdef a_subnet[] = {
	{ "SUBNET", "subnet", T_ADDR, ARG_REQUIRED, NULL,
	    "the scope's subnet address", NULL },
	END
};

static const struct argdef a_exclusion[] = {
	{ "SUBNET", "subnet", T_ADDR, ARG_REQUIRED, NULL,
	    "the scope's subnet address", NULL },
	{ "START", "start", T_ADDR, ARG_REQUIRED, NULL,
	    "first excluded address", NULL },
	{ "END", "end", T_ADDR, ARG_REQUIRED, NULL, "last excluded address", NULL },
	END
};

static const struct argdef a_subnet_opt[] = {
	{ "SUBNET", "subnet", T_ADDR, 0, NULL,
	    "the scope's subnet address (default: every scope)", NULL },
	END
};

/* ---- call ---- */

static const struct argdef a_call[] = {
	{ "METHOD", "method", T_STR, ARG_REQUIRED, NULL,
	    "any RPC method, e.g. failover.get", NULL },
	{ "PARAMS", "params", T_JSONOBJ, 0, NULL,
	    "its params as a JSON object (default {})", NULL },
	END
};

/* ---- scope ---- */

static const struct argdef a_scope_create[] = {
	{ "SUBNET[/PREFIX]", "subnet", T_SUBNET, ARG_REQUIRED, NULL,
	    "the subnet address and its prefix length", NULL },
	END
};

static const struct argdef o_scope_create[] = {
	{ "mask", "mask", T_ADDR, 0, "MASK",
	    "netmask, instead of /PREFIX", NULL },
	{ "range", "range", T_RANGE, ARG_REQUIRED, "START END",
	    "the addresses the scope hands out", NULL },
	{ "name", "name", T_STR, 0, "NAME", "a description", NULL },
	{ "lease-time", "lease_time", T_UINT, 0, "S",
	    "lease duration in seconds (default 86400)", NULL },
	{ "option", "options", T_OPTION, ARG_MULTI, "NAME=VALUE",
	    "a DHCP option: routers=10.1.0.1,10.1.0.2, interface_mtu=1500, "
	    "252=0a0b (code=hex)", NULL },
	{ "options", "options", T_OPTJSON, 0, "JSON",
	    "options as a JSON object (RPC.md §2.5)", NULL },
	END
};

static const struct argdef o_scope_set[] = {
	{ "name", "name", T_STR, 0, "NAME", "a description", NULL },
	{ "lease-time", "lease_time", T_UINT, 0, "S", "lease duration in seconds",
	    NULL },
	{ "enable", "state", T_FLAG, 0, NULL, "serve the scope", "enabled" },
	{ "disable", "state", T_FLAG, 0, NULL, "stop serving the scope",
	    "disabled" },
	{ "option", "options", T_OPTION, ARG_MULTI, "NAME=VALUE",
	    "a DHCP option (the options given replace the scope's)", NULL },
	{ "options", "options", T_OPTJSON, 0, "JSON",
	    "options as a JSON object ({} clears them)", NULL },
	END
};

/* scope create needs the prefix length one way or the other. */
static int
check_scope_create(const struct cmd *c, json_t *params, char *err, size_t errlen)
{
	if (json_object_get(params, "prefix") != NULL ||
	    json_object_get(params, "mask") != NULL)
		return 0;
	snprintf(err, errlen, "missing prefix length: give SUBNET/PREFIX or "
	    "--mask MASK");
	return -1;
}

/* A set command must change something besides naming its object. */
int
cli_need_change(const struct cmd *c, json_t *params, char *err, size_t errlen)
{
	if (json_object_size(params) > 1)
		return 0;
	snprintf(err, errlen, "nothing to set: give at least one option (see "
	    "--help)");
	return -1;
}

/* ---- reservation ---- */

static const struct argdef a_resv_add[] = {
	{ "SUBNET", "subnet", T_ADDR, ARG_REQUIRED, NULL,
	    "the scope's subnet address", NULL },
	{ "ADDRESS", "address", T_ADDR, ARG_REQUIRED, NULL,
	    "the reserved address", NULL },
	{ "HWADDR", "hwaddr", T_HWADDR, ARG_REQUIRED, NULL,
	    "the client's hardware address", NULL },
	{ "NAME", "name", T_STR, 0, NULL, "a description", NULL },
	END
};

static const struct argdef a_resv_remove[] = {
	{ "SUBNET", "subnet", T_ADDR, ARG_REQUIRED, NULL,
	    "the scope's subnet address", NULL },
	{ "ADDRESS", "address", T_ADDR, ARG_REQUIRED, NULL,
	    "the reserved address", NULL },
	END
};

/* ---- lease ---- */

static const struct argdef a_lease_list[] = {
	{ "SUBNET", "subnet", T_ADDR, 0, NULL, "only this scope's leases", NULL },
	END
};

static const struct argdef o_lease_list[] = {
	{ "from", "from", T_ADDR, 0, "ADDR", "start after this address", NULL },
	{ "limit", "limit", T_UINT, 0, "N", "at most N leases (default 1000)",
	    NULL },
	END
};

static const struct argdef a_lease_get[] = {
	{ "ADDR|HWADDR", NULL, T_CLIENT, ARG_REQUIRED, NULL,
	    "the leased address or the client's hardware address", NULL },
	END
};

static const struct argdef a_lease_delete[] = {
	{ "ADDR", "address", T_ADDR, ARG_REQUIRED, NULL, "the leased address",
	    NULL },
	END
};

const struct cmd cli_cmds[] = {
	{ NULL, "call", NULL, "Send any RPC method and print its result as JSON.",
	    a_call, no_args, NULL, NULL, CMD_RAW_JSON, NULL },
	{ NULL, "status", "server.status", "Show the server's status and its "
	    "relationships.", no_args, no_args, NULL, NULL, 0, NULL },
	{ NULL, "stats", "server.stats", "Show the server's counters.",
	    no_args, no_args, NULL, NULL, 0, NULL },
	{ NULL, "metrics", "server.metrics", "Print the metrics in the "
	    "Prometheus text format.", no_args, no_args, NULL, NULL, 0, NULL },
	{ NULL, "reload", "server.reload", "Re-read the config file (as SIGHUP).",
	    no_args, no_args, NULL, NULL, 0, NULL },

	{ "scope", "create", "scope.create", "Create a scope.",
	    a_scope_create, o_scope_create, check_scope_create, NULL, 0, NULL },
	{ "scope", "list", "scope.list", "List the scopes.",
	    no_args, no_args, NULL, NULL, 0, NULL },
	{ "scope", "get", "scope.get", "Show a scope.",
	    a_subnet, no_args, NULL, NULL, 0, NULL },
	{ "scope", "delete", "scope.delete", "Delete a scope.",
	    a_subnet, no_args, NULL, NULL, 0, NULL },
	{ "scope", "set", "scope.set", "Change a scope.",
	    a_subnet, o_scope_set, cli_need_change, NULL, 0, NULL },
	{ "scope", "add-exclusion", "scope.add_exclusion",
	    "Exclude addresses of the scope's range.",
	    a_exclusion, no_args, NULL, NULL, 0, NULL },
	{ "scope", "remove-exclusion", "scope.remove_exclusion",
	    "Remove an exclusion.", a_exclusion, no_args, NULL, NULL, 0, NULL },
	{ "scope", "config", "scope.config", "Show scopes' canonical "
	    "configuration and its SHA-256 (RPC.md §2.6).",
	    a_subnet_opt, no_args, NULL, NULL, 0, NULL },

	{ "reservation", "add", "reservation.add",
	    "Reserve an address for a client.", a_resv_add, no_args, NULL, NULL, 0, NULL },
	{ "reservation", "remove", "reservation.remove", "Remove a reservation.",
	    a_resv_remove, no_args, NULL, NULL, 0, NULL },
	{ "reservation", "list", "reservation.list", "List a scope's reservations.",
	    a_subnet, no_args, NULL, NULL, 0, NULL },

	{ "lease", "list", "lease.list", "List leases, a page at a time.",
	    a_lease_list, o_lease_list, NULL, NULL, 0, NULL },
	{ "lease", "get", "lease.get", "Show a lease.",
	    a_lease_get, no_args, NULL, NULL, 0, NULL },
	{ "lease", "delete", "lease.delete", "Delete a lease.",
	    a_lease_delete, no_args, NULL, NULL, 0, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL }
};
