/* Failover as the daemon sees it: the listener, one peer per stored
 * relationship kept in step with the store, and the questions the RPC and
 * the DHCP engine ask (FAILOVER.md). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "err.h"
#include "fo.h"
#include "fo_conn.h"
#include "fo_fsm.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "log.h"
#include "util.h"

static void pending_message(void *, struct fo_conn *, const uint8_t *, size_t);
static void pending_closed(void *, struct fo_conn *, const char *);

static const struct fo_conn_cb pending_cb = {
	.message = pending_message,
	.closed = pending_closed,
};

struct fo_peer *
fo_peer_by_name(struct fo *fo, const char *name)
{
	for (size_t i = 0; i < fo->npeers; i++)
		if (strcasecmp(fo->peers[i]->rel.name, name) == 0)
			return fo->peers[i];
	return NULL;
}

void
fo_pending_drop(struct fo *fo, struct fo_conn *c)
{
	for (size_t i = 0; i < fo->npending; i++)
		if (fo->pending[i] == c) {
			fo->pending[i] = fo->pending[--fo->npending];
			return;
		}
}

/* A connection from an address no relationship names is refused at once
 * (ISC: only the configured peer address, FAILOVER.md §2). */
static int
known_partner(struct fo *fo, uint32_t peer)
{
	for (size_t i = 0; i < fo->npeers; i++)
		if (fo->peers[i]->partner_addr == peer)
			return 1;
	return 0;
}

/* Whether this server is the secondary of a relationship with peer. */
static int
secondary_of(struct fo *fo, uint32_t peer)
{
	for (size_t i = 0; i < fo->npeers; i++)
		if (fo->peers[i]->partner_addr == peer &&
		    fo->peers[i]->rel.server_type == FO_SECONDARY)
			return 1;
	return 0;
}

/* A connection from the partner: a primary sends CONNECT on it (ISC's
 * secondary connects out too); otherwise it waits for the partner's CONNECT. */
static void
on_accept(void *arg, int fd, uint32_t peer)
{
	struct fo *fo = arg;
	struct fo_conn *c, **v;
	char a[16];

	if (!known_partner(fo, peer)) {
		fo_drop(fo, FODROP_NOT_PARTNER);
		log_warnx("failover: connection from %s refused: not a configured "
		    "partner", addr_str(peer, a));
		close(fd);
		return;
	}
	if (fo->npending >= 16) {
		log_warnx("failover: connection from %s refused: 16 connections "
		    "wait for their CONNECT already", addr_str(peer, a));
		close(fd);
		return;
	}
	if ((v = reallocarray(fo->pending, fo->npending + 1, sizeof(*v))) == NULL) {
		close(fd);
		return;
	}
	fo->pending = v;
	if ((c = fo_conn_accepted(fo->d->base, fd, peer, &pending_cb, fo)) == NULL)
		return;
	log_info("failover: connection from %s", addr_str(peer, a));
	for (size_t i = 0; i < fo->npeers; i++)
		if (fo->peers[i]->partner_addr == peer &&
		    fo_peer_take(fo->peers[i], c) == 0)
			return;
	if (!secondary_of(fo, peer)) {
		log_info("failover: connection from %s closed: already connected",
		    addr_str(peer, a));
		fo_conn_free(c);
		return;
	}
	fo->pending[fo->npending++] = c;
}

/* The first message on an accepted connection must be a CONNECT naming a
 * relationship whose partner is that address (draft-12 §7.8). */
static void
pending_message(void *arg, struct fo_conn *c, const uint8_t *data, size_t len)
{
	struct fo *fo = arg;
	struct fo_msg *m = fo_msg_new(0);
	struct fo_peer *p = NULL;
	char err[128], a[16];

	if (m == NULL)
		return;
	if (fo_msg_decode(data, len, m, err, sizeof(err)) == -1) {
		fo_drop(fo, FODROP_MALFORMED);
		log_warnx("failover: from %s: %s", addr_str(fo_conn_peer(c), a), err);
	} else if (m->type != FO_CONNECT) {
		fo_drop(fo, FODROP_OUT_OF_TURN);
		log_warnx("failover: from %s: %s before CONNECT", addr_str(
		    fo_conn_peer(c), a), fo_msg_type_name(m->type));
	} else if ((p = fo_peer_by_name(fo, m->relationship)) == NULL ||
	    p->partner_addr != fo_conn_peer(c)) {
		fo_drop(fo, FODROP_NOT_PARTNER);
		log_warnx("failover: from %s: CONNECT for unknown relationship '%s'",
		    addr_str(fo_conn_peer(c), a), m->relationship);
		p = NULL;
	}
	if (p != NULL && p->rel.shared_secret[0] != '\0' &&
	    fo_msg_verify(data, len, p->rel.shared_secret) == -1) {
		fo_drop(fo, FODROP_DIGEST);
		log_warnx("failover %s: CONNECT from %s: message digest missing or "
		    "wrong: refused", p->rel.name, addr_str(fo_conn_peer(c), a));
		p = NULL;
	}
	fo_pending_drop(fo, c);
	if (p == NULL)
		fo_conn_free(c);
	else
		fo_peer_adopt(p, c, m);
	free(m);
}

static void
pending_closed(void *arg, struct fo_conn *c, const char *why)
{
	fo_drop_framing(arg, c);
	fo_pending_drop(arg, c);
	fo_conn_free(c);
}

/* Both roles listen (draft-12 §8.2 has the secondary listen; ISC's
 * secondary also connects to its primary, which then sends CONNECT on that
 * connection): the listener is open while there is a relationship. */
static void
fo_listen_as_needed(struct fo *fo)
{
	int need = fo->npeers > 0;
	char err[256];

	if (need && fo->listener == NULL) {
		fo->listener = fo_listen(fo->d->base, fo->d->conf->fo_listen_addr,
		    fo->d->conf->fo_listen_port, on_accept, fo, err, sizeof(err));
		if (fo->listener == NULL)
			log_warnx("failover: %s", err);
	} else if (!need && fo->listener != NULL) {
		fo_listener_free(fo->listener);
		fo->listener = NULL;
	}
}

/* Add or refresh a peer for every stored relationship, drop the others. */
void
fo_sync(struct fo *fo)
{
	struct fo_rel *v;
	size_t n, i, j;

	if (store_rel_list(fo->d->store, &v, &n) == -1) {
		log_warnx("failover: cannot read relationships: %s",
		    store_errmsg(fo->d->store));
		return;
	}
	for (i = 0; i < fo->npeers; i++)
		fo->peers[i]->live = 0;
	for (j = 0; j < n; j++) {
		struct fo_peer *p = fo_peer_by_name(fo, v[j].name), **np;

		if (p != NULL) {
			fo_peer_update(p, &v[j]);
			p->live = 1;
			continue;
		}
		if ((np = reallocarray(fo->peers, fo->npeers + 1, sizeof(*np))) == NULL)
			break;
		fo->peers = np;
		if ((p = fo_peer_new(fo, &v[j])) != NULL) {
			p->live = 1;
			fo->peers[fo->npeers++] = p;
		}
	}
	for (i = 0; i < fo->npeers; )
		if (!fo->peers[i]->live) {
			fo_peer_free(fo->peers[i]);
			fo->peers[i] = fo->peers[--fo->npeers];
		} else
			i++;
	fo_rels_free(v, n);
	fo->gen = store_gen(fo->d->store);
	fo_listen_as_needed(fo);
}

void
fo_sync_if_changed(struct fo *fo)
{
	if (fo != NULL && fo->gen != store_gen(fo->d->store))
		fo_sync(fo);
}

struct fo *
fo_new(struct daemon *d, const struct fo_engine *engine, char *err,
    size_t errlen)
{
	struct fo *fo = calloc(1, sizeof(*fo));

	if (fo == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fo->d = d;
	if (engine != NULL)
		fo->engine = *engine;
	fo_sync(fo);
	fo->started = 1;
	return fo;
}

void
fo_free(struct fo *fo)
{
	if (fo == NULL)
		return;
	for (size_t i = 0; i < fo->npeers; i++)
		fo_peer_free(fo->peers[i]);
	for (size_t i = 0; i < fo->npending; i++)
		fo_conn_free(fo->pending[i]);
	free(fo->peers);
	free(fo->pending);
	fo_listener_free(fo->listener);
	if (fo->stop_ev != NULL)
		event_free(fo->stop_ev);
	free(fo);
}

void
fo_kick(struct fo *fo)
{
	for (size_t i = 0; fo != NULL && i < fo->npeers; i++)
		if (fo->peers[i]->link == FO_LINK_OK)
			fo_peer_schedule(fo->peers[i]);
}

static void
stop_finish(struct fo *fo)
{
	void (*done)(void *) = fo->stopped;

	if (done == NULL)
		return;
	fo->stopped = NULL;
	if (fo->stop_ev != NULL) {
		event_free(fo->stop_ev);
		fo->stop_ev = NULL;
	}
	for (size_t i = 0; i < fo->npeers; i++)
		fo_peer_stopped(fo->peers[i]);
	done(fo->stopped_arg);
}

static void
stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct fo *fo = arg;

	log_notice("failover: the partners did not all take over within %d s: "
	    "stopping", FO_SHUTDOWN_WAIT);
	stop_finish(fo);
}

void
fo_stop_check(struct fo *fo)
{
	if (fo == NULL || fo->stopped == NULL)
		return;
	for (size_t i = 0; i < fo->npeers; i++)
		if (fo_peer_stop_waits(fo->peers[i]))
			return;
	stop_finish(fo);
}

/* draft-12 §9.14, as ISC stops gracefully (FAILOVER.md §5): SHUTDOWN makes
 * the partner PARTNER_DOWN at once, so it serves every client and, MCLT
 * later, every address, without an operator; this server serves nobody from
 * SHUTDOWN on and resumes in RECOVER. */
void
fo_shutdown(struct fo *fo, void (*done)(void *), void *arg)
{
	struct timeval wait = { FO_SHUTDOWN_WAIT, 0 };

	if (fo == NULL) {
		done(arg);
		return;
	}
	fo->stopped = done;
	fo->stopped_arg = arg;
	for (size_t i = 0; i < fo->npeers; i++) {
		struct fo_peer *p = fo->peers[i];

		if (p->link != FO_LINK_OK || p->rel.state != FO_NORMAL)
			continue;
		fo_peer_set_state(p, FO_SHUTDOWN, "server shutting down");
		p->stopping = p->rel.state == FO_SHUTDOWN;
	}
	if ((fo->stop_ev = evtimer_new(fo->d->base, stop_timeout, fo)) == NULL ||
	    evtimer_add(fo->stop_ev, &wait) == -1)
		stop_finish(fo);
	else
		fo_stop_check(fo);
}

void
fo_trigger(struct fo *fo, const char *name, fo_done_fn done, void *arg)
{
	struct fo_peer *p = fo ? fo_peer_by_name(fo, name) : NULL;
	struct fo_rebal_op *op;

	if (p == NULL || p->link != FO_LINK_OK || p->rel.state != FO_NORMAL) {
		done(arg, NULL, ERR_FO_STATE_NOT_NORMAL, "the relationship is not "
		    "in NORMAL with its partner in contact");
		return;
	}
	if (p->rebal != NULL) {
		done(arg, NULL, ERR_FO_STATE_NOT_NORMAL, "a rebalance of this "
		    "relationship is already running");
		return;
	}
	if ((op = calloc(1, sizeof(*op))) == NULL) {
		done(arg, NULL, ERR_JET_ERROR, "out of memory");
		return;
	}
	op->done = done;
	op->arg = arg;
	op->t0_ms = time_mono_ms();
	fo_move_rebalance(p, op, 0);
}

/* The last refused CONNECT (draft-12 §7.9, §12.21), null if none. */
static json_t *
last_reject_json(const struct fo_peer *p)
{
	if (p->last_reject.reason == 0)
		return json_null();
	return json_pack("{s:s, s:i, s:s, s:s, s:I}", "by", p->last_reject.by_partner ?
	    "partner" : "this server", "reason", p->last_reject.reason,
	    "reason_name", fo_reject_name(p->last_reject.reason),
	    "message", p->last_reject.message, "time", (json_int_t)p->last_reject.time);
}

json_t *
fo_status(struct fo *fo, const char *name)
{
	struct fo_peer *p = fo ? fo_peer_by_name(fo, name) : NULL;

	json_t *o;

	if (p == NULL)
		return NULL;
	o = json_pack("{s:s, s:b, s:I, s:I, s:b, s:b, s:I, s:I, s:I, s:o}",
	    "partner_state", fo_state_name(p->partner_state),
	    "connected", p->link == FO_LINK_OK,
	    "unacked_updates", (json_int_t)p->nfl,
	    "clock_skew", (json_int_t)p->skew,
	    "time_out_of_sync", p->skew_bad,
	    "partner_unresponsive", p->unacked.unresponsive,
	    "unacked_clients", (json_int_t)p->unacked.n,
	    "unacked_clients_total", (json_int_t)p->unacked.total,
	    "connect_rejects", (json_int_t)p->connect_rejects,
	    "last_reject", last_reject_json(p));
	return o;
}

enum fo_state
fo_partner_state(struct fo *fo, const char *name)
{
	struct fo_peer *p = fo ? fo_peer_by_name(fo, name) : NULL;

	return p ? p->partner_state : FO_NO_STATE;
}

static int partners_bucket(const struct fo_peer *, int bucket);

/* A secondary the primary's hash-bucket assignment gives no bucket: the
 * hot standby of FAILOVER.md §4 (it follows the primary's mode at once). */
static int
standby(const struct fo_peer *p)
{
	if (p->rel.server_type != FO_SECONDARY)
		return 0;
	for (int b = 0; b < 256; b++)
		if (!fo_hba_primary_serves(p->hba, b))
			return 0;
	return 1;
}

enum fo_serve
fo_serves(struct fo *fo, const char *name, enum fo_ask ask, int bucket,
    unsigned secs)
{
	struct fo_peer *p = fo ? fo_peer_by_name(fo, name) : NULL;
	enum fo_state state;

	if (p == NULL)
		return FO_SERVE_NO;
	state = p->rel.state;
	if (fo_fsm_alone_restricted(state, p->met,	/* restarted, alone */
	    p->rel.partner_state != FO_NO_STATE))
		return ask != FO_ASK_NEW && fo_fsm_serves_renew(state) ?
		    FO_SERVE_KNOWN : FO_SERVE_NO;
	/* in NORMAL the standby answers only what selects its own offer (made
	 * to a client past load_balance_max_seconds), unless the partner is
	 * unresponsive: then the renewals of the clients it served too */
	if (ask != FO_ASK_NEW)
		return fo_fsm_serves_renew(state) && !(state == FO_NORMAL &&
		    standby(p) && !p->unacked.unresponsive &&
		    ask != FO_ASK_SELECTING);
	if (!fo_fsm_serves_new(state))
		return FO_SERVE_NO;
	if (state != FO_NORMAL)
		return FO_SERVE_YES;
	/* a client that has waited longer than load_balance_max_seconds is
	 * answered by both (ISC: its partner may not be serving it) */
	if ((p->rel.lb_max_secs > 0 && secs > p->rel.lb_max_secs) ||
	    p->unacked.unresponsive)
		return FO_SERVE_YES;
	/* NORMAL: the primary's hash-bucket assignment decides, on both sides
	 * (hot standby: every bucket the primary's; FAILOVER.md §1, ISC
	 * polarity): a secondary follows the assignment it was sent, not its
	 * own mode or percentage */
	return !partners_bucket(p, bucket);
}

/* Whether bucket is the partner's in NORMAL (the HBA, FAILOVER.md §1). */
static int
partners_bucket(const struct fo_peer *p, int bucket)
{
	return fo_hba_primary_serves(p->hba, bucket) !=
	    (p->rel.server_type == FO_PRIMARY);
}

/* Kea's unacked-client analysis (FAILOVER.md §4): counted, logged once the
 * partner is taken as unresponsive. */
void
fo_client_waiting(struct fo *fo, const char *name, const uint8_t *hw,
    size_t hwlen, int bucket, unsigned secs)
{
	struct fo_peer *p = fo ? fo_peer_by_name(fo, name) : NULL;

	if (p == NULL || p->link != FO_LINK_OK ||
	    !fo_fsm_client_unacked(p->rel.state, partners_bucket(p, bucket), secs,
	    p->rel.lb_max_secs))
		return;
	if (fo_unacked_note(&p->unacked, fo_unacked_key(hw, hwlen), time_mono()))
		log_warnx("failover %s: partner unresponsive: %d clients of its "
		    "buckets waited over %u s unanswered; answering every client",
		    p->rel.name, FO_UNACKED_CLIENTS, p->rel.lb_max_secs);
}

