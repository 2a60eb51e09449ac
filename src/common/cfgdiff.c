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
