/* scope.config and scope.config_hash (RPC.md §2.6): each scope's configuration
 * in the canonical form of ctl_cfg.c and its SHA-256, the ground truth that
 * failover drift detection and `dhcpfoctl failover diff` compare. */
#include <stdio.h>
#include <stdlib.h>

#include "ctl_cfg.h"
#include "ctl_cmd.h"
#include "ctl_param.h"
#include "daemon.h"
#include "err.h"
#include "util.h"

/* {subnet, hash[, config]} of one scope, or NULL (storage). */
static json_t *
scope_cfg(struct store *st, const struct scope *sc, int with_config)
{
	struct reservation *rv;
	char hash[CFG_HASH_LEN + 1], a[16];
	json_t *canon, *o;
	size_t n;

	if (store_resv_list(st, sc->subnet, &rv, &n) == -1)
		return NULL;
	canon = cfg_canon(sc, rv, n);
	free(rv);
	if (canon == NULL || cfg_hash(canon, hash) == -1) {
		json_decref(canon);
		return NULL;
	}
	o = json_pack("{s:s, s:s}", "subnet", addr_str(sc->subnet, a), "hash", hash);
	if (o != NULL && with_config)
		json_object_set(o, "config", canon);
	json_decref(canon);
	return o;
}

json_t *
scope_cfg_canon(struct store *st, uint32_t subnet)
{
	struct scope sc;
	json_t *o, *c;

	if (store_scope_get(st, subnet, &sc) != 0)
		return NULL;
	o = scope_cfg(st, &sc, 1);
	scope_fini(&sc);
	c = json_incref(json_object_get(o, "config"));
	json_decref(o);
	return c;
}

int
scope_cfg_hash(struct store *st, uint32_t subnet, char out[CFG_HASH_LEN + 1])
{
	struct scope sc;
	json_t *o;
	int rc;

	if ((rc = store_scope_get(st, subnet, &sc)) != 0)
		return rc;
	o = scope_cfg(st, &sc, 0);
	scope_fini(&sc);
	if (o == NULL)
		return -1;
	snprintf(out, CFG_HASH_LEN + 1, "%s", json_string_value(json_object_get(o,
	    "hash")));
	json_decref(o);
	return 0;
}

static void
scope_cfg_reply(struct ctl_req *r, json_t *p, int with_config)
{
	static const char *const allowed[] = { "subnet", NULL };
	struct store *st = ctl_req_daemon(r)->store;
	struct scope *v;
	uint32_t subnet = 0;
	json_t *a, *o;
	size_t n;
	int rc, found = 0;
	char s[16];

	if (param_only(r, p, allowed) == -1 ||
	    (rc = param_addr(r, p, "subnet", 0, &subnet)) == -1)
		return;
	if (store_scope_list(st, &v, &n) == -1) {
		ctl_fail_store(r);
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && v[i].subnet != subnet)
			continue;
		found = 1;
		if ((o = scope_cfg(st, &v[i], with_config)) == NULL) {
			scopes_free(v, n);
			json_decref(a);
			ctl_fail_store(r);
			return;
		}
		json_array_append_new(a, o);
	}
	scopes_free(v, n);
	if (rc == 0 && !found) {
		json_decref(a);
		ctl_fail(r, ERR_SUBNET_NOT_PRESENT, "no scope %s", addr_str(subnet, s));
		return;
	}
	ctl_reply(r, json_pack("{s:o}", "scopes", a));
}

void
m_scope_config(struct ctl_req *r, json_t *p)
{
	scope_cfg_reply(r, p, 1);
}

void
m_scope_config_hash(struct ctl_req *r, json_t *p)
{
	scope_cfg_reply(r, p, 0);
}
