/* The database's schema: versioned migrations (PRAGMA user_version), and
 * the read-only look at an existing file that refuses a damaged one, or
 * one of a newer schema, before a byte of it is written. */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"
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
	/* 4: the pending bindings are walked in memory (store_pendq.c); the
	 * index only cost two updates per lease */
	"DROP INDEX lease_pending;",
	/* 5: a client that has waited this long (its secs field) is answered
	 * by either partner in NORMAL (ISC's load balance max seconds) */
	"ALTER TABLE relationship ADD COLUMN lb_max_secs INTEGER NOT NULL DEFAULT 0;",
	/* 6: ISC's max-response-delay and max-unacked-updates (0: defaults) */
	"ALTER TABLE relationship ADD COLUMN max_response_delay INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE relationship ADD COLUMN max_unacked INTEGER NOT NULL DEFAULT 0;",
};

int
store_schema_latest(void)
{
	return (int)nitems(migrations);
}

/* Bring the schema up to date, one transaction per step (PRAGMA user_version). */
int
store_migrate(struct store *s)
{
	sqlite3_stmt *q;
	int version, latest = (int)nitems(migrations);
	char sql[64];

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
		return store_fail(s, "read schema version");
	version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
	sqlite3_finalize(q);
	if (version < 0 || version > latest) {
		snprintf(s->err, sizeof(s->err), "database schema version %d is newer "
		    "than this dhcpfod knows (%d)", version, latest);
		return -1;
	}
	for (; version < latest; version++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (stmt_exec(s, "BEGIN IMMEDIATE") == -1)
			return -1;
		if (stmt_exec(s, migrations[version]) == -1 || stmt_exec(s, sql) == -1) {
			char keep[sizeof(s->err)];

			memcpy(keep, s->err, sizeof(keep));
			stmt_exec(s, "ROLLBACK");
			memcpy(s->err, keep, sizeof(keep));
			return -1;
		}
		if (stmt_exec(s, "COMMIT") == -1)
			return -1;
		log_info("database %s: schema migrated to version %d", s->path,
		    version + 1);
	}
	return 0;
}

/* Clear, specific errors for the usual mistakes before SQLite says
 * "unable to open database file". */
int
store_check_dir(const char *path, char *err, size_t errlen)
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
int
store_precheck(const char *path, char *err, size_t errlen)
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
