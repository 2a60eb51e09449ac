/*
 * Storage health: whether the database takes durable writes, since when and
 * why it does not, when to try again (a back-off), and which failures and
 * recoveries deserve a log line (the first, another kind, a reminder a
 * minute): never one per packet. Pure: the caller passes the clocks; the
 * store owns one and says what happened.
 */
#ifndef DHCPFOD_STORE_HEALTH_H
#define DHCPFOD_STORE_HEALTH_H

#include <stdint.h>

#define HEALTH_BACKOFF_MIN_US	100000		/* first retry after a failure */
#define HEALTH_BACKOFF_MAX_US	5000000		/* doubling up to this */
#define HEALTH_REMIND_US	60000000	/* "still failing" at most this often */

/* What went wrong (HEALTH_NONE: nothing the storage is to blame for, such as
 * a constraint; such errors leave the health alone). */
enum health_kind {
	HEALTH_NONE, HEALTH_FULL, HEALTH_IO, HEALTH_CORRUPT, HEALTH_OTHER,
	HEALTH_NKINDS
};

/* What health_fail asks the caller to log. */
enum health_log { HEALTH_LOG_NONE, HEALTH_LOG_FAILING, HEALTH_LOG_STILL };

struct health {
	int		 ok;		/* 1: the last attempt was durable */
	int		 kind;		/* of the current (or last) failure */
	char		 error[512];	/* its sentence */
	int64_t		 since;		/* wall clock: the failing began */
	int64_t		 since_us;	/* the same, monotonic */
	uint64_t	 failures;	/* every failed operation since start */
	uint64_t	 episode;	/* failed operations since it began */
	int64_t		 backoff_us;
	int64_t		 next_try_us;	/* monotonic: the next recovery attempt */
	int64_t		 logged_us;	/* monotonic: the last line logged */
	uint64_t	 logged_episode; /* episode when it was logged */
};

void	health_init(struct health *);
/* An operation failed for the storage: the episode begins or goes on, the
 * next attempt moves back (doubling). Returns what to log. */
enum health_log health_fail(struct health *, int kind, const char *error,
	    int64_t wall, int64_t mono_us);
/* A write was made durable: 1 when this ends a failing episode (log it). */
int	health_ok(struct health *);
/* Microseconds until the next recovery attempt (0: now); -1 when healthy. */
int64_t	health_retry_in(const struct health *, int64_t mono_us);
/* "disk full", "I/O error", "corrupt", "storage error"; and as a label:
 * "disk_full", "io_error", "corrupt", "error" ("" for HEALTH_NONE). */
const char *health_kind_text(int kind);
const char *health_kind_label(int kind);

#endif
