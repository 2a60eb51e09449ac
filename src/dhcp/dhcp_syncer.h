/* A side thread that makes commits durable: the event loop posts "everything
 * up to sequence n is committed, fsync fd"; the thread fsyncs and reports the
 * highest sequence now durable back into the loop. Requests that pile up
 * while an fsync runs share the next one (group commit, DESIGN §3). The
 * thread does nothing but fsync: the hot path stays single-threaded. */
#ifndef DHCPFOD_DHCP_SYNCER_H
#define DHCPFOD_DHCP_SYNCER_H

#include <stdint.h>

struct event_base;
struct stats_hist;
struct syncer;

/* done(arg, upto, err): every sequence <= upto is durable (err 0) or its fsync
 * failed (err an errno value). Called from the event loop. */
typedef void (*syncer_done)(void *arg, uint64_t upto, int err);

struct syncer *syncer_new(struct event_base *, syncer_done, void *arg);
void	syncer_free(struct syncer *);
/* Ask for fd to be fsynced on behalf of sequence seq (increasing). 0 / -1. */
int	syncer_request(struct syncer *, uint64_t seq, int fd);
/* How long requests waited for their answer (the commit-to-durable latency
 * of group commit), owned by the syncer. */
const struct stats_hist *syncer_latency(const struct syncer *);
/* Whether the loop wakes up for an answer (on by default); a caller that
 * turns it off calls syncer_poll often enough, which hands the answers in. */
void	syncer_watch(struct syncer *, int on);
void	syncer_poll(struct syncer *);

#endif
