/* A scope's configuration in canonical form (ctl_cfg.c; RPC.md §2.6): what
 * replication copies and what drift detection hashes (cfgdiff.h). */
#ifndef DHCPFOD_CTL_CFG_H
#define DHCPFOD_CTL_CFG_H

#include <stddef.h>

#include <jansson.h>

#include "cfgdiff.h"
#include "store.h"

/* The configuration of one scope: the scope.get object without its
 * relationship (state, not configuration), with "reservations" an object
 * keyed by address, each {hwaddr, name}. A new reference or NULL. */
json_t	*cfg_canon(const struct scope *, const struct reservation *, size_t n);

/* The hash of one stored scope's configuration (ctl_scope_cfg.c): 0, -1
 * (storage) or STORE_NOTFOUND. */
int	scope_cfg_hash(struct store *, uint32_t subnet, char out[CFG_HASH_LEN + 1]);

/* The canonical configuration of one stored scope; NULL if none or storage. */
json_t	*scope_cfg_canon(struct store *, uint32_t subnet);

/* A relationship's parameters both partners must agree on, canonical
 * (ctl_fo_cfg.c, RPC.md §6.17): the scopes sorted (in place), the shared
 * secret null, "set" (no nonce) or its PBKDF2 digest salted with nonce. A new
 * reference or NULL. */
json_t	*rel_cfg_canon(struct fo_rel *, const char *nonce);

#endif
