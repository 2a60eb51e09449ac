/* Transactions and durability: explicit transactions, the group commit's
 * staged writes committed into the WAL, the fsync of the WAL that makes
 * them durable, and the way back after a failed one (DESIGN §3). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"
#include "util.h"

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
		return store_fail(s, "checkpoint after a failed fsync");
	s->sync_debt = 0;
	store_durable_to(s, upto);
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
			store_durable_to(s, upto);
			return 0;
		}
		snprintf(s->err, sizeof(s->err), "open %s-wal: %s", s->path,
		    strerror(errno));
		store_note_failure(s, HEALTH_IO, 0);
		return -1;
	}
	if (fsync(fd) == -1) {
		store_sync_failed(s, errno);
		return -1;
	}
	store_durable_to(s, upto);
	return 0;
}

void
store_sync_failed(struct store *s, int err)
{
	s->losses++;
	s->sync_epoch++;
	s->sync_debt = 1;
	snprintf(s->err, sizeof(s->err), "fsync of its WAL: %s", strerror(err));
	store_note_failure(s, err == ENOSPC || err == EDQUOT ? HEALTH_FULL : HEALTH_IO,
	    0);
}

unsigned
store_sync_epoch(struct store *s)
{
	return s->sync_epoch;
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
	if (stmt_txn(s, S_BEGIN) == -1)
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
	if (stmt_txn(s, S_COMMIT) == -1) {
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
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", store_schema_latest());
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		rc = store_fail(s, "probe");
	else
		rc = stmt_run(s, q, "probe write");
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

void
store_rollback(struct store *s)
{
	char keep[sizeof(s->err)];

	if (!s->in_txn)
		return;
	memcpy(keep, s->err, sizeof(keep));
	stmt_txn(s, S_ROLLBACK);
	memcpy(s->err, keep, sizeof(keep));
	s->in_txn = 0;
	if (s->txn_leases) {
		s->losses++;
		mirror_forget(s);		/* the mirror may hold what was undone */
	}
}

/* Run `fn` inside a transaction unless the caller already holds one. */
int
store_atomically(struct store *s, int (*fn)(struct store *, const void *), const void *arg)
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

uint64_t
store_durable_seq(struct store *s)
{
	return s->durable;
}

void
store_set_durable(struct store *s, uint64_t seq)
{
	store_durable_to(s, seq);
}

uint64_t
store_committed_seq(struct store *s)
{
	return s->committed;
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
