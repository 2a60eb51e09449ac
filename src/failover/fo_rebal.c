/* The rebalancing planner (FAILOVER.md §11): pure arithmetic over runs of free
 * addresses, O(runs) whatever the size of the runs. */
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "fo_rebal.h"

/* Number of addresses in a run; 2^32 for [0, 255.255.255.255]. */
static uint64_t
run_len(const struct rebal_run *r)
{
	return (uint64_t)r->end - r->start + 1;
}

/* floor(F * share / 100) without forming F * share, so any F works. */
void
rebal_targets(uint64_t nfree, unsigned share, uint64_t *primary_target,
    uint64_t *secondary_target)
{
	if (share > 100)
		share = 100;
	*secondary_target = nfree / 100 * share + nfree % 100 * share / 100;
	*primary_target = nfree - *secondary_target;
}

/* Whether runs are well formed, sorted, disjoint and each owned by a role. */
static int
runs_valid(const struct rebal_run *runs, size_t nruns)
{
	size_t i;

	if (nruns > 0 && runs == NULL)
		return 0;
	for (i = 0; i < nruns; i++) {
		const struct rebal_run *r = &runs[i];

		if (r->owner != FO_PRIMARY && r->owner != FO_SECONDARY)
			return 0;
		if (r->start > r->end || (i > 0 && r->start <= r[-1].end))
			return 0;
	}
	return 1;
}

/* Each side's free addresses now, F, and the targets for `share`. */
static void
plan_counts(const struct rebal_run *runs, size_t nruns, unsigned share,
    struct rebal_plan *p)
{
	size_t i;

	for (i = 0; i < nruns; i++) {
		if (runs[i].owner == FO_SECONDARY)
			p->secondary_free += run_len(&runs[i]);
		else
			p->primary_free += run_len(&runs[i]);
	}
	p->free = p->primary_free + p->secondary_free;
	rebal_targets(p->free, share, &p->primary_target, &p->secondary_target);
}

/*
 * Walk the runs of `from`, from the top when `top` is set, else from the
 * bottom, taking `want` addresses: whole runs, then the needed end of the last
 * one. One move per run touched; the moves are stored sorted by start (the
 * walk from the top fills the array backwards), `total` being their number.
 * With moves NULL it only counts them. Returns the number of moves.
 */
static size_t
walk(const struct rebal_run *runs, size_t nruns, enum fo_role from, int top,
    uint64_t want, struct rebal_move *moves, size_t total)
{
	enum fo_role to = (from == FO_PRIMARY) ? FO_SECONDARY : FO_PRIMARY;
	size_t k, n = 0;

	for (k = 0; k < nruns && want > 0; k++) {
		const struct rebal_run *r = &runs[top ? nruns - 1 - k : k];
		uint64_t len = run_len(r);
		uint32_t span;		/* addresses taken - 1: fits for 2^32 */

		if (r->owner != from)
			continue;
		span = (uint32_t)((len < want ? len : want) - 1);
		if (moves != NULL && top)
			moves[total - 1 - n] = (struct rebal_move){
			    r->end - span, r->end, to };
		else if (moves != NULL)
			moves[n] = (struct rebal_move){
			    r->start, r->start + span, to };
		n++;
		want -= (uint64_t)span + 1;
	}
	return n;
}

/* The moves that bring each side to its target: FREE -> BACKUP takes the
 * primary's highest addresses, BACKUP -> FREE the secondary's lowest, so the
 * secondary's share stays at the top. 0, -1 out of memory. */
static int
plan_moves(const struct rebal_run *runs, size_t nruns, struct rebal_plan *p)
{
	enum fo_role from = p->to_secondary ? FO_PRIMARY : FO_SECONDARY;
	int top = (from == FO_PRIMARY);
	uint64_t want = p->to_secondary + p->to_primary;
	size_t n;

	if ((n = walk(runs, nruns, from, top, want, NULL, 0)) == 0)
		return 0;		/* nothing to move */
	if ((p->moves = calloc(n, sizeof(*p->moves))) == NULL)
		return -1;
	p->nmoves = walk(runs, nruns, from, top, want, p->moves, n);
	return 0;
}

/* The free addresses a side keeps: what its entitlement still owes it once
 * its addresses in use are counted, at most what it has free. */
static uint64_t
reserve(uint64_t entitled, uint64_t in_use, uint64_t nfree)
{
	uint64_t owed = entitled > in_use ? entitled - in_use : 0;

	return owed < nfree ? owed : nfree;
}

/* Trim the transfer so that the giving side keeps its reserve
 * (rebal_plan_scope_kept); what is trimmed is p->held. */
static void
keep_reserves(struct rebal_plan *p, unsigned share, const struct rebal_used *u)
{
	uint64_t n = p->free + u->primary + u->secondary, ent_p, ent_s, may;

	if (n < p->free)		/* counts that do not add up: keep all */
		n = UINT64_MAX;
	rebal_targets(n, share, &ent_p, &ent_s);
	if (p->to_secondary > 0) {
		may = p->primary_free - reserve(ent_p, u->primary, p->primary_free);
		if (p->to_secondary > may) {
			p->held = p->to_secondary - may;
			p->to_secondary = may;
		}
	} else if (p->to_primary > 0) {
		may = p->secondary_free - reserve(ent_s, u->secondary,
		    p->secondary_free);
		if (p->to_primary > may) {
			p->held = p->to_primary - may;
			p->to_primary = may;
		}
	}
}

/* Both plans: the exact one (used NULL) and the one that keeps reserves. */
static int
plan_scope(const struct rebal_run *runs, size_t nruns, unsigned share,
    const struct rebal_used *used, struct rebal_plan *out)
{
	struct rebal_plan p;

	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!runs_valid(runs, nruns))
		return -1;
	memset(&p, 0, sizeof(p));
	plan_counts(runs, nruns, share, &p);
	if (p.secondary_free < p.secondary_target)
		p.to_secondary = p.secondary_target - p.secondary_free;
	else
		p.to_primary = p.secondary_free - p.secondary_target;
	if (used != NULL)
		keep_reserves(&p, share > 100 ? 100 : share, used);
	if (plan_moves(runs, nruns, &p) == -1)
		return -1;
	*out = p;
	return 0;
}

int
rebal_plan_scope(const struct rebal_run *runs, size_t nruns, unsigned share,
    struct rebal_plan *out)
{
	return plan_scope(runs, nruns, share, NULL, out);
}

int
rebal_plan_scope_kept(const struct rebal_run *runs, size_t nruns,
    unsigned share, const struct rebal_used *used, struct rebal_plan *out)
{
	if (used == NULL) {
		if (out != NULL)
			memset(out, 0, sizeof(*out));
		return -1;
	}
	return plan_scope(runs, nruns, share, used, out);
}

/* Frees the moves and empties the plan; safe to call twice or on NULL. */
void
rebal_plan_free(struct rebal_plan *plan)
{
	if (plan == NULL)
		return;
	free(plan->moves);
	memset(plan, 0, sizeof(*plan));
}

/*
 * FAILOVER.md §11: rebalance when the secondary (hence also the primary, F being
 * fixed) is strictly more than threshold_pct % of F away from its target.
 * Exact in uint64_t for F up to 2^32; a threshold of 100 or more never fires.
 */
int
rebal_needed(const struct rebal_plan *plan, unsigned threshold_pct)
{
	uint64_t off;

	if (plan == NULL || plan->free == 0 || threshold_pct >= 100)
		return 0;
	if (plan->secondary_free > plan->secondary_target)
		off = plan->secondary_free - plan->secondary_target;
	else
		off = plan->secondary_target - plan->secondary_free;
	return off * 100 > (uint64_t)threshold_pct * plan->free;
}
