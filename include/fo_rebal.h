/*
 * The rebalancing planner of FAILOVER.md §11, a pure function: given the free
 * addresses of one scope as runs with their owner, the mode and the percentage,
 * decide which addresses move between primary (FREE) and secondary (BACKUP).
 * No I/O, no storage: the store computes the runs, fo_* applies the moves.
 */
#ifndef DHCPFOD_FO_REBAL_H
#define DHCPFOD_FO_REBAL_H

#include <stddef.h>
#include <stdint.h>

#include "lease.h"	/* enum fo_role */

/* A run of consecutive free addresses [start, end] all owned by `owner`.
 * Runs are sorted by start and never overlap; reserved, excluded and leased
 * addresses are never inside a run. */
struct rebal_run {
	uint32_t	start;
	uint32_t	end;
	enum fo_role	owner;
};

/* One move: addresses [start, end] change owner to `to`. */
struct rebal_move {
	uint32_t	start;
	uint32_t	end;
	enum fo_role	to;
};

/* The plan for one scope. Counts are uint64_t: a /0 would hold 2^32. */
struct rebal_plan {
	uint64_t	 free;			/* F */
	uint64_t	 primary_free;		/* now */
	uint64_t	 secondary_free;	/* now */
	uint64_t	 primary_target;
	uint64_t	 secondary_target;
	uint64_t	 to_secondary;		/* FREE -> BACKUP */
	uint64_t	 to_primary;		/* BACKUP -> FREE */
	uint64_t	 held;			/* kept from moving by the giver's
						 * reserve (rebal_plan_scope_kept) */
	struct rebal_move *moves;		/* owned by the plan */
	size_t		 nmoves;
};

/* The addresses each side has in use in the scope (leased, offered,
 * awaiting the partner: lease rows not free, by the server that leased
 * them), for the reserves of the automatic rebalance. */
struct rebal_used {
	uint64_t	primary;
	uint64_t	secondary;
};

/* secondary_target = floor(F * share / 100), primary_target = F - that.
 * share is the secondary's percentage (fo_secondary_share()); > 100 is clamped. */
void	rebal_targets(uint64_t free, unsigned share, uint64_t *primary_target,
	    uint64_t *secondary_target);

/* Plan one scope. FREE -> BACKUP moves take the primary's highest addresses,
 * BACKUP -> FREE moves the secondary's lowest, so each side's share stays
 * contiguous where it can; moves come sorted by start. 0 on success, -1 on
 * bad input (unsorted or overlapping
 * runs, bad owner) or allocation failure; `out` is then left empty. */
int	rebal_plan_scope(const struct rebal_run *runs, size_t nruns, unsigned share,
	    struct rebal_plan *out);
/* The automatic forms (FAILOVER.md §11: the timer, entering NORMAL, POOLREQ):
 * rebal_plan_scope, except that a side never gives away the free addresses
 * its share of the scope still owes it. With N the scope's free addresses
 * plus both sides' in use, rebal_targets(N) is what each side is entitled
 * to; a side's reserve is that less what it has in use, at most what it has
 * free. So a server that took more than its share (a starvation flood) is
 * not fed its partner's reserve; plan->held counts what was kept back. */
int	rebal_plan_scope_kept(const struct rebal_run *runs, size_t nruns,
	    unsigned share, const struct rebal_used *used, struct rebal_plan *out);
void	rebal_plan_free(struct rebal_plan *plan);

/* Whether the periodic timer should rebalance: a side (both are always equally
 * far off, F being fixed) is more than
 * threshold_pct percent of F away from its target (FAILOVER.md §11: 5). */
int	rebal_needed(const struct rebal_plan *plan, unsigned threshold_pct);

#endif
