/*
 * Inside the store: struct store and what its files share. Only src/store/
 * includes this header, and only src/store/ includes sqlite3.h.
 *   store.c          open and close, the failures and the health
 *   store_schema.c   the migrations and the read-only check at open
 *   store_sql.c      every cached statement and the helpers to run them
 *   store_txn.c      transactions, commit, durability (the WAL fsync),
 *                    recovery after a failure
 *   store_scope.c    scopes, their options and exclusions
 *   store_resv.c     reservations
 *   store_lease.c    lease rows in SQL
 *   store_mirror.c   the lease rows mirrored in memory, staged writes, offers
 *   store_pending.c  bindings the failover partner has not acknowledged
 *   store_rel.c      failover relationships
 *   store_space.c    free space as intervals, its owners, rebalancing moves
 *   store_lmem.c, store_pendq.c, store_health.c: pure helpers (own headers)
 */
#ifndef DHCPFOD_STORE_INT_H
#define DHCPFOD_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"
#include "store_health.h"

struct ivlset;
struct lmem;
struct pendq;

/* The cached statements (their SQL: store_sql.c), by what they touch. */
enum stmt_id {
	/* scopes, options, exclusions (store_scope.c) */
	S_SCOPE_INS, S_SCOPE_UPD, S_SCOPE_DEL, S_SCOPE_GET, S_SCOPE_FIND,
	S_SCOPE_OVERLAP, S_SCOPE_LIST, S_OPT_DEL, S_OPT_INS, S_OPT_GET,
	S_EXCL_INS, S_EXCL_DEL, S_EXCL_GET, S_SCOPE_REL, S_COUNT_SCOPES,
	/* reservations (store_resv.c) */
	S_RESV_INS, S_RESV_DEL, S_RESV_GET, S_RESV_GET_HW, S_RESV_LIST,
	S_RESV_IN_RANGE, S_COUNT_RESV,
	/* lease rows (store_lease.c, store_mirror.c, store_pending.c) */
	S_LEASE_PUT, S_LEASE_TIMES, S_LEASE_GET, S_LEASE_GET_HW, S_LEASE_GET_HOST,
	S_LEASE_LIST, S_LEASE_LIST_ALL, S_LEASE_DEL, S_LEASE_IN_RANGE,
	S_LEASE_ACTIVE, S_LEASE_ALL, S_COUNT_LEASES,
	S_PENDING_ACK, S_PENDING_MARK, S_PENDING_MAX, S_RELEASE_DUE,
	/* relationships (store_rel.c) */
	S_REL_INS, S_REL_UPD, S_REL_DEL, S_REL_GET, S_REL_LIST, S_REL_COUNT,
	S_REL_SCOPES, S_RELSCOPE_INS, S_RELSCOPE_DEL,
	/* the secondary's free intervals (store_space.c) */
	S_BACKUP_GET, S_BACKUP_DEL, S_BACKUP_INS, S_LEASE_SET_FREE,
	/* transactions (store_txn.c) */
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_NSTMTS
};

/* Flags of a record in the mirror of the lease rows. */
#define ROW_DIRTY	0x1	/* staged: to be written */
#define ROW_INSQL	0x2	/* the table has a row of this address */
#define ROW_KEYS	0x4	/* with this record's subnet, client and hostname */
#define ROW_UNSENT	0x8	/* pending, written by this process and not yet
				 * sent to the partner (a record loaded from
				 * the table may have been sent) */

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmts[S_NSTMTS];
	char		 err[512];
	int		 in_txn;
	unsigned	 gen;		/* bumped by every change of configuration */
	int		 wal_fd;	/* the -wal file, for fsync; -1 until opened */
	uint64_t	 seq;		/* of the open (or last) transaction */
	uint64_t	 committed;	/* last transaction committed to the WAL */
	uint64_t	 durable;	/* last transaction known durable */
	/* The lease rows mirrored in memory (with the staged writes), loaded on
	 * first use; the offers, held in memory only. */
	struct lmem	*rows;
	struct lmem	*offers;
	struct pendq	*pend;		/* the rows' pending bindings, in order */
	int		 rows_loaded;
	int		 txn_leases;	/* the open transaction changed lease rows */
	/* Staging (the DHCP engine's passes): lease writes wait in the mirror,
	 * their addresses here, for one transaction. */
	int		 staging;
	uint32_t	*dirty;
	size_t		 ndirty, capdirty;
	int		 stage_failed;	/* staged writes were lost since the last
					 * store_commit_deferred */
	char		 stage_err[512];
	unsigned	 losses;	/* lease writes lost (store_losses) */
	/* Storage health: failures, the recovery from them (store_recover) */
	struct health	 health;
	int		 sync_debt;	/* an fsync of the WAL failed: nothing is
					 * durable again before a full checkpoint */
	unsigned	 sync_epoch;	/* fsync failures so far */
	uint64_t	 fail_committed; /* s->committed at the last failure: a
					 * durable commit past it ends the episode */
};

/* store.c: failures. store_fail records the database's error for `what`
 * and returns -1; store_note_failure puts a failure of `kind` (s->err says
 * how) into the health and logs it, rate-limited; store_durable_to moves
 * the durable mark (never while an fsync failure is unresolved). */
int	store_fail(struct store *, const char *what);
void	store_note_failure(struct store *, int kind, int syserr);
void	store_durable_to(struct store *, uint64_t seq);

/* store_schema.c */
int	store_schema_latest(void);	/* the user_version the migrations reach */
int	store_migrate(struct store *);
int	store_check_dir(const char *path, char *err, size_t errlen);
int	store_precheck(const char *path, char *err, size_t errlen);

/* store_sql.c: the cached statement `id` reset and unbound (stmt_raw), or
 * once the staged lease writes are in the database (stmt); NULL on error. */
sqlite3_stmt *stmt_raw(struct store *, enum stmt_id);
sqlite3_stmt *stmt(struct store *, enum stmt_id);
int	stmt_run(struct store *, sqlite3_stmt *, const char *what);	/* no rows */
int	stmt_txn(struct store *, enum stmt_id);	/* BEGIN, COMMIT, ROLLBACK */
/* Step a one-row lookup: 0 row ready, STORE_NOTFOUND, -1 error. */
int	stmt_row(struct store *, sqlite3_stmt *, const char *what);
/* A one-row lookup decoded by fn into out (the statement reset after). */
typedef void (*stmt_decode_fn)(sqlite3_stmt *, void *out);
int	stmt_one(struct store *, sqlite3_stmt *, stmt_decode_fn, void *out,
	    const char *what);
/* Every row, each decoded by fn into the next element of a growing array of
 * `size`-byte elements: *out (free it) and *n. */
int	stmt_rows(struct store *, sqlite3_stmt *, size_t size, stmt_decode_fn,
	    void **out, size_t *n, const char *what);
void	stmt_text(sqlite3_stmt *, int col, char *buf, size_t len);
size_t	stmt_blob(sqlite3_stmt *, int col, uint8_t *buf, size_t len);
void	stmt_bind_time(sqlite3_stmt *, int col, int64_t t);	/* 0: NULL */
int	stmt_exec(struct store *, const char *sql);	/* outside the cache */
/* The intervals of a subnet (exclusion or backup_range), normalised. */
int	stmt_ivls(struct store *, enum stmt_id, uint32_t subnet, struct ivlset *);
/* The first column of every row, as addresses or subnets. */
int	stmt_u32s(struct store *, sqlite3_stmt *, uint32_t **out, size_t *n);
int	stmt_count(struct store *, enum stmt_id, int64_t *n);	/* count(*) */

/* store_txn.c: run fn inside a transaction unless one is open. */
int	store_atomically(struct store *, int (*fn)(struct store *, const void *),
	    const void *arg);

/* store_lease.c */
void	lease_from_row(sqlite3_stmt *, void *lease);	/* a stmt_decode_fn */
int	lease_sql_put(struct store *, const struct lease *);
int	lease_sql_times(struct store *, const struct lease *);
int	lease_sql_get(struct store *, uint32_t address, struct lease *);

/* store_mirror.c: forget the mirror (it reloads on next use, the staged
 * writes are lost); load it; write the staged writes in one transaction;
 * stage one write. */
void	mirror_forget(struct store *);
int	mirror_load(struct store *);
int	stage_flush(struct store *);
int	stage_put(struct store *, const struct lease *);
/* The lease-state gate (lease.h's table, with the state the store holds):
 * may `who` move addr to `to`; may a statement move every state of the set
 * `from` (LEASE_BIT) to `to`. 0, or -1 refused (logged, in s->err) or a read
 * error. Every write of a lease's state passes one of them. */
int	lease_change_ok(struct store *, uint32_t addr, enum lease_state to,
	    enum lease_actor who);
int	lease_changes_ok(struct store *, unsigned from, enum lease_state to,
	    enum lease_actor who, const char *what);

/* store_pending.c: transaction numbers go on from the highest pending one. */
int	store_pending_init(struct store *);

/* store_space.c: give [start, end] to owner (enum fo_role) in the interval
 * view of a scope; re-own the free rows inside it the same way, a move of
 * FREE and BACKUP rows that the lease-state table must allow `who`. */
int	backup_assign(struct store *, uint32_t subnet, uint32_t start,
	    uint32_t end, enum fo_role owner);
int	backup_clear(struct store *, uint32_t subnet);
int	space_reown_rows(struct store *, uint32_t subnet, uint32_t start,
	    uint32_t end, enum fo_role owner, enum lease_actor who,
	    const char *what);

#endif
