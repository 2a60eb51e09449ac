/* Inside the management endpoint: a request being answered, as its handler
 * sees it (ctl_sock.c holds the requests, in order, per client). */
#ifndef DHCPFOD_CTL_SOCK_H
#define DHCPFOD_CTL_SOCK_H

#include <jansson.h>

struct daemon;
struct ctl_req;

/* A handler answers exactly once, now or later, with ctl_reply (which takes the
 * reference to result) or ctl_fail. Replies leave in request order. */
struct daemon *ctl_req_daemon(struct ctl_req *);
void	ctl_reply(struct ctl_req *, json_t *result);
void	ctl_fail(struct ctl_req *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A storage failure: ERROR_DHCP_JET_ERROR with the store's message. */
void	ctl_fail_store(struct ctl_req *);

/* Run a read-only method (class CTL_READ) that answers at once
 * (failover.get, scope.list ...) for the daemon itself: its result (new
 * reference); NULL when it failed, would answer later or is not read-only. */
json_t	*ctl_call_local(struct daemon *, const char *method, json_t *params);

/* Run any method for the daemon itself (ctl_fo_pair.c: this server's side
 * of a change made on both), unaudited (the caller's own request is) and
 * answering at once: its result (new reference), or NULL with the error code
 * and detail. */
json_t	*ctl_call_self(struct daemon *, const char *method, json_t *params,
	    int *code, char *detail, size_t detlen);
/* Who made request r: "IDENTITY (CHANNEL PEER)", for the partner's audit
 * log (session.on_behalf). */
void	ctl_req_identity(struct ctl_req *, char *buf, size_t len);

#endif
