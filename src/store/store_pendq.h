/*
 * The bindings the failover partner has not acknowledged, in the order they
 * are sent: (transaction number, address) pairs kept sorted, so that the
 * sender walks them from a cursor without a query. Entries go stale when
 * their lease is written again or acknowledged; the walker tells which, and
 * stale ones are dropped as they are met. Pure: no I/O.
 */
#ifndef DHCPFOD_STORE_PENDQ_H
#define DHCPFOD_STORE_PENDQ_H

#include <stddef.h>
#include <stdint.h>

struct pendq;

/* What a walk's visitor answers for one entry. */
enum pendq_verdict {
	PENDQ_TAKE,		/* counted toward the limit */
	PENDQ_SKIP,		/* not this walker's (another relationship) */
	PENDQ_DROP,		/* stale: removed */
};

struct pendq *pendq_new(void);
void	pendq_free(struct pendq *);
void	pendq_clear(struct pendq *);
/* Entries held, stale ones not yet met included. */
size_t	pendq_len(const struct pendq *);
/* Add (seq, addr), seq > 0; the same pair twice is kept once. 0 / -1 (out of
 * memory: nothing added). */
int	pendq_add(struct pendq *, uint64_t seq, uint32_t addr);
/* Call fn(arg, seq, addr) for the entries after (after_seq, after_addr) with
 * seq <= upto, in (seq, addr) order, until `limit` were taken; fn must not
 * change the queue. Returns how many were taken. */
size_t	pendq_walk(struct pendq *, uint64_t after_seq, uint32_t after_addr,
	    uint64_t upto, size_t limit,
	    enum pendq_verdict (*fn)(void *arg, uint64_t seq, uint32_t addr),
	    void *arg);

#endif
