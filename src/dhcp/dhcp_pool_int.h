/*
 * The DHCP engine's pool view inside: what dhcp_pool.c shares with the rest
 * of src/dhcp/ (dhcp_srv.c reads a scope's role, MCLT and takeover). Other
 * subsystems see struct pool and struct pool_scope as opaque (dhcp_pool.h).
 */
#ifndef DHCPFOD_DHCP_POOL_INT_H
#define DHCPFOD_DHCP_POOL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dhcp_pool.h"
#include "ivl.h"
#include "store.h"

struct pool_scope {
	struct scope	 sc;
	enum fo_role	 role;		/* FO_ROLE_NONE: in no relationship */
	enum fo_state	 fo_state;	/* the relationship's state, if any */
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

#endif
