/* Relationship state changes: one function checks, persists and logs every
 * move (DESIGN §4.2). The partner protocol (fo_fsm) drives it; operators reach
 * it through failover.set. */
#include "fo.h"
#include "fo_fsm.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* States from which an operator may declare PARTNER_DOWN: every state but
 * NORMAL (the partner is in contact) and SHUTDOWN. */
int
fo_operator_partner_down_ok(enum fo_state state)
{
	return state != FO_NORMAL && state != FO_SHUTDOWN;
}

/* Whether failover.set may store prev_state `want` (Windows' PREVSTATE
 * field): in STARTUP the previous state decides what is resumed (draft-12
 * §9.3.2), so only one that resumes RECOVER, the cautious catch-up, or the
 * one already stored; elsewhere it is history the next move overwrites, and
 * any state but STARTUP itself may be written. */
int
fo_operator_prev_state_ok(enum fo_state state, enum fo_state stored,
    enum fo_state want)
{
	if ((unsigned)want >= FO_NSTATES || want == FO_STARTUP)
		return 0;
	if (state != FO_STARTUP || want == stored)
		return 1;
	return fo_fsm_resume(want) == FO_RECOVER;
}

/* Write the relationship, fsynced unless the caller's transaction is open
 * (staged lease writes are no such transaction: they are flushed first). */
static int
rel_write(struct store *st, const struct fo_rel *rel)
{
	int own = !store_txn_open(st), rc;

	if (own && store_begin(st) == -1)
		return -1;
	rc = store_rel_update(st, rel);
	if (!own)
		return rc;
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

int
fo_change_state(struct store *st, struct fo_rel *rel, enum fo_state new_state,
    const char *why)
{
	enum fo_state old = rel->state, old_prev = rel->prev_state;
	int64_t old_stos = rel->stos;

	if (new_state < FO_STARTUP || new_state >= FO_NSTATES ||
	    !fo_fsm_allowed(old, new_state))
		return -2;
	if (new_state == old)
		return 0;
	rel->prev_state = old;
	rel->state = new_state;
	rel->stos = time_wall();
	/* draft-12 §9.2: durable, with its start time, before it takes effect */
	if (rel_write(st, rel) != 0) {
		rel->state = old;
		rel->prev_state = old_prev;
		rel->stos = old_stos;
		return -1;
	}
	log_notice("failover %s: %s -> %s (%s)", rel->name, fo_state_name(old),
	    fo_state_name(new_state), why);
	fo_hist_add(rel->name, rel->stos, old, new_state, why);
	return 0;
}
