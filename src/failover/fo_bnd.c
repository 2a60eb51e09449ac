/*
 * Binding-update decisions (fo_bnd.h): ISC's validation of a received
 * binding (reference FAILOVER.md §6), the draft-12 §7.1.3 conflict table
 * (FAILOVER.md §6), and lease <-> binding conversions (draft-12 §7.1 Table
 * 7.1-1). Pure: no I/O.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fo.h"
#include "fo_bnd.h"
#include "fo_msg.h"
#include "lease.h"
#include "util.h"

#define STATE_BIT(s)	(1u << (s))
#define HTYPE_ETHER	1

/*
 * Validation (ISC dhcp_failover_process_bind_update, FAILOVER.md §6).
 */

static const struct valid_rule {
	uint32_t	 states;	/* STATE_BIT of the statuses it covers */
	uint32_t	 need;		/* FO_B_* that must be present */
	uint32_t	 forbid;	/* FO_B_* that must be absent */
	int		 reason;
} valid_rules[] = {
	{ STATE_BIT(LEASE_ACTIVE) | STATE_BIT(LEASE_EXPIRED) |
	  STATE_BIT(LEASE_RELEASED), FO_B_CHADDR, 0, FO_REJ_MISSING_BINDING },
	{ STATE_BIT(LEASE_ABANDONED), 0, FO_B_CHADDR | FO_B_CID,
	  FO_REJ_UNKNOWN },
};

/* 0, or the reason the binding is malformed. */
static int
validate(const struct fo_binding *in)
{
	const struct valid_rule *r;

	if (!(in->has & FO_B_STATUS) || in->status < LEASE_FREE ||
	    in->status > LEASE_BACKUP)
		return FO_REJ_MISSING_BINDING;
	for (r = valid_rules; r < valid_rules + nitems(valid_rules); r++) {
		if (!(r->states & STATE_BIT(in->status)))
			continue;
		if ((in->has & r->need) != r->need || (in->has & r->forbid))
			return r->reason;
	}
	return 0;
}

/*
 * The conflict table (draft-12 §7.1.3 Fig. 7.1.3-1, FAILOVER.md §6), made
 * safe and convergent where the draft leaves a gap (docs/FAILOVER.md §6):
 * a lease is over only once now is past its end by this server's clock,
 * times equal to the second are settled in favour of ACTIVE (the safe side)
 * unless the sender wrote the ACTIVE it now supersedes, and a refusal
 * because this server's binding is the newer one is answered with it.
 */

/* What a cell asks. */
enum verdict {
	ACCEPT,		/* accept */
	ACTIVE_ACTIVE,	/* same client: not older; another: by role */
	MINE_ENDED,	/* accept if now is past my end, else 15 */
	FREED_NEWER,	/* accept if newer, or as new from my ACTIVE's writer */
	ACTIVE_NEWER,	/* accept if not older (ACTIVE wins a tie), else 15 */
	CLTT_AFTER_STOS,/* accept if its CLTT is after my STOS, else 15 */
	LESS_CRITICAL,	/* reject 16 */
};

enum row { R_ACTIVE, R_EXPIRED, R_RELEASED, R_FREE, R_RESET, R_ABANDONED };
enum col { C_ACTIVE, C_EXPIRED, C_RELEASED, C_FREE, C_RESET, NCOLS };

/* Row of my state: OFFERED (local only) and any unknown state read as
 * FREE/BACKUP. */
static const uint8_t row_of[] = {
	[LEASE_FREE] = R_FREE, [LEASE_ACTIVE] = R_ACTIVE,
	[LEASE_EXPIRED] = R_EXPIRED, [LEASE_RELEASED] = R_RELEASED,
	[LEASE_ABANDONED] = R_ABANDONED, [LEASE_RESET] = R_RESET,
	[LEASE_BACKUP] = R_FREE, [LEASE_OFFERED] = R_FREE,
};

/* Column of the received state (validated: 1..7). */
static const uint8_t col_of[] = {
	[LEASE_FREE] = C_FREE, [LEASE_ACTIVE] = C_ACTIVE,
	[LEASE_EXPIRED] = C_EXPIRED, [LEASE_RELEASED] = C_RELEASED,
	[LEASE_ABANDONED] = C_RESET, [LEASE_RESET] = C_RESET,
	[LEASE_BACKUP] = C_FREE,
};

static const uint8_t conflict[][NCOLS] = {
	/*		ACTIVE		EXPIRED		RELEASED
	 *		FREE/BACKUP	RESET/ABANDONED */
	[R_ACTIVE] =	{ ACTIVE_ACTIVE, MINE_ENDED,	FREED_NEWER,
			  MINE_ENDED,	ACCEPT },
	[R_EXPIRED] =	{ ACTIVE_NEWER,	ACCEPT,		ACCEPT,
			  ACCEPT,	ACCEPT },
	[R_RELEASED] =	{ ACTIVE_NEWER,	ACCEPT,		ACCEPT,
			  ACCEPT,	ACCEPT },
	[R_FREE] =	{ ACCEPT,	ACCEPT,		ACCEPT,
			  ACCEPT,	ACCEPT },
	[R_RESET] =	{ CLTT_AFTER_STOS, ACCEPT,	ACCEPT,
			  ACCEPT,	ACCEPT },
	[R_ABANDONED] =	{ ACTIVE_NEWER,	LESS_CRITICAL,	LESS_CRITICAL,
			  LESS_CRITICAL, ACCEPT },
};

/* How the received binding's CLTT compares with a stored time: 1 newer, 0
 * the same second, -1 older. No CLTT is never newer (older); a stored time
 * of 0 (none) is older than any CLTT (FAILOVER.md §6). */
static int
cltt_cmp(const struct fo_binding *in, int64_t mine)
{
	if (!(in->has & FO_B_CLTT))
		return -1;
	if (mine == 0 || (int64_t)in->cltt > mine)
		return 1;
	return (int64_t)in->cltt == mine ? 0 : -1;
}

/* The same client: by client-id when both have one, else by hardware
 * address when both have one; without anything to compare, no conflict. */
static int
same_client(const struct lease *mine, const struct fo_binding *in)
{
	if ((in->has & FO_B_CID) && mine->cidlen > 0)
		return in->cidlen == mine->cidlen &&
		    memcmp(in->cid, mine->client_id, in->cidlen) == 0;
	if ((in->has & FO_B_CHADDR) && mine->hwlen > 0)
		return in->hlen == mine->hwlen &&
		    memcmp(in->chaddr, mine->hwaddr, in->hlen) == 0;
	return 1;
}

/* A verdict: the reject reason (0: accept) and whether the refusal means my
 * binding is the newer one, which the partner must then be sent. */
struct judged {
	int	reason;
	int	answer;
};

typedef struct judged	 verdict_fn(const struct lease *,
			    const struct fo_binding *, enum fo_role, int64_t);

static const struct judged J_ACCEPT = { 0, 0 };
static const struct judged MINE_IS_NEWER = { FO_REJ_OUTDATED, 1 };

static struct judged
v_accept(const struct lease *mine, const struct fo_binding *in,
    enum fo_role role, int64_t now)
{
	return J_ACCEPT;
}

static int64_t opt_time(const struct fo_binding *, uint32_t, uint32_t);

/* A lease end for comparison: 0 (none) is the latest. */
static int64_t
end_of(int64_t ends)
{
	return ends == 0 ? INT64_MAX : ends;
}

/* ACTIVE over ACTIVE: the same client's is taken unless it is older than
 * mine (an update that crossed my renewal on the wire: accepting it would
 * shorten the lease the client holds), or of the same second and ending
 * sooner (both servers answered one request, as they may while a changed
 * percentage reaches the partner: the client holds the later end);
 * another client's is taken by the secondary and refused by the primary
 * (FAILOVER.md §6). */
static struct judged
v_active_active(const struct lease *mine, const struct fo_binding *in,
    enum fo_role role, int64_t now)
{
	if (same_client(mine, in)) {
		int c = cltt_cmp(in, mine->cltt);
		int64_t e = opt_time(in, FO_B_LEASE_EXP, in->lease_exp);

		if (c < 0 || (c == 0 && end_of(e) < end_of(mine->ends)))
			return MINE_IS_NEWER;
		return J_ACCEPT;
	}
	if (role == FO_SECONDARY)
		return J_ACCEPT;
	return (struct judged){ FO_REJ_FATAL_CONFLICT, 1 };
}

/* EXPIRED or FREE over my ACTIVE: only once my lease is over by my own
 * clock, now past its end (draft-12 §7.1.3 "now > expiry"), whatever lease
 * end the update refers to: an EXPIRED for an older lease of the client
 * must not free the renewal the partner has not heard of yet. Refused
 * without an answer: my own expiry sends EXPIRED when the time comes. An
 * ACTIVE lease without an end (never given in a relationship) counts as
 * over. */
static struct judged
v_mine_ended(const struct lease *mine, const struct fo_binding *in,
    enum fo_role role, int64_t now)
{
	if (mine->ends == 0 || now > mine->ends)
		return J_ACCEPT;
	return (struct judged){ FO_REJ_OUTDATED, 0 };
}

/* RELEASED over my ACTIVE: if its CLTT is newer; in the same second only
 * when my ACTIVE is the sender's own (it leased, then saw the release, in
 * that order on one connection): otherwise the two are unordered and the
 * client may hold the address, so ACTIVE wins. */
static struct judged
v_freed_newer(const struct lease *mine, const struct fo_binding *in,
    enum fo_role role, int64_t now)
{
	int c = cltt_cmp(in, mine->cltt);
	enum fo_role partner = role == FO_PRIMARY ? FO_SECONDARY : FO_PRIMARY;

	if (c > 0 || (c == 0 && mine->owner == partner))
		return J_ACCEPT;
	return MINE_IS_NEWER;
}

/* ACTIVE over my EXPIRED or RELEASED: unless its CLTT is older than mine;
 * in the same second ACTIVE wins (the client may hold it). Over my ABANDONED
 * too: the partner reclaimed the address for a client after it was declined
 * (RFC 2131 §4.3.1 lets a server out of addresses do so; ISC dhcpd does), and
 * the client holds it now: refusing, or answering with ABANDONED, which dhcpd
 * accepts, would make the partner give the address to the next client too. */
static struct judged
v_active_newer(const struct lease *mine, const struct fo_binding *in,
    enum fo_role role, int64_t now)
{
	return cltt_cmp(in, mine->cltt) >= 0 ? J_ACCEPT : MINE_IS_NEWER;
}

static struct judged
v_cltt_after_stos(const struct lease *mine, const struct fo_binding *in,
    enum fo_role role, int64_t now)
{
	return cltt_cmp(in, mine->starts) > 0 ? J_ACCEPT : MINE_IS_NEWER;
}

static struct judged
v_less_critical(const struct lease *mine, const struct fo_binding *in,
    enum fo_role role, int64_t now)
{
	return (struct judged){ FO_REJ_LESS_CRITICAL, 1 };
}

static verdict_fn *const verdicts[] = {
	[ACCEPT] = v_accept, [ACTIVE_ACTIVE] = v_active_active,
	[MINE_ENDED] = v_mine_ended, [FREED_NEWER] = v_freed_newer,
	[ACTIVE_NEWER] = v_active_newer,
	[CLTT_AFTER_STOS] = v_cltt_after_stos,
	[LESS_CRITICAL] = v_less_critical,
};

/* Validation first, then the cell of (my state, its state). */
int
fo_bnd_check(const struct lease *mine, const struct fo_binding *in,
    enum fo_role my_role, int64_t now, int *answer)
{
	struct judged j;
	int row;

	if (answer != NULL)
		*answer = 0;
	if ((j.reason = validate(in)) != 0)
		return j.reason;
	if (mine == NULL)
		return 0;
	row = (mine->state > 0 && (size_t)mine->state < nitems(row_of)) ?
	    row_of[mine->state] : R_FREE;
	j = verdicts[conflict[row][col_of[in->status]]](mine, in, my_role, now);
	if (answer != NULL)
		*answer = j.reason != 0 && j.answer;
	return j.reason;
}

/*
 * Lease <-> binding (draft-12 §7.1 Table 7.1-1, FAILOVER.md §6).
 */

/* Per state: options always sent, and those sent when the lease has them. */
#define KNOWN	(FO_B_CHADDR | FO_B_CID | FO_B_STOS)
static const struct send_rule {
	uint32_t	 always;
	uint32_t	 if_set;
} send_rules[] = {
	[LEASE_FREE] = { 0, KNOWN | FO_B_CLTT },
	[LEASE_ACTIVE] = { FO_B_LEASE_EXP | FO_B_POT_EXP | FO_B_CLTT, KNOWN },
	[LEASE_EXPIRED] = { 0, KNOWN | FO_B_CLTT },
	[LEASE_RELEASED] = { FO_B_CLTT, KNOWN },
	[LEASE_ABANDONED] = { 0, FO_B_STOS | FO_B_CLTT },
	[LEASE_RESET] = { 0, KNOWN | FO_B_CLTT },
	[LEASE_BACKUP] = { 0, KNOWN | FO_B_CLTT },
};
#undef KNOWN

/* Seconds since 1970 as the wire's unsigned 32 bits. */
static uint32_t
wire_time(int64_t t)
{
	if (t < 0)
		return 0;
	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* The state sent for a lease: OFFERED goes as its owner's free state. */
static uint8_t
wire_status(const struct lease *l)
{
	if (l->state >= LEASE_FREE && l->state <= LEASE_BACKUP)
		return (uint8_t)l->state;
	return l->owner == FO_SECONDARY ? LEASE_BACKUP : LEASE_FREE;
}

/* Which optional fields this lease has a value for. */
static uint32_t
lease_has(const struct lease *l)
{
	return (l->hwlen > 0 ? FO_B_CHADDR : 0) |
	    (l->cidlen > 0 ? FO_B_CID : 0) |
	    (l->cltt != 0 ? FO_B_CLTT : 0) |
	    (l->starts != 0 ? FO_B_STOS : 0);
}

void
fo_bnd_from_lease(const struct lease *l, struct fo_binding *b)
{
	const struct send_rule *r;
	uint8_t hwlen = l->hwlen < sizeof(b->chaddr) ? l->hwlen :
	    (uint8_t)sizeof(b->chaddr);

	memset(b, 0, sizeof(*b));
	b->addr = l->address;
	b->status = wire_status(l);
	r = &send_rules[b->status];
	b->has = FO_B_STATUS | r->always |
	    (lease_has(l) & r->if_set);
	b->htype = (b->has & FO_B_CHADDR) ? HTYPE_ETHER : 0;
	b->hlen = (b->has & FO_B_CHADDR) ? hwlen : 0;
	memcpy(b->chaddr, l->hwaddr, b->hlen);
	b->cidlen = (b->has & FO_B_CID) ? l->cidlen : 0;
	memcpy(b->cid, l->client_id, b->cidlen);
	b->cltt = (b->has & FO_B_CLTT) ? wire_time(l->cltt) : 0;
	b->lease_exp = (b->has & FO_B_LEASE_EXP) ? wire_time(l->ends) : 0;
	b->pot_exp = (b->has & FO_B_POT_EXP) ? wire_time(l->sent_pot_exp) : 0;
	b->stos = (b->has & FO_B_STOS) ? wire_time(l->starts) : 0;
}

/* A time option's value, or 0 when absent. */
static int64_t
opt_time(const struct fo_binding *b, uint32_t flag, uint32_t v)
{
	return (b->has & flag) ? (int64_t)v : 0;
}

void
fo_bnd_to_lease(const struct fo_binding *b, struct lease *l)
{
	uint8_t hwlen = (b->has & FO_B_CHADDR) ? b->hlen : 0;

	l->address = b->addr;
	if (b->has & FO_B_STATUS)
		l->state = b->status;
	memset(l->hwaddr, 0, sizeof(l->hwaddr));
	l->hwlen = hwlen < sizeof(l->hwaddr) ? hwlen :
	    (uint8_t)sizeof(l->hwaddr);
	memcpy(l->hwaddr, b->chaddr, l->hwlen);
	memset(l->client_id, 0, sizeof(l->client_id));
	l->cidlen = (b->has & FO_B_CID) ? b->cidlen : 0;
	memcpy(l->client_id, b->cid, l->cidlen);
	l->cltt = opt_time(b, FO_B_CLTT, b->cltt);
	l->ends = opt_time(b, FO_B_LEASE_EXP, b->lease_exp);
	l->starts = opt_time(b, FO_B_STOS, b->stos);
	l->recv_pot_exp = opt_time(b, FO_B_POT_EXP, b->pot_exp);
}

/*
 * Descriptions for the debug log: an operator follows one address through
 * both servers by its binding state, client and times (relative to now).
 */

/* " key=+N" (seconds from now) for a time that is set. */
static size_t
put_time(char *buf, size_t len, size_t at, const char *key, int64_t t,
    int64_t now)
{
	int n;

	if (t == 0 || at >= len)
		return at;
	n = snprintf(buf + at, len - at, " %s=%+lld", key, (long long)(t - now));
	return n < 0 ? at : at + (size_t)n;
}

/* The client part: hardware address, else client id, else nothing. */
static size_t
put_client(char *buf, size_t len, size_t at, const uint8_t *hw, size_t hwlen,
    const uint8_t *cid, size_t cidlen)
{
	char s[3 * 255 + 1];
	int n = 0;

	if (at >= len)
		return at;
	if (hwlen > 0 && hwlen <= 16)
		n = snprintf(buf + at, len - at, " %s", hwaddr_str(hw, hwlen, s));
	else if (cidlen > 0)
		n = snprintf(buf + at, len - at, " id %s", hex_str(cid,
		    cidlen > 64 ? 64 : cidlen, s));
	return n < 0 ? at : at + (size_t)n;
}

char *
fo_bnd_str(const struct fo_binding *b, int64_t now, char *buf, size_t len)
{
	size_t at;
	int n;

	n = snprintf(buf, len, "%s", (b->has & FO_B_STATUS) ?
	    lease_state_name(b->status) : "(no status)");
	at = n < 0 ? 0 : (size_t)n;
	at = put_client(buf, len, at, b->chaddr, (b->has & FO_B_CHADDR) ?
	    b->hlen : 0, b->cid, (b->has & FO_B_CID) ? b->cidlen : 0);
	at = put_time(buf, len, at, "cltt", opt_time(b, FO_B_CLTT, b->cltt), now);
	at = put_time(buf, len, at, "ends", opt_time(b, FO_B_LEASE_EXP,
	    b->lease_exp), now);
	put_time(buf, len, at, "pet", opt_time(b, FO_B_POT_EXP, b->pot_exp), now);
	return buf;
}

char *
fo_bnd_lease_str(const struct lease *l, int64_t now, char *buf, size_t len)
{
	size_t at;
	int n;

	n = snprintf(buf, len, "%s", lease_state_name(l->state));
	at = n < 0 ? 0 : (size_t)n;
	at = put_client(buf, len, at, l->hwaddr, l->hwlen, l->client_id,
	    l->cidlen);
	at = put_time(buf, len, at, "cltt", l->cltt, now);
	at = put_time(buf, len, at, "ends", l->ends, now);
	at = put_time(buf, len, at, "pet.sent", l->sent_pot_exp, now);
	at = put_time(buf, len, at, "pet.acked", l->ack_pot_exp, now);
	at = put_time(buf, len, at, "pet.recv", l->recv_pot_exp, now);
	if (at < len)
		snprintf(buf + at, len - at, " by %s%s", l->owner == FO_SECONDARY ?
		    "secondary" : "primary", l->pending ? " pending" : "");
	return buf;
}
