/*
 * The management endpoint (RPC.md §1): JSON-RPC 2.0, one object per line, on a
 * Unix stream socket (ctl_sock.c), and the optional Prometheus listener of
 * metrics-listen (ctl_metrics_http.c). What the ctl files share among
 * themselves is in src/ctl/: ctl_sock.h (a request being answered),
 * ctl_cmd.h (the method table and its handlers), ctl_rpc.h (the envelope
 * codec), ctl_param.h, ctl_json.h, ctl_opt.h, ctl_metrics.h.
 */
#ifndef DHCPFOD_CTL_H
#define DHCPFOD_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct conf;
struct daemon;
struct ctl;

/* Listen on path (replacing a stale socket, refusing a live one). */
struct ctl *ctl_new(struct event_base *, struct daemon *, const char *path,
	    mode_t mode, gid_t gid, char *err, size_t errlen);
void	ctl_free(struct ctl *);
/* Apply a new mode/group to the socket (reload). */
int	ctl_set_access(struct ctl *, mode_t mode, gid_t gid);
/* Write every call of a method that is not read-only, on any channel, to
 * the audit log at path (created 0600; given to user when running as root). */
int	ctl_set_audit(struct ctl *, const char *path, const char *user, char *err,
	    size_t errlen);
/* The remote listener of [management] listen: mutual TLS, the same methods
 * (REMOTE.md). -1 with err when the files or the address cannot be used. */
int	ctl_listen_tls(struct ctl *, const struct conf *, char *err, size_t errlen);
/* Number of connected clients (of every channel). */
size_t	ctl_nclients(struct ctl *);

/* The HTTP listener of metrics-listen: NULL with err when it cannot bind.
 * Serves GET (and HEAD) /metrics; anything else is 404. */
struct metrics_http;
struct metrics_http *metrics_http_new(struct daemon *, uint32_t addr,
	    uint16_t port, char *err, size_t errlen);
void	metrics_http_free(struct metrics_http *);

#endif
