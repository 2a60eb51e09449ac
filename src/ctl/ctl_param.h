/* Parameter checks of the RPC handlers (ctl_param.c): a bad parameter is
 * answered with 87 and a sentence naming it. */
#ifndef DHCPFOD_CTL_PARAM_H
#define DHCPFOD_CTL_PARAM_H

#include <stdint.h>

#include <jansson.h>

struct ctl_req;

/* Each returns 0 (value set), 1 (absent and optional) or -1 after answering
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
