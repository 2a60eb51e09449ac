/* The dashboard on the metrics-listen address (ctl_dash.c): its fixed set of
 * files from dashboard-dir and its read-only JSON, GET /api/v1/status and
 * GET /api/v1/leases?q=, built by calling the RPC methods' own handlers. */
#ifndef DHCPFOD_CTL_DASH_H
#define DHCPFOD_CTL_DASH_H

#include <jansson.h>

#include "ctl_http.h"

struct daemon;
struct dash;

/* The dashboard of a listener: holds the last status document (at most one
 * built a second, however many pages poll). dash_free frees it. */
struct dash *dash_new(struct daemon *);
void	dash_free(struct dash *);
/* Answer req into o when it is the dashboard's: 0, else -1 (not ours). */
int	dash_route(struct dash *, const struct http_req *, struct http_out *);
/* The document of /api/v1/status and of /api/v1/leases?q= (new references;
 * NULL out of memory). */
json_t	*dash_status(struct daemon *);
json_t	*dash_leases(struct daemon *, const char *q);

#endif
