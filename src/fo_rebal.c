/* Rebalancing a relationship's free addresses (SPEC §5.3): the planner decides,
 * the store applies, one transaction for the whole relationship. */
#include <stdlib.h>
#include <time.h>

#include "ctl_cmd.h"
#include "fo.h"
#include "fo_rebal.h"
#include "store.h"

/* Plan and apply one scope; appends its result entry to `scopes`. */
static int
rebalance_scope(struct store *st, const struct fo_rel *rel, uint32_t subnet,
    unsigned threshold, json_t *scopes)
{
	struct rebal_plan plan;
	struct rebal_run *runs;
	size_t nruns;
	int rc;

	if (store_free_runs(st, subnet, &runs, &nruns) != 0)
		return -1;
	rc = rebal_plan_scope(runs, nruns, fo_secondary_share(rel->mode,
	    rel->percentage), &plan);
	free(runs);
	if (rc == -1)
		return -1;
	if (threshold > 0 && !rebal_needed(&plan, threshold)) {
		rebal_plan_free(&plan);		/* close enough: leave it */
		return 0;
	}
	rc = plan.nmoves ? store_apply_moves(st, subnet, plan.moves, plan.nmoves) : 0;
	if (rc == 0)
		json_array_append_new(scopes, json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}",
		    "scope", json_addr(subnet), "free", (json_int_t)plan.free,
		    "primary_free", (json_int_t)plan.primary_target,
		    "secondary_free", (json_int_t)plan.secondary_target,
		    "moved_to_secondary", (json_int_t)plan.to_secondary,
		    "moved_to_primary", (json_int_t)plan.to_primary));
	rebal_plan_free(&plan);
	return rc;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

json_t *
fo_rebalance_apply(struct store *st, const struct fo_rel *rel, unsigned threshold)
{
	int64_t t0 = now_ms();
	json_t *scopes = json_array();
	size_t i;

	if (scopes == NULL || store_begin(st) == -1) {
		json_decref(scopes);
		return NULL;
	}
	for (i = 0; i < rel->nscopes; i++)
		if (rebalance_scope(st, rel, rel->scopes[i], threshold, scopes) == -1)
			break;
	if (i < rel->nscopes || store_commit(st) == -1) {
		store_rollback(st);
		json_decref(scopes);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:I}", "name", rel->name, "scopes", scopes,
	    "elapsed_ms", (json_int_t)(now_ms() - t0));
}
