/* The JSON-RPC 2.0 envelope codec (RPC.md §1, ctl_rpc.c): pure, fuzzed. */
#ifndef DHCPFOD_CTL_RPC_H
#define DHCPFOD_CTL_RPC_H

#include <stddef.h>

#include <jansson.h>

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

#endif
