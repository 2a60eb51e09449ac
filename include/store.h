/*
 * Storage: the only module that touches SQLite. Scopes, ranges, exclusions,
 * reservations, options, leases, relationships and failover state in one
 * database (WAL, synchronous=NORMAL with our own fsync, versioned
 * migrations; a damaged file or a newer schema is refused at open, never
 * written). Free space and its owner are kept as intervals: only addresses
 * with a binding history have rows.
 *
 * Returns: 0 success, -1 storage error (store_errmsg() says why),
 * STORE_NOTFOUND where a lookup finds nothing.
 */
#ifndef DHCPFOD_STORE_H
#define DHCPFOD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "dhcp_opt.h"
#include "fo.h"
#include "fo_rebal.h"
#include "ivl.h"
#include "lease.h"

#define STORE_NOTFOUND	1
#define STORE_NAME_MAX	512	/* bytes, with NUL */

struct store;

struct scope {
	uint32_t	 subnet;
	uint32_t	 mask;
	char		 name[STORE_NAME_MAX];
	uint32_t	 range_start, range_end;
	uint32_t	 lease_time;
	int		 enabled;
	struct dhcp_optlist options;
	struct ivlset	 exclusions;		/* normalised */
	char		 relationship[STORE_NAME_MAX];	/* "" if none */
};

struct reservation {
	uint32_t	subnet;
	uint32_t	address;
	uint8_t		hwaddr[16];
	uint8_t		hwlen;
	char		name[STORE_NAME_MAX];
};

struct fo_rel {
	char		 name[STORE_NAME_MAX];
	uint32_t	 primary_server, secondary_server;
	char		 primary_name[STORE_NAME_MAX], secondary_name[STORE_NAME_MAX];
	enum fo_mode	 mode;
	enum fo_role	 server_type;
	enum fo_state	 state, prev_state, partner_state;
	uint32_t	 mclt, safe_period;
	unsigned	 percentage;
	char		 shared_secret[STORE_NAME_MAX];	/* "" if none */
	uint16_t	 port;
	int64_t		 stos;		/* when state was entered (wall clock) */
	int64_t		 fail_time;	/* when contact or data was lost; 0: never */
	unsigned	 lb_max_secs;	/* NORMAL: answer any client whose secs
					 * exceeds it; 0: off (ISC's load balance
					 * max seconds) */
	unsigned	 max_response_delay;	/* our receive timer, advertised
						 * in CONNECT(ACK); 0: 10 s (ISC's
						 * max-response-delay) */
	unsigned	 max_unacked;	/* the max-unacked-bndupd we advertise;
					 * 0: dhcpfod's choice (ISC's
					 * max-unacked-updates) */
	uint32_t	*scopes;			/* owned */
	size_t		 nscopes;
};

struct scope_stats {
	uint64_t	num_addr, addr_free, addr_in_use;
	uint64_t	this_addr_free, partner_addr_free;
	uint64_t	this_addr_in_use, partner_addr_in_use;
};

struct store_counts {
	int64_t		scopes, relationships, leases, reservations;
};

/* Open or create the database at path, migrating its schema. NULL on error
 * with a sentence in err; a file that is not an SQLite database, fails
 * PRAGMA quick_check, or has a newer schema is refused before anything is
 * written to it. */
struct store *store_open(const char *path, char *err, size_t errlen);
void	store_close(struct store *);
const char *store_errmsg(struct store *);
const char *store_path(struct store *);

/* Explicit transactions; one open at a time. store_commit returns once the
 * transaction is durable. store_commit_deferred returns once it is committed
 * (visible, in the WAL) but not yet durable: durable once a later
 * store_wal_sync returns — which any thread may call on store_wal_fd(). */
int	store_begin(struct store *);
/* Staging (the DHCP engine's group commit): while on, lease writes wait in
 * memory and store_begin is a no-op (the stage is the transaction). The
 * staged writes reach the database in one transaction at the next
 * store_commit_deferred (or store_commit) outside a transaction, or before
 * any other statement or transaction runs, whatever comes first; if they
 * could not be stored, that next store_commit_deferred fails. */
void	store_stage(struct store *, int on);
int	store_commit(struct store *);
int	store_commit_deferred(struct store *);
int	store_wal_sync(struct store *);
int	store_wal_fd(struct store *);	/* -1 (errno) until the WAL exists */
void	store_rollback(struct store *);

/*
 * Storage failures (a full disk, I/O errors, a damaged file) are recorded in
 * the store's health (store_health.h) and logged, rate-limited. An fsync of
 * the WAL that failed (here or on another thread: store_sync_failed) counts
 * as a loss of everything committed since the last good one, and nothing is durable
 * again until a full checkpoint has written it to the database file anew:
 * store_wal_sync and store_recover do that checkpoint instead of an fsync.
 */
const struct health *store_health(struct store *);
/* 1 while the last storage operation succeeded (health ok). */
int	store_writable(struct store *);
/* An fsync of the WAL made on store_wal_fd() failed with errno err. */
void	store_sync_failed(struct store *, int err);
/* How many fsyncs failed so far: a commit whose fsync returns with another
 * number than it was committed under is not to be trusted. */
unsigned store_sync_epoch(struct store *);
/* Try again after a failure: the staged writes committed (or one probe write
 * when none wait) and made durable, through the full checkpoint after a
 * failed fsync; outside a transaction. 0: the database takes durable writes
 * again (health ok), -1 still failing. */
int	store_recover(struct store *);

/* Scopes. get/find fill *out (release with scope_fini). find: the scope whose
 * subnet contains addr. overlap: a scope whose subnet overlaps subnet/mask. */
void	scope_fini(struct scope *);
int	store_scope_insert(struct store *, const struct scope *);
int	store_scope_update(struct store *, const struct scope *);
int	store_scope_delete(struct store *, uint32_t subnet);
int	store_scope_get(struct store *, uint32_t subnet, struct scope *out);
int	store_scope_find(struct store *, uint32_t addr, struct scope *out);
int	store_scope_overlap(struct store *, uint32_t subnet, uint32_t mask,
	    uint32_t *other);
/* All scopes by subnet; *out is an array of *n scopes, free with scopes_free. */
int	store_scope_list(struct store *, struct scope **out, size_t *n);
void	scopes_free(struct scope *, size_t n);
int	store_exclusion_add(struct store *, uint32_t subnet, uint32_t start,
	    uint32_t end);
int	store_exclusion_remove(struct store *, uint32_t subnet, uint32_t start,
	    uint32_t end);	/* STORE_NOTFOUND unless exactly that exclusion */

/* Reservations. */
int	store_resv_add(struct store *, const struct reservation *);
int	store_resv_remove(struct store *, uint32_t address);
int	store_resv_get(struct store *, uint32_t address, struct reservation *out);
int	store_resv_get_hw(struct store *, uint32_t subnet, const uint8_t *hw,
	    size_t hwlen, struct reservation *out);
int	store_resv_list(struct store *, uint32_t subnet, struct reservation **out,
	    size_t *n);

/* Leases: put inserts or replaces the row of lease->address. An OFFERED lease
 * is held in memory only (an offer needs no durability: RFC 2131 §4.3.1); get
 * and the statistics see it, the lists by hwaddr, hostname and address do
 * not; writing its address again ends it. Once the engine has looked up a
 * client, every lease row is mirrored in memory and the lookups below
 * (get, get_cid, get_client_hw) never reach SQLite.
 * Every write, delete and offer's end is a move of the address's state (its
 * offer's, its row's, or LEASE_NONE) that the lease-state table must allow
 * `who` (lease.h, lease_move_check): a move it refuses is logged and not
 * made, -1 with store_errmsg saying so. */
int	store_lease_put(struct store *, const struct lease *, enum lease_actor who);
/* An offer ends untaken: the address is as it was before it (no write);
 * STORE_NOTFOUND if there was no offer. */
int	store_offer_end(struct store *, uint32_t addr, enum lease_actor who);
/* A lease write that needs no transaction of its own (a binding the failover
 * partner sent): staged like the engine's writes (the mirror is loaded for
 * it) and carried by the next commit, or written at once inside an open
 * transaction. */
int	store_lease_stage(struct store *, const struct lease *,
	    enum lease_actor who);
/* The number of the transaction that carries every lease write made so far:
 * they are durable once store_durable_seq() reaches it (unless store_losses()
 * moved meanwhile). */
uint64_t store_write_seq(struct store *);
/* Counts the times lease writes were lost (a failed staged flush, a rolled
 * back transaction, store_sync_failed): whoever waits for writes to
 * become durable compares it before trusting them. */
unsigned store_losses(struct store *);
int	store_lease_get(struct store *, uint32_t address, struct lease *out);
int	store_lease_get_hw(struct store *, const uint8_t *hw, size_t hwlen,
	    struct lease *out);
int	store_lease_get_host(struct store *, const char *hostname, struct lease *out);
/* Leases with address > from (subnet 0: all scopes), at most limit. */
int	store_lease_list(struct store *, uint32_t subnet, uint32_t from, size_t limit,
	    struct lease **out, size_t *n);
int	store_lease_delete(struct store *, uint32_t address);	/* the operator's */

/* Relationships. get fills scopes too; release with fo_rel_fini. */
void	fo_rel_fini(struct fo_rel *);
int	store_rel_insert(struct store *, const struct fo_rel *);	/* with scopes */
int	store_rel_update(struct store *, const struct fo_rel *);	/* not scopes */
int	store_rel_delete(struct store *, const char *name);
int	store_rel_get(struct store *, const char *name, struct fo_rel *out);
int	store_rel_list(struct store *, struct fo_rel **out, size_t *n);
void	fo_rels_free(struct fo_rel *, size_t n);
int	store_rel_count(struct store *, int64_t *n);
int	store_rel_add_scope(struct store *, const char *name, uint32_t subnet);
int	store_rel_remove_scope(struct store *, uint32_t subnet);

/* Failover view of a scope: the free runs with their owner (rebal input), the
 * statistics as seen by a server of role `role` (RPC.md §6.8; a scope in no
 * relationship: this server owns every free address), and applying moves. */
int	store_free_runs(struct store *, uint32_t subnet, struct rebal_run **runs,
	    size_t *n);
int	store_scope_stats(struct store *, uint32_t subnet, enum fo_role role,
	    struct scope_stats *out);
int	store_apply_moves(struct store *, uint32_t subnet,
	    const struct rebal_move *moves, size_t n);
int	store_counts(struct store *, struct store_counts *out);
/* The lease rows of every scope by state: fn(arg, subnet, state, rows) once
 * per pair that has rows (free space without a row is not counted: see
 * store_scope_stats). */
typedef void (*store_count_fn)(void *arg, uint32_t subnet,
	    enum lease_state state, uint64_t n);
int	store_lease_state_counts(struct store *, store_count_fn fn, void *arg);

/* For the DHCP engine: a counter every configuration change (scopes,
 * exclusions, reservations, relationships, ownership, deleted leases) bumps,
 * so cached views know to reload; a client's lease in a subnet by client
 * identifier (hwaddr lookups: store_lease_get_hw); every ACTIVE or OFFERED
 * lease's address and end; whether a transaction is open or staged writes
 * wait. */
unsigned store_gen(struct store *);
int	store_lease_get_cid(struct store *, uint32_t subnet, const uint8_t *cid,
	    size_t len, struct lease *out);
/* A client that sends no client identifier is its hardware address: its lease
 * in a subnet among the rows without one (RFC 2131 §4.2). */
int	store_lease_get_client_hw(struct store *, uint32_t subnet, const uint8_t *hw,
	    size_t hwlen, struct lease *out);
int	store_active_leases(struct store *, void (*fn)(void *, uint32_t, int64_t),
	    void *arg);
int	store_in_txn(struct store *);
/* Whether an explicit transaction (store_begin) is open; staged writes alone
 * do not count. */
int	store_txn_open(struct store *);

/*
 * Bindings for the failover partner (draft-12 §7.1). A lease written with
 * fo_sync set carries the number of the transaction that wrote it until the
 * partner acknowledges it; transactions are numbered in order and the store
 * knows up to which one everything is durable (fsynced), so a binding update
 * leaves only once its lease is on stable storage.
 */
uint64_t store_durable_seq(struct store *);
/* The scope/ownership view changed behind the cache's back: bump store_gen. */
void	store_touch(struct store *);
/* At most limit pending leases of the scopes[0..nscopes-1] (ascending) written
 * by transactions up to upto (store_durable_seq(): the durable ones), after
 * (after_seq, after_addr) in (pending, address) order, from memory (the
 * mirror is loaded for it; a lease staged since it was written is not
 * listed: it is pending again once committed); *out is calloc'ed. */
int	store_pending_list(struct store *, const uint32_t *scopes, size_t nscopes,
	    uint64_t after_seq, uint32_t after_addr, uint64_t upto, size_t limit,
	    struct lease **out, size_t *n);
/* The DHCP engine's fsync thread made transactions up to seq durable;
 * the last one committed (to hand to that thread). */
void	store_set_durable(struct store *, uint64_t seq);
uint64_t store_committed_seq(struct store *);
/* The partner acknowledged addr as written by transaction seq: no longer
 * pending (unless written again since), its acked potential expiry recorded;
 * outside a transaction the change is staged (it needs no durability: an
 * acknowledgement lost in a crash only makes the binding go out again). */
int	store_pending_ack(struct store *, uint32_t addr, uint64_t seq,
	    int64_t ack_pot_exp);
/* A pending lease was sent to the partner (as written by transaction seq):
 * and whether a lease's binding was written by this process and has not
 * been sent since (a lease read back from the database may have been). */
void	store_pending_sent(struct store *, uint32_t addr, uint64_t seq);
int	store_lease_unsent(struct store *, uint32_t addr);
/* In an open transaction: every lease of rel's scopes is pending again (a
 * partner asked for everything, UPDREQALL). */
int	store_pending_mark_all(struct store *, const char *rel);
/* In an open transaction: EXPIRED, RELEASED and RESET leases of rel's scopes
 * whose latest time (end, client transaction, any potential expiration time
 * sent, acknowledged or received) is at or before `before`
 * become the primary's FREE, pending for the partner (draft-12 §9.4.2: in
 * PARTNER_DOWN, MCLT after that time, without its acknowledgement). */
int	store_release_due(struct store *, const char *rel, int64_t before, int *n);
/* The name of the relationship a scope is in; STORE_NOTFOUND if none. */
int	store_scope_rel(struct store *, uint32_t subnet, char *name, size_t len);

#endif
