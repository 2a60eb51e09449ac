/* The daemon's one context object, created in main and passed to every
 * subsystem that needs the whole (the RPC handlers, reload). */
#ifndef DHCPFOD_DAEMON_H
#define DHCPFOD_DAEMON_H

#include <stdint.h>
#include <sys/types.h>

#include "stats.h"
#include "store.h"

struct event_base;
struct conf;
struct ctl;
struct dhcp_sock;
struct pool;
struct fo;
struct metrics_http;

struct daemon {
	struct event_base	*base;
	struct conf		*conf;		/* swapped whole on reload */
	struct store		*store;
	struct ctl		*ctl;
	struct dhcp_sock	*dhcp;
	struct pool		*pool;		/* the DHCP engine's (dhcp_sock's) */
	struct fo		*fo;		/* failover partners */
	struct metrics_http	*metrics;	/* metrics-listen; NULL: off */
	int64_t			 started;	/* monotonic seconds */
	pid_t			 pid;
	struct stats		 stats;
};

/* Re-read the config file (SIGHUP, server.reload). On error the running
 * config stays and err says why. */
int	daemon_reload(struct daemon *, char *err, size_t errlen);
/* The DHCP server identifier: server-id, else the first address of the first
 * interface; 0 if neither is known. */
uint32_t daemon_server_id(struct daemon *);

#endif
