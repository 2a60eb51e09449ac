/*
 * The lease-state table (lease.h, src/common/lease.c) and the store's gate in
 * front of every lease write. The expected table is written here as one
 * matrix per actor, from the writers (docs/ARCHITECTURE.md, *Lease state*,
 * lists them), not from lease.c: every move it marks must be allowed, every
 * other refused, so a row added to or taken from the table fails a test.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fo.h"
#include "lease.h"
#include "log.h"
#include "store.h"
#include "util.h"

/*
 * want[who][from] is a row of the matrix: one character per `to`, in enum
 * order NONE FREE ACTIVE EXPIRED RELEASED ABANDONED RESET BACKUP OFFERED;
 * 'x' where `who` may move an address from `from` to `to`.
 */
static const char *const want[LEASE_NACTORS][LEASE_NSTATES] = {
	/* dhcp_srv.c: offer (over free space, the client's binding or rewind,
	 * a reservation's address over anything but ABANDONED), ack (the
	 * client's offer, binding, rewind, free row), release and the binding
	 * a client moved away from (FREE or RELEASED), decline (ABANDONED over
	 * any lease), an offer ending (the address as it was) */
	[LEASE_BY_DHCP] = {
		/*		   NFAERXSBO */
		[LEASE_NONE] =	  "........x",
		[LEASE_FREE] =	  "..x..x..x",
		[LEASE_ACTIVE] =  ".xx.xx..x",
		[LEASE_EXPIRED] = ".xx.xx..x",
		[LEASE_RELEASED] = ".xx.xx..x",
		[LEASE_ABANDONED] = ".x..xx...",
		[LEASE_RESET] =	  ".x..xx..x",
		[LEASE_BACKUP] =  "..x..x..x",
		[LEASE_OFFERED] = "xxxxxxxxx",
	},
	/* expire_one: ACTIVE to FREE or EXPIRED; an offer ends */
	[LEASE_BY_EXPIRY] = {
		[LEASE_NONE] =	  ".........",
		[LEASE_FREE] =	  ".........",
		[LEASE_ACTIVE] =  ".x.x.....",
		[LEASE_EXPIRED] = ".........",
		[LEASE_RELEASED] = ".........",
		[LEASE_ABANDONED] = ".........",
		[LEASE_RESET] =	  ".........",
		[LEASE_BACKUP] =  ".........",
		[LEASE_OFFERED] = "xxxxx.xx.",
	},
	/* apply_binding: FREE, ACTIVE, ABANDONED, BACKUP over anything; over
	 * ABANDONED only ACTIVE, ABANDONED and RESET (written FREE) */
	[LEASE_BY_BNDUPD] = {
		[LEASE_NONE] =	  ".xx..x.x.",
		[LEASE_FREE] =	  ".xx..x.x.",
		[LEASE_ACTIVE] =  ".xx..x.x.",
		[LEASE_EXPIRED] = ".xx..x.x.",
		[LEASE_RELEASED] = ".xx..x.x.",
		[LEASE_ABANDONED] = ".xx..x...",
		[LEASE_RESET] =	  ".xx..x.x.",
		[LEASE_BACKUP] =  ".xx..x.x.",
		[LEASE_OFFERED] = ".xx..x.x.",
	},
	/* binding_acked: EXPIRED, RELEASED, RESET become FREE */
	[LEASE_BY_BNDACK] = {
		[LEASE_NONE] =	  ".........",
		[LEASE_FREE] =	  ".........",
		[LEASE_ACTIVE] =  ".........",
		[LEASE_EXPIRED] = ".x.......",
		[LEASE_RELEASED] = ".x.......",
		[LEASE_ABANDONED] = ".........",
		[LEASE_RESET] =	  ".x.......",
		[LEASE_BACKUP] =  ".........",
		[LEASE_OFFERED] = ".........",
	},
	/* answer_binding: the binding unchanged, in a state fo_bnd_check may
	 * call newer than the partner's */
	[LEASE_BY_ANSWER] = {
		[LEASE_NONE] =	  ".........",
		[LEASE_FREE] =	  ".........",
		[LEASE_ACTIVE] =  "..x......",
		[LEASE_EXPIRED] = "...x.....",
		[LEASE_RELEASED] = "....x....",
		[LEASE_ABANDONED] = ".....x...",
		[LEASE_RESET] =	  "......x..",
		[LEASE_BACKUP] =  ".........",
		[LEASE_OFFERED] = ".........",
	},
	/* lease.add (ACTIVE over free space or an ACTIVE), lease.delete and
	 * scope.delete (anything to NONE), a scope leaving its relationship
	 * (FREE and BACKUP rows become FREE) */
	[LEASE_BY_OPERATOR] = {
		[LEASE_NONE] =	  "x.x......",
		[LEASE_FREE] =	  "xxx......",
		[LEASE_ACTIVE] =  "x.x......",
		[LEASE_EXPIRED] = "x........",
		[LEASE_RELEASED] = "x........",
		[LEASE_ABANDONED] = "x........",
		[LEASE_RESET] =	  "x........",
		[LEASE_BACKUP] =  "xxx......",
		[LEASE_OFFERED] = "x........",
	},
	/* store_apply_moves: FREE and BACKUP rows change owner */
	[LEASE_BY_MOVE] = {
		[LEASE_NONE] =	  ".........",
		[LEASE_FREE] =	  ".x.....x.",
		[LEASE_ACTIVE] =  ".........",
		[LEASE_EXPIRED] = ".........",
		[LEASE_RELEASED] = ".........",
		[LEASE_ABANDONED] = ".........",
		[LEASE_RESET] =	  ".........",
		[LEASE_BACKUP] =  ".x.....x.",
		[LEASE_OFFERED] = ".........",
	},
	/* store_release_due: EXPIRED, RELEASED, RESET become FREE */
	[LEASE_BY_RELEASE_DUE] = {
		[LEASE_NONE] =	  ".........",
		[LEASE_FREE] =	  ".........",
		[LEASE_ACTIVE] =  ".........",
		[LEASE_EXPIRED] = ".x.......",
		[LEASE_RELEASED] = ".x.......",
		[LEASE_ABANDONED] = ".........",
		[LEASE_RESET] =	  ".x.......",
		[LEASE_BACKUP] =  ".........",
		[LEASE_OFFERED] = ".........",
	},
};

static const char *
sname(int st)
{
	return st == LEASE_NONE ? "NONE" : lease_state_name(st);
}

/* The matrix is whole: every actor, every from, a character per to. */
START_TEST(test_matrix_whole)
{
	for (int who = 0; who < LEASE_NACTORS; who++)
		for (int from = 0; from < LEASE_NSTATES; from++) {
			ck_assert_ptr_nonnull(want[who][from]);
			ck_assert_uint_eq(strlen(want[who][from]), LEASE_NSTATES);
		}
}
END_TEST

/* Every move the matrix marks is allowed. */
START_TEST(test_allowed_moves_accepted)
{
	int n = 0;

	for (int who = 0; who < LEASE_NACTORS; who++)
		for (int from = 0; from < LEASE_NSTATES; from++)
			for (int to = 0; to < LEASE_NSTATES; to++) {
				if (want[who][from][to] != 'x')
					continue;
				ck_assert_msg(lease_move_allowed(from, to, who),
				    "%s: %s -> %s should be allowed",
				    lease_actor_name(who), sname(from), sname(to));
				ck_assert_int_eq(lease_move_check(0x0a000001, from, to,
				    who), 0);
				n++;
			}
	ck_assert_int_gt(n, 100);
}
END_TEST

/* Every move it does not mark is refused. */
START_TEST(test_other_moves_refused)
{
	for (int who = 0; who < LEASE_NACTORS; who++)
		for (int from = 0; from < LEASE_NSTATES; from++)
			for (int to = 0; to < LEASE_NSTATES; to++)
				ck_assert_msg(want[who][from][to] == 'x' ||
				    !lease_move_allowed(from, to, who),
				    "%s: %s -> %s should be refused",
				    lease_actor_name(who), sname(from), sname(to));
}
END_TEST

/* A few moves named: what each refusal protects. */
START_TEST(test_illegal_moves)
{
	/* the engine acks only an address it found a lease of */
	ck_assert_int_eq(lease_move_check(1, LEASE_NONE, LEASE_ACTIVE,
	    LEASE_BY_DHCP), -1);
	/* a declined address is never offered */
	ck_assert_int_eq(lease_move_check(1, LEASE_ABANDONED, LEASE_OFFERED,
	    LEASE_BY_DHCP), -1);
	/* only what fo_bnd_check lets over a declined address */
	ck_assert_int_eq(lease_move_check(1, LEASE_ABANDONED, LEASE_BACKUP,
	    LEASE_BY_BNDUPD), -1);
	/* the partner's binding is never an offer */
	ck_assert_int_eq(lease_move_check(1, LEASE_FREE, LEASE_OFFERED,
	    LEASE_BY_BNDUPD), -1);
	/* expiry ends leases, nothing else */
	ck_assert_int_eq(lease_move_check(1, LEASE_FREE, LEASE_EXPIRED,
	    LEASE_BY_EXPIRY), -1);
	/* PARTNER_DOWN frees only freed addresses, moves only free ones */
	ck_assert_int_eq(lease_move_check(1, LEASE_ACTIVE, LEASE_FREE,
	    LEASE_BY_RELEASE_DUE), -1);
	ck_assert_int_eq(lease_move_check(1, LEASE_ACTIVE, LEASE_BACKUP,
	    LEASE_BY_MOVE), -1);
	/* lease.add does not take an address offered to a client */
	ck_assert_int_eq(lease_move_check(1, LEASE_OFFERED, LEASE_ACTIVE,
	    LEASE_BY_OPERATOR), -1);
	/* numbers outside the enums */
	ck_assert_int_eq(lease_move_allowed(LEASE_FREE, LEASE_NSTATES,
	    LEASE_BY_BNDUPD), 0);
	ck_assert_int_eq(lease_move_allowed((enum lease_state)-1, LEASE_FREE,
	    LEASE_BY_BNDUPD), 0);
	ck_assert_int_eq(lease_move_allowed(LEASE_FREE, LEASE_ACTIVE,
	    LEASE_NACTORS), 0);
	ck_assert_str_eq(lease_actor_name(LEASE_NACTORS), "UNKNOWN");
	ck_assert_str_eq(lease_state_name(LEASE_NONE), "UNKNOWN");
}
END_TEST

/* Statements that change many rows: every state of the set must move. */
START_TEST(test_bulk_moves)
{
	unsigned freed = LEASE_BIT(LEASE_EXPIRED) | LEASE_BIT(LEASE_RELEASED) |
	    LEASE_BIT(LEASE_RESET);
	unsigned free = LEASE_BIT(LEASE_FREE) | LEASE_BIT(LEASE_BACKUP);

	ck_assert_int_eq(lease_moves_check(freed, LEASE_FREE,
	    LEASE_BY_RELEASE_DUE, "t"), 0);
	ck_assert_int_eq(lease_moves_check(freed | LEASE_BIT(LEASE_ACTIVE),
	    LEASE_FREE, LEASE_BY_RELEASE_DUE, "t"), -1);
	ck_assert_int_eq(lease_moves_check(free, LEASE_BACKUP, LEASE_BY_MOVE,
	    "t"), 0);
	ck_assert_int_eq(lease_moves_check(free, LEASE_BACKUP,
	    LEASE_BY_OPERATOR, "t"), -1);
	ck_assert_int_eq(lease_moves_check(LEASE_ANY, LEASE_NONE,
	    LEASE_BY_OPERATOR, "t"), 0);
	ck_assert_int_eq(lease_moves_check(LEASE_ANY << 1, LEASE_NONE,
	    LEASE_BY_OPERATOR, "t"), -1);	/* a state past the enum */
}
END_TEST

/*
 * The gate in the store: what it reads as the address's state (an offer
 * first, then the row, else NONE) and that a refused move changes nothing.
 */
static char dir[64];
static struct store *st;

static uint32_t
A(const char *s)
{
	uint32_t a;

	ck_assert_int_eq(addr_parse(s, &a), 0);
	return a;
}

static void
setup(void)
{
	char path[128], err[256];
	struct scope sc = { 0 };

	snprintf(dir, sizeof(dir), "/tmp/check_lease.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	st = store_open(path, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	sc.subnet = A("10.1.0.0");
	sc.mask = A("255.255.255.0");
	sc.range_start = A("10.1.0.10");
	sc.range_end = A("10.1.0.200");
	sc.lease_time = 3600;
	sc.enabled = 1;
	snprintf(sc.name, sizeof(sc.name), "s");
	ck_assert_int_eq(store_scope_insert(st, &sc), 0);
}

static void
teardown(void)
{
	char cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct lease
mk(const char *addr, enum lease_state state)
{
	struct lease l = { 0 };

	l.address = A(addr);
	l.subnet = A("10.1.0.0");
	l.state = state;
	l.owner = FO_PRIMARY;
	l.hwlen = 6;
	memcpy(l.hwaddr, "\x02\x00\x00\x00\x00\x07", 6);
	l.ends = 2000000000;
	return l;
}

static enum lease_state
now_state(const char *addr)
{
	struct lease l;

	return store_lease_get(st, A(addr), &l) == 0 ? l.state : LEASE_NONE;
}

/* A client's life through the engine: offer, ack, expiry; what it may not
 * do is refused and leaves the address as it was. */
START_TEST(test_store_gate_engine)
{
	struct lease l = mk("10.1.0.10", LEASE_ACTIVE);

	/* no row, no offer: the engine does not ack it */
	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_DHCP), -1);
	ck_assert_ptr_nonnull(strstr(store_errmsg(st), "not a move"));
	ck_assert_int_eq(now_state("10.1.0.10"), LEASE_NONE);
	l.state = LEASE_OFFERED;
	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_DHCP), 0);
	ck_assert_int_eq(now_state("10.1.0.10"), LEASE_OFFERED);
	l.state = LEASE_ACTIVE;
	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_DHCP), 0);
	ck_assert_int_eq(now_state("10.1.0.10"), LEASE_ACTIVE);
	/* expiry may not hand it to the secondary */
	l.state = LEASE_BACKUP;
	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_EXPIRY), -1);
	ck_assert_int_eq(now_state("10.1.0.10"), LEASE_ACTIVE);
	l.state = LEASE_EXPIRED;
	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_EXPIRY), 0);
	ck_assert_int_eq(now_state("10.1.0.10"), LEASE_EXPIRED);
	/* no state is no write */
	l.state = LEASE_NONE;
	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_OPERATOR), -1);
	ck_assert_int_eq(now_state("10.1.0.10"), LEASE_EXPIRED);
	/* the partner's acknowledgement frees it, as a staged write */
	l.state = LEASE_FREE;
	ck_assert_int_eq(store_lease_stage(st, &l, LEASE_BY_BNDACK), 0);
	ck_assert_int_eq(now_state("10.1.0.10"), LEASE_FREE);
	ck_assert_int_eq(store_lease_stage(st, &l, LEASE_BY_BNDACK), -1);
}
END_TEST

/* An offer's end is a move too: from OFFERED back to the row behind it. */
START_TEST(test_store_gate_offer_end)
{
	struct lease l = mk("10.1.0.11", LEASE_OFFERED);

	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_DHCP), 0);
	ck_assert_int_eq(store_offer_end(st, l.address, LEASE_BY_BNDACK), -1);
	ck_assert_int_eq(now_state("10.1.0.11"), LEASE_OFFERED);
	ck_assert_int_eq(store_offer_end(st, l.address, LEASE_BY_EXPIRY), 0);
	ck_assert_int_eq(now_state("10.1.0.11"), LEASE_NONE);
	ck_assert_int_eq(store_offer_end(st, l.address, LEASE_BY_EXPIRY),
	    STORE_NOTFOUND);
}
END_TEST

/* The operator deletes whatever is there; a declined address too. */
START_TEST(test_store_gate_delete)
{
	struct lease l = mk("10.1.0.12", LEASE_ABANDONED);

	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_BNDUPD), 0);
	/* the engine may not offer a declined address */
	l.state = LEASE_OFFERED;
	ck_assert_int_eq(store_lease_put(st, &l, LEASE_BY_DHCP), -1);
	ck_assert_int_eq(now_state("10.1.0.12"), LEASE_ABANDONED);
	ck_assert_int_eq(store_lease_delete(st, l.address), 0);
	ck_assert_int_eq(now_state("10.1.0.12"), LEASE_NONE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lease");
	TCase *tc = tcase_create("table"), *ts = tcase_create("store");
	SRunner *sr;
	int failed;

	log_init("check_lease", LOG_LVL_ERROR, 0);
	tcase_add_test(tc, test_matrix_whole);
	tcase_add_test(tc, test_allowed_moves_accepted);
	tcase_add_test(tc, test_other_moves_refused);
	tcase_add_test(tc, test_illegal_moves);
	tcase_add_test(tc, test_bulk_moves);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_add_test(ts, test_store_gate_engine);
	tcase_add_test(ts, test_store_gate_offer_end);
	tcase_add_test(ts, test_store_gate_delete);
	suite_add_tcase(s, ts);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
