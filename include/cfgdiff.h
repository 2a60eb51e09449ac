/* The SHA-256 of a scope's canonical configuration and the difference
 * between two of them (src/common/cfgdiff.c; RPC.md §2.6): what drift
 * detection compares and what `dhcpfoctl failover diff` prints. Pure: no
 * store, no I/O. The canonical form itself is ctl_cfg.c's cfg_canon. */
#ifndef DHCPFOD_CFGDIFF_H
#define DHCPFOD_CFGDIFF_H

#include <jansson.h>

#define CFG_HASH_LEN	64	/* hex digits of a SHA-256 */

/* SHA-256 of the compact, key-sorted serialization of a canonical
 * configuration, in lowercase hex: 0, or -1. */
int	 cfg_hash(const json_t *canon, char out[CFG_HASH_LEN + 1]);
/* The fields in which two canonical configurations differ, an array of
 * { "field": PATH, "here": V|null, "partner": V|null } in field order;
 * objects are compared member by member, anything else (the exclusions
 * list, a number) as one field. PATH is "lease_time",
 * "options.domain_name", "exclusions", "reservations.10.0.0.5" ... A
 * missing side is null. A new reference. */
json_t	*cfg_diff(const json_t *here, const json_t *partner);

/* The difference between two failover.config answers (RPC.md §6.17): the
 * fields of their "config" in which they differ, as cfg_diff says them,
 * and "server_type" when both servers have the same role. */
json_t	*cfg_rel_diff(const json_t *here, const json_t *partner);

/* The calls that make the partner's configuration b of subnet equal to a
 * (b NULL or json null: the partner lacks the scope), in order: an array of
 * {"method", "params"} — scope.create, scope.set, scope.remove_exclusion /
 * add_exclusion, reservation.remove / add; [] when equal. NULL with err
 * when the mask or range differ (scope.set cannot change them). */
json_t	*cfg_plan(const char *subnet, const json_t *a, const json_t *b,
	    char *err, size_t errlen);

#endif
