/* The store's statements: the SQL of every cached statement, prepared once
 * and kept, and the helpers that run them, step their rows and read their
 * columns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "ivl.h"
#include "store_int.h"

/*
 * Enum values in SQL text: spelled by name, pasted in as digits (SQL(x)
 * is the string of SQL_x), each number checked against its enum when this
 * file compiles. No statement holds a bare state or role number.
 */
#define SQL_LEASE_FREE		1
#define SQL_LEASE_ACTIVE	2
#define SQL_LEASE_EXPIRED	3
#define SQL_LEASE_RELEASED	4
#define SQL_LEASE_ABANDONED	5
#define SQL_LEASE_RESET		6
#define SQL_LEASE_BACKUP	7
#define SQL_LEASE_OFFERED	8
#define SQL_FO_PRIMARY		0
#define SQL_FO_SECONDARY	1
#define SQL(x)		SQL_STR(SQL_##x)
#define SQL_STR(n)	SQL_STR_(n)
#define SQL_STR_(n)	#n
#define SQL_CHECK(x)	_Static_assert(SQL_##x == x, "SQL_" #x " is not " #x)
SQL_CHECK(LEASE_FREE);
SQL_CHECK(LEASE_ACTIVE);
SQL_CHECK(LEASE_EXPIRED);
SQL_CHECK(LEASE_RELEASED);
SQL_CHECK(LEASE_ABANDONED);
SQL_CHECK(LEASE_RESET);
SQL_CHECK(LEASE_BACKUP);
SQL_CHECK(LEASE_OFFERED);
SQL_CHECK(FO_PRIMARY);
SQL_CHECK(FO_SECONDARY);
_Static_assert(LEASE_OFFERED + 1 == LEASE_NSTATES,
    "a new lease state needs its SQL_LEASE_ number here");

#define LEASE_COLS "address, subnet, hwaddr, client_id, hostname, state, starts," \
	" ends, cltt, owner, sent_pot_exp, ack_pot_exp, recv_pot_exp, last_bndupd," \
	" pending"
#define REL_COLS "name, primary_server, secondary_server, primary_name," \
	" secondary_name, mode, server_type, state, prev_state, partner_state, mclt," \
	" safe_period, percentage, shared_secret, port, stos, fail_time, lb_max_secs," \
	" max_response_delay, max_unacked"

/* The SQL of the cached statements, grouped as enum stmt_id is. */
static const char *const stmt_sql[S_NSTMTS] = {
	/* scopes, options, exclusions (store_scope.c) */
	[S_SCOPE_INS] = "INSERT INTO scope VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_SCOPE_UPD] = "UPDATE scope SET name = ?2, lease_time = ?3, enabled = ?4"
	    " WHERE subnet = ?1",
	[S_SCOPE_DEL] = "DELETE FROM scope WHERE subnet = ?1",
	[S_SCOPE_GET] = "SELECT subnet, mask, name, range_start, range_end,"
	    " lease_time, enabled FROM scope WHERE subnet = ?1",
	[S_SCOPE_FIND] = "SELECT subnet FROM scope WHERE (?1 & mask) = subnet",
	[S_SCOPE_OVERLAP] = "SELECT subnet FROM scope WHERE (?1 & mask) = subnet"
	    " OR (subnet & ?2) = ?1 LIMIT 1",
	[S_SCOPE_LIST] = "SELECT subnet FROM scope ORDER BY subnet",
	[S_OPT_DEL] = "DELETE FROM scope_option WHERE subnet = ?1",
	[S_OPT_INS] = "INSERT INTO scope_option VALUES (?1, ?2, ?3)",
	[S_OPT_GET] = "SELECT code, data FROM scope_option WHERE subnet = ?1"
	    " ORDER BY code",
	[S_EXCL_INS] = "INSERT INTO exclusion VALUES (?1, ?2, ?3)",
	[S_EXCL_DEL] = "DELETE FROM exclusion WHERE subnet = ?1 AND start = ?2"
	    " AND stop = ?3",
	[S_EXCL_GET] = "SELECT start, stop FROM exclusion WHERE subnet = ?1"
	    " ORDER BY start",
	[S_SCOPE_REL] = "SELECT r.name FROM rel_scope s JOIN relationship r"
	    " ON r.id = s.rel WHERE s.subnet = ?1",
	[S_COUNT_SCOPES] = "SELECT count(*) FROM scope",
	/* reservations (store_resv.c) */
	[S_RESV_INS] = "INSERT INTO reservation VALUES (?1, ?2, ?3, ?4)",
	[S_RESV_DEL] = "DELETE FROM reservation WHERE address = ?1",
	[S_RESV_GET] = "SELECT subnet, address, hwaddr, name FROM reservation"
	    " WHERE address = ?1",
	[S_RESV_GET_HW] = "SELECT subnet, address, hwaddr, name FROM reservation"
	    " WHERE subnet = ?1 AND hwaddr = ?2",
	[S_RESV_LIST] = "SELECT subnet, address, hwaddr, name FROM reservation"
	    " WHERE subnet = ?1 ORDER BY address",
	[S_RESV_IN_RANGE] = "SELECT address FROM reservation WHERE subnet = ?1"
	    " AND address BETWEEN ?2 AND ?3 ORDER BY address",
	[S_COUNT_RESV] = "SELECT count(*) FROM reservation",
	/* lease rows (store_lease.c, store_mirror.c, store_pending.c) */
	[S_LEASE_PUT] = "INSERT OR REPLACE INTO lease (" LEASE_COLS ") VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	/* a row whose client and hostname stay: no index changes */
	[S_LEASE_TIMES] = "UPDATE lease SET state = ?2, starts = ?3, ends = ?4,"
	    " cltt = ?5, owner = ?6, sent_pot_exp = ?7, ack_pot_exp = ?8,"
	    " recv_pot_exp = ?9, last_bndupd = ?10, pending = ?11 WHERE address = ?1",
	[S_LEASE_GET] = "SELECT " LEASE_COLS " FROM lease WHERE address = ?1",
	[S_LEASE_GET_HW] = "SELECT " LEASE_COLS " FROM lease WHERE hwaddr = ?1"
	    " ORDER BY (state = " SQL(LEASE_ACTIVE) ") DESC, ends DESC LIMIT 1",
	[S_LEASE_GET_HOST] = "SELECT " LEASE_COLS " FROM lease WHERE hostname = ?1"
	    " ORDER BY address LIMIT 1",
	[S_LEASE_LIST] = "SELECT " LEASE_COLS " FROM lease WHERE subnet = ?1"
	    " AND address > ?2 ORDER BY address LIMIT ?3",
	[S_LEASE_LIST_ALL] = "SELECT " LEASE_COLS " FROM lease WHERE address > ?2"
	    " ORDER BY address LIMIT ?3",
	[S_LEASE_DEL] = "DELETE FROM lease WHERE address = ?1",
	[S_LEASE_IN_RANGE] = "SELECT address, state, owner FROM lease"
	    " WHERE subnet = ?1 AND address BETWEEN ?2 AND ?3 ORDER BY address",
	[S_LEASE_ACTIVE] = "SELECT address, ends FROM lease WHERE state IN ("
	    SQL(LEASE_ACTIVE) ", " SQL(LEASE_OFFERED) ") AND ends IS NOT NULL",
	[S_LEASE_ALL] = "SELECT " LEASE_COLS " FROM lease",
	[S_COUNT_LEASES] = "SELECT count(*) FROM lease",
	[S_PENDING_ACK] = "UPDATE lease SET pending = 0, ack_pot_exp = ?3,"
	    " last_bndupd = ?4 WHERE address = ?1 AND pending = ?2",
	[S_PENDING_MARK] = "UPDATE lease SET pending = ?1 WHERE state != "
	    SQL(LEASE_OFFERED) " AND"
	    " subnet IN (SELECT s.subnet FROM rel_scope s JOIN relationship r"
	    " ON r.id = s.rel WHERE r.name = ?2)",
	[S_PENDING_MAX] = "SELECT max(pending) FROM lease",
	/* lease_changes_ok (store_pending.c) checks this move */
	[S_RELEASE_DUE] = "UPDATE lease SET state = " SQL(LEASE_FREE) ", owner = "
	    SQL(FO_PRIMARY) ", pending = ?1 WHERE state IN (" SQL(LEASE_EXPIRED)
	    ", " SQL(LEASE_RELEASED) ", " SQL(LEASE_RESET) ")"
	    " AND max(ifnull(ends, 0), ifnull(cltt, 0),"
	    " ifnull(sent_pot_exp, 0), ifnull(ack_pot_exp, 0), ifnull(recv_pot_exp, 0))"
	    " <= ?2"
	    " AND subnet IN (SELECT s.subnet FROM rel_scope s JOIN relationship r"
	    " ON r.id = s.rel WHERE r.name = ?3)",
	/* relationships (store_rel.c) */
	[S_REL_INS] = "INSERT INTO relationship (" REL_COLS ") VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	    " ?16, ?17, ?18, ?19, ?20)",
	[S_REL_UPD] = "UPDATE relationship SET primary_server = ?2,"
	    " secondary_server = ?3, primary_name = ?4, secondary_name = ?5,"
	    " mode = ?6, server_type = ?7, state = ?8, prev_state = ?9,"
	    " partner_state = ?10, mclt = ?11, safe_period = ?12, percentage = ?13,"
	    " shared_secret = ?14, port = ?15, stos = ?16, fail_time = ?17,"
	    " lb_max_secs = ?18, max_response_delay = ?19, max_unacked = ?20"
	    " WHERE name = ?1",
	[S_REL_DEL] = "DELETE FROM relationship WHERE name = ?1",
	[S_REL_GET] = "SELECT " REL_COLS ", id FROM relationship WHERE name = ?1",
	[S_REL_LIST] = "SELECT name FROM relationship ORDER BY id",
	[S_REL_COUNT] = "SELECT count(*) FROM relationship",
	[S_REL_SCOPES] = "SELECT subnet FROM rel_scope WHERE rel = ?1 ORDER BY subnet",
	[S_RELSCOPE_INS] = "INSERT INTO rel_scope SELECT ?2, id FROM relationship"
	    " WHERE name = ?1",
	[S_RELSCOPE_DEL] = "DELETE FROM rel_scope WHERE subnet = ?1",
	/* the secondary's free intervals (store_space.c) */
	[S_BACKUP_GET] = "SELECT start, stop FROM backup_range WHERE subnet = ?1"
	    " ORDER BY start",
	[S_BACKUP_DEL] = "DELETE FROM backup_range WHERE subnet = ?1",
	[S_BACKUP_INS] = "INSERT INTO backup_range VALUES (?1, ?2, ?3)",
	/* lease_changes_ok (space_reown_rows) checks this move */
	[S_LEASE_SET_FREE] = "UPDATE lease SET state = ?4, owner = ?5"
	    " WHERE subnet = ?1 AND address BETWEEN ?2 AND ?3 AND state IN ("
	    SQL(LEASE_FREE) ", " SQL(LEASE_BACKUP) ")",
	/* transactions (store_txn.c) */
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
};

/* The cached statement `id`, reset and with no bindings; NULL on error. */
sqlite3_stmt *
stmt_raw(struct store *s, enum stmt_id id)
{
	sqlite3_stmt *q = s->stmts[id];

	if (q == NULL) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmts[id], NULL) != SQLITE_OK) {
			store_fail(s, "prepare");
			return NULL;
		}
		return s->stmts[id];
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return q;
}

/* stmt_raw, once the staged lease writes are in the database (outside a
 * transaction, any statement sees them). */
sqlite3_stmt *
stmt(struct store *s, enum stmt_id id)
{
	if (s->ndirty > 0 && !s->in_txn)
		stage_flush(s);		/* a failure is the engine's to report */
	return stmt_raw(s, id);
}

/* Run a statement that returns no rows. */
int
stmt_run(struct store *s, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail(s, what);
	return 0;
}

/* BEGIN IMMEDIATE, COMMIT or ROLLBACK (prepared once, not parsed each time). */
int
stmt_txn(struct store *s, enum stmt_id id)
{
	sqlite3_stmt *q = stmt_raw(s, id);

	return q == NULL ? -1 : stmt_run(s, q, stmt_sql[id]);
}

/* Step a one-row lookup: 0 row ready, STORE_NOTFOUND, -1 error. */
int
stmt_row(struct store *s, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW)
		return 0;
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? STORE_NOTFOUND : store_fail(s, what);
}

/* Copy a text column into a fixed buffer. */
void
stmt_text(sqlite3_stmt *q, int col, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

/* Copy a blob column into a fixed buffer; returns the bytes copied. */
size_t
stmt_blob(sqlite3_stmt *q, int col, uint8_t *buf, size_t len)
{
	const void *b = sqlite3_column_blob(q, col);
	size_t n = (size_t)sqlite3_column_bytes(q, col);

	if (n > len)
		n = len;
	if (b != NULL && n > 0)
		memcpy(buf, b, n);
	return n;
}

/* Run one SQL script outside the cache. */
int
stmt_exec(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->err, sizeof(s->err), "%s", msg ? msg : "exec failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Load intervals of one subnet from the exclusion or backup_range table. */
int
stmt_ivls(struct store *s, enum stmt_id id, uint32_t subnet, struct ivlset *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = stmt(s, id)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (ivlset_add(out, (uint32_t)sqlite3_column_int64(q, 0),
		    (uint32_t)sqlite3_column_int64(q, 1)) == -1) {
			sqlite3_reset(q);
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail(s, "read intervals");
	ivlset_normalise(out);
	return 0;
}

/* A one-row lookup on a bound statement, decoded by fn. */
int
stmt_one(struct store *s, sqlite3_stmt *q, stmt_decode_fn fn, void *out,
    const char *what)
{
	int rc = stmt_row(s, q, what);

	if (rc != 0)
		return rc;
	fn(q, out);
	sqlite3_reset(q);
	return 0;
}

/* Every row of a bound statement into an array that doubles as it fills. */
int
stmt_rows(struct store *s, sqlite3_stmt *q, size_t size, stmt_decode_fn fn,
    void **out, size_t *n, const char *what)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			void *v = reallocarray(*out, cap ? cap * 2 : 16, size);

			if (v == NULL)
				break;
			*out = v;
			cap = cap ? cap * 2 : 16;
		}
		fn(q, (char *)*out + *n * size);
		(*n)++;
	}
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return 0;
	free(*out);
	*out = NULL;
	*n = 0;
	if (rc != SQLITE_ROW)
		return store_fail(s, what);
	snprintf(s->err, sizeof(s->err), "out of memory");
	return -1;
}

static void
u32_from_row(sqlite3_stmt *q, void *out)
{
	*(uint32_t *)out = (uint32_t)sqlite3_column_int64(q, 0);
}

/* Read a column of subnets / addresses into an array. */
int
stmt_u32s(struct store *s, sqlite3_stmt *q, uint32_t **out, size_t *n)
{
	void *v;
	int rc;

	rc = stmt_rows(s, q, sizeof(**out), u32_from_row, &v, n, "read list");
	*out = v;
	return rc;
}

/* A single count(*) statement. */
int
stmt_count(struct store *s, enum stmt_id id, int64_t *n)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = stmt(s, id)) == NULL)
		return -1;
	if ((rc = stmt_row(s, q, "count")) != 0)
		return -1;
	*n = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

/* Bind an int64 column that is 0 when unset as NULL. */
void
stmt_bind_time(sqlite3_stmt *q, int col, int64_t t)
{
	if (t == 0)
		sqlite3_bind_null(q, col);
	else
		sqlite3_bind_int64(q, col, t);
}
