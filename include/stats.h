/* Counters reported by server.stats (RPC.md §2-§5) and server.metrics. */
#ifndef DHCPFOD_STATS_H
#define DHCPFOD_STATS_H

#include <stdint.h>

/* DHCP message types 1..8 (RFC 2132 §9.6); index 0 counts unknown types. */
#define STATS_DHCP_TYPES	9

/* Why a received DHCP packet was dropped. */
enum stats_drop {
	DROP_TRUNCATED, DROP_BAD_OPTION, DROP_BAD_OP, DROP_BAD_HTYPE,
	DROP_NO_SCOPE, DROP_NOT_OURS, DROP_EXHAUSTED, DROP_QUEUE_FULL,
	DROP_FAILOVER,		/* the failover state or the partner's bucket */
	DROP_STORAGE,		/* needed a write while the database fails */
	DROP_OVERSIZED,		/* a datagram longer than the engine reads */
	DROP_RATE_MAC,		/* a new allocation over mac-rate ([limits]) */
	DROP_RATE_RELAY,	/* a new allocation over relay-rate */
	DROP_NREASONS
};

/* Why the failover listener or a partner's connection refused what came in
 * on the failover port (each closes the connection). */
enum stats_fo_drop {
	FODROP_OVERSIZED,	/* a message length over 2048 */
	FODROP_MALFORMED,	/* a length under 12, or a message that does not
				 * decode */
	FODROP_DIGEST,		/* a message digest missing or wrong */
	FODROP_OUT_OF_TURN,	/* a message its connection's stage does not
				 * allow (anything before CONNECT, ...) */
	FODROP_NOT_PARTNER,	/* a connection from an address no relationship
				 * names, or a CONNECT naming none of ours */
	FODROP_NREASONS
};

struct stats {
	uint64_t	rx[STATS_DHCP_TYPES];
	uint64_t	tx[STATS_DHCP_TYPES];
	uint64_t	drops[DROP_NREASONS];
	uint64_t	fo_drops[FODROP_NREASONS];	/* the failover port */
	uint64_t	leases_granted;
	uint64_t	commit_batches;
	uint64_t	rpc_requests;
	uint64_t	rpc_errors;
};

/* A latency histogram with fixed bounds (microseconds), cheap to update:
 * per bucket the observations at or below its bound and above the one
 * before; the last bucket holds those above every bound. */
#define STATS_HIST_BOUNDS	15

struct stats_hist {
	uint64_t	bucket[STATS_HIST_BOUNDS + 1];
	uint64_t	count;
	uint64_t	sum_us;
};

extern const uint64_t stats_hist_bound_us[STATS_HIST_BOUNDS];
void	stats_hist_observe(struct stats_hist *, uint64_t us);

const char *stats_dhcp_type_name(int type);	/* "DHCPDISCOVER"; "unknown" */
const char *stats_drop_name(int reason);	/* "truncated" */
const char *stats_fo_drop_name(int reason);	/* "oversized" */

#endif
