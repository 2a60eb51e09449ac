/* Operator actions on a live pair besides rebalancing: planned maintenance
 * (draft-12 §9.15 PAUSED; Kea's ha-maintenance-start/cancel) and on-demand
 * resynchronisation (UPDREQALL, §7.4; Kea's ha-sync), FAILOVER.md §15. */
#include <stdio.h>

#include "err.h"
#include "fo.h"
#include "fo_fsm.h"
#include "fo_int.h"
#include "log.h"
#include "util.h"

/* Pause (start) or resume (cancel) a relationship: 0, or a RPC.md §7 code
 * with a sentence in why (draft-12 §9.15). */
int
fo_maintenance(struct fo *fo, const char *name, int start, char *why,
    size_t whylen)
{
	struct fo_peer *p = fo ? fo_peer_by_name(fo, name) : NULL;
	int ok = p != NULL && p->link == FO_LINK_OK;
	int next = p ? fo_fsm_maintenance(p->rel.state, ok, p->partner_state,
	    start) : -1;

	if (next < 0) {
		snprintf(why, whylen, start ? "maintenance starts only in NORMAL "
		    "with the partner in contact (now %s)" : "the relationship is "
		    "not in maintenance (PAUSED; now %s)",
		    fo_state_name(p ? p->rel.state : FO_NO_STATE));
		return ERR_FO_STATE_NOT_NORMAL;
	}
	/* from now on we serve nobody: a lease of ours the partner never
	 * heard of ends within MCLT of this moment (RECOVER waits for it) */
	if (start)
		p->rel.fail_time = time_wall();
	fo_peer_set_state(p, (enum fo_state)next, start ? "maintenance" :
	    "maintenance cancelled");
	if ((int)p->rel.state != next) {
		snprintf(why, whylen, "the state could not be saved");
		return ERR_JET_ERROR;
	}
	fo_peer_evaluate(p);	/* RECOVER asks for every binding */
	return 0;
}

/* Ask the partner for every binding (UPDREQALL, draft-12 §7.4) without
 * changing state; done is called at its UPDDONE or when the link is lost. */
void
fo_resync(struct fo *fo, const char *name, fo_done_fn done, void *arg)
{
	struct fo_peer *p = fo ? fo_peer_by_name(fo, name) : NULL;
	int asked;

	if (p == NULL || p->link != FO_LINK_OK || (p->rel.state != FO_NORMAL &&
	    p->rel.state != FO_PAUSED)) {
		done(arg, NULL, ERR_FO_STATE_NOT_NORMAL, "the relationship is not in "
		    "NORMAL or PAUSED with its partner in contact");
		return;
	}
	if (p->resync_done != NULL) {
		done(arg, NULL, ERR_FO_STATE_NOT_NORMAL, "a resynchronisation of "
		    "this relationship is already running");
		return;
	}
	p->resync_done = done;
	p->resync_arg = arg;
	p->resync_t0_ms = time_mono_ms();
	asked = p->asked;	/* the state machine may still ask on this link */
	fo_upd_ask(p, 1);
	p->asked = asked;
	p->resync_xid = p->xid;	/* its UPDDONE carries it (§7.5) */
}
