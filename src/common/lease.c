/* Binding-state names (draft-ietf-dhc-failover-12 §12.3, plus OFFERED) and the
 * lease-state table: the one place that says which state a lease may move to,
 * and who may ask (docs/ARCHITECTURE.md, *Lease state*). The store passes
 * every lease write through lease_move_check before it makes it. */
#include <string.h>

#include "lease.h"
#include "log.h"
#include "util.h"

static const char *const lease_state_names[] = {
	[LEASE_NONE] = "NONE",
	[LEASE_FREE] = "FREE", [LEASE_ACTIVE] = "ACTIVE", [LEASE_EXPIRED] = "EXPIRED",
	[LEASE_RELEASED] = "RELEASED", [LEASE_ABANDONED] = "ABANDONED",
	[LEASE_RESET] = "RESET", [LEASE_BACKUP] = "BACKUP", [LEASE_OFFERED] = "OFFERED",
};

static const char *const lease_actor_names[] = {
	[LEASE_BY_DHCP] = "the DHCP engine",
	[LEASE_BY_EXPIRY] = "expiry",
	[LEASE_BY_BNDUPD] = "the partner's binding update",
	[LEASE_BY_BNDACK] = "the partner's acknowledgement",
	[LEASE_BY_ANSWER] = "the answer to a partner's older binding",
	[LEASE_BY_OPERATOR] = "the operator",
	[LEASE_BY_MOVE] = "a range move",
	[LEASE_BY_RELEASE_DUE] = "PARTNER_DOWN's release",
};

const char *
lease_state_name(enum lease_state state)
{
	/* LEASE_NONE is no binding state: "UNKNOWN" to every reader of a row */
	if (state <= LEASE_NONE || (size_t)state >= nitems(lease_state_names) ||
	    lease_state_names[state] == NULL)
		return "UNKNOWN";
	return lease_state_names[state];
}

int
lease_state_parse(const char *name)
{
	for (size_t i = LEASE_FREE; i < nitems(lease_state_names); i++)
		if (lease_state_names[i] && strcmp(lease_state_names[i], name) == 0)
			return (int)i;
	return -1;
}

int
lease_state_is_free(enum lease_state state)
{
	return state == LEASE_FREE || state == LEASE_BACKUP;
}

const char *
lease_actor_name(enum lease_actor who)
{
	if ((size_t)who >= nitems(lease_actor_names))
		return "UNKNOWN";
	return lease_actor_names[who];
}

/*
 * The table. A row lets `who` move an address from any state of `from` to
 * any state of `to`; a move no row names is refused. It writes down what the
 * code does, writer by writer (each row says where); where the code makes a
 * move a reader might not expect, the row says so ("today:").
 */
#define S(x)		LEASE_BIT(LEASE_##x)
/* Every state but NONE: what a row or an offer can hold. */
#define HELD		(S(FREE) | S(ACTIVE) | S(EXPIRED) | S(RELEASED) | \
			 S(ABANDONED) | S(RESET) | S(BACKUP) | S(OFFERED))
#define ANY		(S(NONE) | HELD)
/* What an offer may stand in front of (and what is there again when it ends
 * untaken): no row, or a row of any state but ABANDONED (resv_unusable and
 * the pool never offer a declined address). */
#define OFFERABLE	(S(NONE) | S(FREE) | S(ACTIVE) | S(EXPIRED) | \
			 S(RELEASED) | S(RESET) | S(BACKUP))
/* Freed, the partner not yet told: draft-12 §5.11. */
#define FREED		(S(EXPIRED) | S(RELEASED) | S(RESET))

static const struct lease_move {
	enum lease_actor	who;
	unsigned		from;
	unsigned		to;
} lease_moves[] = {
	/* dhcp_srv.c h_discover (choose_offer): free space (the pool, the
	 * client's FREE/BACKUP row), the client's own offer, binding or rewind,
	 * a reservation's address over another client's ended ACTIVE or OFFERED
	 * or its EXPIRED, RELEASED, RESET row */
	{ LEASE_BY_DHCP,	OFFERABLE | S(OFFERED),	S(OFFERED) },
	/* ack: the client's offer or ACTIVE, its EXPIRED or RELEASED (rewind),
	 * its FREE or BACKUP row taken from the pool; never an address that has
	 * neither row nor offer (may_have, lease_held look at its lease) */
	{ LEASE_BY_DHCP,	S(OFFERED) | S(ACTIVE) | S(EXPIRED) | S(RELEASED) |
				S(FREE) | S(BACKUP),	S(ACTIVE) },
	/* h_release (ACTIVE), and ack's binding the client moved away from: any
	 * state not free, its offer elsewhere included; FREE standalone,
	 * RELEASED in a relationship. Today: a client that declined one address
	 * (ABANDONED) frees it when it is acked another */
	{ LEASE_BY_DHCP,	S(ACTIVE) | S(OFFERED) | FREED | S(ABANDONED),
				S(FREE) | S(RELEASED) },
	/* h_decline: the client's lease of the address, in whatever state */
	{ LEASE_BY_DHCP,	HELD,			S(ABANDONED) },
	/* offer_drop: the client chose another server; the address is as it
	 * was before the offer */
	{ LEASE_BY_DHCP,	S(OFFERED),		OFFERABLE },
	/* expire_one: a lease not renewed, FREE standalone, EXPIRED until the
	 * partner knows; an offer not taken ends (offer_drop, or FREE when its
	 * scope is gone) */
	{ LEASE_BY_EXPIRY,	S(ACTIVE),		S(FREE) | S(EXPIRED) },
	{ LEASE_BY_EXPIRY,	S(OFFERED),		OFFERABLE },
	/* fo_upd.c apply_binding: what fo_bnd_check accepted, EXPIRED, RELEASED
	 * and RESET kept as the primary's FREE; over anything but ABANDONED,
	 * which only an ACTIVE, a RESET or an ABANDONED may replace */
	{ LEASE_BY_BNDUPD,	ANY & ~S(ABANDONED),	S(FREE) | S(ACTIVE) |
				S(ABANDONED) | S(BACKUP) },
	{ LEASE_BY_BNDUPD,	S(ABANDONED),		S(FREE) | S(ACTIVE) |
				S(ABANDONED) },
	/* binding_acked: a freed address is the primary's once the partner
	 * knows */
	{ LEASE_BY_BNDACK,	FREED,			S(FREE) },
	/* answer_binding: the same binding, pending again; only the states
	 * fo_bnd_check calls newer than the partner's */
	{ LEASE_BY_ANSWER,	S(ACTIVE),		S(ACTIVE) },
	{ LEASE_BY_ANSWER,	S(EXPIRED),		S(EXPIRED) },
	{ LEASE_BY_ANSWER,	S(RELEASED),		S(RELEASED) },
	{ LEASE_BY_ANSWER,	S(RESET),		S(RESET) },
	{ LEASE_BY_ANSWER,	S(ABANDONED),		S(ABANDONED) },
	/* ctl_lease.c lease.add: over free space or the same client's ACTIVE */
	{ LEASE_BY_OPERATOR,	S(NONE) | S(FREE) | S(BACKUP) | S(ACTIVE),
				S(ACTIVE) },
	/* lease.delete, scope.delete: whatever was there, offers too */
	{ LEASE_BY_OPERATOR,	ANY,			S(NONE) },
	/* a scope leaves its relationship (store_rel_remove_scope): one owner */
	{ LEASE_BY_OPERATOR,	S(FREE) | S(BACKUP),	S(FREE) },
	/* store_apply_moves, from fo_move.c: free rows change owner */
	{ LEASE_BY_MOVE,	S(FREE) | S(BACKUP),	S(FREE) | S(BACKUP) },
	/* store_release_due (draft-12 §9.4.2: MCLT after, without the partner's
	 * acknowledgement) */
	{ LEASE_BY_RELEASE_DUE,	FREED,			S(FREE) },
};
#undef S

int
lease_move_allowed(enum lease_state from, enum lease_state to,
    enum lease_actor who)
{
	const struct lease_move *m;

	if ((unsigned)from >= LEASE_NSTATES || (unsigned)to >= LEASE_NSTATES)
		return 0;
	for (m = lease_moves; m < lease_moves + nitems(lease_moves); m++)
		if (m->who == who && (m->from & LEASE_BIT(from)) &&
		    (m->to & LEASE_BIT(to)))
			return 1;
	return 0;
}

/* A state's name for the refusal's log line, NONE and out-of-range ones too. */
static const char *
move_name(unsigned state)
{
	return state < LEASE_NSTATES ? lease_state_names[state] : "UNKNOWN";
}

int
lease_move_check(uint32_t addr, enum lease_state from, enum lease_state to,
    enum lease_actor who)
{
	char a[16];

	if (lease_move_allowed(from, to, who))
		return 0;
	log_warnx("lease %s: %s -> %s refused: not a move %s may make",
	    addr_str(addr, a), move_name(from), move_name(to),
	    lease_actor_name(who));
	return -1;
}

int
lease_moves_check(unsigned from, enum lease_state to, enum lease_actor who,
    const char *what)
{
	for (unsigned st = 0; st < 32; st++) {
		if (!(from & LEASE_BIT(st)) || lease_move_allowed(st, to, who))
			continue;
		log_warnx("%s refused: %s -> %s is not a move %s may make", what,
		    move_name(st), move_name(to), lease_actor_name(who));
		return -1;
	}
	return 0;
}
