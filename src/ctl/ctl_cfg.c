/* A scope's configuration in canonical form (ctl_cfg.h, RPC.md §2.6); its
 * hash and the diff of two are common/cfgdiff.c. */
#include <stdlib.h>
#include <string.h>

#include "ctl_cfg.h"
#include "ctl_json.h"
#include "util.h"

json_t *
cfg_canon(const struct scope *sc, const struct reservation *rv, size_t n)
{
	json_t *o, *res;
	char a[16];

	if ((o = scope_to_json(sc)) == NULL)
		return NULL;
	json_object_del(o, "relationship");
	if ((res = json_object()) == NULL) {
		json_decref(o);
		return NULL;
	}
	/* keyed by address: sorted by the serialization, and a diff names
	 * the reservation that differs */
	for (size_t i = 0; i < n; i++) {
		json_t *r = resv_to_json(&rv[i]);

		if (r == NULL)
			continue;
		json_object_del(r, "subnet");
		json_object_del(r, "address");
		json_object_set_new(res, addr_str(rv[i].address, a), r);
	}
	json_object_set_new(o, "reservations", res);
	return o;
}
