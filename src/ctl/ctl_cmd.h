/* Internal to the RPC handlers: JSON forms of the stored objects and the
 * handlers the method table (ctl_cmd.c) points at. */
#ifndef DHCPFOD_CTL_CMD_H
#define DHCPFOD_CTL_CMD_H

#include <jansson.h>

#include "ctl.h"
#include "store.h"

/* JSON forms (ctl_json.c); each returns a new reference or NULL. */
json_t	*json_addr(uint32_t a);
json_t	*scope_to_json(const struct scope *);
json_t	*resv_to_json(const struct reservation *);
json_t	*lease_to_json(const struct lease *, int with_failover_times);
json_t	*rel_to_json(const struct fo_rel *);
json_t	*stats_to_json(uint32_t subnet, const struct scope_stats *);

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

/* lease.* (ctl_lease.c) */
void	m_lease_list(struct ctl_req *, json_t *);
void	m_lease_get(struct ctl_req *, json_t *);
void	m_lease_delete(struct ctl_req *, json_t *);
void	m_lease_add(struct ctl_req *, json_t *);

/* failover.* (ctl_fo.c) */
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

/* server.* (ctl_server.c) */
void	m_server_status(struct ctl_req *, json_t *);
void	m_server_stats(struct ctl_req *, json_t *);
void	m_server_reload(struct ctl_req *, json_t *);

/* server.metrics (ctl_metrics.c) */
void	m_server_metrics(struct ctl_req *, json_t *);

#endif
