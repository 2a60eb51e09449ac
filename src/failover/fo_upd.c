/* Binding updates between partners (draft-12 §7.1-§7.7): pending leases out
 * as BNDUPDs within the partner's window, its BNDUPDs applied and answered
 * once durable, UPDREQ/UPDREQALL/UPDDONE. Free addresses moving between the
 * two owners (range moves, rebalancing) are fo_move.c's. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "err.h"
#include "fo.h"
#include "fo_bnd.h"
#include "fo_conn.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "log.h"
#include "util.h"

/* Open the transaction of this read's writes (committed by read_done). */
int
fo_upd_read_txn(struct fo_peer *p)
{
	if (p->in_read_txn)
		return 0;
	if (store_begin(fo_peer_store(p)) == -1) {
		log_warnx("failover %s: %s", p->rel.name, store_errmsg(fo_peer_store(p)));
		return -1;
	}
	p->in_read_txn = 1;
	return 0;
}

static int
inflight_add(struct fo_peer *p, const struct fo_inflight *f)
{
	if (p->nfl == p->capfl) {
		size_t cap = p->capfl ? p->capfl * 2 : 256;
		struct fo_inflight *v = reallocarray(p->fl, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		p->fl = v;
		p->capfl = cap;
	}
	p->fl[p->nfl++] = *f;
	return 0;
}

/* ---- the engine's view follows what the partner tells ---- */

/* Keep the DHCP engine's free intervals in step with one address: free and
 * ours to give, or not; this server expires the partner's leases too (then
 * tells it). */
static void
engine_follow(struct fo_peer *p, const struct lease *l)
{
	const struct fo_engine *e = &p->fo->engine;

	if (e->follow == NULL)
		return;
	e->follow(e->arg, l->address, l->state == LEASE_ACTIVE ? l->ends : 0,
	    lease_state_is_free(l->state) && (l->owner == p->rel.server_type ||
	    p->takeover));
}

/* ---- sending ---- */

/* Make what was written durable with the DHCP engine's group commit (its
 * durable callback kicks every peer), or at once without an engine. */
static void
commit_soon(struct fo_peer *p)
{
	struct store *st = fo_peer_store(p);

	if (p->fo->engine.commit_soon != NULL)
		p->fo->engine.commit_soon(p->fo->engine.arg);
	else if (store_committed_seq(st) > store_durable_seq(st) || store_in_txn(st))
		if (store_commit(st) == -1)
			log_warnx("failover %s: commit failed: %s", p->rel.name,
			    store_errmsg(st));
}

/* The BNDACKs queued since the last mark wait for the writes made so far. */
static void
ack_mark(struct fo_peer *p)
{
	size_t marked = p->nackm ? p->ackm[p->nackm - 1].end : 0;

	if (p->nackq == marked)
		return;
	if (p->nackm == p->capackm) {
		size_t cap = p->capackm ? p->capackm * 2 : 16;
		struct fo_ackmark *v = reallocarray(p->ackm, cap, sizeof(*v));

		if (v == NULL) {	/* unacknowledged: the partner sends again */
			p->nackq = marked;
			return;
		}
		p->ackm = v;
		p->capackm = cap;
	}
	p->ackm[p->nackm++] = (struct fo_ackmark){ p->nackq,
	    store_write_seq(fo_peer_store(p)), store_losses(fo_peer_store(p)) };
}

/* Send the BNDACKs whose bindings are durable now (draft-12 §7.2); if lease
 * writes were lost meanwhile, none: the link is dropped, and the partner
 * sends its unacknowledged bindings again on the next. */
static void
acks_release(struct fo_peer *p)
{
	struct store *st = fo_peer_store(p);
	size_t k = 0, end;

	while (k < p->nackm && p->ackm[k].seq <= store_durable_seq(st))
		k++;
	if (k == 0 || p->conn == NULL)
		return;
	for (size_t i = 0; i < k; i++)
		if (p->ackm[i].losses != store_losses(st)) {
			p->nackq = p->nackm = 0;
			fo_peer_link_lost(p, "lease writes were lost: "
			    "acknowledgements withheld");
			return;
		}
	end = p->ackm[k - 1].end;
	if (fo_conn_send(p->conn, p->ackq, end) == -1) {
		p->nackq = p->nackm = 0;
		fo_peer_link_lost(p, "output queue full");
		return;
	}
	memmove(p->ackq, p->ackq + end, p->nackq - end);
	p->nackq -= end;
	memmove(p->ackm, p->ackm + k, (p->nackm - k) * sizeof(*p->ackm));
	p->nackm -= k;
	for (size_t i = 0; i < p->nackm; i++)
		p->ackm[i].end -= end;
}

/* Encode (signed) and append to the BNDACK queue, sent once durable. */
static void
ackq_add(struct fo_peer *p, struct fo_msg *m)
{
	uint8_t buf[FO_MSG_MAX];
	size_t len;

	m->time = (uint32_t)time_wall();
	if (fo_msg_encode(m, buf, sizeof(buf) - FO_DIGEST_ROOM, &len) == -1 ||
	    (p->rel.shared_secret[0] && fo_msg_sign(buf, &len, sizeof(buf),
	    p->rel.shared_secret) == -1))
		return;
	if (p->nackq + len > p->capackq) {
		size_t cap = (p->capackq + len) * 2;
		uint8_t *v = realloc(p->ackq, cap);

		if (v == NULL)
			return;
		p->ackq = v;
		p->capackq = cap;
	}
	memcpy(p->ackq + p->nackq, buf, len);
	p->nackq += len;
}

/* Bindings per BNDUPD: ISC takes one; dhcpfod batches (draft-12 §6.3). */
static size_t
batch_size(const struct fo_peer *p)
{
	return p->partner_dhcpfod ? 24 : 1;
}

/* Bindings of v[0..n-1] that fit in one BNDUPD m (its header and
 * options encoded once, then each binding's length added). */
static void
fill_bindings(struct fo_msg *m, const struct lease *v, size_t n)
{
	uint8_t buf[FO_MSG_MAX];
	size_t len, cap = sizeof(buf) - FO_DIGEST_ROOM, bl;

	if (fo_msg_encode(m, buf, cap, &len) == -1)
		return;
	for (size_t k = 0; k < n && m->nb < FO_MSG_BINDINGS; k++) {
		fo_bnd_from_lease(&v[k], &m->b[m->nb]);
		if ((bl = fo_msg_binding_len(m->type, &m->b[m->nb])) == 0 ||
		    len + bl > cap)
			break;
		len += bl;
		m->nb++;
	}
}

/* Debug: one binding sent. */
static void
log_sent(struct fo_peer *p, const struct fo_binding *b, uint32_t xid)
{
	char a[16], d[FO_BND_STR_LEN];

	log_debug("failover %s: %s: sent %s (xid %u)", p->rel.name,
	    addr_str(b->addr, a), fo_bnd_str(b, time_wall(), d, sizeof(d)), xid);
}

/* One BNDUPD of pending leases after the cursor; 0 sent, 1 nothing, -1 error. */
static int
send_bindings(struct fo_peer *p, struct fo_msg *m)
{
	struct lease *v;
	size_t n;
	uint64_t upto = store_durable_seq(fo_peer_store(p));

	if (store_pending_list(fo_peer_store(p), p->rel.scopes, p->rel.nscopes, p->cur_seq,
	    p->cur_addr, upto, batch_size(p), &v, &n) == -1) {
		log_warnx("failover %s: %s", p->rel.name, store_errmsg(fo_peer_store(p)));
		return -1;
	}
	memset(m, 0, offsetof(struct fo_msg, b));
	m->nb = m->nr = 0;
	m->type = FO_BNDUPD;
	fill_bindings(m, v, n);
	if (m->nb == 0) {
		free(v);
		return 1;
	}
	p->xid++;
	for (size_t i = 0; i < m->nb; i++) {
		struct fo_inflight f = { .xid = p->xid, .addr = v[i].address,
		    .seq = v[i].pending, .pot_exp = v[i].sent_pot_exp,
		    .state = (uint8_t)v[i].state };

		inflight_add(p, &f);
		store_pending_sent(fo_peer_store(p), v[i].address, v[i].pending);
		if (log_getlevel() >= LOG_LVL_DEBUG)
			log_sent(p, &m->b[i], p->xid);
	}
	p->cur_seq = v[m->nb - 1].pending;
	p->cur_addr = v[m->nb - 1].address;
	free(v);
	m->xid = p->xid;
	p->msgs_unacked++;
	return fo_peer_send(p, m, 1);
}

/* One BNDUPD of queued range moves: ranges for dhcpfod partners, else one
 * address of the first range as a FREE/BACKUP binding. */
static int
send_ranges(struct fo_peer *p, struct fo_msg *m)
{
	size_t k = 0;

	memset(m, 0, sizeof(*m));
	m->type = FO_BNDUPD;
	m->xid = ++p->xid;
	if (!p->partner_dhcpfod) {
		struct fo_rq *q = &p->rq[0];
		struct fo_inflight f = { m->xid, q->r.start, q->r.start, q->subnet, 0, 0,
		    q->r.status, 1, q->rebal };

		m->b[0].addr = q->r.start;
		m->b[0].has = FO_B_STATUS;
		m->b[0].status = q->r.status;
		m->nb = 1;
		inflight_add(p, &f);
		if (q->r.start++ == q->r.end)
			k = 1;
	} else {
		for (; k < p->nrq && k < FO_MSG_RANGES; k++) {
			struct fo_inflight f = { m->xid, p->rq[k].r.start, p->rq[k].r.end,
			    p->rq[k].subnet, 0, 0, p->rq[k].r.status, 1, p->rq[k].rebal };

			m->r[m->nr++] = p->rq[k].r;
			inflight_add(p, &f);
		}
	}
	memmove(p->rq, p->rq + k, (p->nrq - k) * sizeof(*p->rq));
	p->nrq -= k;
	p->msgs_unacked++;
	return fo_peer_send(p, m, 1);
}

/* Whether a state change may be announced (fo_peer_set_state): every
 * binding written before it is durable and sent on this connection. */
static int
state_due(struct fo_peer *p)
{
	struct lease *v;
	size_t n;

	if (store_durable_seq(fo_peer_store(p)) < p->state_seq)
		return 0;
	if (store_pending_list(fo_peer_store(p), p->rel.scopes, p->rel.nscopes,
	    p->cur_seq, p->cur_addr, p->state_seq, 1, &v, &n) == -1)
		return 0;
	free(v);
	return n == 0;
}

/* Whether every binding asked for by the partner's UPDREQ has been sent and
 * acknowledged (draft-12 §7.6: then UPDDONE). */
static int
upd_finished(struct fo_peer *p)
{
	struct lease *v;
	size_t n;

	if (p->nrq > 0)
		return 0;
	for (size_t i = 0; i < p->nfl; i++)
		if (p->fl[i].range || p->fl[i].seq <= p->upd_until)
			return 0;
	if (store_pending_list(fo_peer_store(p), p->rel.scopes, p->rel.nscopes, 0, 0,
	    p->upd_until, 1, &v, &n) == -1)
		return 0;
	free(v);
	return n == 0;
}

void
fo_upd_pump(struct fo_peer *p)
{
	struct fo_msg *m;
	size_t window = p->partner_window ? p->partner_window : 1;
	int rc = 0;

	acks_release(p);
	if (p->link != FO_LINK_OK || (m = fo_msg_new(FO_BNDUPD)) == NULL)
		return;
	while (p->conn != NULL && p->msgs_unacked < window && p->nrq > 0 && rc == 0)
		rc = send_ranges(p, m);
	while (p->conn != NULL && p->msgs_unacked < window && rc == 0)
		rc = send_bindings(p, m);
	if (p->conn != NULL && p->state_owed && state_due(p))
		fo_peer_send_state(p);
	if (p->conn != NULL && p->serving_upd && upd_finished(p)) {
		memset(m, 0, sizeof(*m));
		m->type = FO_UPDDONE;
		m->xid = p->upd_xid;
		p->serving_upd = 0;
		log_info("failover %s: every binding the partner asked for is "
		    "acknowledged: UPDDONE", p->rel.name);
		fo_peer_send(p, m, 1);
	}
	free(m);
}

void
fo_upd_ask(struct fo_peer *p, int all)
{
	struct fo_msg *m = fo_msg_new(all ? FO_UPDREQALL : FO_UPDREQ);

	if (m == NULL)
		return;
	log_info("failover %s: asking the partner for %s bindings", p->rel.name,
	    all ? "all its" : "its unacknowledged");
	if (fo_peer_send(p, m, 0) == 0)
		p->asked = 1;
	free(m);
}

/* ---- receiving ---- */

/* Write an accepted binding the way draft-12 §5.11 has the receiver keep it:
 * EXPIRED/RELEASED/RESET become FREE (the primary's) on acceptance. */
static int
apply_binding(struct fo_peer *p, const struct fo_binding *b, uint32_t subnet,
    const struct lease *mine)
{
	struct lease l = { 0 };
	enum fo_role partner = p->rel.server_type == FO_PRIMARY ? FO_SECONDARY :
	    FO_PRIMARY;

	fo_bnd_to_lease(b, &l);
	l.address = b->addr;
	l.subnet = subnet;
	l.fo_sync = 0;
	l.last_bndupd = time_wall();	/* failover.client_info last_bndupd_time */
	if (mine != NULL && mine->hostname[0] && l.state == LEASE_ACTIVE &&
	    mine->hwlen == l.hwlen && memcmp(mine->hwaddr, l.hwaddr, l.hwlen) == 0)
		memcpy(l.hostname, mine->hostname, sizeof(l.hostname));
	switch (l.state) {
	case LEASE_EXPIRED: case LEASE_RELEASED: case LEASE_RESET: case LEASE_FREE:
		l.state = LEASE_FREE;
		l.owner = FO_PRIMARY;
		break;
	case LEASE_BACKUP:
		l.owner = FO_SECONDARY;
		break;
	default:
		l.owner = partner;
	}
	if (store_lease_stage(fo_peer_store(p), &l, LEASE_BY_BNDUPD) == -1)
		return -1;
	engine_follow(p, &l);
	return 0;
}

/* Whether a scope belongs to this relationship. */
static int
rel_has_scope(const struct fo_peer *p, uint32_t subnet)
{
	for (size_t i = 0; i < p->rel.nscopes; i++)
		if (p->rel.scopes[i] == subnet)
			return 1;
	return 0;
}

/* The scope of a received address if it is in this relationship's pools
 * (draft-12 §7.1.3 reject 1 otherwise): from the engine's view, brought up
 * to date first (no query per binding: a statement would also flush the
 * staged bindings one by one), else from the store. 0 or a reason. */
static int
binding_scope(struct fo_peer *p, uint32_t addr, uint32_t *subnet)
{
	const struct fo_engine *e = &p->fo->engine;
	const struct scope *ps;
	struct scope sc;
	int rc;

	if (e->scope_of != NULL && (rc = e->scope_of(e->arg, addr, &ps)) != -1) {
		if (rc != 0)
			return FO_REJ_ILLEGAL_IP;
		*subnet = ps->subnet;
		return rel_has_scope(p, ps->subnet) && addr >= ps->range_start &&
		    addr <= ps->range_end ? 0 : FO_REJ_ILLEGAL_IP;
	}
	if ((rc = store_scope_find(fo_peer_store(p), addr, &sc)) != 0)
		return rc == -1 ? FO_REJ_UNKNOWN : FO_REJ_ILLEGAL_IP;
	*subnet = sc.subnet;
	rc = rel_has_scope(p, sc.subnet) && addr >= sc.range_start &&
	    addr <= sc.range_end ? 0 : FO_REJ_ILLEGAL_IP;
	scope_fini(&sc);
	return rc;
}

/* Debug: one received binding, what this server had, and the verdict. */
static void
log_received(struct fo_peer *p, const struct fo_binding *b,
    const struct lease *mine, int rc, int answer, int64_t now)
{
	char a[16], in[FO_BND_STR_LEN], my[FO_BND_STR_LEN];

	log_debug("failover %s: %s: received %s; mine %s: %s%s%s", p->rel.name,
	    addr_str(b->addr, a), fo_bnd_str(b, now, in, sizeof(in)),
	    mine ? fo_bnd_lease_str(mine, now, my, sizeof(my)) : "none",
	    rc ? "refused, " : "accepted", rc ? fo_reject_name(rc) : "",
	    answer ? ", answering with mine" : "");
}

/* A refused binding whose refusal says ours is newer: ours goes to the
 * partner (pending again), which takes it, so that both converge instead of
 * keeping what each refused of the other (docs/FAILOVER.md §6). */
static void
answer_binding(struct fo_peer *p, const struct lease *mine)
{
	struct lease l = *mine;

	if (l.pending != 0)
		return;		/* on its way already */
	l.fo_sync = 1;
	if (store_lease_stage(fo_peer_store(p), &l, LEASE_BY_ANSWER) == -1)
		log_warnx("failover %s: %s", p->rel.name, store_errmsg(fo_peer_store(p)));
}

/* One received binding: check (draft-12 §7.1.3), apply; 0 or a reason. */
static int
receive_binding(struct fo_peer *p, const struct fo_binding *b)
{
	struct lease mine;
	uint32_t subnet;
	int rc, have, answer;
	int64_t now = time_wall();

	if ((rc = binding_scope(p, b->addr, &subnet)) != 0)
		return rc;
	if ((have = store_lease_get(fo_peer_store(p), b->addr, &mine)) == -1)
		return FO_REJ_UNKNOWN;
	rc = fo_bnd_check(have == 0 ? &mine : NULL, b, p->rel.server_type, now,
	    &answer);
	if (log_getlevel() >= LOG_LVL_DEBUG)
		log_received(p, b, have == 0 ? &mine : NULL, rc, answer, now);
	if (rc != 0) {
		if (answer)
			answer_binding(p, &mine);
		return rc;
	}
	return apply_binding(p, b, subnet, have == 0 ? &mine : NULL) == -1 ?
	    FO_REJ_UNKNOWN : 0;
}

/* The partner answered a client (its ACTIVE binding for it arrived): no
 * longer counted as unanswered (fo_unacked.h, FAILOVER.md §4). */
static void
client_answered(struct fo_peer *p, const struct fo_binding *b)
{
	if (b->status != LEASE_ACTIVE || b->hlen == 0)
		return;
	if (fo_unacked_answered(&p->unacked, fo_unacked_key(b->chaddr, b->hlen)))
		log_notice("failover %s: partner answers its clients again",
		    p->rel.name);
}

void
fo_upd_on_bndupd(struct fo_peer *p, const struct fo_msg *m)
{
	struct fo_msg *ack = fo_msg_new(FO_BNDACK);
	char a[16];

	/* bindings are staged; range moves change many rows in a transaction */
	if (ack == NULL || (m->nr > 0 && fo_upd_read_txn(p) == -1)) {
		free(ack);
		return;
	}
	ack->xid = m->xid;
	for (size_t i = 0; i < m->nb; i++) {
		struct fo_binding *out = &ack->b[ack->nb++];
		int rc = receive_binding(p, &m->b[i]);

		out->addr = m->b[i].addr;
		client_answered(p, &m->b[i]);
		if (rc != 0) {
			out->has = FO_B_REJECT;
			out->reject = (uint8_t)rc;
			log_info("failover %s: binding of %s refused: %s", p->rel.name,
			    addr_str(m->b[i].addr, a), fo_reject_name(rc));
		}
	}
	for (size_t i = 0; i < m->nr; i++) {
		struct scope sc;

		if (store_scope_find(fo_peer_store(p), m->r[i].start, &sc) != 0)
			continue;
		if (rel_has_scope(p, sc.subnet))
			fo_move_apply(p, sc.subnet, &m->r[i], ack);
		scope_fini(&sc);
	}
	ackq_add(p, ack);
	free(ack);
}

/* Our binding was accepted: no longer pending; a freed address becomes the
 * primary's FREE now that the partner knows (draft-12 §5.11). */
static void
binding_acked(struct fo_peer *p, const struct fo_inflight *f, int reject)
{
	struct store *st = fo_peer_store(p);
	struct lease l;
	char a[16];

	if (reject == FO_REJ_OUTDATED)	/* it holds a newer one: it answers */
		log_info("failover %s: partner refused the binding of %s: %s",
		    p->rel.name, addr_str(f->addr, a), fo_reject_name(reject));
	else if (reject)
		log_warnx("failover %s: partner refused the binding of %s: %s",
		    p->rel.name, addr_str(f->addr, a), fo_reject_name(reject));
	else
		log_debug("failover %s: %s: partner accepted %s (xid %u)",
		    p->rel.name, addr_str(f->addr, a), lease_state_name(f->state),
		    f->xid);
	store_pending_ack(st, f->addr, f->seq, reject ? 0 : f->pot_exp);
	if (reject || store_lease_get(st, f->addr, &l) != 0)
		return;
	if (l.state != f->state) {
		/* the partner's ACTIVE crossed ours on the wire and we took it; a
		 * partner that then took our older binding over its own (ISC dhcpd
		 * does while recovering) holds the older: it gets the ACTIVE back */
		log_debug("failover %s: %s: acknowledged %s, now %s", p->rel.name,
		    addr_str(f->addr, a), lease_state_name(f->state),
		    lease_state_name(l.state));
		if (l.state == LEASE_ACTIVE)
			answer_binding(p, &l);
		return;
	}
	if (f->state != LEASE_EXPIRED && f->state != LEASE_RELEASED &&
	    f->state != LEASE_RESET)
		return;
	l.state = LEASE_FREE;
	l.owner = FO_PRIMARY;
	l.fo_sync = 0;
	if (store_lease_stage(st, &l, LEASE_BY_BNDACK) == 0)
		engine_follow(p, &l);
	else	/* stays EXPIRED/RELEASED: say so, the pool is one short */
		log_warnx("failover %s: %s: acknowledged, not freed: %s",
		    p->rel.name, addr_str(f->addr, a), store_errmsg(st));
}

/* The reject reason a BNDACK gives for addr, 0 if accepted or not listed. */
static int
ack_reason(const struct fo_msg *m, uint32_t addr)
{
	for (size_t i = 0; i < m->nb; i++)
		if (m->b[i].addr == addr)
			return (m->b[i].has & FO_B_REJECT) ? m->b[i].reject : 0;
	return 0;
}

void
fo_upd_on_bndack(struct fo_peer *p, const struct fo_msg *m)
{
	size_t i = 0, w = 0;
	int found = 0;

	for (i = 0; i < p->nfl; i++) {
		struct fo_inflight f = p->fl[i];

		if (f.xid != m->xid) {
			p->fl[w++] = p->fl[i];
			continue;
		}
		found = 1;
		if (!f.range)
			binding_acked(p, &f, ack_reason(m, f.addr));
		else if (!p->partner_dhcpfod)
			fo_move_single_acked(p, &f, ack_reason(m, f.addr));
		else
			fo_move_acked(p, &f, m);
	}
	p->nfl = w;
	if (found && p->msgs_unacked > 0)
		p->msgs_unacked--;
	fo_peer_schedule(p);
}

/* The end of one read from the partner: its transaction (range moves,
 * UPDREQALL) committed, its BNDACKs queued until their bindings are durable
 * (draft-12 §7.2) and the group commit asked to make them so; a read of
 * acknowledgements only needs no fsync of its own (a lost one means a
 * binding is sent again). */
void
fo_upd_read_done(struct fo_peer *p)
{
	struct store *st = fo_peer_store(p);

	if (p->in_read_txn) {
		p->in_read_txn = 0;
		if ((p->upd_mark ? store_commit(st) : store_commit_deferred(st)) == -1) {
			log_warnx("failover %s: commit failed, acknowledgements "
			    "withheld: %s", p->rel.name, store_errmsg(st));
			p->nackq = p->nackm ? p->ackm[p->nackm - 1].end : 0;
			if (p->fo->engine.invalidate != NULL)
				p->fo->engine.invalidate(p->fo->engine.arg);
			return;
		}
	}
	if (p->upd_mark) {	/* everything marked for UPDREQALL is durable now */
		p->upd_mark = 0;
		p->upd_until = store_durable_seq(st);
	}
	ack_mark(p);
	if (p->nackm > 0 || store_in_txn(st) ||
	    store_committed_seq(st) > store_durable_seq(st))
		commit_soon(p);
	acks_release(p);
	fo_peer_schedule(p);
}

void
fo_upd_on_updreq(struct fo_peer *p, const struct fo_msg *m, int all)
{
	struct store *st = fo_peer_store(p);

	log_info("failover %s: partner asks for %s bindings", p->rel.name,
	    all ? "all" : "unacknowledged");
	if (all) {
		/* in this read's transaction: committed, and numbered durable, by
		 * read_done before anything is sent */
		if (fo_upd_read_txn(p) == -1 || store_pending_mark_all(st, p->rel.name) == -1) {
			log_warnx("failover %s: %s", p->rel.name, store_errmsg(st));
			return;
		}
		p->upd_mark = 1;
		fo_move_ownership(p, 1);
	}
	p->cur_seq = 0;
	p->cur_addr = 0;
	p->serving_upd = 1;
	p->upd_xid = m->xid;
	p->upd_until = all ? UINT64_MAX : store_durable_seq(st);
	fo_peer_schedule(p);
}

void
fo_upd_link_up(struct fo_peer *p)
{
	p->cur_seq = 0;
	p->cur_addr = 0;
	p->nfl = 0;
	p->msgs_unacked = 0;
	p->serving_upd = 0;
	p->nackq = p->nackm = 0;
	fo_move_ownership(p, 0);
}

int
fo_upd_all_acked(struct fo_peer *p)
{
	struct lease *v;
	size_t n;

	if (p->nfl > 0 || p->nrq > 0 || store_in_txn(fo_peer_store(p)))
		return 0;
	if (store_pending_list(fo_peer_store(p), p->rel.scopes, p->rel.nscopes, 0, 0,
	    UINT64_MAX, 1, &v, &n) == -1)
		return 0;
	free(v);
	return n == 0;
}

void
fo_upd_link_down(struct fo_peer *p)
{
	if (p->in_read_txn) {	/* keep what was received; it is not acked */
		p->in_read_txn = 0;
		if (store_commit(fo_peer_store(p)) == -1)
			store_rollback(fo_peer_store(p));
	}
	p->nfl = 0;
	p->msgs_unacked = 0;
	p->nrq = 0;
	p->nackq = p->nackm = 0;
	p->serving_upd = 0;
	p->upd_mark = 0;
	p->asked = 0;
	p->state_owed = 0;	/* the next link sends STATE at once */
	if (p->rebal != NULL)
		fo_move_rebal_finish(p, ERR_FO_STATE_NOT_NORMAL, "the connection to the "
		    "partner was lost during the rebalance");
}
