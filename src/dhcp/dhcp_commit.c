/* Group commit of the DHCP engine: batches of DHCPACKs, commits spaced so that
 * one fsync covers many passes, the fsync on the syncer thread, and the paced
 * release of what is durable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dhcp_commit.h"
#include "dhcp_srv.h"
#include "dhcp_syncer.h"
#include "log.h"
#include "stats.h"
#include "store.h"
#include "store_health.h"
#include "util.h"

#define BATCH_MAX	1024	/* DHCPACKs per commit */
#define BATCHES		4	/* commits whose ACKs may await their fsync */
/* Between two fsync requests at least SYNC_GAP_MIN_US, and SYNC_GAP_US
 * unless SYNC_ACKS DHCPACKs wait: in this VM one fsync costs about as much CPU
 * as handling ten leases. */
#ifndef SYNC_GAP_MIN_US		/* (the tuning constants: -D to experiment) */
#define SYNC_GAP_MIN_US	1000
#endif
#ifndef SYNC_GAP_US
#define SYNC_GAP_US	8000
#endif
#ifndef SYNC_ACKS
#define SYNC_ACKS	16
#endif
/* Durable DHCPACKs leave TX_QUOTA at a time, the next ones TX_TICK_US later:
 * a whole commit at once would overrun a relay's receive queue. */
#ifndef TX_QUOTA
#define TX_QUOTA	32
#endif
#define TX_TICK_US	250
/* While the storage fails, recovery attempts follow its back-off
 * (store_health.h), never closer than this. */
#define RETRY_MIN_US	10000

/* The DHCPACKs of one commit (of one or more passes): committed, waiting for
 * the fsync that covers their sequence number; once durable, being sent
 * (seq 0: the batch is free or being filled). */
struct batch {
	struct dhcp_out	*outs;		/* BATCH_MAX replies */
	size_t		 n;
	size_t		 sent;
	uint64_t	 seq;
	uint64_t	 store_seq;	/* the store transaction it committed */
	unsigned	 epoch;		/* store_sync_epoch() when committed */
};

struct dhcp_commit {
	struct store		*store;
	struct stats		*stats;
	const struct dhcp_commit_ops *ops;
	void			*arg;
	struct syncer		*syncer;
	struct batch		 batches[BATCHES];
	int			 cur;		/* the batch being filled */
	uint64_t		 seq;		/* last commit */
	uint64_t		 durable;	/* last commit made durable */
	int			 stalled;	/* every batch waits: reading paused */
	int			 syncing;	/* an fsync request is out */
	int			 polled;	/* the sockets are polled: a pass
						 * comes soon, no need to wake up
						 * for the syncer or the gap */
	int64_t			 last_sync;	/* when it was made (time_mono_us) */
	struct event		*commit_ev;	/* the gap is over: commit */
	struct event		*tx_ev;		/* more durable DHCPACKs to send */
	struct event		*retry_ev;	/* the storage fails: try again */
};

/* A batch that is free (neither being filled nor committed), or -1. */
static int
batch_free(const struct dhcp_commit *c)
{
	for (int i = 1; i <= BATCHES; i++) {
		int k = (c->cur + i) % BATCHES;

		if (c->batches[k].seq == 0)
			return k;
	}
	return -1;
}

/* The lowest committed batch that is durable, or NULL. */
static struct batch *
batch_durable(struct dhcp_commit *c)
{
	struct batch *low = NULL;

	for (int i = 0; i < BATCHES; i++) {
		struct batch *b = &c->batches[i];

		if (b->seq != 0 && b->seq <= c->durable &&
		    (low == NULL || b->seq < low->seq))
			low = b;
	}
	return low;
}

/* Whether the loop wakes up for the syncer's answers and the commit timer,
 * or leaves them to the next polled pass. */
static void
polled(struct dhcp_commit *c, int on)
{
	if (on != c->polled)
		syncer_watch(c->syncer, !on);
	c->polled = on;
}

static void
stall(struct dhcp_commit *c, int on)
{
	c->stalled = on;
	if (on)
		polled(c, 0);	/* no pass comes until a batch is free */
	c->ops->reading(c->arg, !on);
}

/* Send up to TX_QUOTA durable DHCPACKs, oldest first, freeing the batches
 * sent; the rest after TX_TICK_US. */
static void
release(struct dhcp_commit *c)
{
	struct timeval tv = { 0, TX_TICK_US };
	struct batch *b;
	int quota = TX_QUOTA;

	while (quota > 0 && (b = batch_durable(c)) != NULL) {
		for (; quota > 0 && b->sent < b->n; quota--)
			c->ops->send(c->arg, &b->outs[b->sent++]);
		if (b->sent == b->n)
			b->n = b->sent = b->seq = 0;
	}
	c->ops->flush(c->arg);
	if (c->stalled && batch_free(c) >= 0)
		stall(c, 0);
	if (batch_durable(c) != NULL && !evtimer_pending(c->tx_ev, NULL))
		evtimer_add(c->tx_ev, &tv);
}

static void
tx_timer(evutil_socket_t fd, short what, void *arg)
{
	release(arg);
}

static void	commit_maybe(struct dhcp_commit *);

/* A batch's DHCPACKs never leave: their leases may not be durable (the
 * clients ask again); counted as drops for the storage. */
static void
withhold(struct dhcp_commit *c, struct batch *b)
{
	c->stats->drops[DROP_STORAGE] += b->n - b->sent;
	b->n = b->sent = b->seq = 0;
}

/* The syncer made every commit up to `upto` durable (or failed to): their
 * DHCPACKs may leave, unless an fsync failed since they were committed (here
 * or on the loop: Linux reports a writeback error once, so a later success
 * proves nothing); a lease that may not be durable is not acknowledged, and
 * the engine's view is rebuilt from the store. What gathered in the meantime
 * is committed next. */
static void
synced(void *arg, uint64_t upto, int err)
{
	struct dhcp_commit *c = arg;
	uint64_t st = 0;
	unsigned epoch;
	int lost = 0, trusted = 0;

	if (err != 0)
		store_sync_failed(c->store, err);
	epoch = store_sync_epoch(c->store);
	for (int i = 0; i < BATCHES; i++) {
		struct batch *b = &c->batches[i];

		if (b->seq <= c->durable || b->seq > upto)
			continue;
		if (b->epoch != epoch) {
			log_debug("dhcp: fsync failed, %zu acknowledgements "
			    "withheld", b->n);
			withhold(c, b);
			lost = 1;
		} else {
			trusted = 1;
			if (b->store_seq > st)
				st = b->store_seq;	/* what the store may send */
		}
	}
	if (upto > c->durable)
		c->durable = upto;
	if (trusted) {
		store_set_durable(c->store, st);
		if (c->ops->durable != NULL)
			c->ops->durable(c->arg);
	}
	if (lost)
		c->ops->lost(c->arg);
	if (upto >= c->seq)
		c->syncing = 0;
	release(c);
	commit_maybe(c);
}

/* The storage works again: the engine's view is rebuilt from what the store
 * holds, whatever waited for durability (failover) goes on. */
static void
resumed(struct dhcp_commit *c)
{
	c->ops->lost(c->arg);
	if (c->ops->durable != NULL)
		c->ops->durable(c->arg);
	release(c);
	commit_maybe(c);
}

/* The storage fails: the DHCPACKs gathered are withheld, and recovery is
 * tried when the back-off says (store_health.h), once no fsync is out. */
static void
failing(struct dhcp_commit *c)
{
	int64_t wait = health_retry_in(store_health(c->store), time_mono_us());
	struct timeval tv;

	if (c->batches[c->cur].n > 0)
		withhold(c, &c->batches[c->cur]);
	if (c->syncing || evtimer_pending(c->retry_ev, NULL))
		return;		/* synced() comes back */
	if (wait < RETRY_MIN_US)	/* an attempt that could not even start */
		wait = RETRY_MIN_US;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	evtimer_add(c->retry_ev, &tv);
}

/* Try the storage again (store_recover: the staged writes, or a probe, made
 * durable); it may have recovered meanwhile through another write. */
static void
retry_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dhcp_commit *c = arg;
	unsigned losses = store_losses(c->store);

	if (c->syncing)
		return;		/* synced() comes back */
	if (!store_writable(c->store) && store_recover(c->store) == -1) {
		if (store_losses(c->store) != losses)
			c->ops->lost(c->arg);
		failing(c);
		return;
	}
	resumed(c);
}

/* Commit the staged writes (into the WAL, not yet fsynced), hand the batch
 * of DHCPACKs to the syncer, and move on to a free batch. */
static void
commit_now(struct dhcp_commit *c)
{
	struct batch *b = &c->batches[c->cur];
	int k;

	if (store_commit_deferred(c->store) == -1 ||
	    syncer_request(c->syncer, c->seq + 1, store_wal_fd(c->store)) == -1) {
		/* the store logs storage failures, rate-limited; others are rare */
		if (store_writable(c->store))
			log_warnx("dhcp: commit failed, %zu acknowledgements "
			    "withheld: %s", b->n, store_errmsg(c->store));
		else
			log_debug("dhcp: commit failed, %zu acknowledgements "
			    "withheld: %s", b->n, store_errmsg(c->store));
		withhold(c, b);
		c->ops->lost(c->arg);
		return;
	}
	b->epoch = store_sync_epoch(c->store);
	c->syncing = 1;
	c->last_sync = time_mono_us();
	c->stats->commit_batches++;
	b->seq = ++c->seq;
	b->store_seq = store_committed_seq(c->store);
	if ((k = batch_free(c)) >= 0)
		c->cur = k;
	else
		stall(c, 1);	/* every batch waits: resumed by release() */
}

/* Writes or DHCPACKs wait (or a commit made outside, by the failover
 * partner's reads, awaits its fsync): commit them now if no fsync is out and
 * the last one was asked for long enough ago (SYNC_GAP_US, or the shorter
 * SYNC_GAP_MIN_US once SYNC_ACKS wait), else let them gather (synced() or the
 * commit timer comes back for them), unless the batch is full. */
static void
commit_maybe(struct dhcp_commit *c)
{
	struct batch *b = &c->batches[c->cur];
	int64_t wait;

	if (!store_writable(c->store)) {
		failing(c);
		return;
	}
	if (b->n == 0 && !store_in_txn(c->store) &&
	    store_committed_seq(c->store) <= store_durable_seq(c->store))
		return;
	if (b->n < BATCH_MAX) {
		if (c->syncing)
			return;
		wait = (b->n >= SYNC_ACKS ? SYNC_GAP_MIN_US : SYNC_GAP_US) -
		    (time_mono_us() - c->last_sync);
		if (wait > 0) {
			struct timeval tv = { 0, (suseconds_t)wait };

			if (!c->polled && !evtimer_pending(c->commit_ev, NULL))
				evtimer_add(c->commit_ev, &tv);
			return;
		}
	}
	commit_now(c);
}

static void
commit_timer(evutil_socket_t fd, short what, void *arg)
{
	commit_maybe(arg);
}

int
dhcp_commit_room(struct dhcp_commit *c)
{
	if (c->batches[c->cur].n == BATCH_MAX)
		commit_now(c);
	if (c->stalled)
		return 0;
	return BATCH_MAX - (int)c->batches[c->cur].n;
}

/* Only the bytes of the datagram (a few hundred of the 1500) are copied. */
void
dhcp_commit_add(struct dhcp_commit *c, const struct dhcp_out *o)
{
	struct batch *b = &c->batches[c->cur];
	struct dhcp_out *d = &b->outs[b->n++];
	size_t head = sizeof(o->buf);

	_Static_assert(offsetof(struct dhcp_out, buf) == 0, "buf comes first");
	memcpy(d->buf, o->buf, o->len);
	memcpy((char *)d + head, (const char *)o + head, sizeof(*o) - head);
}

void
dhcp_commit_kick(struct dhcp_commit *c)
{
	commit_maybe(c);
}

void
dhcp_commit_pass(struct dhcp_commit *c, int polled_next)
{
	polled(c, polled_next && !c->stalled);
	if (c->polled)
		syncer_poll(c->syncer);
	commit_maybe(c);
	release(c);
}

struct dhcp_commit *
dhcp_commit_new(struct event_base *base, struct store *st, struct stats *stats,
    const struct dhcp_commit_ops *ops, void *arg)
{
	struct dhcp_commit *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->store = st;
	c->stats = stats;
	c->ops = ops;
	c->arg = arg;
	for (int i = 0; i < BATCHES; i++)
		if ((c->batches[i].outs = calloc(BATCH_MAX,
		    sizeof(struct dhcp_out))) == NULL)
			goto fail;
	if ((c->syncer = syncer_new(base, synced, c)) == NULL ||
	    (c->commit_ev = evtimer_new(base, commit_timer, c)) == NULL ||
	    (c->tx_ev = evtimer_new(base, tx_timer, c)) == NULL ||
	    (c->retry_ev = evtimer_new(base, retry_timer, c)) == NULL)
		goto fail;
	return c;
fail:
	dhcp_commit_free(c);
	return NULL;
}

void
dhcp_commit_free(struct dhcp_commit *c)
{
	if (c == NULL)
		return;
	syncer_free(c->syncer);
	if (c->commit_ev != NULL)
		event_free(c->commit_ev);
	if (c->tx_ev != NULL)
		event_free(c->tx_ev);
	if (c->retry_ev != NULL)
		event_free(c->retry_ev);
	for (int i = 0; i < BATCHES; i++)
		free(c->batches[i].outs);
	free(c);
}

const struct stats_hist *
dhcp_commit_latency(const struct dhcp_commit *c)
{
	return syncer_latency(c->syncer);
}
