/* Unit tests: the token buckets of [limits] (src/dhcp/dhcp_limit.c,
 * dhcpfod.conf(5)): a burst at once, then one per interval; a rate of 0
 * never refuses; keys apart; the table bounded, the least recently charged
 * key forgotten first; a rate changed by a reload applies at once. Time is
 * the test's (fake_clock.h), read through time_mono_us as dhcp_srv.c reads
 * it. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf.h"
#include "dhcp_limit.h"
#include "fake_clock.h"
#include "util.h"

#define SEC	1000000		/* microseconds */

static struct limit *l;

static void
setup(void)
{
	fake_reset();
	ck_assert_ptr_nonnull(l = limit_new(16, 42));
}

static void
teardown(void)
{
	limit_free(l);
}

/* One new allocation for key now if its bucket allows: 1 taken, 0 refused. */
static int
take(uint64_t key, const struct conf_rate *r)
{
	if (!limit_allows(l, key, r, time_mono_us()))
		return 0;
	limit_charge(l, key, r, time_mono_us());
	return 1;
}

/* How many of n attempts in a row pass now. */
static int
takes(uint64_t key, const struct conf_rate *r, int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += take(key, r);
	return ok;
}

static void
advance_us(int64_t us)
{
	fake_mono_us += us;
}

/* A burst, then one per period / count: 10/min with a burst of 3 passes
 * three at once, then one every 6 s; a minute idle fills the bucket again. */
START_TEST(test_burst_then_rate)
{
	struct conf_rate r = { 10, 60, 3 };

	ck_assert_int_eq(takes(1, &r, 5), 3);
	advance_us(6 * SEC - 1);
	ck_assert_int_eq(take(1, &r), 0);
	advance_us(1);
	ck_assert_int_eq(take(1, &r), 1);
	ck_assert_int_eq(take(1, &r), 0);
	advance_us(12 * SEC);
	ck_assert_int_eq(takes(1, &r, 5), 2);
	fake_advance(60);
	ck_assert_int_eq(takes(1, &r, 5), 3);
}
END_TEST

/* Sustained: over 100 s of attempts every 100 ms at 2/s with a burst of 4,
 * exactly 4 + 2 x 100 pass (the GCRA's bound). */
START_TEST(test_sustained_rate)
{
	struct conf_rate r = { 2, 1, 4 };
	int ok = 0;

	for (int i = 0; i <= 1000; i++) {
		ok += take(7, &r);
		advance_us(SEC / 10);
	}
	ck_assert_int_eq(ok, 4 + 2 * 100);
}
END_TEST

/* burst 0 is the rate's count; count 0 is no limit and remembers nothing. */
START_TEST(test_burst_default_and_off)
{
	struct conf_rate r = { 5, 60, 0 }, off = { 0, 1, 3 };

	ck_assert_int_eq(takes(1, &r, 9), 5);
	ck_assert_int_eq(takes(2, &off, 1000), 1000);
	ck_assert_uint_eq(limit_count(l), 1);
}
END_TEST

/* Each key its own bucket; asking changes nothing, only a charge does. */
START_TEST(test_keys_apart)
{
	struct conf_rate r = { 1, 60, 1 };

	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(limit_allows(l, 9, &r, time_mono_us()), 1);
	ck_assert_uint_eq(limit_count(l), 0);
	ck_assert_int_eq(take(9, &r), 1);
	ck_assert_int_eq(take(9, &r), 0);
	ck_assert_int_eq(take(10, &r), 1);
	ck_assert_int_eq(take((uint64_t)1 << 32 | 9, &r), 1);
	ck_assert_uint_eq(limit_count(l), 3);
}
END_TEST

/* The table never holds more than its capacity: a new key takes the place
 * of the least recently charged one, which then starts afresh; a key
 * charged again lately stays. */
START_TEST(test_oldest_forgotten)
{
	struct conf_rate r = { 1, 3600, 1 };

	for (uint64_t k = 0; k < 16; k++) {
		ck_assert_int_eq(take(k, &r), 1);
		advance_us(1);
	}
	ck_assert_uint_eq(limit_count(l), 16);
	limit_charge(l, 0, &r, time_mono_us());		/* 0 is the newest now */
	ck_assert_int_eq(take(100, &r), 1);		/* forgets 1 */
	ck_assert_uint_eq(limit_count(l), 16);
	ck_assert_int_eq(take(0, &r), 0);
	ck_assert_int_eq(take(2, &r), 0);
	ck_assert_int_eq(take(1, &r), 1);		/* forgot it: afresh */
	for (uint64_t k = 1000; k < 101000; k++)
		limit_charge(l, k, &r, time_mono_us());
	ck_assert_uint_eq(limit_count(l), 16);
	for (uint64_t k = 100984; k < 101000; k++)
		ck_assert_int_eq(take(k, &r), 0);	/* the 16 newest */
	ck_assert_int_eq(take(100983, &r), 1);
}
END_TEST

/* The capacity asked for, rounded up to a power of two, at least 16. */
static const struct {
	size_t	asked, cap;
} caps[] = { { 0, 16 }, { 1, 16 }, { 16, 16 }, { 17, 32 }, { 1000, 1024 },
    { 8192, 8192 } };

START_TEST(test_capacity)
{
	struct limit *t = limit_new(caps[_i].asked, 1);
	struct conf_rate r = { 1, 1, 1 };

	ck_assert_ptr_nonnull(t);
	for (uint64_t k = 0; k < 2 * caps[_i].cap + 5; k++)
		limit_charge(t, k, &r, 0);
	ck_assert_uint_eq(limit_count(t), caps[_i].cap);
	limit_free(t);
}
END_TEST

/* A bucket is a debt of time, so a reload that changes the rate applies
 * to it as it stands: 50 at 100/s owe 0.5 s, within one token at 1/min,
 * which then owes 60.5 s, far over 100/s's tolerance of 0.99 s; long idle
 * never overflows. */
START_TEST(test_rate_changed)
{
	struct conf_rate loose = { 100, 1, 100 }, strict = { 1, 60, 2 };

	ck_assert_int_eq(takes(5, &loose, 50), 50);
	ck_assert_int_eq(takes(5, &strict, 3), 1);
	fake_advance(1);
	ck_assert_int_eq(takes(5, &loose, 200), 0);
	fake_advance(60);
	ck_assert_int_eq(takes(5, &loose, 200), 100);
	fake_advance(10LL * 365 * 86400);
	ck_assert_int_eq(takes(5, &strict, 5), 2);
	ck_assert_int_eq(takes(6, &(struct conf_rate){ 1000000, 1, 1000000 },
	    2000000), 1000000);
}
END_TEST

static Suite *
limit_suite(void)
{
	Suite *s = suite_create("dhcp_limit");
	TCase *tc = tcase_create("buckets");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_burst_then_rate);
	tcase_add_test(tc, test_sustained_rate);
	tcase_add_test(tc, test_burst_default_and_off);
	tcase_add_test(tc, test_keys_apart);
	tcase_add_test(tc, test_oldest_forgotten);
	tcase_add_loop_test(tc, test_capacity, 0, nitems(caps));
	tcase_add_test(tc, test_rate_changed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(limit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
