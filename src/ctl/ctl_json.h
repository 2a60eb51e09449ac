/* JSON forms of the stored objects, for the RPC handlers (ctl_json.c). */
#ifndef DHCPFOD_CTL_JSON_H
#define DHCPFOD_CTL_JSON_H

#include <stdint.h>

#include <jansson.h>

#include "store.h"

/* Each returns a new reference or NULL. */
json_t	*json_addr(uint32_t a);
json_t	*scope_to_json(const struct scope *);
json_t	*resv_to_json(const struct reservation *);
json_t	*lease_to_json(const struct lease *, int with_failover_times);
json_t	*rel_to_json(const struct fo_rel *);
json_t	*stats_to_json(uint32_t subnet, const struct scope_stats *);

#endif
