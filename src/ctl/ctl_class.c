/* The class of every RPC method (RPC.md §1.1): read-only methods are open to
 * the DHCP Users role, changes to DHCP Administrators only, and changes are
 * audited. A method in the table of ctl_cmd.c without a line here is a bug:
 * check_ctl_auth fails the build's tests, and until then the dispatcher
 * treats it as a change (fail closed). */
#include <string.h>

#include "ctl_auth.h"
#include "util.h"

static const struct {
	const char	*name;
	enum ctl_class	 cls;
} classes[] = {
	{ "scope.create",			CTL_CHANGE },
	{ "scope.get",				CTL_READ },
	{ "scope.list",				CTL_READ },
	{ "scope.delete",			CTL_CHANGE },
	{ "scope.set",				CTL_CHANGE },
	{ "scope.add_exclusion",		CTL_CHANGE },
	{ "scope.remove_exclusion",		CTL_CHANGE },
	{ "reservation.add",			CTL_CHANGE },
	{ "reservation.remove",			CTL_CHANGE },
	{ "reservation.list",			CTL_READ },
	{ "scope.config",			CTL_READ },
	{ "scope.config_hash",			CTL_READ },
	{ "lease.list",				CTL_READ },
	{ "lease.get",				CTL_READ },
	{ "lease.delete",			CTL_CHANGE },
	{ "lease.add",				CTL_CHANGE },
	{ "server.status",			CTL_READ },
	{ "server.stats",			CTL_READ },
	{ "server.reload",			CTL_CHANGE },
	{ "server.metrics",			CTL_READ },
	{ "failover.create",			CTL_CHANGE },
	{ "failover.set",			CTL_CHANGE },
	{ "failover.delete",			CTL_CHANGE },
	{ "failover.get",			CTL_READ },
	{ "failover.list",			CTL_READ },
	{ "failover.add_scopes",		CTL_CHANGE },
	{ "failover.remove_scopes",		CTL_CHANGE },
	{ "failover.scope_relationship",	CTL_READ },
	{ "failover.scope_statistics",		CTL_READ },
	{ "failover.client_info",		CTL_READ },
	{ "failover.system_time",		CTL_READ },
	{ "failover.address_status",		CTL_READ },
	{ "failover.trigger_addr_allocation",	CTL_CHANGE },
	{ "failover.replicate",			CTL_CHANGE },
	{ "failover.config",			CTL_READ },
	{ "failover.maintenance",		CTL_CHANGE },
	{ "failover.resync",			CTL_CHANGE },
};

enum ctl_class
ctl_method_class(const char *method)
{
	for (size_t i = 0; i < nitems(classes); i++)
		if (strcmp(classes[i].name, method) == 0)
			return classes[i].cls;
	return CTL_UNCLASSIFIED;
}

const char *
ctl_class_name(enum ctl_class c)
{
	switch (c) {
	case CTL_READ:
		return "read";
	case CTL_CHANGE:
		return "change";
	case CTL_UNCLASSIFIED:
		break;
	}
	return "unclassified";
}

size_t
ctl_class_count(void)
{
	return nitems(classes);
}

const char *
ctl_class_method(size_t i)
{
	return i < nitems(classes) ? classes[i].name : NULL;
}
