/*
 * Binding updates, decided without I/O: whether a received BNDUPD binding may
 * overwrite the stored lease (draft-ietf-dhc-failover-12 §7.1.3, with ISC's
 * validation; reference FAILOVER.md §6, §3.4), and the conversions
 * between a lease row and the binding of a BNDUPD (§7.1 Table 7.1-1).
 */
#ifndef DHCPFOD_FO_BND_H
#define DHCPFOD_FO_BND_H

#include <stdint.h>

#include "lease.h"	/* enum fo_role */

struct fo_binding;
struct lease;

/*
 * 0 to accept `in`, else the reject reason for its BNDACK (enum fo_reject):
 *   3  no binding-status, a status outside 1..7, or no client-hardware-address
 *      with ACTIVE, EXPIRED or RELEASED (ISC);
 *   6  a client-hardware-address or client-identifier with ABANDONED (ISC);
 *   then the conflict table against `mine` (NULL: no row, accepted; my
 *   OFFERED counts as FREE/BACKUP), docs/FAILOVER.md §6:
 *   2  ACTIVE over my ACTIVE of another client, when my_role is FO_PRIMARY
 *      (the secondary accepts);
 *   15 outdated: EXPIRED, FREE or BACKUP over my ACTIVE before now is past
 *      its end (my clock, no allowance); RELEASED over my ACTIVE unless its
 *      CLTT is newer, or the same second and my ACTIVE came from the sender
 *      (lease.owner is the partner); ACTIVE over my EXPIRED or RELEASED with
 *      an older CLTT, or over my ACTIVE of the same client with an older
 *      CLTT; ACTIVE over my RESET unless its CLTT is after my STOS;
 *   16 anything but RESET or ABANDONED over my ABANDONED.
 * *answer (if not NULL) is set when the refusal means that my binding is
 * the newer one: the caller sends it to the partner, which accepts it, so
 * that the two converge (the outdated kind that waits for my lease to end
 * is not answered: my own expiry will be). Reasons 1 (address outside every
 * pool) and 19 (R flag on an unreserved address) need the pools: the
 * caller's. now: wall-clock seconds.
 */
int	fo_bnd_check(const struct lease *mine, const struct fo_binding *in,
	    enum fo_role my_role, int64_t now, int *answer);

/* The binding a BNDUPD sends for this lease (§7.1 Table 7.1-1): status
 * always; ACTIVE adds lease-expiration, potential-expiration (sent_pot_exp)
 * and CLTT; RELEASED adds CLTT; the others CLTT if set; every state but
 * ABANDONED the hardware address (htype 1) and client-id if known; STOS
 * (= starts) if set. OFFERED, which is never sent, goes as its owner's free
 * state (FREE or BACKUP). Times are clamped to 0..2^32-1. */
void	fo_bnd_from_lease(const struct lease *, struct fo_binding *);

/* Overwrites the binding fields of l from a received binding: address, state
 * (if present), hardware address, client-id, cltt, ends (= lease-expiration),
 * starts (= STOS), recv_pot_exp (= potential-expiration); an absent option
 * leaves its field 0 or empty. subnet, hostname, owner and the other
 * failover times are left as they were, for the caller to keep or set. */
void	fo_bnd_to_lease(const struct fo_binding *, struct lease *);

/* For the debug log, into buf (FO_BND_STR_LEN bytes are enough): a
 * binding as "ACTIVE 02:00:00:00:00:01 cltt=-3 ends=+27 pet=+42" and a
 * stored lease with its three potential-expiration times, owner (who leased
 * it, or whose free address it is) and whether it is pending; times in
 * seconds from now. Return buf. */
#define FO_BND_STR_LEN	256
char	*fo_bnd_str(const struct fo_binding *, int64_t now, char *buf,
	    size_t len);
char	*fo_bnd_lease_str(const struct lease *, int64_t now, char *buf,
	    size_t len);

#endif
