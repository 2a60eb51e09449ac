/* Free addresses moving between the two owners of a relationship (FAILOVER.md
 * §11): who owns what told to a dhcpfod partner as range moves (vendor
 * option 29) or to a draft-12 partner as single bindings, the partner's moves
 * applied and echoed, and rebalancing, planned by fo_rebal.c, queued here
 * and finished once every move is acknowledged. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fo.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "fo_rebal.h"
#include "log.h"
#include "util.h"

/* Queue the move of [start, end] to the owner that status names. */
static int
move_queue(struct fo_peer *p, uint32_t subnet, uint32_t start, uint32_t end,
    int status, int rebal)
{
	if (p->nrq == p->caprq) {
		size_t cap = p->caprq ? p->caprq * 2 : 64;
		struct fo_rq *v = reallocarray(p->rq, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		p->rq = v;
		p->caprq = cap;
	}
	p->rq[p->nrq++] = (struct fo_rq){ subnet, { start, end, (uint8_t)status },
	    (uint8_t)rebal };
	return 0;
}

/* Who owns every free address, as this server sees it. A primary tells a
 * dhcpfod secondary on every contact and UPDREQALL, as range moves (the
 * primary's view is the truth). Any other partner (ISC) hears it only when
 * it asks for everything, from either role, one binding per address: ISC
 * holds every address as a lease and, having lost its lease file, takes each
 * one it is told nothing of as FREE, the primary's; a BACKUP address the
 * secondary still owned would then be served by both. It is in RECOVER
 * then, serving nobody, so nothing it leases crosses these bindings. */
void
fo_move_ownership(struct fo_peer *p, int all)
{
	if (p->partner_dhcpfod ? p->rel.server_type != FO_PRIMARY : !all)
		return;
	for (size_t i = 0; i < p->rel.nscopes; i++) {
		struct rebal_run *runs;
		size_t n;

		if (store_free_runs(fo_peer_store(p), p->rel.scopes[i], &runs, &n) != 0)
			continue;
		for (size_t k = 0; k < n; k++)
			move_queue(p, p->rel.scopes[i], runs[k].start, runs[k].end,
			    runs[k].owner == FO_SECONDARY ? LEASE_BACKUP : LEASE_FREE, 0);
		free(runs);
	}
}

/* Move [start, end] of a scope's free addresses to the owner that status
 * names, where they are free; the runs moved go to echo (§5.3, receiver). */
int
fo_move_apply(struct fo_peer *p, uint32_t subnet, const struct fo_range *r,
    struct fo_msg *echo)
{
	enum fo_role to = r->status == LEASE_BACKUP ? FO_SECONDARY : FO_PRIMARY;
	struct rebal_run *runs;
	struct rebal_move mv[FO_MSG_RANGES];
	size_t n, k = 0;

	if (store_free_runs(fo_peer_store(p), subnet, &runs, &n) != 0)
		return -1;
	for (size_t i = 0; i < n && echo->nr < FO_MSG_RANGES; i++) {
		uint32_t s = runs[i].start > r->start ? runs[i].start : r->start;
		uint32_t e = runs[i].end < r->end ? runs[i].end : r->end;

		if (s > e)
			continue;
		echo->r[echo->nr++] = (struct fo_range){ s, e, r->status };
		if (runs[i].owner != to)
			mv[k++] = (struct rebal_move){ s, e, to };
	}
	free(runs);
	return k ? store_apply_moves(fo_peer_store(p), subnet, mv, k) : 0;
}

/* The index of a scope in the running rebalance, or -1. */
static long
rebal_scope(const struct fo_rebal_op *op, uint32_t subnet)
{
	for (size_t i = 0; op != NULL && i < op->nscopes; i++)
		if (op->subnets[i] == subnet)
			return (long)i;
	return -1;
}

/* A range move was answered: what the partner echoed is applied here too
 * (a BACKUP -> FREE move takes effect only now, FAILOVER.md §11). */
void
fo_move_acked(struct fo_peer *p, const struct fo_inflight *f,
    const struct fo_msg *m)
{
	long si = rebal_scope(p->rebal, f->subnet);

	for (size_t i = 0; i < m->nr; i++) {
		const struct fo_range *r = &m->r[i];
		uint64_t cnt = (uint64_t)r->end - r->start + 1;

		if (r->start < f->addr || r->end > f->end || r->status != f->state)
			continue;
		if (r->status == LEASE_FREE && fo_upd_read_txn(p) == 0) {
			struct rebal_move mv = { r->start, r->end, FO_PRIMARY };

			store_apply_moves(fo_peer_store(p), f->subnet, &mv, 1);
		}
		if (f->rebal && si >= 0)
			(r->status == LEASE_FREE ? p->rebal->to_primary :
			    p->rebal->to_secondary)[si] += cnt;
	}
	if (f->rebal && p->rebal != NULL && --p->rebal->outstanding == 0)
		fo_move_rebal_finish(p, 0, NULL);
}

/* A one-address move to a draft-12 partner was answered. */
void
fo_move_single_acked(struct fo_peer *p, const struct fo_inflight *f, int reject)
{
	struct fo_msg echo = { 0 };

	if (!reject) {
		echo.r[0] = (struct fo_range){ f->addr, f->addr, f->state };
		echo.nr = 1;
	}
	fo_move_acked(p, f, &echo);
}

/* ---- rebalancing (FAILOVER.md §11) ---- */

static void
rebal_op_free(struct fo_rebal_op *op)
{
	free(op->subnets);
	free(op->to_secondary);
	free(op->to_primary);
	free(op);
}

/* The §5.3 result: per scope the split as it stands now and what moved. */
static json_t *
rebal_result(struct fo_peer *p, const struct fo_rebal_op *op)
{
	json_t *scopes = json_array();

	for (size_t i = 0; i < op->nscopes; i++) {
		struct scope_stats s;
		char a[16];

		if (store_scope_stats(fo_peer_store(p), op->subnets[i], FO_PRIMARY, &s) != 0)
			continue;
		json_array_append_new(scopes, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}",
		    "scope", addr_str(op->subnets[i], a), "free", (json_int_t)s.addr_free,
		    "primary_free", (json_int_t)s.this_addr_free,
		    "secondary_free", (json_int_t)s.partner_addr_free,
		    "moved_to_secondary", (json_int_t)op->to_secondary[i],
		    "moved_to_primary", (json_int_t)op->to_primary[i]));
	}
	return json_pack("{s:s, s:o, s:I}", "name", p->rel.name, "scopes", scopes,
	    "elapsed_ms", (json_int_t)(time_mono_ms() - op->t0_ms));
}

/* The running rebalance ends: its caller hears the result or the error. */
void
fo_move_rebal_finish(struct fo_peer *p, int code, const char *why)
{
	struct fo_rebal_op *op = p->rebal;

	p->rebal = NULL;
	if (op == NULL)
		return;
	if (code == 0) {
		json_t *res = rebal_result(p, op);

		log_notice("failover %s: rebalanced in %lld ms", p->rel.name,
		    (long long)(time_mono_ms() - op->t0_ms));
		if (op->done != NULL)
			op->done(op->arg, res, 0, NULL);
		else
			json_decref(res);
	} else if (op->done != NULL)
		op->done(op->arg, NULL, code, why);
	rebal_op_free(op);
}

/* What a side's reserve kept from moving, said once per rebalance. */
static void
log_held(const struct fo_peer *p, uint32_t subnet, const struct rebal_plan *plan,
    const struct scope_stats *st)
{
	int to_sec = plan->secondary_free < plan->secondary_target;

	log_notice("failover %s: scope %s: %llu free addresses stay with the %s, "
	    "its share of the scope, which the %s has outgrown (%llu in use): the "
	    "automatic rebalance does not follow a flood (FAILOVER.md §11)",
	    p->rel.name, addr_str(subnet, (char[16]){ 0 }),
	    (unsigned long long)plan->held, to_sec ? "primary" : "secondary",
	    to_sec ? "secondary" : "primary", (unsigned long long)(to_sec ?
	    st->partner_addr_in_use : st->this_addr_in_use));
}

/* The plan of one scope: exact for the operator's rebalance, keeping each
 * side's reserve for the automatic forms (FAILOVER.md §11). 0, -1 storage
 * or memory. */
static int
rebal_scope_plan_make(struct fo_peer *p, const struct fo_rebal_op *op,
    uint32_t subnet, struct rebal_plan *plan, struct scope_stats *st)
{
	unsigned share = fo_secondary_share(p->rel.mode, p->rel.percentage);
	struct rebal_run *runs;
	size_t n;
	int rc;

	memset(st, 0, sizeof(*st));
	if (op->keep_reserves &&
	    store_scope_stats(fo_peer_store(p), subnet, FO_PRIMARY, st) != 0)
		return -1;
	if (store_free_runs(fo_peer_store(p), subnet, &runs, &n) != 0)
		return -1;
	rc = op->keep_reserves ? rebal_plan_scope_kept(runs, n, share,
	    &(struct rebal_used){ st->this_addr_in_use, st->partner_addr_in_use },
	    plan) : rebal_plan_scope(runs, n, share, plan);
	free(runs);
	return rc;
}

/* Plan one scope and queue its moves: FREE -> BACKUP takes effect here at
 * once (draft-12 §5.11: once sent the primary must not use them),
 * BACKUP -> FREE when the partner answers. Returns the moves queued. */
static long
rebal_scope_plan(struct fo_peer *p, struct fo_rebal_op *op, size_t si,
    unsigned threshold)
{
	struct rebal_plan plan;
	struct scope_stats st;
	long queued = 0;

	if (rebal_scope_plan_make(p, op, op->subnets[si], &plan, &st) == -1)
		return -1;
	if (threshold == 0 || rebal_needed(&plan, threshold)) {
		if (plan.held > 0)
			log_held(p, op->subnets[si], &plan, &st);
		for (size_t k = 0; k < plan.nmoves; k++) {
			const struct rebal_move *mv = &plan.moves[k];

			if (mv->to == FO_SECONDARY && store_apply_moves(fo_peer_store(p),
			    op->subnets[si], mv, 1) == -1)
				break;
			if (move_queue(p, op->subnets[si], mv->start, mv->end, mv->to ==
			    FO_SECONDARY ? LEASE_BACKUP : LEASE_FREE, 1) == -1)
				break;
			queued += p->partner_dhcpfod ? 1 :
			    (long)(mv->end - mv->start + 1);
		}
	}
	rebal_plan_free(&plan);
	return queued;
}

/* Plan every scope of the relationship and queue the moves; op NULL for the
 * timer/threshold form. */
int
fo_move_rebalance(struct fo_peer *p, struct fo_rebal_op *op, unsigned threshold)
{
	size_t n = p->rel.nscopes;

	if (op == NULL) {
		if ((op = calloc(1, sizeof(*op))) == NULL)
			return -1;
		op->keep_reserves = 1;
	}
	if (op->t0_ms == 0)
		op->t0_ms = time_mono_ms();
	op->nscopes = n;
	op->subnets = calloc(n ? n : 1, sizeof(*op->subnets));
	op->to_secondary = calloc(n ? n : 1, sizeof(uint64_t));
	op->to_primary = calloc(n ? n : 1, sizeof(uint64_t));
	p->rebal = op;
	if (op->subnets == NULL || op->to_secondary == NULL || op->to_primary == NULL) {
		fo_move_rebal_finish(p, ERR_JET_ERROR, "out of memory");
		return -1;
	}
	memcpy(op->subnets, p->rel.scopes, n * sizeof(*op->subnets));
	for (size_t i = 0; i < n; i++) {
		long q = rebal_scope_plan(p, op, i, threshold);

		if (q < 0) {
			fo_move_rebal_finish(p, ERR_JET_ERROR, store_errmsg(fo_peer_store(p)));
			return -1;
		}
		op->outstanding += (size_t)q;
	}
	if (op->outstanding == 0)
		fo_move_rebal_finish(p, 0, NULL);
	else
		fo_peer_schedule(p);
	return 0;
}

/* POOLREQ (draft-12 §7.8): a primary in NORMAL rebalances at once; the
 * POOLRESP says how many moves that queued. */
void
fo_move_pool_request(struct fo_peer *p, const struct fo_msg *m)
{
	struct fo_msg *r = fo_msg_new(FO_POOLRESP);
	uint64_t before = p->nrq;

	if (p->rel.server_type == FO_PRIMARY && p->rebal == NULL &&
	    p->rel.state == FO_NORMAL)
		fo_move_rebalance(p, NULL, 0);
	if (r == NULL)
		return;
	r->has = FO_M_ADDR_TRANSFERRED;
	r->addr_transferred = (uint32_t)(p->nrq - before);
	r->xid = m->xid;
	fo_peer_send(p, r, 1);
	free(r);
}

/* Whether the secondary runs short in a scope: the primary's answer to a
 * POOLREQ (the automatic plan, reserves kept, FAILOVER.md §11) would move
 * addresses to it, the scope being more than FO_REBAL_THRESHOLD % of its
 * free addresses off target. A secondary that outgrew its share (a flood
 * against it) is not short: the answer would move nothing. */
static int
scope_short(struct fo_peer *p, uint32_t subnet)
{
	struct rebal_run *runs = NULL;
	struct rebal_plan plan;
	struct scope_stats st;
	size_t n = 0;
	int rc;

	if (store_scope_stats(fo_peer_store(p), subnet, FO_PRIMARY, &st) != 0 ||
	    store_free_runs(fo_peer_store(p), subnet, &runs, &n) != 0)
		return 0;
	rc = rebal_plan_scope_kept(runs, n, fo_secondary_share(p->rel.mode,
	    p->rel.percentage), &(struct rebal_used){ st.this_addr_in_use,
	    st.partner_addr_in_use }, &plan);
	free(runs);
	if (rc == -1)
		return 0;
	rc = plan.to_secondary > 0 && rebal_needed(&plan, FO_REBAL_THRESHOLD);
	rebal_plan_free(&plan);
	return rc;
}

/* draft-12 §9.8.1, §7.6: a secondary in NORMAL, in contact, that runs short
 * in some scope sends POOLREQ (the primary rebalances at once instead of at
 * its next 300 s run); one outstanding, checked every FO_POOLREQ_CHECK s,
 * at most one every FO_POOLREQ_PERIOD s. */
void
fo_move_pool_check(struct fo_peer *p, int64_t mono)
{
	struct fo_msg *m;
	char a[16];

	if (p->rel.server_type != FO_SECONDARY || p->rel.state != FO_NORMAL ||
	    p->link != FO_LINK_OK || p->poolreq_out || mono < p->poolreq_next)
		return;
	p->poolreq_next = mono + FO_POOLREQ_CHECK;
	for (size_t i = 0; i < p->rel.nscopes; i++) {
		if (!scope_short(p, p->rel.scopes[i]))
			continue;
		if ((m = fo_msg_new(FO_POOLREQ)) == NULL)
			return;
		log_info("failover %s: short of free addresses in %s: POOLREQ",
		    p->rel.name, addr_str(p->rel.scopes[i], a));
		if (fo_peer_send(p, m, 0) == 0) {
			p->poolreq_out = 1;
			p->poolreq_next = mono + FO_POOLREQ_PERIOD;
		}
		free(m);
		return;
	}
}
