/* Unit tests: binding-update decisions (src/failover/fo_bnd.c): every cell
 * of the draft-12 §7.1.3 conflict table (docs/FAILOVER.md §6, Receiving)
 * under four scenarios, ISC's validation (§1.6), the CLTT rules, and the
 * lease <-> binding conversions of Table 7.1-1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fo.h"
#include "fo_bnd.h"
#include "fo_msg.h"
#include "lease.h"
#include "util.h"

#define NOW		1000000
#define ADDR		0x0a010032u

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };

/* My stored lease, for client a: CLTT NOW-100, STOS NOW-200. */
static void
my_lease(struct lease *l, int state, int64_t ends)
{
	memset(l, 0, sizeof(*l));
	l->address = ADDR;
	l->state = state;
	memcpy(l->hwaddr, mac_a, 6);
	l->hwlen = 6;
	l->client_id[0] = 1;
	memcpy(l->client_id + 1, mac_a, 6);
	l->cidlen = 7;
	l->cltt = NOW - 100;
	l->starts = NOW - 200;
	l->ends = ends;
}

/* A received binding in `status` for the client with this MAC (client-id
 * 01 + MAC); ABANDONED carries neither (ISC). cltt < 0: no CLTT option. */
static void
their_binding(struct fo_binding *b, int status, const uint8_t *mac,
    int64_t cltt)
{
	memset(b, 0, sizeof(*b));
	b->addr = ADDR;
	b->has = FO_B_STATUS;
	b->status = (uint8_t)status;
	if (status != LEASE_ABANDONED) {
		b->has |= FO_B_CHADDR | FO_B_CID;
		b->htype = 1;
		memcpy(b->chaddr, mac, 6);
		b->hlen = 6;
		b->cid[0] = 1;
		memcpy(b->cid + 1, mac, 6);
		b->cidlen = 7;
	}
	if (cltt >= 0) {
		b->has |= FO_B_CLTT;
		b->cltt = (uint32_t)cltt;
	}
	if (status == LEASE_ACTIVE) {
		b->has |= FO_B_LEASE_EXP | FO_B_POT_EXP;
		b->lease_exp = NOW + 3600;
		b->pot_exp = NOW + 7200;
	}
}

/*
 * The conflict table. Scenarios (my CLTT is NOW-100, my STOS NOW-200):
 *   A  its CLTT NOW-50 (newer than mine, after my STOS), my lease not
 *      expired, same client;
 *   B  its CLTT NOW-150 (older than mine, after my STOS), my lease not
 *      expired, another client;
 *   C  its CLTT NOW-300 (older than both), my lease expired, same client;
 *   D  no CLTT, my lease expired, another client.
 */
enum { NSCEN = 4 };

static const struct scenario {
	int64_t		 cltt;		/* -1: none */
	int64_t		 my_ends;
	const uint8_t	*mac;
} scenarios[NSCEN] = {
	{ NOW - 50, NOW + 3600, mac_a },
	{ NOW - 150, NOW + 3600, mac_b },
	{ NOW - 300, NOW - 10, mac_a },
	{ -1, NOW - 10, mac_b },
};

/* Rows: my state (0: no row); columns: received FREE, ACTIVE, EXPIRED,
 * RELEASED, ABANDONED, RESET, BACKUP; cells: A, B, C, D for a primary. */
static const int my_states[] = {
	0, LEASE_FREE, LEASE_ACTIVE, LEASE_EXPIRED, LEASE_RELEASED,
	LEASE_ABANDONED, LEASE_RESET, LEASE_BACKUP, LEASE_OFFERED,
};
#define NCOL	7
#define ALL0	{ 0, 0, 0, 0 }
#define OUT2	{ 15, 15, 0, 0 }	/* accept once my lease has expired */
#define NEWER	{ 0, 15, 15, 15 }	/* accept if its CLTT is newer */
#define SAME	{ 0, 2, 15, 2 }		/* the same client's unless older */
#define LESS	{ 16, 16, 16, 16 }

static const int expect[nitems(my_states)][NCOL][NSCEN] = {
	/* FREE, ACTIVE, EXPIRED, RELEASED, ABANDONED, RESET, BACKUP */
	{ ALL0, ALL0, ALL0, ALL0, ALL0, ALL0, ALL0 },		/* no row */
	{ ALL0, ALL0, ALL0, ALL0, ALL0, ALL0, ALL0 },		/* FREE */
	{ OUT2, SAME, OUT2, NEWER, ALL0, ALL0, OUT2 },		/* ACTIVE */
	{ ALL0, NEWER, ALL0, ALL0, ALL0, ALL0, ALL0 },		/* EXPIRED */
	{ ALL0, NEWER, ALL0, ALL0, ALL0, ALL0, ALL0 },		/* RELEASED */
	{ LESS, NEWER, LESS, LESS, ALL0, ALL0, LESS },		/* ABANDONED */
	{ ALL0, { 0, 0, 15, 15 }, ALL0, ALL0, ALL0, ALL0, ALL0 },/* RESET */
	{ ALL0, ALL0, ALL0, ALL0, ALL0, ALL0, ALL0 },		/* BACKUP */
	{ ALL0, ALL0, ALL0, ALL0, ALL0, ALL0, ALL0 },		/* OFFERED */
};

/* Cell _i % 63 of the table, as the primary (_i < 63) or the secondary,
 * whose only difference is ACTIVE over ACTIVE of another client. */
START_TEST(test_conflict_cell)
{
	size_t cell = (size_t)_i % (nitems(my_states) * NCOL);
	size_t row = cell / NCOL, col = cell % NCOL;
	int role = (size_t)_i < nitems(my_states) * NCOL ? FO_PRIMARY :
	    FO_SECONDARY;
	int mine_state = my_states[row], in_state = (int)col + 1;
	struct lease mine;
	struct fo_binding in;

	for (int s = 0; s < NSCEN; s++) {
		const struct scenario *sc = &scenarios[s];
		int want = expect[row][col][s], got;

		if (role == FO_SECONDARY && want == FO_REJ_FATAL_CONFLICT)
			want = 0;
		my_lease(&mine, mine_state, sc->my_ends);
		their_binding(&in, in_state, sc->mac, sc->cltt);
		got = fo_bnd_check(mine_state ? &mine : NULL, &in, role, NOW, NULL);
		ck_assert_msg(got == want, "%s: mine %s, received %s, "
		    "scenario %c: %d, expected %d", fo_role_name(role),
		    mine_state ? lease_state_name(mine_state) : "(none)",
		    lease_state_name(in_state), 'A' + s, got, want);
	}
}
END_TEST

/*
 * Validation (ISC; docs/FAILOVER.md §6, Receiving), before the table.
 */

static const struct valid_case {
	const char	*what;
	int		 status;
	uint32_t	 drop;		/* FO_B_* removed from the binding */
	uint32_t	 add;		/* FO_B_* added (empty values) */
	int		 want;
} valid_cases[] = {
	{ "no status", LEASE_ACTIVE, FO_B_STATUS, 0, 3 },
	{ "status 0", 0, 0, 0, 3 },
	{ "status OFFERED (local only)", LEASE_OFFERED, 0, 0, 3 },
	{ "status 9", 9, 0, 0, 3 },
	{ "status 255", 255, 0, 0, 3 },
	{ "ACTIVE without chaddr", LEASE_ACTIVE, FO_B_CHADDR, 0, 3 },
	{ "EXPIRED without chaddr", LEASE_EXPIRED, FO_B_CHADDR, 0, 3 },
	{ "RELEASED without chaddr", LEASE_RELEASED, FO_B_CHADDR, 0, 3 },
	{ "ACTIVE without client-id", LEASE_ACTIVE, FO_B_CID, 0, 0 },
	{ "FREE without chaddr", LEASE_FREE, FO_B_CHADDR | FO_B_CID, 0, 0 },
	{ "BACKUP without chaddr", LEASE_BACKUP, FO_B_CHADDR, 0, 0 },
	{ "RESET without chaddr", LEASE_RESET, FO_B_CHADDR, 0, 0 },
	{ "ABANDONED bare", LEASE_ABANDONED, 0, 0, 0 },
	{ "ABANDONED with chaddr", LEASE_ABANDONED, 0, FO_B_CHADDR, 6 },
	{ "ABANDONED with client-id", LEASE_ABANDONED, 0, FO_B_CID, 6 },
	{ "ABANDONED with both", LEASE_ABANDONED, 0,
	  FO_B_CHADDR | FO_B_CID, 6 },
};

/* With no row, and over my ABANDONED (which would say 16): validation
 * answers first. */
START_TEST(test_validation)
{
	const struct valid_case *c = &valid_cases[_i];
	struct fo_binding in;
	struct lease mine;
	int got;

	their_binding(&in, c->status, mac_a, NOW);
	in.has = (in.has & ~c->drop) | c->add;
	got = fo_bnd_check(NULL, &in, FO_PRIMARY, NOW, NULL);
	ck_assert_msg(got == c->want, "%s: %d, expected %d", c->what, got,
	    c->want);
	my_lease(&mine, LEASE_ABANDONED, 0);
	got = fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, NULL);
	if (c->want != 0)
		ck_assert_msg(got == c->want, "%s over ABANDONED: %d", c->what,
		    got);
}
END_TEST

/*
 * CLTT comparison (docs/FAILOVER.md §6, Receiving): without a CLTT an update is never newer;
 * with one it is newer than a stored binding without.
 */

static const struct cltt_case {
	const char	*what;
	int		 mine;		/* my state */
	int64_t		 my_cltt, my_starts;
	int64_t		 in_cltt;	/* -1: absent */
	int		 want;
} cltt_cases[] = {
	{ "stored none, its CLTT", LEASE_EXPIRED, 0, 5, 1, 0 },
	{ "stored none, its CLTT of 0", LEASE_EXPIRED, 0, 5, 0, 0 },
	{ "stored none, none sent", LEASE_EXPIRED, 0, 5, -1, 15 },
	{ "equal: ACTIVE wins the second", LEASE_EXPIRED, NOW - 9, 5, NOW - 9, 0 },
	{ "equal over RELEASED", LEASE_RELEASED, NOW - 9, 5, NOW - 9, 0 },
	{ "one second newer", LEASE_EXPIRED, NOW - 9, 5, NOW - 8, 0 },
	{ "one second older", LEASE_RELEASED, NOW - 9, 5, NOW - 10, 15 },
	{ "RESET: after STOS", LEASE_RESET, NOW, NOW - 9, NOW - 8, 0 },
	{ "RESET: at STOS", LEASE_RESET, 0, NOW - 9, NOW - 9, 15 },
	{ "RESET: stored STOS none", LEASE_RESET, NOW, 0, 1, 0 },
	{ "RESET: stored STOS none, none sent", LEASE_RESET, 0, 0, -1, 15 },
	{ "beyond 2038 (u32 on the wire)", LEASE_EXPIRED, 0x7fffffff, 5,
	  0x80000000, 0 },
};

START_TEST(test_cltt)
{
	const struct cltt_case *c = &cltt_cases[_i];
	struct fo_binding in;
	struct lease mine;
	int got;

	my_lease(&mine, c->mine, NOW + 3600);
	mine.cltt = c->my_cltt;
	mine.starts = c->my_starts;
	their_binding(&in, LEASE_ACTIVE, mac_a, c->in_cltt);
	got = fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, NULL);
	ck_assert_msg(got == c->want, "%s: %d, expected %d", c->what, got,
	    c->want);
}
END_TEST

/* "My lease has ended": once now is past its end by my clock, with no
 * allowance for a partner's clock ahead of mine (an allowance freed renewals
 * the partner had not heard of: issue #10). */
START_TEST(test_expiry_boundary)
{
	struct fo_binding in;
	struct lease mine;
	int answer;

	their_binding(&in, LEASE_EXPIRED, mac_a, NOW);
	my_lease(&mine, LEASE_ACTIVE, NOW);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW - 1, &answer),
	    15);
	ck_assert_int_eq(answer, 0);	/* my own expiry will tell it */
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, NULL), 15);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW + 1, NULL), 0);
	their_binding(&in, LEASE_FREE, mac_a, -1);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_SECONDARY, NOW, NULL), 15);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_SECONDARY, NOW + 1, NULL), 0);
}
END_TEST

/* The double allocation of issue #10: the secondary renewed a client in
 * the first seconds of an undetected partition (ends NOW + 30); the primary,
 * which never heard of it, expired its older copy and sends EXPIRED after
 * the heal, a few seconds before the renewal ends. Refused until the
 * renewal ends; the primary then takes the renewal (newer CLTT). */
START_TEST(test_stale_expired_over_renewal)
{
	struct fo_binding in;
	struct lease mine, theirs;
	int answer;

	my_lease(&mine, LEASE_ACTIVE, NOW + 30);	/* renewed at NOW */
	mine.cltt = NOW;
	mine.owner = FO_SECONDARY;
	my_lease(&theirs, LEASE_EXPIRED, NOW - 5);	/* leased at NOW-35 */
	theirs.cltt = NOW - 35;
	fo_bnd_from_lease(&theirs, &in);
	for (int64_t t = NOW + 25; t <= NOW + 30; t++) {
		ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_SECONDARY, t,
		    &answer), 15);
		ck_assert_int_eq(answer, 0);
	}
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_SECONDARY, NOW + 31, NULL),
	    0);
	fo_bnd_from_lease(&mine, &in);
	ck_assert_int_eq(fo_bnd_check(&theirs, &in, FO_PRIMARY, NOW + 27, NULL),
	    0);
}
END_TEST

/* The drained addresses of issue #10: a client released in the same second
 * as its last DHCPACK. From the server that acknowledged it, the RELEASED
 * supersedes its own ACTIVE (one connection keeps them in order); from the
 * other server the two are unordered: ACTIVE wins, and is answered, so both
 * end up with the same binding instead of each refusing the other's. */
START_TEST(test_release_same_second)
{
	struct fo_binding in;
	struct lease mine, theirs;
	int answer;

	my_lease(&mine, LEASE_ACTIVE, NOW + 30);
	mine.cltt = NOW;
	mine.owner = FO_SECONDARY;	/* the secondary leased it */
	my_lease(&theirs, LEASE_RELEASED, 0);
	theirs.cltt = NOW;
	fo_bnd_from_lease(&theirs, &in);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, &answer), 0);
	mine.owner = FO_PRIMARY;	/* I leased it, the secondary released */
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, &answer), 15);
	ck_assert_int_eq(answer, 1);
	fo_bnd_from_lease(&mine, &in);
	ck_assert_int_eq(fo_bnd_check(&theirs, &in, FO_SECONDARY, NOW, NULL), 0);
	/* EXPIRED and RELEASED: either way the address is free */
	my_lease(&mine, LEASE_EXPIRED, NOW - 1);
	mine.cltt = NOW;
	fo_bnd_from_lease(&theirs, &in);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, NULL), 0);
	fo_bnd_from_lease(&mine, &in);
	ck_assert_int_eq(fo_bnd_check(&theirs, &in, FO_SECONDARY, NOW, NULL), 0);
}
END_TEST

/* Both servers answered one renewal in the same second with different lease
 * times (a percentage change not yet known to the partner): each keeps the
 * later end, which the client holds, and the shorter is answered with it. */
START_TEST(test_same_second_later_end)
{
	struct fo_binding in;
	struct lease mine, theirs;
	int answer;

	my_lease(&mine, LEASE_ACTIVE, NOW + 29);
	mine.cltt = NOW;
	my_lease(&theirs, LEASE_ACTIVE, NOW + 10);
	theirs.cltt = NOW;
	fo_bnd_from_lease(&theirs, &in);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, &answer), 15);
	ck_assert_int_eq(answer, 1);
	fo_bnd_from_lease(&mine, &in);
	ck_assert_int_eq(fo_bnd_check(&theirs, &in, FO_SECONDARY, NOW, &answer), 0);
	/* a later second wins whatever its end (the client renewed since) */
	theirs.cltt = NOW + 1;
	fo_bnd_from_lease(&theirs, &in);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW + 1, &answer), 0);
}
END_TEST

/*
 * Convergence: whenever a server refuses its partner's binding and answers
 * with its own, the partner takes that answer or refuses it without
 * answering (it waits for its own lease to end): never two answers in a
 * row, which would make the pair send the same two bindings back and forth.
 * Every pair of stored bindings is tried: states, clients, who leased,
 * CLTTs before, at and after each other or absent, ends past or not.
 */
static const int conv_states[] = {
	LEASE_FREE, LEASE_ACTIVE, LEASE_EXPIRED, LEASE_RELEASED,
	LEASE_ABANDONED, LEASE_RESET, LEASE_BACKUP,
};
static const int64_t conv_cltt[] = { 0, NOW - 20, NOW - 10, NOW };
static const int64_t conv_ends[] = { NOW - 5, NOW + 5 };

static void
conv_lease(struct lease *l, size_t k)
{
	size_t ns = nitems(conv_states), nc = nitems(conv_cltt);

	my_lease(l, conv_states[k % ns], conv_ends[(k / ns / nc / 4) % 2]);
	l->cltt = conv_cltt[(k / ns) % nc];
	l->starts = l->cltt ? l->cltt - 10 : 0;
	l->owner = (k / ns / nc) % 2 ? FO_SECONDARY : FO_PRIMARY;
	if ((k / ns / nc / 2) % 2)
		memcpy(l->hwaddr, mac_b, 6), memcpy(l->client_id + 1, mac_b, 6);
	if (l->state == LEASE_ABANDONED)
		l->hwlen = l->cidlen = 0;
	if (l->state != LEASE_ACTIVE && l->state != LEASE_EXPIRED)
		l->ends = 0;
	l->sent_pot_exp = l->ends ? l->ends + 10 : 0;
}

#define CONV_N	(nitems(conv_states) * nitems(conv_cltt) * 8)

START_TEST(test_no_ping_pong)
{
	struct lease lp, ls;
	struct fo_binding bp, bs;
	int rs, as, rp, ap;

	conv_lease(&lp, (size_t)_i);	/* the primary's row */
	for (size_t k = 0; k < CONV_N; k++) {
		conv_lease(&ls, k);		/* the secondary's */
		fo_bnd_from_lease(&lp, &bp);
		fo_bnd_from_lease(&ls, &bs);
		for (int64_t now = NOW - 10; now <= NOW + 10; now += 10) {
			rs = fo_bnd_check(&ls, &bp, FO_SECONDARY, now, &as);
			if (rs != 0 && as) {
				rp = fo_bnd_check(&lp, &bs, FO_PRIMARY, now, &ap);
				ck_assert_msg(rp == 0 || !ap, "ping-pong at %+lld: "
				    "primary %d, secondary %d", (long long)(now - NOW),
				    _i, (int)k);
			}
			rp = fo_bnd_check(&lp, &bs, FO_PRIMARY, now, &ap);
			if (rp != 0 && ap) {
				rs = fo_bnd_check(&ls, &bp, FO_SECONDARY, now, &as);
				ck_assert_msg(rs == 0 || !as, "ping-pong at %+lld: "
				    "secondary %d, primary %d", (long long)(now - NOW),
				    (int)k, _i);
			}
		}
	}
}
END_TEST

/* Who is the same client: client-ids when both have one, else hardware
 * addresses when both have one, else no evidence of a conflict. */
static const struct client_case {
	const char	*what;
	int		 my_cid, my_hw;		/* 0 none, 'a', 'b' */
	int		 in_cid, in_hw;
	int		 want;			/* as primary */
} client_cases[] = {
	{ "same cid, other hw", 'a', 'a', 'a', 'b', 0 },
	{ "other cid, same hw", 'a', 'a', 'b', 'a', 2 },
	{ "I have no cid, same hw", 0, 'a', 'b', 'a', 0 },
	{ "it has no cid, other hw", 'a', 'a', 0, 'b', 2 },
	{ "it has no cid, same hw", 'a', 'a', 0, 'a', 0 },
	{ "I have nothing", 0, 0, 'b', 'b', 0 },
};

static const uint8_t *
mac_of(int who)
{
	return who == 'a' ? mac_a : mac_b;
}

START_TEST(test_same_client)
{
	const struct client_case *c = &client_cases[_i];
	struct fo_binding in;
	struct lease mine;

	my_lease(&mine, LEASE_ACTIVE, NOW + 3600);
	if (c->my_cid)
		memcpy(mine.client_id + 1, mac_of(c->my_cid), 6);
	else
		mine.cidlen = 0;
	if (c->my_hw)
		memcpy(mine.hwaddr, mac_of(c->my_hw), 6);
	else
		mine.hwlen = 0;
	their_binding(&in, LEASE_ACTIVE, mac_of(c->in_hw), NOW);
	if (c->in_cid)
		memcpy(in.cid + 1, mac_of(c->in_cid), 6);
	else
		in.has &= ~(uint32_t)FO_B_CID;
	ck_assert_msg(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, NULL) == c->want,
	    "%s", c->what);
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_SECONDARY, NOW, NULL), 0);
}
END_TEST

/* Hardware addresses of different lengths differ. */
START_TEST(test_same_client_hlen)
{
	struct fo_binding in;
	struct lease mine;

	my_lease(&mine, LEASE_ACTIVE, NOW + 3600);
	mine.cidlen = 0;
	their_binding(&in, LEASE_ACTIVE, mac_a, NOW);
	in.has &= ~(uint32_t)FO_B_CID;
	in.hlen = 5;
	ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, NULL), 2);
}
END_TEST

/* A stored state outside 1..8 reads as free: accepted. */
START_TEST(test_unknown_stored_state)
{
	static const int states[] = { 0, 9, -1, 1000 };
	struct fo_binding in;
	struct lease mine;

	their_binding(&in, LEASE_ACTIVE, mac_b, -1);
	for (size_t i = 0; i < nitems(states); i++) {
		my_lease(&mine, states[i], NOW + 3600);
		ck_assert_int_eq(fo_bnd_check(&mine, &in, FO_PRIMARY, NOW, NULL), 0);
	}
}
END_TEST

/*
 * Lease -> binding (Table 7.1-1; docs/FAILOVER.md §6, Sending).
 */

#define ID	(FO_B_CHADDR | FO_B_CID)
#define EXP	(FO_B_LEASE_EXP | FO_B_POT_EXP)
#define ST	FO_B_STATUS

static const struct from_case {
	int		 state, owner;
	uint8_t		 status;	/* sent */
	uint32_t	 full;		/* has, for a lease with everything */
	uint32_t	 bare;		/* has, for a lease with nothing */
} from_cases[] = {
	{ LEASE_FREE, 0, LEASE_FREE, ST | ID | FO_B_CLTT | FO_B_STOS, ST },
	{ LEASE_ACTIVE, 0, LEASE_ACTIVE, ST | ID | EXP | FO_B_CLTT | FO_B_STOS,
	  ST | EXP | FO_B_CLTT },
	{ LEASE_EXPIRED, 0, LEASE_EXPIRED, ST | ID | FO_B_CLTT | FO_B_STOS, ST },
	{ LEASE_RELEASED, 0, LEASE_RELEASED, ST | ID | FO_B_CLTT | FO_B_STOS,
	  ST | FO_B_CLTT },
	{ LEASE_ABANDONED, 0, LEASE_ABANDONED, ST | FO_B_CLTT | FO_B_STOS, ST },
	{ LEASE_RESET, 0, LEASE_RESET, ST | ID | FO_B_CLTT | FO_B_STOS, ST },
	{ LEASE_BACKUP, 1, LEASE_BACKUP, ST | ID | FO_B_CLTT | FO_B_STOS, ST },
	{ LEASE_OFFERED, FO_PRIMARY, LEASE_FREE,
	  ST | ID | FO_B_CLTT | FO_B_STOS, ST },
	{ LEASE_OFFERED, FO_SECONDARY, LEASE_BACKUP,
	  ST | ID | FO_B_CLTT | FO_B_STOS, ST },
};

static void
full_lease(struct lease *l, int state, int owner)
{
	my_lease(l, state, NOW + 3600);
	l->owner = owner;
	l->sent_pot_exp = NOW + 7200;
	strcpy(l->hostname, "host-a");
}

START_TEST(test_from_lease)
{
	const struct from_case *c = &from_cases[_i];
	struct fo_binding b;
	struct lease l;

	full_lease(&l, c->state, c->owner);
	fo_bnd_from_lease(&l, &b);
	ck_assert_uint_eq(b.addr, ADDR);
	ck_assert_uint_eq(b.status, c->status);
	ck_assert_uint_eq(b.has, c->full);
	ck_assert_uint_eq(b.stos, NOW - 200);
	ck_assert_uint_eq(b.cltt, NOW - 100);
	if (c->full & FO_B_CHADDR) {
		ck_assert_uint_eq(b.htype, 1);
		ck_assert_uint_eq(b.hlen, 6);
		ck_assert_mem_eq(b.chaddr, mac_a, 6);
		ck_assert_uint_eq(b.cidlen, 7);
		ck_assert_mem_eq(b.cid, l.client_id, 7);
	} else {
		ck_assert_uint_eq(b.hlen + b.htype + b.cidlen, 0);
	}
	if (c->full & FO_B_LEASE_EXP) {
		ck_assert_uint_eq(b.lease_exp, NOW + 3600);
		ck_assert_uint_eq(b.pot_exp, NOW + 7200);
	} else {
		ck_assert_uint_eq(b.lease_exp + b.pot_exp, 0);
	}
	/* what we send, we accept */
	ck_assert_int_eq(fo_bnd_check(NULL, &b, FO_PRIMARY, NOW, NULL), 0);

	memset(&l, 0, sizeof(l));
	l.address = ADDR;
	l.state = c->state;
	l.owner = c->owner;
	fo_bnd_from_lease(&l, &b);
	ck_assert_uint_eq(b.has, c->bare);
	ck_assert_uint_eq(b.status, c->status);
}
END_TEST

/* What it sends encodes and decodes to the same binding. */
START_TEST(test_from_lease_wire)
{
	static struct fo_msg m, got;
	static uint8_t wire[FO_MSG_MAX];
	char err[128];
	size_t len;

	memset(&m, 0, sizeof(m));
	m.type = FO_BNDUPD;
	for (size_t i = 0; i < nitems(from_cases); i++) {
		struct lease l;

		full_lease(&l, from_cases[i].state, from_cases[i].owner);
		fo_bnd_from_lease(&l, &m.b[m.nb++]);
	}
	m.payload_off = FO_MSG_HDR;
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), 0);
	ck_assert_int_eq(fo_msg_decode(wire, len, &got, err, sizeof(err)), 0);
	ck_assert_mem_eq(&got, &m, sizeof(m));
}
END_TEST

/* Times outside the wire's 32 bits are clamped. */
START_TEST(test_from_lease_clamp)
{
	struct fo_binding b;
	struct lease l;

	full_lease(&l, LEASE_ACTIVE, 0);
	l.ends = -5;
	l.sent_pot_exp = (int64_t)UINT32_MAX + 10;
	l.cltt = (int64_t)UINT32_MAX;
	fo_bnd_from_lease(&l, &b);
	ck_assert_uint_eq(b.lease_exp, 0);
	ck_assert_uint_eq(b.pot_exp, UINT32_MAX);
	ck_assert_uint_eq(b.cltt, UINT32_MAX);
}
END_TEST

/*
 * Binding -> lease.
 */

START_TEST(test_to_lease)
{
	struct fo_binding b;
	struct lease l;

	their_binding(&b, LEASE_ACTIVE, mac_b, NOW - 5);
	b.has |= FO_B_STOS;
	b.stos = NOW - 6;
	memset(&l, 0x5a, sizeof(l));
	l.subnet = 0x0a010000;
	strcpy(l.hostname, "kept");
	l.owner = FO_SECONDARY;
	l.sent_pot_exp = 77;
	l.ack_pot_exp = 78;
	l.last_bndupd = 79;
	fo_bnd_to_lease(&b, &l);
	ck_assert_uint_eq(l.address, ADDR);
	ck_assert_int_eq(l.state, LEASE_ACTIVE);
	ck_assert_uint_eq(l.hwlen, 6);
	ck_assert_mem_eq(l.hwaddr, mac_b, 6);
	ck_assert_uint_eq(l.hwaddr[6], 0);
	ck_assert_uint_eq(l.cidlen, 7);
	ck_assert_mem_eq(l.client_id + 1, mac_b, 6);
	ck_assert_uint_eq(l.client_id[7], 0);
	ck_assert_int_eq(l.cltt, NOW - 5);
	ck_assert_int_eq(l.ends, NOW + 3600);
	ck_assert_int_eq(l.starts, NOW - 6);
	ck_assert_int_eq(l.recv_pot_exp, NOW + 7200);
	/* untouched */
	ck_assert_uint_eq(l.subnet, 0x0a010000);
	ck_assert_str_eq(l.hostname, "kept");
	ck_assert_int_eq(l.owner, FO_SECONDARY);
	ck_assert_int_eq(l.sent_pot_exp, 77);
	ck_assert_int_eq(l.ack_pot_exp, 78);
	ck_assert_int_eq(l.last_bndupd, 79);
}
END_TEST

/* Absent options empty their fields: an ABANDONED binding clears the
 * client; times above 2^31 stay positive. */
START_TEST(test_to_lease_absent)
{
	struct fo_binding b;
	struct lease l;

	full_lease(&l, LEASE_ACTIVE, 0);
	their_binding(&b, LEASE_ABANDONED, mac_a, -1);
	fo_bnd_to_lease(&b, &l);
	ck_assert_int_eq(l.state, LEASE_ABANDONED);
	ck_assert_uint_eq(l.hwlen, 0);
	ck_assert_uint_eq(l.hwaddr[0], 0);
	ck_assert_uint_eq(l.cidlen, 0);
	ck_assert_uint_eq(l.client_id[0], 0);
	ck_assert_int_eq(l.cltt, 0);
	ck_assert_int_eq(l.ends, 0);
	ck_assert_int_eq(l.starts, 0);
	ck_assert_int_eq(l.recv_pot_exp, 0);
	b.has |= FO_B_LEASE_EXP;
	b.lease_exp = 0xfffffff0u;
	fo_bnd_to_lease(&b, &l);
	ck_assert_int_eq(l.ends, (int64_t)0xfffffff0u);
}
END_TEST

/* lease -> binding -> lease keeps what a BNDUPD carries. */
START_TEST(test_lease_roundtrip)
{
	struct fo_binding b;
	struct lease l, back;

	full_lease(&l, LEASE_ACTIVE, FO_PRIMARY);
	l.recv_pot_exp = NOW + 7200;
	fo_bnd_from_lease(&l, &b);
	back = l;
	memset(back.hwaddr, 0xee, sizeof(back.hwaddr));
	back.cltt = back.starts = back.ends = 0;
	fo_bnd_to_lease(&b, &back);
	ck_assert_mem_eq(&back, &l, sizeof(l));
}
END_TEST

static Suite *
fo_bnd_suite(void)
{
	Suite *s = suite_create("fo_bnd");
	TCase *tc;

	tc = tcase_create("check");
	tcase_add_loop_test(tc, test_conflict_cell, 0,
	    (int)(2 * nitems(my_states) * NCOL));
	tcase_add_loop_test(tc, test_validation, 0, nitems(valid_cases));
	tcase_add_loop_test(tc, test_cltt, 0, nitems(cltt_cases));
	tcase_add_test(tc, test_expiry_boundary);
	tcase_add_test(tc, test_stale_expired_over_renewal);
	tcase_add_test(tc, test_release_same_second);
	tcase_add_loop_test(tc, test_no_ping_pong, 0, (int)CONV_N);
	tcase_add_test(tc, test_same_second_later_end);
	tcase_add_loop_test(tc, test_same_client, 0, nitems(client_cases));
	tcase_add_test(tc, test_same_client_hlen);
	tcase_add_test(tc, test_unknown_stored_state);
	suite_add_tcase(s, tc);
	tc = tcase_create("convert");
	tcase_add_loop_test(tc, test_from_lease, 0, nitems(from_cases));
	tcase_add_test(tc, test_from_lease_wire);
	tcase_add_test(tc, test_from_lease_clamp);
	tcase_add_test(tc, test_to_lease);
	tcase_add_test(tc, test_to_lease_absent);
	tcase_add_test(tc, test_lease_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fo_bnd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
