/*
 * Binding-update decisions (include/fo_bnd.h): ISC's validation of a received
 * binding (reference isc-failover.md §1.6), the draft-12 §7.1.3 conflict table
 * (reference §3.4), and lease <-> binding conversions (draft-12 §7.1 Table
 * 7.1-1). Pure: no I/O.
 */
#include <stdint.h>
#include <string.h>

#include "fo.h"
#include "fo_bnd.h"
#include "fo_msg.h"
#include "lease.h"
#include "util.h"

#define STATE_BIT(s)	(1u << (s))
#define HTYPE_ETHER	1

/*
 * Validation (ISC dhcp_failover_process_bind_update, reference §1.6).
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
 * The conflict table (draft-12 §7.1.3 Fig. 7.1.3-1, reference §3.4).
 */

/* What a cell asks. */
enum verdict {
	ACCEPT,		/* accept */
	SAME_CLIENT,	/* accept, or by role if the clients differ */
	MINE_EXPIRED,	/* accept if now is past my expiry, else 15 */
	CLTT_NEWER,	/* accept if its CLTT is newer than mine, else 15 */
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
	[R_ACTIVE] =	{ SAME_CLIENT,	MINE_EXPIRED,	CLTT_NEWER,
			  MINE_EXPIRED,	ACCEPT },
	[R_EXPIRED] =	{ CLTT_NEWER,	ACCEPT,		ACCEPT,
			  ACCEPT,	ACCEPT },
	[R_RELEASED] =	{ CLTT_NEWER,	CLTT_NEWER,	ACCEPT,
			  ACCEPT,	ACCEPT },
	[R_FREE] =	{ ACCEPT,	ACCEPT,		ACCEPT,
			  ACCEPT,	ACCEPT },
	[R_RESET] =	{ CLTT_AFTER_STOS, ACCEPT,	ACCEPT,
			  ACCEPT,	ACCEPT },
	[R_ABANDONED] =	{ LESS_CRITICAL, LESS_CRITICAL,	LESS_CRITICAL,
			  LESS_CRITICAL, ACCEPT },
};

/* The received binding's time is newer than a stored one: never without a
 * CLTT, always over a stored time of 0 (none) (reference §3.4). */
static int
newer(const struct fo_binding *in, int64_t mine)
{
	if (!(in->has & FO_B_CLTT))
		return 0;
	return mine == 0 || (int64_t)in->cltt > mine;
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

typedef int	 verdict_fn(const struct lease *, const struct fo_binding *,
		    int, int64_t);

static int
v_accept(const struct lease *mine, const struct fo_binding *in, int role,
    int64_t now)
{
	return 0;
}

/* ACTIVE over ACTIVE of another client: the secondary yields, the primary
 * rejects (reference §3.4). */
static int
v_same_client(const struct lease *mine, const struct fo_binding *in,
    int role, int64_t now)
{
	if (same_client(mine, in) || role == FO_SECONDARY)
		return 0;
	return FO_REJ_FATAL_CONFLICT;
}

static int
v_mine_expired(const struct lease *mine, const struct fo_binding *in,
    int role, int64_t now)
{
	return now + FO_BND_SKEW >= mine->ends ? 0 : FO_REJ_OUTDATED;
}

static int
v_cltt_newer(const struct lease *mine, const struct fo_binding *in, int role,
    int64_t now)
{
	return newer(in, mine->cltt) ? 0 : FO_REJ_OUTDATED;
}

static int
v_cltt_after_stos(const struct lease *mine, const struct fo_binding *in,
    int role, int64_t now)
{
	return newer(in, mine->starts) ? 0 : FO_REJ_OUTDATED;
}

static int
v_less_critical(const struct lease *mine, const struct fo_binding *in,
    int role, int64_t now)
{
	return FO_REJ_LESS_CRITICAL;
}

static verdict_fn *const verdicts[] = {
	[ACCEPT] = v_accept, [SAME_CLIENT] = v_same_client,
	[MINE_EXPIRED] = v_mine_expired, [CLTT_NEWER] = v_cltt_newer,
	[CLTT_AFTER_STOS] = v_cltt_after_stos,
	[LESS_CRITICAL] = v_less_critical,
};

/* Validation first, then the cell of (my state, its state). */
int
fo_bnd_check(const struct lease *mine, const struct fo_binding *in,
    int my_role, int64_t now)
{
	int reason, row;

	if ((reason = validate(in)) != 0)
		return reason;
	if (mine == NULL)
		return 0;
	row = (mine->state > 0 && (size_t)mine->state < nitems(row_of)) ?
	    row_of[mine->state] : R_FREE;
	return verdicts[conflict[row][col_of[in->status]]](mine, in, my_role,
	    now);
}

/*
 * Lease <-> binding (draft-12 §7.1 Table 7.1-1, reference §1.6).
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
