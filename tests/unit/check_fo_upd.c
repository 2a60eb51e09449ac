/* Unit tests: binding updates and free-address moves between partners
 * (src/failover/fo_upd.c, src/failover/fo_move.c; docs/FAILOVER.md §6, §8
 * - §12). A received BNDUPD accepted or refused (and answered when ours is
 * newer), stored as §5.11 keeps it, its BNDACK only once durable; our
 * bindings sent within the partner's window, batched for dhcpfod; a BNDACK
 * ending pending, freeing EXPIRED/RELEASED, and the crossing ACTIVE echoed;
 * UPDREQ/UPDREQALL/UPDDONE, the owed STATE; range moves applied and echoed,
 * rebalancing, single-address moves to a draft-12 partner, POOLREQ.
 * The real fo_upd.c, fo_move.c, fo_bnd.c, fo_msg.c and a temporary store;
 * the peer's connection (fo_peer.c, fo_conn.c) is this file's: what would
 * be sent is encoded, decoded again and kept for the test to read. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "daemon.h"
#include "err.h"
#include "fake_clock.h"
#include "fo.h"
#include "fo_bnd.h"
#include "fo_conn.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "log.h"
#include "store.h"
#include "unit_store.h"
#include "util.h"

#define SUBNET	"10.1.0.0"
#define MCLT	600
#define MAXMSG	64

static struct store *st;
static struct daemon d;
static struct fo fo;
static struct fo_peer *p;

/* ---- the peer's side of the connection, replaced ---- */

struct fo_conn {
	int	unused;
};
static struct fo_conn conn;

static struct fo_msg *sent[MAXMSG];	/* fo_peer_send: BNDUPD, UPDDONE, ... */
static size_t nsent;
static struct fo_msg *acks[MAXMSG];	/* fo_conn_send: the queued BNDACKs */
static size_t nacks;
static int link_lost, states_sent, commits_asked;
static char lost_why[128];

/* Through the codec, as the wire would carry it. */
static struct fo_msg *
roundtrip(const uint8_t *buf, size_t len)
{
	struct fo_msg *m = calloc(1, sizeof(*m));
	char err[160];

	ck_assert_ptr_nonnull(m);
	ck_assert_msg(fo_msg_decode(buf, len, m, err, sizeof(err)) == 0, "%s", err);
	return m;
}

struct store *
fo_peer_store(struct fo_peer *peer)
{
	return peer->fo->d->store;
}

struct fo_msg *
fo_msg_new(int type)
{
	struct fo_msg *m = calloc(1, sizeof(*m));

	if (m != NULL)
		m->type = (uint8_t)type;
	return m;
}

int
fo_peer_send(struct fo_peer *peer, struct fo_msg *m, int response)
{
	uint8_t buf[FO_MSG_MAX];
	size_t len;

	if (peer->conn == NULL)
		return -1;
	if (!response)
		m->xid = ++peer->xid;
	ck_assert_int_eq(fo_msg_encode(m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_lt(nsent, MAXMSG);
	sent[nsent++] = roundtrip(buf, len);
	return 0;
}

int
fo_conn_send(struct fo_conn *c, const uint8_t *msg, size_t len)
{
	while (len > 0) {
		int n = fo_msg_frame_len(msg, len);

		ck_assert_int_gt(n, 0);
		ck_assert_uint_le((size_t)n, len);
		ck_assert_uint_lt(nacks, MAXMSG);
		acks[nacks++] = roundtrip(msg, (size_t)n);
		msg += n;
		len -= (size_t)n;
	}
	return 0;
}

void
fo_peer_link_lost(struct fo_peer *peer, const char *why)
{
	link_lost++;
	snprintf(lost_why, sizeof(lost_why), "%s", why);
	peer->conn = NULL;
	peer->link = FO_LINK_DOWN;
	fo_upd_link_down(peer);
}

static int scheduled;

void
fo_peer_schedule(struct fo_peer *peer)
{
	scheduled = 1;
}

/* What the event loop does next: a scheduled peer pumps (peer_kick). */
static void
run_loop(void)
{
	if (scheduled && p->link == FO_LINK_OK)
		fo_upd_pump(p);
	scheduled = 0;
}

void
fo_peer_send_state(struct fo_peer *peer)
{
	peer->state_owed = 0;
	states_sent++;
}

/* ---- the DHCP engine, as failover sees it (struct fo_engine) ---- */

static struct {
	uint32_t	addr;
	int64_t		due;
	int		give;
	int		calls;
} followed;

static void
eng_follow(void *arg, uint32_t addr, int64_t due, int give)
{
	followed.addr = addr;
	followed.due = due;
	followed.give = give;
	followed.calls++;
}

/* The engine's view of the scopes (the pool's): here the store's. */
static struct scope eng_scope;

static int
eng_scope_of(void *arg, uint32_t addr, const struct scope **sc)
{
	int rc;

	scope_fini(&eng_scope);
	memset(&eng_scope, 0, sizeof(eng_scope));
	if ((rc = store_scope_find(fo.d->store, addr, &eng_scope)) != 0)
		return rc == STORE_NOTFOUND ? 1 : -1;
	*sc = &eng_scope;
	return 0;
}

static void
eng_commit_soon(void *arg)
{
	commits_asked++;
}

/* ---- fixture ---- */

static void
clear_sent(void)
{
	for (size_t i = 0; i < nsent; i++)
		free(sent[i]);
	for (size_t i = 0; i < nacks; i++)
		free(acks[i]);
	nsent = nacks = 0;
}

static void
setup(void)
{
	fake_reset();
	log_setlevel(LOG_LVL_WARNING);
	st = ut_store_open();
	ut_scope(st, SUBNET, 24, "10.1.0.10", "10.1.0.20", 3600);
	ut_scope(st, "10.2.0.0", 24, "10.2.0.10", "10.2.0.20", 3600);
	memset(&d, 0, sizeof(d));
	d.store = st;
	memset(&fo, 0, sizeof(fo));
	fo.d = &d;
	fo.engine.follow = eng_follow;
	memset(&followed, 0, sizeof(followed));
	link_lost = states_sent = commits_asked = scheduled = 0;
	p = NULL;
}

static void
teardown(void)
{
	if (p != NULL) {
		fo_upd_link_down(p);
		free(p->fl);
		free(p->rq);
		free(p->ackm);
		free(p->ackq);
		fo_rel_fini(&p->rel);
		free(p);
	}
	clear_sent();
	ut_store_close(st);
}

/* This server's peer in relationship "r" over SUBNET, in NORMAL with the
 * partner in contact; dhcpfod: the partner batches and takes range moves. */
static void
peer(int role, int dhcpfod)
{
	ut_rel(st, "r", role, SUBNET, FO_NORMAL, MCLT, fake_wall - 100000);
	ck_assert_ptr_nonnull(p = calloc(1, sizeof(*p)));
	p->fo = &fo;
	ck_assert_int_eq(store_rel_get(st, "r", &p->rel), 0);
	p->conn = &conn;
	p->link = FO_LINK_OK;
	p->met = 1;
	p->partner_state = FO_NORMAL;
	p->partner_window = 8;
	p->partner_dhcpfod = dhcpfod;
}

static void
mac_of(uint8_t mac, uint8_t *hw)
{
	memcpy(hw, "\x02\x00\x00\x00\x00\x00", 6);
	hw[5] = mac;
}

/* A binding as the partner sends it for client mac (hardware address only). */
static struct fo_binding
bnd(int state, const char *addr, uint8_t mac, int64_t cltt, int64_t ends)
{
	struct lease l = { 0 };
	struct fo_binding b;

	l.address = A(addr);
	l.state = state;
	if (state != LEASE_ABANDONED) {
		l.hwlen = 6;
		mac_of(mac, l.hwaddr);
	}
	l.cltt = l.starts = cltt;
	l.ends = ends;
	if (state == LEASE_ACTIVE)
		l.sent_pot_exp = ends + 1800;
	fo_bnd_from_lease(&l, &b);
	return b;
}

/* The engine writes a binding for the partner (pending), one pass,
 * committed; durable: fsynced as well. */
static void
engine_writes(const char *addr, int state, uint8_t mac, int64_t ends, int durable)
{
	struct lease l = { 0 };

	l.address = A(addr);
	l.subnet = A(SUBNET);
	l.state = state;
	l.owner = p->rel.server_type;
	l.hwlen = 6;
	mac_of(mac, l.hwaddr);
	l.cltt = l.starts = fake_wall;
	l.ends = ends;
	if (state == LEASE_ACTIVE)
		l.sent_pot_exp = fake_wall + 3600 + MCLT / 2;
	l.fo_sync = 1;
	/* the engine looks its client up first: the store's mirror is loaded
	 * and the write is staged, as in a pass */
	store_lease_get_client_hw(st, l.subnet, l.hwaddr, 6, &(struct lease){ 0 });
	store_stage(st, 1);
	ck_assert_int_eq(ut_put(st, &l), 0);	/* as the engine's OFFERED, ACK */
	store_stage(st, 0);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	if (durable)
		store_set_durable(st, store_committed_seq(st));
}

/* One read from the partner: a BNDUPD of n bindings (and ranges), then the
 * end of the read. */
static uint32_t rx_xid = 1000;

static void
receive(const struct fo_binding *v, size_t n, const struct fo_range *r, size_t nr)
{
	struct fo_msg *m = fo_msg_new(FO_BNDUPD);

	m->xid = ++rx_xid;
	if (n > 0)
		memcpy(m->b, v, n * sizeof(*v));
	m->nb = n;
	if (nr > 0)
		memcpy(m->r, r, nr * sizeof(*r));
	m->nr = nr;
	fo_upd_on_bndupd(p, m);
	fo_upd_read_done(p);
	run_loop();
	free(m);
}

/* The partner's BNDACK of our message xid, accepting every binding but
 * addr (reject reason `reject`, 0 none), echoing ranges. */
static void
partner_acks(uint32_t xid, uint32_t addr, int reject, const struct fo_range *r,
    size_t nr)
{
	struct fo_msg *m = fo_msg_new(FO_BNDACK);

	m->xid = xid;
	if (reject) {
		m->b[0].addr = addr;
		m->b[0].has = FO_B_REJECT;
		m->b[0].reject = (uint8_t)reject;
		m->nb = 1;
	}
	if (nr > 0)
		memcpy(m->r, r, nr * sizeof(*r));
	m->nr = nr;
	fo_upd_on_bndack(p, m);
	fo_upd_read_done(p);
	run_loop();
	free(m);
}

/* The reject reason the last BNDACK gives the binding of addr (-1: not in it). */
static int
acked(uint32_t xid, const char *addr)
{
	ck_assert_uint_gt(nacks, 0);
	ck_assert_uint_eq(acks[nacks - 1]->type, FO_BNDACK);
	ck_assert_uint_eq(acks[nacks - 1]->xid, xid);
	for (size_t i = 0; i < acks[nacks - 1]->nb; i++) {
		const struct fo_binding *b = &acks[nacks - 1]->b[i];

		if (b->addr == A(addr))
			return (b->has & FO_B_REJECT) ? b->reject : 0;
	}
	return -1;
}

/* ---- receiving ---- */

START_TEST(test_accept_new_active)
{
	struct fo_binding b = bnd(LEASE_ACTIVE, "10.1.0.12", 7, fake_wall - 5,
	    fake_wall + 600);
	struct lease l;

	peer(FO_SECONDARY, 0);
	receive(&b, 1, NULL, 0);
	ck_assert_uint_eq(nacks, 1);
	ck_assert_int_eq(acked(rx_xid, "10.1.0.12"), 0);
	l = ut_get(st, "10.1.0.12");
	ck_assert_int_eq(l.state, LEASE_ACTIVE);
	ck_assert_int_eq(l.owner, FO_PRIMARY);		/* the sender leased it */
	ck_assert_int_eq(l.ends, fake_wall + 600);
	ck_assert_int_eq(l.recv_pot_exp, fake_wall + 600 + 1800);
	ck_assert_uint_eq(l.pending, 0);		/* never sent back */
	ck_assert_int_eq(l.last_bndupd, fake_wall);	/* client_info shows it */
	/* the engine follows: a deadline at its end, not free */
	ck_assert_uint_eq(followed.addr, A("10.1.0.12"));
	ck_assert_int_eq(followed.due, fake_wall + 600);
	ck_assert_int_eq(followed.give, 0);
}
END_TEST

START_TEST(test_refuse_outside_pools)
{
	struct fo_binding v[4] = {
		bnd(LEASE_ACTIVE, "10.9.0.12", 1, fake_wall, fake_wall + 600),
		bnd(LEASE_ACTIVE, "10.1.0.200", 2, fake_wall, fake_wall + 600),
		bnd(LEASE_ACTIVE, "10.2.0.12", 3, fake_wall, fake_wall + 600),
		bnd(LEASE_ACTIVE, "10.1.0.13", 4, fake_wall, fake_wall + 600),
	};

	peer(FO_SECONDARY, 1);
	if (_i == 1)		/* the scope from the engine's view */
		fo.engine.scope_of = eng_scope_of;
	receive(v, 4, NULL, 0);
	scope_fini(&eng_scope);
	ck_assert_uint_eq(nacks, 1);
	ck_assert_uint_eq(acks[0]->nb, 4);
	ck_assert_int_eq(acked(rx_xid, "10.9.0.12"), FO_REJ_ILLEGAL_IP);	/* no scope */
	ck_assert_int_eq(acked(rx_xid, "10.1.0.200"), FO_REJ_ILLEGAL_IP);	/* range */
	ck_assert_int_eq(acked(rx_xid, "10.2.0.12"), FO_REJ_ILLEGAL_IP);	/* not ours */
	ck_assert_int_eq(acked(rx_xid, "10.1.0.13"), 0);
	ck_assert_int_eq(store_lease_get(st, A("10.2.0.12"), &(struct lease){ 0 }),
	    STORE_NOTFOUND);
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.200"), &(struct lease){ 0 }),
	    STORE_NOTFOUND);
}
END_TEST

START_TEST(test_conflict_refused_and_answered)
{
	/* the primary holds client 1's ACTIVE; the partner's ACTIVE of client
	 * 2 for the same address is refused (2) and the primary's own binding
	 * goes to the partner again, which takes it */
	struct fo_binding b = bnd(LEASE_ACTIVE, "10.1.0.10", 2, fake_wall,
	    fake_wall + 600);
	struct lease l;

	peer(FO_PRIMARY, 0);
	engine_writes("10.1.0.10", LEASE_ACTIVE, 1, fake_wall + 600, 1);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	partner_acks(sent[0]->xid, 0, 0, NULL, 0);
	ck_assert_uint_eq(ut_get(st, "10.1.0.10").pending, 0);
	fake_advance(10);
	receive(&b, 1, NULL, 0);
	ck_assert_int_eq(acked(rx_xid, "10.1.0.10"), FO_REJ_FATAL_CONFLICT);
	l = ut_get(st, "10.1.0.10");
	ck_assert_uint_eq(l.hwaddr[5], 1);
	ck_assert_uint_ne(l.pending, 0);
	store_set_durable(st, store_committed_seq(st));
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[1]->nb, 1);
	ck_assert_uint_eq(sent[1]->b[0].addr, A("10.1.0.10"));
	ck_assert_uint_eq(sent[1]->b[0].status, LEASE_ACTIVE);
	ck_assert_uint_eq(sent[1]->b[0].chaddr[5], 1);
}
END_TEST

START_TEST(test_conflict_secondary_accepts)
{
	struct fo_binding b = bnd(LEASE_ACTIVE, "10.1.0.10", 2, fake_wall + 10,
	    fake_wall + 610);

	peer(FO_SECONDARY, 0);
	engine_writes("10.1.0.10", LEASE_ACTIVE, 1, fake_wall + 600, 1);
	fake_advance(10);
	receive(&b, 1, NULL, 0);
	ck_assert_int_eq(acked(rx_xid, "10.1.0.10"), 0);
	ck_assert_uint_eq(ut_get(st, "10.1.0.10").hwaddr[5], 2);
}
END_TEST

START_TEST(test_outdated_refused_until_my_lease_ends)
{
	/* an EXPIRED over my ACTIVE before it has ended: 15, not answered */
	struct fo_binding b = bnd(LEASE_EXPIRED, "10.1.0.10", 1, fake_wall,
	    fake_wall);
	struct lease l;

	peer(FO_PRIMARY, 0);
	ut_lease(st, "10.1.0.10", SUBNET, LEASE_ACTIVE, FO_SECONDARY, 1,
	    fake_wall + 100);
	receive(&b, 1, NULL, 0);
	ck_assert_int_eq(acked(rx_xid, "10.1.0.10"), FO_REJ_OUTDATED);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_ACTIVE);
	ck_assert_uint_eq(l.pending, 0);
	fake_advance(101);
	receive(&b, 1, NULL, 0);
	ck_assert_int_eq(acked(rx_xid, "10.1.0.10"), 0);
}
END_TEST

START_TEST(test_freed_binding_stored_free)
{
	/* EXPIRED, RELEASED, RESET and FREE are kept as the primary's FREE,
	 * BACKUP as the secondary's (§5.11); the engine may give what is its
	 * role's */
	static const struct {
		int role, state, owner, give;
	} c[] = {
		{ FO_PRIMARY, LEASE_EXPIRED, FO_PRIMARY, 1 },
		{ FO_PRIMARY, LEASE_RELEASED, FO_PRIMARY, 1 },
		{ FO_PRIMARY, LEASE_RESET, FO_PRIMARY, 1 },
		{ FO_PRIMARY, LEASE_BACKUP, FO_SECONDARY, 0 },
		{ FO_SECONDARY, LEASE_EXPIRED, FO_PRIMARY, 0 },
		{ FO_SECONDARY, LEASE_FREE, FO_PRIMARY, 0 },
		{ FO_SECONDARY, LEASE_BACKUP, FO_SECONDARY, 1 },
	};
	struct fo_binding b = bnd(c[_i].state, "10.1.0.14", 3, fake_wall - 10, 0);
	struct lease l;

	peer(c[_i].role, 0);
	receive(&b, 1, NULL, 0);
	ck_assert_int_eq(acked(rx_xid, "10.1.0.14"), 0);
	l = ut_get(st, "10.1.0.14");
	ck_assert_int_eq(l.state, c[_i].state == LEASE_BACKUP ? LEASE_BACKUP :
	    LEASE_FREE);
	ck_assert_int_eq(l.owner, c[_i].owner);
	ck_assert_int_eq(followed.calls, 1);
	ck_assert_int_eq(followed.give, c[_i].give);
	ck_assert_int_eq(followed.due, 0);
}
END_TEST

START_TEST(test_bndack_waits_until_durable)
{
	struct fo_binding b = bnd(LEASE_ACTIVE, "10.1.0.12", 7, fake_wall,
	    fake_wall + 600);

	peer(FO_SECONDARY, 1);
	fo.engine.commit_soon = eng_commit_soon;
	receive(&b, 1, NULL, 0);
	ck_assert_int_eq(commits_asked, 1);	/* the group commit is asked */
	ck_assert_uint_eq(nacks, 0);
	ck_assert_int_eq(store_commit_deferred(st), 0);	/* committed, no fsync */
	fo_upd_pump(p);
	ck_assert_uint_eq(nacks, 0);
	store_set_durable(st, store_committed_seq(st));
	fo_upd_pump(p);
	ck_assert_uint_eq(nacks, 1);
	ck_assert_int_eq(acked(rx_xid, "10.1.0.12"), 0);
}
END_TEST

START_TEST(test_bndack_withheld_when_writes_lost)
{
	struct fo_binding b = bnd(LEASE_ACTIVE, "10.1.0.12", 7, fake_wall,
	    fake_wall + 600);

	peer(FO_SECONDARY, 1);
	fo.engine.commit_soon = eng_commit_soon;
	receive(&b, 1, NULL, 0);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	log_setlevel(LOG_LVL_ERROR);		/* the failure is this test's */
	store_sync_failed(st, EIO);		/* the fsync failed */
	ck_assert_int_eq(store_recover(st), 0);	/* durable again, later */
	fo_upd_pump(p);
	ck_assert_uint_eq(nacks, 0);
	ck_assert_int_eq(link_lost, 1);
	ck_assert_ptr_nonnull(strstr(lost_why, "lost"));
}
END_TEST

/* ---- sending ---- */

START_TEST(test_send_within_window)
{
	/* a draft-12 partner: one binding per BNDUPD, at most its window of
	 * messages unacknowledged, only what is durable */
	peer(FO_PRIMARY, 0);
	p->partner_window = 2;
	fo.engine.commit_soon = eng_commit_soon;	/* durable when we say */
	engine_writes("10.1.0.10", LEASE_ACTIVE, 1, fake_wall + 600, 1);
	engine_writes("10.1.0.11", LEASE_ACTIVE, 2, fake_wall + 600, 1);
	engine_writes("10.1.0.12", LEASE_ACTIVE, 3, fake_wall + 600, 1);
	engine_writes("10.1.0.13", LEASE_ACTIVE, 4, fake_wall + 600, 0);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[0]->type, FO_BNDUPD);
	ck_assert_uint_eq(sent[0]->nb, 1);
	ck_assert_uint_eq(sent[0]->b[0].addr, A("10.1.0.10"));
	ck_assert_uint_eq(sent[1]->b[0].addr, A("10.1.0.11"));
	ck_assert_uint_ne(sent[0]->xid, sent[1]->xid);
	ck_assert_uint_eq(p->msgs_unacked, 2);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 2);
	partner_acks(sent[0]->xid, 0, 0, NULL, 0);
	ck_assert_uint_eq(nsent, 3);
	ck_assert_uint_eq(sent[2]->b[0].addr, A("10.1.0.12"));
	partner_acks(sent[1]->xid, 0, 0, NULL, 0);
	ck_assert_uint_eq(nsent, 3);		/* .13 is not durable */
	store_set_durable(st, store_committed_seq(st));
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 4);
	ck_assert_uint_eq(sent[3]->b[0].addr, A("10.1.0.13"));
}
END_TEST

START_TEST(test_send_batched)
{
	peer(FO_PRIMARY, 1);
	p->partner_window = 1;
	engine_writes("10.1.0.10", LEASE_ACTIVE, 1, fake_wall + 600, 0);
	engine_writes("10.1.0.11", LEASE_RELEASED, 2, 0, 0);
	engine_writes("10.1.0.12", LEASE_EXPIRED, 3, fake_wall - 1, 1);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0]->nb, 3);
	ck_assert_uint_eq(sent[0]->b[0].addr, A("10.1.0.10"));
	ck_assert_uint_eq(sent[0]->b[0].status, LEASE_ACTIVE);
	ck_assert_uint_eq(sent[0]->b[0].pot_exp, fake_wall + 3600 + MCLT / 2);
	ck_assert_uint_eq(sent[0]->b[1].status, LEASE_RELEASED);
	ck_assert_uint_eq(sent[0]->b[2].status, LEASE_EXPIRED);
	/* sent, so no longer the engine's to rewind (§8) */
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.11")), 0);
}
END_TEST

START_TEST(test_bndack_frees_expired_and_released)
{
	struct lease l;

	peer(FO_PRIMARY, 1);
	engine_writes("10.1.0.10", LEASE_RELEASED, 1, 0, 0);
	engine_writes("10.1.0.11", LEASE_EXPIRED, 2, fake_wall - 1, 0);
	engine_writes("10.1.0.12", LEASE_ACTIVE, 3, fake_wall + 600, 1);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_int_eq(ut_get(st, "10.1.0.12").last_bndupd, 0);
	fake_advance(7);	/* last_bndupd_time is the acknowledgement's */
	partner_acks(sent[0]->xid, 0, 0, NULL, 0);
	ck_assert_uint_eq(p->nfl, 0);
	ck_assert_uint_eq(p->msgs_unacked, 0);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_FREE);
	ck_assert_int_eq(l.owner, FO_PRIMARY);
	ck_assert_uint_eq(l.pending, 0);
	l = ut_get(st, "10.1.0.11");
	ck_assert_int_eq(l.state, LEASE_FREE);
	ck_assert_int_eq(l.owner, FO_PRIMARY);
	l = ut_get(st, "10.1.0.12");
	ck_assert_int_eq(l.state, LEASE_ACTIVE);
	ck_assert_uint_eq(l.pending, 0);
	ck_assert_int_eq(l.ack_pot_exp, fake_wall - 7 + 3600 + MCLT / 2);
	ck_assert_int_eq(l.last_bndupd, fake_wall);
	/* the engine may give the freed addresses again */
	ck_assert_int_eq(followed.calls, 2);
	ck_assert_int_eq(followed.give, 1);
}
END_TEST

START_TEST(test_bndack_freed_stays_partners_on_secondary)
{
	/* freed on the secondary: the primary's FREE, not the secondary's to give */
	peer(FO_SECONDARY, 1);
	engine_writes("10.1.0.17", LEASE_EXPIRED, 2, fake_wall - 1, 1);
	fo_upd_pump(p);
	partner_acks(sent[0]->xid, 0, 0, NULL, 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.17").state, LEASE_FREE);
	ck_assert_int_eq(ut_get(st, "10.1.0.17").owner, FO_PRIMARY);
	ck_assert_int_eq(followed.give, 0);
}
END_TEST

START_TEST(test_bndack_rejected)
{
	struct lease l;

	peer(FO_PRIMARY, 1);
	engine_writes("10.1.0.10", LEASE_RELEASED, 1, 0, 1);
	fo_upd_pump(p);
	partner_acks(sent[0]->xid, A("10.1.0.10"), FO_REJ_OUTDATED, NULL, 0);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_RELEASED);	/* not freed */
	ck_assert_uint_eq(l.pending, 0);		/* nor sent again */
	ck_assert_int_eq(followed.calls, 0);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
}
END_TEST

START_TEST(test_crossing_active_echoed)
{
	/* our EXPIRED crossed the partner's ACTIVE (a renewal it granted) on
	 * the wire: we took the ACTIVE; when the partner then acknowledges our
	 * EXPIRED (ISC while recovering takes it over its own), it gets the
	 * ACTIVE back */
	struct fo_binding b;
	struct lease l;

	peer(FO_PRIMARY, 0);
	engine_writes("10.1.0.10", LEASE_EXPIRED, 1, fake_wall - 1, 1);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	fake_advance(5);
	b = bnd(LEASE_ACTIVE, "10.1.0.10", 1, fake_wall, fake_wall + 600);
	receive(&b, 1, NULL, 0);
	ck_assert_int_eq(acked(rx_xid, "10.1.0.10"), 0);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_ACTIVE);
	ck_assert_uint_eq(l.pending, 0);
	partner_acks(sent[0]->xid, 0, 0, NULL, 0);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_ACTIVE);	/* not freed */
	ck_assert_uint_ne(l.pending, 0);		/* echoed */
	store_set_durable(st, store_committed_seq(st));
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[1]->b[0].addr, A("10.1.0.10"));
	ck_assert_uint_eq(sent[1]->b[0].status, LEASE_ACTIVE);
}
END_TEST

START_TEST(test_updreq_then_upddone)
{
	struct fo_msg *req = fo_msg_new(FO_UPDREQ);

	peer(FO_SECONDARY, 1);
	engine_writes("10.1.0.15", LEASE_ACTIVE, 1, fake_wall + 600, 1);
	req->xid = 77;
	fo_upd_on_updreq(p, req, 0);
	fo_upd_read_done(p);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0]->type, FO_BNDUPD);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);	/* sent, not yet acknowledged: wait */
	partner_acks(sent[0]->xid, 0, 0, NULL, 0);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[1]->type, FO_UPDDONE);
	ck_assert_uint_eq(sent[1]->xid, 77);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 2);		/* once */
	free(req);
}
END_TEST

START_TEST(test_updreqall_sends_everything)
{
	struct fo_msg *req = fo_msg_new(FO_UPDREQALL);

	peer(FO_SECONDARY, 1);
	engine_writes("10.1.0.15", LEASE_ACTIVE, 1, fake_wall + 600, 1);
	engine_writes("10.1.0.16", LEASE_RELEASED, 2, 0, 1);
	fo_upd_pump(p);
	partner_acks(sent[0]->xid, 0, 0, NULL, 0);
	ck_assert_uint_eq(ut_get(st, "10.1.0.15").pending, 0);
	clear_sent();
	/* everything again, the acknowledged rows too */
	req->xid = 78;
	fo_upd_on_updreq(p, req, 1);
	fo_upd_read_done(p);
	ck_assert_uint_ne(ut_get(st, "10.1.0.15").pending, 0);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0]->nb, 2);
	partner_acks(sent[0]->xid, 0, 0, NULL, 0);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[1]->type, FO_UPDDONE);
	ck_assert_uint_eq(sent[1]->xid, 78);
	free(req);
}
END_TEST

START_TEST(test_state_owed_after_bindings)
{
	/* a state change is announced only once every binding written before
	 * it is durable and sent */
	peer(FO_PRIMARY, 1);
	engine_writes("10.1.0.10", LEASE_ACTIVE, 1, fake_wall + 600, 0);
	p->state_owed = 1;
	p->state_seq = store_write_seq(st);
	fo_upd_pump(p);
	ck_assert_int_eq(states_sent, 0);
	ck_assert_uint_eq(nsent, 0);
	store_set_durable(st, store_committed_seq(st));
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);		/* the binding first, */
	ck_assert_int_eq(states_sent, 1);	/* then STATE */
}
END_TEST

START_TEST(test_link_down_forgets)
{
	peer(FO_PRIMARY, 1);
	engine_writes("10.1.0.10", LEASE_ACTIVE, 1, fake_wall + 600, 1);
	fo_upd_pump(p);
	ck_assert_uint_eq(p->nfl, 1);
	fo_upd_link_down(p);
	ck_assert_uint_eq(p->nfl, 0);
	ck_assert_uint_eq(p->msgs_unacked, 0);
	/* still pending: the next contact starts from the beginning */
	ck_assert_uint_ne(ut_get(st, "10.1.0.10").pending, 0);
	p->link = FO_LINK_OK;
	fo_upd_link_up(p);
	clear_sent();
	fo_upd_pump(p);
	ck_assert_uint_ge(nsent, 1);
	ck_assert_uint_eq(sent[nsent - 1]->nb, 1);
	ck_assert_uint_eq(sent[nsent - 1]->b[0].addr, A("10.1.0.10"));
}
END_TEST

/* ---- free addresses between the owners (fo_move.c) ---- */

/* Who owns each free address of SUBNET, as "P10-15 S16-20". */
static const char *
owners(void)
{
	static char buf[256];
	struct rebal_run *runs;
	size_t n, len = 0;

	ck_assert_int_eq(store_free_runs(st, A(SUBNET), &runs, &n), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%c%u-%u",
		    i ? " " : "", runs[i].owner == FO_PRIMARY ? 'P' : 'S',
		    runs[i].start & 0xff, runs[i].end & 0xff);
	free(runs);
	return buf;
}

START_TEST(test_range_move_applied_and_echoed)
{
	/* a dhcpfod primary moves [.10, .20] to the secondary: applied where
	 * free (.12 is leased), the runs moved echoed in the BNDACK */
	struct fo_range r = { A("10.1.0.10"), A("10.1.0.20"), LEASE_BACKUP };
	struct fo_range other = { A("10.2.0.10"), A("10.2.0.20"), LEASE_BACKUP };

	peer(FO_SECONDARY, 1);
	ut_lease(st, "10.1.0.12", SUBNET, LEASE_ACTIVE, FO_PRIMARY, 1,
	    fake_wall + 600);
	ck_assert_str_eq(owners(), "P10-11 P13-20");
	receive(NULL, 0, (struct fo_range[]){ r, other }, 2);
	ck_assert_uint_eq(nacks, 1);
	ck_assert_uint_eq(acks[0]->nr, 2);
	ck_assert_uint_eq(acks[0]->r[0].start, A("10.1.0.10"));
	ck_assert_uint_eq(acks[0]->r[0].end, A("10.1.0.11"));
	ck_assert_uint_eq(acks[0]->r[1].start, A("10.1.0.13"));
	ck_assert_uint_eq(acks[0]->r[1].end, A("10.1.0.20"));
	ck_assert_uint_eq(acks[0]->r[1].status, LEASE_BACKUP);
	ck_assert_str_eq(owners(), "S10-11 S13-20");
}
END_TEST

static struct {
	int		calls, code;
	json_int_t	to_secondary, to_primary;
} done;

static void
rebal_done(void *arg, json_t *result, int code, const char *detail)
{
	json_t *s;

	done.calls++;
	done.code = code;
	if (result != NULL) {
		s = json_array_get(json_object_get(result, "scopes"), 0);
		done.to_secondary = json_integer_value(json_object_get(s,
		    "moved_to_secondary"));
		done.to_primary = json_integer_value(json_object_get(s,
		    "moved_to_primary"));
		json_decref(result);
	}
}

static struct fo_rebal_op *
rebal_op(void)
{
	struct fo_rebal_op *op = calloc(1, sizeof(*op));

	ck_assert_ptr_nonnull(op);
	op->done = rebal_done;
	memset(&done, 0, sizeof(done));
	return op;
}

START_TEST(test_rebalance_to_secondary)
{
	/* 11 free, 50 %: the secondary's share floor(11 x 50 / 100) = 5, the
	 * primary's highest addresses, moved at once (§5.11: once sent the
	 * primary must not use them); the call ends on the partner's echo */
	peer(FO_PRIMARY, 1);
	ck_assert_int_eq(fo_move_rebalance(p, rebal_op(), 0), 0);
	ck_assert_str_eq(owners(), "P10-15 S16-20");
	ck_assert_int_eq(done.calls, 0);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0]->nr, 1);
	ck_assert_uint_eq(sent[0]->r[0].start, A("10.1.0.16"));
	ck_assert_uint_eq(sent[0]->r[0].end, A("10.1.0.20"));
	ck_assert_uint_eq(sent[0]->r[0].status, LEASE_BACKUP);
	partner_acks(sent[0]->xid, 0, 0, sent[0]->r, 1);
	ck_assert_str_eq(owners(), "P10-15 S16-20");
	ck_assert_int_eq(done.calls, 1);
	ck_assert_int_eq(done.code, 0);
	ck_assert_int_eq(done.to_secondary, 5);
	ck_assert_int_eq(done.to_primary, 0);
	ck_assert_ptr_null(p->rebal);
}
END_TEST

START_TEST(test_rebalance_to_primary_when_echoed)
{
	/* the secondary holds everything: its lowest 6 come back, but only
	 * what it echoes (it leased .11 meanwhile), and nothing beyond what
	 * was asked */
	struct rebal_move all = { A("10.1.0.10"), A("10.1.0.20"), FO_SECONDARY };
	struct fo_range echo[3] = {
		{ A("10.1.0.10"), A("10.1.0.10"), LEASE_FREE },
		{ A("10.1.0.12"), A("10.1.0.15"), LEASE_FREE },
		{ A("10.1.0.14"), A("10.1.0.18"), LEASE_FREE },
	};

	peer(FO_PRIMARY, 1);
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &all, 1), 0);
	ck_assert_int_eq(fo_move_rebalance(p, rebal_op(), 0), 0);
	ck_assert_str_eq(owners(), "S10-20");		/* not before the echo */
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0]->r[0].start, A("10.1.0.10"));
	ck_assert_uint_eq(sent[0]->r[0].end, A("10.1.0.15"));
	ck_assert_uint_eq(sent[0]->r[0].status, LEASE_FREE);
	partner_acks(sent[0]->xid, 0, 0, echo, 3);
	ck_assert_str_eq(owners(), "P10-10 S11-11 P12-15 S16-20");
	ck_assert_int_eq(done.calls, 1);
	ck_assert_int_eq(done.to_primary, 5);
}
END_TEST

START_TEST(test_single_address_moves_to_draft12)
{
	/* a partner that is not dhcpfod hears of moves one address at a time,
	 * as FREE/BACKUP bindings; the rebalance ends when all are answered */
	peer(FO_PRIMARY, 0);
	p->partner_window = 2;
	ck_assert_int_eq(fo_move_rebalance(p, rebal_op(), 0), 0);
	ck_assert_uint_eq(p->rebal->outstanding, 5);
	for (int i = 0; i < 5; i++) {
		fo_upd_pump(p);
		ck_assert_uint_ge(nsent, (size_t)i + 1);
		ck_assert_uint_eq(sent[i]->nb, 1);
		ck_assert_uint_eq(sent[i]->nr, 0);
		ck_assert_uint_eq(sent[i]->b[0].addr, A("10.1.0.16") + (uint32_t)i);
		ck_assert_uint_eq(sent[i]->b[0].status, LEASE_BACKUP);
		ck_assert_uint_eq(sent[i]->b[0].has & FO_B_CHADDR, 0);
		ck_assert_int_eq(done.calls, 0);
		partner_acks(sent[i]->xid, 0, 0, NULL, 0);
	}
	ck_assert_int_eq(done.calls, 1);
	ck_assert_int_eq(done.code, 0);
	ck_assert_int_eq(done.to_secondary, 5);
}
END_TEST

START_TEST(test_rebalance_threshold)
{
	/* the timer's form leaves a scope within 5 % of its target alone */
	struct rebal_move mv = { A("10.1.0.16"), A("10.1.0.20"), FO_SECONDARY };

	peer(FO_PRIMARY, 1);
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &mv, 1), 0);
	ck_assert_int_eq(fo_move_rebalance(p, NULL, FO_REBAL_THRESHOLD), 0);
	ck_assert_uint_eq(p->nrq, 0);
	ck_assert_ptr_null(p->rebal);
	ck_assert_str_eq(owners(), "P10-15 S16-20");
}
END_TEST

/* A starvation flood took every address of the secondary's share (its 5
 * leases): the automatic forms (the timer, entering NORMAL, the partner's
 * POOLREQ) leave the primary its own share, where an exact split would
 * hand half of it to the flood; the operator's rebalance is that exact
 * split (FAILOVER.md §11). */
START_TEST(test_rebalance_keeps_reserve)
{
	struct rebal_move mv = { A("10.1.0.16"), A("10.1.0.20"), FO_SECONDARY };
	struct fo_msg *req = fo_msg_new(FO_POOLREQ);
	char a[16];

	peer(FO_PRIMARY, 1);
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &mv, 1), 0);
	for (uint8_t i = 0; i < 5; i++)
		ut_lease(st, addr_str(A("10.1.0.16") + i, a), SUBNET, LEASE_ACTIVE,
		    FO_SECONDARY, (uint8_t)(100 + i), fake_wall + 600);
	ck_assert_str_eq(owners(), "P10-15");
	ck_assert_int_eq(fo_move_rebalance(p, NULL, FO_REBAL_THRESHOLD), 0);
	ck_assert_uint_eq(p->nrq, 0);
	ck_assert_ptr_null(p->rebal);
	fo_move_pool_request(p, req);
	ck_assert_uint_eq(sent[nsent - 1]->addr_transferred, 0);
	ck_assert_str_eq(owners(), "P10-15");
	ck_assert_int_eq(fo_move_rebalance(p, rebal_op(), 0), 0);
	ck_assert_str_eq(owners(), "P10-12 S13-15");
	free(req);
}
END_TEST

START_TEST(test_link_lost_ends_rebalance)
{
	peer(FO_PRIMARY, 1);
	ck_assert_int_eq(fo_move_rebalance(p, rebal_op(), 0), 0);
	fo_upd_pump(p);
	fo_upd_link_down(p);
	ck_assert_int_eq(done.calls, 1);
	ck_assert_int_eq(done.code, ERR_FO_STATE_NOT_NORMAL);
	ck_assert_ptr_null(p->rebal);
}
END_TEST

START_TEST(test_pool_request)
{
	struct fo_msg *req = fo_msg_new(FO_POOLREQ);

	req->xid = 55;
	/* the secondary moves nothing */
	peer(FO_SECONDARY, 1);
	fo_move_pool_request(p, req);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0]->type, FO_POOLRESP);
	ck_assert_uint_eq(sent[0]->xid, 55);
	ck_assert_uint_eq(sent[0]->addr_transferred, 0);
	ck_assert_uint_eq(p->nrq, 0);
	/* the primary in NORMAL rebalances and counts the moves queued */
	p->rel.server_type = FO_PRIMARY;
	fo_move_pool_request(p, req);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[1]->addr_transferred, 1);
	ck_assert_uint_eq(p->nrq, 1);
	free(req);
}
END_TEST


/* draft-12 §9.8.1: a secondary short of free addresses (none of its target
 * 5 of 11 here) sends POOLREQ, one at a time, at most every 30 s; one at
 * its target, or the primary, never does. */
START_TEST(test_secondary_pool_request_when_short)
{
	struct rebal_move five = { A("10.1.0.16"), A("10.1.0.20"), FO_SECONDARY };

	peer(FO_PRIMARY, 1);
	fo_move_pool_check(p, 1000);
	ck_assert_uint_eq(nsent, 0);			/* the primary rebalances */
	p->rel.server_type = FO_SECONDARY;
	fo_move_pool_check(p, 1000);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0]->type, FO_POOLREQ);
	ck_assert_int_eq(p->poolreq_out, 1);
	fo_move_pool_check(p, 1100);			/* one outstanding */
	ck_assert_uint_eq(nsent, 1);
	p->poolreq_out = 0;				/* its POOLRESP came */
	fo_move_pool_check(p, 1010);			/* not within 30 s */
	ck_assert_uint_eq(nsent, 1);
	fo_move_pool_check(p, 1030);
	ck_assert_uint_eq(nsent, 2);
	/* at its target (5 of 11): no request */
	p->poolreq_out = 0;
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &five, 1), 0);
	fo_move_pool_check(p, 2000);
	ck_assert_uint_eq(nsent, 2);
	/* not in NORMAL: none either */
	p->rel.state = FO_COMMUNICATION_INT;
	fo_move_pool_check(p, 3000);
	ck_assert_uint_eq(nsent, 2);
}
END_TEST


/* A secondary that outgrew its share (a flood in its buckets: 8 of 11 in
 * use, none free) is not short: the primary's answer keeps its reserve
 * (FAILOVER.md §11), so no POOLREQ that would only be refused. */
START_TEST(test_flooded_secondary_does_not_ask)
{
	static const char *const addrs[] = { "10.1.0.10", "10.1.0.11", "10.1.0.12",
	    "10.1.0.13", "10.1.0.14", "10.1.0.15", "10.1.0.16", "10.1.0.17" };
	struct rebal_move mine = { A("10.1.0.10"), A("10.1.0.17"), FO_SECONDARY };

	peer(FO_SECONDARY, 1);
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &mine, 1), 0);
	for (size_t i = 0; i < nitems(addrs); i++)
		engine_writes(addrs[i], LEASE_ACTIVE, (uint8_t)(i + 1), fake_wall + 600, 1);
	fo_move_pool_check(p, 1000);
	ck_assert_uint_eq(nsent, 0);
}
END_TEST

START_TEST(test_ownership_on_contact)
{
	/* a primary tells a dhcpfod secondary who owns what on every contact */
	struct rebal_move mv = { A("10.1.0.16"), A("10.1.0.20"), FO_SECONDARY };

	peer(FO_PRIMARY, 1);
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &mv, 1), 0);
	fo_upd_link_up(p);
	ck_assert_uint_eq(p->nrq, 2);
	fo_upd_pump(p);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0]->nr, 2);
	ck_assert_uint_eq(sent[0]->r[0].status, LEASE_FREE);
	ck_assert_uint_eq(sent[0]->r[1].status, LEASE_BACKUP);
	/* a secondary does not, nor a primary to a draft-12 partner */
	p->rel.server_type = FO_SECONDARY;
	fo_upd_link_up(p);
	ck_assert_uint_eq(p->nrq, 0);
	p->rel.server_type = FO_PRIMARY;
	p->partner_dhcpfod = 0;
	fo_upd_link_up(p);
	ck_assert_uint_eq(p->nrq, 0);
	/* which hears it only when it asks for everything */
	fo_move_ownership(p, 1);
	ck_assert_uint_eq(p->nrq, 2);
}
END_TEST

static Suite *
fo_upd_suite(void)
{
	Suite *s = suite_create("fo_upd");
	TCase *tc;

	tc = tcase_create("receive");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_accept_new_active);
	tcase_add_loop_test(tc, test_refuse_outside_pools, 0, 2);
	tcase_add_test(tc, test_conflict_refused_and_answered);
	tcase_add_test(tc, test_conflict_secondary_accepts);
	tcase_add_test(tc, test_outdated_refused_until_my_lease_ends);
	tcase_add_loop_test(tc, test_freed_binding_stored_free, 0, 7);
	tcase_add_test(tc, test_bndack_waits_until_durable);
	tcase_add_test(tc, test_bndack_withheld_when_writes_lost);
	suite_add_tcase(s, tc);
	tc = tcase_create("send");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_send_within_window);
	tcase_add_test(tc, test_send_batched);
	tcase_add_test(tc, test_bndack_frees_expired_and_released);
	tcase_add_test(tc, test_bndack_freed_stays_partners_on_secondary);
	tcase_add_test(tc, test_bndack_rejected);
	tcase_add_test(tc, test_crossing_active_echoed);
	tcase_add_test(tc, test_updreq_then_upddone);
	tcase_add_test(tc, test_updreqall_sends_everything);
	tcase_add_test(tc, test_state_owed_after_bindings);
	tcase_add_test(tc, test_link_down_forgets);
	suite_add_tcase(s, tc);
	tc = tcase_create("move");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_range_move_applied_and_echoed);
	tcase_add_test(tc, test_rebalance_to_secondary);
	tcase_add_test(tc, test_rebalance_to_primary_when_echoed);
	tcase_add_test(tc, test_single_address_moves_to_draft12);
	tcase_add_test(tc, test_rebalance_threshold);
	tcase_add_test(tc, test_rebalance_keeps_reserve);
	tcase_add_test(tc, test_link_lost_ends_rebalance);
	tcase_add_test(tc, test_pool_request);
	tcase_add_test(tc, test_secondary_pool_request_when_short);
	tcase_add_test(tc, test_flooded_secondary_does_not_ask);
	tcase_add_test(tc, test_ownership_on_contact);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fo_upd_suite());
	int failed;

	ut_tmp_begin();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ut_tmp_end();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
