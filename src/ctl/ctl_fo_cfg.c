/* failover.config (RPC.md §6.17, *our addition*): the parameters of a
 * relationship that both partners must agree on, in one canonical form from
 * the pair's point of view, so that the drift checker (ctl_drift.c) and
 * `dhcpfoctl failover diff` compare them as they compare the scopes'
 * configuration (cfgdiff.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cfgdiff.h"
#include "ctl_cfg.h"
#include "ctl_cmd.h"
#include "ctl_fo.h"
#include "ctl_json.h"
#include "ctl_param.h"
#include "daemon.h"
#include "err.h"
#include "fo.h"
#include "util.h"

#define NONCE_MIN	16		/* hex digits */
#define NONCE_MAX	64
#define SECRET_ITER	4096		/* PBKDF2 rounds: a guess costs that */

/* The shared secret as both sides can compare it without showing it: a
 * PBKDF2-HMAC-SHA256 of it salted with the caller's nonce; "" on failure. */
static void
secret_digest(const char *secret, const char *nonce, char *out, size_t len)
{
	unsigned char d[32];
	char salt[NONCE_MAX + 32];

	out[0] = '\0';
	snprintf(salt, sizeof(salt), "dhcpfod failover.config %s", nonce);
	if (len < 2 * sizeof(d) + 8 || PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret),
	    (const unsigned char *)salt, (int)strlen(salt), SECRET_ITER,
	    EVP_sha256(), sizeof(d), d) != 1)
		return;
	strcpy(out, "pbkdf2:");
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

static int
addr_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The canonical parameters: equal on both partners when they agree. */
json_t *
rel_cfg_canon(struct fo_rel *r, const char *nonce)
{
	json_t *scopes = json_array(), *secret;
	char digest[80];

	qsort(r->scopes, r->nscopes, sizeof(*r->scopes), addr_cmp);
	for (size_t i = 0; i < r->nscopes; i++)
		json_array_append_new(scopes, json_addr(r->scopes[i]));
	if (r->shared_secret[0] == '\0')
		secret = json_null();
	else if (nonce == NULL)
		secret = json_string("set");
	else {
		secret_digest(r->shared_secret, nonce, digest, sizeof(digest));
		secret = json_string(digest);
	}
	return json_pack("{s:o, s:o, s:s, s:i, s:I, s:I, s:i, s:i, s:i, s:o, "
	    "s:o}", "primary_server", json_addr(r->primary_server),
	    "secondary_server", json_addr(r->secondary_server),
	    "mode", fo_mode_name(r->mode), "percentage", (int)r->percentage,
	    "mclt", (json_int_t)r->mclt, "safe_period", (json_int_t)r->safe_period,
	    "load_balance_max_seconds", (int)r->lb_max_secs,
	    "max_response_delay", (int)r->max_response_delay,
	    "max_unacked_updates", (int)r->max_unacked,
	    "shared_secret", secret, "scopes", scopes);
}

void
m_fo_config(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { "name", "nonce", NULL };
	struct fo_rel rel;
	const char *name, *nonce = NULL;
	json_t *canon;
	char hash[CFG_HASH_LEN + 1];
	size_t n;
	int rc;

	if (param_name(r, p, &name) == -1 || param_only(r, p, allowed) == -1 ||
	    (rc = param_str(r, p, "nonce", 0, &nonce)) == -1)
		return;
	if (rc == 0 && ((n = strlen(nonce)) < NONCE_MIN || n > NONCE_MAX ||
	    strspn(nonce, "0123456789abcdef") != n)) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "'nonce' must be %d..%d lowercase "
		    "hex digits", NONCE_MIN, NONCE_MAX);
		return;
	}
	if (ctl_rel_lookup(r, name, &rel) == -1)
		return;
	canon = rel_cfg_canon(&rel, rc == 0 ? nonce : NULL);
	if (canon == NULL || cfg_hash(canon, hash) == -1) {
		json_decref(canon);
		ctl_fail(r, ERR_JET_ERROR, "out of memory");
	} else
		ctl_reply(r, json_pack("{s:s, s:s, s:o, s:s}", "name", rel.name,
		    "server_type", fo_role_name(rel.server_type), "config", canon,
		    "hash", hash));
	fo_rel_fini(&rel);
}
