/*
 * An in-memory table of leases, found by address and by client within a
 * subnet (its client identifier, or its hardware address when it sent none:
 * RFC 2131 §4.2). Pure: no I/O. The store mirrors its lease rows in one (so
 * the DHCP engine's lookups never reach SQLite) and holds the offers, which
 * are never written, in another.
 *
 * Each record keeps a few flag bits for its owner (lmem_put stores them,
 * lmem_get returns them). Records are copied in and out: nothing returned
 * points into the table.
 */
#ifndef DHCPFOD_STORE_LMEM_H
#define DHCPFOD_STORE_LMEM_H

#include <stddef.h>
#include <stdint.h>

#include "lease.h"

#define LMEM_NOTFOUND	1

struct lmem;

struct lmem *lmem_new(void);
void	lmem_free(struct lmem *);
void	lmem_clear(struct lmem *);
size_t	lmem_count(const struct lmem *);

/* Insert or replace the lease of l->address with `flags`. 0 / -1 (out of
 * memory: the table is unchanged). */
int	lmem_put(struct lmem *, const struct lease *l, unsigned flags);
/* Change the flags of addr's record; 0 / LMEM_NOTFOUND. */
int	lmem_set_flags(struct lmem *, uint32_t addr, unsigned flags);
/* Set the pending number of addr's record (fo_sync follows: set when it is
 * not 0); 0 / LMEM_NOTFOUND. */
int	lmem_set_pending(struct lmem *, uint32_t addr, uint64_t pending);
/* Remove addr's record; 0 / LMEM_NOTFOUND. */
int	lmem_del(struct lmem *, uint32_t addr);
/* addr's record into *out and *flags (either may be NULL); 0 / LMEM_NOTFOUND. */
int	lmem_get(const struct lmem *, uint32_t addr, struct lease *out,
	    unsigned *flags);
/* addr's pending number, subnet and flags, without copying the record (any
 * of the three may be NULL); 0 / LMEM_NOTFOUND. */
int	lmem_peek(const struct lmem *, uint32_t addr, uint64_t *pending,
	    uint32_t *subnet, unsigned *flags);
/* Whether addr's record has l's subnet, hardware address, client identifier
 * and hostname: 1 yes, 0 no, -1 no record; *flags gets its flags. */
int	lmem_same_keys(const struct lmem *, const struct lease *l, unsigned *flags);

/* A client's lease in a subnet as the store's SQL chose it: ACTIVE first,
 * then the latest end, then the lowest address. The client is its client
 * identifier (cid, cidlen > 0), else its hardware address among the records
 * without one. Records whose address `skip(arg, addr)` rejects are passed
 * over (skip may be NULL). 0 and *out / LMEM_NOTFOUND. */
int	lmem_find_client(const struct lmem *, uint32_t subnet, const uint8_t *cid,
	    size_t cidlen, const uint8_t *hw, size_t hwlen,
	    int (*skip)(void *, uint32_t), void *arg, struct lease *out);
/* Whether a is preferred to b by that order. */
int	lmem_better(const struct lease *a, const struct lease *b);

/* Call fn(arg, lease, flags) for every record, in no order; fn must not
 * change the table. */
void	lmem_each(const struct lmem *, void (*fn)(void *, const struct lease *,
	    unsigned), void *arg);

#endif
