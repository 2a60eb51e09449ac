/* DHCP server logic, RFC 2131 §4.3: a table of handlers by message type. The
 * store holds the leases (writes join the caller's pass, committed before any
 * reply leaves); the pool says which free addresses this server may give. */
#include <sys/random.h>

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "daemon.h"
#include "dhcp_limit.h"
#include "dhcp_pkt.h"
#include "dhcp_pool_int.h"
#include "dhcp_srv.h"
#include "fo.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* [limits]: how many clients (hardware addresses) and relays the buckets
 * remember; the least recently charged is forgotten first. */
#define DHCP_LIMIT_MACS		8192
#define DHCP_LIMIT_RELAYS	1024
#define DHCP_QUIET_SECS		60	/* a flood's log lines this far apart */

/* A log line that a flood of clients would repeat: said at once, then at
 * most once a DHCP_QUIET_SECS with how many there were meanwhile. */
struct quiet {
	int64_t		last;		/* monotonic second it was last said */
	uint64_t	count;		/* occurrences since */
};

struct dhcp_srv {
	struct daemon	*d;
	struct pool	*pool;
	struct limit	*by_mac;	/* new allocations per hardware address */
	struct limit	*by_relay;	/* ... per relay (giaddr) or interface */
	struct quiet	 q_limit;	/* refused by [limits] */
	struct quiet	 q_exhausted;	/* a DISCOVER found its scope exhausted */
};

/* One request being handled. */
struct req {
	const struct dhcp_in	*in;
	struct dhcp_pkt		 pkt;
	struct pool_scope	*ps;
	const uint8_t		*cid;		/* client identifier (61), or NULL */
	size_t			 cidlen;
	int64_t			 now;
	int64_t			 now_us;	/* monotonic, for the rate limits */
	int64_t			 cltt;		/* the client's transaction: now, or
						 * when a RELEASE/DECLINE arrived */
	struct lease		 lease;		/* the client's lease in this scope */
	int			 has_lease;
	struct lease		 prev;		/* its other binding, when it moves */
	int			 has_prev;
	int64_t			 pot_exp;	/* failover: potential expiry to send */
	int			 known_only;	/* failover: FO_SERVE_KNOWN */
};

typedef int (*msg_handler)(struct dhcp_srv *, struct req *, struct dhcp_out *);

struct dhcp_srv *
dhcp_srv_new(struct daemon *d, struct pool *pool)
{
	struct dhcp_srv *s = calloc(1, sizeof(*s));
	uint64_t seed;

	if (s == NULL)
		return NULL;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time_mono_us() ^ (uint64_t)(uintptr_t)s;
	s->d = d;
	s->pool = pool;
	if ((s->by_mac = limit_new(DHCP_LIMIT_MACS, seed)) == NULL ||
	    (s->by_relay = limit_new(DHCP_LIMIT_RELAYS, ~seed)) == NULL) {
		dhcp_srv_free(s);
		return NULL;
	}
	return s;
}

void
dhcp_srv_free(struct dhcp_srv *s)
{
	if (s == NULL)
		return;
	limit_free(s->by_mac);
	limit_free(s->by_relay);
	free(s);
}

/* Join the current pass's transaction, opening it on the first write. */
static int
pass_write(struct dhcp_srv *s)
{
	struct store *st = s->d->store;

	if (store_in_txn(st))
		return 0;
	if (store_begin(st) == -1) {
		log_warnx("dhcp: cannot start a transaction: %s", store_errmsg(st));
		return -1;
	}
	return 0;
}

/* An option as a host-order address (4 bytes), or 0. */
static uint32_t
opt_addr(const struct dhcp_pkt *p, uint8_t code)
{
	size_t len;
	const uint8_t *v = dhcp_pkt_opt(p, code, &len);

	if (v == NULL || len != 4)
		return 0;
	return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

/* The scope a request belongs to (RFC 3011 subnet selection, the relay's
 * giaddr, the client's own address, the receiving interface). */
static struct pool_scope *
req_scope(struct dhcp_srv *s, struct req *r)
{
	uint32_t sel = opt_addr(&r->pkt, DHO_SUBNET_SELECT);

	if (sel == 0)
		sel = r->pkt.giaddr;
	if (sel == 0)
		sel = r->pkt.ciaddr;
	if (sel == 0)
		sel = r->in->if_addr;
	return sel ? pool_scope_of(s->pool, sel) : NULL;
}

/* The client's lease in the request's scope, by client identifier or else by
 * hardware address (RFC 2131 §4.2). */
static int
req_find_lease(struct dhcp_srv *s, struct req *r)
{
	struct store *st = s->d->store;
	int rc;

	if (r->cid != NULL)
		rc = store_lease_get_cid(st, r->ps->sc.subnet, r->cid, r->cidlen, &r->lease);
	else
		rc = store_lease_get_client_hw(st, r->ps->sc.subnet, r->pkt.chaddr,
		    r->pkt.hlen, &r->lease);
	if (rc == -1)
		log_warnx("dhcp: lease lookup: %s", store_errmsg(st));
	r->has_lease = rc == 0;
	return rc == -1 ? -1 : 0;
}

/* Whether a lease row belongs to the requesting client (RFC 2131 §4.2: the
 * client identifier if it sent one, else the hardware address). */
static int
lease_is_clients(const struct req *r, const struct lease *l)
{
	if (r->cid != NULL)
		return l->cidlen == r->cidlen && memcmp(l->client_id, r->cid, r->cidlen) == 0;
	return l->cidlen == 0 && l->hwlen == r->pkt.hlen &&
	    memcmp(l->hwaddr, r->pkt.chaddr, l->hwlen) == 0;
}

/* Make the client's row of addr the request's lease, if it has one: a client
 * may hold one binding and be offered another (its reservation). */
static void
req_use_row(struct dhcp_srv *s, struct req *r, uint32_t addr)
{
	struct lease l;

	if (addr == 0 || (r->has_lease && r->lease.address == addr))
		return;
	if (store_lease_get(s->d->store, addr, &l) == 0 && lease_is_clients(r, &l)) {
		r->prev = r->lease;
		r->has_prev = r->has_lease;
		r->lease = l;
		r->has_lease = 1;
	}
}

/* Whether the client's lease row still holds its address for it. */
static int
lease_held(const struct req *r)
{
	return r->has_lease && (r->lease.state == LEASE_ACTIVE ||
	    r->lease.state == LEASE_OFFERED) &&
	    (r->lease.ends == 0 || r->lease.ends > r->now ||
	    r->lease.state == LEASE_ACTIVE);
}

/* Write the client's binding of addr in state until ends, in this pass. */
static int
lease_write(struct dhcp_srv *s, struct req *r, uint32_t addr,
    enum lease_state state,
    int64_t ends)
{
	struct lease l = { 0 };
	size_t len;
	const uint8_t *host = dhcp_pkt_opt(&r->pkt, DHO_HOST_NAME, &len);

	l.address = addr;
	l.subnet = r->ps->sc.subnet;
	l.hwlen = r->pkt.hlen;
	memcpy(l.hwaddr, r->pkt.chaddr, r->pkt.hlen);
	l.cidlen = (uint8_t)r->cidlen;
	if (r->cid)
		memcpy(l.client_id, r->cid, r->cidlen);
	if (host != NULL && len < sizeof(l.hostname) && memchr(host, 0, len) == NULL)
		memcpy(l.hostname, host, len);
	l.state = state;
	l.starts = r->now;
	l.cltt = r->cltt;
	l.ends = ends;
	l.owner = r->ps->role < 0 ? FO_PRIMARY : r->ps->role;
	if (state == LEASE_OFFERED && pool_partners(r->ps, addr))
		l.owner = r->ps->role == FO_PRIMARY ? FO_SECONDARY : FO_PRIMARY;
	/* failover: the partner hears of every binding but an offer (draft-12
	 * §7.1) and the times it acknowledged stay with the address */
	l.fo_sync = r->ps->role >= 0 && state != LEASE_OFFERED;
	if (r->has_lease && r->lease.address == addr) {
		l.ack_pot_exp = r->lease.ack_pot_exp;
		l.recv_pot_exp = r->lease.recv_pot_exp;
	}
	if (state == LEASE_ACTIVE)
		l.sent_pot_exp = r->pot_exp;
	if (pass_write(s) == -1 ||
	    store_lease_put(s->d->store, &l, LEASE_BY_DHCP) == -1) {
		log_warnx("dhcp: cannot write lease: %s", store_errmsg(s->d->store));
		return -1;
	}
	r->lease = l;
	r->has_lease = 1;
	return ends ? pool_due_add(s->pool, addr, ends) : 0;
}

/* RFC 2131 §4.1 and §4.4.5: where the reply goes. */
static void
reply_route(const struct req *r, struct dhcp_out *out, uint32_t yiaddr)
{
	out->ifindex = r->in->ifindex;
	out->unicast_hw = 0;
	out->hlen = r->pkt.hlen;
	memcpy(out->chaddr, r->pkt.chaddr, sizeof(out->chaddr));
	if (r->pkt.giaddr != 0) {
		out->dst = r->pkt.giaddr;
		out->port = DHCP_SERVER_PORT;
	} else if (out->type == DHCPNAK) {
		out->dst = 0xffffffff;
		out->port = DHCP_CLIENT_PORT;
	} else if (r->pkt.ciaddr != 0) {
		out->dst = r->pkt.ciaddr;
		out->port = DHCP_CLIENT_PORT;
	} else if ((r->pkt.flags & DHCP_FLAG_BROADCAST) || yiaddr == 0) {
		out->dst = 0xffffffff;
		out->port = DHCP_CLIENT_PORT;
	} else {
		out->dst = yiaddr;
		out->port = DHCP_CLIENT_PORT;
		out->unicast_hw = 1;
	}
}

/* Build a reply of `type` offering/acking yiaddr for lease_time seconds
 * (0: no lease options, as for INFORM and NAK). */
static int
reply(struct dhcp_srv *s, struct req *r, struct dhcp_out *out, int type,
    uint32_t yiaddr, uint32_t lease_time, const char *nak_msg)
{
	struct dhcp_reply rep = { 0 };

	rep.type = type;
	rep.yiaddr = yiaddr;
	rep.server_id = r->in->server_id;
	if (type != DHCPNAK && r->ps != NULL) {
		rep.lease_time = lease_time;
		rep.t1 = lease_time == 0xffffffff ? lease_time : lease_time / 2;
		rep.t2 = lease_time == 0xffffffff ? lease_time :
		    (uint32_t)((uint64_t)lease_time * 7 / 8);
		rep.subnet_mask = r->ps->sc.mask;
		rep.opts = &r->ps->sc.options;
	}
	rep.message = nak_msg;
	out->type = type;
	if (dhcp_pkt_encode_reply(&r->pkt, &rep, out->buf, sizeof(out->buf),
	    &out->len) == -1) {
		log_warnx("dhcp: cannot encode a reply for xid 0x%08x", r->pkt.xid);
		return -1;
	}
	reply_route(r, out, type == DHCPNAK ? 0 : yiaddr);
	return 1;
}

/* Whether a reserved addr cannot be offered now: another client holds it (a
 * reservation made over a live lease waits until that lease ends), or it was
 * declined (ABANDONED, RFC 2131 §4.3.3: in use by something else, until the
 * operator deletes that lease); the client then gets a dynamic address. */
static int
resv_unusable(struct dhcp_srv *s, const struct req *r, uint32_t addr)
{
	struct lease l;

	if (store_lease_get(s->d->store, addr, &l) != 0)
		return 0;
	if (l.state == LEASE_ABANDONED)
		return 1;
	if (lease_is_clients(r, &l))
		return 0;
	return (l.state == LEASE_ACTIVE || l.state == LEASE_OFFERED) &&
	    (l.ends == 0 || l.ends > r->now);
}

/* Whether the client's own EXPIRED or RELEASED binding of addr may be given
 * back to it (draft-12 §5.2.2, "rewind"): the partner has not been told of
 * the change, so it still holds the client's binding, and nobody else can
 * have the address. Else a client whose old address awaits the partner's
 * acknowledgement (COMMUNICATION_INT) would take a new one each time. */
static int
may_rewind(struct dhcp_srv *s, const struct req *r, uint32_t addr)
{
	return r->ps->role >= 0 && r->has_lease && r->lease.address == addr &&
	    (r->lease.state == LEASE_EXPIRED || r->lease.state == LEASE_RELEASED) &&
	    store_lease_unsent(s->d->store, addr);
}

/* The relay a request came through: its giaddr, or for a client on a
 * directly attached segment the interface (one "relay" per interface). */
static uint64_t
relay_key(const struct req *r)
{
	return r->pkt.giaddr != 0 ? r->pkt.giaddr :
	    (1ULL << 32) | (uint32_t)r->in->ifindex;
}

/* The client's hardware address (chaddr: 6 bytes, the codec takes no other)
 * as a key; the client identifier is not, so that one hardware address
 * cannot pass for many clients. */
static uint64_t
mac_key(const struct req *r)
{
	uint64_t k = 0;

	for (size_t i = 0; i < r->pkt.hlen && i < 8; i++)
		k = k << 8 | r->pkt.chaddr[i];
	return k;
}

/* One more occurrence of q's line: whether to say it now, and in *n how
 * many occurrences it stands for. */
static int
quiet_due(struct quiet *q, uint64_t *n)
{
	int64_t now = time_mono();

	q->count++;
	if (q->last != 0 && now - q->last < DHCP_QUIET_SECS)
		return 0;
	*n = q->count;
	q->last = now;
	q->count = 0;
	return 1;
}

/* A new allocation refused by a rate limit: counted, and logged quietly. */
static void
limit_refused(struct dhcp_srv *s, const struct req *r, enum stats_drop why)
{
	char a[16], hw[3 * 16];
	uint64_t n;

	s->d->stats.drops[why]++;
	if (!quiet_due(&s->q_limit, &n))
		return;
	log_notice("dhcp: new allocations refused by [limits]: %llu since the "
	    "last report, this one %s (hwaddr %s, relay %s)",
	    (unsigned long long)n, stats_drop_name(why),
	    hwaddr_str(r->pkt.chaddr, r->pkt.hlen, hw), r->pkt.giaddr ?
	    addr_str(r->pkt.giaddr, a) : "none: a direct client");
}

/* Whether the client may have a new address now (dhcpfod.conf(5),
 * [limits]): its hardware address's bucket, then its relay's. */
static int
limit_ok(struct dhcp_srv *s, const struct req *r)
{
	const struct conf *c = s->d->conf;

	if (c == NULL)
		return 1;
	if (!limit_allows(s->by_mac, mac_key(r), &c->mac_rate, r->now_us)) {
		limit_refused(s, r, DROP_RATE_MAC);
		return 0;
	}
	if (!limit_allows(s->by_relay, relay_key(r), &c->relay_rate, r->now_us)) {
		limit_refused(s, r, DROP_RATE_RELAY);
		return 0;
	}
	return 1;
}

/* A new address was taken from the pool for the client: one from each
 * bucket. */
static void
limit_used(struct dhcp_srv *s, const struct req *r)
{
	const struct conf *c = s->d->conf;

	if (c == NULL)
		return;
	limit_charge(s->by_mac, mac_key(r), &c->mac_rate, r->now_us);
	limit_charge(s->by_relay, relay_key(r), &c->relay_rate, r->now_us);
}

/* A new address from the pool: the client's old one if free and ours, the
 * one it asks for, or the lowest free; -1 exhausted. */
static int
choose_new(struct req *r, uint32_t want, uint32_t *addr)
{
	if (r->has_lease && lease_state_is_free(r->lease.state) &&
	    pool_take(r->ps, r->lease.address) == 0) {
		*addr = r->lease.address;
		return 0;
	}
	if (want != 0 && pool_take(r->ps, want) == 0) {
		*addr = want;
		return 0;
	}
	return pool_alloc(r->ps, addr);
}

/* The address to offer (RFC 2131 §4.3.1): the client's reservation, its
 * current or previous binding, or a new one from the pool if the rate
 * limits allow. 0, -1 exhausted, -2 refused by a limit (counted). */
static int
choose_offer(struct dhcp_srv *s, struct req *r, uint32_t *addr)
{
	const struct reservation *rv = pool_resv_of(r->ps, r->pkt.chaddr, r->pkt.hlen);

	if (rv != NULL && !resv_unusable(s, r, rv->address)) {
		*addr = rv->address;
		return 0;
	}
	if (lease_held(r) || may_rewind(s, r, r->lease.address)) {
		*addr = r->lease.address;
		return 0;
	}
	if (!limit_ok(s, r))
		return -2;
	if (choose_new(r, opt_addr(&r->pkt, DHO_REQUESTED_ADDR), addr) == -1)
		return -1;
	limit_used(s, r);
	return 0;
}

/* The lease time to give for addr (draft-12 §5.2.1): in a relationship at
 * most MCLT beyond what the partner knows of (the potential expiry it
 * acknowledged or sent us); the potential expiry to send goes in r. */
static uint32_t
lease_time(struct req *r, uint32_t addr)
{
	uint32_t want = r->ps->sc.lease_time, lt = want;
	int64_t known = 0;

	if (r->ps->role < 0)
		return want;
	if (r->has_lease && r->lease.address == addr)
		known = r->lease.ack_pot_exp > r->lease.recv_pot_exp ?
		    r->lease.ack_pot_exp : r->lease.recv_pot_exp;
	known = (known > r->now ? known - r->now : 0) + r->ps->mclt;
	if ((int64_t)lt > known)
		lt = (uint32_t)known;
	r->pot_exp = r->now + (want == 0xffffffff ? 0x7fffffff : (int64_t)want) + lt / 2;
	return lt;
}

/* A DISCOVER found its scope exhausted: counted, logged quietly (a
 * starvation flood makes thousands). */
static int
exhausted(struct dhcp_srv *s, struct req *r)
{
	uint64_t n;

	r->ps->exhausted++;
	s->d->stats.drops[DROP_EXHAUSTED]++;
	if (quiet_due(&s->q_exhausted, &n))
		log_info("dhcp: scope %s exhausted: no offer for xid 0x%08x (%llu "
		    "DISCOVERs found a scope exhausted since the last report)",
		    addr_str(r->ps->sc.subnet, (char[16]){ 0 }), r->pkt.xid,
		    (unsigned long long)n);
	return -1;
}

/* DHCPDISCOVER -> DHCPOFFER, the address held for DHCP_OFFER_HOLD seconds. */
static int
h_discover(struct dhcp_srv *s, struct req *r, struct dhcp_out *out)
{
	uint32_t addr;
	int rc;

	if ((rc = choose_offer(s, r, &addr)) == -2)
		return -1;
	if (rc == -1)
		return exhausted(s, r);
	if (!(lease_held(r) && r->lease.address == addr && r->lease.state ==
	    LEASE_ACTIVE) && lease_write(s, r, addr, LEASE_OFFERED,
	    r->now + DHCP_OFFER_HOLD) == -1)
		return -1;
	return reply(s, r, out, DHCPOFFER, addr, lease_time(r, addr), NULL);
}

/* Grant addr to the client: ACTIVE until now + lease time, then DHCPACK. */
static int
ack(struct dhcp_srv *s, struct req *r, struct dhcp_out *out, uint32_t addr)
{
	uint32_t lt = lease_time(r, addr);
	int64_t ends = lt == 0xffffffff ? 0 : r->now + lt;
	struct lease old = r->prev;

	if (lease_write(s, r, addr, LEASE_ACTIVE, ends) == -1)
		return -1;
	if (r->has_prev && old.address != addr && !lease_state_is_free(old.state)) {
		/* one binding per client: the one it moved away from is free, in
		 * a relationship once the partner knows (RELEASED until then) */
		old.state = r->ps->role < 0 ? LEASE_FREE : LEASE_RELEASED;
		old.fo_sync = r->ps->role >= 0;
		if (store_lease_put(s->d->store, &old, LEASE_BY_DHCP) == 0 &&
		    r->ps->role < 0)
			pool_give_back(r->ps, old.address);
	}
	out->durable = 1;
	s->d->stats.leases_granted++;
	return reply(s, r, out, DHCPACK, addr, lt, NULL);
}

static int
nak(struct dhcp_srv *s, struct req *r, struct dhcp_out *out, const char *why)
{
	log_debug("dhcp: NAK xid 0x%08x: %s", r->pkt.xid, why);
	return reply(s, r, out, DHCPNAK, 0, 0, why);
}

/* Whether the partner knows of the client's binding of addr: ACTIVE, with
 * a potential expiration time it acknowledged or sent still ahead, so that
 * a renewal within MCLT of it (lease_time) is safe whatever the partner did
 * meanwhile (draft-12 §5.2.1, §9.4.2: it reuses the address no earlier). */
static int
partner_knows(const struct req *r, uint32_t addr)
{
	const struct lease *l = &r->lease;

	return r->has_lease && l->address == addr && l->state == LEASE_ACTIVE &&
	    (l->ack_pot_exp > r->now || l->recv_pot_exp > r->now);
}

/* Whether the client may have addr now: its binding, or its old address
 * free and ours again, a new allocation as far as the rate limits go.
 * 1 yes, 0 no, -1 refused by a limit (counted). */
static int
may_have(struct dhcp_srv *s, struct req *r, uint32_t addr)
{
	if (r->known_only)
		return partner_knows(r, addr);
	if (!r->has_lease || r->lease.address != addr)
		return 0;
	if (lease_held(r) || may_rewind(s, r, addr))
		return 1;
	if (!lease_state_is_free(r->lease.state))
		return 0;
	if (!limit_ok(s, r))
		return -1;
	if (pool_take(r->ps, addr) == -1)
		return 0;
	limit_used(s, r);
	return 1;
}

/* An offer ends untaken (the client chose another server, or its time ran
 * out): nothing was written for it, so the address is as it was before
 * (RFC 2131 §4.3.1: an offer needs no record), and back in the pool if it
 * is free and ours to give: its owner before the offer (the partner's, when
 * PARTNER_DOWN had taken it over) keeps it (docs/FAILOVER.md §1). */
static void
offer_drop(struct dhcp_srv *s, struct pool_scope *ps, const struct lease *offer,
    enum lease_actor who)
{
	struct lease row;
	int rc;

	if (store_offer_end(s->d->store, offer->address, who) != 0)
		return;
	rc = store_lease_get(s->d->store, offer->address, &row);
	if (rc == 0 && !lease_state_is_free(row.state))
		return;
	if (ps->role < 0 || offer->owner == ps->role || ps->takeover)
		pool_give_back(ps, offer->address);
}

/* DHCPREQUEST in SELECTING (server identifier present, RFC 2131 §4.3.2). */
static int
request_selecting(struct dhcp_srv *s, struct req *r, struct dhcp_out *out,
    uint32_t sid, uint32_t want)
{
	if (sid != r->in->server_id) {
		/* the client chose another server: our offer ends */
		if (r->has_lease && r->lease.state == LEASE_OFFERED)
			offer_drop(s, r->ps, &r->lease, LEASE_BY_DHCP);
		return 0;
	}
	req_use_row(s, r, want);
	if (r->known_only && !partner_knows(r, want))
		return 0;	/* restarted alone: no offer of ours stands */
	if (want == 0 || !r->has_lease || r->lease.address != want || !lease_held(r))
		return nak(s, r, out, "no such offer");
	return ack(s, r, out, want);
}

/* DHCPREQUEST: SELECTING, INIT-REBOOT, RENEWING or REBINDING (RFC 2131 §4.3.2). */
static int
h_request(struct dhcp_srv *s, struct req *r, struct dhcp_out *out)
{
	uint32_t sid = opt_addr(&r->pkt, DHO_SERVER_ID);
	uint32_t want = opt_addr(&r->pkt, DHO_REQUESTED_ADDR);
	uint32_t addr = want ? want : r->pkt.ciaddr;
	int ok;

	if (sid != 0)
		return request_selecting(s, r, out, sid, want);
	if (addr == 0)
		return -1;
	if ((addr & r->ps->sc.mask) != r->ps->sc.subnet)
		return nak(s, r, out, "wrong network");
	req_use_row(s, r, addr);
	if (!r->has_lease)
		return 0;	/* no record of this client: stay silent */
	if (r->known_only && !partner_knows(r, addr))
		return 0;	/* restarted alone: the partner may answer it */
	if ((ok = may_have(s, r, addr)) == -1)
		return -1;	/* a rate limit: silence, the client asks again */
	if (!ok)
		return nak(s, r, out, "address not available");
	return ack(s, r, out, addr);
}

/* The CLTT of a message that gets no reply (draft-12 §7.1.3 compares
 * CLTTs): when it arrived, not when it is read, so that a DHCPRELEASE read
 * late (this daemon was stopped or stalled) is not newer than the lease
 * the partner granted the client meanwhile. Never after now. */
static int64_t
arrival(const struct req *r)
{
	int64_t t = r->in->arrived;

	return t <= 0 || t > r->now ? r->now : t;
}

/* A DHCPRELEASE or DHCPDECLINE that arrived before the client's lease was
 * last written (read late, while the partner renewed it meanwhile) is
 * about an older lease: the client holds the newer one. */
static int
stale(struct req *r, const char *what, uint32_t addr)
{
	r->cltt = arrival(r);
	if (r->cltt >= r->lease.cltt)
		return 0;
	log_info("dhcp: %s of %s ignored: it arrived %llds before the lease it "
	    "would end was written", what, addr_str(addr, (char[16]){ 0 }),
	    (long long)(r->lease.cltt - r->cltt));
	return 1;
}

/* DHCPDECLINE: the address is in use on the wire; abandon it (§4.3.3). */
static int
h_decline(struct dhcp_srv *s, struct req *r, struct dhcp_out *out)
{
	uint32_t addr = opt_addr(&r->pkt, DHO_REQUESTED_ADDR);

	if (opt_addr(&r->pkt, DHO_SERVER_ID) != r->in->server_id ||
	    !r->has_lease || r->lease.address != addr)
		return 0;
	if (stale(r, "DHCPDECLINE", addr))
		return 0;
	log_notice("dhcp: %s declined by its client: abandoned",
	    addr_str(addr, (char[16]){ 0 }));
	lease_write(s, r, addr, LEASE_ABANDONED, 0);
	return 0;
}

/* DHCPRELEASE: the address is free again, and ours if it was (§4.3.4). */
static int
h_release(struct dhcp_srv *s, struct req *r, struct dhcp_out *out)
{
	uint32_t addr = r->pkt.ciaddr;

	if (!r->has_lease || r->lease.address != addr || r->lease.state != LEASE_ACTIVE)
		return 0;
	/* in a relationship RELEASED until the partner acknowledges, then the
	 * primary's FREE (draft-12 §5.11; fo_upd.c) */
	if (stale(r, "DHCPRELEASE", addr))
		return 0;
	if (lease_write(s, r, addr, r->ps->role < 0 ? LEASE_FREE : LEASE_RELEASED,
	    0) == -1)
		return 0;
	if (r->ps->role < 0)
		pool_give_back(r->ps, addr);
	return 0;
}

/* DHCPINFORM: configuration only, no lease (§4.3.5). */
static int
h_inform(struct dhcp_srv *s, struct req *r, struct dhcp_out *out)
{
	return reply(s, r, out, DHCPACK, 0, 0, NULL);
}

static const msg_handler handlers[] = {
	[DHCPDISCOVER] = h_discover,
	[DHCPREQUEST] = h_request,
	[DHCPDECLINE] = h_decline,
	[DHCPRELEASE] = h_release,
	[DHCPINFORM] = h_inform,
};

/* What the message is to failover's serving rules. */
static enum fo_ask
fo_ask_of(const struct req *r, int type)
{
	if (type == DHCPDISCOVER)
		return FO_ASK_NEW;
	if (type == DHCPREQUEST && opt_addr(&r->pkt, DHO_SERVER_ID) ==
	    r->in->server_id)
		return FO_ASK_SELECTING;
	return FO_ASK_OTHER;
}

/* Decode and classify; 0 ready, -1 dropped. */
static int
req_prepare(struct dhcp_srv *s, struct req *r, const uint8_t *data, size_t len,
    int *type)
{
	const uint8_t *t;
	size_t tlen;
	int reason;

	if (dhcp_pkt_decode(data, len, &r->pkt, &reason) == -1) {
		s->d->stats.drops[reason]++;
		return -1;
	}
	t = dhcp_pkt_opt(&r->pkt, DHO_MSG_TYPE, &tlen);
	*type = (t != NULL && tlen == 1) ? t[0] : 0;
	s->d->stats.rx[*type < STATS_DHCP_TYPES ? *type : 0]++;
	if (*type <= 0 || (size_t)*type >= nitems(handlers) || handlers[*type] == NULL) {
		s->d->stats.drops[DROP_BAD_OPTION]++;
		return -1;
	}
	r->cid = dhcp_pkt_opt(&r->pkt, DHO_CLIENT_ID, &r->cidlen);
	if (r->cidlen > 255 || (r->cid != NULL && r->cidlen == 0))
		r->cid = NULL, r->cidlen = 0;
	if ((r->ps = req_scope(s, r)) == NULL || !r->ps->sc.enabled) {
		s->d->stats.drops[DROP_NO_SCOPE]++;
		return -1;
	}
	return 0;
}

int
dhcp_srv_handle(struct dhcp_srv *s, const struct dhcp_in *in, const uint8_t *data,
    size_t len, struct dhcp_out *out)
{
	struct req r = { .in = in, .now = time_wall(), .now_us = time_mono_us() };
	enum fo_serve serve = FO_SERVE_YES;
	int type;

	r.cltt = r.now;

	out->durable = 0;
	if (pool_sync(s->pool) == -1) {
		log_warnx("dhcp: cannot load the pools: %s", store_errmsg(s->d->store));
		return -1;
	}
	if (req_prepare(s, &r, data, len, &type) == -1)
		return -1;
	if (r.ps->role >= 0 && type == DHCPDISCOVER)
		fo_client_waiting(s->d->fo, r.ps->sc.relationship, r.pkt.chaddr,
		    r.pkt.hlen, dhcp_pkt_hash_bucket(&r.pkt), r.pkt.secs);
	if (r.ps->role >= 0 && (serve = fo_serves(s->d->fo,
	    r.ps->sc.relationship, fo_ask_of(&r, type),
	    dhcp_pkt_hash_bucket(&r.pkt), r.pkt.secs)) == FO_SERVE_NO) {
		s->d->stats.drops[DROP_FAILOVER]++;
		return 0;	/* the partner's client, or not serving now */
	}
	r.known_only = r.ps->role >= 0 && serve == FO_SERVE_KNOWN;
	if (req_find_lease(s, &r) == -1)
		return -1;
	return handlers[type](s, &r, out);
}

/* One deadline: an offer nobody took, or a lease nobody renewed, becomes free
 * (in a relationship, still the primary's only once the partner knows — the
 * partner protocol adds that step). */
static int
expire_one(struct dhcp_srv *s, uint32_t addr, int64_t now)
{
	struct store *st = s->d->store;
	struct pool_scope *ps;
	struct lease l;

	if (store_lease_get(st, addr, &l) != 0 || l.ends == 0 || l.ends >= now ||
	    (l.state != LEASE_ACTIVE && l.state != LEASE_OFFERED))
		return 0;	/* renewed, released or gone: a stale deadline */
	ps = pool_scope_of(s->pool, addr);
	if (ps != NULL && l.state == LEASE_OFFERED) {
		offer_drop(s, ps, &l, LEASE_BY_EXPIRY);
		return 1;
	}
	if (ps == NULL || ps->role < 0) {
		l.state = LEASE_FREE;
		l.fo_sync = 0;
	} else {
		/* EXPIRED until the partner acknowledges (draft-12 §5.11) */
		l.state = LEASE_EXPIRED;
		l.fo_sync = 1;
	}
	if (pass_write(s) == -1 || store_lease_put(st, &l, LEASE_BY_EXPIRY) == -1)
		return -1;
	if (ps != NULL && lease_state_is_free(l.state))
		pool_give_back(ps, addr);
	return 1;
}

int
dhcp_srv_expire(struct dhcp_srv *s, int64_t now)
{
	uint32_t addr;
	int n = 0;

	if (pool_sync(s->pool) == -1)
		return -1;
	while (n < 10000 && pool_due_pop(s->pool, now, &addr) == 0)
		if (expire_one(s, addr, now) == 1)
			n++;
	return n;
}
