/* Leases (bindings): the draft-12 binding states, the lease record (RPC.md
 * §4), and the lease-state table: which state may move to which, and who may
 * ask (src/common/lease.c; docs/ARCHITECTURE.md, *Lease state*). */
#ifndef DHCPFOD_LEASE_H
#define DHCPFOD_LEASE_H

#include <stdint.h>

/* Binding states; the numbers are draft-ietf-dhc-failover-12 §12.3 binding-status
 * values plus OFFERED (never on the wire). LEASE_NONE is no state at all: an
 * address without a row or an offer (free space never written, or a deleted
 * lease); the table's moves start and end there, no row holds it. */
enum lease_state {
	LEASE_NONE = 0,
	LEASE_FREE = 1, LEASE_ACTIVE = 2, LEASE_EXPIRED = 3, LEASE_RELEASED = 4,
	LEASE_ABANDONED = 5, LEASE_RESET = 6, LEASE_BACKUP = 7, LEASE_OFFERED = 8,
	LEASE_NSTATES
};

/* Who asks for a lease's state to change: the rows of the lease-state table. */
enum lease_actor {
	LEASE_BY_DHCP,		/* the DHCP engine answering a client (dhcp_srv.c) */
	LEASE_BY_EXPIRY,	/* the engine's deadline: an offer not taken, a
				 * lease not renewed (dhcp_srv.c) */
	LEASE_BY_BNDUPD,	/* a binding the failover partner sent, accepted
				 * (fo_upd.c) */
	LEASE_BY_BNDACK,	/* the partner acknowledged our binding (fo_upd.c) */
	LEASE_BY_ANSWER,	/* our binding, newer than the partner's, sent
				 * back to it (fo_upd.c) */
	LEASE_BY_OPERATOR,	/* lease.add, lease.delete, scope.delete, a scope
				 * leaving its relationship (ctl/, store/) */
	LEASE_BY_MOVE,		/* rebalancing and range moves: free addresses
				 * change owner (fo_move.c, store_space.c) */
	LEASE_BY_RELEASE_DUE,	/* PARTNER_DOWN: freed addresses whose MCLT has
				 * passed become the primary's (fo_peer.c) */
	LEASE_NACTORS
};

/* A server's role in a failover relationship, which is also the owner of a
 * free address (FREE = the primary's, BACKUP = the secondary's), and of the
 * lease it granted. FO_ROLE_NONE: a scope in no relationship. Here because
 * the lease record holds it; fo.h names the roles (fo_role_name). */
enum fo_role { FO_ROLE_NONE = -1, FO_PRIMARY = 0, FO_SECONDARY = 1 };

/* A set of states, for the table and for statements that change many rows. */
#define LEASE_BIT(state)	(1u << (state))
#define LEASE_ANY		(LEASE_BIT(LEASE_NSTATES) - 1)	/* NONE too */

struct lease {
	uint32_t	address;
	uint32_t	subnet;
	uint8_t		hwaddr[16];
	uint8_t		hwlen;
	uint8_t		client_id[255];
	uint8_t		cidlen;
	char		hostname[256];
	enum lease_state state;
	int64_t		starts, ends, cltt;
	enum fo_role	owner;		/* owner if free, else who leased it */
	int64_t		sent_pot_exp, ack_pot_exp, recv_pot_exp, last_bndupd;
	int		fo_sync;	/* write: the partner must hear of it */
	uint64_t	pending;	/* read: transaction not yet acknowledged */
};

const char *lease_state_name(enum lease_state state);	/* "ACTIVE"; "UNKNOWN" */
int	lease_state_parse(const char *name);	/* -1 if unknown */
/* Whether an address in this state is free (FREE or BACKUP). */
int	lease_state_is_free(enum lease_state state);
const char *lease_actor_name(enum lease_actor who);	/* "the DHCP engine" */

/*
 * The lease-state table (src/common/lease.c). lease_move_allowed: whether
 * `who` may move an address from `from` to `to` (each LEASE_NONE..
 * LEASE_OFFERED). lease_move_check is the one gate every lease write passes
 * (the store calls it before it writes, deletes or ends an offer: addr's
 * state as the store holds it, the state written): 0, or -1 with the refusal
 * logged. lease_moves_check: the same for a statement that changes many rows
 * (from: LEASE_BIT of every state it may change), `what` names it in the log.
 */
int	lease_move_allowed(enum lease_state from, enum lease_state to,
	    enum lease_actor who);
int	lease_move_check(uint32_t addr, enum lease_state from,
	    enum lease_state to, enum lease_actor who);
int	lease_moves_check(unsigned from, enum lease_state to,
	    enum lease_actor who, const char *what);

#endif
