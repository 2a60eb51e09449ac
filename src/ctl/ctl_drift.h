/* Configuration drift between failover partners (ctl_drift.c, REMOTE.md §8):
 * every drift-interval seconds the daemon, as a TLS client of the partner's
 * management listener, asks scope.config_hash and compares the hashes of
 * each relationship's scopes with its own. */
#ifndef DHCPFOD_CTL_DRIFT_H
#define DHCPFOD_CTL_DRIFT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct ctl;
struct conf;
struct daemon;
struct event_base;
struct ctl_drift;

/* NULL with err empty: not configured (no client-certificate or no
 * partners, or drift-interval 0); NULL with err: unusable files. */
struct ctl_drift *ctl_drift_new(struct event_base *, struct daemon *,
	    const struct conf *, char *err, size_t errlen);
void	ctl_drift_free(struct ctl_drift *);
/* What failover.get, failover.list and server.status show of relationship
 * name: { "partner_management", "config_drift": [SUBNET...] | null (not yet
 * known), "config_checked": T, "config_check_error"? }; NULL when name has no
 * partner configured (or no checker runs). A new reference. */
json_t	*ctl_drift_json(const char *name);
/* Check relationship name again now (after failover.replicate). */
void	ctl_drift_check_now(const char *name);
/* The daemon's TLS client for its partners (ctl_link.c): -1 when it has
 * no [management] client-certificate. */
struct ssl_ctx_st;
int	ctl_drift_client(struct event_base **, struct ssl_ctx_st **);
/* The partner's listener of relationship name, from [management] partners
 * or ctl_drift_watch: 0, or -1 none known. */
int	ctl_drift_partner(const char *name, char *host, size_t len,
	    uint16_t *port);
/* Check relationship name against host:port too (a relationship made on
 * both servers by failover.create, ctl_fo_pair.c), until ctl_drift_forget
 * or a restart; a configured one keeps its address. */
void	ctl_drift_watch(const char *name, const char *host, uint16_t port);
void	ctl_drift_forget(const char *name);
/* The number of drifting scopes of name: -1 unknown or not checked. */
int	ctl_drift_count(const char *name);
/* The number of its parameters that differ (failover.config): -1 unknown. */
int	ctl_drift_params_count(const char *name);

#endif
