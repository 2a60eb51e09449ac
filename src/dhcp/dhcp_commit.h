/*
 * Group commit for the DHCP engine (DESIGN §3): the DHCPACKs whose lease
 * writes are staged in the store wait in batches; a commit takes every staged
 * write into one transaction and hands the batch to the fsync side thread
 * (syncer); once the WAL is durable the batch's ACKs leave, paced. Commits are
 * spaced so that under load one fsync covers many passes of the read loop.
 * While the store's health says it fails (a full disk, I/O errors), nothing
 * is committed: the ACKs gathered are withheld (drops, reason storage) and
 * store_recover is tried after the health's back-off; a batch whose fsync
 * succeeds after another fsync failed is withheld too (store_sync_epoch).
 */
#ifndef DHCPFOD_DHCP_COMMIT_H
#define DHCPFOD_DHCP_COMMIT_H

struct event_base;
struct store;
struct stats;
struct dhcp_out;
struct dhcp_commit;

/* What the commit needs of the sockets: queue a durable ACK for sending,
 * send what is queued, pause or resume reading (every batch waits), and hear
 * that the engine's memory view may be ahead of the store (a commit or an
 * fsync failed: the ACKs concerned are withheld). */
struct dhcp_commit_ops {
	void	(*send)(void *arg, struct dhcp_out *);
	void	(*flush)(void *arg);
	void	(*reading)(void *arg, int on);
	void	(*lost)(void *arg);
	/* more leases are durable (failover: their binding updates may leave) */
	void	(*durable)(void *arg);
};

/* How long commits waited for their fsync (the metrics' histogram). */
const struct stats_hist *dhcp_commit_latency(const struct dhcp_commit *);
/* NULL when out of memory. */
struct dhcp_commit *dhcp_commit_new(struct event_base *, struct store *,
	    struct stats *, const struct dhcp_commit_ops *, void *arg);
void	dhcp_commit_free(struct dhcp_commit *);
/* How many DHCPACKs may be added now (a full batch is committed first); 0
 * when every batch waits (reading is then paused until one is free). */
int	dhcp_commit_room(struct dhcp_commit *);
/* A DHCPACK whose lease writes are staged: copied, sent once durable. */
void	dhcp_commit_add(struct dhcp_commit *, const struct dhcp_out *);
/* The end of a pass (or of the expiry timer's work): commit now or when it
 * is time, and send what is durable. polled: another pass comes within a
 * poll interval (the sockets are polled), so that neither the syncer's
 * answer nor the commit gap needs a wake-up of its own. */
void	dhcp_commit_pass(struct dhcp_commit *, int polled);
/* Lease writes staged or committed outside a pass (the failover partner's
 * bindings and acknowledgements): made durable by the group commit, when it
 * is time; store_durable_seq() and the durable callback say when. */
void	dhcp_commit_kick(struct dhcp_commit *);

#endif
