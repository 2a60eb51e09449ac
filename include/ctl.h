/*
 * The management endpoint (SPEC §4): JSON-RPC 2.0, one object per line, on a
 * Unix stream socket. ctl_sock does the I/O and the peer-credential check,
 * ctl_rpc is the pure envelope codec, ctl_cmd the method table; the handlers
 * live in ctl_scope.c, ctl_lease.c, ctl_fo.c and ctl_server.c.
 */
#ifndef DHCPFOD_CTL_H
#define DHCPFOD_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define CTL_MAX_REQUEST		(1024 * 1024)	/* bytes in one request line */
#define CTL_MAX_PENDING		64		/* requests in flight per client */
#define CTL_MAX_OUTPUT		(16 * 1024 * 1024)	/* unread replies per client */

struct event_base;
struct daemon;
struct ctl;
struct ctl_req;

/* Listen on path (replacing a stale socket, refusing a live one). */
struct ctl *ctl_new(struct event_base *, struct daemon *, const char *path,
	    mode_t mode, gid_t gid, char *err, size_t errlen);
void	ctl_free(struct ctl *);
/* Apply a new mode/group to the socket (reload). */
int	ctl_set_access(struct ctl *, mode_t mode, gid_t gid);
/* Number of connected clients. */
size_t	ctl_nclients(struct ctl *);

/* ---- what a handler sees ---- */

/* A handler answers exactly once, now or later, with ctl_reply (which takes the
 * reference to result) or ctl_fail. Replies leave in request order. */
typedef void (*ctl_handler)(struct ctl_req *, json_t *params);

struct ctl_method {
	const char	*name;
	ctl_handler	 handler;
};

struct daemon *ctl_req_daemon(struct ctl_req *);
void	ctl_reply(struct ctl_req *, json_t *result);
void	ctl_fail(struct ctl_req *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A storage failure: ERROR_DHCP_JET_ERROR with the store's message. */
void	ctl_fail_store(struct ctl_req *);

/* The method table (ctl_cmd.c). NULL if unknown. */
const struct ctl_method *ctl_method_find(const char *name);
/* Run one parsed request: dispatch, or answer -32601. */
void	ctl_dispatch(struct ctl_req *, const char *method, json_t *params);

/* ---- the pure envelope codec (ctl_rpc.c) ---- */

struct rpc_call {
	json_t		*root;		/* owns everything below */
	json_t		*id;		/* NULL: notification (no reply) */
	const char	*method;
	json_t		*params;	/* an object (an empty one if absent) */
};

/* Parse one request line. 0: call filled (release with rpc_call_fini).
 * Otherwise the JSON-RPC error code, a detail sentence in detail, and *id the
 * request id when one could be read (a new reference, or NULL). */
int	rpc_parse(const char *line, size_t len, struct rpc_call *call, json_t **id,
	    char *detail, size_t detlen);
void	rpc_call_fini(struct rpc_call *);
/* A response line (with '\n'), malloc'd. id NULL means JSON null. */
char	*rpc_result_line(json_t *id, json_t *result);
char	*rpc_error_line(json_t *id, int code, const char *detail);

/* ---- parameter helpers (ctl_param.c) ----
 * Each returns 0 (value set), 1 (absent and optional) or -1 after answering
 * ERROR_INVALID_PARAMETER with a sentence naming the parameter. */
int	param_only(struct ctl_req *, json_t *params, const char *const *allowed);
int	param_str(struct ctl_req *, json_t *params, const char *key, int required,
	    const char **out);
int	param_name(struct ctl_req *, json_t *params, const char **out);
int	param_addr(struct ctl_req *, json_t *params, const char *key, int required,
	    uint32_t *out);
int	param_uint(struct ctl_req *, json_t *params, const char *key, int required,
	    uint64_t lo, uint64_t hi, uint64_t *out);
int	param_hwaddr(struct ctl_req *, json_t *params, const char *key, int required,
	    uint8_t *hw, uint8_t *hwlen);
/* scopes: an array of 1..max subnet addresses, no duplicates. */
int	param_addr_list(struct ctl_req *, json_t *params, const char *key, size_t max,
	    uint32_t **out, size_t *n);

#endif
