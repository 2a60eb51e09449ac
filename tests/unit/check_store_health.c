/* Storage health: the episode (failing, since, counts), the back-off of the
 * recovery attempts, and what is logged: the first failure, another kind, a
 * reminder a minute, the recovery; never a line per failure. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store_health.h"

#define S	1000000		/* a second in microseconds */

START_TEST(test_episode)
{
	struct health h;

	health_init(&h);
	ck_assert_int_eq(h.ok, 1);
	ck_assert_int_eq(health_retry_in(&h, 5 * S), -1);
	ck_assert_int_eq(health_ok(&h), 0);		/* nothing ended */
	ck_assert_int_eq(health_fail(&h, HEALTH_FULL, "disk full: x", 1000, 5 * S),
	    HEALTH_LOG_FAILING);
	ck_assert_int_eq(h.ok, 0);
	ck_assert_int_eq(h.kind, HEALTH_FULL);
	ck_assert_int_eq(h.since, 1000);
	ck_assert_str_eq(h.error, "disk full: x");
	ck_assert_uint_eq(h.failures, 1);
	ck_assert_uint_eq(h.episode, 1);
	/* the same failure again: counted, not logged, the time it began kept */
	ck_assert_int_eq(health_fail(&h, HEALTH_FULL, "disk full: y", 1001, 6 * S),
	    HEALTH_LOG_NONE);
	ck_assert_int_eq(h.since, 1000);
	ck_assert_str_eq(h.error, "disk full: y");
	ck_assert_uint_eq(h.failures, 2);
	ck_assert_int_eq(health_ok(&h), 1);		/* the episode ends */
	ck_assert_int_eq(h.ok, 1);
	ck_assert_int_eq(health_ok(&h), 0);
	ck_assert_uint_eq(h.failures, 2);		/* a counter: stays */
	/* a new episode starts over */
	ck_assert_int_eq(health_fail(&h, HEALTH_IO, "I/O error: z", 2000, 9 * S),
	    HEALTH_LOG_FAILING);
	ck_assert_int_eq(h.since, 2000);
	ck_assert_uint_eq(h.episode, 1);
	ck_assert_uint_eq(h.failures, 3);
}
END_TEST

START_TEST(test_log_rate)
{
	struct health h;
	int lines = 0;

	health_init(&h);
	/* a failure every millisecond for three minutes and a half */
	for (int64_t t = 0; t < 210 * (int64_t)S; t += 1000)
		if (health_fail(&h, HEALTH_IO, "I/O error", 1, t) != HEALTH_LOG_NONE)
			lines++;
	ck_assert_int_eq(lines, 4);	/* at 0, 60, 120 and 180 s */
	ck_assert_int_eq(health_fail(&h, HEALTH_IO, "I/O error", 1, 211 * S),
	    HEALTH_LOG_NONE);
	/* another kind is said at once */
	ck_assert_int_eq(health_fail(&h, HEALTH_FULL, "disk full", 1, 212 * S),
	    HEALTH_LOG_FAILING);
	ck_assert_int_eq(health_fail(&h, HEALTH_FULL, "disk full", 1, 213 * S),
	    HEALTH_LOG_NONE);
	/* an unknown kind is a storage error, not "nothing" */
	ck_assert_int_eq(health_fail(&h, HEALTH_NONE, "?", 1, 214 * S),
	    HEALTH_LOG_FAILING);
	ck_assert_int_eq(h.kind, HEALTH_OTHER);
}
END_TEST

START_TEST(test_backoff)
{
	struct health h;
	int64_t t = 100 * S, want = HEALTH_BACKOFF_MIN_US;

	health_init(&h);
	health_fail(&h, HEALTH_FULL, "f", 1, t);
	ck_assert_int_eq(health_retry_in(&h, t), HEALTH_BACKOFF_MIN_US);
	ck_assert_int_eq(health_retry_in(&h, t + 40000), HEALTH_BACKOFF_MIN_US - 40000);
	ck_assert_int_eq(health_retry_in(&h, t + HEALTH_BACKOFF_MIN_US), 0);
	ck_assert_int_eq(health_retry_in(&h, t + 10 * S), 0);	/* overdue */
	for (int i = 0; i < 12; i++) {		/* each failed retry doubles it */
		t += want;
		health_fail(&h, HEALTH_FULL, "f", 1, t);
		want = want * 2 > HEALTH_BACKOFF_MAX_US ? HEALTH_BACKOFF_MAX_US :
		    want * 2;
		ck_assert_int_eq(health_retry_in(&h, t), want);
	}
	ck_assert_int_eq(want, HEALTH_BACKOFF_MAX_US);
	health_ok(&h);
	ck_assert_int_eq(health_retry_in(&h, t), -1);
	health_fail(&h, HEALTH_FULL, "f", 1, t);	/* starts short again */
	ck_assert_int_eq(health_retry_in(&h, t), HEALTH_BACKOFF_MIN_US);
}
END_TEST

START_TEST(test_names_and_truncation)
{
	struct health h;
	char big[2000];

	ck_assert_str_eq(health_kind_text(HEALTH_FULL), "disk full");
	ck_assert_str_eq(health_kind_label(HEALTH_IO), "io_error");
	ck_assert_str_eq(health_kind_label(HEALTH_CORRUPT), "corrupt");
	ck_assert_str_eq(health_kind_label(99), "error");
	ck_assert_str_eq(health_kind_text(-1), "storage error");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	health_init(&h);
	health_fail(&h, HEALTH_IO, big, 1, 1);
	ck_assert_uint_eq(strlen(h.error), sizeof(h.error) - 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("health");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_episode);
	tcase_add_test(tc, test_log_rate);
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_names_and_truncation);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
