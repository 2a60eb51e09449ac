/* The interval view of free space (DESIGN §3): a scope's free addresses are
 * (range - exclusions - reserved - rows) split by the secondary's intervals,
 * plus the rows whose state is FREE or BACKUP; the statistics of RPC.md §6.8
 * and the rebalancing moves of FAILOVER.md §11 work on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "ivl.h"
#include "store_int.h"
#include "store_lmem.h"

/* Drop a scope's secondary-owned intervals. */
int
backup_clear(struct store *s, uint32_t subnet)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_BACKUP_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	return stmt_run(s, q, "clear backup ranges");
}

/* Rewrite a scope's secondary-owned intervals. */
static int
backup_put(struct store *s, uint32_t subnet, const struct ivlset *b)
{
	sqlite3_stmt *q;

	if (backup_clear(s, subnet) == -1)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		if ((q = stmt(s, S_BACKUP_INS)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, subnet);
		sqlite3_bind_int64(q, 2, b->v[i].start);
		sqlite3_bind_int64(q, 3, b->v[i].end);
		if (stmt_run(s, q, "write backup range") == -1)
			return -1;
	}
	return 0;
}

/* The free rows (FREE or BACKUP) of [start, end] in a scope become owner's
 * (FREE for the primary, BACKUP for the secondary); the mirror reloads. */
int
space_reown_rows(struct store *s, uint32_t subnet, uint32_t start, uint32_t end,
    enum fo_role owner, enum lease_actor who, const char *what)
{
	enum lease_state to = owner == FO_SECONDARY ? LEASE_BACKUP : LEASE_FREE;
	sqlite3_stmt *q;

	/* the rows S_LEASE_SET_FREE changes: state IN (FREE, BACKUP) */
	if (lease_changes_ok(s, LEASE_BIT(LEASE_FREE) | LEASE_BIT(LEASE_BACKUP),
	    to, who, what) == -1 || (q = stmt(s, S_LEASE_SET_FREE)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, start);
	sqlite3_bind_int64(q, 3, end);
	sqlite3_bind_int(q, 4, to);
	sqlite3_bind_int(q, 5, owner);
	mirror_forget(s);
	s->txn_leases = 1;
	return stmt_run(s, q, what);
}

/* Give [start, end] to `owner` in the interval view of a scope. */
int
backup_assign(struct store *s, uint32_t subnet, uint32_t start, uint32_t end,
    enum fo_role owner)
{
	struct ivlset b = { 0 }, cut = { 0 }, out = { 0 };
	int rc = -1;

	if (stmt_ivls(s, S_BACKUP_GET, subnet, &b) == -1)
		return -1;
	if (owner == FO_SECONDARY) {
		if (ivlset_add(&b, start, end) == -1)
			goto done;
		ivlset_normalise(&b);
		rc = backup_put(s, subnet, &b);
	} else {
		if (ivlset_add(&cut, start, end) == -1 ||
		    ivlset_subtract(&b, &cut, &out) == -1)
			goto done;
		rc = backup_put(s, subnet, &out);
	}
done:
	if (rc == -1 && s->err[0] == '\0')
		snprintf(s->err, sizeof(s->err), "out of memory");
	ivlset_free(&b);
	ivlset_free(&cut);
	ivlset_free(&out);
	return rc;
}

/* What a scope's addresses are: the pool (range minus exclusions), the holes
 * (reserved addresses and every address with a lease row), the rows that are
 * free with their owner, and the secondary's intervals. */
struct space {
	struct ivlset	 pool;
	struct ivlset	 holes;
	struct ivlset	 backup;
	struct rebal_run *rows;		/* free rows, one address each */
	size_t		 nrows, caprows;
	uint64_t	 in_use_by[2];	/* rows not free, per server that leased */
};

static void
space_free(struct space *sp)
{
	ivlset_free(&sp->pool);
	ivlset_free(&sp->holes);
	ivlset_free(&sp->backup);
	free(sp->rows);
}

/* Record a free lease row as a one-address run. */
static int
space_add_row(struct space *sp, uint32_t addr, enum fo_role owner)
{
	if (sp->nrows == sp->caprows) {
		size_t cap = sp->caprows ? sp->caprows * 2 : 64;
		struct rebal_run *v = reallocarray(sp->rows, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		sp->rows = v;
		sp->caprows = cap;
	}
	sp->rows[sp->nrows].start = sp->rows[sp->nrows].end = addr;
	sp->rows[sp->nrows++].owner = owner;
	return 0;
}

/* Reservations and lease rows inside the pool become holes. */
static int
space_load_rows(struct store *s, const struct scope *sc, struct space *sp)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = stmt(s, S_RESV_IN_RANGE)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	sqlite3_bind_int64(q, 2, sc->range_start);
	sqlite3_bind_int64(q, 3, sc->range_end);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint32_t a = (uint32_t)sqlite3_column_int64(q, 0);

		if (ivlset_contains(&sp->pool, a) && ivlset_add(&sp->holes, a, a) == -1)
			break;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail(s, "read reservations");
	ivlset_normalise(&sp->holes);
	return 0;
}

struct offer_scan {
	const struct scope	*sc;
	struct space		*sp;
	struct ivlset		*set;
	int			 err;
};

/* One offer: in the scope's pool and not reserved, its address is in use. */
static void
offer_scan_one(void *arg, const struct lease *l, unsigned flags)
{
	struct offer_scan *o = arg;
	uint32_t a = l->address;

	if (l->subnet != o->sc->subnet || !ivlset_contains(&o->sp->pool, a) ||
	    ivlset_contains(&o->sp->holes, a))
		return;
	if (ivlset_add(o->set, a, a) == -1)
		o->err = 1;
	o->sp->in_use_by[l->owner == FO_SECONDARY]++;
}

/* The scope's offers (held in memory only: an offer hides the row of its
 * address) are in use. */
static int
space_load_offers(struct store *s, const struct scope *sc, struct space *sp,
    struct ivlset *offers)
{
	struct offer_scan o = { sc, sp, offers, 0 };

	lmem_each(s->offers, offer_scan_one, &o);
	if (o.err) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	ivlset_normalise(offers);
	return 0;
}

/* Lease rows: free ones keep their owner, the others count as in use; so do
 * the offers. */
static int
space_load_leases(struct store *s, const struct scope *sc, struct space *sp)
{
	const struct ivlset *resv = &sp->holes;
	struct ivlset rows = { 0 }, offers = { 0 };
	sqlite3_stmt *q;
	int rc;

	if (space_load_offers(s, sc, sp, &offers) == -1 ||
	    (q = stmt(s, S_LEASE_IN_RANGE)) == NULL) {
		ivlset_free(&offers);
		return -1;
	}
	sqlite3_bind_int64(q, 1, sc->subnet);
	sqlite3_bind_int64(q, 2, sc->range_start);
	sqlite3_bind_int64(q, 3, sc->range_end);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint32_t a = (uint32_t)sqlite3_column_int64(q, 0);
		enum lease_state state = sqlite3_column_int(q, 1);
		enum fo_role owner = sqlite3_column_int(q, 2);

		if (!ivlset_contains(&sp->pool, a) || ivlset_contains(resv, a) ||
		    ivlset_contains(&offers, a))
			continue;
		if (ivlset_add(&rows, a, a) == -1 || (lease_state_is_free(state) &&
		    space_add_row(sp, a, state == LEASE_BACKUP ? FO_SECONDARY :
		    FO_PRIMARY) == -1))
			break;
		if (!lease_state_is_free(state))
			sp->in_use_by[owner == FO_SECONDARY]++;
	}
	sqlite3_reset(q);
	for (size_t i = 0; rc == SQLITE_DONE && i < rows.n; i++)
		if (ivlset_add(&sp->holes, rows.v[i].start, rows.v[i].end) == -1)
			rc = SQLITE_NOMEM;
	for (size_t i = 0; rc == SQLITE_DONE && i < offers.n; i++)
		if (ivlset_add(&sp->holes, offers.v[i].start, offers.v[i].end) == -1)
			rc = SQLITE_NOMEM;
	ivlset_free(&rows);
	ivlset_free(&offers);
	if (rc != SQLITE_DONE)
		return store_fail(s, "read leases");
	ivlset_normalise(&sp->holes);
	return 0;
}

static int
space_load(struct store *s, const struct scope *sc, struct space *sp)
{
	struct ivlset range = { 0 };
	int rc;

	memset(sp, 0, sizeof(*sp));
	if (ivlset_add(&range, sc->range_start, sc->range_end) == -1)
		return -1;
	rc = ivlset_subtract(&range, &sc->exclusions, &sp->pool);
	ivlset_free(&range);
	if (rc == -1 || space_load_rows(s, sc, sp) == -1 ||
	    space_load_leases(s, sc, sp) == -1 ||
	    stmt_ivls(s, S_BACKUP_GET, sc->subnet, &sp->backup) == -1) {
		space_free(sp);
		return -1;
	}
	return 0;
}

static int
run_cmp(const void *a, const void *b)
{
	const struct rebal_run *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Append a run, merging with the previous one when adjacent and same owner. */
static int
runs_push(struct rebal_run **v, size_t *n, size_t *cap, uint32_t start,
    uint32_t end, enum fo_role owner)
{
	if (*n > 0 && (*v)[*n - 1].owner == owner && (*v)[*n - 1].end + 1 == start) {
		(*v)[*n - 1].end = end;
		return 0;
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct rebal_run *nv = reallocarray(*v, c, sizeof(*nv));

		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = (struct rebal_run){ start, end, owner };
	return 0;
}

/* Split the rowless free intervals by the secondary's intervals into runs. */
static int
space_split(const struct ivlset *rowless, const struct ivlset *backup,
    struct rebal_run **out, size_t *n, size_t *cap)
{
	size_t j = 0;

	for (size_t i = 0; i < rowless->n; i++) {
		uint64_t cur = rowless->v[i].start, end = rowless->v[i].end;

		while (j < backup->n && backup->v[j].end < cur)
			j++;
		for (size_t k = j; k < backup->n && backup->v[k].start <= end; k++) {
			uint64_t bs = backup->v[k].start > cur ? backup->v[k].start : cur;
			uint64_t be = backup->v[k].end < end ? backup->v[k].end : end;

			if (bs > cur && runs_push(out, n, cap, (uint32_t)cur,
			    (uint32_t)(bs - 1), FO_PRIMARY) == -1)
				return -1;
			if (runs_push(out, n, cap, (uint32_t)bs, (uint32_t)be,
			    FO_SECONDARY) == -1)
				return -1;
			cur = be + 1;
		}
		if (cur <= end && runs_push(out, n, cap, (uint32_t)cur, (uint32_t)end,
		    FO_PRIMARY) == -1)
			return -1;
	}
	return 0;
}

/* Runs = (pool - holes) split by owner, plus the free rows, sorted and merged. */
static int
space_runs(const struct space *sp, struct rebal_run **out, size_t *n)
{
	struct ivlset rowless = { 0 };
	struct rebal_run *tmp = NULL;
	size_t ntmp = 0, cap = 0, cap2 = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (ivlset_subtract(&sp->pool, &sp->holes, &rowless) == -1 ||
	    space_split(&rowless, &sp->backup, &tmp, &ntmp, &cap) == -1)
		goto done;
	for (size_t i = 0; i < sp->nrows; i++)
		if (runs_push(&tmp, &ntmp, &cap, sp->rows[i].start, sp->rows[i].end,
		    sp->rows[i].owner) == -1)
			goto done;
	if (ntmp > 0)
		qsort(tmp, ntmp, sizeof(*tmp), run_cmp);
	for (size_t i = 0; i < ntmp; i++)
		if (runs_push(out, n, &cap2, tmp[i].start, tmp[i].end,
		    tmp[i].owner) == -1)
			goto done;
	rc = 0;
done:
	if (rc == -1) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	free(tmp);
	ivlset_free(&rowless);
	return rc;
}

int
store_free_runs(struct store *s, uint32_t subnet, struct rebal_run **runs, size_t *n)
{
	struct scope sc;
	struct space sp;
	int rc;

	if ((rc = store_scope_get(s, subnet, &sc)) != 0)
		return rc;
	rc = space_load(s, &sc, &sp);
	scope_fini(&sc);
	if (rc == -1)
		return -1;
	rc = space_runs(&sp, runs, n);
	space_free(&sp);
	if (rc == -1)
		snprintf(s->err, sizeof(s->err), "out of memory");
	return rc;
}

/* RPC.md §6.8 from the runs and the lease rows, as seen by a server of `role`
 * (FO_ROLE_NONE: the scope is in no relationship and this server owns
 * everything). */
int
store_scope_stats(struct store *s, uint32_t subnet, enum fo_role role,
    struct scope_stats *out)
{
	struct rebal_run *runs;
	struct scope sc;
	struct space sp;
	uint64_t owned[2] = { 0, 0 };
	size_t n;
	int rc, me = role == FO_SECONDARY;

	memset(out, 0, sizeof(*out));
	if ((rc = store_scope_get(s, subnet, &sc)) != 0)
		return rc;
	rc = space_load(s, &sc, &sp);
	scope_fini(&sc);
	if (rc == -1)
		return -1;
	if (space_runs(&sp, &runs, &n) == -1) {
		space_free(&sp);
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		owned[runs[i].owner == FO_SECONDARY] +=
		    (uint64_t)runs[i].end - runs[i].start + 1;
	out->num_addr = ivlset_count(&sp.pool);
	out->addr_free = owned[0] + owned[1];
	out->addr_in_use = out->num_addr - out->addr_free;
	if (role < 0) {
		out->this_addr_free = out->addr_free;
		out->this_addr_in_use = sp.in_use_by[0] + sp.in_use_by[1];
	} else {
		out->this_addr_free = owned[me];
		out->partner_addr_free = owned[!me];
		out->this_addr_in_use = sp.in_use_by[me];
		out->partner_addr_in_use = sp.in_use_by[!me];
	}
	free(runs);
	space_free(&sp);
	return 0;
}

struct moves_arg {
	uint32_t		 subnet;
	const struct rebal_move	*moves;
	size_t			 n;
};

/* Each move re-owns its interval and the free rows inside it. */
static int
apply_moves_txn(struct store *s, const void *arg)
{
	const struct moves_arg *m = arg;

	for (size_t i = 0; i < m->n; i++) {
		const struct rebal_move *mv = &m->moves[i];

		if (backup_assign(s, m->subnet, mv->start, mv->end, mv->to) == -1 ||
		    space_reown_rows(s, m->subnet, mv->start, mv->end, mv->to,
		    LEASE_BY_MOVE, "move free addresses") == -1)
			return -1;
	}
	return 0;
}

int
store_apply_moves(struct store *s, uint32_t subnet, const struct rebal_move *moves,
    size_t n)
{
	s->gen++;
	struct moves_arg m = { subnet, moves, n };

	return store_atomically(s, apply_moves_txn, &m);
}
