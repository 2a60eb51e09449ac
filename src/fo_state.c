/* Relationship state changes: one function checks, persists and logs every
 * move (DESIGN §4.2). The partner protocol (fo_fsm) drives it; operators reach
 * it through failover.set. */
#include "fo.h"
#include "log.h"
#include "store.h"

/* States from which an operator may declare PARTNER_DOWN: every state but
 * NORMAL (the partner is in contact) and SHUTDOWN. */
int
fo_operator_partner_down_ok(int state)
{
	return state != FO_NORMAL && state != FO_SHUTDOWN;
}

int
fo_change_state(struct store *st, struct fo_rel *rel, int new_state, const char *why)
{
	int old = rel->state, old_prev = rel->prev_state;

	if (new_state < FO_STARTUP || new_state >= FO_NSTATES)
		return -2;
	if (new_state == old)
		return 0;
	rel->prev_state = old;
	rel->state = new_state;
	if (store_rel_update(st, rel) != 0) {
		rel->state = old;
		rel->prev_state = old_prev;
		return -1;
	}
	log_notice("failover %s: %s -> %s (%s)", rel->name, fo_state_name(old),
	    fo_state_name(new_state), why);
	return 0;
}
