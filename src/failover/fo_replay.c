/* Replay protection of signed failover traffic (draft-12 §11.1; see
 * fo_replay.h for the rules). */
#include <stdio.h>

#include "fo_replay.h"

void
fo_replay_link(struct fo_replay *r)
{
	r->have_xid = 0;
}

/* Whether a type answers one of ours (its xid is ours, not the partner's). */
static int
is_answer(int type)
{
	return type == FO_CONNECTACK || type == FO_BNDACK || type == FO_UPDDONE ||
	    type == FO_POOLRESP;
}

/* A CONNECT or CONNECTACK: later than the last one accepted (§11.1). */
static int
hello_check(struct fo_replay *r, const struct fo_msg *m, char *why, size_t len)
{
	if (r->have_hello && ((int64_t)m->time < r->hello_time ||
	    ((int64_t)m->time == r->hello_time && m->xid <= r->hello_xid))) {
		snprintf(why, len, "%s (time %u, xid %u) not later than the last one "
		    "(time %lld, xid %u)", fo_msg_type_name(m->type), m->time, m->xid,
		    (long long)r->hello_time, r->hello_xid);
		return -1;
	}
	r->hello_time = m->time;
	r->hello_xid = m->xid;
	r->have_hello = 1;
	if (m->type == FO_CONNECT) {	/* the partner's request: its xid counts */
		r->last_xid = m->xid;
		r->have_xid = 1;
	}
	return 0;
}

int
fo_replay_check(struct fo_replay *r, const struct fo_msg *m, char *why,
    size_t whylen)
{
	if (m->type == FO_CONNECT || m->type == FO_CONNECTACK)
		return hello_check(r, m, why, whylen);
	if (r->have_hello && (int64_t)m->time < r->hello_time) {
		snprintf(why, whylen, "%s older (time %u) than its connection (%lld)",
		    fo_msg_type_name(m->type), m->time, (long long)r->hello_time);
		return -1;
	}
	if (is_answer(m->type))
		return 0;
	if (r->have_xid && (int32_t)(m->xid - r->last_xid) <= 0) {
		snprintf(why, whylen, "%s xid %u not above the last (%u)",
		    fo_msg_type_name(m->type), m->xid, r->last_xid);
		return -1;
	}
	r->last_xid = m->xid;
	r->have_xid = 1;
	return 0;
}
