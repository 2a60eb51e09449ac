/* Unit tests: the DHCP engine's view of the pools (src/dhcp/dhcp_pool.c):
 * the lowest free address first, an address given back merged in order,
 * reserved, excluded and leased addresses never given, in a relationship
 * only the addresses this server's role owns and the partner's only on
 * takeover (PARTNER_DOWN past MCLT), the view rebuilt when the store's
 * configuration moves, and the deadline heap. A temporary store, the
 * clock of fake_clock.h. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp_pool.h"
#include "dhcp_pool_int.h"
#include "fake_clock.h"
#include "fo.h"
#include "log.h"
#include "store.h"
#include "unit_store.h"
#include "util.h"

#define SUBNET	"10.1.0.0"
#define MCLT	600

static struct store *st;
static struct pool *pool;

static void
setup(void)
{
	fake_reset();
	log_setlevel(LOG_LVL_WARNING);
	st = ut_store_open();
	ut_scope(st, SUBNET, 24, "10.1.0.10", "10.1.0.20", 3600);
	ck_assert_ptr_nonnull(pool = pool_new(st));
}

static void
teardown(void)
{
	pool_free(pool);
	ut_store_close(st);
}

/* The scope of SUBNET, the view brought up to date. */
static struct pool_scope *
scope(void)
{
	struct pool_scope *ps;

	ck_assert_int_eq(pool_sync(pool), 0);
	ck_assert_ptr_nonnull(ps = pool_scope_of(pool, A(SUBNET)));
	return ps;
}

/* Allocate until exhausted: the addresses in order, as "a b c" of their
 * last bytes. */
static const char *
drain(struct pool_scope *ps)
{
	static char buf[1024];
	size_t n = 0;
	uint32_t a;

	buf[0] = '\0';
	while (pool_alloc(ps, &a) == 0) {
		ck_assert_uint_lt(n, sizeof(buf) - 8);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u", n ? " " : "",
		    a & 0xff);
	}
	return buf;
}

START_TEST(test_alloc_lowest_first)
{
	struct pool_scope *ps = scope();
	uint32_t a;

	ck_assert_int_eq(ps->role, -1);
	ck_assert_int_eq(pool_alloc(ps, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.10"));
	ck_assert_int_eq(pool_alloc(ps, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.11"));
	/* a given address is taken once */
	ck_assert_int_eq(pool_take(ps, A("10.1.0.15")), 0);
	ck_assert_int_eq(pool_take(ps, A("10.1.0.15")), -1);
	ck_assert_int_eq(pool_take(ps, A("10.1.0.10")), -1);
	ck_assert_int_eq(pool_take(ps, A("10.1.0.21")), -1);	/* outside */
	ck_assert_str_eq(drain(ps), "12 13 14 16 17 18 19 20");
	ck_assert_int_eq(pool_alloc(ps, &a), -1);
}
END_TEST

START_TEST(test_give_back)
{
	struct pool_scope *ps = scope();

	ck_assert_str_eq(drain(ps), "10 11 12 13 14 15 16 17 18 19 20");
	/* back in address order, merged with their neighbours, each once */
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.15")), 0);
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.12")), 0);
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.13")), 0);
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.14")), 0);
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.14")), 0);
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.20")), 0);
	ck_assert_uint_eq(ps->avail.n, 2);	/* [12, 15] [20, 20] */
	/* outside the range: never free */
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.9")), 0);
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.21")), 0);
	ck_assert_str_eq(drain(ps), "12 13 14 15 20");
}
END_TEST

START_TEST(test_reserved_excluded_leased_never_given)
{
	struct reservation rv = { 0 };
	struct pool_scope *ps;

	rv.subnet = A(SUBNET);
	rv.address = A("10.1.0.11");
	rv.hwlen = 6;
	memcpy(rv.hwaddr, "\x02\x00\x00\x00\x00\x09", 6);
	ck_assert_int_eq(store_resv_add(st, &rv), 0);
	ck_assert_int_eq(store_exclusion_add(st, A(SUBNET), A("10.1.0.13"),
	    A("10.1.0.14")), 0);
	ut_lease(st, "10.1.0.16", SUBNET, LEASE_ACTIVE, FO_PRIMARY, 1,
	    fake_wall + 100);
	ut_lease(st, "10.1.0.17", SUBNET, LEASE_ABANDONED, FO_PRIMARY, 2, 0);
	ut_lease(st, "10.1.0.18", SUBNET, LEASE_FREE, FO_PRIMARY, 3, 0);
	ps = scope();
	ck_assert_ptr_nonnull(pool_resv_of(ps, rv.hwaddr, 6));
	ck_assert_uint_eq(pool_resv_of(ps, rv.hwaddr, 6)->address, A("10.1.0.11"));
	ck_assert_ptr_null(pool_resv_of(ps, (const uint8_t *)"\x02\0\0\0\0\x08", 6));
	ck_assert_str_eq(drain(ps), "10 12 15 18 19 20");
	/* a lease made before the reservation or exclusion ends: its address
	 * is still not free */
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.11")), 0);
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.13")), 0);
	ck_assert_int_eq(pool_give_back(ps, A("10.1.0.16")), 0);
	ck_assert_str_eq(drain(ps), "16");
}
END_TEST

START_TEST(test_rebuilt_on_configuration_change)
{
	struct pool_scope *ps = scope();
	uint32_t a;
	const struct scope *sc;

	ck_assert_int_eq(pool_loaded(pool), 1);
	ck_assert_int_eq(pool_alloc(ps, &a), 0);
	/* an exclusion added: the view follows; the allocation above had no
	 * row, so its address is free again in the rebuilt view */
	ck_assert_int_eq(store_exclusion_add(st, A(SUBNET), A("10.1.0.15"),
	    A("10.1.0.20")), 0);
	ps = scope();
	ck_assert_str_eq(drain(ps), "10 11 12 13 14");
	/* no change, no rebuild */
	ps = scope();
	ck_assert_str_eq(drain(ps), "");
	pool_invalidate(pool);
	ck_assert_int_eq(pool_loaded(pool), 0);
	ck_assert_str_eq(drain(scope()), "10 11 12 13 14");
	/* the scope of an address */
	ck_assert_int_eq(pool_scope_find(pool, A("10.1.0.200"), &sc), 0);
	ck_assert_uint_eq(sc->subnet, A(SUBNET));
	ck_assert_int_eq(pool_scope_find(pool, A("10.2.0.1"), &sc), 1);
	ck_assert_ptr_null(pool_scope_of(pool, A("10.2.0.1")));
}
END_TEST

/* ---- in a relationship ---- */

/* Relationship "r" over SUBNET, this server in role, in state since
 * `since` seconds ago; [.15, .20] the secondary's (BACKUP). */
static void
relationship(int role, int state, int64_t since)
{
	struct rebal_move mv = { A("10.1.0.15"), A("10.1.0.20"), FO_SECONDARY };

	ut_rel(st, "r", role, SUBNET, state, MCLT, fake_wall - since);
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &mv, 1), 0);
}

START_TEST(test_primary_owns_free)
{
	struct pool_scope *ps;

	relationship(FO_PRIMARY, FO_NORMAL, 100000);
	ps = scope();
	ck_assert_int_eq(ps->role, FO_PRIMARY);
	ck_assert_uint_eq(ps->mclt, MCLT);
	ck_assert_int_eq(ps->fo_state, FO_NORMAL);
	ck_assert_int_eq(ps->takeover, 0);
	ck_assert_int_eq(pool_partners(ps, A("10.1.0.15")), 0);
	ck_assert_str_eq(drain(ps), "10 11 12 13 14");
	/* an address of the partner's is not taken, even when asked for */
	ck_assert_int_eq(pool_take(ps, A("10.1.0.16")), -1);
}
END_TEST

START_TEST(test_secondary_owns_backup)
{
	relationship(FO_SECONDARY, FO_NORMAL, 100000);
	ck_assert_str_eq(drain(scope()), "15 16 17 18 19 20");
}
END_TEST

START_TEST(test_takeover_after_mclt)
{
	struct pool_scope *ps;

	/* PARTNER_DOWN for less than MCLT: still only its own */
	relationship(FO_SECONDARY, FO_PARTNER_DOWN, MCLT - 1);
	ps = scope();
	ck_assert_int_eq(ps->takeover, 0);
	ck_assert_str_eq(drain(ps), "15 16 17 18 19 20");
	/* once MCLT has passed: the partner's free addresses too, known as
	 * the partner's */
	fake_advance(1);
	store_touch(st);
	ps = scope();
	ck_assert_int_eq(ps->takeover, 1);
	ck_assert_int_eq(pool_partners(ps, A("10.1.0.10")), 1);
	ck_assert_int_eq(pool_partners(ps, A("10.1.0.15")), 0);
	ck_assert_str_eq(drain(ps), "10 11 12 13 14 15 16 17 18 19 20");
}
END_TEST

START_TEST(test_no_takeover_outside_partner_down)
{
	static const int states[] = { FO_NORMAL, FO_COMMUNICATION_INT,
	    FO_RECOVER, FO_RECOVER_WAIT, FO_STARTUP, FO_PAUSED };

	relationship(FO_PRIMARY, states[_i], 100000);
	ck_assert_int_eq(scope()->takeover, 0);
	ck_assert_str_eq(drain(scope()), "10 11 12 13 14");
}
END_TEST

START_TEST(test_follow)
{
	struct pool_scope *ps;
	uint32_t a;

	relationship(FO_PRIMARY, FO_NORMAL, 100000);
	ps = scope();
	/* the partner leased one of ours, freed one of its: taken, given */
	pool_follow(pool, A("10.1.0.10"), fake_wall + 50, 0);
	pool_follow(pool, A("10.1.0.15"), 0, 1);
	ck_assert_str_eq(drain(ps), "11 12 13 14 15");
	ck_assert_int_eq(pool_due_next(pool), fake_wall + 51);
	ck_assert_int_eq(pool_due_pop(pool, fake_wall + 51, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.10"));
	/* before the view is built only the deadline is kept */
	pool_invalidate(pool);
	pool_follow(pool, A("10.1.0.11"), fake_wall + 10, 1);
	ck_assert_int_eq(pool_due_next(pool), fake_wall + 11);
}
END_TEST

/* ---- deadlines ---- */

START_TEST(test_deadlines_in_order)
{
	static const int64_t when[] = { 50, 10, 40, 10, 30, 20, 60, 0 };
	uint32_t a;
	int64_t last = -1;

	ck_assert_int_eq(pool_due_next(pool), 0);
	ck_assert_int_eq(pool_due_pop(pool, 1000, &a), -1);
	for (size_t i = 0; i < nitems(when); i++)
		ck_assert_int_eq(pool_due_add(pool, (uint32_t)i, 1000 + when[i]), 0);
	/* due one second after the end: a lease is over once now is past it */
	ck_assert_int_eq(pool_due_next(pool), 1001);
	ck_assert_int_eq(pool_due_pop(pool, 1000, &a), -1);
	for (int n = 0; n < (int)nitems(when); n++) {
		int64_t due = pool_due_next(pool);

		ck_assert_int_ge(due, last);
		ck_assert_int_eq(pool_due_pop(pool, due - 1, &a), -1);
		ck_assert_int_eq(pool_due_pop(pool, due, &a), 0);
		ck_assert_int_eq(1000 + when[a] + 1, due);
		last = due;
	}
	ck_assert_int_eq(pool_due_pop(pool, 1 << 30, &a), -1);
}
END_TEST

START_TEST(test_deadlines_many)
{
	uint32_t a, prev = 0;

	/* a heap of 3000 (it grows past its first 1024) pops in order */
	for (uint32_t i = 0; i < 3000; i++)
		ck_assert_int_eq(pool_due_add(pool, (i * 7919u) % 3000,
		    (int64_t)((i * 7919u) % 3000)), 0);
	for (uint32_t i = 0; i < 3000; i++) {
		ck_assert_int_eq(pool_due_pop(pool, 1 << 30, &a), 0);
		ck_assert_uint_ge(a, prev);
		prev = a;
	}
}
END_TEST

static Suite *
dhcp_pool_suite(void)
{
	Suite *s = suite_create("dhcp_pool");
	TCase *tc;

	tc = tcase_create("alloc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_alloc_lowest_first);
	tcase_add_test(tc, test_give_back);
	tcase_add_test(tc, test_reserved_excluded_leased_never_given);
	tcase_add_test(tc, test_rebuilt_on_configuration_change);
	suite_add_tcase(s, tc);
	tc = tcase_create("failover");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_primary_owns_free);
	tcase_add_test(tc, test_secondary_owns_backup);
	tcase_add_test(tc, test_takeover_after_mclt);
	tcase_add_loop_test(tc, test_no_takeover_outside_partner_down, 0, 6);
	tcase_add_test(tc, test_follow);
	suite_add_tcase(s, tc);
	tc = tcase_create("deadlines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_deadlines_in_order);
	tcase_add_test(tc, test_deadlines_many);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dhcp_pool_suite());
	int failed;

	ut_tmp_begin();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ut_tmp_end();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
