/*
 * Rate limits on new allocations (dhcpfod.conf(5), [limits]): a table of
 * token buckets by key (a client's hardware address, a relay), fixed in size
 * when created, the least recently used key forgotten when a new one needs
 * its place. Pure: no I/O, no clock (the caller gives the time), no
 * allocation after limit_new. A bucket is kept as the generic cell rate
 * algorithm keeps it: one time, when the bucket will be full again (a debt
 * of time, so that a rate changed by a reload applies to it as it stands).
 */
#ifndef DHCPFOD_DHCP_LIMIT_H
#define DHCPFOD_DHCP_LIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"	/* struct conf_rate */

struct limit;

/* A table of at most `capacity` keys (rounded up to a power of two, at
 * least 16); seed salts the hash, so that keys chosen to collide cannot be
 * found from outside. NULL when out of memory. */
struct limit *limit_new(size_t capacity, uint64_t seed);
void	limit_free(struct limit *);
/* Whether key may have one more now (microseconds, any monotonic origin):
 * 1 yes, 0 its bucket is empty. Changes nothing; a rate with count 0 always
 * allows. */
int	limit_allows(const struct limit *, uint64_t key, const struct conf_rate *,
	    int64_t now_us);
/* Take one from key's bucket (after limit_allows said yes and the
 * allocation was made); a key not in the table takes the place of the
 * least recently used one. */
void	limit_charge(struct limit *, uint64_t key, const struct conf_rate *,
	    int64_t now_us);
/* Keys in the table (tests). */
size_t	limit_count(const struct limit *);

#endif
