/*
 * The DHCP engine's view of the address pools: every scope with the free
 * addresses this server may hand to new clients (FAILOVER.md §1: in a relationship
 * only the ones it owns), as intervals, and one ordered queue of deadlines
 * (offers and leases that run out) drained by one timer (DESIGN §3).
 * The store stays the truth: pool_sync rebuilds the view whenever the store's
 * configuration generation moves.
 */
#ifndef DHCPFOD_DHCP_POOL_H
#define DHCPFOD_DHCP_POOL_H

#include <stddef.h>
#include <stdint.h>

struct reservation;
struct scope;
struct store;

struct pool;		/* the view; its internals: src/dhcp/dhcp_pool_int.h */
struct pool_scope;	/* one scope of it */

struct pool *pool_new(struct store *);
void	pool_free(struct pool *);
/* Rebuild the view if the configuration changed; 0 / -1 (store error). */
int	pool_sync(struct pool *);
/* Whether the view is built; invalidate: the store may differ from it (a
 * failed commit, a write behind its back), rebuilt at the next pool_sync. */
int	pool_loaded(const struct pool *);
void	pool_invalidate(struct pool *);
/* The scope whose subnet holds addr, or NULL. */
struct pool_scope *pool_scope_of(struct pool *, uint32_t addr);
/* The definition of the scope holding addr, the view brought up to date
 * first: 0 and *sc, 1 none, -1 the view cannot be built (store error). */
int	pool_scope_find(struct pool *, uint32_t addr, const struct scope **sc);
/* What the failover partner told of addr: a deadline at due (0: none); once
 * the view is built, the address free and ours to give (give) or taken. */
void	pool_follow(struct pool *, uint32_t addr, int64_t due, int give);
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
