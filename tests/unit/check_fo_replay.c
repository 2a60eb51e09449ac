/* Unit tests: replay protection of signed failover traffic (draft-12 §11.1;
 * src/failover/fo_replay.c, docs/FAILOVER.md §3): a CONNECT not later than
 * the last one, a message older than its connection, a request whose xid
 * does not increase are refused; answers carry our xid and are not ordered. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fo_msg.h"
#include "fo_replay.h"

static struct fo_msg
m_(int type, uint32_t time, uint32_t xid)
{
	struct fo_msg m;

	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)type;
	m.time = time;
	m.xid = xid;
	return m;
}

static int
ok(struct fo_replay *r, int type, uint32_t time, uint32_t xid)
{
	struct fo_msg m = m_(type, time, xid);
	char why[160];

	return fo_replay_check(r, &m, why, sizeof(why)) == 0;
}

/* The secondary's view: CONNECT, then the primary's requests and answers. */
START_TEST(test_requests_increase)
{
	struct fo_replay r = { 0 };

	ck_assert(ok(&r, FO_CONNECT, 1000, 5));
	ck_assert(ok(&r, FO_STATE, 1000, 6));
	ck_assert(ok(&r, FO_BNDUPD, 1001, 9));
	ck_assert(!ok(&r, FO_BNDUPD, 1001, 9));		/* the same again */
	ck_assert(!ok(&r, FO_CONTACT, 1002, 7));	/* an older one */
	ck_assert(ok(&r, FO_BNDACK, 1002, 3));		/* answers: our xid */
	ck_assert(ok(&r, FO_UPDDONE, 1002, 2));
	ck_assert(!ok(&r, FO_BNDACK, 999, 4));		/* older than the link */
	ck_assert(!ok(&r, FO_STATE, 999, 20));
	ck_assert(ok(&r, FO_STATE, 1003, 10));
}
END_TEST

/* A CONNECT replayed on a new connection: refused unless later. */
START_TEST(test_connect_later)
{
	struct fo_replay r = { 0 };

	ck_assert(ok(&r, FO_CONNECT, 1000, 5));
	ck_assert(ok(&r, FO_STATE, 1000, 6));
	fo_replay_link(&r);
	ck_assert(!ok(&r, FO_CONNECT, 1000, 5));	/* replayed */
	ck_assert(!ok(&r, FO_CONNECT, 999, 50));
	ck_assert(ok(&r, FO_CONNECT, 1000, 7));		/* same second, higher xid */
	fo_replay_link(&r);
	ck_assert(ok(&r, FO_CONNECT, 1005, 1));		/* the partner restarted */
	/* on the new link the xid order starts from the CONNECT */
	ck_assert(!ok(&r, FO_STATE, 1005, 1));
	ck_assert(ok(&r, FO_STATE, 1005, 2));
	/* a message of the earlier connection, replayed: older, or lower xid */
	ck_assert(!ok(&r, FO_BNDUPD, 1000, 100));
}
END_TEST

/* The primary's view: its CONNECTACK carries the primary's own xid. */
START_TEST(test_connectack_then_state)
{
	struct fo_replay r = { 0 };

	ck_assert(ok(&r, FO_CONNECTACK, 2000, 1));
	ck_assert(ok(&r, FO_STATE, 2000, 40));		/* the partner's first */
	ck_assert(!ok(&r, FO_STATE, 2000, 39));
	fo_replay_link(&r);
	ck_assert(!ok(&r, FO_CONNECTACK, 2000, 1));	/* replayed answer */
	ck_assert(ok(&r, FO_CONNECTACK, 2000, 2));
}
END_TEST

/* xids wrap: serial arithmetic (RFC 1982 style). */
START_TEST(test_xid_wraps)
{
	struct fo_replay r = { 0 };

	ck_assert(ok(&r, FO_CONNECT, 1000, UINT32_MAX - 1));
	ck_assert(ok(&r, FO_STATE, 1000, UINT32_MAX));
	ck_assert(ok(&r, FO_STATE, 1000, 0));
	ck_assert(ok(&r, FO_STATE, 1000, 1));
	ck_assert(!ok(&r, FO_STATE, 1000, UINT32_MAX));
}
END_TEST

static Suite *
replay_suite(void)
{
	Suite *s = suite_create("fo_replay");
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, test_requests_increase);
	tcase_add_test(tc, test_connect_later);
	tcase_add_test(tc, test_connectack_then_state);
	tcase_add_test(tc, test_xid_wraps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(replay_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
