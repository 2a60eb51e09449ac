/* The fsync side thread: two pipes and a loop; the event loop side times
 * each request until its answer. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dhcp_syncer.h"
#include "log.h"
#include "stats.h"

#define SYNC_TIMED	16	/* requests timed at once; more go untimed */

struct sync_msg {
	uint64_t	seq;
	int		fd;		/* request: what to fsync; reply: errno */
};

struct syncer {
	pthread_t	 thread;
	int		 req[2];	/* loop -> thread */
	int		 rep[2];	/* thread -> loop */
	struct event	*ev;
	syncer_done	 done;
	void		*arg;
	int		 started;
	/* latency, request to answer, timed in the loop (SYNC_TIMED at most) */
	struct {
		uint64_t	seq;
		uint64_t	us;
	}		 timed[SYNC_TIMED];
	size_t		 timed_head, ntimed;
	struct stats_hist latency;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* A request left: time it if there is room. */
static void
timed_start(struct syncer *sy, uint64_t seq)
{
	size_t i;

	if (sy->ntimed == SYNC_TIMED)
		return;
	i = (sy->timed_head + sy->ntimed++) % SYNC_TIMED;
	sy->timed[i].seq = seq;
	sy->timed[i].us = now_us();
}

/* Every request up to seq is answered: observe how long each waited. */
static void
timed_done(struct syncer *sy, uint64_t seq)
{
	uint64_t now = now_us();

	while (sy->ntimed > 0 && sy->timed[sy->timed_head].seq <= seq) {
		stats_hist_observe(&sy->latency, now - sy->timed[sy->timed_head].us);
		sy->timed_head = (sy->timed_head + 1) % SYNC_TIMED;
		sy->ntimed--;
	}
}

/* Read one whole message; 0 on EOF, -1 on error. */
static int
msg_read(int fd, struct sync_msg *m)
{
	ssize_t n;

	do
		n = read(fd, m, sizeof(*m));
	while (n == -1 && errno == EINTR);
	return n == (ssize_t)sizeof(*m) ? 1 : (n == 0 ? 0 : -1);
}

/* Take every waiting request (the latest wins), sync once, answer. fdatasync
 * makes the WAL's data durable, its size too when it grew (all recovery
 * reads), without the inode's times (one device write less per sync). */
static void *
syncer_main(void *arg)
{
	struct syncer *sy = arg;
	struct sync_msg m, more;

	while (msg_read(sy->req[0], &m) == 1) {
		int flags = fcntl(sy->req[0], F_GETFL);

		fcntl(sy->req[0], F_SETFL, flags | O_NONBLOCK);
		while (msg_read(sy->req[0], &more) == 1)
			m = more;
		fcntl(sy->req[0], F_SETFL, flags);
		m.fd = fdatasync(m.fd) == -1 ? errno : 0;
		if (write(sy->rep[1], &m, sizeof(m)) != (ssize_t)sizeof(m))
			break;
	}
	return NULL;
}

/* In the loop: the thread answered. */
static void
syncer_event(evutil_socket_t fd, short what, void *arg)
{
	struct syncer *sy = arg;
	struct sync_msg m;

	while (msg_read(fd, &m) == 1) {
		timed_done(sy, m.seq);
		sy->done(sy->arg, m.seq, m.fd);
	}
}

void
syncer_watch(struct syncer *sy, int on)
{
	if (on)
		event_add(sy->ev, NULL);
	else
		event_del(sy->ev);
}

void
syncer_poll(struct syncer *sy)
{
	syncer_event(sy->rep[0], EV_READ, sy);
}

struct syncer *
syncer_new(struct event_base *base, syncer_done done, void *arg)
{
	struct syncer *sy = calloc(1, sizeof(*sy));

	if (sy == NULL)
		return NULL;
	sy->req[0] = sy->req[1] = sy->rep[0] = sy->rep[1] = -1;
	sy->done = done;
	sy->arg = arg;
	if (pipe2(sy->req, O_CLOEXEC) == -1 || pipe2(sy->rep, O_CLOEXEC) == -1 ||
	    fcntl(sy->rep[0], F_SETFL, O_NONBLOCK) == -1 ||
	    (sy->ev = event_new(base, sy->rep[0], EV_READ | EV_PERSIST, syncer_event,
	    sy)) == NULL || event_add(sy->ev, NULL) == -1 ||
	    pthread_create(&sy->thread, NULL, syncer_main, sy) != 0) {
		syncer_free(sy);
		return NULL;
	}
	sy->started = 1;
	return sy;
}

void
syncer_free(struct syncer *sy)
{
	if (sy == NULL)
		return;
	if (sy->req[1] != -1)
		close(sy->req[1]);	/* the thread sees EOF and ends */
	if (sy->started)
		pthread_join(sy->thread, NULL);
	if (sy->ev != NULL)
		event_free(sy->ev);
	for (int i = 0; i < 2; i++) {
		if (sy->rep[i] != -1)
			close(sy->rep[i]);
	}
	if (sy->req[0] != -1)
		close(sy->req[0]);
	free(sy);
}

int
syncer_request(struct syncer *sy, uint64_t seq, int fd)
{
	struct sync_msg m = { seq, fd };

	if (write(sy->req[1], &m, sizeof(m)) != (ssize_t)sizeof(m)) {
		log_warn("syncer: request");
		return -1;
	}
	timed_start(sy, seq);
	return 0;
}

const struct stats_hist *
syncer_latency(const struct syncer *sy)
{
	return &sy->latency;
}
