/* The hash of a canonical configuration and the field-by-field difference
 * of two (cfgdiff.h, RPC.md §2.6): pure JSON, shared by the daemon and
 * dhcpfoctl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "cfgdiff.h"

int
cfg_hash(const json_t *canon, char out[CFG_HASH_LEN + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *s;

	s = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (s == NULL)
		return -1;
	SHA256((const unsigned char *)s, strlen(s), md);
	free(s);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
diff_add(json_t *d, const char *path, const json_t *a, const json_t *b)
{
	json_array_append_new(d, json_pack("{s:s, s:O, s:O}", "field", path,
	    "here", a ? (json_t *)a : json_null(),
	    "partner", b ? (json_t *)b : json_null()));
}

/* Objects are compared member by member, in key order; anything else (an
 * array such as the exclusions, a number, a string) as one field. */
static void
diff_at(json_t *d, const char *path, const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v, *keys;
	char sub[512];

	if (a != NULL && b != NULL && json_equal((json_t *)a, (json_t *)b))
		return;
	if (!json_is_object(a) || !json_is_object(b)) {
		diff_add(d, path, a, b);
		return;
	}
	/* the keys of both, sorted, each once */
	keys = json_object();
	size_t nk, i = 0;
	const char **sorted;

	json_object_foreach((json_t *)a, k, v)
		json_object_set(keys, k, json_null());
	json_object_foreach((json_t *)b, k, v)
		json_object_set(keys, k, json_null());
	nk = json_object_size(keys);
	if ((sorted = calloc(nk ? nk : 1, sizeof(*sorted))) == NULL) {
		json_decref(keys);
		return;
	}
	json_object_foreach(keys, k, v)
		sorted[i++] = k;
	qsort(sorted, nk, sizeof(*sorted), cmp_str);
	for (i = 0; i < nk; i++) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "",
		    sorted[i]);
		diff_at(d, sub, json_object_get(a, sorted[i]),
		    json_object_get(b, sorted[i]));
	}
	free(sorted);
	json_decref(keys);
}

json_t *
cfg_diff(const json_t *here, const json_t *partner)
{
	json_t *d = json_array();

	if (d != NULL)
		diff_at(d, "", here, partner);
	return d;
}

json_t *
cfg_rel_diff(const json_t *here, const json_t *partner)
{
	json_t *d = cfg_diff(json_object_get(here, "config"),
	    json_object_get(partner, "config"));
	json_t *a = json_object_get(here, "server_type");
	json_t *b = json_object_get(partner, "server_type");

	if (d != NULL && (a == NULL || b == NULL || json_equal(a, b)))
		json_array_append_new(d, json_pack("{s:s, s:O, s:O}", "field",
		    "server_type", "here", a ? a : json_null(), "partner",
		    b ? b : json_null()));
	return d;
}

static int
ivl_in(const json_t *list, const json_t *x)
{
	size_t i;
	json_t *v;

	json_array_foreach((json_t *)list, i, v)
		if (json_equal(v, (json_t *)x))
			return 1;
	return 0;
}

static void
plan_add(json_t *plan, const char *method, json_t *params)
{
	json_array_append_new(plan, json_pack("{s:s, s:o}", "method", method,
	    "params", params));
}

/* A scope the partner lacks: its scope.create, and what that leaves there
 * (no exclusion, no reservation, enabled) to compare the rest with. */
static json_t *
plan_create(json_t *plan, const char *subnet, const json_t *a)
{
	plan_add(plan, "scope.create", json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}",
	    "subnet", subnet, "prefix", json_object_get(a, "prefix"),
	    "name", json_object_get(a, "name"), "range", json_object_get(a, "range"),
	    "lease_time", json_object_get(a, "lease_time"),
	    "options", json_object_get(a, "options")));
	return json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:s, s:[], s:{}}",
	    "prefix", json_object_get(a, "prefix"),
	    "mask", json_object_get(a, "mask"),
	    "name", json_object_get(a, "name"),
	    "range", json_object_get(a, "range"),
	    "lease_time", json_object_get(a, "lease_time"),
	    "options", json_object_get(a, "options"),
	    "state", "enabled", "exclusions", "reservations");
}

/* Name, lease time, options, state: one scope.set, if any differs. */
static void
plan_set(json_t *plan, const char *subnet, const json_t *a, const json_t *b)
{
	static const char *const fields[] = { "name", "lease_time", "options",
	    "state", NULL };
	json_t *set = json_pack("{s:s}", "subnet", subnet);

	for (const char *const *f = fields; *f != NULL; f++)
		if (!json_equal(json_object_get(a, *f), json_object_get(b, *f)))
			json_object_set(set, *f, json_object_get(a, *f));
	if (json_object_size(set) > 1)
		plan_add(plan, "scope.set", set);
	else
		json_decref(set);
}

/* Exclusions: the partner's extra ones removed first, then ours added. */
static void
plan_exclusions(json_t *plan, const char *subnet, const json_t *ea,
    const json_t *eb)
{
	json_t *v;
	size_t i;

	json_array_foreach((json_t *)eb, i, v)
		if (!ivl_in(ea, v))
			plan_add(plan, "scope.remove_exclusion", json_pack("{s:s, "
			    "s:O, s:O}", "subnet", subnet, "start",
			    json_object_get(v, "start"), "end",
			    json_object_get(v, "end")));
	json_array_foreach((json_t *)ea, i, v)
		if (!ivl_in(eb, v))
			plan_add(plan, "scope.add_exclusion", json_pack("{s:s, "
			    "s:O, s:O}", "subnet", subnet, "start",
			    json_object_get(v, "start"), "end",
			    json_object_get(v, "end")));
}

/* Reservations: the partner's that differ removed, ours added. */
static void
plan_reservations(json_t *plan, const char *subnet, const json_t *ra,
    const json_t *rb)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)rb, k, v)
		if (!json_equal(v, json_object_get(ra, k)))
			plan_add(plan, "reservation.remove", json_pack("{s:s, s:s}",
			    "subnet", subnet, "address", k));
	json_object_foreach((json_t *)ra, k, v)
		if (!json_equal(v, json_object_get(rb, k)))
			plan_add(plan, "reservation.add", json_pack("{s:s, s:s, s:O, "
			    "s:O}", "subnet", subnet, "address", k, "hwaddr",
			    json_object_get(v, "hwaddr"), "name",
			    json_object_get(v, "name")));
}

json_t *
cfg_plan(const char *subnet, const json_t *a, const json_t *b, char *err,
    size_t errlen)
{
	json_t *plan = json_array(), *made = NULL;

	if (b == NULL || json_is_null(b))
		b = made = plan_create(plan, subnet, a);
	if (!json_equal(json_object_get(a, "range"), json_object_get(b, "range")) ||
	    !json_equal(json_object_get(a, "mask"), json_object_get(b, "mask"))) {
		snprintf(err, errlen, "scope %s: the mask or range differs, which "
		    "scope.set cannot change: delete the partner's scope and "
		    "replicate again", subnet);
		json_decref(plan);
		json_decref(made);
		return NULL;
	}
	plan_set(plan, subnet, a, b);
	plan_exclusions(plan, subnet, json_object_get(a, "exclusions"),
	    json_object_get(b, "exclusions"));
	plan_reservations(plan, subnet, json_object_get(a, "reservations"),
	    json_object_get(b, "reservations"));
	json_decref(made);
	return plan;
}
