/*
 * The failover state machine (fo_fsm.h), table by table: resume after
 * STARTUP, link loss, the partner's state for every (our state x partner
 * state) cell and both roles, the STARTUP flag in PARTNER_DOWN, entry
 * actions, UPDDONE, the RECOVER_WAIT timer, the allowed moves, serving, the
 * PARTNER_DOWN takeover, and a simulation of two servers meeting after a
 * restart.
 *
 * The expected tables are written from draft-ietf-dhc-failover-12 §9 and
 * ISC dhcpd 4.4's server/failover.c (docs/FAILOVER.md §5 writes both out
 * with their differences), not from fo_fsm.c. Every cell says
 * where its answer comes from; a cell where dhcpfod does not do what the
 * draft says also has a test named after dhcpfod's choice.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "fo_fsm.h"
#include "fo_unacked.h"
#include "util.h"

#define P	FO_PRIMARY
#define S	FO_SECONDARY
#define UQ	FO_ACT_UPDREQ
#define UA	FO_ACT_UPDREQALL
#define RB	FO_ACT_REBALANCE
#define ASK	(FO_ACT_UPDREQ | FO_ACT_UPDREQALL)

#define MCLT	3600
#define T0	1700000000LL		/* "now" of the tests */

/* Every state, and a few numbers outside the enum. */
#define NST	FO_NSTATES

static const char *
nm(int state)
{
	return fo_state_name(state);
}

/* A decision input with the fields tests vary. */
static struct fo_fsm_in
mkin(int role, int state, int partner, int startup, int64_t now, int64_t stos,
    int64_t fail_time, uint32_t mclt)
{
	struct fo_fsm_in in;

	memset(&in, 0, sizeof(in));
	in.role = role;
	in.state = state;
	in.partner = partner;
	in.partner_startup = startup;
	in.now = now;
	in.stos = stos;
	in.fail_time = fail_time;
	in.mclt = mclt;
	return in;
}

/* A decision with its output filled with garbage first, so that a field
 * the function forgets to set shows. */
static struct fo_fsm_out
partner_state(int role, int state, int partner, int startup)
{
	struct fo_fsm_in in = mkin(role, state, partner, startup, T0, T0 - 10, 0,
	    MCLT);
	struct fo_fsm_out out;

	memset(&out, 0xa5, sizeof(out));
	fo_fsm_partner_state(&in, &out);
	ck_assert_ptr_nonnull(out.why);
	return out;
}

/*
 * ---- fo_fsm_resume: draft-12 §9.3.2 steps 1 and 2 ----
 */

static const struct {
	int	stored, resumed;
} resume_cases[] = {
	/* no record of a previous state: RECOVER (step 1) */
	{ FO_NO_STATE, FO_RECOVER },
	{ FO_INIT, FO_RECOVER },		/* a new relationship */
	{ FO_STARTUP, FO_RECOVER },		/* never left STARTUP */
	/* states with communications OK: their "communications failed" move */
	{ FO_NORMAL, FO_COMMUNICATION_INT },
	{ FO_POTENTIAL_CONFLICT, FO_RESOLUTION_INT },
	/* the others are resumed as they were */
	{ FO_COMMUNICATION_INT, FO_COMMUNICATION_INT },
	{ FO_PARTNER_DOWN, FO_PARTNER_DOWN },
	{ FO_CONFLICT_DONE, FO_CONFLICT_DONE },
	{ FO_RESOLUTION_INT, FO_RESOLUTION_INT },
	{ FO_RECOVER, FO_RECOVER },
	{ FO_RECOVER_WAIT, FO_RECOVER_WAIT },
	{ FO_RECOVER_DONE, FO_RECOVER_DONE },
	/* dhcpfod never stores PAUSED or SHUTDOWN as a previous state (§9.13.1
	 * and §9.14.1 keep the state before them); if found: catch up */
	{ FO_PAUSED, FO_RECOVER },
	{ FO_SHUTDOWN, FO_RECOVER },
	/* garbage in the database */
	{ -1, FO_RECOVER },
	{ NST, FO_RECOVER },
	{ 200, FO_RECOVER },
};

START_TEST(test_resume)
{
	int got = fo_fsm_resume(resume_cases[_i].stored);

	ck_assert_msg(got == resume_cases[_i].resumed, "resume(%d %s) = %s, want %s",
	    resume_cases[_i].stored, nm(resume_cases[_i].stored), nm(got),
	    nm(resume_cases[_i].resumed));
}
END_TEST

/* Resuming never lands in a state that needs the partner in contact. */
START_TEST(test_resume_never_in_contact_state)
{
	for (int s = -2; s < NST + 2; s++) {
		int r = fo_fsm_resume(s);

		ck_assert_int_ne(r, FO_NORMAL);
		ck_assert_int_ne(r, FO_POTENTIAL_CONFLICT);
		ck_assert_int_ge(r, FO_COMMUNICATION_INT);
		ck_assert_int_lt(r, NST);
		ck_assert_int_eq(fo_fsm_resume(r), r);	/* a fixed point */
	}
}
END_TEST

/*
 * ---- fo_fsm_comm_lost: draft-12 §9.2, Fig. 9.2-1 ----
 */

static const struct {
	int	from, to;
} comm_lost_cases[] = {
	{ FO_NORMAL, FO_COMMUNICATION_INT },		/* §9.8.4 */
	{ FO_POTENTIAL_CONFLICT, FO_RESOLUTION_INT },	/* §9.10.3 */
	{ FO_COMMUNICATION_INT, FO_COMMUNICATION_INT },
	{ FO_PARTNER_DOWN, FO_PARTNER_DOWN },		/* §9.4 */
	{ FO_CONFLICT_DONE, FO_CONFLICT_DONE },		/* §9.12.3 */
	{ FO_RESOLUTION_INT, FO_RESOLUTION_INT },
	{ FO_RECOVER, FO_RECOVER },			/* §9.5.2 */
	{ FO_RECOVER_WAIT, FO_RECOVER_WAIT },		/* §9.6.2 */
	{ FO_RECOVER_DONE, FO_RECOVER_DONE },		/* §9.7.2 */
	{ FO_STARTUP, FO_STARTUP },
	{ FO_PAUSED, FO_PAUSED },
	{ FO_SHUTDOWN, FO_SHUTDOWN },
	{ FO_NO_STATE, FO_NO_STATE },
	{ FO_INIT, FO_INIT },
	{ -1, -1 },
	{ NST, NST },
};

START_TEST(test_comm_lost)
{
	int got = fo_fsm_comm_lost(comm_lost_cases[_i].from);

	ck_assert_msg(got == comm_lost_cases[_i].to, "comm_lost(%s) = %s, want %s",
	    nm(comm_lost_cases[_i].from), nm(got), nm(comm_lost_cases[_i].to));
}
END_TEST

/*
 * ---- fo_fsm_partner_state: the table ----
 *
 * A cell: the next state (KEEP: stay), the actions for a primary and for a
 * secondary, and where the answer comes from:
 *   'D' the draft (§9.4.3, §9.5.2, §9.6.2, §9.7.2, §9.8.4, §9.9.3, §9.10.3,
 *       §9.11.3, §9.12.3), with ISC's always-UPDREQALL in RECOVER counted
 *       as 'I' below;
 *   'I' ISC dhcpd's choice where the draft says otherwise or nothing;
 *   'O' dhcpfod's own choice (neither the draft nor ISC);
 *   'R' the draft's answer, kept by dhcpfod, but unsafe (none left: see
 *       test_recover_meets_conflict_asks_for_everything).
 * Entry actions are part of the expectation: entering POTENTIAL_CONFLICT
 * the primary asks UPDREQ (§9.10.1); entering RECOVER both ask UPDREQALL
 * (§9.5.2, ISC); entering NORMAL the primary rebalances (docs/FAILOVER.md §11).
 * Rows and columns not written (NO_STATE, INIT, STARTUP, PAUSED,
 * SHUTDOWN as our state; NO_STATE, INIT, STARTUP as the partner's, which
 * never arrive on the wire) mean: stay, do nothing.
 */

#define KEEP	(-1)

struct want {
	signed char	next;		/* enum fo_state or KEEP */
	unsigned char	pa, sa;		/* actions: primary, secondary */
	char		basis;		/* 'D', 'I', 'O', 'R'; 0: not written */
};

#define W(n, pa, sa, b)	{ (n), (pa), (sa), (b) }
#define STAY(b)		W(KEEP, 0, 0, b)
#define TO_N(b)		W(FO_NORMAL, RB, 0, b)
#define TO_CI(b)	W(FO_COMMUNICATION_INT, 0, 0, b)
#define TO_PD(b)	W(FO_PARTNER_DOWN, 0, 0, b)
#define TO_PC(b)	W(FO_POTENTIAL_CONFLICT, UQ, 0, b)
#define TO_RV(b)	W(FO_RECOVER, UA, UA, b)
#define TO_PC_ALL(b)	W(FO_POTENTIAL_CONFLICT, UQ | UA, UA, b)
#define ASK_ALL(b)	W(KEEP, UA, UA, b)

static const struct want want[NST][NST] = {
	/* §9.8.4: a change of the partner's state goes through COMM_INT, then
	 * its row; PAUSED -> COMM_INT, SHUTDOWN -> PARTNER_DOWN */
	[FO_NORMAL] = {
		[FO_NORMAL] = STAY('D'),
		[FO_COMMUNICATION_INT] = STAY('D'),	/* it will be NORMAL */
		[FO_PARTNER_DOWN] = TO_PC('D'),
		[FO_POTENTIAL_CONFLICT] = TO_PC('D'),	/* ISC: SHUTDOWN */
		/* §9.10.3: the secondary reaches NORMAL first; the primary's
		 * CONFLICT_DONE is what it expects (ISC: SHUTDOWN) */
		[FO_CONFLICT_DONE] = STAY('D'),
		[FO_RESOLUTION_INT] = TO_PC('D'),	/* ISC: SHUTDOWN */
		[FO_RECOVER] = TO_PD('I'),		/* draft: COMM_INT */
		[FO_RECOVER_WAIT] = TO_PD('O'),		/* draft: not listed */
		[FO_RECOVER_DONE] = STAY('D'),
		[FO_PAUSED] = TO_CI('D'),
		[FO_SHUTDOWN] = TO_PD('D'),
	},
	/* §9.9.3 */
	[FO_COMMUNICATION_INT] = {
		[FO_NORMAL] = TO_N('D'),
		[FO_COMMUNICATION_INT] = TO_N('D'),
		[FO_PARTNER_DOWN] = TO_PC('D'),
		[FO_POTENTIAL_CONFLICT] = TO_PC('D'),
		[FO_CONFLICT_DONE] = TO_PC('D'),
		[FO_RESOLUTION_INT] = TO_PC('D'),
		[FO_RECOVER] = TO_PD('I'),		/* draft: stay */
		[FO_RECOVER_WAIT] = TO_PD('O'),		/* draft: -, ISC: NORMAL */
		[FO_RECOVER_DONE] = TO_N('D'),
		[FO_PAUSED] = STAY('D'),
		[FO_SHUTDOWN] = TO_PD('D'),
	},
	/* §9.4.3 (a STATE with the STARTUP flag: test_partner_down_ignores_startup) */
	[FO_PARTNER_DOWN] = {
		[FO_NORMAL] = TO_PC('D'),
		[FO_COMMUNICATION_INT] = TO_PC('D'),
		[FO_PARTNER_DOWN] = TO_PC('D'),
		[FO_POTENTIAL_CONFLICT] = TO_PC('D'),
		[FO_CONFLICT_DONE] = TO_PC('D'),
		[FO_RESOLUTION_INT] = TO_PC('D'),
		[FO_RECOVER] = STAY('D'),
		[FO_RECOVER_WAIT] = STAY('D'),
		[FO_RECOVER_DONE] = TO_N('D'),
		[FO_PAUSED] = STAY('D'),
		[FO_SHUTDOWN] = STAY('D'),
	},
	/* §9.5.2: a conflict state -> POTENTIAL_CONFLICT; any other: UPDREQ,
	 * or UPDREQALL when storage was lost; ISC always UPDREQALL */
	[FO_RECOVER] = {
		[FO_NORMAL] = ASK_ALL('I'),		/* ISC: POT_CONFLICT */
		[FO_COMMUNICATION_INT] = ASK_ALL('I'),
		[FO_PARTNER_DOWN] = ASK_ALL('I'),
		[FO_POTENTIAL_CONFLICT] = TO_PC_ALL('O'),
		[FO_CONFLICT_DONE] = TO_PC_ALL('O'),
		[FO_RESOLUTION_INT] = TO_PC_ALL('O'),
		[FO_RECOVER] = ASK_ALL('I'),
		[FO_RECOVER_WAIT] = ASK_ALL('I'),	/* ISC: stay */
		[FO_RECOVER_DONE] = ASK_ALL('I'),	/* ISC: stay */
		[FO_PAUSED] = STAY('O'),		/* draft: UPDREQ */
		[FO_SHUTDOWN] = STAY('O'),	/* draft: UPDREQ; ISC: PARTNER_DOWN */
	},
	/* §9.6.2: nothing the partner does moves RECOVER_WAIT */
	[FO_RECOVER_WAIT] = {
		[FO_NORMAL] = STAY('D'), [FO_COMMUNICATION_INT] = STAY('D'),
		[FO_PARTNER_DOWN] = STAY('D'), [FO_POTENTIAL_CONFLICT] = STAY('D'),
		[FO_CONFLICT_DONE] = STAY('D'), [FO_RESOLUTION_INT] = STAY('D'),
		[FO_RECOVER] = STAY('D'), [FO_RECOVER_WAIT] = STAY('D'),
		[FO_RECOVER_DONE] = STAY('D'), [FO_PAUSED] = STAY('D'),
		[FO_SHUTDOWN] = STAY('D'),
	},
	/* §9.7.2: NORMAL once the partner is NORMAL or RECOVER_DONE */
	[FO_RECOVER_DONE] = {
		[FO_NORMAL] = TO_N('D'),
		[FO_COMMUNICATION_INT] = STAY('D'),
		[FO_PARTNER_DOWN] = STAY('D'),
		[FO_POTENTIAL_CONFLICT] = STAY('D'),
		[FO_CONFLICT_DONE] = STAY('D'),
		[FO_RESOLUTION_INT] = STAY('D'),
		[FO_RECOVER] = STAY('D'),
		[FO_RECOVER_WAIT] = STAY('D'),
		[FO_RECOVER_DONE] = TO_N('D'),		/* ISC logs an error */
		[FO_PAUSED] = STAY('D'),
		[FO_SHUTDOWN] = TO_PD('I'),		/* draft: - */
	},
	/* §9.10.3: left through UPDDONE; the secondary answers CONFLICT_DONE
	 * with UPDREQ */
	[FO_POTENTIAL_CONFLICT] = {
		[FO_NORMAL] = STAY('D'),		/* ISC: SHUTDOWN */
		[FO_COMMUNICATION_INT] = STAY('D'),
		[FO_PARTNER_DOWN] = STAY('D'),
		[FO_POTENTIAL_CONFLICT] = STAY('D'),
		[FO_CONFLICT_DONE] = W(KEEP, 0, UQ, 'D'),
		[FO_RESOLUTION_INT] = STAY('D'),
		[FO_RECOVER] = TO_RV('I'),		/* draft: stay */
		[FO_RECOVER_WAIT] = STAY('D'),
		[FO_RECOVER_DONE] = STAY('D'),
		[FO_PAUSED] = STAY('D'),
		[FO_SHUTDOWN] = TO_PD('I'),		/* draft: stay */
	},
	/* §9.11.3: POTENTIAL_CONFLICT once in contact, whatever the partner */
	[FO_RESOLUTION_INT] = {
		[FO_NORMAL] = TO_PC('D'),
		[FO_COMMUNICATION_INT] = TO_PC('D'),
		[FO_PARTNER_DOWN] = TO_PC('D'),
		[FO_POTENTIAL_CONFLICT] = TO_PC('D'),
		[FO_CONFLICT_DONE] = TO_PC('D'),
		[FO_RESOLUTION_INT] = TO_PC('D'),
		[FO_RECOVER] = TO_PC('D'),
		[FO_RECOVER_WAIT] = TO_PC('D'),
		[FO_RECOVER_DONE] = TO_PC('D'),
		[FO_PAUSED] = STAY('I'),		/* draft: POT_CONFLICT */
		[FO_SHUTDOWN] = TO_PD('I'),		/* draft: POT_CONFLICT */
	},
	/* §9.12.3: NORMAL when the secondary is NORMAL, else stay */
	[FO_CONFLICT_DONE] = {
		[FO_NORMAL] = TO_N('D'),
		[FO_COMMUNICATION_INT] = STAY('D'),	/* ISC: log_fatal */
		[FO_PARTNER_DOWN] = STAY('D'),		/* ISC: log_fatal */
		[FO_POTENTIAL_CONFLICT] = STAY('D'),
		[FO_CONFLICT_DONE] = STAY('D'),		/* ISC: log_fatal */
		[FO_RESOLUTION_INT] = STAY('D'),
		[FO_RECOVER] = STAY('D'),		/* ISC: log_fatal */
		[FO_RECOVER_WAIT] = STAY('D'),
		[FO_RECOVER_DONE] = STAY('D'),
		[FO_PAUSED] = STAY('D'),
		[FO_SHUTDOWN] = TO_PD('O'),	/* draft: stay; ISC: SHUTDOWN */
	},
};

/* The expected decision of one cell for one role. */
static void
want_of(int state, int partner, int role, int *next, unsigned *act)
{
	const struct want *w = NULL;

	if (state >= 0 && state < NST && partner >= 0 && partner < NST)
		w = &want[state][partner];
	if (w == NULL || w->basis == 0) {
		*next = state;
		*act = 0;
		return;
	}
	*next = w->next == KEEP ? state : w->next;
	*act = role == P ? w->pa : w->sa;
}

/* Loop index -> (state, partner, role): every state from -1 to NST. */
#define SPAN		(NST + 2)
#define CELLS		(SPAN * SPAN * 2)

static void
cell_of(int i, int *state, int *partner, int *role)
{
	*role = i % 2;
	*partner = (i / 2) % SPAN - 1;
	*state = (i / 2) / SPAN - 1;
}

START_TEST(test_partner_state_table)
{
	int state, partner, role, next;
	unsigned act;
	struct fo_fsm_out out;

	cell_of(_i, &state, &partner, &role);
	want_of(state, partner, role, &next, &act);
	out = partner_state(role, state, partner, 0);
	ck_assert_msg((int)out.state == next && out.act == act,
	    "%s, %s sees %s: got %s act %#x, want %s act %#x",
	    fo_role_name(role), nm(state), nm(partner), nm(out.state), out.act,
	    nm(next), act);
}
END_TEST

/* The expected table itself: every row of a state that has transitions is
 * written out in full, and the 'D' cells agree with the draft's rules that
 * hold for whole rows. */
START_TEST(test_partner_state_table_complete)
{
	static const int rows[] = { FO_NORMAL, FO_COMMUNICATION_INT,
	    FO_PARTNER_DOWN, FO_RECOVER, FO_RECOVER_WAIT, FO_RECOVER_DONE,
	    FO_POTENTIAL_CONFLICT, FO_RESOLUTION_INT, FO_CONFLICT_DONE };
	int n = 0;

	for (size_t r = 0; r < nitems(rows); r++)
		for (int c = FO_NORMAL; c < NST; c++) {
			const struct want *w = &want[rows[r]][c];

			ck_assert_msg(w->basis != 0, "%s x %s not written",
			    nm(rows[r]), nm(c));
			n++;
			/* a secondary never asks UPDREQ on entering a state
			 * (§9.10.1: it waits) and never rebalances */
			ck_assert(!(w->sa & RB));
			if (w->next == FO_POTENTIAL_CONFLICT)	/* + UA from RECOVER */
				ck_assert((w->pa & ~UA) == UQ && (w->sa & ~UA) == 0 &&
				    ((w->pa & UA) == 0) == (rows[r] != FO_RECOVER));
		}
	ck_assert_int_eq(n, 9 * 11);
	/* RECOVER_WAIT: no cell moves (§9.6.2) */
	for (int c = 0; c < NST; c++)
		ck_assert(want[FO_RECOVER_WAIT][c].next == KEEP ||
		    want[FO_RECOVER_WAIT][c].basis == 0);
}
END_TEST

/* A STATE without a state the table knows (NO_STATE, INIT, STARTUP, out of
 * range) changes nothing, in every state of ours. */
START_TEST(test_partner_state_unknown_partner)
{
	static const int odd[] = { -5, -1, FO_NO_STATE, FO_INIT, FO_STARTUP,
	    NST, 254, 1000 };

	for (int s = -1; s <= NST; s++)
		for (size_t k = 0; k < nitems(odd); k++)
			for (int role = P; role <= S; role++) {
				struct fo_fsm_out out = partner_state(role, s, odd[k], 0);

				ck_assert_int_eq((int)out.state, s);
				ck_assert_uint_eq(out.act, 0);
			}
}
END_TEST

/*
 * The cells where dhcpfod does not do what the draft says, one test each,
 * named after dhcpfod's choice (docs/FAILOVER.md, "Transition table").
 */

static void
expect(int role, int state, int partner, int next, unsigned act)
{
	struct fo_fsm_out out = partner_state(role, state, partner, 0);

	ck_assert_msg((int)out.state == next && out.act == act,
	    "%s, %s sees %s: got %s act %#x, want %s act %#x", fo_role_name(role),
	    nm(state), nm(partner), nm(out.state), out.act, nm(next), act);
}

/* ISC's "amnesic peer": a partner that restarted into RECOVER serves nobody,
 * so take over (draft §9.9.3: stay in COMM_INT). */
START_TEST(test_comm_int_sees_recover_goes_partner_down_like_isc)
{
	expect(P, FO_COMMUNICATION_INT, FO_RECOVER, FO_PARTNER_DOWN, 0);
	expect(S, FO_COMMUNICATION_INT, FO_RECOVER, FO_PARTNER_DOWN, 0);
}
END_TEST

/* The draft lists no RECOVER_WAIT partner for COMM_INT; ISC goes NORMAL;
 * dhcpfod treats it like RECOVER. */
START_TEST(test_comm_int_sees_recover_wait_goes_partner_down)
{
	expect(P, FO_COMMUNICATION_INT, FO_RECOVER_WAIT, FO_PARTNER_DOWN, 0);
	expect(S, FO_COMMUNICATION_INT, FO_RECOVER_WAIT, FO_PARTNER_DOWN, 0);
}
END_TEST

/* Draft §9.8.4 through COMM_INT would stay in COMM_INT. */
START_TEST(test_normal_sees_recover_goes_partner_down_like_isc)
{
	expect(P, FO_NORMAL, FO_RECOVER, FO_PARTNER_DOWN, 0);
	expect(S, FO_NORMAL, FO_RECOVER, FO_PARTNER_DOWN, 0);
	expect(P, FO_NORMAL, FO_RECOVER_WAIT, FO_PARTNER_DOWN, 0);
	expect(S, FO_NORMAL, FO_RECOVER_WAIT, FO_PARTNER_DOWN, 0);
}
END_TEST

/* ISC shuts down on these ("illegal"); dhcpfod follows the draft. */
START_TEST(test_normal_sees_conflict_goes_potential_conflict_not_isc_shutdown)
{
	expect(P, FO_NORMAL, FO_POTENTIAL_CONFLICT, FO_POTENTIAL_CONFLICT, UQ);
	expect(S, FO_NORMAL, FO_POTENTIAL_CONFLICT, FO_POTENTIAL_CONFLICT, 0);
	expect(P, FO_NORMAL, FO_RESOLUTION_INT, FO_POTENTIAL_CONFLICT, UQ);
	expect(S, FO_NORMAL, FO_RESOLUTION_INT, FO_POTENTIAL_CONFLICT, 0);
	/* the secondary's end of conflict resolution (§9.10.3) */
	expect(S, FO_NORMAL, FO_CONFLICT_DONE, FO_NORMAL, 0);
	expect(S, FO_POTENTIAL_CONFLICT, FO_NORMAL, FO_POTENTIAL_CONFLICT, 0);
}
END_TEST

/* Draft §9.5.2: UPDREQ unless storage was lost; dhcpfod, like ISC, always
 * asks for every binding, and asks again in whatever state the partner is
 * (ISC stays silent for RECOVER_WAIT/RECOVER_DONE). */
START_TEST(test_recover_always_asks_updreqall_like_isc)
{
	static const int partners[] = { FO_NORMAL, FO_COMMUNICATION_INT,
	    FO_PARTNER_DOWN, FO_RECOVER, FO_RECOVER_WAIT, FO_RECOVER_DONE };

	for (size_t k = 0; k < nitems(partners); k++) {
		expect(P, FO_RECOVER, partners[k], FO_RECOVER, UA);
		expect(S, FO_RECOVER, partners[k], FO_RECOVER, UA);
	}
}
END_TEST

/* Draft §9.5.2 would ask even a partner that is going away; ISC takes
 * SHUTDOWN as PARTNER_DOWN. A server in RECOVER knows nothing, so dhcpfod
 * does neither. */
START_TEST(test_recover_sees_paused_or_shutdown_stays_without_asking)
{
	for (int role = P; role <= S; role++) {
		expect(role, FO_RECOVER, FO_PAUSED, FO_RECOVER, 0);
		expect(role, FO_RECOVER, FO_SHUTDOWN, FO_RECOVER, 0);
	}
}
END_TEST

/*
 * A server in RECOVER that meets a partner in conflict resolution goes to
 * POTENTIAL_CONFLICT as draft §9.5.2 says, and still asks for every binding
 * (dhcpfod's choice): it may have lost its database, and POTENTIAL_CONFLICT
 * alone asks only for the partner's unacknowledged bindings.
 */
START_TEST(test_recover_meets_conflict_asks_for_everything)
{
	static const int partners[] = { FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE,
	    FO_RESOLUTION_INT };

	for (size_t k = 0; k < nitems(partners); k++) {
		expect(P, FO_RECOVER, partners[k], FO_POTENTIAL_CONFLICT, UQ | UA);
		expect(S, FO_RECOVER, partners[k], FO_POTENTIAL_CONFLICT, UA);
	}
}
END_TEST

/* ISC: a partner that recovers during conflict resolution sends us back
 * to RECOVER, asking for everything (draft: stay). */
START_TEST(test_potential_conflict_sees_recover_goes_recover_like_isc)
{
	expect(P, FO_POTENTIAL_CONFLICT, FO_RECOVER, FO_RECOVER, UA);
	expect(S, FO_POTENTIAL_CONFLICT, FO_RECOVER, FO_RECOVER, UA);
}
END_TEST

/* The partner going away for long: take over (ISC; the draft lists SHUTDOWN
 * only for NORMAL and COMM_INT). */
START_TEST(test_shutdown_partner_goes_partner_down_like_isc)
{
	for (int role = P; role <= S; role++) {
		expect(role, FO_POTENTIAL_CONFLICT, FO_SHUTDOWN, FO_PARTNER_DOWN, 0);
		expect(role, FO_RESOLUTION_INT, FO_SHUTDOWN, FO_PARTNER_DOWN, 0);
		expect(role, FO_RECOVER_DONE, FO_SHUTDOWN, FO_PARTNER_DOWN, 0);
	}
}
END_TEST

/* ISC goes to SHUTDOWN itself; the draft stays. */
START_TEST(test_conflict_done_sees_shutdown_goes_partner_down)
{
	expect(P, FO_CONFLICT_DONE, FO_SHUTDOWN, FO_PARTNER_DOWN, 0);
}
END_TEST

/* Draft §9.11.3: POTENTIAL_CONFLICT on any contact; a PAUSED partner is
 * about to go away, so dhcpfod (like ISC) keeps serving. */
START_TEST(test_resolution_int_sees_paused_stays)
{
	expect(P, FO_RESOLUTION_INT, FO_PAUSED, FO_RESOLUTION_INT, 0);
	expect(S, FO_RESOLUTION_INT, FO_PAUSED, FO_RESOLUTION_INT, 0);
}
END_TEST

/*
 * ---- the STARTUP flag (draft-12 §9.4.3) ----
 */

/* In PARTNER_DOWN, a STATE with the STARTUP flag is ignored, whatever it says. */
START_TEST(test_partner_down_ignores_startup)
{
	for (int c = -1; c <= NST; c++)
		for (int role = P; role <= S; role++) {
			struct fo_fsm_out out = partner_state(role, FO_PARTNER_DOWN,
			    c, 1);

			ck_assert_msg(out.state == FO_PARTNER_DOWN && out.act == 0,
			    "PARTNER_DOWN sees %s (starting up): %s act %#x", nm(c),
			    nm(out.state), out.act);
		}
	/* without the flag the same STATE counts */
	ck_assert_int_eq(partner_state(P, FO_PARTNER_DOWN, FO_COMMUNICATION_INT,
	    0).state, FO_POTENTIAL_CONFLICT);
	ck_assert_int_eq(partner_state(P, FO_PARTNER_DOWN, FO_RECOVER_DONE,
	    0).state, FO_NORMAL);
}
END_TEST

/* Every other state decides the same with or without the flag. */
START_TEST(test_startup_flag_only_matters_in_partner_down)
{
	for (int s = -1; s <= NST; s++) {
		if (s == FO_PARTNER_DOWN)
			continue;
		for (int c = -1; c <= NST; c++)
			for (int role = P; role <= S; role++) {
				struct fo_fsm_out a = partner_state(role, s, c, 0);
				struct fo_fsm_out b = partner_state(role, s, c, 1);

				ck_assert_msg(a.state == b.state && a.act == b.act,
				    "%s sees %s: flag changes the decision", nm(s),
				    nm(c));
			}
	}
}
END_TEST

/*
 * ---- entry actions (§9.10.1, §9.5.2; rebalancing: docs/FAILOVER.md §11) ----
 */

static const struct {
	int		role, state, partner, next;
	unsigned	act;
} entry_cases[] = {
	/* POTENTIAL_CONFLICT: the primary asks UPDREQ, the secondary waits */
	{ P, FO_COMMUNICATION_INT, FO_PARTNER_DOWN, FO_POTENTIAL_CONFLICT, UQ },
	{ S, FO_COMMUNICATION_INT, FO_PARTNER_DOWN, FO_POTENTIAL_CONFLICT, 0 },
	{ P, FO_PARTNER_DOWN, FO_NORMAL, FO_POTENTIAL_CONFLICT, UQ },
	{ S, FO_PARTNER_DOWN, FO_NORMAL, FO_POTENTIAL_CONFLICT, 0 },
	{ P, FO_RESOLUTION_INT, FO_RECOVER_DONE, FO_POTENTIAL_CONFLICT, UQ },
	{ S, FO_RESOLUTION_INT, FO_RECOVER_DONE, FO_POTENTIAL_CONFLICT, 0 },
	{ P, FO_NORMAL, FO_PARTNER_DOWN, FO_POTENTIAL_CONFLICT, UQ },
	/* RECOVER: both ask UPDREQALL */
	{ P, FO_POTENTIAL_CONFLICT, FO_RECOVER, FO_RECOVER, UA },
	{ S, FO_POTENTIAL_CONFLICT, FO_RECOVER, FO_RECOVER, UA },
	/* NORMAL: the primary rebalances */
	{ P, FO_COMMUNICATION_INT, FO_NORMAL, FO_NORMAL, RB },
	{ S, FO_COMMUNICATION_INT, FO_NORMAL, FO_NORMAL, 0 },
	{ P, FO_RECOVER_DONE, FO_RECOVER_DONE, FO_NORMAL, RB },
	{ S, FO_RECOVER_DONE, FO_NORMAL, FO_NORMAL, 0 },
	{ P, FO_PARTNER_DOWN, FO_RECOVER_DONE, FO_NORMAL, RB },
	{ S, FO_PARTNER_DOWN, FO_RECOVER_DONE, FO_NORMAL, 0 },
	{ P, FO_CONFLICT_DONE, FO_NORMAL, FO_NORMAL, RB },
	/* staying is no entry: no action */
	{ P, FO_NORMAL, FO_NORMAL, FO_NORMAL, 0 },
	{ P, FO_POTENTIAL_CONFLICT, FO_POTENTIAL_CONFLICT, FO_POTENTIAL_CONFLICT, 0 },
	{ P, FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE, FO_POTENTIAL_CONFLICT, 0 },
	{ S, FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE, FO_POTENTIAL_CONFLICT, UQ },
	/* other entries: nothing */
	{ P, FO_NORMAL, FO_PAUSED, FO_COMMUNICATION_INT, 0 },
	{ P, FO_NORMAL, FO_SHUTDOWN, FO_PARTNER_DOWN, 0 },
};

START_TEST(test_entry_actions)
{
	struct fo_fsm_out out = partner_state(entry_cases[_i].role,
	    entry_cases[_i].state, entry_cases[_i].partner, 0);

	ck_assert_msg((int)out.state == entry_cases[_i].next &&
	    out.act == entry_cases[_i].act, "%s, %s sees %s: %s act %#x",
	    fo_role_name(entry_cases[_i].role), nm(entry_cases[_i].state),
	    nm(entry_cases[_i].partner), nm(out.state), out.act);
}
END_TEST

/* Across the whole table: an action to ask comes only with POTENTIAL_CONFLICT
 * (UPDREQ), RECOVER (UPDREQALL), and REBALANCE only with a primary entering
 * NORMAL. */
START_TEST(test_actions_only_where_due)
{
	for (int i = 0; i < CELLS; i++) {
		int s, c, role;
		struct fo_fsm_out out;

		cell_of(i, &s, &c, &role);
		out = partner_state(role, s, c, 0);
		if (out.act & RB)
			ck_assert(role == P && out.state == FO_NORMAL && s != FO_NORMAL);
		if (out.act & UQ)
			ck_assert(out.state == FO_POTENTIAL_CONFLICT);
		if (out.act & UA)	/* RECOVER, or RECOVER meeting a conflict */
			ck_assert(out.state == FO_RECOVER || s == FO_RECOVER);
		ck_assert_uint_eq(out.act & ~(unsigned)(UQ | UA | RB), 0);
	}
}
END_TEST

/*
 * ---- fo_fsm_upddone (§9.5.2, §9.6.2, §9.10.3) ----
 */

static const struct {
	int		role, state, partner;
	int64_t		fail_time;
	int		next;
	unsigned	act;
} upddone_cases[] = {
	/* RECOVER, no failure on record (a new server, §9.3.2): no wait */
	{ P, FO_RECOVER, FO_NORMAL, 0, FO_RECOVER_DONE, 0 },
	{ S, FO_RECOVER, FO_PARTNER_DOWN, 0, FO_RECOVER_DONE, 0 },
	/* a failure less than MCLT ago: wait it out */
	{ P, FO_RECOVER, FO_NORMAL, T0 - 10, FO_RECOVER_WAIT, 0 },
	{ S, FO_RECOVER, FO_PARTNER_DOWN, T0 - 10, FO_RECOVER_WAIT, 0 },
	{ S, FO_RECOVER, FO_COMMUNICATION_INT, T0, FO_RECOVER_WAIT, 0 },
	{ P, FO_RECOVER, FO_NORMAL, T0 - MCLT + 1, FO_RECOVER_WAIT, 0 },
	/* MCLT has passed since: done at once (the boundary counts as passed) */
	{ P, FO_RECOVER, FO_NORMAL, T0 - MCLT, FO_RECOVER_DONE, 0 },
	{ S, FO_RECOVER, FO_PARTNER_DOWN, T0 - 10 * MCLT, FO_RECOVER_DONE, 0 },
	/* ISC: the partner recovering too skips the wait */
	{ P, FO_RECOVER, FO_RECOVER, T0 - 10, FO_RECOVER_DONE, 0 },
	{ S, FO_RECOVER, FO_RECOVER_DONE, T0 - 10, FO_RECOVER_DONE, 0 },
	{ P, FO_RECOVER, FO_RECOVER_WAIT, T0 - 10, FO_RECOVER_WAIT, 0 },
	/* POTENTIAL_CONFLICT: the primary is done first, the secondary NORMAL */
	{ P, FO_POTENTIAL_CONFLICT, FO_POTENTIAL_CONFLICT, 0, FO_CONFLICT_DONE, 0 },
	{ S, FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE, 0, FO_NORMAL, 0 },
	{ S, FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE, T0 - 10, FO_NORMAL, 0 },
	/* anywhere else an UPDDONE changes nothing */
	{ P, FO_NORMAL, FO_NORMAL, 0, FO_NORMAL, 0 },
	{ S, FO_COMMUNICATION_INT, FO_NORMAL, 0, FO_COMMUNICATION_INT, 0 },
	{ P, FO_PARTNER_DOWN, FO_RECOVER, 0, FO_PARTNER_DOWN, 0 },
	{ P, FO_RECOVER_WAIT, FO_NORMAL, T0 - 10, FO_RECOVER_WAIT, 0 },
	{ P, FO_RECOVER_DONE, FO_NORMAL, 0, FO_RECOVER_DONE, 0 },
	{ P, FO_CONFLICT_DONE, FO_POTENTIAL_CONFLICT, 0, FO_CONFLICT_DONE, 0 },
	{ S, FO_RESOLUTION_INT, FO_NORMAL, 0, FO_RESOLUTION_INT, 0 },
	{ P, FO_STARTUP, FO_NORMAL, 0, FO_STARTUP, 0 },
	{ P, FO_SHUTDOWN, FO_NORMAL, 0, FO_SHUTDOWN, 0 },
};

START_TEST(test_upddone)
{
	struct fo_fsm_in in = mkin(upddone_cases[_i].role, upddone_cases[_i].state,
	    upddone_cases[_i].partner, 0, T0, T0 - 5, upddone_cases[_i].fail_time,
	    MCLT);
	struct fo_fsm_out out;

	memset(&out, 0xa5, sizeof(out));
	fo_fsm_upddone(&in, &out);
	ck_assert_ptr_nonnull(out.why);
	ck_assert_msg((int)out.state == upddone_cases[_i].next &&
	    out.act == upddone_cases[_i].act, "%s in %s, partner %s, failed %lld "
	    "s ago: %s act %#x", fo_role_name(in.role), nm(in.state), nm(in.partner),
	    (long long)(T0 - in.fail_time), nm(out.state), out.act);
}
END_TEST

/* The wait is measured from the failure, not from entering RECOVER (STOS):
 * a long stay in RECOVER does not shorten it, an old failure needs none. */
START_TEST(test_upddone_wait_counts_from_fail_time)
{
	struct fo_fsm_in in = mkin(P, FO_RECOVER, FO_NORMAL, 0, T0, T0 - 10 * MCLT,
	    T0 - 100, MCLT);
	struct fo_fsm_out out;

	fo_fsm_upddone(&in, &out);
	ck_assert_int_eq(out.state, FO_RECOVER_WAIT);
	in.stos = T0;
	in.fail_time = T0 - 2 * MCLT;
	fo_fsm_upddone(&in, &out);
	ck_assert_int_eq(out.state, FO_RECOVER_DONE);
}
END_TEST

/*
 * ---- fo_fsm_tick (§9.6.2) ----
 */

static const struct {
	int	state;
	int64_t	fail_time, now;
	int	next;
} tick_cases[] = {
	{ FO_RECOVER_WAIT, T0, T0, FO_RECOVER_WAIT },
	{ FO_RECOVER_WAIT, T0, T0 + MCLT - 1, FO_RECOVER_WAIT },
	{ FO_RECOVER_WAIT, T0, T0 + MCLT, FO_RECOVER_DONE },
	{ FO_RECOVER_WAIT, T0, T0 + 5 * MCLT, FO_RECOVER_DONE },
	{ FO_RECOVER_WAIT, 0, T0, FO_RECOVER_DONE },	/* nothing to wait for */
	/* no other state moves with time here (STARTUP, the safe period and
	 * the takeover are fo_peer's timers) */
	{ FO_RECOVER, T0, T0 + 5 * MCLT, FO_RECOVER },
	{ FO_RECOVER_DONE, T0, T0 + 5 * MCLT, FO_RECOVER_DONE },
	{ FO_COMMUNICATION_INT, T0, T0 + 5 * MCLT, FO_COMMUNICATION_INT },
	{ FO_PARTNER_DOWN, T0, T0 + 5 * MCLT, FO_PARTNER_DOWN },
	{ FO_STARTUP, T0, T0 + 5 * MCLT, FO_STARTUP },
	{ FO_NORMAL, T0, T0 + 5 * MCLT, FO_NORMAL },
	{ FO_POTENTIAL_CONFLICT, T0, T0 + 5 * MCLT, FO_POTENTIAL_CONFLICT },
};

START_TEST(test_tick)
{
	for (int role = P; role <= S; role++) {
		struct fo_fsm_in in = mkin(role, tick_cases[_i].state, FO_NORMAL, 0,
		    tick_cases[_i].now, T0, tick_cases[_i].fail_time, MCLT);
		struct fo_fsm_out out;

		memset(&out, 0xa5, sizeof(out));
		fo_fsm_tick(&in, &out);
		ck_assert_ptr_nonnull(out.why);
		ck_assert_uint_eq(out.act, 0);
		ck_assert_msg((int)out.state == tick_cases[_i].next, "%s at +%lld: %s",
		    nm(in.state), (long long)(in.now - T0), nm(out.state));
	}
}
END_TEST

/*
 * ---- fo_fsm_allowed ----
 */

static void
assert_allowed(int from, int to, const char *by)
{
	ck_assert_msg(fo_fsm_allowed(from, to), "%s -> %s (%s) is not allowed",
	    nm(from), nm(to), by);
}

/* Every move any decision function makes is one fo_change_state accepts. */
START_TEST(test_allowed_covers_every_decision)
{
	static const int64_t fails[] = { 0, T0 - 10, T0 - 10 * MCLT };

	for (int i = 0; i < CELLS; i++) {
		int s, c, role;

		cell_of(i, &s, &c, &role);
		if (s < FO_STARTUP || s >= NST)
			continue;
		for (int flag = 0; flag <= 1; flag++)
			assert_allowed(s, partner_state(role, s, c, flag).state,
			    "partner state");
		for (size_t f = 0; f < nitems(fails); f++) {
			struct fo_fsm_in in = mkin(role, s, c, 0, T0, T0, fails[f], MCLT);
			struct fo_fsm_out out;

			fo_fsm_upddone(&in, &out);
			assert_allowed(s, out.state, "upddone");
			in.now = T0 + 2 * MCLT;
			fo_fsm_tick(&in, &out);
			assert_allowed(s, out.state, "tick");
		}
	}
	for (int s = FO_STARTUP; s < NST; s++) {
		assert_allowed(s, fo_fsm_comm_lost(s), "comm lost");
		assert_allowed(s, FO_STARTUP, "restart");
		assert_allowed(s, FO_PARTNER_DOWN, "operator");
	}
	for (int s = 0; s < NST; s++)
		assert_allowed(FO_STARTUP, fo_fsm_resume(s), "resume");
	assert_allowed(FO_COMMUNICATION_INT, FO_PARTNER_DOWN, "safe period");
}
END_TEST

/* Moves no rule makes. */
static const struct {
	int	from, to;
} forbidden_moves[] = {
	{ FO_NORMAL, FO_RECOVER_WAIT },
	{ FO_NORMAL, FO_RECOVER },
	{ FO_NORMAL, FO_RECOVER_DONE },
	{ FO_NORMAL, FO_CONFLICT_DONE },
	{ FO_NORMAL, FO_RESOLUTION_INT },
	{ FO_COMMUNICATION_INT, FO_CONFLICT_DONE },
	{ FO_COMMUNICATION_INT, FO_RECOVER_WAIT },
	{ FO_COMMUNICATION_INT, FO_RECOVER_DONE },
	{ FO_COMMUNICATION_INT, FO_RESOLUTION_INT },
	{ FO_PARTNER_DOWN, FO_RECOVER },
	{ FO_PARTNER_DOWN, FO_COMMUNICATION_INT },
	{ FO_PARTNER_DOWN, FO_CONFLICT_DONE },
	{ FO_PARTNER_DOWN, FO_RECOVER_DONE },
	{ FO_RECOVER, FO_NORMAL },
	{ FO_RECOVER, FO_COMMUNICATION_INT },
	{ FO_RECOVER, FO_CONFLICT_DONE },
	{ FO_RECOVER_WAIT, FO_NORMAL },
	{ FO_RECOVER_WAIT, FO_RECOVER },
	{ FO_RECOVER_WAIT, FO_POTENTIAL_CONFLICT },
	{ FO_RECOVER_DONE, FO_COMMUNICATION_INT },
	{ FO_RECOVER_DONE, FO_POTENTIAL_CONFLICT },
	{ FO_POTENTIAL_CONFLICT, FO_COMMUNICATION_INT },
	{ FO_POTENTIAL_CONFLICT, FO_RECOVER_DONE },
	{ FO_RESOLUTION_INT, FO_NORMAL },
	{ FO_RESOLUTION_INT, FO_CONFLICT_DONE },
	{ FO_RESOLUTION_INT, FO_COMMUNICATION_INT },
	{ FO_CONFLICT_DONE, FO_POTENTIAL_CONFLICT },
	{ FO_CONFLICT_DONE, FO_RESOLUTION_INT },
	/* maintenance cancel leaves PAUSED only for COMM_INT or RECOVER */
	{ FO_PAUSED, FO_NORMAL },
	{ FO_PAUSED, FO_RECOVER_DONE },
	{ FO_PAUSED, FO_POTENTIAL_CONFLICT },
	/* nothing goes back to the states before STARTUP */
	{ FO_NORMAL, FO_NO_STATE },
	{ FO_NORMAL, FO_INIT },
	{ FO_STARTUP, FO_INIT },
	{ FO_INIT, FO_NO_STATE },
	{ FO_NO_STATE, FO_NO_STATE },
	/* out of range */
	{ -1, FO_NORMAL },
	{ NST, FO_NORMAL },
	{ FO_NORMAL, NST },
	{ FO_NORMAL, -1 },
};

/* The first STATE since a start (draft-12 §9.3.2): in STARTUP, RECOVER if
 * the partner is PARTNER_DOWN, else the resumed state; after a STARTUP that
 * ended alone, a partner in PARTNER_DOWN (it may have taken our free
 * addresses and leased them) sends every serving state but PARTNER_DOWN to
 * RECOVER, where it was a POTENTIAL_CONFLICT whose interruption had both
 * serve from pools the partner had used (issue #10); the moves are allowed. */
START_TEST(test_first_contact)
{
	for (int s = 0; s < NST; s++) {
		int next = fo_fsm_first_contact(s, FO_NORMAL, FO_PARTNER_DOWN);

		if (s == FO_STARTUP || s == FO_COMMUNICATION_INT ||
		    s == FO_RESOLUTION_INT || s == FO_CONFLICT_DONE ||
		    s == FO_RECOVER_DONE)
			ck_assert_msg(next == FO_RECOVER, "%s: %s", nm(s), nm(next));
		else
			ck_assert_msg(next == s, "%s: %s", nm(s), nm(next));
		ck_assert(fo_fsm_allowed(s, next) || s < FO_STARTUP);
		for (int ps = 0; ps < NST; ps++)
			if (ps != FO_PARTNER_DOWN && s != FO_STARTUP)
				ck_assert((int)fo_fsm_first_contact(s, FO_NORMAL, ps) == s);
	}
	ck_assert_int_eq(fo_fsm_first_contact(FO_STARTUP, FO_NORMAL, FO_NORMAL),
	    FO_COMMUNICATION_INT);
	ck_assert_int_eq(fo_fsm_first_contact(FO_STARTUP, FO_PARTNER_DOWN,
	    FO_COMMUNICATION_INT), FO_PARTNER_DOWN);
	ck_assert_int_eq(fo_fsm_first_contact(FO_STARTUP, FO_INIT, FO_NORMAL),
	    FO_RECOVER);
}
END_TEST

START_TEST(test_allowed_refuses_nonsense)
{
	ck_assert_msg(!fo_fsm_allowed(forbidden_moves[_i].from,
	    forbidden_moves[_i].to), "%s -> %s is allowed",
	    nm(forbidden_moves[_i].from), nm(forbidden_moves[_i].to));
}
END_TEST

/* What is always allowed: staying, restarting, stopping, the operator's
 * PARTNER_DOWN, and anything out of STARTUP/INIT/NO_STATE (resume, then
 * meeting the partner). */
START_TEST(test_allowed_always)
{
	for (int s = 0; s < NST; s++) {
		ck_assert(fo_fsm_allowed(s, FO_STARTUP));
		ck_assert(fo_fsm_allowed(s, FO_SHUTDOWN));
		ck_assert(fo_fsm_allowed(s, FO_PAUSED));
		ck_assert(fo_fsm_allowed(s, FO_PARTNER_DOWN));
		if (s >= FO_STARTUP)
			ck_assert(fo_fsm_allowed(s, s));
	}
	for (int to = FO_STARTUP; to < NST; to++) {
		ck_assert(fo_fsm_allowed(FO_NO_STATE, to));
		ck_assert(fo_fsm_allowed(FO_INIT, to));
		ck_assert(fo_fsm_allowed(FO_STARTUP, to));
	}
}
END_TEST

/*
 * ---- serving (draft-12 §9: responsive / balanced / unresponsive) ----
 */

static const struct {
	int	state, serves_new, serves_renew;
} serve_cases[] = {
	{ FO_NO_STATE, 0, 0 },
	{ FO_INIT, 0, 0 },
	{ FO_STARTUP, 0, 0 },			/* §9.3.1 */
	{ FO_NORMAL, 1, 1 },			/* §9.8.2 (balanced: fo_serves) */
	{ FO_COMMUNICATION_INT, 1, 1 },		/* §9.9.2 */
	{ FO_PARTNER_DOWN, 1, 1 },		/* §9.4.2 */
	{ FO_POTENTIAL_CONFLICT, 0, 0 },	/* §9.10.2 */
	{ FO_CONFLICT_DONE, 1, 1 },		/* §9.12.2; ISC: no */
	{ FO_RESOLUTION_INT, 1, 1 },		/* §9.11.2; ISC: no */
	{ FO_RECOVER, 0, 0 },			/* §9.5.1 */
	{ FO_RECOVER_WAIT, 0, 0 },		/* §9.6.1 */
	{ FO_RECOVER_DONE, 0, 1 },		/* §9.7.1; ISC: no */
	{ FO_PAUSED, 0, 0 },
	{ FO_SHUTDOWN, 0, 0 },			/* §9.14.2 */
	{ -1, 0, 0 },
	{ NST, 0, 0 },
};

START_TEST(test_serving)
{
	ck_assert_msg(!!fo_fsm_serves_new(serve_cases[_i].state) ==
	    serve_cases[_i].serves_new, "serves_new(%s)", nm(serve_cases[_i].state));
	ck_assert_msg(!!fo_fsm_serves_renew(serve_cases[_i].state) ==
	    serve_cases[_i].serves_renew, "serves_renew(%s)",
	    nm(serve_cases[_i].state));
}
END_TEST

/* A server that answers new clients answers renewals too. */
START_TEST(test_serving_new_implies_renew)
{
	for (int s = -1; s <= NST; s++)
		if (fo_fsm_serves_new(s))
			ck_assert(fo_fsm_serves_renew(s));
}
END_TEST

/*
 * ---- the PARTNER_DOWN takeover (§9.4.2) ----
 */

static const struct {
	int		state;
	int64_t		stos;
	uint32_t	mclt;
	int64_t		now;
	int		takes;
} takeover_cases[] = {
	{ FO_PARTNER_DOWN, T0, MCLT, T0, 0 },
	{ FO_PARTNER_DOWN, T0, MCLT, T0 + MCLT - 1, 0 },
	{ FO_PARTNER_DOWN, T0, MCLT, T0 + MCLT, 1 },
	{ FO_PARTNER_DOWN, T0, MCLT, T0 + MCLT + 1, 1 },
	{ FO_PARTNER_DOWN, T0, MCLT, T0 + 100 * MCLT, 1 },
	{ FO_PARTNER_DOWN, T0, MCLT, T0 - 1, 0 },	/* clock went back */
	{ FO_PARTNER_DOWN, T0, 1, T0 + 1, 1 },
	{ FO_PARTNER_DOWN, T0, UINT32_MAX, T0 + UINT32_MAX - 1, 0 },
	{ FO_PARTNER_DOWN, T0, UINT32_MAX, T0 + UINT32_MAX, 1 },
	/* never outside PARTNER_DOWN, however long ago */
	{ FO_COMMUNICATION_INT, T0, MCLT, T0 + 100 * MCLT, 0 },
	{ FO_NORMAL, T0, MCLT, T0 + 100 * MCLT, 0 },
	{ FO_RESOLUTION_INT, T0, MCLT, T0 + 100 * MCLT, 0 },
	{ FO_CONFLICT_DONE, T0, MCLT, T0 + 100 * MCLT, 0 },
	{ FO_RECOVER_DONE, T0, MCLT, T0 + 100 * MCLT, 0 },
	{ FO_POTENTIAL_CONFLICT, T0, MCLT, T0 + 100 * MCLT, 0 },
	{ FO_STARTUP, T0, MCLT, T0 + 100 * MCLT, 0 },
};

START_TEST(test_takes_partner_pool)
{
	ck_assert_msg(!!fo_fsm_takes_partner_pool(takeover_cases[_i].state,
	    takeover_cases[_i].stos, takeover_cases[_i].mclt, takeover_cases[_i].now) ==
	    takeover_cases[_i].takes, "%s, %lld s after its start, MCLT %u",
	    nm(takeover_cases[_i].state),
	    (long long)(takeover_cases[_i].now - takeover_cases[_i].stos),
	    takeover_cases[_i].mclt);
}
END_TEST

/*
 * ---- simulation: two servers meet after a restart ----
 *
 * Each server starts in fo_fsm_resume(stored), learns the other's state after
 * every move and applies fo_fsm_partner_state until it settles (as
 * fo_peer's peer_evaluate: at most one UPDREQ/UPDREQALL per connection);
 * an UPDREQ/UPDREQALL is answered by an UPDDONE on the asker's next turn;
 * when neither moves, MCLT passes and both get fo_fsm_tick. The pair should
 * reach NORMAL/NORMAL. Start pairs are every pair of resumed states (a
 * failure on record just now, or none), for primary and secondary.
 */

#define SIM_ROUNDS	16

struct sim_node {
	int	role, state;
	int64_t	stos, fail_time;
	int	asked, upddone_due;
};

struct sim {
	struct sim_node	n[2];
	int64_t		now;
	int		pdown_overlap;	/* PARTNER_DOWN while the other allocates */
};

static struct fo_fsm_in
sim_in(const struct sim *sm, const struct sim_node *me, const struct sim_node *o)
{
	return mkin(me->role, me->state, o->state, 0, sm->now, me->stos,
	    me->fail_time, MCLT);
}

static int
sim_move(struct sim *sm, struct sim_node *me, int to, const char *by)
{
	if (to == me->state)
		return 0;
	assert_allowed(me->state, to, by);
	me->state = to;
	me->stos = sm->now;
	return 1;
}

/* One server's turn; 1 if anything happened. */
static int
sim_turn(struct sim *sm, struct sim_node *me, const struct sim_node *o)
{
	struct fo_fsm_in in;
	struct fo_fsm_out out;
	int moved = 0;

	if (me->upddone_due) {
		me->upddone_due = 0;
		in = sim_in(sm, me, o);
		fo_fsm_upddone(&in, &out);
		sim_move(sm, me, out.state, "upddone");
		moved = 1;
	}
	for (int i = 0; i < 4; i++) {
		in = sim_in(sm, me, o);
		fo_fsm_partner_state(&in, &out);
		if ((out.act & ASK) && !me->asked) {
			me->asked = 1;
			me->upddone_due = 1;
			moved = 1;
		}
		if (!sim_move(sm, me, out.state, "partner state"))
			break;
		moved = 1;
	}
	return moved;
}

/* §9.4: while one server is in PARTNER_DOWN the other must not allocate
 * (RECOVER_DONE answering renewals beside it is the draft's own sequence,
 * Fig. 9.5.2-1). */
static void
sim_check(struct sim *sm)
{
	for (int k = 0; k < 2; k++)
		if (sm->n[k].state == FO_PARTNER_DOWN &&
		    fo_fsm_serves_new(sm->n[1 - k].state))
			sm->pdown_overlap = 1;
}

/* Rounds until both are NORMAL, or -1 (the final states in *ps, *ss). */
static int
sim_run(int pstart, int sstart, int64_t fail, int *ps, int *ss, int *overlap)
{
	struct sim sm = { .now = T0 };
	int r;

	sm.n[0] = (struct sim_node){ P, pstart, T0, fail, 0, 0 };
	sm.n[1] = (struct sim_node){ S, sstart, T0, fail, 0, 0 };
	for (r = 1; r <= SIM_ROUNDS; r++) {
		int moved = sim_turn(&sm, &sm.n[0], &sm.n[1]);

		moved |= sim_turn(&sm, &sm.n[1], &sm.n[0]);
		sim_check(&sm);
		if (sm.n[0].state == FO_NORMAL && sm.n[1].state == FO_NORMAL &&
		    !sm.n[0].upddone_due && !sm.n[1].upddone_due)
			break;
		if (!moved) {
			struct fo_fsm_out out;
			struct fo_fsm_in in;

			sm.now += MCLT + 1;
			for (int k = 0; k < 2; k++) {
				in = sim_in(&sm, &sm.n[k], &sm.n[1 - k]);
				fo_fsm_tick(&in, &out);
				moved |= sim_move(&sm, &sm.n[k], out.state, "tick");
			}
			if (!moved) {
				r = SIM_ROUNDS + 1;
				break;
			}
		}
		sm.now++;
	}
	*ps = sm.n[0].state;
	*ss = sm.n[1].state;
	*overlap = sm.pdown_overlap;
	return r <= SIM_ROUNDS ? r : -1;
}

/* The states a server can be in when it meets its partner after a restart. */
static int
resumed_states(int out[NST])
{
	int n = 0;

	for (int s = 0; s < NST; s++) {
		int r = fo_fsm_resume(s), seen = 0;

		for (int k = 0; k < n; k++)
			seen |= out[k] == r;
		if (!seen)
			out[n++] = r;
	}
	return n;
}

/*
 * The start pairs that do not reach NORMAL, and why (docs/FAILOVER.md,
 * "Known limits"). Both come from the same gap in the draft's table:
 * RECOVER_WAIT and RECOVER_DONE wait for the partner to be NORMAL or
 * RECOVER_DONE, while a partner in conflict resolution waits for them.
 *  - RESOLUTION_INT meets RECOVER_WAIT/RECOVER_DONE: it goes to
 *    POTENTIAL_CONFLICT (§9.11.3); the other stays (§9.6.2, §9.7.2). A
 *    secondary in POTENTIAL_CONFLICT waits for CONFLICT_DONE forever; a
 *    primary gets its UPDDONE, goes CONFLICT_DONE, and then waits for a
 *    NORMAL secondary that waits for it.
 *  - CONFLICT_DONE meets RECOVER_WAIT/RECOVER_DONE: same standoff.
 *  - a secondary in CONFLICT_DONE: only a primary enters it (§9.12.1);
 *    listed for completeness, unreachable.
 * The table never produces these pairs while the servers are in contact
 * (RECOVER meeting a conflict state moves to POTENTIAL_CONFLICT), so they
 * need stored states from different histories, e.g. a database restored
 * from a backup.
 */
static const struct {
	int	primary, secondary;
} stuck_pairs[] = {
	{ FO_RESOLUTION_INT, FO_RECOVER_WAIT },
	{ FO_RESOLUTION_INT, FO_RECOVER_DONE },
	{ FO_RECOVER_WAIT, FO_RESOLUTION_INT },
	{ FO_RECOVER_DONE, FO_RESOLUTION_INT },
	{ FO_CONFLICT_DONE, FO_RECOVER_WAIT },
	{ FO_CONFLICT_DONE, FO_RECOVER_DONE },
	/* a secondary in CONFLICT_DONE (unreachable) */
	{ FO_COMMUNICATION_INT, FO_CONFLICT_DONE },
	{ FO_RESOLUTION_INT, FO_CONFLICT_DONE },
	{ FO_PARTNER_DOWN, FO_CONFLICT_DONE },
	{ FO_CONFLICT_DONE, FO_CONFLICT_DONE },
	{ FO_RECOVER, FO_CONFLICT_DONE },
	{ FO_RECOVER_WAIT, FO_CONFLICT_DONE },
	{ FO_RECOVER_DONE, FO_CONFLICT_DONE },
};

static int
expected_stuck(int p, int s)
{
	for (size_t k = 0; k < nitems(stuck_pairs); k++)
		if (stuck_pairs[k].primary == p && stuck_pairs[k].secondary == s)
			return 1;
	return 0;
}

START_TEST(test_simulation_reaches_normal)
{
	static const int64_t fails[] = { 0, T0 };
	int st[NST], n = resumed_states(st), worst = 0, stuck = 0;

	ck_assert_int_eq(n, 7);
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++)
			for (size_t f = 0; f < nitems(fails); f++) {
				int ps, ss, overlap;
				int r = sim_run(st[a], st[b], fails[f], &ps, &ss, &overlap);

				if (r < 0) {
					stuck++;
					ck_assert_msg(expected_stuck(st[a], st[b]),
					    "primary %s, secondary %s (failure %s): "
					    "stuck in %s / %s", nm(st[a]), nm(st[b]),
					    fails[f] ? "just now" : "none", nm(ps), nm(ss));
				} else {
					ck_assert_msg(!expected_stuck(st[a], st[b]),
					    "primary %s, secondary %s now reach NORMAL: "
					    "update stuck_pairs", nm(st[a]), nm(st[b]));
					if (r > worst)
						worst = r;
				}
				/* never PARTNER_DOWN beside a server that allocates
				 * (after the first round: the start pair is given) */
				ck_assert_msg(!overlap, "primary %s, secondary %s: "
				    "PARTNER_DOWN while the other allocates",
				    nm(st[a]), nm(st[b]));
			}
	ck_assert_int_eq(stuck, (int)nitems(stuck_pairs) * (int)nitems(fails));
	ck_assert_int_le(worst, 5);
}
END_TEST

/* The ordinary paths, round by round. */
START_TEST(test_simulation_paths)
{
	int ps, ss, ov;

	/* a link cut in NORMAL heals: both COMM_INT -> NORMAL in one round */
	ck_assert_int_eq(sim_run(FO_COMMUNICATION_INT, FO_COMMUNICATION_INT, T0,
	    &ps, &ss, &ov), 1);
	/* two new servers: RECOVER, UPDREQALL both ways, no MCLT wait */
	ck_assert_int_gt(sim_run(FO_RECOVER, FO_RECOVER, 0, &ps, &ss, &ov), 0);
	/* the survivor in PARTNER_DOWN meets a server with a fresh database */
	ck_assert_int_gt(sim_run(FO_PARTNER_DOWN, FO_RECOVER, 0, &ps, &ss, &ov), 0);
	ck_assert_int_gt(sim_run(FO_RECOVER, FO_PARTNER_DOWN, T0, &ps, &ss, &ov), 0);
	/* both took over: conflict resolution (primary first) */
	ck_assert_int_gt(sim_run(FO_PARTNER_DOWN, FO_PARTNER_DOWN, T0, &ps, &ss,
	    &ov), 0);
	ck_assert_int_eq(ps, FO_NORMAL);
	ck_assert_int_eq(ss, FO_NORMAL);
}
END_TEST


/* failover.maintenance (draft-12 §9.15): start only from NORMAL in contact,
 * cancel only from PAUSED; the cancel goes back through COMMUNICATION_INT
 * (the table then pairs both in NORMAL) or, when the partner is not in
 * contact or took over, through RECOVER. */
static const struct {
	enum fo_state	state;
	int		contact;
	enum fo_state	partner;
	int		start;
	int		want;
} maint_cases[] = {
	{ FO_NORMAL, 1, FO_NORMAL, 1, FO_PAUSED },
	{ FO_NORMAL, 0, FO_NORMAL, 1, -1 },		/* nobody to tell */
	{ FO_COMMUNICATION_INT, 1, FO_NORMAL, 1, -1 },
	{ FO_PARTNER_DOWN, 1, FO_RECOVER, 1, -1 },
	{ FO_RECOVER, 1, FO_NORMAL, 1, -1 },
	{ FO_PAUSED, 1, FO_COMMUNICATION_INT, 1, -1 },	/* already */
	{ FO_PAUSED, 1, FO_COMMUNICATION_INT, 0, FO_COMMUNICATION_INT },
	{ FO_PAUSED, 1, FO_NORMAL, 0, FO_COMMUNICATION_INT },
	{ FO_PAUSED, 0, FO_COMMUNICATION_INT, 0, FO_RECOVER },
	{ FO_PAUSED, 1, FO_PARTNER_DOWN, 0, FO_RECOVER },
	{ FO_NORMAL, 1, FO_NORMAL, 0, -1 },		/* not in maintenance */
	{ FO_SHUTDOWN, 1, FO_PARTNER_DOWN, 0, -1 },
};

START_TEST(test_maintenance)
{
	int got = fo_fsm_maintenance(maint_cases[_i].state, maint_cases[_i].contact,
	    maint_cases[_i].partner, maint_cases[_i].start);

	ck_assert_int_eq(got, maint_cases[_i].want);
	if (got >= 0)
		ck_assert(fo_fsm_allowed(maint_cases[_i].state, got));
}
END_TEST

/* A paused server's partner serves everyone (COMMUNICATION_INT), and the
 * cancel meets it there: both reach NORMAL; the paused server itself serves
 * nobody (draft-12 §9.15). */
START_TEST(test_maintenance_round_trip)
{
	struct fo_fsm_in in = { FO_SECONDARY, FO_NORMAL, FO_PAUSED, 0, 1000, 900,
	    0, 3600 };
	struct fo_fsm_out out;
	int back;

	ck_assert(!fo_fsm_serves_new(FO_PAUSED));
	ck_assert(!fo_fsm_serves_renew(FO_PAUSED));
	fo_fsm_partner_state(&in, &out);
	ck_assert_int_eq(out.state, FO_COMMUNICATION_INT);
	ck_assert(fo_fsm_serves_new(out.state));
	in.state = out.state;
	fo_fsm_partner_state(&in, &out);	/* stays while paused */
	ck_assert_int_eq(out.state, FO_COMMUNICATION_INT);
	back = fo_fsm_maintenance(FO_PAUSED, 1, FO_COMMUNICATION_INT, 0);
	ck_assert_int_eq(back, FO_COMMUNICATION_INT);
	in.partner = (enum fo_state)back;	/* the partner sees us back */
	fo_fsm_partner_state(&in, &out);
	ck_assert_int_eq(out.state, FO_NORMAL);
	in.role = FO_PRIMARY;			/* and we see it */
	in.state = (enum fo_state)back;
	in.partner = FO_COMMUNICATION_INT;
	fo_fsm_partner_state(&in, &out);
	ck_assert_int_eq(out.state, FO_NORMAL);
}
END_TEST


/* failover.set prev_state (Windows PREVSTATE): in STARTUP only a state that
 * resumes RECOVER, or the one stored; never STARTUP; elsewhere any. */
START_TEST(test_operator_prev_state)
{
	ck_assert(fo_operator_prev_state_ok(FO_STARTUP, FO_NORMAL, FO_INIT));
	ck_assert(fo_operator_prev_state_ok(FO_STARTUP, FO_NORMAL, FO_RECOVER));
	ck_assert(fo_operator_prev_state_ok(FO_STARTUP, FO_NORMAL, FO_NORMAL));
	ck_assert(!fo_operator_prev_state_ok(FO_STARTUP, FO_NORMAL, FO_PARTNER_DOWN));
	ck_assert(!fo_operator_prev_state_ok(FO_STARTUP, FO_INIT, FO_NORMAL));
	ck_assert(!fo_operator_prev_state_ok(FO_STARTUP, FO_INIT, FO_RESOLUTION_INT));
	ck_assert(!fo_operator_prev_state_ok(FO_NORMAL, FO_INIT, FO_STARTUP));
	ck_assert(fo_operator_prev_state_ok(FO_NORMAL, FO_INIT, FO_PARTNER_DOWN));
	ck_assert(!fo_operator_prev_state_ok(FO_NORMAL, FO_INIT, (enum fo_state)99));
	/* what STARTUP accepts never resumes a serving state alone */
	for (int w = 0; w < NST; w++)
		if (fo_operator_prev_state_ok(FO_STARTUP, FO_INIT, w))
			ck_assert_int_eq(fo_fsm_resume(w), FO_RECOVER);
}
END_TEST

/*
 * ---- operator actions (FAILOVER.md §5.1 "A relationship created over live
 * scopes", §4 "A partner that stops answering its clients") ----
 */

/* MS-DHCPF 3.1.6.3: the side with leases serves in COMMUNICATION_INT at
 * once; a side without data starts up and resumes RECOVER (§9.3.2 step 1). */
START_TEST(test_created_over_leases_serves_in_comm_int)
{
	ck_assert_int_eq(fo_fsm_created(1), FO_COMMUNICATION_INT);
	ck_assert(fo_fsm_serves_new(fo_fsm_created(1)));
	ck_assert(fo_fsm_serves_renew(fo_fsm_created(1)));
	ck_assert_int_eq(fo_fsm_created(0), FO_STARTUP);
	ck_assert_int_eq(fo_fsm_resume(FO_INIT), FO_RECOVER);
	ck_assert(fo_fsm_allowed(FO_STARTUP, FO_COMMUNICATION_INT));
}
END_TEST

/* The side with the data meets its new, empty partner: it keeps serving
 * (PARTNER_DOWN), the partner asks for every binding, waits MCLT from its
 * creation unless the data side recovers too, and both meet in NORMAL. */
START_TEST(test_created_pair_data_side_serves_throughout)
{
	struct fo_fsm_in in;
	struct fo_fsm_out out;
	enum fo_state data = fo_fsm_created(1), fresh;

	fresh = fo_fsm_resume(FO_INIT);			/* the empty partner */
	out = partner_state(P, data, fresh, 0);		/* data side, primary */
	ck_assert_int_eq(out.state, FO_PARTNER_DOWN);
	data = out.state;
	ck_assert(fo_fsm_serves_new(data));
	out = partner_state(S, fresh, data, 0);
	ck_assert_int_eq(out.state, FO_RECOVER);
	ck_assert(out.act & FO_ACT_UPDREQALL);
	/* UPDDONE: its failure time is its creation, MCLT not yet passed */
	in = mkin(S, FO_RECOVER, data, 0, T0, T0 - 5, T0 - 5, MCLT);
	fo_fsm_upddone(&in, &out);
	ck_assert_int_eq(out.state, FO_RECOVER_WAIT);
	in = mkin(S, FO_RECOVER_WAIT, data, 0, T0 + MCLT, T0, T0 - 5, MCLT);
	fo_fsm_tick(&in, &out);
	ck_assert_int_eq(out.state, FO_RECOVER_DONE);
	fresh = out.state;
	out = partner_state(P, data, fresh, 0);
	ck_assert_int_eq(out.state, FO_NORMAL);
	out = partner_state(S, fresh, FO_NORMAL, 0);
	ck_assert_int_eq(out.state, FO_NORMAL);
	ck_assert(fo_fsm_serves_new(data));		/* never stopped */
}
END_TEST

/* §9.3.2 step 6: only a server that ever met its partner is held to known
 * renewals after a restart; PARTNER_DOWN never. */
START_TEST(test_alone_restricted_only_if_ever_met)
{
	for (int st = 0; st < NST; st++) {
		ck_assert_int_eq(fo_fsm_alone_restricted(st, 0, 1),
		    st != FO_PARTNER_DOWN);
		ck_assert(!fo_fsm_alone_restricted(st, 0, 0));
		ck_assert(!fo_fsm_alone_restricted(st, 1, 1));
	}
}
END_TEST

/* Kea's max-ack-delay on ISC's load balance max seconds: only in NORMAL,
 * only the partner's buckets, only past the limit, never when it is 0. */
START_TEST(test_client_unacked)
{
	ck_assert(fo_fsm_client_unacked(FO_NORMAL, 1, 4, 3));
	ck_assert(!fo_fsm_client_unacked(FO_NORMAL, 1, 3, 3));
	ck_assert(!fo_fsm_client_unacked(FO_NORMAL, 0, 100, 3));
	ck_assert(!fo_fsm_client_unacked(FO_NORMAL, 1, 100, 0));
	for (int st = 0; st < NST; st++)
		if (st != FO_NORMAL)
			ck_assert(!fo_fsm_client_unacked(st, 1, 100, 3));
}
END_TEST

/* FO_UNACKED_CLIENTS distinct clients make the partner unresponsive; the
 * same client retrying counts once; the partner's binding for each client,
 * or the window passing, ends it. */
START_TEST(test_unacked_record)
{
	struct fo_unacked u;
	uint8_t hw[6] = { 2, 0, 0, 0, 0, 0 };
	uint32_t k[FO_UNACKED_CLIENTS];

	fo_unacked_reset(&u);
	for (int i = 0; i < FO_UNACKED_CLIENTS; i++) {
		hw[5] = (uint8_t)i;
		k[i] = fo_unacked_key(hw, sizeof(hw));
		ck_assert_int_eq(fo_unacked_note(&u, k[i], 100), i ==
		    FO_UNACKED_CLIENTS - 1);
		ck_assert_int_eq(fo_unacked_note(&u, k[i], 101), 0);
	}
	ck_assert(u.unresponsive);
	ck_assert_uint_eq(u.n, FO_UNACKED_CLIENTS);
	ck_assert_uint_eq(u.total, FO_UNACKED_CLIENTS);
	for (int i = 0; i < FO_UNACKED_CLIENTS - 1; i++)
		ck_assert_int_eq(fo_unacked_answered(&u, k[i]), 0);
	ck_assert(u.unresponsive);
	ck_assert_int_eq(fo_unacked_answered(&u, k[FO_UNACKED_CLIENTS - 1]), 1);
	ck_assert(!u.unresponsive);
	/* again, then forgotten after the window */
	for (int i = 0; i < FO_UNACKED_CLIENTS; i++)
		fo_unacked_note(&u, k[i], 200);
	ck_assert(u.unresponsive);
	ck_assert_int_eq(fo_unacked_expire(&u, 200 + FO_UNACKED_WINDOW - 1), 0);
	ck_assert_int_eq(fo_unacked_expire(&u, 200 + FO_UNACKED_WINDOW), 1);
	ck_assert_uint_eq(u.n, 0);
	/* bounded */
	for (uint32_t i = 0; i < 3 * FO_UNACKED_MAX; i++)
		fo_unacked_note(&u, i, 300);
	ck_assert_uint_eq(u.n, FO_UNACKED_MAX);
}
END_TEST

static Suite *
fo_fsm_suite(void)
{
	Suite *s = suite_create("fo_fsm");
	TCase *tc;

	tc = tcase_create("resume");
	tcase_add_loop_test(tc, test_resume, 0, nitems(resume_cases));
	tcase_add_test(tc, test_resume_never_in_contact_state);
	tcase_add_loop_test(tc, test_comm_lost, 0, nitems(comm_lost_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("partner_state");
	tcase_add_loop_test(tc, test_partner_state_table, 0, CELLS);
	tcase_add_test(tc, test_partner_state_table_complete);
	tcase_add_test(tc, test_partner_state_unknown_partner);
	tcase_add_test(tc, test_partner_down_ignores_startup);
	tcase_add_test(tc, test_startup_flag_only_matters_in_partner_down);
	tcase_add_loop_test(tc, test_entry_actions, 0, nitems(entry_cases));
	tcase_add_test(tc, test_actions_only_where_due);
	suite_add_tcase(s, tc);

	tc = tcase_create("choices");
	tcase_add_test(tc, test_comm_int_sees_recover_goes_partner_down_like_isc);
	tcase_add_test(tc, test_comm_int_sees_recover_wait_goes_partner_down);
	tcase_add_test(tc, test_normal_sees_recover_goes_partner_down_like_isc);
	tcase_add_test(tc,
	    test_normal_sees_conflict_goes_potential_conflict_not_isc_shutdown);
	tcase_add_test(tc, test_recover_always_asks_updreqall_like_isc);
	tcase_add_test(tc, test_recover_sees_paused_or_shutdown_stays_without_asking);
	tcase_add_test(tc, test_recover_meets_conflict_asks_for_everything);
	tcase_add_test(tc, test_potential_conflict_sees_recover_goes_recover_like_isc);
	tcase_add_test(tc, test_shutdown_partner_goes_partner_down_like_isc);
	tcase_add_test(tc, test_conflict_done_sees_shutdown_goes_partner_down);
	tcase_add_test(tc, test_resolution_int_sees_paused_stays);
	suite_add_tcase(s, tc);

	tc = tcase_create("operator");
	tcase_add_test(tc, test_created_over_leases_serves_in_comm_int);
	tcase_add_test(tc, test_created_pair_data_side_serves_throughout);
	tcase_add_test(tc, test_alone_restricted_only_if_ever_met);
	tcase_add_test(tc, test_client_unacked);
	tcase_add_test(tc, test_unacked_record);
	suite_add_tcase(s, tc);

	tc = tcase_create("upddone_tick");
	tcase_add_loop_test(tc, test_upddone, 0, nitems(upddone_cases));
	tcase_add_test(tc, test_upddone_wait_counts_from_fail_time);
	tcase_add_loop_test(tc, test_tick, 0, nitems(tick_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("allowed");
	tcase_add_test(tc, test_allowed_covers_every_decision);
	tcase_add_loop_test(tc, test_allowed_refuses_nonsense, 0,
	    nitems(forbidden_moves));
	tcase_add_test(tc, test_allowed_always);
	tcase_add_test(tc, test_first_contact);
	tcase_add_loop_test(tc, test_maintenance, 0, nitems(maint_cases));
	tcase_add_test(tc, test_maintenance_round_trip);
	tcase_add_test(tc, test_operator_prev_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("serving");
	tcase_add_loop_test(tc, test_serving, 0, nitems(serve_cases));
	tcase_add_test(tc, test_serving_new_implies_renew);
	tcase_add_loop_test(tc, test_takes_partner_pool, 0, nitems(takeover_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("simulation");
	tcase_add_test(tc, test_simulation_reaches_normal);
	tcase_add_test(tc, test_simulation_paths);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fo_fsm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
