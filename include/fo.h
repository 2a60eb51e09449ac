/*
 * Failover: the relationship model (states, modes, roles: RPC.md §6.1, §5.1)
 * and the interface of the partner protocol (draft-ietf-dhc-failover-12 as
 * ISC dhcpd 4.4 speaks it, FAILOVER.md) to the daemon, the RPC and the DHCP
 * engine: one peer per relationship, all held by one struct fo (fo.c; the
 * names in fo_names.c, fo_change_state in fo_state.c). The internals are in
 * src/failover/fo_int.h.
 */
#ifndef DHCPFOD_FO_H
#define DHCPFOD_FO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lease.h"	/* enum fo_role */

#define FO_MAX_RELATIONSHIPS	31	/* DHCP_FAILOVER_MAX_NUM_REL */
#define FO_MAX_NAME		126	/* characters */
#define FO_MAX_ADD_SCOPES	400	/* DHCP_FAILOVER_MAX_NUM_ADD_SCOPES */
#define FO_DEFAULT_MCLT		3600
/* ISC has none (0: load balancing off since 4.4) and recommends 3 or 5
 * (dhcpd.conf(5)); Kea counts a client unanswered after 10 s */
#define FO_DEFAULT_LB_MAX_SECS	3
#define FO_DEFAULT_PORT		647
#define FO_MAX_CLOCK_SKEW	60

/* Windows FSM_STATE numbers, used by the management API. */
enum fo_state {
	FO_NO_STATE = 0, FO_INIT, FO_STARTUP, FO_NORMAL, FO_COMMUNICATION_INT,
	FO_PARTNER_DOWN, FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE, FO_RESOLUTION_INT,
	FO_RECOVER, FO_RECOVER_WAIT, FO_RECOVER_DONE, FO_PAUSED, FO_SHUTDOWN,
	FO_NSTATES
};

enum fo_mode { FO_MODE_LOAD_BALANCE = 0, FO_MODE_HOT_STANDBY = 1 };

/* The most BNDUPDs a server accepts unacknowledged: the largest
 * max_unacked_updates (draft-12 §12.14 max-unacked-bndupd) it advertises. */
#define FO_WINDOW_MAX	128

/* enum fo_role (FO_PRIMARY, FO_SECONDARY) is in lease.h: a free address's
 * owner is a role. */

/* Name <-> number tables. parse functions return -1 for an unknown name. */
const char *fo_state_name(enum fo_state state);	/* "NORMAL"; "UNKNOWN" if out of range */
int	fo_state_parse(const char *name);	/* also accepts the number as a string */
const char *fo_mode_name(enum fo_mode mode);	/* "load-balance" | "hot-standby" */
int	fo_mode_parse(const char *name);
const char *fo_role_name(enum fo_role role);	/* "primary" | "secondary" */
int	fo_role_parse(const char *name);

/* The secondary's share of free addresses in percent (FAILOVER.md §11):
 * load-balance 100 - percentage, hot-standby percentage. */
unsigned fo_secondary_share(enum fo_mode mode, unsigned percentage);

struct daemon;
struct fo;
struct fo_rel;
struct scope;
struct store;

/* The one way a relationship's state changes: the move is checked, made
 * durable, then logged as "name: OLD -> NEW (why)". 0, -1 storage error,
 * -2 a move the state machine does not allow. */
int	fo_change_state(struct store *, struct fo_rel *, enum fo_state new_state,
	    const char *why);
/* The recent state changes (fo_hist.c): a ring in memory that
 * fo_change_state fills, newest first, lost on restart. */
#define FO_HIST_REASON	64
struct fo_hist_entry {
	int64_t		time;		/* wall clock, seconds */
	enum fo_state	from, to;
	char		reason[FO_HIST_REASON];
};
void	fo_hist_add(const char *name, int64_t when, enum fo_state from,
	    enum fo_state to, const char *why);
/* Up to max changes of relationship `name`, newest first; the count. */
size_t	fo_hist_get(const char *name, struct fo_hist_entry *out, size_t max);
/* The same as [{"time","from","to","reason"}, ...] (new reference). */
json_t *fo_hist_json(const char *name);
/* Whether an operator may declare the partner down from `state`
 * (draft-12 §9.2: not while in contact, i.e. not from NORMAL). */
int	fo_operator_partner_down_ok(enum fo_state state);
/* Whether an operator may set prev_state to want while the relationship is
 * in state with stored as its previous state (fo_state.c). */
int	fo_operator_prev_state_ok(enum fo_state state, enum fo_state stored,
	    enum fo_state want);
/* The state a relationship created on a running server starts in. Over
 * scopes whose leases this server holds (it has the data): COMMUNICATION_INT
 * at once, serving its own free addresses and every renewal, as Windows does
 * (MS-DHCPF 3.1.6.3); the partner, new and empty, recovers from it. Without
 * leases: STARTUP, resuming RECOVER (draft-12 §9.3.2 step 1, no data). */
enum fo_state fo_fsm_created(int has_leases);
/* Whether the partner's free addresses may be allocated: PARTNER_DOWN once
 * MCLT has passed since it began (draft-12 §9.4.2; fo_fsm.c). */
int	fo_fsm_takes_partner_pool(enum fo_state state, int64_t stos, uint32_t mclt,
	    int64_t now);

/* ---- the partner protocol (fo.c) ---- */

/* What failover asks of the DHCP engine, the one upward edge (the engine
 * calls failover through this header; failover calls the engine only through
 * these, given to fo_new by whoever created both). */
struct fo_engine {
	void	*arg;
	/* Lease writes made outside the engine's passes (the partner's): commit
	 * them with the engine's group commit. */
	void	(*commit_soon)(void *arg);
	/* A commit failed: the engine's view may be ahead of the store. */
	void	(*invalidate)(void *arg);
	/* The partner told of addr: a deadline at due (0: none), and the address
	 * free and this server's to give (give 1) or not. */
	void	(*follow)(void *arg, uint32_t addr, int64_t due, int give);
	/* The scope holding addr in the engine's view, brought up to date: 0
	 * and *sc, 1 none, -1 no view (the caller asks the store). */
	int	(*scope_of)(void *arg, uint32_t addr, const struct scope **sc);
};

/* Start a peer per stored relationship; listen on [failover] listen while
 * this server is the secondary of one (a failed bind is logged and retried
 * at the next change). engine NULL: no DHCP engine runs. NULL with err only
 * when out of memory. */
struct fo *fo_new(struct daemon *, const struct fo_engine *engine, char *err,
	    size_t errlen);
void	fo_free(struct fo *);
/* Relationships were created, changed or deleted: follow the store;
 * the _if_changed form only when the store's generation moved. */
void	fo_sync(struct fo *);
void	fo_sync_if_changed(struct fo *);
/* Leases became durable: binding updates may leave. */
void	fo_kick(struct fo *);
/* The daemon stops (dhcpfod(8)): every relationship in NORMAL with its partner
 * in contact moves to SHUTDOWN (draft-12 §9.14) and waits, at most
 * FO_SHUTDOWN_WAIT seconds, for the partner to take over (PARTNER_DOWN) and
 * acknowledge every binding; then every partner gets DISCONNECT and
 * done(arg) is called (before this returns when nothing waits). */
void	fo_shutdown(struct fo *, void (*done)(void *), void *arg);

/* Rebalance a relationship over the wire (FAILOVER.md §11); done(arg, result,
 * code, detail) is called exactly once, later or before this returns: code 0
 * with the §5.3 result (the callee owns it), or a RPC.md §7 code. */
typedef void (*fo_done_fn)(void *arg, json_t *result, int code, const char *detail);
void	fo_trigger(struct fo *, const char *name, fo_done_fn, void *arg);

/* failover.maintenance (draft-12 §9.15): start puts a NORMAL relationship in
 * contact in PAUSED (the partner goes to COMMUNICATION_INT and serves every
 * client), cancel leaves PAUSED (fo_fsm_maintenance); 0, or a RPC.md §7 code
 * with a sentence in why. */
int	fo_maintenance(struct fo *, const char *name, int start, char *why,
	    size_t whylen);
/* failover.resync: UPDREQALL (draft-12 §7.4) in NORMAL or PAUSED without a
 * state change; done as fo_trigger's, at the partner's UPDDONE. */
void	fo_resync(struct fo *, const char *name, fo_done_fn, void *arg);

/* Live view for failover.get and server.status: partner_state (name),
 * connected, unacked updates, clock skew. NULL if the relationship has no peer. */
json_t	*fo_status(struct fo *, const char *name);
/* The partner's state as last heard, FO_NO_STATE if never. */
enum fo_state fo_partner_state(struct fo *, const char *name);

/* What a client message is, for fo_serves. */
enum fo_ask {
	FO_ASK_NEW,		/* DHCPDISCOVER: load balancing applies */
	FO_ASK_SELECTING,	/* DHCPREQUEST naming this server: our offer */
	FO_ASK_OTHER,		/* renewal, rebind, init-reboot, release, ... */
};
/* What fo_serves allows. */
enum fo_serve {
	FO_SERVE_NO,		/* not this server's client, or not serving */
	FO_SERVE_YES,
	FO_SERVE_KNOWN,		/* only a binding the partner knows of: a
				 * renewal within MCLT of a potential
				 * expiration time it acknowledged or sent */
};
/* For the DHCP engine: whether this server answers a client of a scope in
 * relationship `name` now. For FO_ASK_NEW the RFC 3074 bucket decides in
 * NORMAL, unless the client's secs field is past the relationship's
 * load_balance_max_seconds. A server that restarted and has not heard from
 * its partner since serves no new client and only FO_SERVE_KNOWN renewals
 * unless it resumed PARTNER_DOWN: the partner may have been declared down
 * meanwhile and taken over its free addresses (draft-12 §9.3.2). */
enum fo_serve fo_serves(struct fo *, const char *name, enum fo_ask, int bucket,
	    unsigned secs);
/* For the DHCP engine, before fo_serves: a DHCPDISCOVER from client hw in
 * bucket with secs. In NORMAL, a client of the partner's buckets past
 * load_balance_max_seconds is counted as unanswered by the partner; from
 * FO_UNACKED_CLIENTS such clients on, the partner is reported unresponsive
 * and this server answers every DISCOVER of the relationship (FAILOVER.md
 * §4, Kea's max-unacked-clients). */
void	fo_client_waiting(struct fo *, const char *name, const uint8_t *hw,
	    size_t hwlen, int bucket, unsigned secs);

#endif
