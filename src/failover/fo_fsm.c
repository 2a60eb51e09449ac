/* The failover state machine as tables (draft-12 §9; ISC's choices,
 * docs/FAILOVER.md §5, where the draft leaves room). */
#include <stddef.h>

#include "fo.h"
#include "fo_fsm.h"

#define STAY	(-1)

struct cell {
	signed char	next;	/* enum fo_state or STAY */
	unsigned char	act;
};

/* Columns: the partner's state. */
enum { P_NORMAL, P_COMM_INT, P_PDOWN, P_POTC, P_CDONE, P_RESI, P_RECOVER,
	P_RWAIT, P_RDONE, P_PAUSED, P_SHUTDOWN, P_NCOLS };

static int
column(enum fo_state partner)
{
	static const signed char col[FO_NSTATES] = {
		[FO_NO_STATE] = -1, [FO_INIT] = -1, [FO_STARTUP] = -1,
		[FO_NORMAL] = P_NORMAL, [FO_COMMUNICATION_INT] = P_COMM_INT,
		[FO_PARTNER_DOWN] = P_PDOWN, [FO_POTENTIAL_CONFLICT] = P_POTC,
		[FO_CONFLICT_DONE] = P_CDONE, [FO_RESOLUTION_INT] = P_RESI,
		[FO_RECOVER] = P_RECOVER, [FO_RECOVER_WAIT] = P_RWAIT,
		[FO_RECOVER_DONE] = P_RDONE, [FO_PAUSED] = P_PAUSED,
		[FO_SHUTDOWN] = P_SHUTDOWN,
	};

	return (unsigned)partner < FO_NSTATES ? col[partner] : -1;
}

#define N	{ FO_NORMAL, 0 }
#define CI	{ FO_COMMUNICATION_INT, 0 }
#define PD	{ FO_PARTNER_DOWN, 0 }
#define PC	{ FO_POTENTIAL_CONFLICT, 0 }
#define RC	{ FO_RECOVER, 0 }
#define S_	{ STAY, 0 }
#define UA	{ STAY, FO_ACT_UPDREQALL }
#define UQ	{ STAY, FO_ACT_UPDREQ }
#define PA	{ FO_POTENTIAL_CONFLICT, FO_ACT_UPDREQALL }

/*
 * Row: our state; column: the partner's (draft-12 §9.x.3, Fig. 9.2-1).
 * Choices where the draft and ISC differ:
 * - COMM_INT/NORMAL with the partner in RECOVER or RECOVER_WAIT: PARTNER_DOWN
 *   (ISC's "amnesic peer"; the partner serves nobody meanwhile).
 * - NORMAL seeing a conflict state: POTENTIAL_CONFLICT (ISC shuts down).
 * - RECOVER with the partner anywhere in contact: stay and ask for every
 *   binding (draft; ISC treats a NORMAL partner as a conflict); with the
 *   partner resolving a conflict: POTENTIAL_CONFLICT, still asking for every
 *   binding (a server that lost its data must not resolve on UPDREQ alone).
 */
static const struct cell table[FO_NSTATES][P_NCOLS] = {
	/*                     NORMAL COMM_I PDOWN POTC CDONE RESI RECOV RWAIT RDONE PAUSE SHUTD */
	[FO_NORMAL] =        { S_,    S_,    PC,   PC,  S_,   PC,  PD,   PD,   S_,   CI,   PD },
	[FO_COMMUNICATION_INT] =
	                     { N,     N,     PC,   PC,  PC,   PC,  PD,   PD,   N,    S_,   PD },
	[FO_PARTNER_DOWN] =  { PC,    PC,    PC,   PC,  PC,   PC,  S_,   S_,   N,    S_,   S_ },
	[FO_RECOVER] =       { UA,    UA,    UA,   PA,  PA,   PA,  UA,   UA,   UA,   S_,   S_ },
	[FO_RECOVER_WAIT] =  { S_,    S_,    S_,   S_,  S_,   S_,  S_,   S_,   S_,   S_,   S_ },
	[FO_RECOVER_DONE] =  { N,     S_,    S_,   S_,  S_,   S_,  S_,   S_,   N,    S_,   PD },
	[FO_POTENTIAL_CONFLICT] =
	                     { S_,    S_,    S_,   S_,  UQ,   S_,  RC,   S_,   S_,   S_,   PD },
	[FO_RESOLUTION_INT] ={ PC,    PC,    PC,   PC,  PC,   PC,  PC,   PC,   PC,   S_,   PD },
	[FO_CONFLICT_DONE] = { N,     S_,    S_,   S_,  S_,   S_,  S_,   S_,   S_,   S_,   PD },
};

enum fo_state
fo_fsm_resume(enum fo_state stored)
{
	switch (stored) {
	case FO_NORMAL:
		return FO_COMMUNICATION_INT;
	case FO_POTENTIAL_CONFLICT:
		return FO_RESOLUTION_INT;
	case FO_COMMUNICATION_INT: case FO_PARTNER_DOWN: case FO_RESOLUTION_INT:
	case FO_CONFLICT_DONE: case FO_RECOVER: case FO_RECOVER_WAIT:
	case FO_RECOVER_DONE:
		return stored;
	default:	/* NO_STATE, INIT, STARTUP, PAUSED, SHUTDOWN: catch up */
		return FO_RECOVER;
	}
}

/* MS-DHCPF 3.1.6.3 (a new relationship serves in COMMUNICATION_INT);
 * draft-12 §9.3.2 step 1 (no data: RECOVER). */
enum fo_state
fo_fsm_created(int has_leases)
{
	return has_leases ? FO_COMMUNICATION_INT : FO_STARTUP;
}

/* draft-12 §9.3.2 step 6: the partner may have run in PARTNER_DOWN. */
int
fo_fsm_alone_restricted(enum fo_state state, int met, int ever_met)
{
	return !met && ever_met && state != FO_PARTNER_DOWN;
}

/* Kea's unacked-client analysis on draft-12's secs rule (§5.3, ISC's load
 * balance max seconds); 0 disables it, as it disables the secs rule. */
int
fo_fsm_client_unacked(enum fo_state state, int partners_bucket, unsigned secs,
    unsigned lb_max_secs)
{
	return state == FO_NORMAL && partners_bucket && lb_max_secs > 0 &&
	    secs > lb_max_secs;
}

enum fo_state
fo_fsm_first_contact(enum fo_state state, enum fo_state prev_state,
    enum fo_state partner)
{
	if (state == FO_STARTUP)
		return partner == FO_PARTNER_DOWN ? FO_RECOVER :
		    fo_fsm_resume(prev_state);
	if (partner != FO_PARTNER_DOWN)
		return state;
	switch (state) {
	case FO_COMMUNICATION_INT: case FO_RESOLUTION_INT:
	case FO_CONFLICT_DONE: case FO_RECOVER_DONE:
		return FO_RECOVER;
	default:	/* PARTNER_DOWN: the table; RECOVER*: already catching up */
		return state;
	}
}

enum fo_state
fo_fsm_comm_lost(enum fo_state state)
{
	if (state == FO_NORMAL)
		return FO_COMMUNICATION_INT;
	if (state == FO_POTENTIAL_CONFLICT)
		return FO_RESOLUTION_INT;
	return state;
}

static void
decide(struct fo_fsm_out *out, enum fo_state state, int next, unsigned act,
    const char *why)
{
	out->state = next == STAY ? state : (enum fo_state)next;
	out->act = act;
	out->why = why;
}

/* Entry actions of the state decided (draft-12 §9.5.1, §9.10.1, §9.2). */
static void
entry_actions(const struct fo_fsm_in *in, struct fo_fsm_out *out)
{
	if (out->state == in->state)
		return;
	if (out->state == FO_POTENTIAL_CONFLICT && in->role == FO_PRIMARY)
		out->act |= FO_ACT_UPDREQ;
	if (out->state == FO_RECOVER)
		out->act |= FO_ACT_UPDREQALL;
	if (out->state == FO_NORMAL && in->role == FO_PRIMARY)
		out->act |= FO_ACT_REBALANCE;
}

void
fo_fsm_partner_state(const struct fo_fsm_in *in, struct fo_fsm_out *out)
{
	int c = column(in->partner);
	const struct cell *cell;

	decide(out, in->state, STAY, 0, "partner state");
	if (c < 0 || (unsigned)in->state >= FO_NSTATES)
		return;
	/* §9.4.3: in PARTNER_DOWN a partner still starting up is ignored */
	if (in->state == FO_PARTNER_DOWN && in->partner_startup)
		return;
	cell = &table[in->state][c];
	if (cell->next == 0 && cell->act == 0)
		return;		/* a row the table leaves empty: stay */
	decide(out, in->state, cell->next, cell->act, "partner state");
	/* §9.10.3: only the secondary answers CONFLICT_DONE with UPDREQ */
	if (in->state == FO_POTENTIAL_CONFLICT && c == P_CDONE &&
	    in->role != FO_SECONDARY)
		out->act = 0;
	entry_actions(in, out);
}

void
fo_fsm_upddone(const struct fo_fsm_in *in, struct fo_fsm_out *out)
{
	decide(out, in->state, STAY, 0, "partner sent every binding");
	if (in->state == FO_RECOVER) {
		/* §9.5.3; ISC skips the wait when the partner recovers too */
		int wait = in->fail_time != 0 &&
		    in->fail_time + (int64_t)in->mclt > in->now &&
		    in->partner != FO_RECOVER && in->partner != FO_RECOVER_DONE;

		out->state = wait ? FO_RECOVER_WAIT : FO_RECOVER_DONE;
	} else if (in->state == FO_POTENTIAL_CONFLICT) {
		/* §9.10.2: the primary is done first, the secondary then NORMAL */
		out->state = in->role == FO_PRIMARY ? FO_CONFLICT_DONE : FO_NORMAL;
	}
	entry_actions(in, out);
}

void
fo_fsm_tick(const struct fo_fsm_in *in, struct fo_fsm_out *out)
{
	decide(out, in->state, STAY, 0, "MCLT has passed since the failure");
	if (in->state == FO_RECOVER_WAIT &&
	    in->fail_time + (int64_t)in->mclt <= in->now)
		out->state = FO_RECOVER_DONE;
}

/* Whether some table row moves from -> to. */
static int
table_moves(enum fo_state from, enum fo_state to)
{
	for (int c = 0; c < P_NCOLS; c++)
		if (table[from][c].next == (int)to)
			return 1;
	return 0;
}

int
fo_fsm_allowed(enum fo_state from, enum fo_state to)
{
	if ((unsigned)from >= FO_NSTATES || to < FO_STARTUP || to >= FO_NSTATES)
		return 0;
	if (to == FO_STARTUP || to == FO_SHUTDOWN || to == FO_PAUSED ||
	    to == FO_PARTNER_DOWN || from == to)
		return 1;	/* start, stop, operator or partner shut down */
	if (from == FO_STARTUP || from == FO_INIT || from == FO_NO_STATE)
		return 1;	/* resuming, then meeting the partner */
	if (fo_fsm_comm_lost(from) == to || table_moves(from, to))
		return 1;
	if (to == FO_RECOVER && fo_fsm_first_contact(from, FO_NO_STATE,
	    FO_PARTNER_DOWN) == FO_RECOVER)
		return 1;	/* restarted, then met a partner that took over */
	if (from == FO_PAUSED && (to == FO_COMMUNICATION_INT || to == FO_RECOVER))
		return 1;	/* maintenance cancelled (fo_fsm_maintenance) */
	return (from == FO_RECOVER && (to == FO_RECOVER_WAIT ||
	    to == FO_RECOVER_DONE)) || (from == FO_RECOVER_WAIT &&
	    to == FO_RECOVER_DONE) || (from == FO_POTENTIAL_CONFLICT &&
	    (to == FO_CONFLICT_DONE || to == FO_NORMAL));
}

int
fo_fsm_serves_new(enum fo_state state)
{
	return state == FO_NORMAL || state == FO_COMMUNICATION_INT ||
	    state == FO_PARTNER_DOWN || state == FO_RESOLUTION_INT ||
	    state == FO_CONFLICT_DONE;
}

int
fo_fsm_serves_renew(enum fo_state state)
{
	return fo_fsm_serves_new(state) || state == FO_RECOVER_DONE;
}

int
fo_fsm_takes_partner_pool(enum fo_state state, int64_t stos, uint32_t mclt,
    int64_t now)
{
	return state == FO_PARTNER_DOWN && now >= stos + (int64_t)mclt;
}

/* Planned maintenance (draft-12 §9.15 PAUSED; Kea ha-maintenance-start/cancel):
 * start pauses a NORMAL server in contact; cancel leaves PAUSED through
 * COMMUNICATION_INT (the table then meets the partner's COMMUNICATION_INT
 * with NORMAL), or through RECOVER when the partner is out of contact or in
 * PARTNER_DOWN (it may have served our clients unseen: catch up first). */
int
fo_fsm_maintenance(enum fo_state state, int in_contact, enum fo_state partner,
    int start)
{
	if (start)
		return state == FO_NORMAL && in_contact ? (int)FO_PAUSED : -1;
	if (state != FO_PAUSED)
		return -1;
	return in_contact && partner != FO_PARTNER_DOWN ?
	    (int)FO_COMMUNICATION_INT : (int)FO_RECOVER;
}
