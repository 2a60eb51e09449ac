/* Storage on SQLite (DESIGN §3): the store opened and closed, and every
 * failure of it sorted, recorded in its health and logged. The store's
 * other files are listed in store_int.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"
#include "store_lmem.h"
#include "store_pendq.h"
#include "util.h"

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
void
store_note_failure(struct store *s, int kind, int syserr)
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
void
store_durable_to(struct store *s, uint64_t seq)
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
int
store_fail(struct store *s, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db), sys = sqlite3_system_errno(s->db);
	int kind = classify(rc, sys);

	snprintf(s->err, sizeof(s->err), "%s: %s", what, sqlite3_errmsg(s->db));
	if (kind == HEALTH_FULL && sys == 0)
		sys = ENOSPC;	/* SQLite keeps no errno for a short write */
	store_note_failure(s, kind, kind == HEALTH_FULL || kind == HEALTH_IO ? sys : 0);
	return -1;
}

/* A store with its in-memory tables and no database yet; NULL when out of
 * memory. */
static struct store *
store_alloc(const char *path)
{
	struct store *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->wal_fd = -1;
	if ((s->path = strdup(path)) == NULL || (s->rows = lmem_new()) == NULL ||
	    (s->offers = lmem_new()) == NULL || (s->pend = pendq_new()) == NULL) {
		lmem_free(s->rows);
		lmem_free(s->offers);
		free(s->path);
		free(s);
		return NULL;
	}
	health_init(&s->health);
	return s;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *s;

	if (store_check_dir(path, err, errlen) == -1 ||
	    store_precheck(path, err, errlen) == -1)
		return NULL;
	if ((s = store_alloc(path)) == NULL) {
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
	/* NORMAL: a commit writes the WAL without fsync; store_commit then fsyncs
	 * the WAL itself, store_commit_deferred leaves that to store_wal_sync so
	 * the DHCP engine can overlap it with its next pass (DESIGN §3). */
	if (stmt_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	    " PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768") == -1 ||
	    store_migrate(s) == -1 || store_pending_init(s) == -1) {
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

unsigned
store_gen(struct store *s)
{
	return s->gen;
}

void
store_touch(struct store *s)
{
	s->gen++;
}

int
store_counts(struct store *s, struct store_counts *c)
{
	if (stmt_count(s, S_COUNT_SCOPES, &c->scopes) == -1 ||
	    stmt_count(s, S_REL_COUNT, &c->relationships) == -1 ||
	    stmt_count(s, S_COUNT_LEASES, &c->leases) == -1 ||
	    stmt_count(s, S_COUNT_RESV, &c->reservations) == -1)
		return -1;
	return 0;
}
