/*
 * The failover endpoint state machine of draft-ietf-dhc-failover-12 §9, as
 * pure decisions: given this server's state, role and what just happened,
 * which state comes next and what to send. No I/O and no storage: fo_peer
 * applies a decision through fo_change_state (the one function that moves a
 * relationship's state) and sends what the actions ask for.
 * Where ISC dhcpd departs from the draft, the choice made is noted at the
 * table and in docs/FAILOVER.md §5.
 */
#ifndef DHCPFOD_FO_FSM_H
#define DHCPFOD_FO_FSM_H

#include <stdint.h>

#include "fo.h"

/* What the caller does after a decision (several may be set). */
#define FO_ACT_UPDREQ		0x01	/* ask for unacknowledged bindings */
#define FO_ACT_UPDREQALL	0x02	/* ask for every binding */
#define FO_ACT_REBALANCE	0x04	/* primary: balance the free addresses */

/* What a decision depends on. */
struct fo_fsm_in {
	enum fo_role	role;
	enum fo_state	state;		/* ours, now */
	enum fo_state	partner;	/* the partner's state */
	int		partner_startup;	/* its STATE had the STARTUP flag */
	int64_t		now;		/* wall clock, seconds */
	int64_t		stos;		/* when we entered our state */
	int64_t		fail_time;	/* when we lost contact/data; 0: unknown */
	uint32_t	mclt;
};

/* A decision: the next state (== in->state: stay) and the actions. */
struct fo_fsm_out {
	enum fo_state	state;
	unsigned	act;
	const char	*why;		/* for the log: "partner is NORMAL" */
};

/* The state a server resumes after STARTUP from the one it had stored
 * (draft-12 §9.3): a state that needs contact becomes its "communications
 * failed" state; none (new relationship) becomes RECOVER. */
enum fo_state fo_fsm_resume(enum fo_state stored);

/* The partner's first STATE since this server started (draft-12 §9.3.2).
 * In STARTUP: RECOVER if the partner is PARTNER_DOWN, else the resumed
 * state. After a STARTUP that ended without contact: RECOVER if the
 * partner is PARTNER_DOWN and this server resumed COMMUNICATION_INT,
 * RESOLUTION_INT, CONFLICT_DONE or RECOVER_DONE (the partner ran without
 * us, maybe on our free addresses, and may hold bindings we have never
 * heard of: catch up first, as the STARTUP rule does); otherwise `state`
 * (the table decides). */
enum fo_state fo_fsm_first_contact(enum fo_state state,
	    enum fo_state prev_state, enum fo_state partner);

/* fo_fsm_created is in fo.h: the RPC's failover.create asks it. */

/* Whether a server that resumed `state` after a restart and has not heard
 * its partner since is held to known renewals (FAILOVER.md §4): only if it
 * ever heard the partner (`ever_met`, the stored partner state is not
 * NO_STATE) and did not resume PARTNER_DOWN. A relationship that never met
 * its partner cannot have been taken over by it in PARTNER_DOWN. */
int	fo_fsm_alone_restricted(enum fo_state state, int met, int ever_met);

/* The unanswered-client rule (FAILOVER.md §4, after Kea's max-ack-delay and
 * max-unacked-clients): in NORMAL a client of the partner's buckets whose
 * secs field is past lb_max_secs went unanswered by the partner. Returns 1
 * when it counts as unanswered. */
int	fo_fsm_client_unacked(enum fo_state state, int partners_bucket,
	    unsigned secs, unsigned lb_max_secs);

/* The connection to the partner is gone (draft-12 §9.2; ISC "disconnect"). */
enum fo_state fo_fsm_comm_lost(enum fo_state state);

/* The partner's STATE arrived (on a new connection, or a change):
 * draft-12 §9.4.3 … §9.12.3 and Fig. 9.2-1. */
void	fo_fsm_partner_state(const struct fo_fsm_in *, struct fo_fsm_out *);

/* The UPDDONE answering our UPDREQ/UPDREQALL arrived (§9.5, §9.10). */
void	fo_fsm_upddone(const struct fo_fsm_in *, struct fo_fsm_out *);

/* Time passed: RECOVER_WAIT ends at stos + MCLT (§9.6). */
void	fo_fsm_tick(const struct fo_fsm_in *, struct fo_fsm_out *);

/* Whether a move is one the state machine ever makes (fo_change_state
 * refuses the others). */
int	fo_fsm_allowed(enum fo_state from, enum fo_state to);

/* failover.maintenance (draft-12 §9.15): the state `start` (1) or cancel
 * (0) moves to from `state`, or -1 if it may not: start only from NORMAL in
 * contact (PAUSED: the partner goes to COMMUNICATION_INT and serves every
 * client); cancel only from PAUSED, to COMMUNICATION_INT (in contact, partner
 * not PARTNER_DOWN) or RECOVER. */
int	fo_fsm_maintenance(enum fo_state state, int in_contact,
	    enum fo_state partner, int start);

/* Serving (draft-12 §9, "responsiveness"): whether this server answers
 * DHCPDISCOVER (new clients) / renewals and rebinds at all in state. */
int	fo_fsm_serves_new(enum fo_state state);
int	fo_fsm_serves_renew(enum fo_state state);
/* fo_fsm_takes_partner_pool is in fo.h: the DHCP engine's pool asks it. */

#endif
