/* Unit tests: one relationship's connection and state (src/failover/
 * fo_peer.c; docs/FAILOVER.md §2, §5): the CONNECT/CONNECTACK handshake and
 * its checks in draft-12 §7.8.2 order, each message accepted only from its
 * stage, digests, the partner's STATE applied in each state (first contact,
 * the STARTUP flag, the table, UPDREQ/UPDREQALL asked once), UPDDONE,
 * CONTACT and the receive timer, DISCONNECT and link loss in each state,
 * reconnect back-off, and the timed moves (STARTUP, RECOVER_WAIT, safe
 * period, takeover). The real fo_peer.c, fo_fsm.c, fo_state.c, fo_msg.c and
 * a temporary store on a real event base (no socket); the connection
 * (fo_conn.c) and the binding traffic (fo_upd.c, fo_move.c) are this file's
 * recorders, and every message goes through the codec both ways. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "daemon.h"
#include "fake_clock.h"
#include "fo.h"
#include "fo_conn.h"
#include "fo_fsm.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "log.h"
#include "store.h"
#include "unit_store.h"
#include "util.h"

#define SUBNET		"10.1.0.0"
#define PRIMARY		"10.77.0.1"
#define SECONDARY	"10.77.0.2"
#define MCLT		600
#define MAXMSG		64

static struct store *st;
static struct daemon d;
static struct fo fo;
static struct fo_peer *p;

/* ---- the connection (fo_conn.h), a recorder ---- */

struct fo_conn {
	const struct fo_conn_cb	*cb;
	void			*arg;
	uint32_t		 peer;
	uint16_t		 port;
	int			 lingering;
	unsigned		 bad_len;	/* the framing's verdict */
};

static struct {
	struct fo_conn	*c;
	struct fo_msg	*m;
} sent[MAXMSG];
static size_t nsent;
static int conns_made, conns_freed, send_fails;
static struct fo_conn *last_conn;

struct fo_conn *
fo_conn_connect(struct event_base *base, uint32_t addr, uint16_t port,
    const struct fo_conn_cb *cb, void *arg)
{
	struct fo_conn *c = calloc(1, sizeof(*c));

	ck_assert_ptr_nonnull(c);
	c->cb = cb;
	c->arg = arg;
	c->peer = addr;
	c->port = port;
	conns_made++;
	return last_conn = c;
}

struct fo_conn *
fo_conn_accepted(struct event_base *base, int fd, uint32_t peer,
    const struct fo_conn_cb *cb, void *arg)
{
	ck_abort_msg("fo_peer never accepts");
	return NULL;
}

void
fo_conn_set_cb(struct fo_conn *c, const struct fo_conn_cb *cb, void *arg)
{
	c->cb = cb;
	c->arg = arg;
}

void
fo_conn_free(struct fo_conn *c)
{
	if (c == NULL)
		return;
	conns_freed++;
	if (c == last_conn)
		last_conn = NULL;
	free(c);
}

void
fo_conn_linger(struct fo_conn *c)
{
	c->lingering = 1;
}

uint32_t
fo_conn_peer(const struct fo_conn *c)
{
	return c->peer;
}

unsigned
fo_conn_bad_len(const struct fo_conn *c)
{
	return c->bad_len;
}

int
fo_conn_send(struct fo_conn *c, const uint8_t *msg, size_t len)
{
	struct fo_msg *m = calloc(1, sizeof(*m));
	char err[160];

	if (send_fails) {
		free(m);
		return -1;
	}
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(fo_msg_frame_len(msg, len), (int)len);
	if (p != NULL && p->rel.shared_secret[0] != '\0')
		ck_assert_int_eq(fo_msg_verify(msg, len, p->rel.shared_secret), 0);
	ck_assert_msg(fo_msg_decode(msg, len, m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_lt(nsent, MAXMSG);
	sent[nsent].c = c;
	sent[nsent++].m = m;
	return 0;
}

static void
clear_sent(void)
{
	for (size_t i = 0; i < nsent; i++)
		free(sent[i].m);
	nsent = 0;
}

/* ---- binding traffic (fo_upd.c, fo_move.c) and fo.c: recorders ---- */

static struct {
	int	link_up, link_down, pump, bndupd, bndack, read_done;
	int	updreq, updreqall, poolreq, rebalance, stop_check, pool_checks;
	int	all_acked;		/* what fo_upd_all_acked answers */
} rec;

void
fo_upd_link_up(struct fo_peer *peer)
{
	rec.link_up++;
}

void
fo_upd_link_down(struct fo_peer *peer)
{
	rec.link_down++;
	peer->asked = 0;
	peer->state_owed = 0;
}

int
fo_upd_all_acked(struct fo_peer *peer)
{
	return rec.all_acked;
}

void
fo_upd_pump(struct fo_peer *peer)
{
	rec.pump++;
}

void
fo_upd_on_bndupd(struct fo_peer *peer, const struct fo_msg *m)
{
	rec.bndupd++;
}

void
fo_upd_on_bndack(struct fo_peer *peer, const struct fo_msg *m)
{
	rec.bndack++;
}

void
fo_upd_on_updreq(struct fo_peer *peer, const struct fo_msg *m, int all)
{
	if (all)
		rec.updreqall++;
	else
		rec.updreq++;
}

void
fo_upd_read_done(struct fo_peer *peer)
{
	rec.read_done++;
}

/* As fo_upd.c asks: the request sent, at most once per connection. */
void
fo_upd_ask(struct fo_peer *peer, int all)
{
	struct fo_msg *m = fo_msg_new(all ? FO_UPDREQALL : FO_UPDREQ);

	if (fo_peer_send(peer, m, 0) == 0)
		peer->asked = 1;
	free(m);
}

void
fo_move_pool_request(struct fo_peer *peer, const struct fo_msg *m)
{
	rec.poolreq++;
}

int
fo_move_rebalance(struct fo_peer *peer, struct fo_rebal_op *op, unsigned threshold)
{
	rec.rebalance++;
	return 0;
}

void
fo_move_pool_check(struct fo_peer *peer, int64_t mono)
{
	rec.pool_checks++;
}

void
fo_stop_check(struct fo *f)
{
	rec.stop_check++;
}

/* ---- fixture ---- */

static void
setup(void)
{
	fake_reset();
	log_setlevel(LOG_LVL_ERROR);	/* refusals are what these tests make */
	st = ut_store_open();
	ut_scope(st, SUBNET, 24, "10.1.0.10", "10.1.0.20", 3600);
	memset(&d, 0, sizeof(d));
	d.store = st;
	ck_assert_ptr_nonnull(d.base = event_base_new());
	memset(&fo, 0, sizeof(fo));
	fo.d = &d;
	memset(&rec, 0, sizeof(rec));
	nsent = 0;
	conns_made = conns_freed = send_fails = 0;
	last_conn = NULL;
	p = NULL;
}

static void
teardown(void)
{
	fo_peer_free(p);
	p = NULL;
	clear_sent();
	event_base_free(d.base);
	ut_store_close(st);
}

/* This server's peer for relationship "r", stored in `stored` (the
 * previous state it resumes from); it starts (STARTUP). Only the test's
 * tick() runs its timers. */
static void
mkpeer(int role, int stored, int64_t fail_time)
{
	struct fo_rel rel;

	ut_rel(st, "r", role, SUBNET, stored, MCLT, fake_wall - 100000);
	ck_assert_int_eq(store_rel_get(st, "r", &rel), 0);
	rel.fail_time = fail_time;
	ck_assert_int_eq(store_rel_update(st, &rel), 0);
	ck_assert_ptr_nonnull(p = fo_peer_new(&fo, &rel));
	fo_rel_fini(&rel);
	event_del(p->tick);
	ck_assert_int_eq(p->rel.state, FO_STARTUP);
	ck_assert_int_eq(p->rel.prev_state, stored);
}

/* The stored relationship (what survives a restart). */
static struct fo_rel
stored(void)
{
	struct fo_rel rel;

	ck_assert_int_eq(store_rel_get(st, "r", &rel), 0);
	fo_rel_fini(&rel);
	return rel;
}

/* One 1 s tick of the peer's timer (and whatever it scheduled). */
static void
tick(void)
{
	event_active(p->tick, EV_TIMEOUT, 0);
	event_base_loop(d.base, EVLOOP_NONBLOCK);
}

static struct fo_msg *
msg(int type)
{
	struct fo_msg *m = fo_msg_new(type);

	ck_assert_ptr_nonnull(m);
	m->time = (uint32_t)fake_wall;
	return m;
}

/* The partner's message m arrives on the peer's connection, in one read. */
static void
deliver(struct fo_msg *m)
{
	uint8_t buf[FO_MSG_MAX];
	size_t len;
	struct fo_conn *c = p->conn;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(fo_msg_encode(m, buf, sizeof(buf) - FO_DIGEST_ROOM, &len), 0);
	if (p->rel.shared_secret[0] != '\0')
		ck_assert_int_eq(fo_msg_sign(buf, &len, sizeof(buf),
		    p->rel.shared_secret), 0);
	c->cb->message(c->arg, c, buf, len);
	if (p->conn == c)
		c->cb->read_done(c->arg, c);
	free(m);
}

/* Sent messages of a type: how many, and the last. */
static int
count(int type)
{
	int n = 0;

	for (size_t i = 0; i < nsent; i++)
		n += sent[i].m->type == type;
	return n;
}

static struct fo_msg *
last(int type)
{
	for (size_t i = nsent; i > 0; i--)
		if (sent[i - 1].m->type == type)
			return sent[i - 1].m;
	ck_abort_msg("no %s sent", fo_msg_type_name(type));
	return NULL;
}

/* A partner's CONNECT (from a dhcpfod primary unless isc). */
static struct fo_msg *
connect_msg(const char *name, int isc)
{
	struct fo_msg *m = msg(FO_CONNECT);

	m->has = FO_M_RELATIONSHIP | FO_M_MAX_UNACKED | FO_M_RECEIVE_TIMER |
	    FO_M_VENDOR_CLASS | FO_M_PROTOCOL_VERSION | FO_M_MCLT | FO_M_HBA |
	    FO_M_TLS_REQUEST;
	snprintf(m->relationship, sizeof(m->relationship), "%s", name);
	m->max_unacked = isc ? 10 : 20;
	m->receive_timer = 10;
	snprintf(m->vendor_class, sizeof(m->vendor_class), "%s",
	    isc ? "isc-dhcp-4.4.3" : "dhcpfod-0.1.0");
	m->protocol_version = 1;
	m->mclt = MCLT;
	fo_hba_split(m->hba, 100);
	return m;
}

static struct fo_msg *
connectack_msg(void)
{
	struct fo_msg *m = msg(FO_CONNECTACK);

	m->has = FO_M_RELATIONSHIP | FO_M_MAX_UNACKED | FO_M_RECEIVE_TIMER |
	    FO_M_VENDOR_CLASS | FO_M_PROTOCOL_VERSION;
	snprintf(m->relationship, sizeof(m->relationship), "r");
	m->max_unacked = 128;
	m->receive_timer = 10;
	snprintf(m->vendor_class, sizeof(m->vendor_class), "dhcpfod-0.1.0");
	m->protocol_version = 1;
	return m;
}

static struct fo_msg *
state_msg(int state, int startup)
{
	struct fo_msg *m = msg(FO_STATE);

	m->has = FO_M_SERVER_STATE | FO_M_SERVER_FLAGS | FO_M_STOS;
	m->server_state = (uint8_t)fo_state_to_wire(state);
	m->server_flags = startup ? FO_SERVER_FLAG_STARTUP : 0;
	m->stos = (uint32_t)fake_wall - 50;
	return m;
}

/* Connected out, and the handshake done: the link is up, STATE sent. */
static void
link_up(void)
{
	tick();				/* connects out */
	ck_assert_int_eq(p->link, FO_LINK_CONNECTING);
	ck_assert_ptr_nonnull(p->conn);
	p->conn->cb->connected(p->conn->arg, p->conn);
	if (p->rel.server_type == FO_PRIMARY) {
		ck_assert_int_eq(p->link, FO_LINK_WAIT_ACK);
		deliver(connectack_msg());
	} else {
		ck_assert_int_eq(p->link, FO_LINK_WAIT_CONNECT);
		deliver(connect_msg("r", 0));
	}
	ck_assert_int_eq(p->link, FO_LINK_UP);
}

/* In contact, and past the first contact, in state `state` (set as the
 * operator would, failover.set), the partner in `partner`. */
static void
in_contact(int role, int state, int partner)
{
	mkpeer(role, FO_NORMAL, 0);
	link_up();
	deliver(state_msg(FO_NORMAL, 0));
	ck_assert_int_eq(p->link, FO_LINK_OK);
	ck_assert_int_eq(p->met, 1);
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
	if (state != FO_NORMAL) {
		p->rel.state = state;
		p->rel.stos = fake_wall;
		ck_assert_int_eq(store_rel_update(st, &p->rel), 0);
	}
	p->partner_state = partner;
	p->asked = 0;
	p->state_owed = 0;	/* as if fo_upd_pump had sent it */
}

/* ---- the handshake ---- */

START_TEST(test_primary_connects)
{
	struct fo_msg *m;

	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	ck_assert_int_eq(stored().state, FO_STARTUP);	/* durable first */
	tick();
	ck_assert_int_eq(conns_made, 1);
	ck_assert_uint_eq(last_conn->peer, A(SECONDARY));
	ck_assert_uint_eq(last_conn->port, 647);
	p->conn->cb->connected(p->conn->arg, p->conn);
	ck_assert_int_eq(p->link, FO_LINK_WAIT_ACK);
	m = last(FO_CONNECT);
	ck_assert_str_eq(m->relationship, "r");
	ck_assert_uint_eq(m->mclt, MCLT);
	ck_assert_uint_eq(m->max_unacked, FO_CONNECT_UNACKED);
	ck_assert_uint_eq(m->receive_timer, FO_RECEIVE_TIMER);
	ck_assert_uint_eq(m->protocol_version, 1);
	ck_assert_int_eq(strncmp(m->vendor_class, FO_VENDOR_PREFIX,
	    strlen(FO_VENDOR_PREFIX)), 0);
	ck_assert_uint_ne(m->has & FO_M_HBA, 0);
	/* 50 %: buckets 0..127 are the primary's */
	ck_assert_int_eq(fo_hba_primary_serves(m->hba, 127), 1);
	ck_assert_int_eq(fo_hba_primary_serves(m->hba, 128), 0);
	deliver(connectack_msg());
	ck_assert_int_eq(p->link, FO_LINK_UP);
	ck_assert_int_eq(p->partner_dhcpfod, 1);
	ck_assert_uint_eq(p->partner_window, 128);
	/* STATE: the state it would resume, flagged STARTUP */
	m = last(FO_STATE);
	ck_assert_int_eq(fo_state_from_wire(m->server_state), FO_COMMUNICATION_INT);
	ck_assert_uint_eq(m->server_flags & FO_SERVER_FLAG_STARTUP,
	    FO_SERVER_FLAG_STARTUP);
}
END_TEST

START_TEST(test_connectack_refused)
{
	struct fo_msg *m;

	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	m = connectack_msg();
	m->has |= FO_M_REJECT;
	m->reject = FO_REJ_INVALID_MCLT;
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_ptr_null(p->conn);
	ck_assert_int_eq(conns_freed, 1);
	ck_assert_int_eq(count(FO_STATE), 0);
	/* the partner's reason is kept for failover.get and the metrics */
	ck_assert_int_eq(p->last_reject.reason, FO_REJ_INVALID_MCLT);
	ck_assert_int_eq(p->last_reject.by_partner, 1);
	ck_assert_int_eq(p->last_reject.time, fake_wall);
	ck_assert_uint_eq(p->connect_rejects, 1);
	/* another relationship's name, or a clock 61 s off: closed too */
	fake_advance(1);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	m = connectack_msg();
	snprintf(m->relationship, sizeof(m->relationship), "R");	/* byte for byte */
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	fake_advance(2);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	m = connectack_msg();
	m->time = (uint32_t)fake_wall + FO_MAX_CLOCK_SKEW + 1;
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_int_eq(p->skew_bad, 1);
	ck_assert_int_eq(count(FO_STATE), 0);
}
END_TEST

/* Regression (issue 12): the secondary's reject reached nobody, the primary
 * only saw "closed by the partner". A time-mismatch reject from a partner
 * 90 s ahead: the primary records reason and message, measures the skew
 * and flags it out of sync. */
START_TEST(test_reject_shown_on_the_primary)
{
	struct fo_msg *m;

	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	m = connectack_msg();
	m->has |= FO_M_REJECT | FO_M_MESSAGE;
	m->reject = FO_REJ_TIME_MISMATCH;
	snprintf(m->message, sizeof(m->message), "clocks differ\x01 by more");
	m->time = (uint32_t)fake_wall + 90;
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_int_eq(p->last_reject.reason, FO_REJ_TIME_MISMATCH);
	ck_assert_int_eq(p->last_reject.by_partner, 1);
	ck_assert_str_eq(p->last_reject.message, "clocks differ? by more");
	ck_assert_int_eq(p->skew, 90);
	ck_assert_int_eq(p->skew_bad, 1);
}
END_TEST

/* The secondary's reject is written before the connection closes: the
 * connection lingers (fo_conn_linger flushes, then frees) instead of being
 * freed with the CONNECTACK unsent; the reject is recorded as ours. */
START_TEST(test_reject_flushed_before_close)
{
	struct fo_msg *m = connect_msg("r", 0);
	struct fo_conn *c;
	int freed;

	mkpeer(FO_SECONDARY, FO_NORMAL, 0);
	tick();
	c = p->conn;
	c->cb->connected(c->arg, c);
	freed = conns_freed;
	m->time = (uint32_t)fake_wall - FO_MAX_CLOCK_SKEW - 1;
	deliver(m);
	ck_assert_uint_eq(last(FO_CONNECTACK)->reject, FO_REJ_TIME_MISMATCH);
	ck_assert_ptr_null(p->conn);
	ck_assert_int_eq(c->lingering, 1);
	ck_assert_int_eq(conns_freed, freed);
	ck_assert_int_eq(p->last_reject.reason, FO_REJ_TIME_MISMATCH);
	ck_assert_int_eq(p->last_reject.by_partner, 0);
	ck_assert_uint_eq(p->connect_rejects, 1);
	ck_assert_int_eq(p->linger_close, 0);
	free(c);	/* the recorder's linger keeps it */
}
END_TEST


/* ISC's max-response-delay and max-unacked-updates as relationship fields:
 * advertised in CONNECT (receive-timer, max-unacked-bndupd, draft-12 §7.8)
 * and CONNECTACK, the receive timer honoured on that link; stored. */
START_TEST(test_tunable_timer_and_window)
{
	struct fo_rel rel;
	struct fo_msg *m;

	ut_rel(st, "r", FO_PRIMARY, SUBNET, FO_NORMAL, MCLT, fake_wall - 100000);
	ck_assert_int_eq(store_rel_get(st, "r", &rel), 0);
	rel.max_response_delay = 30;
	rel.max_unacked = 7;
	ck_assert_int_eq(store_rel_update(st, &rel), 0);
	fo_rel_fini(&rel);
	ck_assert_int_eq(store_rel_get(st, "r", &rel), 0);	/* stored */
	ck_assert_uint_eq(rel.max_response_delay, 30);
	ck_assert_uint_eq(rel.max_unacked, 7);
	ck_assert_ptr_nonnull(p = fo_peer_new(&fo, &rel));
	fo_rel_fini(&rel);
	event_del(p->tick);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	m = last(FO_CONNECT);
	ck_assert_uint_eq(m->receive_timer, 30);
	ck_assert_uint_eq(m->max_unacked, 7);
	deliver(connectack_msg());
	deliver(state_msg(FO_NORMAL, 0));
	ck_assert_int_eq(p->link, FO_LINK_OK);
	/* silence past the default 10 s but within 30: the link holds */
	fake_advance(FO_RECEIVE_TIMER + 5);
	tick();
	ck_assert_int_eq(p->link, FO_LINK_OK);
	ck_assert_int_eq(count(FO_DISCONNECT), 0);
	fake_advance(16);
	tick();
	ck_assert_int_eq(count(FO_DISCONNECT), 1);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
}
END_TEST

/* The secondary's CONNECTACK carries its own configured values too. */
START_TEST(test_tunables_in_connectack)
{
	struct fo_msg *ack;

	mkpeer(FO_SECONDARY, FO_NORMAL, 0);
	p->rel.max_response_delay = 45;
	p->rel.max_unacked = 3;
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	deliver(connect_msg("r", 0));
	ack = last(FO_CONNECTACK);
	ck_assert_uint_eq(ack->has & FO_M_REJECT, 0);
	ck_assert_uint_eq(ack->receive_timer, 45);
	ck_assert_uint_eq(ack->max_unacked, 3);
}
END_TEST


/* draft-12 §11.1: with a shared secret a message that verifies but is not
 * fresh (a request xid not above the last) closes the link, and is
 * counted; without a secret nothing is checked (ISC sends no digest). */
START_TEST(test_replayed_message_closes)
{
	struct fo_msg *m;

	in_contact(FO_PRIMARY, FO_NORMAL, FO_NORMAL);
	m = msg(FO_CONTACT);
	m->xid = 5;
	deliver(m);
	m = msg(FO_CONTACT);
	m->xid = 5;
	deliver(m);		/* no secret: not checked */
	ck_assert_int_eq(p->link, FO_LINK_OK);
	snprintf(p->rel.shared_secret, sizeof(p->rel.shared_secret), "s3cret");
	m = msg(FO_CONTACT);
	m->xid = 6;
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_OK);
	m = msg(FO_CONTACT);
	m->xid = 6;		/* the same message again */
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_uint_eq(p->replays, 1);
}
END_TEST

/* The secondary's checks, in draft-12 §7.8.2 order. */
static const struct {
	const char	*what;
	int		 reject;
} connect_cases[] = {
	{ "no name", FO_REJ_INVALID_PARTNER },
	{ "other name", FO_REJ_INVALID_PARTNER },
	{ "version", FO_REJ_VERSION_MISMATCH },
	{ "skew", FO_REJ_TIME_MISMATCH },
	{ "no mclt", FO_REJ_INVALID_MCLT },
	{ "mclt 0", FO_REJ_INVALID_MCLT },
	{ "no hba", FO_REJ_HBA_CONFLICT },
	{ "version and no hba", FO_REJ_VERSION_MISMATCH },
};

START_TEST(test_secondary_refuses_connect)
{
	struct fo_msg *m = connect_msg("r", 0), *ack;
	const char *w = connect_cases[_i].what;

	mkpeer(FO_SECONDARY, FO_NORMAL, 0);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	m->xid = 4242;
	if (strcmp(w, "no name") == 0)
		m->has &= ~FO_M_RELATIONSHIP;
	else if (strcmp(w, "other name") == 0)
		snprintf(m->relationship, sizeof(m->relationship), "q");
	else if (strcmp(w, "version") == 0)
		m->protocol_version = 2;
	else if (strcmp(w, "skew") == 0)
		m->time = (uint32_t)fake_wall - FO_MAX_CLOCK_SKEW - 1;
	else if (strcmp(w, "no mclt") == 0)
		m->has &= ~FO_M_MCLT;
	else if (strcmp(w, "mclt 0") == 0)
		m->mclt = 0;
	else if (strcmp(w, "no hba") == 0)
		m->has &= ~FO_M_HBA;
	else {
		m->protocol_version = 3;
		m->has &= ~FO_M_HBA;
	}
	deliver(m);
	ack = last(FO_CONNECTACK);
	ck_assert_uint_ne(ack->has & FO_M_REJECT, 0);
	ck_assert_uint_eq(ack->reject, connect_cases[_i].reject);
	ck_assert_uint_eq(ack->xid, 4242);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_ptr_null(p->conn);
	ck_assert_int_eq(count(FO_STATE), 0);
}
END_TEST

START_TEST(test_connect_to_primary_refused)
{
	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	tick();
	/* a CONNECT on the primary's own connection, before it sent one */
	p->link = FO_LINK_DOWN;
	deliver(connect_msg("r", 0));
	ck_assert_uint_eq(last(FO_CONNECTACK)->reject, FO_REJ_INVALID_PARTNER);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
}
END_TEST

START_TEST(test_secondary_accepts_connect)
{
	struct fo_msg *m = connect_msg("R", 1), *ack;

	mkpeer(FO_SECONDARY, FO_NORMAL, 0);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	m->mclt = 900;			/* §5.6: the secondary learns it */
	fo_hba_split(m->hba, 77);
	m->xid = 99;
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_UP);
	ack = last(FO_CONNECTACK);
	ck_assert_uint_eq(ack->has & FO_M_REJECT, 0);
	ck_assert_uint_eq(ack->xid, 99);
	ck_assert_str_eq(ack->relationship, "R");	/* as the primary spelt it */
	ck_assert_uint_eq(ack->max_unacked, 20);	/* twice ISC's window */
	ck_assert_uint_ne(ack->has & FO_M_TLS_REPLY, 0);
	ck_assert_uint_eq(p->rel.mclt, 900);
	ck_assert_uint_eq(stored().mclt, 900);
	ck_assert_int_eq(fo_hba_primary_serves(p->hba, 76), 1);
	ck_assert_int_eq(fo_hba_primary_serves(p->hba, 77), 0);
	ck_assert_int_eq(p->partner_dhcpfod, 0);
	ck_assert_uint_eq(p->partner_window, 10);
	ck_assert_int_eq(count(FO_STATE), 1);
}
END_TEST

START_TEST(test_duplicate_connect_refused)
{
	struct fo_conn *second = calloc(1, sizeof(*second));
	struct fo_msg *m = connect_msg("r", 0);

	mkpeer(FO_SECONDARY, FO_NORMAL, 0);
	link_up();
	second->peer = A(PRIMARY);
	m->xid = 7;
	fo_peer_adopt(p, second, m);
	free(m);
	ck_assert_ptr_eq(sent[nsent - 1].c, second);
	ck_assert_uint_eq(sent[nsent - 1].m->type, FO_CONNECTACK);
	ck_assert_uint_eq(sent[nsent - 1].m->reject, FO_REJ_DUPLICATE_CONNECTION);
	ck_assert_int_eq(second->lingering, 1);
	ck_assert_int_eq(p->link, FO_LINK_UP);		/* the first one stays */
	ck_assert_ptr_ne(p->conn, second);
	free(second);
}
END_TEST

START_TEST(test_accepted_connect_wins)
{
	/* the secondary's own connection waits for CONNECT; the partner's
	 * CONNECT on the connection it opened wins, the other is dropped */
	struct fo_conn *theirs = calloc(1, sizeof(*theirs));
	struct fo_msg *m = connect_msg("r", 0);

	mkpeer(FO_SECONDARY, FO_NORMAL, 0);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	theirs->peer = A(PRIMARY);
	fo_peer_adopt(p, theirs, m);
	free(m);
	ck_assert_ptr_eq(p->conn, theirs);
	ck_assert_int_eq(conns_freed, 1);
	ck_assert_int_eq(p->link, FO_LINK_UP);
	ck_assert_ptr_eq(sent[nsent - 1].c, theirs);	/* STATE on it */
}
END_TEST

START_TEST(test_primary_takes_accepted)
{
	struct fo_conn *theirs = calloc(1, sizeof(*theirs));

	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	tick();				/* its own connect, in progress */
	ck_assert_int_eq(fo_peer_take(p, theirs), 0);
	ck_assert_int_eq(conns_freed, 1);
	ck_assert_ptr_eq(sent[nsent - 1].c, theirs);
	ck_assert_uint_eq(sent[nsent - 1].m->type, FO_CONNECT);
	ck_assert_int_eq(p->link, FO_LINK_WAIT_ACK);
	/* a handshake under way: not taken */
	ck_assert_int_eq(fo_peer_take(p, (struct fo_conn *)&rec), -1);
}
END_TEST

/* ---- each message from its stage ---- */

static const struct {
	int	type;
	int	min_link;
} turns[] = {
	{ FO_POOLREQ, FO_LINK_OK }, { FO_UPDREQ, FO_LINK_OK },
	{ FO_UPDREQALL, FO_LINK_OK }, { FO_UPDDONE, FO_LINK_OK },
	{ FO_POOLRESP, FO_LINK_OK },
	{ FO_BNDUPD, FO_LINK_UP }, { FO_BNDACK, FO_LINK_UP },
	{ FO_STATE, FO_LINK_UP }, { FO_CONTACT, FO_LINK_UP },
};

START_TEST(test_out_of_turn)
{
	/* one stage early: the link closes; at its stage: handled */
	int type = turns[_i].type;
	struct fo_msg *m;

	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	link_up();
	if (turns[_i].min_link == FO_LINK_OK) {
		deliver(msg(type));
		ck_assert_int_eq(p->link, FO_LINK_DOWN);
		fake_advance(1);
		link_up();
		deliver(state_msg(FO_NORMAL, 0));
	} else {
		p->link = FO_LINK_WAIT_ACK;
		deliver(msg(type));
		ck_assert_int_eq(p->link, FO_LINK_DOWN);
		fake_advance(1);
		link_up();
	}
	m = type == FO_STATE ? state_msg(FO_NORMAL, 0) : msg(type);
	deliver(m);
	ck_assert_int_ge(p->link, turns[_i].min_link);
	ck_assert_int_eq(rec.poolreq, type == FO_POOLREQ);
	ck_assert_int_eq(rec.updreq, type == FO_UPDREQ);
	ck_assert_int_eq(rec.updreqall, type == FO_UPDREQALL);
	ck_assert_int_eq(rec.bndupd, type == FO_BNDUPD);
	ck_assert_int_eq(rec.bndack, type == FO_BNDACK);
}
END_TEST

START_TEST(test_protocol_error_closes)
{
	static const uint8_t junk[16] = { 0, 16, FO_STATE, 3 };	/* offset 3 */

	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	link_up();
	p->conn->cb->message(p->conn->arg, p->conn, junk, sizeof(junk));
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_MALFORMED], 1);
}
END_TEST

/* A length field the framing refused closes the link and is counted: over
 * 2048 as oversized (server.stats failover_drops). */
START_TEST(test_oversized_counted)
{
	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	link_up();
	p->conn->bad_len = 40000;
	p->conn->cb->closed(p->conn->arg, p->conn, "message length over 2048");
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_OVERSIZED], 1);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_MALFORMED], 0);
}
END_TEST

START_TEST(test_digest_required)
{
	struct fo_msg *m = state_msg(FO_NORMAL, 0);
	uint8_t buf[FO_MSG_MAX];
	size_t len;

	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	snprintf(p->rel.shared_secret, sizeof(p->rel.shared_secret), "s3cret");
	link_up();		/* every message signed both ways (fo_conn_send) */
	deliver(state_msg(FO_NORMAL, 0));
	ck_assert_int_eq(p->link, FO_LINK_OK);
	/* unsigned: closed */
	ck_assert_int_eq(fo_msg_encode(m, buf, sizeof(buf), &len), 0);
	p->conn->cb->message(p->conn->arg, p->conn, buf, len);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_DIGEST], 1);
	free(m);
}
END_TEST

/* ---- STATE ---- */

START_TEST(test_first_state_resumes_and_meets)
{
	/* stored NORMAL, restarted: STARTUP ends at the partner's first STATE
	 * (resumed COMMUNICATION_INT), and the table takes it to NORMAL */
	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	link_up();
	ck_assert_int_eq(p->met, 0);
	deliver(state_msg(FO_COMMUNICATION_INT, 0));
	ck_assert_int_eq(p->link, FO_LINK_OK);
	ck_assert_int_eq(rec.link_up, 1);
	ck_assert_int_eq(p->met, 1);
	ck_assert_int_eq(p->partner_state, FO_COMMUNICATION_INT);
	ck_assert_int_eq(stored().partner_state, FO_COMMUNICATION_INT);
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
	ck_assert_int_eq(stored().state, FO_NORMAL);
	ck_assert_int_eq(p->rel.prev_state, FO_COMMUNICATION_INT);
	/* in contact, the new state is owed until the bindings are out */
	ck_assert_int_eq(p->state_owed, 1);
	/* a primary entering NORMAL rebalances at the next tick */
	ck_assert_int_eq(p->next_rebal, fake_mono_us / 1000000);
	tick();
	ck_assert_int_eq(rec.rebalance, 1);
}
END_TEST


/* The partner heard for the first time ever (stored partner_state NO_STATE):
 * every binding of the relationship is pending again, so leases older than
 * the relationship (created over live scopes, FAILOVER.md §5.1) reach it;
 * a later first contact (after a restart) marks nothing. */
START_TEST(test_first_meeting_sends_every_binding)
{
	struct lease l;

	ut_lease(st, "10.1.0.12", SUBNET, LEASE_ACTIVE, FO_PRIMARY, 5,
	    fake_wall + 600);
	l = ut_get(st, "10.1.0.12");
	if (l.pending != 0) {
		ck_assert_int_eq(store_begin(st), 0);
		ck_assert_int_eq(store_pending_ack(st, l.address, l.pending, 0), 0);
		ck_assert_int_eq(store_commit(st), 0);
	}
	ck_assert_uint_eq(ut_get(st, "10.1.0.12").pending, 0);
	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	ck_assert_int_eq(stored().partner_state, FO_NO_STATE);
	link_up();
	deliver(state_msg(FO_COMMUNICATION_INT, 0));
	ck_assert_uint_ne(ut_get(st, "10.1.0.12").pending, 0);
	ck_assert_int_eq(stored().partner_state, FO_COMMUNICATION_INT);
	/* met before: no marking at the next first contact */
	l = ut_get(st, "10.1.0.12");
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_pending_ack(st, l.address, l.pending, 0), 0);
	ck_assert_int_eq(store_commit(st), 0);
	fo_peer_free(p);
	clear_sent();
	{
		struct fo_rel rel = stored();

		ck_assert_int_eq(store_rel_get(st, "r", &rel), 0);
		ck_assert_ptr_nonnull(p = fo_peer_new(&fo, &rel));
		fo_rel_fini(&rel);
		event_del(p->tick);
	}
	link_up();
	deliver(state_msg(FO_COMMUNICATION_INT, 0));
	ck_assert_uint_eq(ut_get(st, "10.1.0.12").pending, 0);
}
END_TEST

START_TEST(test_first_state_partner_down)
{
	/* the partner ran without us: RECOVER, failure time now, ask for
	 * everything once */
	mkpeer(FO_SECONDARY, FO_NORMAL, 0);
	link_up();
	fake_advance(3);
	deliver(state_msg(FO_PARTNER_DOWN, 0));
	ck_assert_int_eq(p->rel.state, FO_RECOVER);
	ck_assert_int_eq(p->rel.fail_time, fake_wall);
	ck_assert_int_eq(count(FO_UPDREQALL), 1);
	ck_assert_int_eq(p->asked, 1);
	deliver(state_msg(FO_PARTNER_DOWN, 0));
	ck_assert_int_eq(count(FO_UPDREQALL), 1);
	ck_assert_int_eq(p->rel.state, FO_RECOVER);
}
END_TEST

START_TEST(test_first_state_after_clean_stop)
{
	/* stopped cleanly (fail_time MCLT back): the failure time is kept,
	 * so UPDDONE leads straight to RECOVER_DONE */
	int64_t clean = fake_wall - MCLT;

	mkpeer(FO_SECONDARY, FO_SHUTDOWN, clean);
	link_up();
	deliver(state_msg(FO_PARTNER_DOWN, 0));
	ck_assert_int_eq(p->rel.state, FO_RECOVER);
	ck_assert_int_eq(p->rel.fail_time, clean);
	deliver(msg(FO_UPDDONE));
	ck_assert_int_eq(p->rel.state, FO_RECOVER_DONE);
}
END_TEST

START_TEST(test_startup_flag_until_met)
{
	/* STARTUP ran out without contact: the resumed state is provisional,
	 * its STATE keeps the flag; the first STATE after contact has none,
	 * even when the state stays */
	struct fo_msg *m;

	mkpeer(FO_PRIMARY, FO_COMMUNICATION_INT, 0);
	fake_advance(FO_STARTUP_SECS);
	tick();
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
	ck_assert_int_eq(p->met, 0);
	link_up();
	m = last(FO_STATE);
	ck_assert_int_eq(fo_state_from_wire(m->server_state), FO_COMMUNICATION_INT);
	ck_assert_uint_ne(m->server_flags & FO_SERVER_FLAG_STARTUP, 0);
	deliver(state_msg(FO_PAUSED, 0));	/* COMM_INT x PAUSED: stay */
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
	m = last(FO_STATE);
	ck_assert_int_eq(count(FO_STATE), 2);
	ck_assert_uint_eq(m->server_flags & FO_SERVER_FLAG_STARTUP, 0);
}
END_TEST

START_TEST(test_resumed_meets_partner_down)
{
	/* resumed COMMUNICATION_INT alone, then the partner is heard in
	 * PARTNER_DOWN: RECOVER as in STARTUP (not the table's conflict) */
	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	fake_advance(FO_STARTUP_SECS);
	tick();
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
	link_up();
	deliver(state_msg(FO_PARTNER_DOWN, 0));
	ck_assert_int_eq(p->rel.state, FO_RECOVER);
	ck_assert_int_eq(count(FO_UPDREQALL), 1);
}
END_TEST

/* Our state (in contact, past first contact) x the partner's new state:
 * where the peer settles and what it asks (docs/FAILOVER.md §5.3). */
static const struct {
	int	role, ours, partner, startup_flag;
	int	next;
	int	ask;		/* 0 none, FO_UPDREQ, FO_UPDREQALL */
} table[] = {
	{ FO_PRIMARY, FO_NORMAL, FO_NORMAL, 0, FO_NORMAL, 0 },
	{ FO_PRIMARY, FO_NORMAL, FO_COMMUNICATION_INT, 0, FO_NORMAL, 0 },
	{ FO_PRIMARY, FO_NORMAL, FO_PARTNER_DOWN, 0, FO_POTENTIAL_CONFLICT, FO_UPDREQ },
	{ FO_SECONDARY, FO_NORMAL, FO_PARTNER_DOWN, 0, FO_POTENTIAL_CONFLICT, 0 },
	{ FO_PRIMARY, FO_NORMAL, FO_RECOVER, 0, FO_PARTNER_DOWN, 0 },
	{ FO_PRIMARY, FO_NORMAL, FO_SHUTDOWN, 0, FO_PARTNER_DOWN, 0 },
	{ FO_PRIMARY, FO_NORMAL, FO_PAUSED, 0, FO_COMMUNICATION_INT, 0 },
	{ FO_SECONDARY, FO_COMMUNICATION_INT, FO_NORMAL, 0, FO_NORMAL, 0 },
	{ FO_SECONDARY, FO_COMMUNICATION_INT, FO_RECOVER_DONE, 0, FO_NORMAL, 0 },
	{ FO_SECONDARY, FO_COMMUNICATION_INT, FO_RECOVER_WAIT, 0, FO_PARTNER_DOWN, 0 },
	/* PARTNER_DOWN ignores a STATE flagged STARTUP (§9.4.3) */
	{ FO_PRIMARY, FO_PARTNER_DOWN, FO_NORMAL, 1, FO_PARTNER_DOWN, 0 },
	{ FO_PRIMARY, FO_PARTNER_DOWN, FO_RECOVER, 0, FO_PARTNER_DOWN, 0 },
	{ FO_SECONDARY, FO_PARTNER_DOWN, FO_RECOVER_DONE, 0, FO_NORMAL, 0 },
	{ FO_PRIMARY, FO_RECOVER, FO_NORMAL, 0, FO_RECOVER, FO_UPDREQALL },
	{ FO_PRIMARY, FO_RECOVER, FO_POTENTIAL_CONFLICT, 0, FO_POTENTIAL_CONFLICT,
	    FO_UPDREQALL },
	{ FO_PRIMARY, FO_RECOVER, FO_SHUTDOWN, 0, FO_RECOVER, 0 },
	{ FO_PRIMARY, FO_RECOVER_WAIT, FO_NORMAL, 0, FO_RECOVER_WAIT, 0 },
	{ FO_SECONDARY, FO_RECOVER_DONE, FO_NORMAL, 0, FO_NORMAL, 0 },
	{ FO_SECONDARY, FO_RECOVER_DONE, FO_SHUTDOWN, 0, FO_PARTNER_DOWN, 0 },
	{ FO_PRIMARY, FO_POTENTIAL_CONFLICT, FO_RECOVER, 0, FO_RECOVER, FO_UPDREQALL },
	{ FO_SECONDARY, FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE, 0,
	    FO_POTENTIAL_CONFLICT, FO_UPDREQ },
	{ FO_PRIMARY, FO_RESOLUTION_INT, FO_NORMAL, 0, FO_POTENTIAL_CONFLICT,
	    FO_UPDREQ },
	{ FO_PRIMARY, FO_CONFLICT_DONE, FO_NORMAL, 0, FO_NORMAL, 0 },
	{ FO_PRIMARY, FO_CONFLICT_DONE, FO_SHUTDOWN, 0, FO_PARTNER_DOWN, 0 },
	/* the STARTUP flag matters in PARTNER_DOWN only */
	{ FO_PRIMARY, FO_NORMAL, FO_COMMUNICATION_INT, 1, FO_NORMAL, 0 },
	{ FO_SECONDARY, FO_COMMUNICATION_INT, FO_NORMAL, 1, FO_NORMAL, 0 },
};

START_TEST(test_partner_state_table)
{
	int ask = table[_i].ask;

	in_contact(table[_i].role, table[_i].ours, FO_NORMAL);
	clear_sent();
	deliver(state_msg(table[_i].partner, table[_i].startup_flag));
	ck_assert_msg((int)p->rel.state == table[_i].next, "%s x %s%s: %s, not %s",
	    fo_state_name(table[_i].ours), fo_state_name(table[_i].partner),
	    table[_i].startup_flag ? " (starting)" : "",
	    fo_state_name(p->rel.state), fo_state_name(table[_i].next));
	ck_assert_int_eq(stored().state, table[_i].next);
	ck_assert_int_eq(count(FO_UPDREQ), ask == FO_UPDREQ);
	ck_assert_int_eq(count(FO_UPDREQALL), ask == FO_UPDREQALL);
	ck_assert_int_eq(p->state_owed, table[_i].next != table[_i].ours);
	ck_assert_int_eq(p->partner_state, table[_i].partner);
}
END_TEST

START_TEST(test_state_without_state)
{
	struct fo_msg *m = state_msg(FO_NORMAL, 0);

	in_contact(FO_PRIMARY, FO_NORMAL, FO_NORMAL);
	m->has &= ~FO_M_SERVER_STATE;
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_OK);
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
	m = state_msg(FO_NORMAL, 0);
	m->server_state = 200;		/* no such state */
	deliver(m);
	ck_assert_int_eq(p->partner_state, FO_NORMAL);
}
END_TEST

/* ---- UPDDONE ---- */

START_TEST(test_upddone)
{
	static const struct {
		int	role, state, partner;
		int64_t	fail_ago;
		int	next;
	} c[] = {
		{ FO_PRIMARY, FO_RECOVER, FO_NORMAL, 10, FO_RECOVER_WAIT },
		/* RECOVER_DONE, and with the partner NORMAL on to NORMAL */
		{ FO_PRIMARY, FO_RECOVER, FO_NORMAL, MCLT, FO_NORMAL },
		{ FO_PRIMARY, FO_RECOVER, FO_RECOVER, 10, FO_RECOVER_DONE },
		{ FO_PRIMARY, FO_POTENTIAL_CONFLICT, FO_POTENTIAL_CONFLICT, 10,
		    FO_CONFLICT_DONE },
		{ FO_SECONDARY, FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE, 10,
		    FO_NORMAL },
		{ FO_PRIMARY, FO_NORMAL, FO_NORMAL, 10, FO_NORMAL },
	};

	in_contact(c[_i].role, c[_i].state, c[_i].partner);
	p->rel.fail_time = fake_wall - c[_i].fail_ago;
	deliver(msg(FO_UPDDONE));
	ck_assert_int_eq(p->rel.state, c[_i].next);
}
END_TEST

/* ---- CONTACT, the receive timer, DISCONNECT, link loss ---- */

START_TEST(test_contact_and_receive_timer)
{
	in_contact(FO_PRIMARY, FO_NORMAL, FO_NORMAL);
	clear_sent();
	/* nothing sent for a third of the partner's receive timer: CONTACT */
	fake_advance(2);
	tick();
	ck_assert_int_eq(count(FO_CONTACT), 0);
	fake_advance(1);
	tick();
	ck_assert_int_eq(count(FO_CONTACT), 1);
	/* the partner's CONTACT keeps the link */
	fake_advance(FO_RECEIVE_TIMER - 3);
	deliver(msg(FO_CONTACT));
	fake_advance(FO_RECEIVE_TIMER);
	tick();
	ck_assert_int_eq(p->link, FO_LINK_OK);
	ck_assert_int_eq(count(FO_DISCONNECT), 0);
	/* silence past the receive timer: DISCONNECT (17), link lost */
	fake_advance(1);
	tick();
	ck_assert_int_eq(count(FO_DISCONNECT), 1);
	ck_assert_uint_eq(last(FO_DISCONNECT)->reject, FO_REJ_NO_TRAFFIC);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
}
END_TEST

START_TEST(test_handshake_timeout)
{
	mkpeer(FO_SECONDARY, FO_NORMAL, 0);
	tick();
	p->conn->cb->connected(p->conn->arg, p->conn);
	fake_advance(15);
	tick();
	ck_assert_int_eq(p->link, FO_LINK_WAIT_CONNECT);
	fake_advance(1);
	tick();
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
}
END_TEST

/* Link loss in each state: the state's "communications failed" move, and
 * only from OK. */
static const struct {
	int	state, next;
} lost_cases[] = {
	{ FO_NORMAL, FO_COMMUNICATION_INT },
	{ FO_POTENTIAL_CONFLICT, FO_RESOLUTION_INT },
	{ FO_COMMUNICATION_INT, FO_COMMUNICATION_INT },
	{ FO_PARTNER_DOWN, FO_PARTNER_DOWN },
	{ FO_CONFLICT_DONE, FO_CONFLICT_DONE },
	{ FO_RESOLUTION_INT, FO_RESOLUTION_INT },
	{ FO_RECOVER, FO_RECOVER },
	{ FO_RECOVER_WAIT, FO_RECOVER_WAIT },
	{ FO_RECOVER_DONE, FO_RECOVER_DONE },
};

START_TEST(test_disconnect_in_each_state)
{
	struct fo_msg *m = msg(FO_DISCONNECT);
	int64_t t;

	in_contact(FO_PRIMARY, lost_cases[_i].state, FO_NORMAL);
	fake_advance(5);
	t = fake_wall;
	m->has = FO_M_REJECT;
	m->reject = FO_REJ_UNKNOWN;
	deliver(m);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_ptr_null(p->conn);
	ck_assert_int_eq(rec.link_down, 1);
	ck_assert_int_eq(p->rel.state, lost_cases[_i].next);
	ck_assert_int_eq(stored().state, lost_cases[_i].next);
	if (lost_cases[_i].next != lost_cases[_i].state)
		ck_assert_int_eq(p->rel.fail_time, t);
	else
		ck_assert_int_ne(p->rel.fail_time, t);
}
END_TEST

START_TEST(test_closed_before_contact_keeps_state)
{
	/* lost before the partner's STATE (link up, not OK): no move */
	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	fake_advance(FO_STARTUP_SECS);
	tick();
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
	p->rel.state = FO_NORMAL;	/* as if operator-set */
	link_up();
	p->conn->cb->closed(p->conn->arg, p->conn, "reset by peer");
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
}
END_TEST

START_TEST(test_reconnect_backoff)
{
	/* 1, 2, 4, 4 s after each failure; reset once the link is up */
	static const int64_t wait[] = { 1, 2, 4, 4 };

	mkpeer(FO_PRIMARY, FO_NORMAL, 0);
	for (size_t i = 0; i < nitems(wait); i++) {
		tick();
		ck_assert_int_eq(conns_made, (int)i + 1);
		p->conn->cb->closed(p->conn->arg, p->conn, "refused");
		ck_assert_int_eq(p->backoff, wait[i]);
		fake_advance(wait[i] - 1);
		tick();
		ck_assert_int_eq(conns_made, (int)i + 1);
		fake_advance(1);
	}
	link_up();
	ck_assert_int_eq(p->backoff, 0);
}
END_TEST

START_TEST(test_send_queue_full)
{
	in_contact(FO_PRIMARY, FO_NORMAL, FO_NORMAL);
	send_fails = 1;
	fake_advance(3);
	tick();				/* the CONTACT cannot be queued */
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
}
END_TEST

/* ---- timed moves ---- */

START_TEST(test_startup_timeout)
{
	static const struct {
		int stored, resumed;
	} c[] = {
		{ FO_NORMAL, FO_COMMUNICATION_INT },
		{ FO_POTENTIAL_CONFLICT, FO_RESOLUTION_INT },
		{ FO_PARTNER_DOWN, FO_PARTNER_DOWN },
		{ FO_RECOVER_DONE, FO_RECOVER_DONE },
		{ FO_SHUTDOWN, FO_RECOVER },
		{ FO_INIT, FO_RECOVER },
	};

	mkpeer(FO_SECONDARY, c[_i].stored, 0);
	fake_advance(FO_STARTUP_SECS - 1);
	tick();
	ck_assert_int_eq(p->rel.state, FO_STARTUP);
	fake_advance(1);
	tick();
	ck_assert_int_eq(p->rel.state, c[_i].resumed);
	ck_assert_int_eq(stored().state, c[_i].resumed);
	ck_assert_int_eq(p->met, 0);
	if (c[_i].resumed == FO_RECOVER)	/* no failure known: now */
		ck_assert_int_eq(p->rel.fail_time, fake_wall);
}
END_TEST

START_TEST(test_recover_wait_ends)
{
	in_contact(FO_PRIMARY, FO_RECOVER_WAIT, FO_NORMAL);
	p->rel.fail_time = fake_wall - MCLT + 2;
	fake_advance(1);
	tick();
	ck_assert_int_eq(p->rel.state, FO_RECOVER_WAIT);
	fake_advance(1);
	tick();
	/* RECOVER_DONE, and with the partner NORMAL on to NORMAL */
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
	ck_assert_int_eq(p->rel.prev_state, FO_RECOVER_DONE);
}
END_TEST

START_TEST(test_safe_period)
{
	mkpeer(FO_PRIMARY, FO_COMMUNICATION_INT, 0);
	p->rel.safe_period = 30;
	fake_advance(FO_STARTUP_SECS);
	tick();
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
	fake_advance(29);
	tick();
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
	fake_advance(1);
	tick();
	ck_assert_int_eq(p->rel.state, FO_PARTNER_DOWN);
}
END_TEST

START_TEST(test_takeover_after_mclt)
{
	unsigned gen;

	mkpeer(FO_SECONDARY, FO_PARTNER_DOWN, 0);
	fake_advance(FO_STARTUP_SECS);
	tick();
	ck_assert_int_eq(p->rel.state, FO_PARTNER_DOWN);
	gen = store_gen(st);
	fake_advance(MCLT - 1);
	tick();
	ck_assert_int_eq(p->takeover, 0);
	fake_advance(1);
	tick();
	ck_assert_int_eq(p->takeover, 1);
	ck_assert_uint_ne(store_gen(st), gen);	/* the pools are rebuilt */
}
END_TEST

/* ---- moves made here ---- */

START_TEST(test_refused_move)
{
	in_contact(FO_PRIMARY, FO_NORMAL, FO_NORMAL);
	clear_sent();
	fo_peer_set_state(p, FO_RECOVER_WAIT, "test");
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
	ck_assert_int_eq(stored().state, FO_NORMAL);
	ck_assert_int_eq(p->state_owed, 0);
	/* up but not OK: STATE at once */
	p->link = FO_LINK_UP;
	fo_peer_set_state(p, FO_PARTNER_DOWN, "test");
	ck_assert_int_eq(count(FO_STATE), 1);
	ck_assert_int_eq(fo_state_from_wire(last(FO_STATE)->server_state),
	    FO_PARTNER_DOWN);
}
END_TEST

START_TEST(test_stopped)
{
	/* a graceful stop: clean (the partner took over knowing everything)
	 * back-dates the failure MCLT, otherwise now; DISCONNECT either way */
	in_contact(FO_PRIMARY, FO_SHUTDOWN, FO_PARTNER_DOWN);
	p->stopping = 1;
	rec.all_acked = _i;
	ck_assert_int_eq(fo_peer_stop_waits(p), !_i);
	fo_peer_stopped(p);
	ck_assert_int_eq(stored().fail_time, _i ? fake_wall - MCLT : fake_wall);
	ck_assert_uint_eq(last(FO_DISCONNECT)->reject, FO_REJ_UNKNOWN);
	ck_assert_int_eq(p->stopping, 0);
}
END_TEST

START_TEST(test_operator_change_sent)
{
	struct fo_rel rel;

	in_contact(FO_PRIMARY, FO_COMMUNICATION_INT, FO_COMMUNICATION_INT);
	rel = p->rel;
	rel.scopes = NULL;
	rel.nscopes = 0;
	rel.state = FO_PARTNER_DOWN;
	p->takeover = 1;
	clear_sent();
	fo_peer_update(p, &rel);
	ck_assert_int_eq(p->takeover, 0);
	ck_assert_int_eq(count(FO_STATE), 1);
	ck_assert_int_eq(fo_state_from_wire(last(FO_STATE)->server_state),
	    FO_PARTNER_DOWN);
}
END_TEST

static Suite *
fo_peer_suite(void)
{
	Suite *s = suite_create("fo_peer");
	TCase *tc;

	tc = tcase_create("handshake");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_primary_connects);
	tcase_add_test(tc, test_connectack_refused);
	tcase_add_test(tc, test_replayed_message_closes);
	tcase_add_test(tc, test_tunable_timer_and_window);
	tcase_add_test(tc, test_tunables_in_connectack);
	tcase_add_test(tc, test_reject_shown_on_the_primary);
	tcase_add_test(tc, test_reject_flushed_before_close);
	tcase_add_loop_test(tc, test_secondary_refuses_connect, 0,
	    nitems(connect_cases));
	tcase_add_test(tc, test_connect_to_primary_refused);
	tcase_add_test(tc, test_secondary_accepts_connect);
	tcase_add_test(tc, test_duplicate_connect_refused);
	tcase_add_test(tc, test_accepted_connect_wins);
	tcase_add_test(tc, test_primary_takes_accepted);
	tcase_add_loop_test(tc, test_out_of_turn, 0, nitems(turns));
	tcase_add_test(tc, test_protocol_error_closes);
	tcase_add_test(tc, test_digest_required);
	tcase_add_test(tc, test_oversized_counted);
	suite_add_tcase(s, tc);
	tc = tcase_create("state");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_first_state_resumes_and_meets);
	tcase_add_test(tc, test_first_meeting_sends_every_binding);
	tcase_add_test(tc, test_first_state_partner_down);
	tcase_add_test(tc, test_first_state_after_clean_stop);
	tcase_add_test(tc, test_startup_flag_until_met);
	tcase_add_test(tc, test_resumed_meets_partner_down);
	tcase_add_loop_test(tc, test_partner_state_table, 0, nitems(table));
	tcase_add_test(tc, test_state_without_state);
	tcase_add_loop_test(tc, test_upddone, 0, 6);
	suite_add_tcase(s, tc);
	tc = tcase_create("link");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_contact_and_receive_timer);
	tcase_add_test(tc, test_handshake_timeout);
	tcase_add_loop_test(tc, test_disconnect_in_each_state, 0, nitems(lost_cases));
	tcase_add_test(tc, test_closed_before_contact_keeps_state);
	tcase_add_test(tc, test_reconnect_backoff);
	tcase_add_test(tc, test_send_queue_full);
	suite_add_tcase(s, tc);
	tc = tcase_create("timers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_startup_timeout, 0, 6);
	tcase_add_test(tc, test_recover_wait_ends);
	tcase_add_test(tc, test_safe_period);
	tcase_add_test(tc, test_takeover_after_mclt);
	tcase_add_test(tc, test_refused_move);
	tcase_add_loop_test(tc, test_stopped, 0, 2);
	tcase_add_test(tc, test_operator_change_sent);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fo_peer_suite());
	int failed;

	ut_tmp_begin();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ut_tmp_end();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
