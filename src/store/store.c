/* Storage on SQLite: schema and migrations, a prepared-statement cache, and
 * the interval view of free space (DESIGN §3). The only file with sqlite3.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fo.h"
#include "log.h"
#include "store.h"
#include "store_health.h"
#include "store_lmem.h"
#include "store_pendq.h"
#include "util.h"

/* Migrations: entry i brings a database at user_version i to i + 1. */
static const char *const migrations[] = {
	"CREATE TABLE scope(subnet INTEGER PRIMARY KEY, mask INTEGER NOT NULL,"
	" name TEXT NOT NULL, range_start INTEGER NOT NULL,"
	" range_end INTEGER NOT NULL, lease_time INTEGER NOT NULL,"
	" enabled INTEGER NOT NULL);"
	"CREATE TABLE scope_option(subnet INTEGER NOT NULL REFERENCES scope"
	" ON DELETE CASCADE, code INTEGER NOT NULL, data BLOB NOT NULL,"
	" PRIMARY KEY(subnet, code));"
	"CREATE TABLE server_option(code INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TABLE exclusion(subnet INTEGER NOT NULL REFERENCES scope"
	" ON DELETE CASCADE, start INTEGER NOT NULL, stop INTEGER NOT NULL,"
	" PRIMARY KEY(subnet, start));"
	"CREATE TABLE reservation(address INTEGER PRIMARY KEY, subnet INTEGER NOT NULL"
	" REFERENCES scope ON DELETE CASCADE, hwaddr BLOB NOT NULL, name TEXT NOT NULL);"
	"CREATE UNIQUE INDEX reservation_hw ON reservation(subnet, hwaddr);"
	"CREATE TABLE backup_range(subnet INTEGER NOT NULL REFERENCES scope"
	" ON DELETE CASCADE, start INTEGER NOT NULL, stop INTEGER NOT NULL,"
	" PRIMARY KEY(subnet, start));"
	"CREATE TABLE lease(address INTEGER PRIMARY KEY, subnet INTEGER NOT NULL"
	" REFERENCES scope ON DELETE CASCADE, hwaddr BLOB, client_id BLOB,"
	" hostname TEXT, state INTEGER NOT NULL, starts INTEGER, ends INTEGER,"
	" cltt INTEGER, owner INTEGER NOT NULL, sent_pot_exp INTEGER,"
	" ack_pot_exp INTEGER, recv_pot_exp INTEGER, last_bndupd INTEGER);"
	"CREATE INDEX lease_subnet ON lease(subnet, address);"
	"CREATE INDEX lease_hw ON lease(hwaddr);"
	"CREATE INDEX lease_host ON lease(hostname);"
	"CREATE TABLE relationship(id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	" primary_server INTEGER NOT NULL, secondary_server INTEGER NOT NULL,"
	" primary_name TEXT NOT NULL, secondary_name TEXT NOT NULL,"
	" mode INTEGER NOT NULL, server_type INTEGER NOT NULL, state INTEGER NOT NULL,"
	" prev_state INTEGER NOT NULL, partner_state INTEGER NOT NULL,"
	" mclt INTEGER NOT NULL, safe_period INTEGER NOT NULL,"
	" percentage INTEGER NOT NULL, shared_secret TEXT NOT NULL,"
	" port INTEGER NOT NULL);"
	"CREATE TABLE rel_scope(subnet INTEGER PRIMARY KEY REFERENCES scope,"
	" rel INTEGER NOT NULL REFERENCES relationship ON DELETE CASCADE);",
	/* 2: the DHCP engine finds a client's lease by its client identifier */
	"CREATE INDEX lease_cid ON lease(client_id);",
	/* 3: a binding the partner has not acknowledged carries the sequence
	 * number of the transaction that wrote it (0: the partner has it) */
	"ALTER TABLE lease ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX lease_pending ON lease(pending, address) WHERE pending > 0;"
	"ALTER TABLE relationship ADD COLUMN stos INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE relationship ADD COLUMN fail_time INTEGER NOT NULL DEFAULT 0;",
	/* 4: the pending bindings are walked in memory (pend.c); the index only
	 * cost two updates per lease */
	"DROP INDEX lease_pending;",
	/* 5: a client that has waited this long (its secs field) is answered
	 * by either partner in NORMAL (ISC's load balance max seconds) */
	"ALTER TABLE relationship ADD COLUMN lb_max_secs INTEGER NOT NULL DEFAULT 0;",
};

enum stmt_id {
	S_SCOPE_INS, S_SCOPE_UPD, S_SCOPE_DEL, S_SCOPE_GET, S_SCOPE_FIND,
	S_SCOPE_OVERLAP, S_SCOPE_LIST, S_OPT_DEL, S_OPT_INS, S_OPT_GET,
	S_EXCL_INS, S_EXCL_DEL, S_EXCL_GET, S_SCOPE_REL,
	S_RESV_INS, S_RESV_DEL, S_RESV_GET, S_RESV_GET_HW, S_RESV_LIST,
	S_LEASE_PUT, S_LEASE_GET, S_LEASE_GET_HW, S_LEASE_GET_HOST, S_LEASE_LIST,
	S_LEASE_LIST_ALL, S_LEASE_DEL, S_LEASE_IN_RANGE,
	S_REL_INS, S_REL_UPD, S_REL_DEL, S_REL_GET, S_REL_LIST, S_REL_COUNT,
	S_REL_SCOPES, S_RELSCOPE_INS, S_RELSCOPE_DEL,
	S_BACKUP_GET, S_BACKUP_DEL, S_BACKUP_INS, S_LEASE_SET_FREE, S_RESV_IN_RANGE,
	S_COUNT_SCOPES, S_COUNT_LEASES, S_COUNT_RESV,
	S_LEASE_ACTIVE, S_LEASE_TIMES, S_LEASE_ALL, S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_PENDING_ACK, S_PENDING_MARK, S_PENDING_MAX, S_REL_OF_SCOPE,
	S_RELEASE_DUE,
	S_NSTMTS
};

#define LEASE_COLS "address, subnet, hwaddr, client_id, hostname, state, starts," \
	" ends, cltt, owner, sent_pot_exp, ack_pot_exp, recv_pot_exp, last_bndupd," \
	" pending"
#define REL_COLS "name, primary_server, secondary_server, primary_name," \
	" secondary_name, mode, server_type, state, prev_state, partner_state, mclt," \
	" safe_period, percentage, shared_secret, port, stos, fail_time, lb_max_secs"

static const char *const stmt_sql[S_NSTMTS] = {
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
	[S_RESV_INS] = "INSERT INTO reservation VALUES (?1, ?2, ?3, ?4)",
	[S_RESV_DEL] = "DELETE FROM reservation WHERE address = ?1",
	[S_RESV_GET] = "SELECT subnet, address, hwaddr, name FROM reservation"
	    " WHERE address = ?1",
	[S_RESV_GET_HW] = "SELECT subnet, address, hwaddr, name FROM reservation"
	    " WHERE subnet = ?1 AND hwaddr = ?2",
	[S_RESV_LIST] = "SELECT subnet, address, hwaddr, name FROM reservation"
	    " WHERE subnet = ?1 ORDER BY address",
	[S_LEASE_PUT] = "INSERT OR REPLACE INTO lease (" LEASE_COLS ") VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[S_LEASE_GET] = "SELECT " LEASE_COLS " FROM lease WHERE address = ?1",
	[S_LEASE_GET_HW] = "SELECT " LEASE_COLS " FROM lease WHERE hwaddr = ?1"
	    " ORDER BY (state = 2) DESC, ends DESC LIMIT 1",
	[S_LEASE_GET_HOST] = "SELECT " LEASE_COLS " FROM lease WHERE hostname = ?1"
	    " ORDER BY address LIMIT 1",
	[S_LEASE_LIST] = "SELECT " LEASE_COLS " FROM lease WHERE subnet = ?1"
	    " AND address > ?2 ORDER BY address LIMIT ?3",
	[S_LEASE_LIST_ALL] = "SELECT " LEASE_COLS " FROM lease WHERE address > ?2"
	    " ORDER BY address LIMIT ?3",
	[S_LEASE_DEL] = "DELETE FROM lease WHERE address = ?1",
	[S_LEASE_IN_RANGE] = "SELECT address, state, owner FROM lease"
	    " WHERE subnet = ?1 AND address BETWEEN ?2 AND ?3 ORDER BY address",
	[S_REL_INS] = "INSERT INTO relationship (" REL_COLS ") VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	    " ?16, ?17, ?18)",
	[S_REL_UPD] = "UPDATE relationship SET primary_server = ?2,"
	    " secondary_server = ?3, primary_name = ?4, secondary_name = ?5,"
	    " mode = ?6, server_type = ?7, state = ?8, prev_state = ?9,"
	    " partner_state = ?10, mclt = ?11, safe_period = ?12, percentage = ?13,"
	    " shared_secret = ?14, port = ?15, stos = ?16, fail_time = ?17,"
	    " lb_max_secs = ?18 WHERE name = ?1",
	[S_REL_DEL] = "DELETE FROM relationship WHERE name = ?1",
	[S_REL_GET] = "SELECT " REL_COLS ", id FROM relationship WHERE name = ?1",
	[S_REL_LIST] = "SELECT name FROM relationship ORDER BY id",
	[S_REL_COUNT] = "SELECT count(*) FROM relationship",
	[S_REL_SCOPES] = "SELECT subnet FROM rel_scope WHERE rel = ?1 ORDER BY subnet",
	[S_RELSCOPE_INS] = "INSERT INTO rel_scope SELECT ?2, id FROM relationship"
	    " WHERE name = ?1",
	[S_RELSCOPE_DEL] = "DELETE FROM rel_scope WHERE subnet = ?1",
	[S_BACKUP_GET] = "SELECT start, stop FROM backup_range WHERE subnet = ?1"
	    " ORDER BY start",
	[S_BACKUP_DEL] = "DELETE FROM backup_range WHERE subnet = ?1",
	[S_BACKUP_INS] = "INSERT INTO backup_range VALUES (?1, ?2, ?3)",
	[S_LEASE_SET_FREE] = "UPDATE lease SET state = ?4, owner = ?5"
	    " WHERE subnet = ?1 AND address BETWEEN ?2 AND ?3 AND state IN (1, 7)",
	[S_RESV_IN_RANGE] = "SELECT address FROM reservation WHERE subnet = ?1"
	    " AND address BETWEEN ?2 AND ?3 ORDER BY address",
	[S_COUNT_SCOPES] = "SELECT count(*) FROM scope",
	[S_COUNT_LEASES] = "SELECT count(*) FROM lease",
	[S_COUNT_RESV] = "SELECT count(*) FROM reservation",
	[S_LEASE_ACTIVE] = "SELECT address, ends FROM lease WHERE state IN (2, 8) AND ends IS NOT NULL",
	[S_PENDING_ACK] = "UPDATE lease SET pending = 0, ack_pot_exp = ?3"
	    " WHERE address = ?1 AND pending = ?2",
	[S_PENDING_MARK] = "UPDATE lease SET pending = ?1 WHERE state != 8 AND"
	    " subnet IN (SELECT s.subnet FROM rel_scope s JOIN relationship r"
	    " ON r.id = s.rel WHERE r.name = ?2)",
	[S_PENDING_MAX] = "SELECT max(pending) FROM lease",
	[S_REL_OF_SCOPE] = "SELECT r.name FROM rel_scope s JOIN relationship r"
	    " ON r.id = s.rel WHERE s.subnet = ?1",
	[S_RELEASE_DUE] = "UPDATE lease SET state = 1, owner = 0, pending = ?1"
	    " WHERE state IN (3, 4, 6) AND max(ifnull(ends, 0), ifnull(cltt, 0),"
	    " ifnull(sent_pot_exp, 0), ifnull(ack_pot_exp, 0), ifnull(recv_pot_exp, 0))"
	    " <= ?2"
	    " AND subnet IN (SELECT s.subnet FROM rel_scope s JOIN relationship r"
	    " ON r.id = s.rel WHERE r.name = ?3)",
	/* a row whose client and hostname stay: no index changes */
	[S_LEASE_TIMES] = "UPDATE lease SET state = ?2, starts = ?3, ends = ?4,"
	    " cltt = ?5, owner = ?6, sent_pot_exp = ?7, ack_pot_exp = ?8,"
	    " recv_pot_exp = ?9, last_bndupd = ?10, pending = ?11 WHERE address = ?1",
	[S_LEASE_ALL] = "SELECT " LEASE_COLS " FROM lease",
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
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

static int	stage_flush(struct store *);

/* What a result code says of the storage (HEALTH_NONE: nothing, a constraint
 * or a misuse); the OS error tells a full disk behind an I/O error. */
static int
classify(int rc, int syserr)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return HEALTH_FULL;
	case SQLITE_IOERR:
		return syserr == ENOSPC || syserr == EDQUOT ? HEALTH_FULL : HEALTH_IO;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return HEALTH_CORRUPT;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_BUSY:	/* locked by another program past the timeout */
	case SQLITE_LOCKED:
		return HEALTH_OTHER;
	default:
		return HEALTH_NONE;
	}
}

/* The storage failed (s->err says how, syserr the OS error if not in it):
 * the health records it and logs the first failure, another kind, or a
 * reminder a minute, never a line per packet. */
static void
storage_failed(struct store *s, int kind, int syserr)
{
	char text[1024];
	int64_t now = time_mono_us();

	if (kind == HEALTH_NONE)
		return;
	snprintf(text, sizeof(text), "%s: %s: %s%s%s%s", health_kind_text(kind),
	    s->path, s->err, syserr ? " (" : "", syserr ? strerror(syserr) : "",
	    syserr ? ")" : "");
	s->fail_committed = s->committed;
	switch (health_fail(&s->health, kind, text, time_wall(), now)) {
	case HEALTH_LOG_FAILING:
		log_warnx("storage failing: %s; DHCPACKs and BNDACKs are withheld "
		    "until writes are durable again (retrying)", text);
		break;
	case HEALTH_LOG_STILL:
		log_warnx("storage still failing after %llds, %llu failed "
		    "operations: %s", (long long)((now - s->health.since_us) /
		    1000000), (unsigned long long)s->health.episode, text);
		break;
	default:
		break;
	}
}

/* Everything committed up to seq is durable (never while an fsync failure
 * is unresolved); a commit made after the last failure ends the episode. */
static void
durable_to(struct store *s, uint64_t seq)
{
	if (s->sync_debt)
		return;
	if (seq > s->durable)
		s->durable = seq;
	if (seq > s->fail_committed && health_ok(&s->health))
		log_notice("storage recovered: %s takes durable writes again after "
		    "%llds, %llu failed operations; service resumed", s->path,
		    (long long)((time_mono_us() - s->health.since_us) / 1000000),
		    (unsigned long long)s->health.episode);
}

/* Record the database's error for `what`; returns -1. */
static int
fail(struct store *s, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db), sys = sqlite3_system_errno(s->db);
	int kind = classify(rc, sys);

	snprintf(s->err, sizeof(s->err), "%s: %s", what, sqlite3_errmsg(s->db));
	if (kind == HEALTH_FULL && sys == 0)
		sys = ENOSPC;	/* SQLite keeps no errno for a short write */
	storage_failed(s, kind, kind == HEALTH_FULL || kind == HEALTH_IO ? sys : 0);
	return -1;
}

/* The cached statement `id`, reset and with no bindings; NULL on error. */
static sqlite3_stmt *
st_raw(struct store *s, enum stmt_id id)
{
	sqlite3_stmt *q = s->stmts[id];

	if (q == NULL) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmts[id], NULL) != SQLITE_OK) {
			fail(s, "prepare");
			return NULL;
		}
		return s->stmts[id];
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return q;
}

/* st_raw, once the staged lease writes are in the database (outside a
 * transaction, any statement sees them). */
static sqlite3_stmt *
st(struct store *s, enum stmt_id id)
{
	if (s->ndirty > 0 && !s->in_txn)
		stage_flush(s);		/* a failure is the engine's to report */
	return st_raw(s, id);
}

/* Run a statement that returns no rows. */
static int
run(struct store *s, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return fail(s, what);
	return 0;
}

/* BEGIN IMMEDIATE, COMMIT or ROLLBACK (prepared once, not parsed each time). */
static int
txn(struct store *s, enum stmt_id id)
{
	sqlite3_stmt *q = st_raw(s, id);

	return q == NULL ? -1 : run(s, q, stmt_sql[id]);
}

/* Step a one-row lookup: 0 row ready, STORE_NOTFOUND, -1 error. */
static int
row(struct store *s, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW)
		return 0;
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? STORE_NOTFOUND : fail(s, what);
}

/* Copy a text column into a fixed buffer. */
static void
col_text(sqlite3_stmt *q, int col, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

/* Copy a blob column into a fixed buffer; returns the bytes copied. */
static size_t
col_blob(sqlite3_stmt *q, int col, uint8_t *buf, size_t len)
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
static int
exec(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->err, sizeof(s->err), "%s", msg ? msg : "exec failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Bring the schema up to date, one transaction per step (PRAGMA user_version). */
static int
migrate(struct store *s)
{
	sqlite3_stmt *q;
	int version, latest = (int)nitems(migrations);
	char sql[64];

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
		return fail(s, "read schema version");
	version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
	sqlite3_finalize(q);
	if (version < 0 || version > latest) {
		snprintf(s->err, sizeof(s->err), "database schema version %d is newer "
		    "than this dhcpfod knows (%d)", version, latest);
		return -1;
	}
	for (; version < latest; version++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (exec(s, "BEGIN IMMEDIATE") == -1)
			return -1;
		if (exec(s, migrations[version]) == -1 || exec(s, sql) == -1) {
			char keep[sizeof(s->err)];

			memcpy(keep, s->err, sizeof(keep));
			exec(s, "ROLLBACK");
			memcpy(s->err, keep, sizeof(keep));
			return -1;
		}
		if (exec(s, "COMMIT") == -1)
			return -1;
		log_info("database %s: schema migrated to version %d", s->path,
		    version + 1);
	}
	return 0;
}

/* Transaction numbers go on from the highest pending one: everything found in
 * the database at open is durable (recovery replays only what was synced). */
static int
pending_init(struct store *s)
{
	sqlite3_stmt *q;

	if ((q = st_raw(s, S_PENDING_MAX)) == NULL)
		return -1;
	s->seq = sqlite3_step(q) == SQLITE_ROW ?
	    (uint64_t)sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	s->committed = s->durable = s->seq;
	return 0;
}

/* Clear, specific errors for the usual mistakes before SQLite says
 * "unable to open database file". */
static int
check_dir(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path), *dir;
	struct stat sb;
	int rc = -1;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	dir = dirname(copy);
	if (stat(dir, &sb) == -1)
		snprintf(err, errlen, "database directory %s: %s", dir, strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		snprintf(err, errlen, "database directory %s is not a directory", dir);
	else if (access(dir, W_OK) == -1)
		snprintf(err, errlen, "database directory %s is not writable: %s "
		    "(the database needs its directory for its journal)", dir,
		    strerror(errno));
	else if (access(path, F_OK) == 0 && access(path, W_OK) == -1)
		snprintf(err, errlen, "database %s is not writable: %s", path,
		    strerror(errno));
	else
		rc = 0;
	free(copy);
	return rc;
}

/* The first rows of PRAGMA quick_check, "; "-separated, into buf; 0 when it
 * says "ok", -1 otherwise (or when it cannot run: SQLite's message). */
static int
quick_check(sqlite3 *db, char *buf, size_t len)
{
	sqlite3_stmt *q;
	size_t off = 0;
	int rc, rows = 0, ok = 0;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check(3)", -1, &q, NULL) != SQLITE_OK) {
		snprintf(buf, len, "%s", sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(q, 0);

		if (rows++ == 0 && t != NULL && strcmp((const char *)t, "ok") == 0)
			ok = 1;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off ? "; " : "", t ? (const char *)t : "");
	}
	if (rc != SQLITE_DONE)
		snprintf(buf, len, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE && ok ? 0 : -1;
}

/* Whether an existing, non-empty file starts like an SQLite database. */
static int
header_ok(const char *path, char *err, size_t errlen)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	struct stat sb;
	ssize_t n;
	int fd;

	if (stat(path, &sb) == -1 || sb.st_size == 0)
		return 0;	/* a new database */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "database %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n != (ssize_t)sizeof(head) || memcmp(head, magic, sizeof(head)) != 0) {
		snprintf(err, errlen, "database %s is not an SQLite database (bad "
		    "header): refusing to start; the file was left as it is", path);
		return -1;
	}
	return 1;
}

/* A URI that opens path read-only: immutable when it has no WAL or journal
 * beside it (then SQLite creates neither a -wal nor a -shm), else with them
 * (a newer dhcpfod's last transactions may be there; a hot journal that a
 * read-only connection cannot roll back makes the file unreadable). */
static int
ro_uri(const char *path, char *buf, size_t len)
{
	char wal[4096], journal[4096];
	size_t off;
	int n, side;

	n = snprintf(wal, sizeof(wal), "%s-wal", path);
	if (n < 0 || (size_t)n >= sizeof(wal) ||
	    snprintf(journal, sizeof(journal), "%s-journal", path) >= (int)sizeof(journal))
		return -1;
	side = access(wal, F_OK) == 0 || access(journal, F_OK) == 0;
	off = (size_t)snprintf(buf, len, "file:");
	for (const char *p = path; *p != '\0'; p++) {
		if (off + 4 >= len)
			return -1;
		if (*p == '%' || *p == '?' || *p == '#')
			off += (size_t)snprintf(buf + off, len - off, "%%%02X",
			    (unsigned char)*p);
		else
			buf[off++] = *p;
	}
	n = snprintf(buf + off, len - off, "%s", side ? "?mode=ro" : "?immutable=1");
	return n < 0 || (size_t)n >= len - off ? -1 : 0;
}

/* Whether a rollback journal lies beside path (never dhcpfod's: WAL). */
static int
hot_journal(const char *path)
{
	char journal[4096];
	struct stat sb;

	snprintf(journal, sizeof(journal), "%s-journal", path);
	return stat(journal, &sb) == 0 && sb.st_size > 0;
}

/* Refuse, without writing a byte of it, a file that is not an SQLite
 * database, a damaged one, or one of a newer schema: looked at on a
 * read-only connection that never checkpoints (the writer's open would set
 * the journal mode, migrate, and checkpoint the WAL when it closes).
 * PRAGMA quick_check reads every page: about 0.55 s for a million leases
 * in the page cache, 1.5 s from a cold one (docs/ARCHITECTURE.md). */
static int
precheck(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	char msg[400], uri[8192];
	int rc, version = -1, latest = (int)nitems(migrations);

	if ((rc = header_ok(path, err, errlen)) <= 0)
		return rc;
	if (ro_uri(path, uri, sizeof(uri)) == -1) {
		snprintf(err, errlen, "database path %s is too long", path);
		return -1;
	}
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW) {
		snprintf(err, errlen, "database %s cannot be read (%s%s): refusing "
		    "to start; the file was left as it is", path, db ?
		    sqlite3_errmsg(db) : "out of memory", hot_journal(path) ?
		    "; a rollback journal beside it awaits recovery by the program "
		    "that wrote it" : "");
		sqlite3_finalize(q);
		sqlite3_close(db);
		return -1;
	}
	version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	rc = -1;
	if (version > latest)
		snprintf(err, errlen, "database %s: schema version %d is newer than "
		    "this dhcpfod knows (%d): a newer dhcpfod wrote it; refusing to "
		    "start, the file was left as it is", path, version, latest);
	else if (quick_check(db, msg, sizeof(msg)) == -1)
		snprintf(err, errlen, "database %s is damaged (PRAGMA quick_check: "
		    "%s): refusing to start; the file was left as it is (restore it "
		    "from a backup or the failover partner: docs/SERVICE.md)", path,
		    msg);
	else
		rc = 0;
	sqlite3_close(db);
	return rc;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *s;

	if (check_dir(path, err, errlen) == -1 || precheck(path, err, errlen) == -1)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(path)) == NULL ||
	    (s->rows = lmem_new()) == NULL || (s->offers = lmem_new()) == NULL ||
	    (s->pend = pendq_new()) == NULL) {
		if (s != NULL) {
			lmem_free(s->rows);
			lmem_free(s->offers);
			free(s->path);
		}
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* no allocation statistics: they cost a global mutex per malloc */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database %s: %s", path, s->db ?
		    sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 5000);
	s->wal_fd = -1;
	health_init(&s->health);
	/* NORMAL: a commit writes the WAL without fsync; store_commit then fsyncs
	 * the WAL itself, store_commit_deferred leaves that to store_wal_sync so
	 * the DHCP engine can overlap it with its next pass (DESIGN §3). */
	if (exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	    " PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768") == -1 ||
	    migrate(s) == -1) {
		snprintf(err, errlen, "database %s: %s", path, s->err);
		store_close(s);
		return NULL;
	}
	if (pending_init(s) == -1) {
		snprintf(err, errlen, "database %s: %s", path, s->err);
		store_close(s);
		return NULL;
	}
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->db != NULL && !s->in_txn)
		stage_flush(s);		/* nothing waits on them any more */
	for (int i = 0; i < S_NSTMTS; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_close(s->db);
	if (s->wal_fd != -1)
		close(s->wal_fd);
	lmem_free(s->rows);
	lmem_free(s->offers);
	pendq_free(s->pend);
	free(s->dirty);
	free(s->path);
	free(s);
}

int
store_wal_fd(struct store *s)
{
	char path[4096];

	if (s->wal_fd == -1) {
		snprintf(path, sizeof(path), "%s-wal", s->path);
		s->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return s->wal_fd;
}

/* After a failed fsync of the WAL: every frame copied into the database
 * file, that file fsynced, the WAL truncated (a checkpoint in TRUNCATE mode).
 * Linux reports a writeback error once, so a later fsync of the WAL proves
 * nothing about the frames written before it; the checkpoint writes those
 * pages anew, so its fsync does, and the restarted WAL leaves no later
 * commit behind a frame that may be lost (WAL recovery stops at the first
 * bad frame). */
static int
resync(struct store *s)
{
	uint64_t upto = s->committed;

	if (s->in_txn) {
		snprintf(s->err, sizeof(s->err), "resync inside a transaction");
		return -1;
	}
	if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
	    NULL) != SQLITE_OK)
		return fail(s, "checkpoint after a failed fsync");
	s->sync_debt = 0;
	durable_to(s, upto);
	return 0;
}

/* Make every committed transaction durable: fsync the WAL (its frames up to
 * the last commit record are what recovery replays), or after a failed one
 * the full checkpoint of resync(). */
int
store_wal_sync(struct store *s)
{
	int fd = store_wal_fd(s);
	uint64_t upto = s->committed;	/* what this fsync covers */

	if (s->sync_debt)
		return resync(s);
	if (fd == -1) {
		if (errno == ENOENT) {	/* nothing written yet */
			durable_to(s, upto);
			return 0;
		}
		snprintf(s->err, sizeof(s->err), "open %s-wal: %s", s->path,
		    strerror(errno));
		storage_failed(s, HEALTH_IO, 0);
		return -1;
	}
	if (fsync(fd) == -1) {
		store_sync_failed(s, errno);
		return -1;
	}
	durable_to(s, upto);
	return 0;
}

void
store_sync_failed(struct store *s, int err)
{
	s->losses++;
	s->sync_epoch++;
	s->sync_debt = 1;
	snprintf(s->err, sizeof(s->err), "fsync of its WAL: %s", strerror(err));
	storage_failed(s, err == ENOSPC || err == EDQUOT ? HEALTH_FULL : HEALTH_IO,
	    0);
}

unsigned
store_sync_epoch(struct store *s)
{
	return s->sync_epoch;
}

const struct health *
store_health(struct store *s)
{
	return &s->health;
}

int
store_writable(struct store *s)
{
	return s->health.ok;
}

const char *
store_errmsg(struct store *s)
{
	return s->err;
}

const char *
store_path(struct store *s)
{
	return s->path;
}

int
store_begin(struct store *s)
{
	if (s->staging)
		return 0;	/* the stage is the pass's transaction */
	if (s->ndirty > 0)
		stage_flush(s);	/* a failure is the engine's to report */
	/* after a failed fsync, nothing is committed that cannot be made
	 * durable: a write refused whole rather than visible and not durable */
	if (s->sync_debt && resync(s) == -1)
		return -1;
	if (txn(s, S_BEGIN) == -1)
		return -1;
	s->in_txn = 1;
	s->seq++;
	s->txn_leases = 0;
	return 0;
}

/* The staged writes in one transaction, or the report of their loss. */
static int
stage_commit(struct store *s)
{
	if (s->stage_failed) {
		s->stage_failed = 0;
		snprintf(s->err, sizeof(s->err), "%s", s->stage_err);
		return -1;
	}
	if (stage_flush(s) == -1) {
		s->stage_failed = 0;	/* reported now */
		return -1;
	}
	return 0;
}

int
store_commit_deferred(struct store *s)
{
	if (!s->in_txn)
		return stage_commit(s);
	if (txn(s, S_COMMIT) == -1) {
		store_rollback(s);
		return -1;
	}
	s->in_txn = 0;
	s->committed = s->seq;
	return 0;
}

int
store_commit(struct store *s)
{
	if (store_commit_deferred(s) == -1)
		return -1;
	return store_wal_sync(s);
}

/* A write of nothing new (the schema version again: one page in the WAL),
 * to learn whether the database takes writes when none wait. */
static int
probe(struct store *s)
{
	char sql[64];
	sqlite3_stmt *q;
	int rc;

	if (store_begin(s) == -1)
		return -1;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", nitems(migrations));
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		rc = fail(s, "probe");
	else
		rc = run(s, q, "probe write");
	sqlite3_finalize(q);
	if (rc == -1) {
		store_rollback(s);
		return -1;
	}
	return store_commit_deferred(s);
}

int
store_recover(struct store *s)
{
	int wrote = s->ndirty > 0 || s->stage_failed;

	if (s->in_txn) {
		snprintf(s->err, sizeof(s->err), "recovery inside a transaction");
		return -1;
	}
	if (stage_commit(s) == -1 || (!wrote && probe(s) == -1))
		return -1;
	return store_wal_sync(s);
}

static void	rows_forget(struct store *);

void
store_rollback(struct store *s)
{
	char keep[sizeof(s->err)];

	if (!s->in_txn)
		return;
	memcpy(keep, s->err, sizeof(keep));
	txn(s, S_ROLLBACK);
	memcpy(s->err, keep, sizeof(keep));
	s->in_txn = 0;
	if (s->txn_leases) {
		s->losses++;
		rows_forget(s);		/* the mirror may hold what was undone */
	}
}

/* Run `fn` inside a transaction unless the caller already holds one. */
static int
atomically(struct store *s, int (*fn)(struct store *, const void *), const void *arg)
{
	int own = !s->in_txn, rc;

	if (own && store_begin(s) == -1)
		return -1;
	rc = fn(s, arg);
	if (!own)
		return rc;
	if (rc != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

/* ---- scopes ---- */

void
scope_fini(struct scope *sc)
{
	dhcp_optlist_free(&sc->options);
	ivlset_free(&sc->exclusions);
}

void
scopes_free(struct scope *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scope_fini(&v[i]);
	free(v);
}

/* Replace a scope's stored options with sc->options. */
static int
scope_put_options(struct store *s, const struct scope *sc)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_OPT_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	if (run(s, q, "delete options") == -1)
		return -1;
	for (size_t i = 0; i < sc->options.n; i++) {
		const struct dhcp_opt *o = &sc->options.v[i];

		if ((q = st(s, S_OPT_INS)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, sc->subnet);
		sqlite3_bind_int(q, 2, o->code);
		sqlite3_bind_blob(q, 3, o->data, o->len, SQLITE_TRANSIENT);
		if (run(s, q, "insert option") == -1)
			return -1;
	}
	return 0;
}

static int
scope_insert_txn(struct store *s, const void *arg)
{
	const struct scope *sc = arg;
	sqlite3_stmt *q;

	if ((q = st(s, S_SCOPE_INS)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	sqlite3_bind_int64(q, 2, sc->mask);
	sqlite3_bind_text(q, 3, sc->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 4, sc->range_start);
	sqlite3_bind_int64(q, 5, sc->range_end);
	sqlite3_bind_int64(q, 6, sc->lease_time);
	sqlite3_bind_int(q, 7, sc->enabled);
	if (run(s, q, "insert scope") == -1)
		return -1;
	for (size_t i = 0; i < sc->exclusions.n; i++)
		if (store_exclusion_add(s, sc->subnet, sc->exclusions.v[i].start,
		    sc->exclusions.v[i].end) == -1)
			return -1;
	return scope_put_options(s, sc);
}

int
store_scope_insert(struct store *s, const struct scope *sc)
{
	s->gen++;
	return atomically(s, scope_insert_txn, sc);
}

static int
scope_update_txn(struct store *s, const void *arg)
{
	const struct scope *sc = arg;
	sqlite3_stmt *q;

	if ((q = st(s, S_SCOPE_UPD)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	sqlite3_bind_text(q, 2, sc->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, sc->lease_time);
	sqlite3_bind_int(q, 4, sc->enabled);
	if (run(s, q, "update scope") == -1)
		return -1;
	return scope_put_options(s, sc);
}

int
store_scope_update(struct store *s, const struct scope *sc)
{
	s->gen++;
	return atomically(s, scope_update_txn, sc);
}

/* Delete a scope and everything hanging off it (leases, options, ...). */
static int
scope_delete_txn(struct store *s, const void *arg)
{
	const uint32_t *subnet = arg;
	sqlite3_stmt *q;

	if ((q = st(s, S_RELSCOPE_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, *subnet);
	if (run(s, q, "delete scope relationship") == -1)
		return -1;
	if ((q = st(s, S_SCOPE_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, *subnet);
	rows_forget(s);		/* its lease rows go with it */
	s->txn_leases = 1;
	if (run(s, q, "delete scope") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

int
store_scope_delete(struct store *s, uint32_t subnet)
{
	s->gen++;
	return atomically(s, scope_delete_txn, &subnet);
}

/* Load a scope's options. */
static int
scope_load_options(struct store *s, struct scope *sc)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = st(s, S_OPT_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (dhcp_optlist_set(&sc->options, (uint8_t)sqlite3_column_int(q, 0),
		    sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1)) == -1) {
			sqlite3_reset(q);
			snprintf(s->err, sizeof(s->err), "bad stored option");
			return -1;
		}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "read options");
}

/* Load intervals of one subnet from the exclusion or backup_range table. */
static int
load_ivls(struct store *s, enum stmt_id id, uint32_t subnet, struct ivlset *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = st(s, id)) == NULL)
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
		return fail(s, "read intervals");
	ivlset_normalise(out);
	return 0;
}

/* The name of the relationship holding a scope, "" if none. */
static int
scope_load_rel(struct store *s, uint32_t subnet, char *name, size_t len)
{
	sqlite3_stmt *q;
	int rc;

	name[0] = '\0';
	if ((q = st(s, S_SCOPE_REL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if ((rc = row(s, q, "read scope relationship")) == -1)
		return -1;
	if (rc == 0) {
		col_text(q, 0, name, len);
		sqlite3_reset(q);
	}
	return 0;
}

int
store_scope_get(struct store *s, uint32_t subnet, struct scope *sc)
{
	sqlite3_stmt *q;
	int rc;

	memset(sc, 0, sizeof(*sc));
	if ((q = st(s, S_SCOPE_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if ((rc = row(s, q, "read scope")) != 0)
		return rc;
	sc->subnet = (uint32_t)sqlite3_column_int64(q, 0);
	sc->mask = (uint32_t)sqlite3_column_int64(q, 1);
	col_text(q, 2, sc->name, sizeof(sc->name));
	sc->range_start = (uint32_t)sqlite3_column_int64(q, 3);
	sc->range_end = (uint32_t)sqlite3_column_int64(q, 4);
	sc->lease_time = (uint32_t)sqlite3_column_int64(q, 5);
	sc->enabled = sqlite3_column_int(q, 6);
	sqlite3_reset(q);
	if (scope_load_options(s, sc) == -1 ||
	    load_ivls(s, S_EXCL_GET, subnet, &sc->exclusions) == -1 ||
	    scope_load_rel(s, subnet, sc->relationship, sizeof(sc->relationship)) == -1) {
		scope_fini(sc);
		return -1;
	}
	return 0;
}

int
store_scope_find(struct store *s, uint32_t addr, struct scope *out)
{
	sqlite3_stmt *q;
	uint32_t subnet;
	int rc;

	if ((q = st(s, S_SCOPE_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, addr);
	if ((rc = row(s, q, "find scope")) != 0)
		return rc;
	subnet = (uint32_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return store_scope_get(s, subnet, out);
}

int
store_scope_overlap(struct store *s, uint32_t subnet, uint32_t mask, uint32_t *other)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = st(s, S_SCOPE_OVERLAP)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, mask);
	if ((rc = row(s, q, "check overlap")) != 0)
		return rc;
	*other = (uint32_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

/* Read a column of subnets / addresses into an array. */
static int
load_u32s(struct store *s, sqlite3_stmt *q, uint32_t **out, size_t *n)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			uint32_t *v = reallocarray(*out, cap ? cap * 2 : 16, sizeof(**out));

			if (v == NULL)
				break;
			*out = v;
			cap = cap ? cap * 2 : 16;
		}
		(*out)[(*n)++] = (uint32_t)sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc == SQLITE_ROW ? (snprintf(s->err, sizeof(s->err),
		    "out of memory"), -1) : fail(s, "read list");
	}
	return 0;
}

int
store_scope_list(struct store *s, struct scope **out, size_t *n)
{
	sqlite3_stmt *q;
	uint32_t *subnets;
	size_t count;

	*out = NULL;
	*n = 0;
	if ((q = st(s, S_SCOPE_LIST)) == NULL || load_u32s(s, q, &subnets, &count) == -1)
		return -1;
	if (count > 0 && (*out = calloc(count, sizeof(**out))) == NULL) {
		free(subnets);
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (store_scope_get(s, subnets[i], &(*out)[i]) != 0) {
			scopes_free(*out, i);
			*out = NULL;
			free(subnets);
			return -1;
		}
		*n = i + 1;
	}
	free(subnets);
	return 0;
}

int
store_exclusion_add(struct store *s, uint32_t subnet, uint32_t start, uint32_t end)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = st(s, S_EXCL_INS)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, start);
	sqlite3_bind_int64(q, 3, end);
	return run(s, q, "insert exclusion");
}

int
store_exclusion_remove(struct store *s, uint32_t subnet, uint32_t start, uint32_t end)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = st(s, S_EXCL_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, start);
	sqlite3_bind_int64(q, 3, end);
	if (run(s, q, "delete exclusion") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

/* ---- reservations ---- */

static void
resv_from_row(sqlite3_stmt *q, struct reservation *r)
{
	memset(r, 0, sizeof(*r));
	r->subnet = (uint32_t)sqlite3_column_int64(q, 0);
	r->address = (uint32_t)sqlite3_column_int64(q, 1);
	r->hwlen = (uint8_t)col_blob(q, 2, r->hwaddr, sizeof(r->hwaddr));
	col_text(q, 3, r->name, sizeof(r->name));
}

int
store_resv_add(struct store *s, const struct reservation *r)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = st(s, S_RESV_INS)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, r->address);
	sqlite3_bind_int64(q, 2, r->subnet);
	sqlite3_bind_blob(q, 3, r->hwaddr, r->hwlen, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, r->name, -1, SQLITE_TRANSIENT);
	return run(s, q, "insert reservation");
}

int
store_resv_remove(struct store *s, uint32_t address)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = st(s, S_RESV_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, address);
	if (run(s, q, "delete reservation") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

/* A one-row reservation lookup on a bound statement. */
static int
resv_one(struct store *s, sqlite3_stmt *q, struct reservation *out)
{
	int rc = row(s, q, "read reservation");

	if (rc != 0)
		return rc;
	resv_from_row(q, out);
	sqlite3_reset(q);
	return 0;
}

int
store_resv_get(struct store *s, uint32_t address, struct reservation *out)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_RESV_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, address);
	return resv_one(s, q, out);
}

int
store_resv_get_hw(struct store *s, uint32_t subnet, const uint8_t *hw, size_t hwlen,
    struct reservation *out)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_RESV_GET_HW)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_blob(q, 2, hw, (int)hwlen, SQLITE_TRANSIENT);
	return resv_one(s, q, out);
}

int
store_resv_list(struct store *s, uint32_t subnet, struct reservation **out, size_t *n)
{
	sqlite3_stmt *q;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((q = st(s, S_RESV_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			struct reservation *v = reallocarray(*out, cap ? cap * 2 : 16,
			    sizeof(**out));

			if (v == NULL)
				break;
			*out = v;
			cap = cap ? cap * 2 : 16;
		}
		resv_from_row(q, &(*out)[(*n)++]);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return fail(s, "list reservations");
	}
	return 0;
}

/* ---- leases ---- */

/* Bind an int64 column that is 0 when unset as NULL. */
static void
bind_time(sqlite3_stmt *q, int col, int64_t t)
{
	if (t == 0)
		sqlite3_bind_null(q, col);
	else
		sqlite3_bind_int64(q, col, t);
}

/* Insert or replace the row of l->address. */
static int
sql_lease_put(struct store *s, const struct lease *l)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_LEASE_PUT)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, l->address);
	sqlite3_bind_int64(q, 2, l->subnet);
	if (l->hwlen)
		sqlite3_bind_blob(q, 3, l->hwaddr, l->hwlen, SQLITE_TRANSIENT);
	if (l->cidlen)
		sqlite3_bind_blob(q, 4, l->client_id, l->cidlen, SQLITE_TRANSIENT);
	if (l->hostname[0])
		sqlite3_bind_text(q, 5, l->hostname, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 6, l->state);
	bind_time(q, 7, l->starts);
	bind_time(q, 8, l->ends);
	bind_time(q, 9, l->cltt);
	sqlite3_bind_int(q, 10, l->owner);
	bind_time(q, 11, l->sent_pot_exp);
	bind_time(q, 12, l->ack_pot_exp);
	bind_time(q, 13, l->recv_pot_exp);
	bind_time(q, 14, l->last_bndupd);
	sqlite3_bind_int64(q, 15, l->fo_sync ? (sqlite3_int64)s->seq : 0);
	return run(s, q, "write lease");
}

/* Update the row of l->address but for its keys (subnet, client, hostname),
 * which it already has. */
static int
sql_lease_times(struct store *s, const struct lease *l)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_LEASE_TIMES)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, l->address);
	sqlite3_bind_int(q, 2, l->state);
	bind_time(q, 3, l->starts);
	bind_time(q, 4, l->ends);
	bind_time(q, 5, l->cltt);
	sqlite3_bind_int(q, 6, l->owner);
	bind_time(q, 7, l->sent_pot_exp);
	bind_time(q, 8, l->ack_pot_exp);
	bind_time(q, 9, l->recv_pot_exp);
	bind_time(q, 10, l->last_bndupd);
	sqlite3_bind_int64(q, 11, l->fo_sync ? (sqlite3_int64)s->seq : 0);
	return run(s, q, "write lease");
}

static void
lease_from_row(sqlite3_stmt *q, struct lease *l)
{
	memset(l, 0, sizeof(*l));
	l->address = (uint32_t)sqlite3_column_int64(q, 0);
	l->subnet = (uint32_t)sqlite3_column_int64(q, 1);
	l->hwlen = (uint8_t)col_blob(q, 2, l->hwaddr, sizeof(l->hwaddr));
	l->cidlen = (uint8_t)col_blob(q, 3, l->client_id, sizeof(l->client_id));
	col_text(q, 4, l->hostname, sizeof(l->hostname));
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

static int
lease_one(struct store *s, sqlite3_stmt *q, struct lease *out)
{
	int rc = row(s, q, "read lease");

	if (rc != 0)
		return rc;
	lease_from_row(q, out);
	sqlite3_reset(q);
	return 0;
}

static int
sql_lease_get(struct store *s, uint32_t address, struct lease *out)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_LEASE_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, address);
	return lease_one(s, q, out);
}

/* ---- the lease rows in memory: mirror, staged writes, offers ----
 *
 * Once the DHCP engine asks for a client's lease, every lease row is mirrored
 * in s->rows and lease lookups are answered from memory. While the engine
 * stages (store_stage), a lease write only changes the mirror and records the
 * address; the staged writes reach SQLite in one transaction when the engine
 * commits, or before any other statement or transaction (so every other
 * reader and writer sees them). An offer (state OFFERED) is never written: it
 * lives in s->offers, in front of the row of its address, until the address
 * is written again. Whatever might have made the mirror differ from the table
 * (a rollback, a statement that changes many rows) makes it reload. */

/* Forget the mirror (reloaded on next use), and the staged writes with it. */
static void
rows_forget(struct store *s)
{
	if (s->ndirty > 0) {
		s->stage_failed = 1;
		s->losses++;
		snprintf(s->stage_err, sizeof(s->stage_err),
		    "%zu staged lease writes discarded", s->ndirty);
	}
	s->ndirty = 0;
	s->rows_loaded = 0;
	lmem_clear(s->rows);
	pendq_clear(s->pend);
}

/* Load the mirror of the lease rows if it is not loaded. */
static int
rows_ensure(struct store *s)
{
	struct lease l;
	sqlite3_stmt *q;
	int rc;

	if (s->rows_loaded)
		return 0;
	if ((q = st(s, S_LEASE_ALL)) == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		lease_from_row(q, &l);
		if (lmem_put(s->rows, &l, ROW_INSQL | ROW_KEYS) == -1 ||
		    (l.pending > 0 && pendq_add(s->pend, l.pending, l.address) == -1))
			break;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		lmem_clear(s->rows);
		pendq_clear(s->pend);
		if (rc != SQLITE_ROW)
			return fail(s, "read leases");
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	s->rows_loaded = 1;
	return 0;
}

static int
dirty_push(struct store *s, uint32_t addr)
{
	if (s->ndirty == s->capdirty) {
		size_t cap = s->capdirty ? s->capdirty * 2 : 1024;
		uint32_t *v = reallocarray(s->dirty, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		s->dirty = v;
		s->capdirty = cap;
	}
	s->dirty[s->ndirty++] = addr;
	return 0;
}

/* Stage a write: into the mirror, its address remembered. */
static int
stage_put(struct store *s, const struct lease *l)
{
	unsigned flags = 0, nf;
	int same = lmem_same_keys(s->rows, l, &flags);

	nf = ROW_DIRTY | (flags & ROW_INSQL) | (l->fo_sync ? ROW_UNSENT : 0);
	if (same == 1 && (flags & ROW_KEYS))
		nf |= ROW_KEYS;
	if ((!(flags & ROW_DIRTY) && dirty_push(s, l->address) == -1) ||
	    lmem_put(s->rows, l, nf) == -1) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	return 0;
}

/* Write one staged row: its times only when its keys are already stored. */
static int
row_write(struct store *s, uint32_t addr)
{
	struct lease l;
	unsigned flags;
	int rc;

	if (lmem_get(s->rows, addr, &l, &flags) != 0 || !(flags & ROW_DIRTY))
		return 0;
	if ((flags & ROW_INSQL) && (flags & ROW_KEYS))
		rc = sql_lease_times(s, &l);
	else
		rc = sql_lease_put(s, &l);
	if (rc == 0) {
		lmem_set_flags(s->rows, addr, ROW_INSQL | ROW_KEYS |
		    (flags & ROW_UNSENT));
		lmem_set_pending(s->rows, addr, l.fo_sync ? s->seq : 0);
		if (l.fo_sync && pendq_add(s->pend, s->seq, addr) == -1) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
	}
	return rc;
}

/* Every staged write in one transaction, committed into the WAL (durable at
 * the next fsync of it). On failure nothing of them is stored: the mirror
 * reloads and the engine hears of it at its next commit. */
static int
stage_flush(struct store *s)
{
	size_t i = 0;

	if (s->ndirty == 0 || s->in_txn)
		return 0;
	if (txn(s, S_BEGIN) == 0) {
		s->in_txn = 1;
		s->seq++;	/* numbers the pending bindings it writes */
		while (i < s->ndirty && row_write(s, s->dirty[i]) == 0)
			i++;
		if (i == s->ndirty && txn(s, S_COMMIT) == 0) {
			s->in_txn = 0;
			s->ndirty = 0;
			s->committed = s->seq;
			return 0;
		}
		/* SQLite may have rolled back already: its complaint about a
		 * second ROLLBACK is not the error to report */
		snprintf(s->stage_err, sizeof(s->stage_err), "%s", s->err);
		txn(s, S_ROLLBACK);
		snprintf(s->err, sizeof(s->err), "%s", s->stage_err);
		s->in_txn = 0;
	}
	snprintf(s->stage_err, sizeof(s->stage_err), "%s", s->err);
	s->ndirty = 0;
	s->stage_failed = 1;
	s->losses++;
	rows_forget(s);
	return -1;
}

void
store_stage(struct store *s, int on)
{
	s->staging = on;
}

/* An offer ends (its address is written again): nothing was stored for it,
 * and nothing needs to be when the address is simply free again and had no
 * row. 1: the write is done, 0: it still has to be made, -1: error. */
static int
offer_end(struct store *s, const struct lease *l)
{
	if (lmem_del(s->offers, l->address) != 0 || !lease_state_is_free(l->state))
		return 0;
	if (rows_ensure(s) == -1)
		return -1;
	return lmem_get(s->rows, l->address, NULL, NULL) == 0 ? 0 : 1;
}

/* Write a lease: staged (stage: the caller's wish, honoured when the mirror
 * is loaded and no transaction is open) or at once. */
static int
lease_put(struct store *s, const struct lease *l, int stage)
{
	int rc;

	if (l->state == LEASE_OFFERED) {
		if (lmem_put(s->offers, l, 0) == -1) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
		return 0;
	}
	if ((rc = offer_end(s, l)) != 0)
		return rc == 1 ? 0 : -1;
	if (stage && s->rows_loaded && !s->in_txn)
		return stage_put(s, l);
	if (sql_lease_put(s, l) == -1)
		return -1;
	s->txn_leases = 1;
	if (s->rows_loaded && (lmem_put(s->rows, l, ROW_INSQL | ROW_KEYS |
	    (l->fo_sync ? ROW_UNSENT : 0)) == -1 ||
	    lmem_set_pending(s->rows, l->address, l->fo_sync ? s->seq : 0) != 0 ||
	    (l->fo_sync && pendq_add(s->pend, s->seq, l->address) == -1)))
		rows_forget(s);
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

int
store_offer_end(struct store *s, uint32_t addr)
{
	return lmem_del(s->offers, addr) == 0 ? 0 : STORE_NOTFOUND;
}

int
store_lease_put(struct store *s, const struct lease *l)
{
	return lease_put(s, l, s->staging);
}

int
store_lease_stage(struct store *s, const struct lease *l)
{
	if (!s->in_txn && rows_ensure(s) == -1)
		return -1;
	return lease_put(s, l, 1);
}

uint64_t
store_write_seq(struct store *s)
{
	return !s->in_txn && s->ndirty > 0 ? s->seq + 1 : s->seq;
}

unsigned
store_losses(struct store *s)
{
	return s->losses;
}


int
store_lease_get(struct store *s, uint32_t address, struct lease *out)
{
	if (lmem_get(s->offers, address, out, NULL) == 0)
		return 0;
	if (!s->rows_loaded)
		return sql_lease_get(s, address, out);
	return lmem_get(s->rows, address, out, NULL) == 0 ? 0 : STORE_NOTFOUND;
}

static int
offered(void *arg, uint32_t addr)
{
	return lmem_get(arg, addr, NULL, NULL) == 0;
}

/* A client's lease in a subnet from memory: its offer or its row, whichever
 * the SQL order prefers (a row behind an offer is not the row's client's). */
static int
find_client(struct store *s, uint32_t subnet, const uint8_t *cid, size_t cidlen,
    const uint8_t *hw, size_t hwlen, struct lease *out)
{
	struct lease o;
	int ro, rr;

	if (rows_ensure(s) == -1)
		return -1;
	ro = lmem_find_client(s->offers, subnet, cid, cidlen, hw, hwlen, NULL, NULL, &o);
	rr = lmem_find_client(s->rows, subnet, cid, cidlen, hw, hwlen,
	    lmem_count(s->offers) ? offered : NULL, s->offers, out);
	if (ro == 0 && (rr != 0 || lmem_better(&o, out)))
		*out = o;
	return ro == 0 || rr == 0 ? 0 : STORE_NOTFOUND;
}

int
store_lease_get_hw(struct store *s, const uint8_t *hw, size_t hwlen, struct lease *out)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_LEASE_GET_HW)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, hw, (int)hwlen, SQLITE_TRANSIENT);
	return lease_one(s, q, out);
}

int
store_lease_get_host(struct store *s, const char *hostname, struct lease *out)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_LEASE_GET_HOST)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, hostname, -1, SQLITE_TRANSIENT);
	return lease_one(s, q, out);
}

int
store_lease_list(struct store *s, uint32_t subnet, uint32_t from, size_t limit,
    struct lease **out, size_t *n)
{
	sqlite3_stmt *q;
	int rc = SQLITE_DONE;

	*n = 0;
	if ((*out = calloc(limit ? limit : 1, sizeof(**out))) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	if ((q = st(s, subnet ? S_LEASE_LIST : S_LEASE_LIST_ALL)) == NULL)
		return -1;
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
		return fail(s, "list leases");
	}
	return 0;
}

/* Rewrite a scope's secondary-owned intervals. */
static int
backup_put(struct store *s, uint32_t subnet, const struct ivlset *b)
{
	sqlite3_stmt *q;

	if ((q = st(s, S_BACKUP_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if (run(s, q, "clear backup ranges") == -1)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		if ((q = st(s, S_BACKUP_INS)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, subnet);
		sqlite3_bind_int64(q, 2, b->v[i].start);
		sqlite3_bind_int64(q, 3, b->v[i].end);
		if (run(s, q, "write backup range") == -1)
			return -1;
	}
	return 0;
}

/* Give [start, end] to `owner` in the interval view of a scope. */
static int
backup_assign(struct store *s, uint32_t subnet, uint32_t start, uint32_t end, int owner)
{
	struct ivlset b = { 0 }, cut = { 0 }, out = { 0 };
	int rc = -1;

	if (load_ivls(s, S_BACKUP_GET, subnet, &b) == -1)
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
	if ((q = st(s, S_LEASE_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, d->address);
	if (run(s, q, "delete lease") == -1)
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

	return atomically(s, lease_delete_txn, &d);
}

/* ---- relationships ---- */

void
fo_rel_fini(struct fo_rel *r)
{
	free(r->scopes);
	r->scopes = NULL;
	r->nscopes = 0;
}

void
fo_rels_free(struct fo_rel *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fo_rel_fini(&v[i]);
	free(v);
}

/* Bind the relationship columns in REL_COLS order. */
static void
rel_bind(sqlite3_stmt *q, const struct fo_rel *r)
{
	sqlite3_bind_text(q, 1, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, r->primary_server);
	sqlite3_bind_int64(q, 3, r->secondary_server);
	sqlite3_bind_text(q, 4, r->primary_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 5, r->secondary_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 6, r->mode);
	sqlite3_bind_int(q, 7, r->server_type);
	sqlite3_bind_int(q, 8, r->state);
	sqlite3_bind_int(q, 9, r->prev_state);
	sqlite3_bind_int(q, 10, r->partner_state);
	sqlite3_bind_int64(q, 11, r->mclt);
	sqlite3_bind_int64(q, 12, r->safe_period);
	sqlite3_bind_int(q, 13, (int)r->percentage);
	sqlite3_bind_text(q, 14, r->shared_secret, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 15, r->port);
	sqlite3_bind_int64(q, 16, r->stos);
	sqlite3_bind_int64(q, 17, r->fail_time);
	sqlite3_bind_int(q, 18, (int)r->lb_max_secs);
}

static int
rel_insert_txn(struct store *s, const void *arg)
{
	const struct fo_rel *r = arg;
	sqlite3_stmt *q;

	if ((q = st(s, S_REL_INS)) == NULL)
		return -1;
	rel_bind(q, r);
	if (run(s, q, "insert relationship") == -1)
		return -1;
	for (size_t i = 0; i < r->nscopes; i++)
		if (store_rel_add_scope(s, r->name, r->scopes[i]) == -1)
			return -1;
	return 0;
}

int
store_rel_insert(struct store *s, const struct fo_rel *r)
{
	s->gen++;
	return atomically(s, rel_insert_txn, r);
}

int
store_rel_update(struct store *s, const struct fo_rel *r)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = st(s, S_REL_UPD)) == NULL)
		return -1;
	rel_bind(q, r);
	if (run(s, q, "update relationship") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

/* Deleting a relationship hands every free address of its scopes back to this
 * server: a scope in no relationship has a single owner. */
static int
rel_delete_txn(struct store *s, const void *arg)
{
	struct fo_rel r;
	sqlite3_stmt *q;
	int rc;

	if ((rc = store_rel_get(s, arg, &r)) != 0)
		return rc;
	for (size_t i = 0; i < r.nscopes && rc == 0; i++)
		rc = store_rel_remove_scope(s, r.scopes[i]);
	fo_rel_fini(&r);
	if (rc != 0 || (q = st(s, S_REL_DEL)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
	return run(s, q, "delete relationship");
}

int
store_rel_delete(struct store *s, const char *name)
{
	s->gen++;
	return atomically(s, rel_delete_txn, name);
}

int
store_rel_get(struct store *s, const char *name, struct fo_rel *r)
{
	sqlite3_stmt *q;
	int64_t id;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((q = st(s, S_REL_GET)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
	if ((rc = row(s, q, "read relationship")) != 0)
		return rc;
	col_text(q, 0, r->name, sizeof(r->name));
	r->primary_server = (uint32_t)sqlite3_column_int64(q, 1);
	r->secondary_server = (uint32_t)sqlite3_column_int64(q, 2);
	col_text(q, 3, r->primary_name, sizeof(r->primary_name));
	col_text(q, 4, r->secondary_name, sizeof(r->secondary_name));
	r->mode = sqlite3_column_int(q, 5);
	r->server_type = sqlite3_column_int(q, 6);
	r->state = sqlite3_column_int(q, 7);
	r->prev_state = sqlite3_column_int(q, 8);
	r->partner_state = sqlite3_column_int(q, 9);
	r->mclt = (uint32_t)sqlite3_column_int64(q, 10);
	r->safe_period = (uint32_t)sqlite3_column_int64(q, 11);
	r->percentage = (unsigned)sqlite3_column_int(q, 12);
	col_text(q, 13, r->shared_secret, sizeof(r->shared_secret));
	r->port = (uint16_t)sqlite3_column_int(q, 14);
	r->stos = sqlite3_column_int64(q, 15);
	r->fail_time = sqlite3_column_int64(q, 16);
	r->lb_max_secs = (unsigned)sqlite3_column_int(q, 17);
	id = sqlite3_column_int64(q, 18);
	sqlite3_reset(q);
	if ((q = st(s, S_REL_SCOPES)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return load_u32s(s, q, &r->scopes, &r->nscopes);
}

/* Names in creation order. */
static int
rel_names(struct store *s, char (**names)[STORE_NAME_MAX], size_t *n)
{
	sqlite3_stmt *q;
	size_t cap = 0;
	int rc;

	*names = NULL;
	*n = 0;
	if ((q = st(s, S_REL_LIST)) == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			void *v = reallocarray(*names, cap ? cap * 2 : 8, sizeof(**names));

			if (v == NULL)
				break;
			*names = v;
			cap = cap ? cap * 2 : 8;
		}
		col_text(q, 0, (*names)[(*n)++], STORE_NAME_MAX);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		free(*names);
		*names = NULL;
		return fail(s, "list relationships");
	}
	return 0;
}

int
store_rel_list(struct store *s, struct fo_rel **out, size_t *n)
{
	char (*names)[STORE_NAME_MAX];
	size_t count;

	*out = NULL;
	*n = 0;
	if (rel_names(s, &names, &count) == -1)
		return -1;
	if (count > 0 && (*out = calloc(count, sizeof(**out))) == NULL) {
		free(names);
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (store_rel_get(s, names[i], &(*out)[i]) != 0) {
			fo_rels_free(*out, i);
			*out = NULL;
			free(names);
			return -1;
		}
		*n = i + 1;
	}
	free(names);
	return 0;
}

/* A single count(*) statement. */
static int
count_of(struct store *s, enum stmt_id id, int64_t *n)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = st(s, id)) == NULL)
		return -1;
	if ((rc = row(s, q, "count")) != 0)
		return -1;
	*n = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

int
store_rel_count(struct store *s, int64_t *n)
{
	return count_of(s, S_REL_COUNT, n);
}

int
store_rel_add_scope(struct store *s, const char *name, uint32_t subnet)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = st(s, S_RELSCOPE_INS)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, subnet);
	if (run(s, q, "add scope to relationship") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

/* Out of its relationship, a scope's free space has one owner again: drop the
 * secondary's intervals and turn BACKUP rows into FREE ones. */
int
store_rel_remove_scope(struct store *s, uint32_t subnet)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = st(s, S_RELSCOPE_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if (run(s, q, "remove scope from relationship") == -1)
		return -1;
	if ((q = st(s, S_BACKUP_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if (run(s, q, "clear backup ranges") == -1 ||
	    (q = st(s, S_LEASE_SET_FREE)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, 0);
	sqlite3_bind_int64(q, 3, UINT32_MAX);
	sqlite3_bind_int(q, 4, LEASE_FREE);
	sqlite3_bind_int(q, 5, FO_PRIMARY);
	rows_forget(s);
	s->txn_leases = 1;
	return run(s, q, "return backup addresses");
}

/* ---- the interval view of free space ---- */

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
space_add_row(struct space *sp, uint32_t addr, int owner)
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

	if ((q = st(s, S_RESV_IN_RANGE)) == NULL)
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
		return fail(s, "read reservations");
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
	    (q = st(s, S_LEASE_IN_RANGE)) == NULL) {
		ivlset_free(&offers);
		return -1;
	}
	sqlite3_bind_int64(q, 1, sc->subnet);
	sqlite3_bind_int64(q, 2, sc->range_start);
	sqlite3_bind_int64(q, 3, sc->range_end);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint32_t a = (uint32_t)sqlite3_column_int64(q, 0);
		int state = sqlite3_column_int(q, 1), owner = sqlite3_column_int(q, 2);

		if (!ivlset_contains(&sp->pool, a) || ivlset_contains(resv, a) ||
		    ivlset_contains(&offers, a))
			continue;
		if (ivlset_add(&rows, a, a) == -1 || (lease_state_is_free(state) &&
		    space_add_row(sp, a, state == LEASE_BACKUP) == -1))
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
		return fail(s, "read leases");
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
	    load_ivls(s, S_BACKUP_GET, sc->subnet, &sp->backup) == -1) {
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
    uint32_t end, int owner)
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

/* SPEC §4.4 from the runs and the lease rows, as seen by a server of `role`
 * (-1: the scope is in no relationship and this server owns everything). */
int
store_scope_stats(struct store *s, uint32_t subnet, int role, struct scope_stats *out)
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
		sqlite3_stmt *q;

		if (backup_assign(s, m->subnet, mv->start, mv->end, mv->to) == -1 ||
		    (q = st(s, S_LEASE_SET_FREE)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, m->subnet);
		sqlite3_bind_int64(q, 2, mv->start);
		sqlite3_bind_int64(q, 3, mv->end);
		sqlite3_bind_int(q, 4, mv->to == FO_SECONDARY ? LEASE_BACKUP : LEASE_FREE);
		sqlite3_bind_int(q, 5, mv->to);
		rows_forget(s);
		s->txn_leases = 1;
		if (run(s, q, "move free addresses") == -1)
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

	return atomically(s, apply_moves_txn, &m);
}

int
store_counts(struct store *s, struct store_counts *c)
{
	if (count_of(s, S_COUNT_SCOPES, &c->scopes) == -1 ||
	    count_of(s, S_REL_COUNT, &c->relationships) == -1 ||
	    count_of(s, S_COUNT_LEASES, &c->leases) == -1 ||
	    count_of(s, S_COUNT_RESV, &c->reservations) == -1)
		return -1;
	return 0;
}

/* One scan for the metrics (rarely called: prepared each time). */
int
store_lease_state_counts(struct store *s, store_count_fn fn, void *arg)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT subnet, state, count(*) FROM lease"
	    " GROUP BY subnet, state", -1, &q, NULL) != SQLITE_OK)
		return fail(s, "count leases by state");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(arg, (uint32_t)sqlite3_column_int64(q, 0),
		    sqlite3_column_int(q, 1), (uint64_t)sqlite3_column_int64(q, 2));
	if (rc != SQLITE_DONE)
		fail(s, "count leases by state");
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

unsigned
store_gen(struct store *s)
{
	return s->gen;
}

int
store_lease_get_cid(struct store *s, uint32_t subnet, const uint8_t *cid,
    size_t len, struct lease *out)
{
	return find_client(s, subnet, cid, len, NULL, 0, out);
}

int
store_lease_get_client_hw(struct store *s, uint32_t subnet, const uint8_t *hw,
    size_t hwlen, struct lease *out)
{
	return find_client(s, subnet, NULL, 0, hw, hwlen, out);
}

int
store_active_leases(struct store *s, void (*fn)(void *, uint32_t, int64_t),
    void *arg)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = st(s, S_LEASE_ACTIVE)) == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(arg, (uint32_t)sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1));
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "read active leases");
}

int
store_in_txn(struct store *s)
{
	return s->in_txn || s->ndirty > 0;
}

int
store_txn_open(struct store *s)
{
	return s->in_txn;
}

/* ---- bindings the failover partner has not acknowledged ---- */

uint64_t
store_durable_seq(struct store *s)
{
	return s->durable;
}

void
store_set_durable(struct store *s, uint64_t seq)
{
	durable_to(s, seq);
}

uint64_t
store_committed_seq(struct store *s)
{
	return s->committed;
}

void
store_touch(struct store *s)
{
	s->gen++;
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
	if (rows_ensure(s) == -1)
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
	l.ack_pot_exp = ack_pot_exp;
	l.fo_sync = 0;
	l.pending = 0;
	return stage_put(s, &l);
}

int
store_pending_ack(struct store *s, uint32_t addr, uint64_t seq, int64_t ack_pot_exp)
{
	sqlite3_stmt *q;

	if (!s->in_txn && rows_ensure(s) == 0)
		return pending_ack_staged(s, addr, seq, ack_pot_exp);
	if ((q = st(s, S_PENDING_ACK)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, addr);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)seq);
	bind_time(q, 3, ack_pot_exp);
	if (run(s, q, "acknowledge binding") == -1)
		return -1;
	if (sqlite3_changes(s->db) > 0 && s->rows_loaded) {
		/* the mirror follows (the engine's next lease time reads it) */
		struct lease l;
		unsigned flags;

		if (lmem_get(s->rows, addr, &l, &flags) == 0 && !(flags & ROW_DIRTY)) {
			l.ack_pot_exp = ack_pot_exp;
			l.fo_sync = 0;
			l.pending = 0;
			if (lmem_put(s->rows, &l, flags) == -1)
				rows_forget(s);
		}
	}
	return 0;
}

int
store_pending_mark_all(struct store *s, const char *rel)
{
	sqlite3_stmt *q;

	if (!s->in_txn) {
		snprintf(s->err, sizeof(s->err), "no transaction open");
		return -1;
	}
	if ((q = st(s, S_PENDING_MARK)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)s->seq);
	sqlite3_bind_text(q, 2, rel, -1, SQLITE_TRANSIENT);
	s->txn_leases = 1;
	rows_forget(s);		/* many rows changed: the mirror reloads */
	return run(s, q, "mark bindings for the partner");
}

int
store_release_due(struct store *s, const char *rel, int64_t before, int *n)
{
	sqlite3_stmt *q;

	*n = 0;
	if (!s->in_txn) {
		snprintf(s->err, sizeof(s->err), "no transaction open");
		return -1;
	}
	if ((q = st(s, S_RELEASE_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)s->seq);
	sqlite3_bind_int64(q, 2, before);
	sqlite3_bind_text(q, 3, rel, -1, SQLITE_TRANSIENT);
	if (run(s, q, "free released addresses") == -1)
		return -1;
	if ((*n = sqlite3_changes(s->db)) > 0) {
		s->gen++;
		rows_forget(s);		/* many rows changed: the mirror reloads */
	}
	return 0;
}

int
store_scope_rel(struct store *s, uint32_t subnet, char *name, size_t len)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = st(s, S_REL_OF_SCOPE)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if ((rc = row(s, q, "read scope relationship")) != 0)
		return rc;
	col_text(q, 0, name, len);
	sqlite3_reset(q);
	return 0;
}
