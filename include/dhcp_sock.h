/* DHCP on the configured interfaces: sockets, the read loop with group commit,
 * reply routing and the expiry timer. */
#ifndef DHCPFOD_DHCP_SOCK_H
#define DHCPFOD_DHCP_SOCK_H

#include <stddef.h>

struct daemon;
struct dhcp_sock;
struct fo_engine;
struct stats_hist;

/* Open the sockets of d->conf's interfaces (none: DHCP is not served) and load
 * the pools; NULL with err on failure. */
struct dhcp_sock *dhcp_sock_new(struct daemon *, char *err, size_t errlen);
void	dhcp_sock_free(struct dhcp_sock *);
/* The daemon stops: no more datagrams are read (DHCPACKs waiting for their
 * commit still leave). */
void	dhcp_sock_stop(struct dhcp_sock *);
/* Fill e with the engine's side of failover's calls into it (fo.h). */
void	dhcp_sock_fo_engine(struct dhcp_sock *, struct fo_engine *e);
/* Group commit: how long each pass's commit waited to be durable. */
const struct stats_hist *dhcp_sock_commit_latency(struct dhcp_sock *);

#endif
