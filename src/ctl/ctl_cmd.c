/* The RPC method table (RPC.md §6, §4.2): one entry, one handler. */
#include <string.h>

#include "ctl_auth.h"
#include "ctl_cmd.h"
#include "daemon.h"
#include "err.h"
#include "fo.h"
#include "log.h"
#include "util.h"

static const struct ctl_method methods[] = {
	{ "scope.create",			m_scope_create },
	{ "scope.get",				m_scope_get },
	{ "scope.list",				m_scope_list },
	{ "scope.delete",			m_scope_delete },
	{ "scope.set",				m_scope_set },
	{ "scope.add_exclusion",		m_scope_add_exclusion },
	{ "scope.remove_exclusion",		m_scope_remove_exclusion },
	{ "reservation.add",			m_resv_add },
	{ "reservation.remove",			m_resv_remove },
	{ "reservation.list",			m_resv_list },
	{ "scope.config",			m_scope_config },
	{ "scope.config_hash",			m_scope_config_hash },
	{ "lease.list",				m_lease_list },
	{ "lease.get",				m_lease_get },
	{ "lease.delete",			m_lease_delete },
	{ "lease.add",				m_lease_add },
	{ "server.status",			m_server_status },
	{ "server.stats",			m_server_stats },
	{ "server.reload",			m_server_reload },
	{ "server.metrics",			m_server_metrics },
	{ "failover.create",			m_fo_create },
	{ "failover.set",			m_fo_set },
	{ "failover.delete",			m_fo_delete },
	{ "failover.get",			m_fo_get },
	{ "failover.list",			m_fo_list },
	{ "failover.add_scopes",		m_fo_add_scopes },
	{ "failover.remove_scopes",		m_fo_remove_scopes },
	{ "failover.scope_relationship",	m_fo_scope_relationship },
	{ "failover.scope_statistics",		m_fo_scope_statistics },
	{ "failover.client_info",		m_fo_client_info },
	{ "failover.system_time",		m_fo_system_time },
	{ "failover.address_status",		m_fo_address_status },
	{ "failover.trigger_addr_allocation",	m_fo_trigger },
	{ "failover.replicate",			m_fo_replicate },
	{ "failover.config",			m_fo_config },
	{ "failover.maintenance",		m_fo_maintenance },
	{ "failover.resync",			m_fo_resync },
};

size_t
ctl_method_count(void)
{
	return nitems(methods);
}

const char *
ctl_method_at(size_t i)
{
	return i < nitems(methods) ? methods[i].name : NULL;
}

const struct ctl_method *
ctl_method_find(const char *name)
{
	for (size_t i = 0; i < nitems(methods); i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

void
ctl_dispatch(struct ctl_req *r, const char *method, json_t *params)
{
	const struct ctl_method *m = ctl_method_find(method);

	if (m == NULL) {
		ctl_fail(r, ERR_RPC_METHOD_NOT_FOUND, "no method '%.100s'", method);
		return;
	}
	struct daemon *d = ctl_req_daemon(r);

	log_debug("ctl: %s", method);
	m->handler(r, params);
	fo_sync_if_changed(d->fo);	/* relationships may have changed */
}
