/* Lease rows in SQL: written, read, listed, deleted; the lookups the
 * in-memory mirror (store_mirror.c) does not answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "store_int.h"
#include "store_lmem.h"

/* Bind a lease's state, times, owner and pending number (the columns from
 * state to pending in LEASE_COLS order) from column `col` on. */
static void
bind_times(struct store *s, sqlite3_stmt *q, int col, const struct lease *l)
{
	sqlite3_bind_int(q, col, l->state);
	stmt_bind_time(q, col + 1, l->starts);
	stmt_bind_time(q, col + 2, l->ends);
	stmt_bind_time(q, col + 3, l->cltt);
	sqlite3_bind_int(q, col + 4, l->owner);
	stmt_bind_time(q, col + 5, l->sent_pot_exp);
	stmt_bind_time(q, col + 6, l->ack_pot_exp);
	stmt_bind_time(q, col + 7, l->recv_pot_exp);
	stmt_bind_time(q, col + 8, l->last_bndupd);
	sqlite3_bind_int64(q, col + 9, l->fo_sync ? (sqlite3_int64)s->seq : 0);
}

/* Insert or replace the row of l->address. */
int
lease_sql_put(struct store *s, const struct lease *l)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_LEASE_PUT)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, l->address);
	sqlite3_bind_int64(q, 2, l->subnet);
	if (l->hwlen)
		sqlite3_bind_blob(q, 3, l->hwaddr, l->hwlen, SQLITE_TRANSIENT);
	if (l->cidlen)
		sqlite3_bind_blob(q, 4, l->client_id, l->cidlen, SQLITE_TRANSIENT);
	if (l->hostname[0])
		sqlite3_bind_text(q, 5, l->hostname, -1, SQLITE_TRANSIENT);
	bind_times(s, q, 6, l);
	return stmt_run(s, q, "write lease");
}

/* Update the row of l->address but for its keys (subnet, client, hostname),
 * which it already has. */
int
lease_sql_times(struct store *s, const struct lease *l)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_LEASE_TIMES)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, l->address);
	bind_times(s, q, 2, l);
	return stmt_run(s, q, "write lease");
}

/* A row of LEASE_COLS into a struct lease (a stmt_decode_fn). */
void
lease_from_row(sqlite3_stmt *q, void *out)
{
	struct lease *l = out;

	memset(l, 0, sizeof(*l));
	l->address = (uint32_t)sqlite3_column_int64(q, 0);
	l->subnet = (uint32_t)sqlite3_column_int64(q, 1);
	l->hwlen = (uint8_t)stmt_blob(q, 2, l->hwaddr, sizeof(l->hwaddr));
	l->cidlen = (uint8_t)stmt_blob(q, 3, l->client_id, sizeof(l->client_id));
	stmt_text(q, 4, l->hostname, sizeof(l->hostname));
	l->state = sqlite3_column_int(q, 5);
	l->starts = sqlite3_column_int64(q, 6);
	l->ends = sqlite3_column_int64(q, 7);
	l->cltt = sqlite3_column_int64(q, 8);
	l->owner = sqlite3_column_int(q, 9);
	l->sent_pot_exp = sqlite3_column_int64(q, 10);
	l->ack_pot_exp = sqlite3_column_int64(q, 11);
	l->recv_pot_exp = sqlite3_column_int64(q, 12);
	l->last_bndupd = sqlite3_column_int64(q, 13);
	l->pending = (uint64_t)sqlite3_column_int64(q, 14);
	l->fo_sync = l->pending != 0;
}

int
lease_sql_get(struct store *s, uint32_t address, struct lease *out)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_LEASE_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, address);
	return stmt_one(s, q, lease_from_row, out, "read lease");
}

int
store_lease_get_hw(struct store *s, const uint8_t *hw, size_t hwlen, struct lease *out)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_LEASE_GET_HW)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, hw, (int)hwlen, SQLITE_TRANSIENT);
	return stmt_one(s, q, lease_from_row, out, "read lease");
}

int
store_lease_get_host(struct store *s, const char *hostname, struct lease *out)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_LEASE_GET_HOST)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, hostname, -1, SQLITE_TRANSIENT);
	return stmt_one(s, q, lease_from_row, out, "read lease");
}

/* At most limit rows after `from`, of one subnet or of all. */
int
store_lease_list(struct store *s, uint32_t subnet, uint32_t from, size_t limit,
    struct lease **out, size_t *n)
{
	sqlite3_stmt *q;
	int rc = SQLITE_DONE;

	*out = NULL;
	*n = 0;
	if ((q = stmt(s, subnet ? S_LEASE_LIST : S_LEASE_LIST_ALL)) == NULL)
		return -1;
	if ((*out = calloc(limit ? limit : 1, sizeof(**out))) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	if (subnet)
		sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, from);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)limit);
	while (*n < limit && (rc = sqlite3_step(q)) == SQLITE_ROW)
		lease_from_row(q, &(*out)[(*n)++]);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(*out);
		*out = NULL;
		*n = 0;
		return store_fail(s, "list leases");
	}
	return 0;
}

struct lease_del {
	uint32_t	address;
};

/* A deleted lease's address becomes free and, as draft-12 wants for released
 * addresses, the primary's. */
static int
lease_delete_txn(struct store *s, const void *arg)
{
	const struct lease_del *d = arg;
	struct lease l;
	sqlite3_stmt *q;
	int rc;

	if ((rc = store_lease_get(s, d->address, &l)) != 0)
		return rc;
	if (lease_change_ok(s, d->address, LEASE_NONE, LEASE_BY_OPERATOR) == -1 ||
	    (q = stmt(s, S_LEASE_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, d->address);
	if (stmt_run(s, q, "delete lease") == -1)
		return -1;
	s->txn_leases = 1;
	lmem_del(s->rows, d->address);
	lmem_del(s->offers, d->address);
	return backup_assign(s, l.subnet, d->address, d->address, FO_PRIMARY);
}

int
store_lease_delete(struct store *s, uint32_t address)
{
	s->gen++;
	struct lease_del d = { address };

	return store_atomically(s, lease_delete_txn, &d);
}

int
store_active_leases(struct store *s, void (*fn)(void *, uint32_t, int64_t),
    void *arg)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = stmt(s, S_LEASE_ACTIVE)) == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(arg, (uint32_t)sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1));
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "read active leases");
}

/* One scan for the metrics (rarely called: prepared each time). */
int
store_lease_state_counts(struct store *s, store_count_fn fn, void *arg)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT subnet, state, count(*) FROM lease"
	    " GROUP BY subnet, state", -1, &q, NULL) != SQLITE_OK)
		return store_fail(s, "count leases by state");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(arg, (uint32_t)sqlite3_column_int64(q, 0),
		    sqlite3_column_int(q, 1), (uint64_t)sqlite3_column_int64(q, 2));
	if (rc != SQLITE_DONE)
		store_fail(s, "count leases by state");
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}
