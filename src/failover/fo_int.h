/*
 * Failover's private half: what fo.c, fo_peer.c, fo_upd.c and fo_move.c
 * share (the peer and container structures, the timers and windows, and the
 * functions each file offers the others). include/fo.h is the interface.
 *   fo.c       the container: listener, peers kept in step with the store,
 *              what the daemon, the RPC and the DHCP engine ask of failover
 *   fo_peer.c  one relationship's connection: CONNECT/CONNECTACK, STATE,
 *              CONTACT and the receive timer, DISCONNECT, message digests,
 *              the state machine's decisions applied (fo_fsm, fo_change_state)
 *   fo_tick.c  its clock: the one-second tick (receive timer, timed state
 *              moves, takeover after MCLT), the pump's kick, the stop
 *   fo_upd.c   binding updates: BNDUPD/BNDACK both ways with the unacked
 *              window, UPDREQ/UPDREQALL/UPDDONE
 *   fo_move.c  free addresses between the owners: range moves, ownership
 *              told on contact, rebalancing
 */
#ifndef DHCPFOD_FO_INT_H
#define DHCPFOD_FO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon.h"
#include "fo.h"
#include "fo_conn.h"
#include "fo_msg.h"
#include "fo_replay.h"
#include "store.h"
#include "fo_unacked.h"

#define FO_MAX_UNACKED		FO_WINDOW_MAX	/* BNDUPDs we accept in flight: to dhcpfod */
/* In CONNECT, before the partner is known. ISC acknowledges BNDUPDs once
 * half the window we advertise is pending, otherwise only after 2 s; with
 * its usual 10..100 in flight, 20 keeps its BNDACKs immediate. A secondary
 * answering a partner that is not dhcpfod advertises 2 x its window. */
#define FO_CONNECT_UNACKED	20
#define FO_RECEIVE_TIMER	10	/* seconds of silence before the link is dead */
#define FO_STARTUP_SECS		8	/* draft-12 §9.3 STARTUP, trying to connect */
#define FO_REBAL_PERIOD		300	/* FAILOVER.md §11 timer, seconds */
#define FO_SHUTDOWN_WAIT	3	/* seconds a stopping server waits for its
					 * partner to take over (ISC: about 4) */
#define FO_REBAL_THRESHOLD	5	/* percent */
#define FO_POOLREQ_CHECK	10	/* s between the secondary's checks */
#define FO_POOLREQ_PERIOD	30	/* s at least between its POOLREQs */

enum fo_link {
	FO_LINK_DOWN,		/* no connection */
	FO_LINK_CONNECTING,	/* TCP connect in progress */
	FO_LINK_WAIT_CONNECT,	/* secondary: connected out, waiting for CONNECT */
	FO_LINK_WAIT_ACK,	/* primary: CONNECT sent */
	FO_LINK_UP,		/* CONNECT/CONNECTACK done, STATE sent */
	FO_LINK_OK,		/* the partner's STATE arrived: in contact */
};

/* One binding or range move sent and not yet acknowledged. */
struct fo_inflight {
	uint32_t	xid;
	uint32_t	addr;		/* binding address, or range start */
	uint32_t	end;		/* range end */
	uint32_t	subnet;		/* range: its scope */
	uint64_t	seq;		/* binding: the pending number sent */
	int64_t		pot_exp;	/* binding: the potential expiry sent */
	uint8_t		state;		/* binding status / range owner status */
	uint8_t		range;
	uint8_t		rebal;		/* counts toward the running rebalance */
};

/* The BNDACKs of one read end at byte `end` of the queue; they wait until
 * store transaction `seq` is durable, and are dropped if store_losses() is
 * no longer `losses` by then. */
struct fo_ackmark {
	size_t		end;
	uint64_t	seq;
	unsigned	losses;
};

/* A range move waiting to be sent. */
struct fo_rq {
	uint32_t	subnet;
	struct fo_range	r;
	uint8_t		rebal;
};

/* A running failover.trigger_addr_allocation (or its timer form). */
struct fo_rebal_op {
	fo_done_fn	 done;
	void		*arg;
	int64_t		 t0_ms;
	size_t		 outstanding;	/* its range moves not yet acknowledged */
	size_t		 nscopes;
	uint32_t	*subnets;
	uint64_t	*to_secondary, *to_primary;
	int		 keep_reserves;	/* the automatic forms (FAILOVER.md §11) */
};

struct fo_peer {
	struct fo		*fo;
	struct fo_rel		 rel;		/* as stored (state, stos, ...) */
	uint32_t		 partner_addr;
	int			 live;		/* still in the store (fo_sync) */
	/* the connection */
	struct fo_conn		*conn;
	int			 link;		/* enum fo_link */
	enum fo_state		 partner_state;	/* FO_NO_STATE: not heard */
	int			 partner_flags;
	int64_t			 partner_stos;
	int			 partner_dhcpfod;	/* batching and ranges */
	uint32_t		 partner_window;	/* its max-unacked-bndupd */
	uint32_t		 partner_rtimer;	/* its receive timer */
	uint32_t		 rtimer;	/* ours, as advertised on this link */
	int64_t			 skew;		/* partner clock - ours, at connect */
	int			 skew_bad;
	uint32_t		 xid;
	uint8_t			 hba[FO_HBA_LEN];
	int64_t			 last_rx, last_tx;	/* monotonic seconds */
	int64_t			 backoff, next_connect;	/* reconnect, monotonic */
	int64_t			 startup_until;		/* STARTUP ends, monotonic */
	int64_t			 next_rebal;		/* monotonic */
	int			 met;		/* the partner's STATE arrived since this
						 * server started (until then a
						 * resumed state serves only what the
						 * partner knows: fo_serves) */
	int			 takeover;	/* PARTNER_DOWN pool takeover applied */
	int			 state_owed;	/* STATE to send once every binding
						 * written up to state_seq is */
	uint64_t		 state_seq;
	int			 stopping;	/* in SHUTDOWN, waiting for the partner */
	struct event		*tick;		/* 1 s: timers of every kind */
	struct event		*kick;		/* send what is pending, soon */
	/* binding updates out (fo_upd.c) */
	struct fo_inflight	*fl;
	size_t			 nfl, capfl;
	size_t			 msgs_unacked;
	uint64_t		 cur_seq;	/* cursor over pending leases */
	uint32_t		 cur_addr;
	struct fo_rq		*rq;
	size_t			 nrq, caprq;
	/* answering the partner's UPDREQ / UPDREQALL */
	int			 serving_upd;
	int			 upd_mark;	/* UPDREQALL marked rows this read */
	uint32_t		 upd_xid;
	uint64_t		 upd_until;
	/* our own UPDREQ(ALL): 0 none, 1 sent on this connection */
	int			 asked;
	/* BNDACKs, encoded; each read's leave once its writes are durable
	 * (draft-12 §7.2), which the group commit makes them */
	uint8_t			*ackq;
	size_t			 nackq, capackq;
	struct fo_ackmark	*ackm;		/* where each read's BNDACKs end */
	size_t			 nackm, capackm;
	int			 in_read_txn;
	struct fo_rebal_op	*rebal;
	/* the last CONNECT refused, by either side (failover.get last_reject) */
	struct {
		int		 reason;	/* draft-12 §12.21; 0: none yet */
		int		 by_partner;	/* 1: the partner refused ours */
		char		 message[256];	/* as FO message */
		int64_t		 time;		/* wall clock */
	}			 last_reject;
	uint64_t		 connect_rejects;	/* since start, both ways */
	int			 linger_close;	/* link_lost: flush, then close */
	struct fo_replay	 replay;	/* signed traffic's freshness */
	int			 poolreq_out;	/* our POOLREQ awaits its POOLRESP */
	int64_t			 poolreq_next;	/* monotonic: next shortage check */
	uint64_t		 replays;	/* messages refused as replayed */
	/* a running failover.resync (fo_maint.c): answered at UPDDONE */
	fo_done_fn		 resync_done;
	void			*resync_arg;
	int64_t			 resync_t0_ms;
	uint32_t		 resync_xid;	/* of its UPDREQALL */
	/* clients of the partner's buckets left unanswered (fo_unacked.h) */
	struct fo_unacked	 unacked;
};

struct fo {
	struct daemon		*d;
	struct fo_engine	 engine;	/* the DHCP engine; zeros: none */
	struct fo_listener	*listener;
	struct fo_peer		**peers;
	size_t			 npeers;
	struct fo_conn		**pending;	/* accepted, no CONNECT yet */
	size_t			 npending;
	unsigned		 gen;		/* store_gen() of the last sync */
	int			 started;	/* the first sync is done: a new
						 * peer is a relationship created
						 * while running */
	/* a graceful stop under way (fo_shutdown) */
	void			(*stopped)(void *);
	void			*stopped_arg;
	struct event		*stop_ev;	/* FO_SHUTDOWN_WAIT is over */
};

/* What came in on the failover port and was refused, counted (server.stats
 * failover_drops, RPC.md §5, §8); a connection its framing closed, by the
 * length field that did. */
static inline void
fo_drop(struct fo *fo, enum stats_fo_drop why)
{
	if (fo->d != NULL)
		fo->d->stats.fo_drops[why]++;
}

static inline void
fo_drop_framing(struct fo *fo, const struct fo_conn *c)
{
	unsigned len = fo_conn_bad_len(c);

	if (len != 0)
		fo_drop(fo, len > FO_MSG_MAX ? FODROP_OVERSIZED : FODROP_MALFORMED);
}

/* fo.c */
struct fo_peer *fo_peer_by_name(struct fo *, const char *name);
void	fo_pending_drop(struct fo *, struct fo_conn *);
/* A stopping peer's partner moved, acknowledged or went away: the stop ends
 * once no peer waits any more. */
void	fo_stop_check(struct fo *);

/* fo_tick.c: the tick and the kick (made by fo_peer_new, freed by _free) */
int	fo_tick_start(struct fo_peer *);
void	fo_tick_stop(struct fo_peer *);

/* fo_peer.c (fo_peer_schedule, _stop_waits, _stopped: fo_tick.c) */
struct fo_peer *fo_peer_new(struct fo *, const struct fo_rel *);
void	fo_peer_free(struct fo_peer *);
struct store *fo_peer_store(struct fo_peer *);	/* the daemon's store */
const char *fo_peer_name(const struct fo_peer *);	/* the relationship's */
void	fo_peer_save(struct fo_peer *);	/* the relationship row, now */
void	fo_peer_connect(struct fo_peer *, int64_t now);	/* connect out */
void	fo_peer_update(struct fo_peer *, const struct fo_rel *);
/* An accepted connection whose CONNECT names this peer's relationship
 * (this server the secondary). */
void	fo_peer_adopt(struct fo_peer *, struct fo_conn *, const struct fo_msg *);
/* An accepted connection from the partner of a relationship where this
 * server is the primary (ISC's secondary connects out too): the primary
 * sends CONNECT on it unless a handshake is already under way; 0 taken,
 * -1 not wanted (the caller keeps it). */
int	fo_peer_take(struct fo_peer *, struct fo_conn *);
/* Encode, sign and send m (xid and time filled in unless set by the caller
 * for a response); -1 closes the link. */
int	fo_peer_send(struct fo_peer *, struct fo_msg *m, int response);
void	fo_peer_link_lost(struct fo_peer *, const char *why);
/* Move the relationship's state (fo_change_state) and act on it. */
void	fo_peer_set_state(struct fo_peer *, enum fo_state state, const char *why);
void	fo_peer_schedule(struct fo_peer *);	/* run fo_upd_pump soon */
void	fo_peer_send_state(struct fo_peer *);	/* the owed STATE, now */
/* Whether a stopping peer still waits for its partner (in contact, not yet
 * PARTNER_DOWN or with bindings unacknowledged). */
int	fo_peer_stop_waits(struct fo_peer *);
/* The end of its graceful stop: the failure time the next start counts its
 * MCLT wait from is recorded, and DISCONNECT sent. */
void	fo_peer_stopped(struct fo_peer *);
struct fo_msg *fo_msg_new(int type);		/* zeroed, type set */
/* Apply the table to the partner's known state again (after an operator's
 * move: RECOVER's UPDREQALL, a partner that will not send STATE). */
void	fo_peer_evaluate(struct fo_peer *);
/* The running failover.resync (fo_maint.c) ends: 0 at UPDDONE, else a
 * RPC.md §7 code. */
void	fo_resync_end(struct fo_peer *, int code, const char *detail);

/* fo_upd.c */
void	fo_upd_link_up(struct fo_peer *);	/* contact: reset the cursor */
void	fo_upd_link_down(struct fo_peer *);	/* forget what was in flight */
/* Whether the partner has acknowledged every binding and range move of
 * ours (none in flight, queued or pending in the store). */
int	fo_upd_all_acked(struct fo_peer *);
void	fo_upd_pump(struct fo_peer *);		/* send within the window */
void	fo_upd_on_bndupd(struct fo_peer *, const struct fo_msg *);
void	fo_upd_on_bndack(struct fo_peer *, const struct fo_msg *);
void	fo_upd_on_updreq(struct fo_peer *, const struct fo_msg *, int all);
void	fo_upd_read_done(struct fo_peer *);	/* commit, then the BNDACKs */
void	fo_upd_ask(struct fo_peer *, int all);	/* send UPDREQ(ALL) */
/* Open the transaction of this read's writes (committed by read_done). */
int	fo_upd_read_txn(struct fo_peer *);

/* fo_move.c */
/* Queue who owns every free address for the partner (on contact, all: on
 * UPDREQALL); see fo_move.c for which partner hears it how. */
void	fo_move_ownership(struct fo_peer *, int all);
/* The secondary asks for addresses (POOLREQ) when it runs short
 * (draft-12 §9.8.1); called each tick with the monotonic second. */
void	fo_move_pool_check(struct fo_peer *, int64_t mono);
/* Apply a range move the partner sent, where its addresses are free; the
 * runs moved are echoed in the BNDACK being built. */
int	fo_move_apply(struct fo_peer *, uint32_t subnet, const struct fo_range *,
	    struct fo_msg *echo);
/* A range move of ours was answered (echoed ranges in m), or a one-address
 * move to a draft-12 partner (reject: its reason, 0 accepted). */
void	fo_move_acked(struct fo_peer *, const struct fo_inflight *,
	    const struct fo_msg *m);
void	fo_move_single_acked(struct fo_peer *, const struct fo_inflight *,
	    int reject);
/* Rebalance now (FAILOVER.md §11): op NULL for the automatic forms (the
 * timer and entering NORMAL with a threshold, POOLREQ with 0), which keep
 * each side's reserve; op from fo_trigger for the operator's exact split.
 * End the running one with code 0 (done) or a RPC.md §7 code and why. */
int	fo_move_rebalance(struct fo_peer *, struct fo_rebal_op *op,
	    unsigned threshold);
void	fo_move_rebal_finish(struct fo_peer *, int code, const char *why);
void	fo_move_pool_request(struct fo_peer *, const struct fo_msg *);

#endif
