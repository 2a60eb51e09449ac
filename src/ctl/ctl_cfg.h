/* A scope's configuration in canonical form, its hash and the difference
 * between two of them (ctl_cfg.c; RPC.md §2.6): what replication copies and
 * what drift detection compares. Pure: no store, no I/O, so that the daemon
 * (scope.config) and dhcpfoctl (failover diff) use the same code. */
#ifndef DHCPFOD_CTL_CFG_H
#define DHCPFOD_CTL_CFG_H

#include <stddef.h>

#include <jansson.h>

#include "store.h"

#define CFG_HASH_LEN	64	/* hex digits of a SHA-256 */

/* The configuration of one scope: the scope.get object without its
 * relationship (state, not configuration), with its reservations sorted by
 * address (each without the redundant subnet). A new reference or NULL. */
json_t	*cfg_canon(const struct scope *, const struct reservation *, size_t n);
/* SHA-256 of the compact, key-sorted serialization of a canonical
 * configuration, in lowercase hex: 0, or -1. */
int	 cfg_hash(const json_t *canon, char out[CFG_HASH_LEN + 1]);
/* The fields in which two canonical configurations differ, an array of
 * { "field": PATH, "here": V|null, "partner": V|null } in field order;
 * PATH is "lease_time", "options.dns-servers", "exclusions",
 * "reservations.10.0.0.5" ... A missing side is null. A new reference. */
json_t	*cfg_diff(const json_t *here, const json_t *partner);

#endif
