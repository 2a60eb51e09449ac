/*
 * Metrics in the Prometheus text exposition format 0.0.4 (server.metrics,
 * `dhcpfoctl metrics`, and the optional HTTP listener of metrics-listen).
 *   ctl_metrics.c   a snapshot of the daemon, and the pure formatter that
 *                   turns a snapshot into text (unit tested on its own)
 *   ctl_metrics_http.c  GET /metrics over libevent's evhttp (ctl.h)
 */
#ifndef DHCPFOD_CTL_METRICS_H
#define DHCPFOD_CTL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"
#include "store.h"

struct daemon;

#define METRICS_LEASE_STATES	9	/* enum lease_state 1..8; 0 unused */

/* A scope: its RPC.md §6.8 statistics as this server sees them and its
 * addresses by binding state (FREE and BACKUP: the free addresses the
 * primary and the secondary own, rows or not; the others: lease rows). */
struct metrics_scope {
	uint32_t		 subnet;
	const char		*name;
	const char		*relationship;	/* "" when in none */
	struct scope_stats	 st;
	uint64_t		 leases[METRICS_LEASE_STATES];
};

/* A relationship: this server's role and mode, the states (enum fo_state),
 * and the live link (zeros when no peer runs for it). */
struct metrics_rel {
	const char	*name;
	enum fo_role	 role;
	enum fo_mode	 mode;
	int64_t		 state, partner_state;
	int64_t		 connected;		/* 0 / 1 */
	int64_t		 unacked_updates;
	int64_t		 clock_skew;		/* seconds, the partner's minus ours */
	int64_t		 time_out_of_sync;	/* 0 / 1 */
	int64_t		 connect_rejects;	/* CONNECTs refused, both ways */
	int64_t		 last_reject_reason;	/* draft-12 §12.21; 0 none */
	int64_t		 partner_unresponsive;	/* 0 / 1 (FAILOVER.md §4) */
	int64_t		 unacked_clients;	/* the partner's, unanswered */
	int64_t		 config_drift;		/* scopes; -1 unknown (ctl_drift.c) */
	int64_t		 config_drift_params;	/* relationship parameters; -1 */
};

struct metrics_snap {
	const char			*version;
	int64_t				 uptime;	/* seconds */
	const struct stats		*stats;
	size_t				 ctl_clients;
	const struct stats_hist		*commit_latency;	/* NULL: none */
	int				 storage_ok;	/* 1: durable writes work */
	uint64_t			 storage_failures;	/* store_health.h */
	const struct metrics_scope	*scopes;
	size_t				 nscopes;
	const struct metrics_rel	*rels;
	size_t				 nrels;
};

/* The text of a snapshot: malloc'd, NUL-terminated; NULL when out of memory.
 * Pure: no I/O, no clock. */
char	*metrics_format(const struct metrics_snap *);
/* The daemon's metrics now (snapshot, then format): malloc'd; NULL when out
 * of memory, with a sentence in err. When the database cannot be read, the
 * scopes and relationships are left out (dhcpfod_storage_ok says why). */
char	*metrics_text(struct daemon *, char *err, size_t errlen);

#endif
