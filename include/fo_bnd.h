/*
 * Binding updates, decided without I/O: whether a received BNDUPD binding may
 * overwrite the stored lease (draft-ietf-dhc-failover-12 §7.1.3, with ISC's
 * validation; reference isc-failover.md §1.6, §3.4), and the conversions
 * between a lease row and the binding of a BNDUPD (§7.1 Table 7.1-1).
 */
#ifndef DHCPFOD_FO_BND_H
#define DHCPFOD_FO_BND_H

#include <stdint.h>

struct fo_binding;
struct lease;

/* "My lease has ended" allows the partner's clock to run this many seconds
 * ahead: a server expires a lease at the second it ends (ISC's pool timer
 * does), so a partner's EXPIRED for the same end time must not lose to us by
 * a second (ISC itself allows 65 s). */
#define FO_BND_SKEW	5

/*
 * 0 to accept `in`, else the reject reason for its BNDACK (enum fo_reject):
 *   3  no binding-status, a status outside 1..7, or no client-hardware-address
 *      with ACTIVE, EXPIRED or RELEASED (ISC);
 *   6  a client-hardware-address or client-identifier with ABANDONED (ISC);
 *   then the conflict table against `mine` (NULL: no row, accepted):
 *   2  ACTIVE over my ACTIVE of another client, when my_role is FO_PRIMARY
 *      (the secondary accepts);
 *   15 outdated (my lease has not expired, FO_BND_SKEW seconds granted,
 *      or its CLTT is not newer);
 *   16 anything but RESET or ABANDONED over my ABANDONED.
 * my OFFERED counts as FREE/BACKUP. Reasons 1 (address outside every pool)
 * and 19 (R flag on an unreserved address) need the pools: the caller's.
 * now: wall-clock seconds.
 */
int	fo_bnd_check(const struct lease *mine, const struct fo_binding *in,
	    int my_role, int64_t now);

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

#endif
