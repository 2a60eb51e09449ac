/*
 * The failover partner's TCP stream (draft-12 §8): connect out or accept,
 * cut the stream into messages by their length field (12..2048 bytes, else
 * the connection is refused), queue what is sent. The only fo_* file that
 * touches a socket; it knows nothing of what the messages mean.
 */
#ifndef DHCPFOD_FO_CONN_H
#define DHCPFOD_FO_CONN_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct fo_conn;
struct fo_listener;

struct fo_conn_cb {
	/* The outgoing connection is established. */
	void	(*connected)(void *arg, struct fo_conn *);
	/* One whole message (its bytes live until the callback returns). */
	void	(*message)(void *arg, struct fo_conn *, const uint8_t *msg, size_t len);
	/* Every message of one read has been handed over (commit point). */
	void	(*read_done)(void *arg, struct fo_conn *);
	/* The connection failed or closed; the owner must fo_conn_free it. */
	void	(*closed)(void *arg, struct fo_conn *, const char *why);
};

/* Connect to addr:port (host order), non-blocking; NULL if the socket cannot
 * even be created. */
struct fo_conn *fo_conn_connect(struct event_base *, uint32_t addr, uint16_t port,
	    const struct fo_conn_cb *, void *arg);
/* Wrap an accepted socket (takes the descriptor). */
struct fo_conn *fo_conn_accepted(struct event_base *, int fd, uint32_t peer,
	    const struct fo_conn_cb *, void *arg);
/* Hand the connection to another owner (an accepted one finds its peer). */
void	fo_conn_set_cb(struct fo_conn *, const struct fo_conn_cb *, void *arg);
void	fo_conn_free(struct fo_conn *);
/* Free once what was queued is written (at most 5 s); no callback reaches
 * the owner any more. For a last word on a connection refused. */
void	fo_conn_linger(struct fo_conn *);
/* Queue one message; -1 if the connection is failing or its output queue is
 * beyond its bound (the caller then closes it). */
int	fo_conn_send(struct fo_conn *, const uint8_t *msg, size_t len);
uint32_t fo_conn_peer(const struct fo_conn *);
/* The message length field (outside 12..2048) that made the connection
 * fail, 0 if none did: for the owner's counters when it closes. */
unsigned fo_conn_bad_len(const struct fo_conn *);
size_t	fo_conn_queued(const struct fo_conn *);	/* bytes not yet written */

/* Listen on addr:port; accept(arg, fd, peer) gets every connection. */
struct fo_listener *fo_listen(struct event_base *, uint32_t addr, uint16_t port,
	    void (*accept)(void *arg, int fd, uint32_t peer), void *arg,
	    char *err, size_t errlen);
void	fo_listener_free(struct fo_listener *);

#endif
