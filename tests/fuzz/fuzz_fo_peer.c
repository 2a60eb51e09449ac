/* libFuzzer harness, stateful: one failover relationship driven through
 * sequences of events decoded from the input (docs/FUZZING.md).
 *
 * The real fo.c, fo_peer.c, fo_upd.c, fo_move.c, fo_fsm.c, fo_state.c,
 * fo_msg.c, fo_bnd.c, fo_rebal.c and the real store on a scratch database
 * (in /dev/shm when there is one), as tests/unit/check_fo_peer.c and
 * check_fo_upd.c use them; the connection and listener (fo_conn.c) are this
 * file's, time is the test's (fake_clock.h: linked with util.c's clock
 * wrapped) and the log lines are formatted and dropped (log.c wrapped).
 *
 * The input: byte 0 picks the state the relationship starts in (INIT ..
 * SHUTDOWN, every one), byte 1 the role, mode, a shared secret and the
 * partner's kind (dhcpfod or ISC), byte 2 whether the link starts down or
 * in contact (the partner's first STATE in the state of byte 3, then the
 * state set as failover.set would) and whether a DHCP engine runs (without
 * one failover commits on its own and finds scopes in the store). Then up to 96 events, each an opcode and its bytes: a
 * message from the partner built from the bytes (any of the twelve types,
 * with its options, bindings and range moves, signed or not), raw bytes as
 * a message, the end of a read, the clock moved and the peer's timer run,
 * the connection established, closed or refused, an accepted connection
 * (from the partner or not) and its first message, a lease the DHCP engine
 * writes (an allocation only where the address is free and ours), the
 * operator's failover.set, rebalancing and a graceful stop, the questions
 * the engine asks.
 *
 * Abort on: a state (own or partner's) or link stage out of its enum, a
 * link down with a connection or up without one, a message sent that does
 * not decode (or verify with the secret), a connection the code forgot to
 * free, a stored state that is not the peer's, and in the lease table an
 * ACTIVE address that the in-memory view holds for another client or
 * state, or that the free-space view counts as free to allocate (an
 * address given to a second client). ASan and UBSan catch the rest.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "fake_clock.h"
#include "fo.h"
#include "fo_conn.h"
#include "fo_fsm.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "fo_rebal.h"
#include "lease.h"
#include "log.h"
#include "store.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SUBNET		0x0a010000u	/* 10.1.0.0/24, in the relationship */
#define RANGE_LO	0x0a01000au	/* .10 .. .41 */
#define RANGE_HI	0x0a010029u
#define OTHER		0x0a030000u	/* 10.3.0.0/24, in no relationship */
#define PRIMARY		0x0a4d0001u	/* 10.77.0.1 */
#define SECONDARY	0x0a4d0002u
#define SECRET		"fuzz-secret"
#define MAX_EVENTS	96
#define NCLIENTS	6

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz_fo_peer: %s:%d: " \
	"invariant broken: %s\n", __FILE__, __LINE__, #c); abort(); } } while (0)

/* ---- the input ---- */

static const uint8_t *in;
static size_t inlen, inpos;

static uint8_t
u8(void)
{
	return inpos < inlen ? in[inpos++] : 0;
}

static uint32_t
u32(void)
{
	uint32_t v = u8();

	v = v << 8 | u8();
	v = v << 8 | u8();
	return v << 8 | u8();
}

/* ---- the log: formatted (ASan sees the arguments), then dropped ---- */

static char logbuf[2048];

#define WRAP_LOG(name) \
void __wrap_##name(const char *, ...) __attribute__((format(printf, 1, 2))); \
void __wrap_##name(const char *fmt, ...) \
{ va_list ap; va_start(ap, fmt); vsnprintf(logbuf, sizeof(logbuf), fmt, ap); va_end(ap); }
WRAP_LOG(log_warn)
WRAP_LOG(log_warnx)
WRAP_LOG(log_notice)
WRAP_LOG(log_info)
WRAP_LOG(log_debug)

/* ---- the connection and listener (fo_conn.h), this file's ---- */

struct fo_conn {
	const struct fo_conn_cb	*cb;
	void			*arg;
	uint32_t		 peer;
	struct fo_conn		*next;		/* every live one, for the leak check */
};

static struct fo_conn *conns;
static int send_fails;			/* the next sends fail (queue full) */
static int listening;
static void (*accept_cb)(void *, int, uint32_t);
static void *accept_arg;
static struct store *st;
static const char *secret;		/* the relationship's, or NULL */

/* Whether c is still a live connection (not freed by the code). */
static int
conn_live(const struct fo_conn *c)
{
	for (const struct fo_conn *x = conns; x != NULL; x = x->next)
		if (x == c)
			return 1;
	return 0;
}

static struct fo_conn *
conn_new(uint32_t peer, const struct fo_conn_cb *cb, void *arg)
{
	struct fo_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	c->cb = cb;
	c->arg = arg;
	c->peer = peer;
	c->next = conns;
	conns = c;
	return c;
}

struct fo_conn *
fo_conn_connect(struct event_base *base, uint32_t addr, uint16_t port,
    const struct fo_conn_cb *cb, void *arg)
{
	return conn_new(addr, cb, arg);
}

struct fo_conn *
fo_conn_accepted(struct event_base *base, int fd, uint32_t peer,
    const struct fo_conn_cb *cb, void *arg)
{
	return conn_new(peer, cb, arg);
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
	struct fo_conn **pp;

	if (c == NULL)
		return;
	for (pp = &conns; *pp != NULL && *pp != c; pp = &(*pp)->next)
		;
	CHECK(*pp == c);		/* not freed twice */
	*pp = c->next;
	free(c);
}

void
fo_conn_linger(struct fo_conn *c)
{
	fo_conn_free(c);		/* its last word is written: gone */
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

/* the harness's connections frame nothing: no oversized length is counted */
unsigned
fo_conn_bad_len(const struct fo_conn *c)
{
	return 0;
}

/* Whatever is sent is whole messages that decode (and verify). */
int
fo_conn_send(struct fo_conn *c, const uint8_t *msg, size_t len)
{
	static struct fo_msg m;
	char err[160];
	int n;

	if (send_fails > 0) {
		send_fails--;
		return -1;
	}
	while (len > 0) {
		n = fo_msg_frame_len(msg, len);
		CHECK(n > 0 && (size_t)n <= len);
		CHECK(fo_msg_decode(msg, (size_t)n, &m, err, sizeof(err)) == 0);
		CHECK(secret == NULL || fo_msg_verify(msg, (size_t)n, secret) == 0);
		msg += n;
		len -= (size_t)n;
	}
	return 0;
}

struct fo_listener *
fo_listen(struct event_base *base, uint32_t addr, uint16_t port,
    void (*accept)(void *, int, uint32_t), void *arg, char *err, size_t errlen)
{
	static int token;

	accept_cb = accept;
	accept_arg = arg;
	listening = 1;
	return (struct fo_listener *)&token;
}

void
fo_listener_free(struct fo_listener *l)
{
	listening = 0;
}

/* FUZZ_FO_PEER_MATRIX=1: at exit, how many messages of each type reached
 * the peer in contact (link OK) in each of its states (docs/FUZZING.md). */
static unsigned long matrix[FO_NSTATES][13];

static void
matrix_print(void)
{
	fprintf(stderr, "%-22s", "state \\ message");
	for (int t = 1; t <= 12; t++)
		fprintf(stderr, " %9.9s", fo_msg_type_name(t));
	fprintf(stderr, "\n");
	for (int s = FO_INIT; s < FO_NSTATES; s++) {
		fprintf(stderr, "%-22s", fo_state_name((enum fo_state)s));
		for (int t = 1; t <= 12; t++)
			fprintf(stderr, " %9lu", matrix[s][t]);
		fprintf(stderr, "\n");
	}
}

/* ---- the daemon around the relationship ---- */

static struct daemon d;
static struct conf conf;
static struct fo *fo;
static char dir[64];
static int commit_wanted;		/* the engine was asked to commit */
static struct scope scopes[2];		/* the engine's view: SUBNET, OTHER */

static void
cleanup(void)
{
	char path[128];

	store_close(st);
	st = NULL;
	snprintf(path, sizeof(path), "%s/db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-shm", dir);
	unlink(path);
	rmdir(dir);
}

static void
scope_put(struct scope *sc, uint32_t subnet, uint32_t lo, uint32_t hi)
{
	memset(sc, 0, sizeof(*sc));
	sc->subnet = subnet;
	sc->mask = 0xffffff00u;
	sc->range_start = lo;
	sc->range_end = hi;
	sc->lease_time = 3600;
	sc->enabled = 1;
	snprintf(sc->name, sizeof(sc->name), "s%08x", subnet);
	CHECK(store_scope_insert(st, sc) == 0);
}

static void
setup_once(void)
{
	char path[128], err[256];

	snprintf(dir, sizeof(dir), "%s/fuzz_fo_peer.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/db", dir);
	if ((st = store_open(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_fo_peer: %s\n", err);
		abort();
	}
	atexit(cleanup);
	if (getenv("FUZZ_FO_PEER_MATRIX") != NULL)
		atexit(matrix_print);
	log_setlevel(LOG_LVL_DEBUG);	/* every log line formatted, none written */
	if ((d.base = event_base_new()) == NULL)
		abort();
	d.store = st;
	d.conf = &conf;
	conf.fo_listen_port = 647;
	scope_put(&scopes[1], OTHER, OTHER + 10, OTHER + 20);	/* never written */
}

/* The relationship as the input wants it, in a fresh store state. */
static void
reset(enum fo_state state, int flags)
{
	static const uint32_t mclts[] = { 600, 60, 3600, 1 };
	static const unsigned pcts[] = { 50, 0, 100, 30 };
	struct fo_rel r;
	uint32_t scope = SUBNET;

	CHECK(store_begin(st) == 0);		/* one transaction: faster */
	store_rel_delete(st, "r");
	store_scope_delete(st, SUBNET);		/* its leases and ownership */
	scope_put(&scopes[0], SUBNET, RANGE_LO, RANGE_HI);
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "r");
	r.primary_server = PRIMARY;
	r.secondary_server = SECONDARY;
	r.server_type = (flags & 1) ? FO_SECONDARY : FO_PRIMARY;
	r.mode = (flags & 2) ? FO_MODE_HOT_STANDBY : FO_MODE_LOAD_BALANCE;
	r.state = state;
	r.prev_state = FO_STARTUP;
	r.stos = fake_wall - ((flags & 0x40) ? 10 : 100000);
	r.mclt = mclts[(flags >> 3) & 3];
	r.percentage = pcts[(flags >> 5) & 1 ? 1 + ((flags >> 3) & 1) : 0];
	r.safe_period = (flags & 0x80) ? 30 : 0;
	r.lb_max_secs = (flags & 0x80) ? 3 : 0;
	r.fail_time = (flags & 0x40) ? fake_wall - 50 : 0;
	if (flags & 4)
		snprintf(r.shared_secret, sizeof(r.shared_secret), SECRET);
	r.port = 647;
	r.scopes = &scope;
	r.nscopes = 1;
	CHECK(store_rel_insert(st, &r) == 0);
	CHECK(store_commit(st) == 0);
	secret = (flags & 4) ? SECRET : NULL;
}

static struct fo_peer *
peer(void)
{
	return fo != NULL && fo->npeers > 0 ? fo->peers[0] : NULL;
}

/* ---- the DHCP engine as failover sees it (struct fo_engine) ---- */

/* The partner's writes ride the next group commit. */
static void
eng_commit_soon(void *arg)
{
	commit_wanted = 1;
}

static void
eng_invalidate(void *arg)
{
}

/* Only an address of the relationship's range is ever followed. */
static void
eng_follow(void *arg, uint32_t addr, int64_t due, int give)
{
	CHECK(addr >= RANGE_LO && addr <= RANGE_HI);
}

static int
eng_scope_of(void *arg, uint32_t addr, const struct scope **sc)
{
	for (size_t i = 0; i < 2; i++)
		if ((addr & scopes[i].mask) == scopes[i].subnet) {
			*sc = &scopes[i];
			return 0;
		}
	return 1;
}

static const struct fo_engine engine = { NULL, eng_commit_soon, eng_invalidate,
	eng_follow, eng_scope_of };

/* What the event loop runs next: the group commit the engine was asked for
 * (durable at once: the engine's fsync thread), then a scheduled pump, a
 * stop's timer. */
static void
loop(void)
{
	if (commit_wanted) {
		commit_wanted = 0;
		if ((store_in_txn(st) || store_committed_seq(st) >
		    store_durable_seq(st)) && store_commit(st) == -1)
			store_rollback(st);
		fo_kick(fo);
	}
	event_base_loop(d.base, EVLOOP_NONBLOCK);
}

/* ---- messages from the partner ---- */

static void
fill_hello(struct fo_msg *m, int isc)
{
	uint8_t f = u8();

	m->has = FO_M_RELATIONSHIP | FO_M_MAX_UNACKED | FO_M_RECEIVE_TIMER |
	    FO_M_VENDOR_CLASS | FO_M_PROTOCOL_VERSION;
	if (f & 1)
		m->has &= ~(uint32_t)(f & 0x3e ? FO_M_MAX_UNACKED : FO_M_RELATIONSHIP);
	snprintf(m->relationship, sizeof(m->relationship), "%s",
	    (f & 0xc0) == 0xc0 ? "other" : (f & 0xc0) == 0x80 ? "R" : "r");
	m->max_unacked = (f & 2) ? u8() : isc ? 10 : 128;
	m->receive_timer = (f & 4) ? u8() : 10;
	snprintf(m->vendor_class, sizeof(m->vendor_class), "%s",
	    isc ? "isc-dhcp-4.4.3" : "dhcpfod-0.1.0");
	m->protocol_version = (f & 8) ? 2 : 1;
	if (f & 0x10) {
		m->has |= FO_M_REJECT | FO_M_MESSAGE;
		m->reject = u8() % 22;
		snprintf(m->message, sizeof(m->message), "no");
	}
}

/* An address: mostly the relationship's range, sometimes around it. */
static uint32_t
pick_addr(void)
{
	uint8_t b = u8();

	if (b < 200)
		return RANGE_LO + b % 34 - 1;	/* .9 .. .42 */
	if (b < 230)
		return OTHER + 10 + b % 12;
	return u32();
}

static void
fill_binding(struct fo_binding *b, int64_t now)
{
	static const int32_t rel[] = { 3600, 0, -10, 600, 86400, -3600, 30, 700 };
	uint8_t f = u8(), g = u8();

	memset(b, 0, sizeof(*b));
	b->addr = pick_addr();
	b->has = FO_B_STATUS;
	b->status = (f & 0x80) ? u8() % 10 : 1 + f % 7;
	if (g & 1) {
		b->has |= FO_B_CHADDR;
		b->htype = 1;
		b->hlen = 6;
		memcpy(b->chaddr, "\x02\x00\x00\x00\x00\x00", 6);
		b->chaddr[5] = (uint8_t)(g >> 5) % NCLIENTS;
	}
	if (g & 2) {
		b->has |= FO_B_CID;
		b->cidlen = 3;
		memcpy(b->cid, "\x01\x02", 2);
		b->cid[2] = (uint8_t)(g >> 5) % NCLIENTS;
	}
	if (g & 4) {
		b->has |= FO_B_LEASE_EXP;
		b->lease_exp = (uint32_t)(now + rel[u8() & 7]);
	}
	if (g & 8) {
		b->has |= FO_B_POT_EXP;
		b->pot_exp = (uint32_t)(now + rel[u8() & 7]);
	}
	if (g & 0x10) {
		b->has |= FO_B_CLTT | FO_B_STOS;
		b->cltt = (uint32_t)(now + rel[u8() & 7]);
		b->stos = b->cltt;
	}
	if (f & 0x40) {
		b->has |= FO_B_FLAGS;
		b->ip_flags = u8() & 3;
	}
}

/* A BNDACK answering what is in flight (or made up). */
static void
fill_bndack(struct fo_msg *m, struct fo_peer *p)
{
	uint8_t f = u8();
	size_t i;

	if (p->nfl > 0 && !(f & 1)) {
		const struct fo_inflight *fl = &p->fl[u8() % p->nfl];

		m->xid = fl->xid;
		for (i = 0; i < p->nfl && m->nb < 8; i++) {
			if (p->fl[i].xid != fl->xid)
				continue;
			if (p->fl[i].range && p->partner_dhcpfod) {
				if (!(f & 2) && m->nr < FO_MSG_RANGES)
					m->r[m->nr++] = (struct fo_range){ p->fl[i].addr,
					    p->fl[i].end, p->fl[i].state };
				continue;
			}
			m->b[m->nb].addr = p->fl[i].addr;
			if (f & 4) {
				m->b[m->nb].has = FO_B_REJECT;
				m->b[m->nb].reject = u8() % 22;
			}
			m->nb++;
		}
		return;
	}
	m->xid = u32();
	for (i = u8() % 3; i > 0; i--) {
		m->b[m->nb].addr = pick_addr();
		m->nb++;
	}
}

static void
fill_ranges(struct fo_msg *m)
{
	for (size_t n = u8() % 4; n > 0; n--) {
		uint32_t a = pick_addr(), b = a + u8() % 16;

		m->r[m->nr++] = (struct fo_range){ a, b < a ? a : b,
		    (u8() & 1) ? LEASE_BACKUP : LEASE_FREE };
	}
}

/* The partner's message of one of the twelve types, from the input. */
static int
build(struct fo_msg *m, struct fo_peer *p)
{
	static const int skews[] = { 0, 0, 0, 0, 30, -30, 61, -61 };
	uint8_t t = u8(), f = u8();
	int isc = p != NULL && !p->partner_dhcpfod;
	int64_t now = fake_wall;

	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)(1 + t % 12);
	m->time = (uint32_t)(now + skews[f & 7]);
	m->xid = u8();
	switch (m->type) {
	case FO_CONNECT:
		fill_hello(m, (t & 0x80) != 0);
		m->has |= FO_M_TLS_REQUEST;
		if (!(f & 0x08))
			m->has |= FO_M_MCLT;
		if (!(f & 0x10))
			m->has |= FO_M_HBA;
		m->mclt = (f & 0x20) ? 0 : 600;
		fo_hba_split(m->hba, u8() % 2 ? 128 : 256);
		break;
	case FO_CONNECTACK:
		fill_hello(m, (t & 0x80) != 0);
		break;
	case FO_STATE:
		m->has = FO_M_SERVER_STATE | FO_M_SERVER_FLAGS | FO_M_STOS;
		if (f & 0x80)
			m->has &= ~(uint32_t)FO_M_SERVER_STATE;
		m->server_state = (f & 0x40) ? u8() :
		    (uint8_t)fo_state_to_wire((enum fo_state)(3 + u8() % 11));
		m->server_flags = (f & 0x08) ? FO_SERVER_FLAG_STARTUP : 0;
		m->stos = (uint32_t)(now - ((f & 0x10) ? 10000 : 5));
		break;
	case FO_BNDUPD:
		for (size_t n = 1 + u8() % 4; n > 0; n--)
			fill_binding(&m->b[m->nb++], now);
		if (!isc && (f & 0x08))
			fill_ranges(m);
		break;
	case FO_BNDACK:
		if (p != NULL)
			fill_bndack(m, p);
		break;
	case FO_DISCONNECT:
		m->has = FO_M_REJECT | ((f & 8) ? FO_M_MESSAGE : 0);
		m->reject = u8() % 22;
		snprintf(m->message, sizeof(m->message), "bye");
		break;
	case FO_POOLRESP:
		m->has = FO_M_ADDR_TRANSFERRED;
		m->addr_transferred = u8();
		break;
	default:		/* POOLREQ, UPDREQALL, UPDDONE, UPDREQ, CONTACT */
		break;
	}
	return (f & 0x20) != 0;		/* a signature spoilt */
}

static struct fo_peer *peer(void);

/* A read whose end (read_done) is still to come: fo_conn.c ends every read
 * before anything else runs, so the harness does too. */
static struct fo_conn *unread;

static void
end_read(void)
{
	struct fo_conn *c = unread;

	unread = NULL;
	if (c != NULL && conn_live(c) && c->cb->read_done != NULL)
		c->cb->read_done(c->arg, c);
}

/* Encode, sign as the relationship wants (or spoil it), hand to c. */
static void
deliver(struct fo_conn *c, struct fo_msg *m, int spoil, int read_done)
{
	struct fo_peer *p = peer();
	uint8_t buf[FO_MSG_MAX];
	size_t len;

	if (fo_msg_encode(m, buf, sizeof(buf) - FO_DIGEST_ROOM, &len) == -1)
		return;
	if (secret != NULL && !(spoil && (m->xid & 1)) &&
	    fo_msg_sign(buf, &len, sizeof(buf), secret) == -1)
		return;
	if (spoil && secret != NULL && len > 20)
		buf[12 + m->xid % (len - 12)] ^= 0x40;
	if (p != NULL && c == p->conn && p->link == FO_LINK_OK && m->type <= 12)
		matrix[p->rel.state][m->type]++;
	if (unread != NULL && unread != c)
		end_read();
	c->cb->message(c->arg, c, buf, len);
	unread = c;
	if (read_done)
		end_read();
}

/* ---- the DHCP engine's lease writes ---- */

/* Whether addr is free and this server's to give, in the free-space view. */
static int
free_for_us(struct fo_peer *p, uint32_t addr)
{
	struct rebal_run *runs;
	size_t n;
	int ok = 0;

	if (store_free_runs(st, SUBNET, &runs, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (addr >= runs[i].start && addr <= runs[i].end)
			ok = runs[i].owner == p->rel.server_type || p->takeover;
	free(runs);
	return ok;
}

/* A client gets, renews, releases or lets expire an address, as the engine
 * would write it (only what fo_serves allows and the address permits). */
static void
engine_write(struct fo_peer *p)
{
	static const enum lease_state to[] = { LEASE_ACTIVE, LEASE_ACTIVE,
	    LEASE_RELEASED, LEASE_EXPIRED };
	uint8_t f = u8();
	struct lease cur, l;
	int have, who;

	memset(&l, 0, sizeof(l));
	l.address = RANGE_LO + u8() % 32;
	l.subnet = SUBNET;
	l.hwlen = 6;
	memcpy(l.hwaddr, "\x02\x00\x00\x00\x00\x00", 6);
	l.hwaddr[5] = f % NCLIENTS;
	l.state = to[(f >> 3) & 3];
	l.starts = l.cltt = fake_wall;
	l.ends = fake_wall + ((f & 0x20) ? 60 : 3600);
	l.owner = p->rel.server_type;
	l.fo_sync = 1;
	if (fo_serves(fo, "r", (f & 0x40) ? FO_ASK_OTHER : FO_ASK_NEW, f % 256,
	    0) == FO_SERVE_NO && l.state == LEASE_ACTIVE)
		return;
	have = store_lease_get(st, l.address, &cur) == 0;
	if (l.state == LEASE_ACTIVE) {
		if (have && cur.state == LEASE_ACTIVE) {
			if (cur.hwlen != 6 || memcmp(cur.hwaddr, l.hwaddr, 6) != 0)
				return;		/* another client's */
		} else if (!free_for_us(p, l.address))
			return;
	} else if (!have || cur.state != LEASE_ACTIVE || cur.hwlen != 6 ||
	    memcmp(cur.hwaddr, l.hwaddr, 6) != 0)
		return;
	who = l.state == LEASE_EXPIRED ? LEASE_BY_EXPIRY : LEASE_BY_DHCP;
	if (store_begin(st) == -1)
		return;
	if (store_lease_put(st, &l, who) != 0 || store_commit(st) == -1)
		store_rollback(st);
	fo_kick(fo);
	loop();
}

/* ---- invariants ---- */

static void
check_peer(struct fo_peer *p)
{
	CHECK(p->rel.state > FO_NO_STATE && p->rel.state < FO_NSTATES);
	CHECK(p->rel.prev_state >= FO_NO_STATE && p->rel.prev_state < FO_NSTATES);
	CHECK(p->partner_state >= FO_NO_STATE && p->partner_state < FO_NSTATES);
	CHECK(p->link >= FO_LINK_DOWN && p->link <= FO_LINK_OK);
	CHECK((p->conn == NULL) == (p->link == FO_LINK_DOWN));
	CHECK(p->conn == NULL || conn_live(p->conn));
	CHECK(p->nfl <= p->capfl && p->nrq <= p->caprq);
	CHECK(p->nackq <= p->capackq || p->nackq == 0);
	CHECK(p->nackm == 0 || p->ackm[p->nackm - 1].end <= p->nackq);
}

/* The stored state is the peer's; every ACTIVE lease is the same client's
 * in the in-memory view and SQL, and not free to allocate. */
static void
check_store(struct fo_peer *p)
{
	struct fo_rel r;
	struct lease *v, mem;
	struct rebal_run *runs;
	size_t n, nr;

	if (!store_in_txn(st) && store_rel_get(st, "r", &r) == 0) {
		CHECK(r.state == p->rel.state);
		fo_rel_fini(&r);
	}
	if (store_lease_list(st, 0, 0, 256, &v, &n) != 0)
		return;
	if (store_free_runs(st, SUBNET, &runs, &nr) != 0)
		nr = 0, runs = NULL;
	for (size_t i = 0; i < n; i++) {
		CHECK(v[i].state > LEASE_NONE && v[i].state < LEASE_OFFERED);
		if (v[i].state != LEASE_ACTIVE)
			continue;
		CHECK(store_lease_get(st, v[i].address, &mem) == 0);
		CHECK(mem.state == LEASE_ACTIVE && mem.hwlen == v[i].hwlen &&
		    memcmp(mem.hwaddr, v[i].hwaddr, mem.hwlen) == 0 &&
		    mem.cidlen == v[i].cidlen &&
		    memcmp(mem.client_id, v[i].client_id, mem.cidlen) == 0);
		for (size_t k = 0; v[i].subnet == SUBNET && k < nr; k++)
			CHECK(v[i].address < runs[k].start || v[i].address > runs[k].end);
	}
	free(runs);
	free(v);
}

/* ---- events ---- */

static const int64_t steps[] = { 1, 1, 1, 2, 3, 5, 8, 11, 16, 30, 61, 300,
	599, 601, 3600, 86400 };

static void
ev_tick(struct fo_peer *p)
{
	uint8_t f = u8();

	fake_advance(steps[f & 15]);
	if (p->tick != NULL)
		event_active(p->tick, EV_TIMEOUT, 0);
	loop();
}

/* A connection event: established, closed, refused; an accepted one. */
static void
ev_conn(struct fo_peer *p)
{
	static struct fo_msg m;
	uint8_t f = u8();
	struct fo_conn *c = p->conn;

	switch (f & 7) {
	case 0: case 1:
		if (c != NULL && p->link == FO_LINK_CONNECTING)
			c->cb->connected(c->arg, c);
		break;
	case 2:
		if (c != NULL)
			c->cb->closed(c->arg, c, "closed by the partner");
		break;
	case 3:
		send_fails = 1 + (f >> 3) % 3;
		break;
	default:		/* accepted: the partner's address or another */
		if (!listening || accept_cb == NULL)
			break;
		accept_cb(accept_arg, -1, (f & 8) ? 0x0a4d0009u : p->partner_addr);
		if (fo->npending > 0 && (f & 0x10)) {
			c = fo->pending[fo->npending - 1];
			deliver(c, &m, build(&m, p), 1);
		} else if (fo->npending > 0 && (f & 0x20)) {
			c = fo->pending[fo->npending - 1];
			c->cb->closed(c->arg, c, "closed");
		}
		break;
	}
	loop();
}

static void
ev_raw(struct fo_peer *p)
{
	uint8_t buf[FO_MSG_MAX];
	size_t n = u8() * 8u + u8() % 8;
	struct fo_conn *c = p->conn;

	if (n > inlen - inpos)
		n = inlen - inpos;
	if (n > sizeof(buf))
		n = sizeof(buf);
	memcpy(buf, in + inpos, n);
	inpos += n;
	if (c == NULL || n < FO_MSG_MIN || fo_msg_frame_len(buf, n) != (int)n)
		return;		/* fo_conn frames the stream: only whole messages */
	if (unread != NULL && unread != c)
		end_read();
	c->cb->message(c->arg, c, buf, n);
	unread = c;
}

static void
rebal_done(void *arg, json_t *result, int code, const char *detail)
{
	json_decref(result);
}

static void
stopped(void *arg)
{
	*(int *)arg = 1;
}

/* What the operator and the DHCP engine ask. */
static void
ev_operator(struct fo_peer *p)
{
	static int stop_done;
	uint8_t f = u8();
	struct fo_rel rel;
	json_t *j;

	switch (f & 7) {
	case 0: case 1:		/* failover.set: a state */
		rel = p->rel;	/* the row written, then fo_sync (ctl_fo.c) */
		rel.state = (enum fo_state)(1 + u8() % 13);
		if (store_rel_update(st, &rel) == 0)
			fo_sync(fo);
		break;
	case 2:
		fo_trigger(fo, "r", rebal_done, NULL);
		break;
	case 3:
		if (fo->stopped == NULL) {
			stop_done = 0;
			fo_shutdown(fo, stopped, &stop_done);
		}
		break;
	case 4:
		j = fo_status(fo, "r");
		CHECK(j != NULL);
		json_decref(j);
		CHECK(fo_partner_state(fo, "r") == p->partner_state);
		break;
	default: {
		enum fo_serve s = fo_serves(fo, "r", (enum fo_ask)(u8() % 3), u8(),
		    u8());

		CHECK(s == FO_SERVE_NO || s == FO_SERVE_YES || s == FO_SERVE_KNOWN);
		break;
	}
	}
	loop();
}

/* ---- one input ---- */

/* Through the handshake into contact, then the state the input chose, set
 * as failover.set would (tests/unit/check_fo_peer.c: in_contact). */
static void
contact(struct fo_peer *p, enum fo_state state, int isc)
{
	static struct fo_msg m;
	enum fo_state partner = (enum fo_state)(3 + u8() % 11);

	event_active(p->tick, EV_TIMEOUT, 0);
	loop();
	if (p->conn == NULL)
		return;
	p->conn->cb->connected(p->conn->arg, p->conn);
	memset(&m, 0, sizeof(m));
	m.time = (uint32_t)fake_wall;
	if (p->rel.server_type == FO_PRIMARY) {
		m.type = FO_CONNECTACK;
		m.xid = p->xid;
	} else {
		m.type = FO_CONNECT;
		m.has = FO_M_MCLT | FO_M_HBA;
		m.mclt = p->rel.mclt;
		fo_hba_split(m.hba, 128);
	}
	m.has |= FO_M_RELATIONSHIP | FO_M_MAX_UNACKED | FO_M_RECEIVE_TIMER |
	    FO_M_VENDOR_CLASS | FO_M_PROTOCOL_VERSION;
	snprintf(m.relationship, sizeof(m.relationship), "r");
	m.max_unacked = isc ? 10 : 128;
	m.receive_timer = 10;
	snprintf(m.vendor_class, sizeof(m.vendor_class), "%s", isc ?
	    "isc-dhcp-4.4.3" : "dhcpfod-0.1.0");
	m.protocol_version = 1;
	deliver(p->conn, &m, 0, 1);
	if (p->conn == NULL)
		return;
	memset(&m, 0, sizeof(m));
	m.type = FO_STATE;
	m.time = (uint32_t)fake_wall;
	m.has = FO_M_SERVER_STATE | FO_M_SERVER_FLAGS | FO_M_STOS;
	m.server_state = (uint8_t)fo_state_to_wire(partner);	/* first contact */
	m.stos = (uint32_t)fake_wall - 50;
	deliver(p->conn, &m, 0, 1);
	if (p->link != FO_LINK_OK)
		return;
	p->rel.state = state;		/* as failover.set would */
	p->rel.stos = fake_wall;
	store_rel_update(st, &p->rel);
	p->partner_state = partner;
}

static void
run(void)
{
	static struct fo_msg m;
	char err[128];
	enum fo_state state;
	uint8_t b0 = u8(), b1 = u8(), b2 = u8();
	struct fo_peer *p;

	state = (enum fo_state)(FO_INIT + b0 % (FO_NSTATES - FO_INIT));
	reset(state, b1);
	commit_wanted = 0;
	/* without an engine failover commits on its own and asks the store */
	if ((fo = fo_new(&d, (b2 & 4) ? NULL : &engine, err, sizeof(err))) == NULL ||
	    (p = peer()) == NULL)
		abort();
	event_del(p->tick);		/* only the input's ticks run it */
	if (b2 & 1)
		contact(p, state, (b1 & 0x10) != 0);
	else if (b2 & 2) {
		p->rel.state = state;	/* resumed without contact */
		store_rel_update(st, &p->rel);
	}
	check_peer(p);
	for (int n = 0; n < MAX_EVENTS && inpos < inlen; n++) {
		uint8_t op = u8();

		if (op % 10 > 3 && op % 10 != 9)
			end_read();	/* anything but another message of the read */
		switch (op % 10) {
		case 0: case 1: case 2: case 3:
			if (p->conn != NULL)
				deliver(p->conn, &m, build(&m, p), op & 0x10);
			break;
		case 4:		/* the read ends */
			loop();
			break;
		case 5:
			ev_tick(p);
			break;
		case 6:
			ev_conn(p);
			break;
		case 7:
			engine_write(p);
			break;
		case 8:
			ev_operator(p);
			break;
		default:
			ev_raw(p);
			break;
		}
		check_peer(p);
	}
	end_read();
	loop();
	check_store(p);
	fo_free(fo);
	fo = NULL;
	CHECK(conns == NULL);		/* every connection freed */
	loop();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (st == NULL)
		setup_once();
	fake_reset();
	in = data;
	inlen = size;
	inpos = 0;
	send_fails = 0;
	unread = NULL;
	run();
	if (store_in_txn(st))
		store_rollback(st);
	return 0;
}
