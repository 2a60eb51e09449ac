/* Scope options in the management API's JSON form (RPC.md §2.5) <-> option bytes. */
#ifndef DHCPFOD_CTL_OPT_H
#define DHCPFOD_CTL_OPT_H

#include <stddef.h>

#include <jansson.h>

#include "dhcp_opt.h"

/*
 * Parses the `options` param of scope.create / scope.set. Accepted forms:
 *   object: {"routers":["10.1.0.1"], "interface_mtu":1500, ...,
 *            "252":"0a0b0c", "253":{"code":253,"hex":"01"}}
 *   array:  [{"name":"routers","value":"10.1.0.1"}, {"code":252,"hex":"0a0b0c"}]
 * An empty object or array is valid and means no options. On success replaces
 * the contents of out (freeing what it held) and returns 0; on error leaves out
 * untouched, writes a sentence naming the option into err and returns -1.
 */
int	ctl_opt_from_json(json_t *options, struct dhcp_optlist *out, char *err,
	    size_t errlen);
/* The canonical object: known options by name with typed values (address lists
 * always arrays), any other as "N":{"code":N,"hex":"..."}. The caller owns the
 * reference; NULL when out of memory. */
json_t	*ctl_opt_to_json(const struct dhcp_optlist *);

#endif
