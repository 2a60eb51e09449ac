/* Unit tests: the group commit of the DHCP engine (src/dhcp/dhcp_commit.c,
 * docs/ARCHITECTURE.md "Group commit"): a DHCPACK leaves only once the
 * fsync covering its lease write has returned, in the order the ACKs were
 * made, paced TX_QUOTA at a time; an fsync that failed, or succeeded after
 * another failed, withholds its ACKs; commits are spaced by the gap unless
 * many ACKs wait; every batch waiting pauses reading; a failing store is
 * retried and resumes; the partner's writes ride the same commit. The real
 * dhcp_commit.c and a temporary store on a real event base; the fsync
 * thread (dhcp_syncer.c) is this file's: the test says when an fsync
 * returns, and how. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dhcp_commit.h"
#include "dhcp_srv.h"
#include "dhcp_syncer.h"
#include "fake_clock.h"
#include "log.h"
#include "stats.h"
#include "store.h"
#include "unit_store.h"
#include "util.h"

#define SUBNET		"10.1.0.0"
#define BATCH_MAX	1024		/* dhcp_commit.c's */
#define TX_QUOTA	32
#define SYNC_GAP_US	8000
#define SYNC_GAP_MIN_US	1000
#define SYNC_ACKS	16

static struct store *st;
static struct event_base *base;
static struct stats stats;
static struct dhcp_commit *c;

/* ---- the fsync thread, replaced ---- */

struct syncer {
	syncer_done	 done;
	void		*arg;
};

static struct syncer the_syncer;
static uint64_t requested[64];		/* sequence numbers asked for */
static size_t nrequested;
static int request_fails, watching = 1;

struct syncer *
syncer_new(struct event_base *b, syncer_done done, void *arg)
{
	the_syncer.done = done;
	the_syncer.arg = arg;
	return &the_syncer;
}

void
syncer_free(struct syncer *s)
{
}

int
syncer_request(struct syncer *s, uint64_t seq, int fd)
{
	if (request_fails)
		return -1;
	ck_assert_uint_lt(nrequested, nitems(requested));
	if (nrequested > 0)
		ck_assert_uint_gt(seq, requested[nrequested - 1]);
	requested[nrequested++] = seq;
	return 0;
}

const struct stats_hist *
syncer_latency(const struct syncer *s)
{
	return NULL;
}

void
syncer_watch(struct syncer *s, int on)
{
	watching = on;
}

void
syncer_poll(struct syncer *s)
{
}

/* The fsync of everything up to commit `upto` returned (err: it failed);
 * what the store counts as durable is the commit's to tell it. */
static void
fsync_returns(uint64_t upto, int err)
{
	the_syncer.done(the_syncer.arg, upto, err);
}

/* ---- the sockets, as the commit sees them (struct dhcp_commit_ops) ---- */

static uint32_t sent_ids[4096];
static size_t nsent;
static int flushes, lost, durable, reading = 1;

static void
op_send(void *arg, struct dhcp_out *o)
{
	ck_assert_uint_lt(nsent, nitems(sent_ids));
	sent_ids[nsent++] = o->dst;
}

static void
op_flush(void *arg)
{
	flushes++;
}

static void
op_reading(void *arg, int on)
{
	reading = on;
}

static void
op_lost(void *arg)
{
	lost++;
}

static void
op_durable(void *arg)
{
	durable++;
}

static const struct dhcp_commit_ops ops = {
	.send = op_send, .flush = op_flush, .reading = op_reading,
	.lost = op_lost, .durable = op_durable,
};

/* ---- fixture ---- */

static void
setup(void)
{
	fake_reset();
	log_setlevel(LOG_LVL_ERROR);
	st = ut_store_open();
	ut_scope(st, SUBNET, 16, "10.1.0.1", "10.1.255.254", 3600);
	ck_assert_ptr_nonnull(base = event_base_new());
	memset(&stats, 0, sizeof(stats));
	nrequested = nsent = 0;
	request_fails = 0;
	watching = reading = 1;
	flushes = lost = durable = 0;
	ck_assert_ptr_nonnull(c = dhcp_commit_new(base, st, &stats, &ops, NULL));
	/* the mirror loaded, as the engine's lookups do: its writes are staged */
	store_lease_get_client_hw(st, A(SUBNET), (const uint8_t *)"\2\0\0\0\0\0", 6,
	    &(struct lease){ 0 });
}

static void
teardown(void)
{
	dhcp_commit_free(c);
	event_base_free(base);
	ut_store_close(st);
}

static uint32_t next_id = 1;

/* One DHCPACK of a pass: its lease written (staged), the ACK handed to the
 * commit; its id (the address) goes in dst. */
static uint32_t
ack(void)
{
	struct lease l = { 0 };
	struct dhcp_out o;
	uint32_t id = A(SUBNET) + next_id++;

	l.address = id;
	l.subnet = A(SUBNET);
	l.state = LEASE_ACTIVE;
	l.hwlen = 6;
	memcpy(l.hwaddr, "\x02\x00\x00\x00", 4);
	l.hwaddr[4] = (uint8_t)(id >> 8);
	l.hwaddr[5] = (uint8_t)id;
	l.starts = l.cltt = fake_wall;
	l.ends = fake_wall + 3600;
	store_stage(st, 1);
	ck_assert_int_eq(ut_put(st, &l), 0);
	store_stage(st, 0);
	memset(&o, 0, sizeof(o));
	o.len = 300;
	o.type = 5;		/* DHCPACK */
	o.durable = 1;
	o.dst = id;
	ck_assert_int_gt(dhcp_commit_room(c), 0);
	dhcp_commit_add(c, &o);
	return id;
}

/* The end of a pass (not polled: the loop wakes for the syncer). */
static void
pass(void)
{
	dhcp_commit_pass(c, 0);
}

/* Time passes on both clocks (the commit spaces its fsyncs by time_mono_us). */
static void
later_us(int64_t us)
{
	fake_mono_us += us;
}

START_TEST(test_ack_leaves_once_durable)
{
	uint32_t a, b;
	uint64_t committed;

	later_us(1000000);
	a = ack();
	pass();
	/* committed, handed to the fsync thread, not sent */
	ck_assert_uint_eq(nrequested, 1);
	committed = store_committed_seq(st);
	ck_assert_uint_gt(committed, store_durable_seq(st));
	ck_assert_uint_eq(nsent, 0);
	ck_assert_uint_eq(stats.commit_batches, 1);
	/* one fsync at a time: the next ACK waits, whatever the time */
	later_us(SYNC_GAP_US);
	b = ack();
	pass();
	ck_assert_uint_eq(nsent, 0);
	ck_assert_uint_eq(nrequested, 1);
	fsync_returns(requested[0], 0);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent_ids[0], a);
	ck_assert_int_eq(durable, 1);		/* failover may send now */
	ck_assert_uint_ge(store_durable_seq(st), committed);
	ck_assert_uint_lt(store_durable_seq(st), store_committed_seq(st));
	ck_assert_int_eq(lost, 0);
	/* what gathered meanwhile is committed at once, and leaves in turn */
	ck_assert_uint_eq(nrequested, 2);
	fsync_returns(requested[1], 0);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent_ids[1], b);
	ck_assert_uint_eq(store_durable_seq(st), store_committed_seq(st));
}
END_TEST

START_TEST(test_order_and_pacing)
{
	/* the ACKs of the first commit, then those of a full batch committed
	 * while the first fsync ran: in order, TX_QUOTA at a time */
	uint32_t first, ids[BATCH_MAX];

	later_us(1000000);
	first = ack();
	pass();
	ck_assert_uint_eq(nrequested, 1);
	for (int i = 0; i < BATCH_MAX; i++)
		ids[i] = ack();
	ck_assert_int_eq(dhcp_commit_room(c), BATCH_MAX);	/* full: committed */
	ck_assert_uint_eq(nrequested, 2);
	ck_assert_uint_eq(nsent, 0);
	/* the second fsync returns first: it covers both */
	fsync_returns(requested[1], 0);
	ck_assert_uint_eq(nsent, TX_QUOTA);
	ck_assert_uint_eq(sent_ids[0], first);
	while (nsent < BATCH_MAX + 1)
		ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
	for (int i = 0; i < BATCH_MAX; i++)
		ck_assert_uint_eq(sent_ids[i + 1], ids[i]);
	ck_assert_int_ge(flushes, (BATCH_MAX + 1) / TX_QUOTA);
}
END_TEST

START_TEST(test_fsync_failed_withholds)
{
	later_us(1000000);
	ack();
	ack();
	pass();
	fsync_returns(requested[0], EIO);
	ck_assert_uint_eq(nsent, 0);
	ck_assert_uint_eq(stats.drops[DROP_STORAGE], 2);
	ck_assert_int_eq(lost, 1);		/* the engine's view is rebuilt */
	ck_assert_int_eq(durable, 0);
	ck_assert_int_eq(store_writable(st), 0);
}
END_TEST

START_TEST(test_fsync_after_another_failed)
{
	/* a later fsync's success proves nothing once one failed (Linux
	 * reports a writeback error once): the batch committed before the
	 * failure is withheld */
	later_us(1000000);
	ack();
	pass();
	store_sync_failed(st, EIO);	/* elsewhere (failover's store_commit) */
	the_syncer.done(the_syncer.arg, requested[0], 0);
	ck_assert_uint_eq(nsent, 0);
	ck_assert_uint_eq(stats.drops[DROP_STORAGE], 1);
	ck_assert_int_eq(lost, 1);
}
END_TEST

START_TEST(test_commit_refused_withholds)
{
	later_us(1000000);
	ack();
	request_fails = 1;		/* the fsync cannot even be asked for */
	pass();
	ck_assert_uint_eq(nsent, 0);
	ck_assert_uint_eq(stats.drops[DROP_STORAGE], 1);
	ck_assert_int_eq(lost, 1);
}
END_TEST

START_TEST(test_gap_between_fsyncs)
{
	uint64_t r;

	later_us(1000000);
	ack();
	pass();
	fsync_returns(requested[0], 0);
	/* a few ACKs soon after: they gather for SYNC_GAP_US */
	later_us(SYNC_GAP_MIN_US);
	ack();
	pass();
	ck_assert_uint_eq(nrequested, 1);
	later_us(SYNC_GAP_US - SYNC_GAP_MIN_US - 1);
	dhcp_commit_kick(c);
	ck_assert_uint_eq(nrequested, 1);
	later_us(1);
	dhcp_commit_kick(c);
	ck_assert_uint_eq(nrequested, 2);
	fsync_returns(requested[1], 0);
	ck_assert_uint_eq(nsent, 2);
	/* SYNC_ACKS waiting: SYNC_GAP_MIN_US is enough */
	r = nrequested;
	later_us(SYNC_GAP_MIN_US - 1);
	for (int i = 0; i < SYNC_ACKS; i++)
		ack();
	pass();
	ck_assert_uint_eq(nrequested, r);
	later_us(1);
	pass();
	ck_assert_uint_eq(nrequested, r + 1);
}
END_TEST

START_TEST(test_gap_timer)
{
	/* not polled: the commit timer comes back for what gathered */
	later_us(1000000);
	ack();
	pass();
	fsync_returns(requested[0], 0);
	ack();
	pass();
	ck_assert_uint_eq(nrequested, 1);
	later_us(SYNC_GAP_US);		/* by the time the timer fires */
	ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
	ck_assert_uint_eq(nrequested, 2);
}
END_TEST

START_TEST(test_stall_when_every_batch_waits)
{
	/* four commits await their fsync: reading pauses until one is free */
	later_us(1000000);
	for (int b = 0; b < 4; b++) {
		for (int i = 0; i < BATCH_MAX; i++)
			ack();
		if (b < 3)
			ck_assert_int_eq(dhcp_commit_room(c), BATCH_MAX);
	}
	ck_assert_int_eq(dhcp_commit_room(c), 0);
	ck_assert_int_eq(reading, 0);
	ck_assert_uint_eq(nrequested, 4);
	fsync_returns(requested[0], 0);
	ck_assert_uint_eq(nsent, TX_QUOTA);
	ck_assert_int_eq(reading, 0);	/* its batch is not sent yet */
	while (nsent < BATCH_MAX)
		ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
	ck_assert_int_eq(reading, 1);
	ck_assert_int_eq(dhcp_commit_room(c), BATCH_MAX);
}
END_TEST

START_TEST(test_failing_store_retried)
{
	/* the store fails: what gathers is withheld, recovery is tried after
	 * the back-off, and the engine resumes (view rebuilt, failover kicked) */
	later_us(1000000);
	ack();
	pass();
	fsync_returns(requested[0], EIO);
	ck_assert_int_eq(lost, 1);
	ack();
	later_us(60 * 1000000LL);	/* past the health's back-off */
	pass();
	ck_assert_uint_eq(stats.drops[DROP_STORAGE], 2);
	ck_assert_uint_eq(nrequested, 1);	/* nothing committed meanwhile */
	ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);	/* the retry */
	ck_assert_int_eq(store_writable(st), 1);
	ck_assert_int_eq(lost, 2);
	ck_assert_int_eq(durable, 1);
	/* and ACKs leave again once durable */
	later_us(SYNC_GAP_US);
	ack();
	pass();
	ck_assert_uint_eq(nrequested, 2);
	fsync_returns(requested[1], 0);
	ck_assert_uint_eq(nsent, 1);
}
END_TEST

START_TEST(test_partner_writes_ride_the_commit)
{
	/* a write committed outside a pass (failover's received bindings):
	 * made durable by the next commit, and the durable callback says so */
	struct lease l = { 0 };
	uint64_t seq;

	later_us(1000000);
	l.address = A("10.1.0.99");
	l.subnet = A(SUBNET);
	l.state = LEASE_ACTIVE;
	l.ends = fake_wall + 600;
	ck_assert_int_eq(ut_stage(st, &l), 0);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	seq = store_committed_seq(st);
	ck_assert_uint_lt(store_durable_seq(st), seq);
	dhcp_commit_kick(c);		/* fo_engine.commit_soon */
	ck_assert_uint_eq(nrequested, 1);
	fsync_returns(requested[0], 0);
	ck_assert_uint_ge(store_durable_seq(st), seq);
	ck_assert_int_eq(durable, 1);
	ck_assert_uint_eq(nsent, 0);
}
END_TEST

static Suite *
dhcp_commit_suite(void)
{
	Suite *s = suite_create("dhcp_commit");
	TCase *tc = tcase_create("commit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ack_leaves_once_durable);
	tcase_add_test(tc, test_order_and_pacing);
	tcase_add_test(tc, test_fsync_failed_withholds);
	tcase_add_test(tc, test_fsync_after_another_failed);
	tcase_add_test(tc, test_commit_refused_withholds);
	tcase_add_test(tc, test_gap_between_fsyncs);
	tcase_add_test(tc, test_gap_timer);
	tcase_add_test(tc, test_stall_when_every_batch_waits);
	tcase_add_test(tc, test_failing_store_retried);
	tcase_add_test(tc, test_partner_writes_ride_the_commit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dhcp_commit_suite());
	int failed;

	ut_tmp_begin();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ut_tmp_end();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
