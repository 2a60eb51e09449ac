/*
 * The DHCP engine's view of the address pools: every scope with the free
 * addresses this server may hand to new clients (SPEC §5.2: in a relationship
 * only the ones it owns), as intervals, and one ordered queue of deadlines
 * (offers and leases that run out) drained by one timer (DESIGN §3).
 * The store stays the truth: pool_sync rebuilds the view whenever the store's
 * configuration generation moves.
 */
#ifndef DHCPFOD_DHCP_POOL_H
#define DHCPFOD_DHCP_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "ivl.h"
#include "store.h"

struct pool_scope {
	struct scope	 sc;
	int		 role;		/* enum fo_role, or -1: in no relationship */
	int		 fo_state;	/* the relationship's state, if any */
	uint32_t	 mclt;		/* the relationship's MCLT */
	int		 takeover;	/* PARTNER_DOWN past MCLT: the partner's
					 * free addresses are ours to give too */
	struct ivlset	 avail;		/* free, ours, not offered */
	struct ivlset	 theirs;	/* takeover: which of them are the
					 * partner's free addresses */
	struct reservation *resv;	/* the scope's reservations */
	size_t		 nresv;
	uint64_t	 exhausted;	/* DISCOVERs answered with nothing */
};

struct pool_due {
	int64_t		when;
	uint32_t	addr;
};

struct pool {
	struct store		*store;
	unsigned		 gen;		/* store_gen() the view was built at */
	int			 loaded;
	struct pool_scope	*scopes;	/* sorted by subnet */
	size_t			 nscopes;
	struct pool_due		*heap;		/* min-heap on when */
	size_t			 nheap, capheap;
};

struct pool *pool_new(struct store *);
void	pool_free(struct pool *);
/* Rebuild the view if the configuration changed; 0 / -1 (store error). */
int	pool_sync(struct pool *);
/* The scope whose subnet holds addr, or NULL. */
struct pool_scope *pool_scope_of(struct pool *, uint32_t addr);
/* The reservation of a hardware address in a scope, or NULL. */
const struct reservation *pool_resv_of(const struct pool_scope *, const uint8_t *hw,
	    size_t hwlen);
/* Take one given address out of the available set: 0, or -1 if not there. */
int	pool_take(struct pool_scope *, uint32_t addr);
/* Take the lowest available address: 0, or -1 if the scope is exhausted. */
int	pool_alloc(struct pool_scope *, uint32_t *addr);
/* An address is free and ours again (unless it is reserved, excluded or
 * outside the range: never free). */
int	pool_give_back(struct pool_scope *, uint32_t addr);
/* Whether addr is one of the partner's free addresses, ours to give only
 * because PARTNER_DOWN took them over (draft-12 §9.4.2). */
int	pool_partners(const struct pool_scope *, uint32_t addr);
/* Deadlines: remember one (due one second after `when`: a lease is over once
 * now is past its end); the earliest (0 if none); pop the earliest one due
 * at now (0 popped, -1 none due). Stale entries are the caller's to skip. */
int	pool_due_add(struct pool *, uint32_t addr, int64_t when);
int64_t	pool_due_next(const struct pool *);
int	pool_due_pop(struct pool *, int64_t now, uint32_t *addr);

#endif
