/* The method table (ctl_cmd.c) and the handlers it points at, one per
 * method, in ctl_scope.c, ctl_lease.c, ctl_fo.c, ctl_server.c and
 * ctl_metrics.c. */
#ifndef DHCPFOD_CTL_CMD_H
#define DHCPFOD_CTL_CMD_H

#include <jansson.h>

#include "ctl_sock.h"

/* A handler answers exactly once (ctl_sock.h). */
typedef void (*ctl_handler)(struct ctl_req *, json_t *params);

struct ctl_method {
	const char	*name;
	ctl_handler	 handler;
};

/* The method table (ctl_cmd.c). NULL if unknown. */
const struct ctl_method *ctl_method_find(const char *name);
/* Run one parsed request: dispatch, or answer -32601. */
void	ctl_dispatch(struct ctl_req *, const char *method, json_t *params);

/* scope.* and reservation.* (ctl_scope.c) */
void	m_scope_create(struct ctl_req *, json_t *);
void	m_scope_get(struct ctl_req *, json_t *);
void	m_scope_list(struct ctl_req *, json_t *);
void	m_scope_delete(struct ctl_req *, json_t *);
void	m_scope_set(struct ctl_req *, json_t *);
void	m_scope_add_exclusion(struct ctl_req *, json_t *);
void	m_scope_remove_exclusion(struct ctl_req *, json_t *);
void	m_resv_add(struct ctl_req *, json_t *);
void	m_resv_remove(struct ctl_req *, json_t *);
void	m_resv_list(struct ctl_req *, json_t *);

/* scope.config, scope.config_hash (ctl_scope_cfg.c) */
void	m_scope_config(struct ctl_req *, json_t *);
void	m_scope_config_hash(struct ctl_req *, json_t *);

/* lease.* (ctl_lease.c) */
void	m_lease_list(struct ctl_req *, json_t *);
void	m_lease_get(struct ctl_req *, json_t *);
void	m_lease_delete(struct ctl_req *, json_t *);
void	m_lease_add(struct ctl_req *, json_t *);

/* failover.* (ctl_fo.c; the per-scope queries in ctl_fo_scope.c, trigger in ctl_fo_ops.c) */
void	m_fo_create(struct ctl_req *, json_t *);
void	m_fo_set(struct ctl_req *, json_t *);
void	m_fo_delete(struct ctl_req *, json_t *);
void	m_fo_get(struct ctl_req *, json_t *);
void	m_fo_list(struct ctl_req *, json_t *);
void	m_fo_add_scopes(struct ctl_req *, json_t *);
void	m_fo_remove_scopes(struct ctl_req *, json_t *);
void	m_fo_scope_relationship(struct ctl_req *, json_t *);
void	m_fo_scope_statistics(struct ctl_req *, json_t *);
void	m_fo_client_info(struct ctl_req *, json_t *);
void	m_fo_system_time(struct ctl_req *, json_t *);
void	m_fo_address_status(struct ctl_req *, json_t *);
void	m_fo_trigger(struct ctl_req *, json_t *);
/* failover.replicate (ctl_fo_repl.c) */
void	m_fo_replicate(struct ctl_req *, json_t *);
/* failover.maintenance, failover.resync (ctl_fo_ops.c) */
void	m_fo_maintenance(struct ctl_req *, json_t *);
void	m_fo_resync(struct ctl_req *, json_t *);

/* server.* (ctl_server.c) */
void	m_server_status(struct ctl_req *, json_t *);
void	m_server_stats(struct ctl_req *, json_t *);
void	m_server_reload(struct ctl_req *, json_t *);

/* server.metrics (ctl_metrics.c) */
void	m_server_metrics(struct ctl_req *, json_t *);

#endif
