/* Unit tests: failover as the daemon and the DHCP engine see it
 * (src/failover/fo.c; docs/FAILOVER.md §1, §2, §4): fo_serves by state,
 * ask, role, mode and RFC 3074 bucket (NO / YES / KNOWN), the restriction
 * of a server restarted alone, load_balance_max_seconds; one peer per
 * stored relationship and the listener while there is one; accepted
 * connections (refused, taken by a primary, a CONNECT adopted); the
 * trigger's refusals and the graceful stop. The real fo.c, fo_peer.c,
 * fo_upd.c, fo_fsm.c and a temporary store on an event base with no socket:
 * the connection and the listener (fo_conn.c) are this file's recorders. */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "err.h"
#include "fake_clock.h"
#include "fo.h"
#include "fo_conn.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "log.h"
#include "store.h"
#include "unit_store.h"
#include "util.h"

#define PRIMARY		"10.77.0.1"
#define SECONDARY	"10.77.0.2"

static struct store *st;
static struct daemon d;
static struct conf conf;
static struct fo *fo;

/* ---- the connection and the listener (fo_conn.h), recorders ---- */

struct fo_conn {
	const struct fo_conn_cb	*cb;
	void			*arg;
	uint32_t		 peer;
	unsigned		 bad_len;	/* the framing's verdict */
};

struct fo_listener {
	void	(*accept)(void *, int, uint32_t);
	void	*arg;
};

static struct fo_listener *listener;
static int listens, listener_frees, conns_freed;
static int sent_types[64];
static size_t nsent;

struct fo_conn *
fo_conn_connect(struct event_base *base, uint32_t addr, uint16_t port,
    const struct fo_conn_cb *cb, void *arg)
{
	struct fo_conn *c = calloc(1, sizeof(*c));

	c->cb = cb;
	c->arg = arg;
	c->peer = addr;
	return c;
}

struct fo_conn *
fo_conn_accepted(struct event_base *base, int fd, uint32_t peer,
    const struct fo_conn_cb *cb, void *arg)
{
	struct fo_conn *c = calloc(1, sizeof(*c));

	close(fd);
	c->cb = cb;
	c->arg = arg;
	c->peer = peer;
	return c;
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
	if (c != NULL)
		conns_freed++;
	free(c);
}

void
fo_conn_linger(struct fo_conn *c)
{
	fo_conn_free(c);
}

int
fo_conn_send(struct fo_conn *c, const uint8_t *msg, size_t len)
{
	ck_assert_uint_ge(len, FO_MSG_HDR);
	if (nsent < nitems(sent_types))
		sent_types[nsent++] = msg[2];
	return 0;
}

uint32_t
fo_conn_peer(const struct fo_conn *c)
{
	return c->peer;
}

size_t
fo_conn_queued(const struct fo_conn *c)
{
	return 0;
}

unsigned
fo_conn_bad_len(const struct fo_conn *c)
{
	return c->bad_len;
}

struct fo_listener *
fo_listen(struct event_base *base, uint32_t addr, uint16_t port,
    void (*accept)(void *arg, int fd, uint32_t peer), void *arg, char *err,
    size_t errlen)
{
	struct fo_listener *l = calloc(1, sizeof(*l));

	l->accept = accept;
	l->arg = arg;
	listens++;
	return listener = l;
}

void
fo_listener_free(struct fo_listener *l)
{
	if (l != NULL)
		listener_frees++;
	if (l == listener)
		listener = NULL;
	free(l);
}

/* ---- fixture ---- */

static void
setup(void)
{
	fake_reset();
	log_setlevel(LOG_LVL_ERROR);
	st = ut_store_open();
	ut_scope(st, "10.1.0.0", 24, "10.1.0.10", "10.1.0.20", 3600);
	ut_scope(st, "10.2.0.0", 24, "10.2.0.10", "10.2.0.20", 3600);
	memset(&d, 0, sizeof(d));
	memset(&conf, 0, sizeof(conf));
	conf.fo_listen_port = 647;
	d.store = st;
	d.conf = &conf;
	ck_assert_ptr_nonnull(d.base = event_base_new());
	listener = NULL;
	listens = listener_frees = conns_freed = 0;
	nsent = 0;
	fo = NULL;
}

static void
teardown(void)
{
	fo_free(fo);
	event_base_free(d.base);
	ut_store_close(st);
}

/* Failover over relationship "r" (scope 10.1.0.0), this server in role,
 * its peer in `state`, heard from since the start or not (met). */
static struct fo_peer *
one(int role, int mode, int state, int met)
{
	char err[128];
	struct fo_peer *p;

	ut_rel(st, "r", role, "10.1.0.0", FO_NORMAL, 600, fake_wall - 100000);
	ck_assert_ptr_nonnull(fo = fo_new(&d, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(p = fo_peer_by_name(fo, "r"));
	p->rel.mode = mode;
	p->rel.state = state;
	p->met = met;
	if (role == FO_PRIMARY) {
		if (mode == FO_MODE_HOT_STANDBY)
			fo_hba_split(p->hba, 256);
		else
			fo_hba_split(p->hba, 128);
	} else		/* the secondary learns it from the primary's CONNECT */
		fo_hba_split(p->hba, mode == FO_MODE_HOT_STANDBY ? 256 : 128);
	return p;
}

#define NEW	FO_ASK_NEW
#define SEL	FO_ASK_SELECTING
#define OTH	FO_ASK_OTHER
#define NO	FO_SERVE_NO
#define YES	FO_SERVE_YES
#define KNOWN	FO_SERVE_KNOWN

/* ---- fo_serves ---- */

/* In contact since the start, a load-balancing primary, a client of its
 * own bucket: what each state answers (docs/FAILOVER.md §4). */
static const struct {
	int	state;
	int	new, other;
} by_state[] = {
	{ FO_STARTUP, NO, NO },
	{ FO_NORMAL, YES, YES },
	{ FO_COMMUNICATION_INT, YES, YES },
	{ FO_PARTNER_DOWN, YES, YES },
	{ FO_POTENTIAL_CONFLICT, NO, NO },
	{ FO_CONFLICT_DONE, YES, YES },
	{ FO_RESOLUTION_INT, YES, YES },
	{ FO_RECOVER, NO, NO },
	{ FO_RECOVER_WAIT, NO, NO },
	{ FO_RECOVER_DONE, NO, YES },
	{ FO_PAUSED, NO, NO },
	{ FO_SHUTDOWN, NO, NO },
};

START_TEST(test_serves_by_state)
{
	one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, by_state[_i].state, 1);
	ck_assert_msg(fo_serves(fo, "r", NEW, 0, 0) == (enum fo_serve)by_state[_i].new,
	    "%s: DISCOVER", fo_state_name(by_state[_i].state));
	ck_assert_int_eq(fo_serves(fo, "r", SEL, 0, 0), by_state[_i].other);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), by_state[_i].other);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 200, 0), by_state[_i].other);
}
END_TEST

START_TEST(test_restarted_alone)
{
	/* not heard from the partner since the start: no new client, only
	 * renewals the partner knows of (KNOWN), unless in PARTNER_DOWN */
	int s = by_state[_i].state;
	int renew = by_state[_i].other == YES;

	one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, s, 0);
	fo_peer_by_name(fo, "r")->rel.partner_state = FO_NORMAL;	/* met once */
	if (s == FO_PARTNER_DOWN) {
		ck_assert_int_eq(fo_serves(fo, "r", NEW, 0, 0), YES);
		ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), YES);
		return;
	}
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 0, 0), NO);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 0, 1000), NO);
	ck_assert_int_eq(fo_serves(fo, "r", SEL, 0, 0), renew ? KNOWN : NO);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), renew ? KNOWN : NO);
}
END_TEST

START_TEST(test_load_balance_buckets)
{
	/* NORMAL, 50 %: the primary answers buckets 0..127, the secondary
	 * 128..255; every other message both */
	int role = _i ? FO_SECONDARY : FO_PRIMARY;

	one(role, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);
	for (int b = 0; b < 256; b++) {
		int mine = (b < 128) == (role == FO_PRIMARY);

		ck_assert_msg(fo_serves(fo, "r", NEW, b, 0) == (mine ? YES : NO),
		    "%s, bucket %d", fo_role_name(role), b);
		ck_assert_int_eq(fo_serves(fo, "r", OTH, b, 0), YES);
		ck_assert_int_eq(fo_serves(fo, "r", SEL, b, 0), YES);
	}
	/* outside NORMAL the bucket does not matter */
	fo_peer_by_name(fo, "r")->rel.state = FO_COMMUNICATION_INT;
	for (int b = 0; b < 256; b++)
		ck_assert_int_eq(fo_serves(fo, "r", NEW, b, 0), YES);
}
END_TEST

START_TEST(test_percentage_split)
{
	/* percentage 70: round(256 x 0.7) = 179 buckets are the primary's */
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);
	struct fo_rel rel = p->rel;

	rel.percentage = 70;
	rel.scopes = NULL;
	rel.nscopes = 0;
	fo_peer_update(p, &rel);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 178, 0), YES);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 179, 0), NO);
}
END_TEST

START_TEST(test_lb_max_seconds)
{
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);

	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 1000), NO);	/* off */
	p->rel.lb_max_secs = 5;
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 5), NO);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 6), YES);
	/* not outside what the state allows */
	p->rel.state = FO_RECOVER;
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 6), NO);
}
END_TEST

START_TEST(test_hot_standby)
{
	/* NORMAL: the primary answers every new client; the standby none,
	 * and of the rest only a request selecting its own offer */
	one(FO_PRIMARY, FO_MODE_HOT_STANDBY, FO_NORMAL, 1);
	for (int b = 0; b < 256; b += 51)
		ck_assert_int_eq(fo_serves(fo, "r", NEW, b, 0), YES);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), YES);
	fo_free(fo);
	fo = NULL;
	ck_assert_int_eq(store_rel_delete(st, "r"), 0);
	one(FO_SECONDARY, FO_MODE_HOT_STANDBY, FO_NORMAL, 1);
	for (int b = 0; b < 256; b += 51)
		ck_assert_int_eq(fo_serves(fo, "r", NEW, b, 0), NO);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), NO);
	ck_assert_int_eq(fo_serves(fo, "r", SEL, 0, 0), YES);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 0, 1000), NO);
	fo_peer_by_name(fo, "r")->rel.lb_max_secs = 10;
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 0, 11), YES);
	/* the partner gone: the standby serves */
	fo_peer_by_name(fo, "r")->rel.state = FO_COMMUNICATION_INT;
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 0, 0), YES);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), YES);
}
END_TEST


/* A relationship that never met its partner (created over live scopes,
 * FAILOVER.md §5.1) is not held to known renewals: the partner cannot have
 * taken its addresses over in a PARTNER_DOWN of this relationship. */
START_TEST(test_never_met_serves_fully)
{
	one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_COMMUNICATION_INT, 0);
	ck_assert_int_eq(fo_peer_by_name(fo, "r")->rel.partner_state, FO_NO_STATE);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 0), YES);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 200, 0), YES);
}
END_TEST

/* Created while running over scopes with leases (COMMUNICATION_INT,
 * prev INIT): no STARTUP, served at once; the same row at a daemon start
 * goes through STARTUP as every restart does. */
START_TEST(test_created_over_leases_skips_startup)
{
	char err[128];
	struct fo_peer *p;

	ck_assert_ptr_nonnull(fo = fo_new(&d, NULL, err, sizeof(err)));
	ut_rel(st, "r", FO_PRIMARY, "10.1.0.0", fo_fsm_created(1), 600, fake_wall);
	p = NULL;
	{
		struct fo_rel rel;

		ck_assert_int_eq(store_rel_get(st, "r", &rel), 0);
		rel.prev_state = FO_INIT;
		ck_assert_int_eq(store_rel_update(st, &rel), 0);
		fo_rel_fini(&rel);
	}
	fo_sync_if_changed(fo);
	ck_assert_ptr_nonnull(p = fo_peer_by_name(fo, "r"));
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 0), YES);
	fo_free(fo);
	ck_assert_ptr_nonnull(fo = fo_new(&d, NULL, err, sizeof(err)));
	ck_assert_int_eq(fo_peer_by_name(fo, "r")->rel.state, FO_STARTUP);
}
END_TEST

/* The secondary follows the primary's hash-bucket assignment, whatever its
 * own mode says: every bucket the primary's makes it the standby. */
START_TEST(test_secondary_follows_the_hba)
{
	struct fo_peer *p = one(FO_SECONDARY, FO_MODE_HOT_STANDBY, FO_NORMAL, 1);

	fo_hba_split(p->hba, 128);		/* the primary is load-balancing */
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 0), YES);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 100, 0), NO);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), YES);
	p->rel.mode = FO_MODE_LOAD_BALANCE;
	fo_hba_split(p->hba, 256);		/* the primary is hot standby */
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 0), NO);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), NO);
	ck_assert_int_eq(fo_serves(fo, "r", SEL, 0, 0), YES);
}
END_TEST

/* percentage or mode changed on a primary in contact: the link is made
 * again so that CONNECT carries the new assignment, and meanwhile the
 * primary is in COMMUNICATION_INT, answering every bucket. */
START_TEST(test_hba_change_reconnects)
{
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);
	struct fo_rel rel;
	int freed;

	p->conn = fo_conn_connect(d.base, p->partner_addr, 647, NULL, p);
	p->link = FO_LINK_OK;
	freed = conns_freed;
	rel = p->rel;
	rel.scopes = NULL;
	rel.nscopes = 0;
	rel.mclt = 700;				/* no new assignment: kept */
	fo_peer_update(p, &rel);
	ck_assert_int_eq(conns_freed, freed);
	ck_assert_int_eq(p->link, FO_LINK_OK);
	rel.percentage = 70;
	fo_peer_update(p, &rel);
	ck_assert_int_eq(conns_freed, freed + 1);
	ck_assert_int_eq(p->link, FO_LINK_DOWN);
	ck_assert_int_eq(p->rel.state, FO_COMMUNICATION_INT);
	for (int b = 0; b < 256; b++)
		ck_assert_int_eq(fo_serves(fo, "r", NEW, b, 0), YES);
	ck_assert_int_le(p->next_connect, time_mono());	/* at once */
	rel.state = p->rel.state;
	rel.mode = FO_MODE_HOT_STANDBY;		/* not in contact: nothing */
	fo_peer_update(p, &rel);
	ck_assert_int_eq(conns_freed, freed + 1);
}
END_TEST

/* A partner in contact that answers no client: FO_UNACKED_CLIENTS clients
 * of its buckets past load_balance_max_seconds make it unresponsive, and
 * this server then answers every client at once (FAILOVER.md §4). */
START_TEST(test_unresponsive_partner)
{
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);
	uint8_t hw[6] = { 2, 0, 0, 0, 0, 0 };
	json_t *o;

	p->link = FO_LINK_OK;
	p->rel.lb_max_secs = 3;
	for (int i = 0; i < FO_UNACKED_CLIENTS - 1; i++) {
		hw[5] = (uint8_t)i;
		fo_client_waiting(fo, "r", hw, 6, 200, 4);
		fo_client_waiting(fo, "r", hw, 6, 200, 9);	/* again: once */
	}
	hw[5] = 100;
	fo_client_waiting(fo, "r", hw, 6, 200, 3);	/* not past the limit */
	fo_client_waiting(fo, "r", hw, 6, 10, 30);	/* our own bucket */
	ck_assert(!p->unacked.unresponsive);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 0), NO);
	fo_client_waiting(fo, "r", hw, 6, 200, 4);
	ck_assert(p->unacked.unresponsive);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 200, 0), YES);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 201, 0), YES);
	p->rel.server_type = FO_SECONDARY;	/* a standby: renewals too */
	fo_hba_split(p->hba, 256);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), YES);
	p->unacked.unresponsive = 0;
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), NO);
	p->unacked.unresponsive = 1;
	p->rel.server_type = FO_PRIMARY;
	fo_hba_split(p->hba, 128);
	ck_assert_ptr_nonnull(o = fo_status(fo, "r"));
	ck_assert(json_is_true(json_object_get(o, "partner_unresponsive")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "unacked_clients")),
	    FO_UNACKED_CLIENTS);
	json_decref(o);
	/* not counted without the link or outside NORMAL */
	fo_unacked_reset(&p->unacked);
	p->link = FO_LINK_UP;
	fo_client_waiting(fo, "r", hw, 6, 200, 40);
	p->link = FO_LINK_OK;
	p->rel.state = FO_COMMUNICATION_INT;
	fo_client_waiting(fo, "r", hw, 6, 200, 40);
	ck_assert_uint_eq(p->unacked.n, 0);
}
END_TEST

START_TEST(test_unknown_relationship)
{
	one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);
	ck_assert_int_eq(fo_serves(fo, "R", NEW, 0, 0), YES);	/* names fold case */
	ck_assert_int_eq(fo_serves(fo, "q", NEW, 0, 0), NO);
	ck_assert_int_eq(fo_serves(fo, "q", OTH, 0, 0), NO);
	ck_assert_int_eq(fo_serves(NULL, "r", OTH, 0, 0), NO);
	ck_assert_int_eq(fo_partner_state(fo, "q"), FO_NO_STATE);
	ck_assert_ptr_null(fo_status(fo, "q"));
}
END_TEST

/* ---- peers kept in step with the store; the listener ---- */

START_TEST(test_peers_follow_the_store)
{
	char err[128];
	struct fo_peer *p;
	uint32_t s2 = A("10.2.0.0");
	struct fo_rel r2;

	ck_assert_ptr_nonnull(fo = fo_new(&d, NULL, err, sizeof(err)));
	ck_assert_uint_eq(fo->npeers, 0);
	ck_assert_int_eq(listens, 0);		/* no relationship, no listener */
	ut_rel(st, "r", FO_PRIMARY, "10.1.0.0", FO_NORMAL, 600, fake_wall);
	fo_sync_if_changed(fo);
	ck_assert_uint_eq(fo->npeers, 1);
	ck_assert_int_eq(listens, 1);
	p = fo_peer_by_name(fo, "r");
	ck_assert_int_eq(p->rel.state, FO_STARTUP);	/* a peer starts */
	ck_assert_uint_eq(p->partner_addr, A(SECONDARY));
	/* a second one, as the secondary */
	memset(&r2, 0, sizeof(r2));
	snprintf(r2.name, sizeof(r2.name), "other");
	r2.primary_server = A("10.78.0.1");
	r2.secondary_server = A("10.78.0.2");
	r2.server_type = FO_SECONDARY;
	r2.state = FO_NORMAL;
	r2.mclt = 600;
	r2.percentage = 50;
	r2.port = 647;
	r2.scopes = &s2;
	r2.nscopes = 1;
	ck_assert_int_eq(store_rel_insert(st, &r2), 0);
	fo_sync_if_changed(fo);
	ck_assert_uint_eq(fo->npeers, 2);
	ck_assert_ptr_eq(fo_peer_by_name(fo, "r"), p);	/* kept, not remade */
	ck_assert_uint_eq(fo_peer_by_name(fo, "other")->partner_addr, A("10.78.0.1"));
	ck_assert_int_eq(listens, 1);
	/* deleted: its peer goes; the last one takes the listener with it */
	ck_assert_int_eq(store_rel_delete(st, "r"), 0);
	fo_sync_if_changed(fo);
	ck_assert_uint_eq(fo->npeers, 1);
	ck_assert_ptr_null(fo_peer_by_name(fo, "r"));
	ck_assert_int_eq(listener_frees, 0);
	ck_assert_int_eq(store_rel_delete(st, "other"), 0);
	fo_sync_if_changed(fo);
	ck_assert_uint_eq(fo->npeers, 0);
	ck_assert_int_eq(listener_frees, 1);
}
END_TEST

/* ---- accepted connections ---- */

static int
fd_open(void)
{
	int fd = open("/dev/null", O_RDONLY);

	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(test_accept_refuses_strangers)
{
	int fd = fd_open();

	one(FO_SECONDARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 0);
	ck_assert_ptr_nonnull(listener);
	listener->accept(listener->arg, fd, A("10.99.0.1"));
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);	/* closed at once */
	ck_assert_uint_eq(fo->npending, 0);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_NOT_PARTNER], 1);
}
END_TEST

START_TEST(test_accept_primary_takes)
{
	/* the partner of a relationship where this server is the primary:
	 * it sends CONNECT on that connection */
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 0);

	listener->accept(listener->arg, fd_open(), A(SECONDARY));
	ck_assert_uint_eq(fo->npending, 0);
	ck_assert_ptr_nonnull(p->conn);
	ck_assert_int_eq(p->link, FO_LINK_WAIT_ACK);
	ck_assert_int_eq(sent_types[nsent - 1], FO_CONNECT);
	/* a second one while the handshake runs: closed */
	listener->accept(listener->arg, fd_open(), A(SECONDARY));
	ck_assert_int_eq(conns_freed, 1);
	ck_assert_uint_eq(fo->npending, 0);
}
END_TEST

/* The partner's CONNECT for relationship name, encoded. */
static size_t
connect_bytes(const char *name, uint8_t *buf, size_t cap)
{
	struct fo_msg *m = calloc(1, sizeof(*m));
	size_t len;

	m->type = FO_CONNECT;
	m->time = (uint32_t)fake_wall;
	m->has = FO_M_RELATIONSHIP | FO_M_PROTOCOL_VERSION | FO_M_MCLT | FO_M_HBA |
	    FO_M_MAX_UNACKED;
	snprintf(m->relationship, sizeof(m->relationship), "%s", name);
	m->protocol_version = 1;
	m->mclt = 600;
	m->max_unacked = 10;
	fo_hba_split(m->hba, 128);
	ck_assert_int_eq(fo_msg_encode(m, buf, cap, &len), 0);
	free(m);
	return len;
}

START_TEST(test_accept_secondary_waits_for_connect)
{
	struct fo_peer *p = one(FO_SECONDARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 0);
	struct fo_conn *c;
	uint8_t buf[FO_MSG_MAX];
	size_t len;

	/* a CONNECT naming another relationship: closed unanswered */
	listener->accept(listener->arg, fd_open(), A(PRIMARY));
	ck_assert_uint_eq(fo->npending, 1);
	c = fo->pending[0];
	len = connect_bytes("q", buf, sizeof(buf));
	c->cb->message(c->arg, c, buf, len);
	ck_assert_uint_eq(fo->npending, 0);
	ck_assert_int_eq(conns_freed, 1);
	ck_assert_uint_eq(nsent, 0);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_NOT_PARTNER], 1);
	/* anything before CONNECT: closed */
	listener->accept(listener->arg, fd_open(), A(PRIMARY));
	c = fo->pending[0];
	buf[0] = 0;
	buf[1] = FO_MSG_HDR;	/* a CONTACT, its header alone */
	buf[2] = FO_CONTACT;
	c->cb->message(c->arg, c, buf, FO_MSG_HDR);
	ck_assert_uint_eq(fo->npending, 0);
	ck_assert_int_eq(conns_freed, 2);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_OUT_OF_TURN], 1);
	/* its own: adopted, answered, up */
	listener->accept(listener->arg, fd_open(), A(PRIMARY));
	c = fo->pending[0];
	len = connect_bytes("R", buf, sizeof(buf));
	c->cb->message(c->arg, c, buf, len);
	ck_assert_uint_eq(fo->npending, 0);
	ck_assert_ptr_eq(p->conn, c);
	ck_assert_int_eq(p->link, FO_LINK_UP);
	ck_assert_int_eq(sent_types[0], FO_CONNECTACK);
	ck_assert_int_eq(sent_types[1], FO_STATE);
}
END_TEST

/* What arrives on an accepted connection before its CONNECT and is refused
 * is counted by reason (server.stats failover_drops): a message that does
 * not decode, a length field the framing refused (over 2048: oversized;
 * under 12: malformed); a connection that closes cleanly counts nothing. */
START_TEST(test_pending_refusals_counted)
{
	static const uint8_t garbage[FO_MSG_HDR] = { 0, FO_MSG_HDR, 0xff, 0xee };
	struct fo_conn *c;

	one(FO_SECONDARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 0);
	listener->accept(listener->arg, fd_open(), A(PRIMARY));
	c = fo->pending[0];
	c->cb->message(c->arg, c, garbage, sizeof(garbage));
	ck_assert_uint_eq(fo->npending, 0);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_MALFORMED], 1);
	listener->accept(listener->arg, fd_open(), A(PRIMARY));
	c = fo->pending[0];
	c->bad_len = 4000;
	c->cb->closed(c->arg, c, "message length over 2048");
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_OVERSIZED], 1);
	listener->accept(listener->arg, fd_open(), A(PRIMARY));
	c = fo->pending[0];
	c->bad_len = 5;
	c->cb->closed(c->arg, c, "message length under 12");
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_MALFORMED], 2);
	listener->accept(listener->arg, fd_open(), A(PRIMARY));
	c = fo->pending[0];
	c->cb->closed(c->arg, c, "closed by the partner");
	ck_assert_uint_eq(fo->npending, 0);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_OVERSIZED], 1);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_MALFORMED], 2);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_NOT_PARTNER], 0);
	ck_assert_uint_eq(d.stats.fo_drops[FODROP_DIGEST], 0);
}
END_TEST

/* ---- the trigger and the stop ---- */

static int done_calls, done_code;

static void
trigger_done(void *arg, json_t *result, int code, const char *detail)
{
	done_calls++;
	done_code = code;
	json_decref(result);
}

START_TEST(test_trigger_refused)
{
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);

	done_calls = 0;
	fo_trigger(fo, "q", trigger_done, NULL);
	ck_assert_int_eq(done_calls, 1);
	ck_assert_int_eq(done_code, ERR_FO_STATE_NOT_NORMAL);
	/* NORMAL but the partner not in contact */
	fo_trigger(fo, "r", trigger_done, NULL);
	ck_assert_int_eq(done_calls, 2);
	ck_assert_int_eq(done_code, ERR_FO_STATE_NOT_NORMAL);
	/* in contact but not NORMAL */
	p->link = FO_LINK_OK;
	p->rel.state = FO_COMMUNICATION_INT;
	fo_trigger(fo, "r", trigger_done, NULL);
	ck_assert_int_eq(done_calls, 3);
	ck_assert_int_eq(done_code, ERR_FO_STATE_NOT_NORMAL);
	p->link = FO_LINK_DOWN;
}
END_TEST

static int stopped;

static void
stop_done(void *arg)
{
	stopped++;
}

START_TEST(test_shutdown_without_contact)
{
	/* nobody in contact in NORMAL: done at once, the state as it was */
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);

	stopped = 0;
	fo_shutdown(fo, stop_done, NULL);
	ck_assert_int_eq(stopped, 1);
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
	ck_assert_int_eq(p->stopping, 0);
}
END_TEST

START_TEST(test_shutdown_in_contact)
{
	/* NORMAL in contact: SHUTDOWN, waiting for the partner to take over */
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);
	struct fo_rel rel;

	p->conn = fo_conn_connect(d.base, 0, 0, NULL, NULL);
	p->link = FO_LINK_OK;
	p->partner_state = FO_NORMAL;
	stopped = 0;
	fo_shutdown(fo, stop_done, NULL);
	ck_assert_int_eq(stopped, 0);
	ck_assert_int_eq(p->rel.state, FO_SHUTDOWN);
	ck_assert_int_eq(store_rel_get(st, "r", &rel), 0);
	ck_assert_int_eq(rel.state, FO_SHUTDOWN);
	fo_rel_fini(&rel);
	ck_assert_int_eq(p->stopping, 1);
	/* the partner took over and every binding is acknowledged: stopped */
	p->partner_state = FO_PARTNER_DOWN;
	fo_stop_check(fo);
	ck_assert_int_eq(stopped, 1);
	ck_assert_int_eq(sent_types[nsent - 1], FO_DISCONNECT);
}
END_TEST


/* ---- failover.maintenance, failover.resync (fo_maint.c; FAILOVER.md §15) ---- */

/* A NORMAL primary in contact with a NORMAL partner. */
static struct fo_peer *
in_contact(void)
{
	struct fo_peer *p = one(FO_PRIMARY, FO_MODE_LOAD_BALANCE, FO_NORMAL, 1);

	/* the peer's own callbacks on the connection, CONNECT sent */
	ck_assert_int_eq(fo_peer_take(p, fo_conn_connect(d.base, 0, 0, NULL, NULL)), 0);
	p->link = FO_LINK_OK;
	p->partner_state = FO_NORMAL;
	p->met = 1;
	return p;
}

/* The partner's message of type t (fields of m) arrives on p's connection. */
static void
arrive(struct fo_peer *p, struct fo_msg *m)
{
	uint8_t buf[FO_MSG_MAX];
	size_t len;
	struct fo_conn *c = p->conn;

	m->time = (uint32_t)time_wall();
	ck_assert_int_eq(fo_msg_encode(m, buf, sizeof(buf), &len), 0);
	c->cb->message(c->arg, c, buf, len);
	if (p->conn == c)
		c->cb->read_done(c->arg, c);
}

/* draft-12 §9.15: start pauses (stored, STATE sent, failure time now); the
 * partner's COMMUNICATION_INT keeps us PAUSED; cancel in contact goes to
 * COMMUNICATION_INT and, the partner being there, on to NORMAL. */
START_TEST(test_maintenance_in_contact)
{
	struct fo_peer *p = in_contact();
	struct fo_msg m = { .type = FO_STATE, .has = FO_M_SERVER_STATE };
	struct fo_rel rel;
	char why[128];

	ck_assert_int_eq(fo_maintenance(fo, "r", 0, why, sizeof(why)),
	    ERR_FO_STATE_NOT_NORMAL);		/* cancel: not in maintenance */
	nsent = 0;
	ck_assert_int_eq(fo_maintenance(fo, "R", 1, why, sizeof(why)), 0);
	ck_assert_int_eq(p->rel.state, FO_PAUSED);
	ck_assert_int_eq(p->rel.fail_time, time_wall());
	ck_assert_int_eq(store_rel_get(st, "r", &rel), 0);
	ck_assert_int_eq(rel.state, FO_PAUSED);
	fo_rel_fini(&rel);
	event_base_loop(d.base, EVLOOP_NONBLOCK);	/* the owed STATE */
	ck_assert_uint_ge(nsent, 1);
	ck_assert_int_eq(sent_types[nsent - 1], FO_STATE);
	ck_assert_int_eq(fo_serves(fo, "r", NEW, 0, 0), NO);
	ck_assert_int_eq(fo_serves(fo, "r", OTH, 0, 0), NO);
	ck_assert_int_eq(fo_maintenance(fo, "r", 1, why, sizeof(why)),
	    ERR_FO_STATE_NOT_NORMAL);		/* already */
	m.server_state = (uint8_t)fo_state_to_wire(FO_COMMUNICATION_INT);
	arrive(p, &m);
	ck_assert_int_eq(p->rel.state, FO_PAUSED);
	/* back through COMMUNICATION_INT, which meets the partner's with NORMAL */
	ck_assert_int_eq(fo_maintenance(fo, "r", 0, why, sizeof(why)), 0);
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
	ck_assert_int_eq(p->rel.prev_state, FO_COMMUNICATION_INT);
	m.server_state = (uint8_t)fo_state_to_wire(FO_NORMAL);
	arrive(p, &m);
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
}
END_TEST

/* Cancel without contact, or with the partner in PARTNER_DOWN: RECOVER; a
 * start without contact is refused. */
START_TEST(test_maintenance_without_contact)
{
	struct fo_peer *p = in_contact();
	char why[128];

	ck_assert_int_eq(fo_maintenance(fo, "r", 1, why, sizeof(why)), 0);
	fo_peer_link_lost(p, "test");
	ck_assert_int_eq(p->rel.state, FO_PAUSED);	/* PAUSED stays */
	ck_assert_int_eq(fo_maintenance(fo, "r", 0, why, sizeof(why)), 0);
	ck_assert_int_eq(p->rel.state, FO_RECOVER);
	ck_assert_int_eq(fo_maintenance(fo, "q", 1, why, sizeof(why)),
	    ERR_FO_STATE_NOT_NORMAL);
	p->rel.state = FO_NORMAL;		/* NORMAL but nobody to tell */
	ck_assert_int_eq(fo_maintenance(fo, "r", 1, why, sizeof(why)),
	    ERR_FO_STATE_NOT_NORMAL);
	ck_assert_ptr_nonnull(strstr(why, "contact"));
}
END_TEST

static int resync_calls, resync_code;

static void
resync_done(void *arg, json_t *result, int code, const char *detail)
{
	resync_calls++;
	resync_code = code;
	if (code == 0)
		ck_assert_ptr_nonnull(json_object_get(result, "ms"));
	json_decref(result);
}

/* failover.resync: UPDREQALL in NORMAL without a state change, answered at
 * UPDDONE; one at a time; a lost link answers 20120. */
START_TEST(test_resync)
{
	struct fo_peer *p = in_contact();
	struct fo_msg m = { .type = FO_UPDDONE };

	resync_calls = 0;
	p->rel.state = FO_COMMUNICATION_INT;
	fo_resync(fo, "r", resync_done, NULL);
	ck_assert_int_eq(resync_calls, 1);
	ck_assert_int_eq(resync_code, ERR_FO_STATE_NOT_NORMAL);
	p->rel.state = FO_NORMAL;
	nsent = 0;
	fo_resync(fo, "r", resync_done, NULL);
	ck_assert_int_eq(resync_calls, 1);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_int_eq(sent_types[0], FO_UPDREQALL);
	fo_resync(fo, "r", resync_done, NULL);	/* one at a time */
	ck_assert_int_eq(resync_calls, 2);
	ck_assert_int_eq(resync_code, ERR_FO_STATE_NOT_NORMAL);
	ck_assert_int_eq(p->asked, 0);		/* the state machine may still ask */
	m.xid = p->resync_xid;
	arrive(p, &m);
	ck_assert_int_eq(resync_calls, 3);
	ck_assert_int_eq(resync_code, 0);
	ck_assert_int_eq(p->rel.state, FO_NORMAL);
	fo_resync(fo, "r", resync_done, NULL);
	fo_peer_link_lost(p, "test");
	ck_assert_int_eq(resync_calls, 4);
	ck_assert_int_eq(resync_code, ERR_FO_STATE_NOT_NORMAL);
}
END_TEST


/* Regression guard: the UPDDONE answering a resync is not the state
 * machine's. A primary moved to POTENTIAL_CONFLICT while its resync runs
 * must not take the resync's UPDDONE for the answer to its own UPDREQ
 * (draft-12 §9.10: CONFLICT_DONE only once the partner answered that). */
START_TEST(test_resync_upddone_not_the_fsms)
{
	struct fo_peer *p = in_contact();
	struct fo_msg m = { .type = FO_UPDDONE };

	resync_calls = 0;
	fo_resync(fo, "r", resync_done, NULL);
	p->rel.state = FO_POTENTIAL_CONFLICT;	/* meanwhile, both */
	p->partner_state = FO_POTENTIAL_CONFLICT;
	m.xid = p->resync_xid;
	arrive(p, &m);
	ck_assert_int_eq(resync_calls, 1);
	ck_assert_int_eq(resync_code, 0);
	ck_assert_int_eq(p->rel.state, FO_POTENTIAL_CONFLICT);
	/* the answer to its own request (another xid) moves it */
	fo_resync(fo, "r", resync_done, NULL);	/* refused: not NORMAL */
	ck_assert_int_eq(resync_calls, 2);
	m.xid = p->resync_xid + 7;
	arrive(p, &m);
	ck_assert_int_eq(p->rel.state, FO_CONFLICT_DONE);
}
END_TEST

static Suite *
fo_suite(void)
{
	Suite *s = suite_create("fo");
	TCase *tc;

	tc = tcase_create("serves");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_serves_by_state, 0, nitems(by_state));
	tcase_add_loop_test(tc, test_restarted_alone, 0, nitems(by_state));
	tcase_add_loop_test(tc, test_load_balance_buckets, 0, 2);
	tcase_add_test(tc, test_percentage_split);
	tcase_add_test(tc, test_lb_max_seconds);
	tcase_add_test(tc, test_hot_standby);
	tcase_add_test(tc, test_unknown_relationship);
	tcase_add_test(tc, test_never_met_serves_fully);
	tcase_add_test(tc, test_created_over_leases_skips_startup);
	tcase_add_test(tc, test_secondary_follows_the_hba);
	tcase_add_test(tc, test_hba_change_reconnects);
	tcase_add_test(tc, test_unresponsive_partner);
	suite_add_tcase(s, tc);
	tc = tcase_create("peers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_peers_follow_the_store);
	tcase_add_test(tc, test_accept_refuses_strangers);
	tcase_add_test(tc, test_accept_primary_takes);
	tcase_add_test(tc, test_accept_secondary_waits_for_connect);
	tcase_add_test(tc, test_pending_refusals_counted);
	tcase_add_test(tc, test_trigger_refused);
	tcase_add_test(tc, test_shutdown_without_contact);
	tcase_add_test(tc, test_shutdown_in_contact);
	tcase_add_test(tc, test_maintenance_in_contact);
	tcase_add_test(tc, test_maintenance_without_contact);
	tcase_add_test(tc, test_resync);
	tcase_add_test(tc, test_resync_upddone_not_the_fsms);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fo_suite());
	int failed;

	ut_tmp_begin();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ut_tmp_end();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
