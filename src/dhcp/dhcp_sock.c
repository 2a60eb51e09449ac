/* DHCP sockets: one UDP socket per configured interface, bounded passes of
 * recvmmsg batches (read by a timer instead of per datagram under load), the
 * lease writes of a pass staged for the group commit (dhcp_commit), replies
 * by sendmmsg routed per RFC 2131 §4.1, and the one expiry timer. */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "dhcp_commit.h"
#include "dhcp_pkt.h"
#include "dhcp_pool.h"
#include "dhcp_sock.h"
#include "dhcp_srv.h"
#include "fo.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define DHCP_READ_BATCH		1024	/* datagrams per pass */
/* Under load, read every DHCP_POLL_US instead of waking up for every
 * datagram (0: never), unless datagrams come faster than DHCP_POLL_MAX_RATE a
 * second: then the loop hardly sleeps anyway, and the bursts of replies a
 * poll makes would be more than a relay can be trusted to queue. */
#ifndef DHCP_POLL_US		/* (-D to experiment) */
#define DHCP_POLL_US		1000
#endif
#ifndef DHCP_POLL_MAX_RATE
#define DHCP_POLL_MAX_RATE	30000
#endif
#ifndef DHCP_POLL_MAX_US	/* at low rates, up to this, when it takes that long
				 * for DHCP_POLL_BURST datagrams to come */
#define DHCP_POLL_MAX_US	2000
#endif
#define DHCP_POLL_BURST		16
#define DHCP_RATE_WINDOW_US	10000	/* the rate is measured over this */
#define DHCP_RCVBUF		(8 * 1024 * 1024)	/* absorbs bursts during a commit */
#define DHCP_PKT_MAX		2048
#define DHCP_MMSG		64	/* datagrams per recvmmsg / sendmmsg */

struct dhcp_iface {
	char			 name[IF_NAMESIZE];
	int			 ifindex;
	uint32_t		 addr;
	int			 fd;
	struct event		*ev;		/* readable (idle: woken per datagram) */
	struct event		*poll_ev;	/* under load: read every DHCP_POLL_US */
	int			 polling;
	int64_t			 last_pass;	/* when the last pass began (us) */
	int64_t			 win_start;	/* the rate's window: since when */
	int			 win_n;		/* datagrams in it */
	int			 fast;		/* over DHCP_POLL_MAX_RATE */
	int64_t			 rate;		/* datagrams a second, last window */
	struct dhcp_sock	*ds;
};

struct dhcp_sock {
	struct daemon		*d;
	struct pool		*pool;
	struct dhcp_srv		*srv;
	struct dhcp_iface	*ifs;
	int			 nifs;
	struct event		*timer;
	struct dhcp_commit	*commit;
	int			 paused;	/* every batch waits: reading paused */
	int			 stopped;	/* the daemon stops: never reading again */
	struct dhcp_rx		*rx;		/* one recvmmsg's datagrams */
	struct dhcp_tx		*tx;		/* replies waiting for sendmmsg */
	struct dhcp_out		*offers;	/* replies that need no commit */
	struct dhcp_pkt		*peek;		/* a request's type, while the
						 * storage fails */
};

/* The datagrams of one recvmmsg call. */
struct dhcp_rx {
	struct mmsghdr		 msg[DHCP_MMSG];
	struct iovec		 iov[DHCP_MMSG];
	struct sockaddr_in	 from[DHCP_MMSG];
	union {					/* SO_TIMESTAMP */
		struct cmsghdr	 align;
		uint8_t		 buf[CMSG_SPACE(sizeof(struct timeval))];
	}			 ctl[DHCP_MMSG];
	uint8_t			 buf[DHCP_MMSG][DHCP_PKT_MAX];
};

/* Replies queued for one sendmmsg call, all out of one interface. */
struct dhcp_tx {
	struct dhcp_iface	*ifc;
	struct mmsghdr		 msg[DHCP_MMSG];
	struct iovec		 iov[DHCP_MMSG];
	struct sockaddr_in	 to[DHCP_MMSG];
	int			 type[DHCP_MMSG];
	unsigned		 n;
};

/* The first IPv4 address of an interface; 0 if it has none. */
static uint32_t
iface_addr(const char *name)
{
	struct ifaddrs *ifa, *i;
	uint32_t a = 0;

	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i != NULL && a == 0; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
		    strcmp(i->ifa_name, name) == 0)
			a = ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->
			    sin_addr.s_addr);
	freeifaddrs(ifa);
	return a;
}

/* A UDP socket on the DHCP port that only sees this interface. */
static int
iface_open(struct dhcp_iface *ifc, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int on = 1, rcvbuf = DHCP_RCVBUF, fd;

	if ((ifc->ifindex = (int)if_nametoindex(ifc->name)) == 0) {
		snprintf(err, errlen, "interface %s: %s", ifc->name, strerror(errno));
		return -1;
	}
	ifc->addr = iface_addr(ifc->name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof(on)) == -1 ||
	    (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == -1) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifc->name,
	    (socklen_t)strlen(ifc->name)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		snprintf(err, errlen, "DHCP socket on %s port %u: %s", ifc->name, port,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	ifc->fd = fd;
	return 0;
}

/* Teach the kernel chaddr for yiaddr so a unicast reply can reach a client
 * that has no address yet (RFC 2131 §4.1); dnsmasq does the same. */
static int
arp_set(const struct dhcp_iface *ifc, const struct dhcp_out *o)
{
	struct arpreq req = { 0 };
	struct sockaddr_in *pa = (struct sockaddr_in *)(void *)&req.arp_pa;

	if (o->hlen != 6)
		return -1;
	pa->sin_family = AF_INET;
	pa->sin_addr.s_addr = htonl(o->dst);
	req.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(req.arp_ha.sa_data, o->chaddr, 6);
	req.arp_flags = ATF_COM;
	snprintf(req.arp_dev, sizeof(req.arp_dev), "%s", ifc->name);
	return ioctl(ifc->fd, SIOCSARP, &req);
}

static struct dhcp_iface *
iface_of(struct dhcp_sock *ds, int ifindex)
{
	for (int i = 0; i < ds->nifs; i++)
		if (ds->ifs[i].ifindex == ifindex)
			return &ds->ifs[i];
	return NULL;
}

/* Send the queued replies: one sendmmsg per DHCP_MMSG, a failed datagram
 * logged and skipped. */
static void
tx_flush(void *arg)
{
	struct dhcp_sock *ds = arg;
	struct dhcp_tx *tx = ds->tx;
	unsigned done = 0;

	while (done < tx->n) {
		int n = sendmmsg(tx->ifc->fd, tx->msg + done, tx->n - done, 0);

		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			log_warn("dhcp: send on %s", tx->ifc->name);
			n = 1;		/* skip the datagram that failed */
		} else {
			for (int i = 0; i < n; i++)
				ds->d->stats.tx[tx->type[done + (unsigned)i]]++;
		}
		done += (unsigned)n;
	}
	tx->n = 0;
}

/* Queue one reply out of the interface it belongs to; o must stay valid
 * until the next tx_flush. */
static void
send_out(void *arg, struct dhcp_out *o)
{
	struct dhcp_sock *ds = arg;
	struct dhcp_iface *ifc = iface_of(ds, o->ifindex);
	struct dhcp_tx *tx = ds->tx;
	uint16_t base = ds->d->conf->dhcp_port;
	struct sockaddr_in *to;
	uint32_t dst = o->dst;

	if (ifc == NULL)
		return;
	if (tx->n == DHCP_MMSG || (tx->n > 0 && tx->ifc != ifc))
		tx_flush(ds);
	tx->ifc = ifc;
	to = &tx->to[tx->n];
	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_port = htons(o->port == DHCP_SERVER_PORT ? base : (uint16_t)(base + 1));
	if (o->unicast_hw && arp_set(ifc, o) == -1)
		dst = 0xffffffff;	/* no ARP entry: RFC 2131 allows broadcast */
	to->sin_addr.s_addr = htonl(dst);
	tx->iov[tx->n] = (struct iovec){ o->buf, o->len };
	tx->msg[tx->n].msg_hdr = (struct msghdr){ .msg_name = to,
	    .msg_namelen = sizeof(*to), .msg_iov = &tx->iov[tx->n], .msg_iovlen = 1 };
	tx->type[tx->n++] = o->type < STATS_DHCP_TYPES ? o->type : 0;
}

/* Pause or resume reading every interface (back-pressure while all batches
 * wait for their fsync). */
static void
reading(void *arg, int on)
{
	struct dhcp_sock *ds = arg;

	if (ds->stopped)
		on = 0;
	ds->paused = !on;
	for (int i = 0; i < ds->nifs; i++) {
		struct dhcp_iface *ifc = &ds->ifs[i];

		ifc->polling = 0;
		evtimer_del(ifc->poll_ev);
		if (on)
			event_add(ifc->ev, NULL);
		else
			event_del(ifc->ev);
	}
}

/* Count a pass's datagrams; at the end of a window, whether they come faster
 * than DHCP_POLL_MAX_RATE. */
static void
rate_note(struct dhcp_iface *ifc, int n, int64_t now)
{
	int64_t span = now - ifc->win_start;

	ifc->win_n += n;
	if (span < DHCP_RATE_WINDOW_US)
		return;
	ifc->rate = (int64_t)ifc->win_n * 1000000 / span;
	ifc->fast = ifc->rate > DHCP_POLL_MAX_RATE;
	ifc->win_start = now;
	ifc->win_n = 0;
}

/* After a pass of n datagrams: under load (passes closer together than
 * DHCP_POLL_US) stop waking up for each datagram and read every DHCP_POLL_US
 * instead, which batches the datagrams of that time into one pass; a poll
 * that finds nothing, or a rate past DHCP_POLL_MAX_RATE, goes back to waking
 * up on the first datagram. Interrupt coalescing: at most DHCP_POLL_US of
 * latency for far fewer wake-ups, each of which costs about as much CPU as
 * handling a lease. */
static void
poll_next(struct dhcp_iface *ifc, int n, int64_t began)
{
	struct timeval tv = { 0, DHCP_POLL_US };
	int busy = n > 0 && began - ifc->last_pass < DHCP_POLL_US;

	ifc->last_pass = began;
	rate_note(ifc, n, began);
	if (ifc->rate > 0 && DHCP_POLL_BURST * 1000000 / ifc->rate > DHCP_POLL_US)
		tv.tv_usec = (suseconds_t)(DHCP_POLL_BURST * 1000000 / ifc->rate);
	if (tv.tv_usec > DHCP_POLL_MAX_US)
		tv.tv_usec = DHCP_POLL_MAX_US;
	if (ifc->ds->paused || DHCP_POLL_US == 0)
		return;
	if (ifc->polling && (n == 0 || ifc->fast)) {
		ifc->polling = 0;
		event_add(ifc->ev, NULL);
	} else if (ifc->polling || (busy && !ifc->fast)) {
		if (!ifc->polling)
			event_del(ifc->ev);
		ifc->polling = 1;
		evtimer_add(ifc->poll_ev, &tv);
	}
}

/* A commit or an fsync failed: the pools may be ahead of the store. */
static void
lost(void *arg)
{
	struct dhcp_sock *ds = arg;

	pool_invalidate(ds->pool);
}

/* Leases became durable: the failover partner may hear of them now. */
static void
durable(void *arg)
{
	struct dhcp_sock *ds = arg;

	fo_kick(ds->d->fo);
}

static const struct dhcp_commit_ops commit_ops = {
	send_out, tx_flush, reading, lost, durable
};

/* ---- failover's calls into the engine (struct fo_engine) ---- */

/* Lease writes made outside a pass (the partner's): commit them with the
 * engine's group commit. */
static void
fo_commit_soon(void *arg)
{
	struct dhcp_sock *ds = arg;

	dhcp_commit_kick(ds->commit);
}

/* What the partner told of addr, into the pools. */
static void
fo_follow(void *arg, uint32_t addr, int64_t due, int give)
{
	struct dhcp_sock *ds = arg;

	pool_follow(ds->pool, addr, due, give);
}

/* The scope of a received binding, from the pools (no query). */
static int
fo_scope_of(void *arg, uint32_t addr, const struct scope **sc)
{
	struct dhcp_sock *ds = arg;

	return pool_scope_find(ds->pool, addr, sc);
}

void
dhcp_sock_fo_engine(struct dhcp_sock *ds, struct fo_engine *e)
{
	*e = (struct fo_engine){ .arg = ds, .commit_soon = fo_commit_soon,
	    .invalidate = lost, .follow = fo_follow, .scope_of = fo_scope_of };
}

static void dhcp_timer_arm(struct dhcp_sock *);

/* Receive up to max (at most DHCP_MMSG) datagrams; how many, 0 when none is
 * waiting. */
static int
rx_fill(struct dhcp_iface *ifc, struct dhcp_rx *rx, int max)
{
	int n;

	for (int i = 0; i < max; i++) {
		rx->iov[i] = (struct iovec){ rx->buf[i], DHCP_PKT_MAX };
		rx->msg[i].msg_hdr = (struct msghdr){ .msg_name = &rx->from[i],
		    .msg_namelen = sizeof(rx->from[i]), .msg_iov = &rx->iov[i],
		    .msg_iovlen = 1, .msg_control = rx->ctl[i].buf,
		    .msg_controllen = sizeof(rx->ctl[i].buf) };
	}
	do
		n = recvmmsg(ifc->fd, rx->msg, (unsigned)max, MSG_DONTWAIT, NULL);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
		log_warn("dhcp: receive on %s", ifc->name);
	return n < 0 ? 0 : n;
}

/* The wall-clock second the kernel received a datagram (SO_TIMESTAMP), 0
 * if it did not say: a DHCPRELEASE read late (the daemon was stopped or
 * busy) happened when it arrived, not when it is read. */
static int64_t
rx_arrival(struct msghdr *m)
{
	struct timeval tv;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP &&
		    c->cmsg_len >= CMSG_LEN(sizeof(tv))) {
			memcpy(&tv, CMSG_DATA(c), sizeof(tv));
			return (int64_t)tv.tv_sec;
		}
	return 0;
}

/* While the storage fails, a message that would write a lease (REQUEST,
 * DECLINE, RELEASE) is dropped before the engine stages anything: it would
 * get no DHCPACK anyway, and the client asks again. DISCOVER and INFORM are
 * answered (an offer lives in memory). 1: dropped, counted. */
static int
storage_drop(struct dhcp_sock *ds, const uint8_t *buf, size_t len)
{
	int type;

	if (store_writable(ds->d->store) ||
	    dhcp_pkt_decode(buf, len, ds->peek, NULL) == -1)
		return 0;	/* the engine counts a bad packet */
	type = dhcp_pkt_msgtype(ds->peek);
	if (type != DHCPREQUEST && type != DHCPDECLINE && type != DHCPRELEASE)
		return 0;
	ds->d->stats.rx[type]++;
	ds->d->stats.drops[DROP_STORAGE]++;
	return 1;
}

/* Handle one received datagram: a DHCPACK joins the batch being filled (it
 * leaves once its commit is durable), any other reply is queued to leave now. */
static void
rx_one(struct dhcp_sock *ds, struct dhcp_in *in, const uint8_t *buf, size_t len,
    unsigned *noff)
{
	struct dhcp_out *o = &ds->offers[*noff];

	if (storage_drop(ds, buf, len) ||
	    dhcp_srv_handle(ds->srv, in, buf, len, o) != 1)
		return;
	if (o->durable) {
		dhcp_commit_add(ds->commit, o);	/* waits until durable */
		return;
	}
	send_out(ds, o);
	(*noff)++;
}

/* Read up to DHCP_READ_BATCH datagrams, handle them (their lease writes
 * staged), send what needs no commit, then commit when it is time. */
static void
dhcp_read(evutil_socket_t fd, short what, void *arg)
{
	struct dhcp_iface *ifc = arg;
	struct dhcp_sock *ds = ifc->ds;
	struct dhcp_rx *rx = ds->rx;
	struct dhcp_in in = { .ifindex = ifc->ifindex, .if_addr = ifc->addr };
	int total = 0, n, max;
	int64_t began = time_mono_us();

	in.server_id = ds->d->conf->server_id ? ds->d->conf->server_id : ifc->addr;
	store_stage(ds->d->store, 1);
	do {
		unsigned noff = 0;

		max = DHCP_READ_BATCH - total;
		if ((n = dhcp_commit_room(ds->commit)) < max)
			max = n;
		if (max > DHCP_MMSG)
			max = DHCP_MMSG;
		if (max == 0 || (n = rx_fill(ifc, rx, max)) == 0)
			break;
		for (int i = 0; i < n; i++) {
			if (rx->msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				/* over DHCP_PKT_MAX, more than a frame
				 * holds: cut by the read, it must not be
				 * decoded as if whole */
				ds->d->stats.drops[DROP_OVERSIZED]++;
				continue;
			}
			in.src_addr = ntohl(rx->from[i].sin_addr.s_addr);
			in.arrived = rx_arrival(&rx->msg[i].msg_hdr);
			rx_one(ds, &in, rx->buf[i], rx->msg[i].msg_len, &noff);
		}
		tx_flush(ds);
		total += n;
	} while (n == max && total < DHCP_READ_BATCH);	/* else drained */
	store_stage(ds->d->store, 0);
	poll_next(ifc, total, began);
	dhcp_commit_pass(ds->commit, ifc->polling);
	dhcp_timer_arm(ds);
}

/* The one expiry timer fired: free what ran out, commit, re-arm. While the
 * storage fails nothing expires (the deadlines wait in the heap). */
static void
dhcp_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dhcp_sock *ds = arg;
	int n;

	if (!store_writable(ds->d->store)) {
		dhcp_timer_arm(ds);
		return;
	}
	store_stage(ds->d->store, 1);
	n = dhcp_srv_expire(ds->srv, time_wall());
	store_stage(ds->d->store, 0);
	if (n > 0)
		log_debug("dhcp: %d offers or leases expired", n);
	dhcp_commit_pass(ds->commit, 0);
	dhcp_timer_arm(ds);
}

/* Re-arm the timer to the earliest deadline (at most a minute away; at
 * least a second while the storage fails). */
static void
dhcp_timer_arm(struct dhcp_sock *ds)
{
	int64_t next = pool_due_next(ds->pool), now = time_wall();
	struct timeval tv = { 60, 0 };

	if (next != 0 && next - now < 60)
		tv.tv_sec = next > now ? (time_t)(next - now) : 0;
	if (tv.tv_sec < 1 && !store_writable(ds->d->store))
		tv.tv_sec = 1;
	evtimer_add(ds->timer, &tv);
}

static void
due_cb(void *arg, uint32_t addr, int64_t ends)
{
	pool_due_add(arg, addr, ends);
}

/* Open every interface's socket and load the pools and deadlines. */
static int
dhcp_sock_open(struct dhcp_sock *ds, char *err, size_t errlen)
{
	const struct conf *c = ds->d->conf;

	if (pool_sync(ds->pool) == -1 ||
	    store_active_leases(ds->d->store, due_cb, ds->pool) == -1) {
		snprintf(err, errlen, "loading leases: %s", store_errmsg(ds->d->store));
		return -1;
	}
	for (int i = 0; i < c->ninterfaces; i++) {
		struct dhcp_iface *ifc = &ds->ifs[i];

		snprintf(ifc->name, sizeof(ifc->name), "%s", c->interfaces[i]);
		ifc->ds = ds;
		ifc->fd = -1;
		if (iface_open(ifc, c->dhcp_port, err, errlen) == -1)
			return -1;
		ds->nifs = i + 1;
		if ((ifc->ev = event_new(ds->d->base, ifc->fd, EV_READ | EV_PERSIST,
		    dhcp_read, ifc)) == NULL || event_add(ifc->ev, NULL) == -1 ||
		    (ifc->poll_ev = evtimer_new(ds->d->base, dhcp_read, ifc)) == NULL) {
			snprintf(err, errlen, "cannot watch %s", ifc->name);
			return -1;
		}
		log_info("dhcp: serving on %s (%s) port %u", ifc->name,
		    addr_str(ifc->addr, (char[16]){ 0 }), c->dhcp_port);
	}
	return 0;
}

static int
buffers_alloc(struct dhcp_sock *ds)
{
	if ((ds->rx = calloc(1, sizeof(*ds->rx))) == NULL ||
	    (ds->tx = calloc(1, sizeof(*ds->tx))) == NULL ||
	    (ds->offers = calloc(DHCP_MMSG, sizeof(*ds->offers))) == NULL ||
	    (ds->peek = calloc(1, sizeof(*ds->peek))) == NULL)
		return -1;
	return 0;
}

struct dhcp_sock *
dhcp_sock_new(struct daemon *d, char *err, size_t errlen)
{
	struct dhcp_sock *ds = calloc(1, sizeof(*ds));

	if (ds == NULL || (ds->pool = pool_new(d->store)) == NULL ||
	    (ds->srv = dhcp_srv_new(d, ds->pool)) == NULL ||
	    (ds->ifs = calloc(CONF_MAX_IFACES, sizeof(*ds->ifs))) == NULL ||
	    buffers_alloc(ds) == -1 ||
	    (ds->commit = dhcp_commit_new(d->base, d->store, &d->stats, &commit_ops,
	    ds)) == NULL ||
	    (ds->timer = evtimer_new(d->base, dhcp_timer, ds)) == NULL) {
		snprintf(err, errlen, "out of memory");
		dhcp_sock_free(ds);
		return NULL;
	}
	ds->d = d;
	d->pool = ds->pool;
	if (dhcp_sock_open(ds, err, errlen) == -1) {
		d->pool = NULL;
		dhcp_sock_free(ds);
		return NULL;
	}
	dhcp_timer_arm(ds);
	return ds;
}

void
dhcp_sock_free(struct dhcp_sock *ds)
{
	if (ds == NULL)
		return;
	for (int i = 0; i < ds->nifs; i++) {
		if (ds->ifs[i].ev != NULL)
			event_free(ds->ifs[i].ev);
		if (ds->ifs[i].poll_ev != NULL)
			event_free(ds->ifs[i].poll_ev);
		if (ds->ifs[i].fd != -1)
			close(ds->ifs[i].fd);
	}
	if (ds->timer != NULL)
		event_free(ds->timer);
	dhcp_commit_free(ds->commit);
	free(ds->ifs);
	free(ds->rx);
	free(ds->tx);
	free(ds->offers);
	free(ds->peek);
	dhcp_srv_free(ds->srv);
	pool_free(ds->pool);
	free(ds);
}

void
dhcp_sock_stop(struct dhcp_sock *ds)
{
	if (ds == NULL)
		return;
	ds->stopped = 1;
	reading(ds, 0);
}

const struct stats_hist *
dhcp_sock_commit_latency(struct dhcp_sock *ds)
{
	return dhcp_commit_latency(ds->commit);
}
