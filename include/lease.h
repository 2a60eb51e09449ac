/* Leases (bindings): the draft-12 binding states and the lease record (RPC.md §4). */
#ifndef DHCPFOD_LEASE_H
#define DHCPFOD_LEASE_H

#include <stdint.h>

/* Binding states; the numbers are draft-ietf-dhc-failover-12 §12.3 binding-status
 * values plus OFFERED (never on the wire). */
enum lease_state {
	LEASE_FREE = 1, LEASE_ACTIVE = 2, LEASE_EXPIRED = 3, LEASE_RELEASED = 4,
	LEASE_ABANDONED = 5, LEASE_RESET = 6, LEASE_BACKUP = 7, LEASE_OFFERED = 8,
};

struct lease {
	uint32_t	address;
	uint32_t	subnet;
	uint8_t		hwaddr[16];
	uint8_t		hwlen;
	uint8_t		client_id[255];
	uint8_t		cidlen;
	char		hostname[256];
	int		state;		/* enum lease_state */
	int64_t		starts, ends, cltt;
	int		owner;		/* enum fo_role: owner if free, else who leased it */
	int64_t		sent_pot_exp, ack_pot_exp, recv_pot_exp, last_bndupd;
	int		fo_sync;	/* write: the partner must hear of it */
	uint64_t	pending;	/* read: transaction not yet acknowledged */
};

const char *lease_state_name(int state);	/* "ACTIVE"; "UNKNOWN" */
int	lease_state_parse(const char *name);	/* -1 if unknown */
/* Whether an address in this state is free (FREE or BACKUP). */
int	lease_state_is_free(int state);

#endif
