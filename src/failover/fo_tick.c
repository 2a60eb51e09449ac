/* One relationship's clock (draft-12 §7.9, §8.2, §9): the one-second tick —
 * connecting out, keepalives and the receive timer, the timed state moves
 * (STARTUP, RECOVER_WAIT, the safe period, PARTNER_DOWN's takeover after
 * MCLT), the periodic rebalance and pool check — the kick that runs the
 * binding pump soon, and the stop (a clean SHUTDOWN back-dates fail_time).
 * The connection and the messages: fo_peer.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "daemon.h"
#include "fo.h"
#include "fo_conn.h"
#include "fo_fsm.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "log.h"
#include "util.h"

/* Connection upkeep (draft-12 §8.2, §7.9 tSend/tReceive). */
static void
tick_link(struct fo_peer *p, int64_t now)
{
	/* both roles connect out (ISC does; draft-12 §8.2's stimulus): the
	 * primary sends CONNECT on it, the secondary waits for one */
	if (p->link == FO_LINK_DOWN && p->conn == NULL && now >= p->next_connect) {
		fo_peer_connect(p, now);
		return;
	}
	if (p->conn == NULL)
		return;
	if (p->link < FO_LINK_UP && now - p->last_rx > 15) {
		fo_peer_link_lost(p, "no CONNECT/CONNECTACK within 15 s");
		return;
	}
	if (p->link >= FO_LINK_UP && now - p->last_rx > (int64_t)p->rtimer) {
		struct fo_msg *m = fo_msg_new(FO_DISCONNECT);

		if (m != NULL) {
			m->has = FO_M_REJECT;
			m->reject = FO_REJ_NO_TRAFFIC;
			fo_peer_send(p, m, 0);
			free(m);
		}
		fo_peer_link_lost(p, "nothing received within the receive timer");
		return;
	}
	if (p->link >= FO_LINK_UP && now - p->last_tx >= (int64_t)p->partner_rtimer / 3) {
		struct fo_msg *m = fo_msg_new(FO_CONTACT);

		if (m != NULL)
			fo_peer_send(p, m, 0);
		free(m);
	}
}

/* PARTNER_DOWN past MCLT: released and expired addresses need no
 * acknowledgement once MCLT has passed since their last use (draft-12 §9.4.2). */
static void
release_due(struct fo_peer *p, int64_t wall)
{
	struct store *st = fo_peer_store(p);
	int n;

	if (store_begin(st) == -1 || store_release_due(st, fo_peer_name(p),
	    wall - (int64_t)p->rel.mclt, &n) == -1 || store_commit(st) == -1) {
		store_rollback(st);
		log_warnx("failover %s: %s", fo_peer_name(p), store_errmsg(st));
	} else if (n > 0)
		log_info("failover %s: %d released or expired addresses free again "
		    "(PARTNER_DOWN, MCLT passed)", fo_peer_name(p), n);
}

/* Timed state moves: STARTUP's end, RECOVER_WAIT's end, the safe period,
 * PARTNER_DOWN's takeover after MCLT (draft-12 §9.3, §9.6, §10, §9.4.2). */
static void
tick_state(struct fo_peer *p, int64_t mono, int64_t wall)
{
	struct fo_fsm_in in = { p->rel.server_type, p->rel.state, p->partner_state, 0,
	    wall, p->rel.stos, p->rel.fail_time, p->rel.mclt };
	struct fo_fsm_out out;

	if (p->rel.state == FO_STARTUP && mono >= p->startup_until &&
	    p->link != FO_LINK_OK) {
		fo_peer_set_state(p, fo_fsm_resume(p->rel.prev_state),
		    "no contact during startup");
		return;
	}
	fo_fsm_tick(&in, &out);
	if (out.state != p->rel.state) {
		fo_peer_set_state(p, out.state, out.why);
		fo_peer_evaluate(p);
	}
	if (p->rel.state == FO_COMMUNICATION_INT && p->rel.safe_period > 0 &&
	    wall >= p->rel.stos + (int64_t)p->rel.safe_period)
		fo_peer_set_state(p, FO_PARTNER_DOWN, "safe period expired");
	if (p->takeover && mono % 5 == 0)
		release_due(p, wall);
	if (!p->takeover && fo_fsm_takes_partner_pool(p->rel.state, p->rel.stos,
	    p->rel.mclt, wall)) {
		p->takeover = 1;
		log_notice("failover %s: MCLT has passed in PARTNER_DOWN: serving "
		    "the partner's free addresses too", fo_peer_name(p));
		store_touch(fo_peer_store(p));	/* the pools are rebuilt */
	}
}

static void
peer_tick(evutil_socket_t fd, short what, void *arg)
{
	struct fo_peer *p = arg;
	int64_t now = time_mono();

	tick_link(p, now);
	tick_state(p, now, time_wall());
	if (fo_unacked_expire(&p->unacked, now))
		log_notice("failover %s: no client of the partner's buckets left "
		    "unanswered for %d s", fo_peer_name(p), FO_UNACKED_WINDOW);
	if (p->link == FO_LINK_OK && p->rel.server_type == FO_PRIMARY &&
	    p->rel.state == FO_NORMAL && p->rebal == NULL && now >= p->next_rebal) {
		p->next_rebal = now + FO_REBAL_PERIOD;
		fo_move_rebalance(p, NULL, FO_REBAL_THRESHOLD);
	}
	if (p->link == FO_LINK_OK) {
		fo_move_pool_check(p, now);
		fo_upd_pump(p);
	}
}

static void
peer_kick(evutil_socket_t fd, short what, void *arg)
{
	struct fo_peer *p = arg;

	if (p->link == FO_LINK_OK)
		fo_upd_pump(p);
	if (p->stopping)
		fo_stop_check(p->fo);
}

int
fo_peer_stop_waits(struct fo_peer *p)
{
	return p->stopping && p->link == FO_LINK_OK &&
	    (p->partner_state != FO_PARTNER_DOWN || !fo_upd_all_acked(p));
}

void
fo_peer_stopped(struct fo_peer *p)
{
	struct fo_msg *m;

	if (p->stopping) {
		/* ISC back-dates the same way: a partner that took over knowing
		 * every lease of ours leaves no lease of ours it does not know,
		 * so the next start needs no MCLT wait (draft-12 §9.6) */
		int clean = p->link == FO_LINK_OK &&
		    p->partner_state == FO_PARTNER_DOWN && fo_upd_all_acked(p);
		int64_t now = time_wall();

		p->stopping = 0;
		p->rel.fail_time = clean ? now - (int64_t)p->rel.mclt : now;
		fo_peer_save(p);
		log_notice("failover %s: stopped %s", fo_peer_name(p), clean ?
		    "cleanly: the partner took over knowing every binding" :
		    "before the partner took over knowing every binding: the next "
		    "start waits MCLT in RECOVER_WAIT");
	}
	if (p->link < FO_LINK_UP || (m = fo_msg_new(FO_DISCONNECT)) == NULL)
		return;
	m->has = FO_M_REJECT | FO_M_MESSAGE;
	m->reject = FO_REJ_UNKNOWN;
	snprintf(m->message, sizeof(m->message), "server shutting down");
	fo_peer_send(p, m, 0);
	free(m);
}

void
fo_peer_schedule(struct fo_peer *p)
{
	if (p->kick != NULL && !event_pending(p->kick, EV_TIMEOUT, NULL))
		event_active(p->kick, EV_TIMEOUT, 0);
}

/* The peer's two events: the one-second tick and the kick that runs the pump
 * soon. 0, or -1 (fo_tick_stop frees what was made). */
int
fo_tick_start(struct fo_peer *p)
{
	struct timeval one = { 1, 0 };

	p->tick = event_new(p->fo->d->base, -1, EV_PERSIST, peer_tick, p);
	p->kick = event_new(p->fo->d->base, -1, 0, peer_kick, p);
	if (p->tick == NULL || p->kick == NULL || event_add(p->tick, &one) == -1)
		return -1;
	return 0;
}

void
fo_tick_stop(struct fo_peer *p)
{
	if (p->tick != NULL)
		event_free(p->tick);
	if (p->kick != NULL)
		event_free(p->kick);
	p->tick = p->kick = NULL;
}
