/* Rebalancing a relationship (SPEC §5.3): plan every scope with the pure
 * planner (rebal.h), apply the moves to the store, report what moved. */
#ifndef DHCPFOD_FO_REBAL_H
#define DHCPFOD_FO_REBAL_H

#include <jansson.h>

struct store;
struct fo_rel;

/* Rebalance every scope of rel in one transaction. threshold_pct 0 balances
 * exactly (the manual trigger); 5 leaves scopes within 5 % of their target
 * alone (the timer) and leaves them out of the result. Returns the SPEC §5.3
 * result object, or NULL with nothing changed on a storage error (store_errmsg
 * says why) or when the planner refuses its input (a broken invariant). */
json_t	*fo_rebalance_apply(struct store *, const struct fo_rel *,
	    unsigned threshold_pct);

#endif
