/*
 * Clients the partner leaves unanswered (FAILOVER.md §4, "A partner that
 * stops answering its clients"): Kea's max-unacked-clients analysis on
 * draft-12's secs rule. A pure record, no I/O: the DHCP engine notes each
 * client of the partner's buckets that has waited past
 * load_balance_max_seconds (fo_fsm_client_unacked), a binding update from
 * the partner for a client removes it (the partner answered), and entries
 * not seen for FO_UNACKED_WINDOW seconds are forgotten.
 */
#ifndef DHCPFOD_FO_UNACKED_H
#define DHCPFOD_FO_UNACKED_H

#include <stddef.h>
#include <stdint.h>

#define FO_UNACKED_CLIENTS	5	/* distinct clients: partner unresponsive */
#define FO_UNACKED_WINDOW	60	/* seconds an entry is remembered */
#define FO_UNACKED_MAX		64	/* entries kept */

struct fo_unacked {
	uint32_t	key[FO_UNACKED_MAX];	/* fo_unacked_key of the client */
	int64_t		seen[FO_UNACKED_MAX];	/* monotonic seconds */
	size_t		n;
	int		unresponsive;	/* n reached FO_UNACKED_CLIENTS */
	uint64_t	total;		/* clients ever counted */
};

/* The key of a client: FNV-1a of its hardware address. */
uint32_t fo_unacked_key(const uint8_t *hw, size_t len);
/* Client key waited unanswered at now: 1 if the partner has just become
 * unresponsive, else 0. */
int	fo_unacked_note(struct fo_unacked *, uint32_t key, int64_t now);
/* The partner answered client key (its binding update arrived): 1 if the
 * partner is no longer taken as unresponsive, else 0. */
int	fo_unacked_answered(struct fo_unacked *, uint32_t key);
/* Forget entries older than the window; 1 if that ends unresponsive. */
int	fo_unacked_expire(struct fo_unacked *, int64_t now);
void	fo_unacked_reset(struct fo_unacked *);

#endif
