/*
 * Replay protection of signed failover traffic (draft-12 §11.1): with a
 * shared secret a recorded message verifies again, so its freshness is
 * checked too. Pure: no I/O, no clock (the caller passes now).
 *
 * - A CONNECT (or CONNECTACK) must be later than the last one accepted from
 *   the partner: a later time, or the same second with a higher xid.
 * - Every other message must not be older than its connection's
 *   CONNECT/CONNECTACK, and the partner's own requests (all but the answers
 *   CONNECTACK, BNDACK, UPDDONE, POOLRESP, which carry our xid) must carry
 *   strictly increasing xids on one connection (serial arithmetic).
 */
#ifndef DHCPFOD_FO_REPLAY_H
#define DHCPFOD_FO_REPLAY_H

#include <stdint.h>

#include "fo_msg.h"

struct fo_replay {
	int64_t		hello_time;	/* time of the last CONNECT(ACK) accepted */
	uint32_t	hello_xid;
	int		have_hello;
	uint32_t	last_xid;	/* the partner's last request on this link */
	int		have_xid;
};

/* A new connection: the xid order starts again (the hello's is kept). */
void	fo_replay_link(struct fo_replay *);
/* 0 if m is fresh (and the state advanced), -1 with a sentence in why. */
int	fo_replay_check(struct fo_replay *, const struct fo_msg *m, char *why,
	    size_t whylen);

#endif
