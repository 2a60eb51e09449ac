/* Bindings for the failover partner (draft-12 §7.1): the leases written
 * with fo_sync carry the number of the transaction that wrote them until the
 * partner acknowledges them, walked in order from memory (store_pendq.c). */
#include <stdio.h>
#include <stdlib.h>

#include "store_int.h"
#include "util.h"
#include "store_lmem.h"
#include "store_pendq.h"

/* Transaction numbers go on from the highest pending one: everything found in
 * the database at open is durable (recovery replays only what was synced). */
int
store_pending_init(struct store *s)
{
	sqlite3_stmt *q;

	if ((q = stmt_raw(s, S_PENDING_MAX)) == NULL)
		return -1;
	s->seq = sqlite3_step(q) == SQLITE_ROW ?
	    (uint64_t)sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	s->committed = s->durable = s->seq;
	return 0;
}

void
store_pending_sent(struct store *s, uint32_t addr, uint64_t seq)
{
	uint64_t pending;
	unsigned flags;

	if (lmem_peek(s->rows, addr, &pending, NULL, &flags) == 0 &&
	    pending == seq && (flags & ROW_UNSENT))
		lmem_set_flags(s->rows, addr, flags & ~ROW_UNSENT);
}

int
store_lease_unsent(struct store *s, uint32_t addr)
{
	unsigned flags;

	return s->rows_loaded && lmem_peek(s->rows, addr, NULL, NULL,
	    &flags) == 0 && (flags & ROW_UNSENT);
}

/* A pending entry of the walk: stale unless its row still carries that
 * number (a row staged since gets a number of its own, or none, when it is
 * written); taken if its scope is one of the walker's. */
struct pend_walk {
	struct store	*s;
	const uint32_t	*scopes;
	size_t		 nscopes;
	struct lease	*out;
	size_t		 n;
};

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static enum pendq_verdict
pend_visit(void *arg, uint64_t seq, uint32_t addr)
{
	struct pend_walk *w = arg;
	uint64_t pending;
	uint32_t subnet;
	unsigned flags;

	if (lmem_peek(w->s->rows, addr, &pending, &subnet, &flags) != 0 ||
	    (flags & ROW_DIRTY) || pending != seq)
		return PENDQ_DROP;
	if (bsearch(&subnet, w->scopes, w->nscopes, sizeof(*w->scopes),
	    u32_cmp) == NULL)
		return PENDQ_SKIP;
	lmem_get(w->s->rows, addr, &w->out[w->n++], NULL);
	return PENDQ_TAKE;
}

int
store_pending_list(struct store *s, const uint32_t *scopes, size_t nscopes,
    uint64_t after_seq, uint32_t after_addr, uint64_t upto, size_t limit,
    struct lease **out, size_t *n)
{
	struct pend_walk w = { s, scopes, nscopes, NULL, 0 };

	*out = NULL;
	*n = 0;
	if (mirror_load(s) == -1)
		return -1;
	if ((w.out = calloc(limit ? limit : 1, sizeof(*w.out))) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	pendq_walk(s->pend, after_seq, after_addr, upto, limit, pend_visit, &w);
	*out = w.out;
	*n = w.n;
	return 0;
}

/* A binding the partner acknowledged: no longer pending, its acknowledged
 * potential expiry and the time of the exchange (failover.client_info's
 * last_bndupd_time) recorded. */
static void
ack_apply(struct lease *l, int64_t ack_pot_exp, int64_t now)
{
	l->ack_pot_exp = ack_pot_exp;
	l->last_bndupd = now;
	l->fo_sync = 0;
	l->pending = 0;
}

/* The acknowledgement in the mirror, staged: a row staged since (dirty) will
 * be written with a number of its own, or none, so the ack is moot for it. */
static int
pending_ack_staged(struct store *s, uint32_t addr, uint64_t seq, int64_t ack_pot_exp)
{
	struct lease l;
	unsigned flags;

	if (lmem_get(s->rows, addr, &l, &flags) != 0 || (flags & ROW_DIRTY) ||
	    !l.fo_sync || l.pending != seq)
		return 0;
	ack_apply(&l, ack_pot_exp, time_wall());
	return stage_put(s, &l);
}

int
store_pending_ack(struct store *s, uint32_t addr, uint64_t seq, int64_t ack_pot_exp)
{
	sqlite3_stmt *q;
	int64_t now = time_wall();

	if (!s->in_txn && mirror_load(s) == 0)
		return pending_ack_staged(s, addr, seq, ack_pot_exp);
	if ((q = stmt(s, S_PENDING_ACK)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, addr);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)seq);
	stmt_bind_time(q, 3, ack_pot_exp);
	stmt_bind_time(q, 4, now);
	if (stmt_run(s, q, "acknowledge binding") == -1)
		return -1;
	if (sqlite3_changes(s->db) > 0 && s->rows_loaded) {
		/* the mirror follows (the engine's next lease time reads it) */
		struct lease l;
		unsigned flags;

		if (lmem_get(s->rows, addr, &l, &flags) == 0 && !(flags & ROW_DIRTY)) {
			ack_apply(&l, ack_pot_exp, now);
			if (lmem_put(s->rows, &l, flags) == -1)
				mirror_forget(s);
		}
	}
	return 0;
}

/* The statements that change many rows run in the caller's transaction. */
static int
need_txn(struct store *s)
{
	if (s->in_txn)
		return 0;
	snprintf(s->err, sizeof(s->err), "no transaction open");
	return -1;
}

int
store_pending_mark_all(struct store *s, const char *rel)
{
	sqlite3_stmt *q;

	if (need_txn(s) == -1 || (q = stmt(s, S_PENDING_MARK)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)s->seq);
	sqlite3_bind_text(q, 2, rel, -1, SQLITE_TRANSIENT);
	s->txn_leases = 1;
	mirror_forget(s);		/* many rows changed: the mirror reloads */
	return stmt_run(s, q, "mark bindings for the partner");
}

int
store_release_due(struct store *s, const char *rel, int64_t before, int *n)
{
	sqlite3_stmt *q;

	*n = 0;
	/* the rows S_RELEASE_DUE changes: state IN (EXPIRED, RELEASED, RESET) */
	if (need_txn(s) == -1 || lease_changes_ok(s, LEASE_BIT(LEASE_EXPIRED) |
	    LEASE_BIT(LEASE_RELEASED) | LEASE_BIT(LEASE_RESET), LEASE_FREE,
	    LEASE_BY_RELEASE_DUE, "free released addresses") == -1 ||
	    (q = stmt(s, S_RELEASE_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)s->seq);
	sqlite3_bind_int64(q, 2, before);
	sqlite3_bind_text(q, 3, rel, -1, SQLITE_TRANSIENT);
	if (stmt_run(s, q, "free released addresses") == -1)
		return -1;
	if ((*n = sqlite3_changes(s->db)) > 0) {
		s->gen++;
		mirror_forget(s);		/* many rows changed: the mirror reloads */
	}
	return 0;
}
