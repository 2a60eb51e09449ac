/* Unit tests: the DHCP engine's decisions (src/dhcp/dhcp_srv.c, RFC 2131
 * §4.3): which address a DHCPOFFER names, reservations, DHCPREQUEST in
 * SELECTING, INIT-REBOOT, RENEWING and REBINDING, DHCPDECLINE (ABANDONED),
 * DHCPRELEASE, DHCPINFORM, where each reply goes (relay, ciaddr, broadcast,
 * unicast to chaddr), lease times under MCLT in a relationship, failover's
 * verdict obeyed, expiry, and the rate limits on new allocations ([limits]:
 * what they count and what they never refuse). The real engine, pool view and store (a
 * temporary database); failover's fo_serves is replaced by this file's, the
 * clock by fake_clock.h; packets are built and replies read here, byte by
 * byte, independently of the codec's encoder. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "daemon.h"
#include "dhcp_pkt.h"
#include "dhcp_pool.h"
#include "dhcp_srv.h"
#include "fake_clock.h"
#include "fo.h"
#include "log.h"
#include "stats.h"
#include "store.h"
#include "unit_store.h"
#include "util.h"

#define SUBNET		"10.1.0.0"
#define SERVER		"10.1.0.1"	/* the interface's address and our id */
#define OTHER_SERVER	"10.1.0.2"
#define RELAY		"10.1.0.254"
#define LEASE_TIME	3600
#define MCLT		600

static struct store *st;
static struct daemon d;
static struct conf conf;		/* [limits]; d.conf NULL: no limits */
static struct pool *pool;
static struct dhcp_srv *srv;
static struct dhcp_in in;
static struct dhcp_out out;

/* ---- failover, as the engine asks it (fo.h): this file's answer ---- */

static enum fo_serve serve = FO_SERVE_YES;
static struct {
	int		 calls;
	char		 name[64];
	enum fo_ask	 ask;
	int		 bucket;
	unsigned	 secs;
} asked;

enum fo_serve
fo_serves(struct fo *fo, const char *name, enum fo_ask ask, int bucket,
    unsigned secs)
{
	asked.calls++;
	snprintf(asked.name, sizeof(asked.name), "%s", name);
	asked.ask = ask;
	asked.bucket = bucket;
	asked.secs = secs;
	return serve;
}

static int waiting_calls;

void
fo_client_waiting(struct fo *fo, const char *name, const uint8_t *hw,
    size_t hwlen, int bucket, unsigned secs)
{
	waiting_calls++;
}

/* ---- requests, built byte by byte (RFC 2131 §2) ---- */

struct msg {
	int		 type;		/* option 53 */
	uint8_t		 mac;		/* chaddr 02:00:00:00:00:mac */
	const char	*ciaddr, *giaddr;
	const char	*want;		/* option 50 */
	const char	*sid;		/* option 54 */
	int		 bcast;		/* the broadcast flag */
	int		 cid;		/* option 61: 01 + chaddr */
	uint8_t		 cid_tag;	/* option 61: 00 tag + chaddr, one more
					 * identity behind the same chaddr */
	const char	*host;		/* option 12 */
	uint16_t	 secs;
};

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t
opt_addr(uint8_t *p, uint8_t code, const char *addr)
{
	p[0] = code;
	p[1] = 4;
	put32(p + 2, A(addr));
	return 6;
}

static size_t
build(const struct msg *m, uint8_t *pkt, size_t cap)
{
	size_t n = 240;

	memset(pkt, 0, cap);
	pkt[0] = BOOTREQUEST;
	pkt[1] = DHCP_HTYPE_ETHER;
	pkt[2] = DHCP_HLEN_ETHER;
	put32(pkt + 4, 0x1000u + m->mac);		/* xid */
	pkt[8] = (uint8_t)(m->secs >> 8);
	pkt[9] = (uint8_t)m->secs;
	if (m->bcast)
		pkt[10] = 0x80;
	if (m->ciaddr)
		put32(pkt + 12, A(m->ciaddr));
	if (m->giaddr)
		put32(pkt + 24, A(m->giaddr));
	memcpy(pkt + 28, "\x02\x00\x00\x00\x00", 5);
	pkt[33] = m->mac;
	put32(pkt + 236, DHCP_COOKIE);
	pkt[n++] = DHO_MSG_TYPE;
	pkt[n++] = 1;
	pkt[n++] = (uint8_t)m->type;
	if (m->want)
		n += opt_addr(pkt + n, DHO_REQUESTED_ADDR, m->want);
	if (m->sid)
		n += opt_addr(pkt + n, DHO_SERVER_ID, m->sid);
	if (m->cid) {
		pkt[n++] = DHO_CLIENT_ID;
		pkt[n++] = 7;
		pkt[n++] = 1;
		memcpy(pkt + n, pkt + 28, 6);
		n += 6;
	} else if (m->cid_tag) {
		pkt[n++] = DHO_CLIENT_ID;
		pkt[n++] = 8;
		pkt[n++] = 0;
		pkt[n++] = m->cid_tag;
		memcpy(pkt + n, pkt + 28, 6);
		n += 6;
	}
	if (m->host) {
		pkt[n++] = DHO_HOST_NAME;
		pkt[n++] = (uint8_t)strlen(m->host);
		memcpy(pkt + n, m->host, strlen(m->host));
		n += strlen(m->host);
	}
	pkt[n++] = DHO_END;
	return n < DHCP_MIN_LEN ? DHCP_MIN_LEN : n;
}

/* ---- replies, read byte by byte ---- */

struct rep {
	int		type;		/* option 53 */
	uint32_t	yiaddr, ciaddr, giaddr;
	uint32_t	sid;
	int		has_lease;
	uint32_t	lease, t1, t2;
	char		msg[256];	/* option 56 */
};

static void
parse(const struct dhcp_out *o, struct rep *r)
{
	const uint8_t *p = o->buf;
	size_t i = 240;

	memset(r, 0, sizeof(*r));
	ck_assert_uint_ge(o->len, 240);
	ck_assert_uint_eq(p[0], BOOTREPLY);
	ck_assert_uint_eq(get32(p + 236), DHCP_COOKIE);
	r->ciaddr = get32(p + 12);
	r->yiaddr = get32(p + 16);
	r->giaddr = get32(p + 24);
	while (i < o->len && p[i] != DHO_END) {
		uint8_t code = p[i], len;

		if (code == DHO_PAD) {
			i++;
			continue;
		}
		ck_assert_uint_lt(i + 1, o->len);
		len = p[i + 1];
		ck_assert_uint_le(i + 2 + len, o->len);
		if (code == DHO_MSG_TYPE && len == 1)
			r->type = p[i + 2];
		else if (code == DHO_SERVER_ID && len == 4)
			r->sid = get32(p + i + 2);
		else if (code == DHO_LEASE_TIME && len == 4) {
			r->has_lease = 1;
			r->lease = get32(p + i + 2);
		} else if (code == DHO_T1 && len == 4)
			r->t1 = get32(p + i + 2);
		else if (code == DHO_T2 && len == 4)
			r->t2 = get32(p + i + 2);
		else if (code == DHO_MESSAGE)
			memcpy(r->msg, p + i + 2, len);
		i += 2 + (size_t)len;
	}
}

/* One request through the engine as dhcp_sock hands it in (its writes
 * staged, then committed): the engine's return; *r the reply if it made one. */
static int
send_msg(const struct msg *m, struct rep *r)
{
	uint8_t pkt[1024];
	size_t len = build(m, pkt, sizeof(pkt));
	int rc;

	memset(&out, 0, sizeof(out));
	store_stage(st, 1);
	rc = dhcp_srv_handle(srv, &in, pkt, len, &out);
	store_stage(st, 0);
	ck_assert_int_eq(store_commit(st), 0);
	if (r != NULL) {
		memset(r, 0, sizeof(*r));
		if (rc == 1)
			parse(&out, r);
	}
	return rc;
}

#define MSG(...)	(&(struct msg){ __VA_ARGS__ })

/* DISCOVER from client mac: the address offered (0: none). */
static uint32_t
discover(uint8_t mac)
{
	struct rep r;

	if (send_msg(MSG(.type = DHCPDISCOVER, .mac = mac), &r) != 1)
		return 0;
	ck_assert_int_eq(r.type, DHCPOFFER);
	return r.yiaddr;
}

/* DISCOVER then REQUEST (SELECTING) of the offer: the address acked. */
static uint32_t
lease_for(uint8_t mac)
{
	struct rep r;
	char a[16];
	uint32_t addr = discover(mac);

	ck_assert_uint_ne(addr, 0);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = mac,
	    .want = addr_str(addr, a), .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(r.yiaddr, addr);
	return addr;
}

/* Put the scope into relationship "r" as role, in state since long ago. */
static void
in_relationship(int role, int state)
{
	ut_rel(st, "r", role, SUBNET, state, MCLT, fake_wall - 100000);
}

static void
setup(void)
{
	fake_reset();
	log_setlevel(LOG_LVL_WARNING);
	st = ut_store_open();
	ut_scope(st, SUBNET, 24, "10.1.0.10", "10.1.0.20", LEASE_TIME);
	memset(&d, 0, sizeof(d));
	d.store = st;
	d.conf = NULL;
	ck_assert_ptr_nonnull(pool = pool_new(st));
	ck_assert_ptr_nonnull(srv = dhcp_srv_new(&d, pool));
	in = (struct dhcp_in){ .ifindex = 2, .if_addr = A(SERVER),
	    .server_id = A(SERVER) };
	serve = FO_SERVE_YES;
	memset(&asked, 0, sizeof(asked));
}

static void
teardown(void)
{
	dhcp_srv_free(srv);
	pool_free(pool);
	ut_store_close(st);
}

/* ---- DISCOVER: which address ---- */

START_TEST(test_offer_lowest_free)
{
	struct rep r;
	struct lease l;

	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1,
	    .host = "alpha"), &r), 1);
	ck_assert_int_eq(r.type, DHCPOFFER);
	ck_assert_uint_eq(r.yiaddr, A("10.1.0.10"));
	ck_assert_uint_eq(r.sid, A(SERVER));
	ck_assert_int_eq(r.has_lease, 1);
	ck_assert_uint_eq(r.lease, LEASE_TIME);
	ck_assert_uint_eq(r.t1, LEASE_TIME / 2);
	ck_assert_uint_eq(r.t2, LEASE_TIME * 7 / 8);
	ck_assert_int_eq(out.durable, 0);	/* an offer leaves at once */
	/* held for the client in memory for DHCP_OFFER_HOLD seconds */
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_OFFERED);
	ck_assert_int_eq(l.ends, fake_wall + DHCP_OFFER_HOLD);
	ck_assert_str_eq(l.hostname, "alpha");
	/* the next client gets the next address; the same client its offer */
	ck_assert_uint_eq(discover(2), A("10.1.0.11"));
	ck_assert_uint_eq(discover(1), A("10.1.0.10"));
	ck_assert_uint_eq(discover(3), A("10.1.0.12"));
}
END_TEST

START_TEST(test_offer_requested_address)
{
	struct rep r;

	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1,
	    .want = "10.1.0.15"), &r), 1);
	ck_assert_uint_eq(r.yiaddr, A("10.1.0.15"));
	/* taken, or outside the range: the lowest free instead */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 2,
	    .want = "10.1.0.15"), &r), 1);
	ck_assert_uint_eq(r.yiaddr, A("10.1.0.10"));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 3,
	    .want = "10.1.0.100"), &r), 1);
	ck_assert_uint_eq(r.yiaddr, A("10.1.0.11"));
}
END_TEST

START_TEST(test_offer_current_binding)
{
	/* a client with an ACTIVE lease is offered that address again, not
	 * the lowest free one, nor a new one after a restart of the view */
	uint32_t a = lease_for(5), b = lease_for(6);

	ck_assert_uint_eq(a, A("10.1.0.10"));
	ck_assert_uint_eq(b, A("10.1.0.11"));
	ck_assert_uint_eq(discover(6), b);
	pool_invalidate(pool);
	ck_assert_uint_eq(discover(5), a);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_ACTIVE);
	ck_assert_uint_eq(discover(7), A("10.1.0.12"));
}
END_TEST

START_TEST(test_offer_exhausted)
{
	for (uint8_t m = 1; m <= 11; m++)
		ck_assert_uint_eq(discover(m), A("10.1.0.10") + m - 1u);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 12), NULL), -1);
	ck_assert_uint_eq(d.stats.drops[DROP_EXHAUSTED], 1);
}
END_TEST

/* ---- reservations ---- */

static void
reserve(uint8_t mac, const char *addr)
{
	struct reservation rv = { 0 };

	rv.subnet = A(SUBNET);
	rv.address = A(addr);
	rv.hwlen = 6;
	memcpy(rv.hwaddr, "\x02\x00\x00\x00\x00\x00", 6);
	rv.hwaddr[5] = mac;
	snprintf(rv.name, sizeof(rv.name), "r%u", mac);
	ck_assert_int_eq(store_resv_add(st, &rv), 0);
}

START_TEST(test_reservation)
{
	reserve(9, "10.1.0.10");
	/* nobody else is given it; its owner gets it whatever it asks */
	ck_assert_uint_eq(discover(1), A("10.1.0.11"));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 2,
	    .want = "10.1.0.10"), NULL), 1);
	ck_assert_uint_ne(A("10.1.0.10"), get32(out.buf + 16));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 9,
	    .want = "10.1.0.15"), NULL), 1);
	ck_assert_uint_eq(get32(out.buf + 16), A("10.1.0.10"));
}
END_TEST

START_TEST(test_reservation_moves_the_client)
{
	/* a client holding a dynamic lease that gets a reservation moves to
	 * it; its old address is free again, and given to the next client */
	uint32_t old = lease_for(9);
	struct rep r;

	ck_assert_uint_eq(old, A("10.1.0.10"));
	reserve(9, "10.1.0.18");
	ck_assert_uint_eq(discover(9), A("10.1.0.18"));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 9,
	    .want = "10.1.0.18", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_int_eq(ut_get(st, "10.1.0.18").state, LEASE_ACTIVE);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_FREE);
	ck_assert_uint_eq(discover(1), A("10.1.0.10"));
}
END_TEST

START_TEST(test_reservation_unusable)
{
	/* reserved over another client's live lease: a dynamic address until
	 * that lease ends; declined (ABANDONED): a dynamic address */
	ut_lease(st, "10.1.0.10", SUBNET, LEASE_ACTIVE, FO_PRIMARY, 1,
	    fake_wall + 1000);
	ut_lease(st, "10.1.0.11", SUBNET, LEASE_ABANDONED, FO_PRIMARY, 2, 0);
	reserve(9, "10.1.0.10");
	reserve(8, "10.1.0.11");
	ck_assert_uint_eq(discover(9), A("10.1.0.12"));
	ck_assert_uint_eq(discover(8), A("10.1.0.13"));
	/* once the other lease is over, the reservation holds */
	fake_advance(1001);
	ck_assert_uint_eq(discover(9), A("10.1.0.10"));
}
END_TEST

/* ---- REQUEST ---- */

START_TEST(test_selecting_ack)
{
	struct rep r;
	struct lease l;

	ck_assert_uint_eq(discover(1), A("10.1.0.10"));
	fake_advance(2);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(r.yiaddr, A("10.1.0.10"));
	ck_assert_uint_eq(r.lease, LEASE_TIME);
	ck_assert_int_eq(out.durable, 1);	/* leaves once committed */
	ck_assert_uint_eq(d.stats.leases_granted, 1);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_ACTIVE);
	ck_assert_int_eq(l.ends, fake_wall + LEASE_TIME);
	ck_assert_int_eq(l.cltt, fake_wall);
	ck_assert_int_eq(l.fo_sync, 0);		/* no relationship */
}
END_TEST

START_TEST(test_selecting_no_such_offer)
{
	struct rep r;

	ck_assert_uint_eq(discover(1), A("10.1.0.10"));
	/* the client asks for an address it was not offered */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.12", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPNAK);
	ck_assert_str_eq(r.msg, "no such offer");
	ck_assert_int_eq(r.has_lease, 0);
	ck_assert_uint_eq(r.yiaddr, 0);
	/* an offer that timed out is no offer either */
	fake_advance(DHCP_OFFER_HOLD + 1);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPNAK);
}
END_TEST

START_TEST(test_selecting_other_server)
{
	/* the client chose another server: no reply, our offer ends and its
	 * address is free for the next client */
	ck_assert_uint_eq(discover(1), A("10.1.0.10"));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10", .sid = OTHER_SERVER), NULL), 0);
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.10"), &(struct lease){ 0 }),
	    STORE_NOTFOUND);
	ck_assert_uint_eq(discover(2), A("10.1.0.10"));
}
END_TEST

START_TEST(test_init_reboot)
{
	struct rep r;

	lease_for(1);
	/* its own address: ACK, broadcast back (no ciaddr yet) */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10", .bcast = 1), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(out.dst, 0xffffffff);
	/* another address of the scope: NAK, broadcast */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.11"), &r), 1);
	ck_assert_int_eq(r.type, DHCPNAK);
	ck_assert_str_eq(r.msg, "address not available");
	ck_assert_uint_eq(out.dst, 0xffffffff);
	ck_assert_uint_eq(out.port, DHCP_CLIENT_PORT);
	/* an address of another network: NAK */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.2.0.10"), &r), 1);
	ck_assert_int_eq(r.type, DHCPNAK);
	ck_assert_str_eq(r.msg, "wrong network");
	/* a client we have no record of: silence (RFC 2131 §4.3.2) */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 2,
	    .want = "10.1.0.11"), NULL), 0);
	/* the client's address was taken by another since: NAK */
	ck_assert_int_eq(store_lease_delete(st, A("10.1.0.10")), 0);
	ut_lease(st, "10.1.0.10", SUBNET, LEASE_ACTIVE, FO_PRIMARY, 3,
	    fake_wall + 100);
	ut_lease(st, "10.1.0.12", SUBNET, LEASE_EXPIRED, FO_PRIMARY, 1,
	    fake_wall - 100);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10"), &r), 1);
	ck_assert_int_eq(r.type, DHCPNAK);
}
END_TEST

START_TEST(test_renew_and_rebind)
{
	struct rep r;
	struct lease l;

	lease_for(1);
	fake_advance(LEASE_TIME / 2);
	/* RENEWING: unicast from ciaddr, answered to ciaddr */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(r.ciaddr, A("10.1.0.10"));
	ck_assert_uint_eq(out.dst, A("10.1.0.10"));
	ck_assert_uint_eq(out.port, DHCP_CLIENT_PORT);
	ck_assert_int_eq(out.unicast_hw, 0);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.ends, fake_wall + LEASE_TIME);
	/* REBINDING (broadcast, ciaddr set): answered to ciaddr as well */
	fake_advance(LEASE_TIME * 7 / 8);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10", .bcast = 1), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(out.dst, A("10.1.0.10"));
	/* the lease ran out and the address went to another client: the
	 * row is that client's now, and a client with no record gets silence */
	fake_advance(LEASE_TIME + 1);
	ck_assert_int_eq(dhcp_srv_expire(srv, fake_wall), 1);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_FREE);
	ck_assert_uint_eq(discover(2), A("10.1.0.10"));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), &r), 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_OFFERED);
}
END_TEST

START_TEST(test_renew_expired_free_address)
{
	/* a lease that expired (FREE) is given back to its client if still free */
	struct rep r;

	lease_for(1);
	fake_advance(LEASE_TIME + 1);
	ck_assert_int_eq(dhcp_srv_expire(srv, fake_wall), 1);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10"), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_ACTIVE);
	ck_assert_uint_eq(discover(2), A("10.1.0.11"));
}
END_TEST

/* ---- DECLINE, RELEASE, INFORM ---- */

START_TEST(test_decline_abandons)
{
	struct lease l;

	lease_for(1);
	/* a DECLINE naming another server, or another address: ignored */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDECLINE, .mac = 1,
	    .want = "10.1.0.10", .sid = OTHER_SERVER), NULL), 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_ACTIVE);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDECLINE, .mac = 1,
	    .want = "10.1.0.11", .sid = SERVER), NULL), 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_ACTIVE);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDECLINE, .mac = 1,
	    .want = "10.1.0.10", .sid = SERVER), NULL), 0);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_ABANDONED);
	ck_assert_int_eq(l.ends, 0);
	/* nobody is offered it, the decliner included */
	ck_assert_uint_eq(discover(1), A("10.1.0.11"));
	ck_assert_uint_eq(discover(2), A("10.1.0.12"));
	pool_invalidate(pool);
	ck_assert_uint_eq(discover(3), A("10.1.0.13"));
}
END_TEST

START_TEST(test_release)
{
	lease_for(1);
	/* someone else's release of it, or of an address it does not hold */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPRELEASE, .mac = 2,
	    .ciaddr = "10.1.0.10", .sid = SERVER), NULL), 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_ACTIVE);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPRELEASE, .mac = 1,
	    .ciaddr = "10.1.0.11", .sid = SERVER), NULL), 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_ACTIVE);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPRELEASE, .mac = 1,
	    .ciaddr = "10.1.0.10", .sid = SERVER), NULL), 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_FREE);
	ck_assert_uint_eq(discover(2), A("10.1.0.10"));
}
END_TEST

START_TEST(test_release_stale)
{
	/* a RELEASE that arrived before the lease it would end was written
	 * (read late, the lease renewed meanwhile) is about an older lease */
	int64_t t0 = fake_wall;

	lease_for(1);
	fake_advance(30);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), NULL), 1);
	in.arrived = t0 + 10;
	ck_assert_int_eq(send_msg(MSG(.type = DHCPRELEASE, .mac = 1,
	    .ciaddr = "10.1.0.10", .sid = SERVER), NULL), 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_ACTIVE);
	in.arrived = fake_wall;
	ck_assert_int_eq(send_msg(MSG(.type = DHCPRELEASE, .mac = 1,
	    .ciaddr = "10.1.0.10", .sid = SERVER), NULL), 0);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_FREE);
}
END_TEST

START_TEST(test_inform)
{
	struct rep r;

	ck_assert_int_eq(send_msg(MSG(.type = DHCPINFORM, .mac = 1,
	    .ciaddr = "10.1.0.50"), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(r.yiaddr, 0);
	ck_assert_int_eq(r.has_lease, 0);
	ck_assert_int_eq(out.durable, 0);
	ck_assert_uint_eq(out.dst, A("10.1.0.50"));
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.50"), &(struct lease){ 0 }),
	    STORE_NOTFOUND);
}
END_TEST

/* ---- where replies go (RFC 2131 §4.1) ---- */

START_TEST(test_route_relayed)
{
	struct rep r;

	/* a relayed request names its scope by giaddr, whatever interface it
	 * came in on; the reply goes to the relay's server port */
	in.if_addr = A("192.168.9.1");
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1,
	    .giaddr = RELAY, .bcast = 1), &r), 1);
	ck_assert_int_eq(r.type, DHCPOFFER);
	ck_assert_uint_eq(r.yiaddr, A("10.1.0.10"));
	ck_assert_uint_eq(r.giaddr, A(RELAY));
	ck_assert_uint_eq(out.dst, A(RELAY));
	ck_assert_uint_eq(out.port, DHCP_SERVER_PORT);
	ck_assert_int_eq(out.ifindex, 2);
	/* a NAK through a relay goes to the relay too */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .giaddr = RELAY, .want = "10.1.0.13", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPNAK);
	ck_assert_uint_eq(out.dst, A(RELAY));
	ck_assert_uint_eq(out.port, DHCP_SERVER_PORT);
	/* not relayed, from an interface with no scope: dropped */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 2), NULL), -1);
	ck_assert_uint_eq(d.stats.drops[DROP_NO_SCOPE], 1);
}
END_TEST

START_TEST(test_route_direct)
{
	struct rep r;

	/* no broadcast flag, no ciaddr: unicast to yiaddr at chaddr */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1), &r), 1);
	ck_assert_uint_eq(out.dst, A("10.1.0.10"));
	ck_assert_int_eq(out.unicast_hw, 1);
	ck_assert_uint_eq(out.port, DHCP_CLIENT_PORT);
	ck_assert_uint_eq(out.hlen, 6);
	ck_assert_int_eq(memcmp(out.chaddr, "\x02\x00\x00\x00\x00\x01", 6), 0);
	/* the broadcast flag: broadcast */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 2, .bcast = 1),
	    &r), 1);
	ck_assert_uint_eq(out.dst, 0xffffffff);
	ck_assert_int_eq(out.unicast_hw, 0);
	ck_assert_uint_eq(out.port, DHCP_CLIENT_PORT);
	/* a NAK is broadcast even to a client with ciaddr */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 2,
	    .ciaddr = "10.1.0.11", .want = "10.1.0.15", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPNAK);
	ck_assert_uint_eq(out.dst, 0xffffffff);
}
END_TEST

START_TEST(test_client_identifier)
{
	/* a client that sends option 61 is that identifier, not its chaddr */
	struct rep r;
	uint32_t a;

	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1, .cid = 1), &r),
	    1);
	a = r.yiaddr;
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1, .cid = 1,
	    .want = "10.1.0.10", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").cidlen, 7);
	/* the same chaddr without the identifier is another client */
	ck_assert_uint_ne(discover(1), a);
}
END_TEST

/* ---- expiry ---- */

START_TEST(test_expire_offer_and_lease)
{
	ck_assert_uint_eq(discover(1), A("10.1.0.10"));
	lease_for(2);
	ck_assert_int_eq(dhcp_srv_expire(srv, fake_wall + DHCP_OFFER_HOLD), 0);
	fake_advance(DHCP_OFFER_HOLD + 1);
	ck_assert_int_eq(dhcp_srv_expire(srv, fake_wall), 1);	/* the offer */
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.10"), &(struct lease){ 0 }),
	    STORE_NOTFOUND);
	ck_assert_int_eq(ut_get(st, "10.1.0.11").state, LEASE_ACTIVE);
	fake_advance(LEASE_TIME);
	ck_assert_int_eq(dhcp_srv_expire(srv, fake_wall), 1);	/* the lease */
	ck_assert_int_eq(ut_get(st, "10.1.0.11").state, LEASE_FREE);
	ck_assert_uint_eq(discover(3), A("10.1.0.10"));
	ck_assert_uint_eq(discover(4), A("10.1.0.11"));
}
END_TEST

/* ---- in a failover relationship ---- */

START_TEST(test_failover_verdict)
{
	struct rep r;

	in_relationship(FO_PRIMARY, FO_NORMAL);
	serve = FO_SERVE_NO;
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1, .secs = 7),
	    NULL), 0);
	ck_assert_uint_eq(d.stats.drops[DROP_FAILOVER], 1);
	ck_assert_int_eq(asked.calls, 1);
	ck_assert_str_eq(asked.name, "r");
	ck_assert_int_eq(asked.ask, FO_ASK_NEW);
	ck_assert_uint_eq(asked.secs, 7);
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.10"), &(struct lease){ 0 }),
	    STORE_NOTFOUND);
	/* the bucket asked about is the client's RFC 3074 hash */
	{
		uint8_t pkt[1024];
		struct dhcp_pkt p;
		size_t len = build(MSG(.type = DHCPDISCOVER, .mac = 1), pkt,
		    sizeof(pkt));

		ck_assert_int_eq(dhcp_pkt_decode(pkt, len, &p, NULL), 0);
		ck_assert_int_eq(asked.bucket, dhcp_pkt_hash_bucket(&p));
	}
	serve = FO_SERVE_YES;
	ck_assert_uint_eq(discover(1), A("10.1.0.10"));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10", .sid = SERVER), &r), 1);
	ck_assert_int_eq(asked.ask, FO_ASK_SELECTING);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), &r), 1);
	ck_assert_int_eq(asked.ask, FO_ASK_OTHER);
	/* outside a relationship failover is not asked */
	asked.calls = 0;
	ck_assert_int_eq(store_rel_delete(st, "r"), 0);
	ck_assert_uint_eq(discover(2), A("10.1.0.11"));
	ck_assert_int_eq(asked.calls, 0);
}
END_TEST

START_TEST(test_mclt_lease_times)
{
	struct rep r;
	struct lease l;
	int64_t t0 = fake_wall;

	in_relationship(FO_PRIMARY, FO_NORMAL);
	/* the partner knows nothing of the client: at most MCLT */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1), &r), 1);
	ck_assert_uint_eq(r.lease, MCLT);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(r.lease, MCLT);
	ck_assert_uint_eq(r.t1, MCLT / 2);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.ends, t0 + MCLT);
	/* the partner is to be told: the lease the client wants plus half of
	 * what it got (draft-12 §5.2.1) */
	ck_assert_int_eq(l.sent_pot_exp, t0 + LEASE_TIME + MCLT / 2);
	ck_assert_int_eq(l.fo_sync, 1);
	ck_assert_uint_ne(l.pending, 0);
	/* renewed before the partner acknowledged: MCLT again */
	fake_advance(100);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), &r), 1);
	ck_assert_uint_eq(r.lease, MCLT);
	/* the partner acknowledged a potential expiry 1000 s ahead: MCLT
	 * beyond it */
	l = ut_get(st, "10.1.0.10");
	store_set_durable(st, store_committed_seq(st));
	ck_assert_int_eq(store_pending_ack(st, A("10.1.0.10"), l.pending,
	    fake_wall + 1000), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), &r), 1);
	ck_assert_uint_eq(r.lease, 1000 + MCLT);
	/* far enough ahead: the scope's lease time */
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(store_pending_ack(st, A("10.1.0.10"), l.pending,
	    fake_wall + 5000), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), &r), 1);
	ck_assert_uint_eq(r.lease, LEASE_TIME);
}
END_TEST

START_TEST(test_known_only)
{
	/* restarted without the partner (FO_SERVE_KNOWN): a renewal is
	 * answered only when the partner knows the binding */
	struct rep r;
	struct lease l;

	in_relationship(FO_PRIMARY, FO_NORMAL);
	lease_for(1);
	serve = FO_SERVE_KNOWN;
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), NULL), 0);
	l = ut_get(st, "10.1.0.10");
	store_set_durable(st, store_committed_seq(st));
	ck_assert_int_eq(store_pending_ack(st, A("10.1.0.10"), l.pending,
	    fake_wall + 200), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(r.lease, 200 + MCLT);
	/* and never beyond what the partner knows: no NAK either for another
	 * address, which the partner may have given */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.11"), NULL), 0);
}
END_TEST

START_TEST(test_failover_release_and_expiry)
{
	/* in a relationship a release or expiry waits for the partner
	 * (RELEASED, EXPIRED; pending), not back in the pool until then */
	struct lease l;

	in_relationship(FO_PRIMARY, FO_NORMAL);
	lease_for(1);
	lease_for(2);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPRELEASE, .mac = 1,
	    .ciaddr = "10.1.0.10", .sid = SERVER), NULL), 0);
	l = ut_get(st, "10.1.0.10");
	ck_assert_int_eq(l.state, LEASE_RELEASED);
	ck_assert_uint_ne(l.pending, 0);
	fake_advance(MCLT + 1);
	ck_assert_int_eq(dhcp_srv_expire(srv, fake_wall), 1);
	l = ut_get(st, "10.1.0.11");
	ck_assert_int_eq(l.state, LEASE_EXPIRED);
	ck_assert_uint_ne(l.pending, 0);
	ck_assert_uint_eq(discover(3), A("10.1.0.12"));
	/* its own client may have it back meanwhile (draft-12 §5.2.2): the
	 * partner was not told of the change */
	ck_assert_uint_eq(discover(2), A("10.1.0.11"));
}
END_TEST

START_TEST(test_secondary_allocates_its_own)
{
	/* a secondary gives only the addresses it owns (BACKUP) */
	struct rebal_move mv = { A("10.1.0.15"), A("10.1.0.20"), FO_SECONDARY };

	in_relationship(FO_SECONDARY, FO_NORMAL);
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &mv, 1), 0);
	ck_assert_uint_eq(discover(1), A("10.1.0.15"));
	ck_assert_int_eq(ut_get(st, "10.1.0.15").owner, FO_SECONDARY);
}
END_TEST

START_TEST(test_partner_down_takeover)
{
	/* PARTNER_DOWN: the partner's free addresses only once MCLT has
	 * passed since it began (draft-12 §9.4.2); an offer of one of them is
	 * the partner's address, and back in the pool when it ends untaken */
	struct rebal_move mv = { A("10.1.0.15"), A("10.1.0.20"), FO_SECONDARY };

	ut_rel(st, "r", FO_SECONDARY, SUBNET, FO_PARTNER_DOWN, MCLT, fake_wall - 10);
	ck_assert_int_eq(store_apply_moves(st, A(SUBNET), &mv, 1), 0);
	ck_assert_uint_eq(discover(1), A("10.1.0.15"));
	/* MCLT later: failover touches the store, the view is rebuilt */
	fake_advance(MCLT);
	store_touch(st);
	ck_assert_uint_eq(discover(2), A("10.1.0.10"));
	ck_assert_int_eq(ut_get(st, "10.1.0.10").owner, FO_PRIMARY);
	fake_advance(DHCP_OFFER_HOLD + 1);
	ck_assert_int_eq(dhcp_srv_expire(srv, fake_wall), 2);
	ck_assert_uint_eq(discover(3), A("10.1.0.10"));
	ck_assert_uint_eq(discover(4), A("10.1.0.11"));
}
END_TEST

/* ---- [limits]: rate limits on new allocations ---- */

/* The limits of a test: mac-rate and relay-rate as given, count 0 off. */
static void
limits(struct conf_rate mac, struct conf_rate relay)
{
	memset(&conf, 0, sizeof(conf));
	conf.mac_rate = mac;
	conf.relay_rate = relay;
	d.conf = &conf;
}

#define OFF	((struct conf_rate){ 0, 1, 0 })

/* DISCOVER from mac through the relay: the address offered, 0 none. */
static uint32_t
discover_via(uint8_t mac, const char *giaddr)
{
	struct rep r;

	if (send_msg(MSG(.type = DHCPDISCOVER, .mac = mac, .giaddr = giaddr),
	    &r) != 1)
		return 0;
	return r.yiaddr;
}

/* A flood of new clients through one relay: its burst, then its rate; a
 * refused DISCOVER gets no answer and is counted; another relay and the
 * interface's direct clients have buckets of their own. */
START_TEST(test_limit_relay)
{
	limits(OFF, (struct conf_rate){ 2, 1, 3 });
	for (uint8_t m = 1; m <= 3; m++)
		ck_assert_uint_ne(discover_via(m, RELAY), 0);
	for (uint8_t m = 4; m <= 9; m++)
		ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = m,
		    .giaddr = RELAY), NULL), -1);
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_RELAY], 6);
	ck_assert_uint_eq(d.stats.drops[DROP_EXHAUSTED], 0);
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.13"), &(struct lease){ 0 }),
	    1);			/* nothing offered, nothing held */
	ck_assert_uint_ne(discover_via(10, "10.1.0.253"), 0);
	ck_assert_uint_ne(discover(11), 0);
	/* half a second later (2/s): one more through the relay */
	fake_mono_us += 500000;
	ck_assert_uint_ne(discover_via(12, RELAY), 0);
	ck_assert_uint_eq(discover_via(13, RELAY), 0);
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_RELAY], 7);
}
END_TEST

/* While the relay's bucket is empty, its existing clients are answered:
 * a renewal, a rebind, an INIT-REBOOT of the address held, a DISCOVER of a
 * client holding an offer or a lease, the REQUEST that takes an offer. */
START_TEST(test_limit_existing_clients)
{
	struct rep r;
	uint32_t offered;

	limits(OFF, (struct conf_rate){ 1, 60, 3 });
	lease_for(1);				/* 10.1.0.10, directly */
	ck_assert_uint_eq(discover_via(2, RELAY), A("10.1.0.11"));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 2, .giaddr = RELAY,
	    .want = "10.1.0.11", .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_ne(offered = discover_via(3, RELAY), 0);
	ck_assert_uint_ne(discover_via(4, RELAY), 0);
	ck_assert_uint_eq(discover_via(5, RELAY), 0);	/* the relay's burst is spent */
	limits(OFF, (struct conf_rate){ 1, 60, 1 });	/* and the interface's */
	ck_assert_uint_eq(discover(6), 0);
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_RELAY], 2);
	ck_assert_uint_eq(discover_via(3, RELAY), offered);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 3, .giaddr = RELAY,
	    .want = addr_str(offered, (char[16]){ 0 }), .sid = SERVER), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(discover_via(2, RELAY), A("10.1.0.11"));
	fake_advance(LEASE_TIME / 2);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .ciaddr = "10.1.0.10"), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 2, .giaddr = RELAY,
	    .ciaddr = "10.1.0.11", .bcast = 1), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10", .bcast = 1), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_RELAY], 2);
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_MAC], 0);
}
END_TEST

/* One hardware address with ever new client identifiers is one bucket: a
 * burst of identities, then none (dhcpfod.conf(5), mac-rate). */
START_TEST(test_limit_mac)
{
	limits((struct conf_rate){ 10, 60, 2 }, OFF);
	for (uint8_t tag = 1; tag <= 2; tag++)
		ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1,
		    .cid_tag = tag), NULL), 1);
	for (uint8_t tag = 3; tag <= 10; tag++)
		ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1,
		    .cid_tag = tag), NULL), -1);
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_MAC], 8);
	ck_assert_uint_ne(discover(2), 0);	/* another client: its own */
	fake_advance(6);			/* 10/min: one more */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1,
	    .cid_tag = 11), NULL), 1);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1,
	    .cid_tag = 12), NULL), -1);
}
END_TEST

/* What is charged is an address taken from the pool: a DISCOVER that
 * finds the scope exhausted keeps its token (and is counted exhausted, not
 * limited); the client gets the next address that comes free. A reserved
 * client takes nothing from the pool and is never limited. */
START_TEST(test_limit_charges_allocations)
{
	struct reservation rv = { 0 };

	limits((struct conf_rate){ 1, 3600, 1 }, OFF);
	for (uint8_t m = 1; m <= 11; m++)
		lease_for(m);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 12), NULL),
		    -1);
	ck_assert_uint_eq(d.stats.drops[DROP_EXHAUSTED], 3);
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_MAC], 0);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPRELEASE, .mac = 1,
	    .ciaddr = "10.1.0.10", .sid = SERVER), NULL), 0);
	ck_assert_uint_eq(discover(12), A("10.1.0.10"));
	/* a reserved client, its token long spent */
	rv.subnet = A(SUBNET);
	rv.address = A("10.1.0.10");
	rv.hwlen = 6;
	memcpy(rv.hwaddr, "\x02\x00\x00\x00\x00\x0c", 6);
	snprintf(rv.name, sizeof(rv.name), "r12");
	ck_assert_int_eq(store_resv_add(st, &rv), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(discover(12), A("10.1.0.10"));
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_MAC], 0);
}
END_TEST

/* Its old address, free again, is a new allocation too: an INIT-REBOOT
 * that would take it back from the pool while the client's bucket is empty
 * gets silence, not a NAK (the client asks again), and the address stays
 * in the pool. */
START_TEST(test_limit_request_free_row)
{
	struct rep r;

	limits((struct conf_rate){ 1, 3600, 1 }, OFF);
	lease_for(1);
	fake_advance(LEASE_TIME + 1);
	ck_assert_int_eq(dhcp_srv_expire(srv, fake_wall), 1);
	/* the bucket, full again after an hour, spent on another identity */
	ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = 1,
	    .cid_tag = 1, .want = "10.1.0.11"), &r), 1);
	ck_assert_uint_eq(r.yiaddr, A("10.1.0.11"));
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10"), &r), -1);
	ck_assert_uint_eq(d.stats.drops[DROP_RATE_MAC], 1);
	ck_assert_int_eq(ut_get(st, "10.1.0.10").state, LEASE_FREE);
	fake_advance(3600);
	ck_assert_int_eq(send_msg(MSG(.type = DHCPREQUEST, .mac = 1,
	    .want = "10.1.0.10"), &r), 1);
	ck_assert_int_eq(r.type, DHCPACK);
}
END_TEST

/* Only this server's clients reach the buckets: a DISCOVER failover leaves
 * to the partner spends nothing. A reload's new rates apply at once. */
START_TEST(test_limit_after_failover_and_reload)
{
	limits(OFF, (struct conf_rate){ 1, 60, 2 });
	in_relationship(FO_PRIMARY, FO_NORMAL);
	serve = FO_SERVE_NO;
	for (uint8_t m = 1; m <= 5; m++)
		ck_assert_int_eq(send_msg(MSG(.type = DHCPDISCOVER, .mac = m,
		    .giaddr = RELAY), NULL), 0);
	ck_assert_uint_eq(d.stats.drops[DROP_FAILOVER], 5);
	serve = FO_SERVE_YES;
	ck_assert_uint_ne(discover_via(6, RELAY), 0);
	ck_assert_uint_ne(discover_via(7, RELAY), 0);
	ck_assert_uint_eq(discover_via(8, RELAY), 0);
	conf.relay_rate = OFF;			/* reloaded */
	ck_assert_uint_ne(discover_via(8, RELAY), 0);
	conf.relay_rate = (struct conf_rate){ 1, 60, 1 };
	ck_assert_uint_eq(discover_via(9, RELAY), 0);
}
END_TEST

static Suite *
dhcp_srv_suite(void)
{
	Suite *s = suite_create("dhcp_srv");
	TCase *tc;

	tc = tcase_create("discover");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_offer_lowest_free);
	tcase_add_test(tc, test_offer_requested_address);
	tcase_add_test(tc, test_offer_current_binding);
	tcase_add_test(tc, test_offer_exhausted);
	tcase_add_test(tc, test_reservation);
	tcase_add_test(tc, test_reservation_moves_the_client);
	tcase_add_test(tc, test_reservation_unusable);
	tcase_add_test(tc, test_client_identifier);
	suite_add_tcase(s, tc);
	tc = tcase_create("request");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_selecting_ack);
	tcase_add_test(tc, test_selecting_no_such_offer);
	tcase_add_test(tc, test_selecting_other_server);
	tcase_add_test(tc, test_init_reboot);
	tcase_add_test(tc, test_renew_and_rebind);
	tcase_add_test(tc, test_renew_expired_free_address);
	tcase_add_test(tc, test_decline_abandons);
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_release_stale);
	tcase_add_test(tc, test_inform);
	tcase_add_test(tc, test_expire_offer_and_lease);
	suite_add_tcase(s, tc);
	tc = tcase_create("route");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_route_relayed);
	tcase_add_test(tc, test_route_direct);
	suite_add_tcase(s, tc);
	tc = tcase_create("failover");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_failover_verdict);
	tcase_add_test(tc, test_mclt_lease_times);
	tcase_add_test(tc, test_known_only);
	tcase_add_test(tc, test_failover_release_and_expiry);
	tcase_add_test(tc, test_secondary_allocates_its_own);
	tcase_add_test(tc, test_partner_down_takeover);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_limit_relay);
	tcase_add_test(tc, test_limit_existing_clients);
	tcase_add_test(tc, test_limit_mac);
	tcase_add_test(tc, test_limit_charges_allocations);
	tcase_add_test(tc, test_limit_request_free_row);
	tcase_add_test(tc, test_limit_after_failover_and_reload);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dhcp_srv_suite());
	int failed;

	ut_tmp_begin();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ut_tmp_end();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
