/* dhcpfoctl export / import: a server's configuration as one JSON document
 * (scopes with their exclusions, options and reservations; failover
 * relationships), and that document applied to a server, one RPC per item
 * (a declarative import/export). With --as-partner the
 * import is the partner's copy of each relationship, RPC.md §6.1: identical but
 * for server_type. Leases are state, not configuration: never exported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcpfoctl.h"

#define EXPORT_FORMAT	"dhcpfod-config"
#define EXPORT_VERSION	1
#define END	{ NULL, NULL, 0, 0, NULL, NULL, NULL }

/* Where the calls go, and what they came to. */
struct io {
	const char	*socket;
	double		 timeout;
	int		 dry_run;
	int		 failed;	/* items the server refused */
	int		 done;
};

/* One call whose result the caller takes (a new reference), or NULL: a
 * refusal printed (*refused set) or no answer (exit 3 for the caller).
 * params stay the caller's. */
static json_t *
io_call(struct io *io, const char *method, json_t *params, int *refused)
{
	struct rpc_reply r;
	json_t *res;

	*refused = 0;
	if (rpc_call(io->socket, io->timeout, method, params, &r) == -1)
		return NULL;
	if (r.result == NULL) {
		fprintf(stderr, "%s: %s (%d): %s\n", method, r.symbol, r.code,
		    r.detail ? r.detail : "");
		*refused = 1;
		rpc_reply_fini(&r);
		return NULL;
	}
	res = json_incref(r.result);
	rpc_reply_fini(&r);
	return res;
}

/* ---- export ---- */

/* The scopes with their reservations; NULL after saying why. */
static json_t *
export_scopes(struct io *io, int *rc)
{
	json_t *none = json_object(), *list, *scopes, *sc;
	size_t i;
	int refused;

	list = io_call(io, "scope.list", none, &refused);
	json_decref(none);
	if (list == NULL) {
		*rc = refused ? CLI_EXIT_SERVER : CLI_EXIT_CONNECT;
		return NULL;
	}
	scopes = json_incref(json_object_get(list, "scopes"));
	json_decref(list);
	json_array_foreach(scopes, i, sc) {
		json_t *p = json_pack("{s:O}", "subnet", json_object_get(sc, "subnet"));
		json_t *rv = io_call(io, "reservation.list", p, &refused);

		json_decref(p);
		if (rv == NULL) {
			*rc = refused ? CLI_EXIT_SERVER : CLI_EXIT_CONNECT;
			json_decref(scopes);
			return NULL;
		}
		json_object_set(sc, "reservations", json_object_get(rv, "reservations"));
		json_object_del(sc, "relationship");	/* the relationships say it */
		json_decref(rv);
	}
	return scopes;
}

/* The relationships as failover.create takes them: no state, no live view. */
static json_t *
export_rels(struct io *io, int *rc)
{
	static const char *const keep[] = { "name", "primary_server",
	    "secondary_server", "primary_server_name", "secondary_server_name",
	    "mode", "server_type", "mclt", "safe_period", "percentage", "port",
	    "load_balance_max_seconds", "max_response_delay", "max_unacked_updates",
	    "shared_secret_set", "scopes", NULL };
	json_t *none = json_object(), *list, *out = json_array(), *r;
	size_t i;
	int refused;

	list = io_call(io, "failover.list", none, &refused);
	json_decref(none);
	if (list == NULL) {
		*rc = refused ? CLI_EXIT_SERVER : CLI_EXIT_CONNECT;
		json_decref(out);
		return NULL;
	}
	json_array_foreach(json_object_get(list, "relationships"), i, r) {
		json_t *o = json_object();

		for (const char *const *k = keep; *k != NULL; k++)
			if (json_object_get(r, *k) != NULL)
				json_object_set(o, *k, json_object_get(r, *k));
		json_array_append_new(out, o);
	}
	json_decref(list);
	return out;
}

static int
run_export(const struct cmd *c, json_t *params, const char *socket, double timeout)
{
	struct io io = { socket, timeout, 0, 0, 0 };
	json_t *scopes, *rels, *doc;
	int rc = CLI_EXIT_OK;

	if ((scopes = export_scopes(&io, &rc)) == NULL)
		return rc;
	if ((rels = export_rels(&io, &rc)) == NULL) {
		json_decref(scopes);
		return rc;
	}
	doc = json_pack("{s:s, s:i, s:o, s:o}", "format", EXPORT_FORMAT, "version",
	    EXPORT_VERSION, "scopes", scopes, "relationships", rels);
	print_json(doc);
	json_decref(doc);
	return CLI_EXIT_OK;
}

/* ---- import ---- */

/* Make (or, dry, print) one call; 0 done, 1 refused (counted), -1 no answer. */
static int
io_apply(struct io *io, const char *method, json_t *params, const char *what)
{
	json_t *res;
	int refused;

	if (io->dry_run) {
		char *s = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);

		printf("would call %s %s\n", method, s ? s : "{}");
		free(s);
		return 0;
	}
	if ((res = io_call(io, method, params, &refused)) == NULL) {
		if (!refused)
			return -1;
		fprintf(stderr, "FAILED: %s\n", what);
		io->failed++;
		return 1;
	}
	json_decref(res);
	io->done++;
	return 0;
}

/* params = the listed keys of obj that are present (new object). */
static json_t *
pick(json_t *obj, const char *const *keys)
{
	json_t *o = json_object();

	for (const char *const *k = keys; *k != NULL; k++)
		if (json_object_get(obj, *k) != NULL)
			json_object_set(o, *k, json_object_get(obj, *k));
	return o;
}

/* Add to params every member of arr as {"subnet", ...item}, one call each. */
static int
apply_each(struct io *io, const char *method, json_t *subnet, json_t *arr,
    const char *what)
{
	json_t *item;
	size_t i;
	char w[256];

	json_array_foreach(arr, i, item) {
		json_t *p = json_is_object(item) ? json_copy(item) : json_object();
		int rc;

		json_object_set(p, "subnet", subnet);
		snprintf(w, sizeof(w), "%s %zu of scope %s", what, i + 1,
		    json_string_value(subnet));
		rc = io_apply(io, method, p, w);
		json_decref(p);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* A scope, its exclusions and reservations, and its state; -1 no answer. */
static int
import_scope(struct io *io, json_t *sc)
{
	static const char *const create[] = { "subnet", "prefix", "name", "range",
	    "lease_time", "options", NULL };
	json_t *subnet = json_object_get(sc, "subnet"), *p;
	char what[128];
	int rc;

	snprintf(what, sizeof(what), "scope %s", json_is_string(subnet) ?
	    json_string_value(subnet) : "(no subnet)");
	p = pick(sc, create);
	rc = io_apply(io, "scope.create", p, what);
	json_decref(p);
	if (rc != 0)
		return rc == -1 ? -1 : 0;	/* refused: its parts would be too */
	if (apply_each(io, "scope.add_exclusion", subnet,
	    json_object_get(sc, "exclusions"), "exclusion") == -1 ||
	    apply_each(io, "reservation.add", subnet,
	    json_object_get(sc, "reservations"), "reservation") == -1)
		return -1;
	if (json_is_string(json_object_get(sc, "state")) &&
	    strcmp(json_string_value(json_object_get(sc, "state")), "disabled") == 0) {
		p = json_pack("{s:O, s:s}", "subnet", subnet, "state", "disabled");
		rc = io_apply(io, "scope.set", p, what);
		json_decref(p);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* A relationship, the partner's copy with as_partner; -1 no answer. */
static int
import_rel(struct io *io, json_t *r, int as_partner, const char *secret)
{
	static const char *const create[] = { "name", "primary_server",
	    "secondary_server", "primary_server_name", "secondary_server_name",
	    "mode", "server_type", "mclt", "safe_period", "percentage", "port",
	    "load_balance_max_seconds", "max_response_delay", "max_unacked_updates",
	    "scopes", NULL };
	json_t *p = pick(r, create), *role = json_object_get(p, "server_type");
	const char *name = json_string_value(json_object_get(r, "name"));
	char what[320];
	int rc;

	snprintf(what, sizeof(what), "relationship %s", name ? name : "(no name)");
	if (as_partner && json_is_string(role))
		json_object_set_new(p, "server_type", json_string(strcmp(
		    json_string_value(role), "primary") == 0 ? "secondary" : "primary"));
	if (secret != NULL)
		json_object_set_new(p, "shared_secret", json_string(secret));
	else if (json_is_true(json_object_get(r, "shared_secret_set")))
		fprintf(stderr, "NOTE: %s had a shared secret, which is never "
		    "exported: give it with --secret, or set it later with "
		    "'dhcpfoctl failover set %s --secret X'\n", what, name ? name : "NAME");
	rc = io_apply(io, "failover.create", p, what);
	json_decref(p);
	return rc == -1 ? -1 : 0;
}

/* The document: an object of this format and version, or NULL with a reason. */
static json_t *
load_doc(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &je) :
	    json_load_file(path, 0, &je);

	if (doc == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return NULL;
	}
	if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "format")) ||
	    strcmp(json_string_value(json_object_get(doc, "format")),
	    EXPORT_FORMAT) != 0 || json_integer_value(json_object_get(doc,
	    "version")) != EXPORT_VERSION || !json_is_array(json_object_get(doc,
	    "scopes")) || !json_is_array(json_object_get(doc, "relationships"))) {
		snprintf(err, errlen, "%s: not a 'dhcpfoctl export' document (format "
		    "\"%s\", version %d, scopes and relationships arrays)", path,
		    EXPORT_FORMAT, EXPORT_VERSION);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static int
run_import(const struct cmd *c, json_t *params, const char *socket, double timeout)
{
	struct io io = { socket, timeout, 0, 0, 0 };
	const char *path = json_string_value(json_object_get(params, "file"));
	const char *secret = json_string_value(json_object_get(params, "secret"));
	int as_partner = json_object_get(params, "as_partner") != NULL;
	json_t *doc, *item;
	char err[CLI_ERRLEN];
	size_t i;

	io.dry_run = json_object_get(params, "dry_run") != NULL;
	if ((doc = load_doc(path ? path : "-", err, sizeof(err))) == NULL) {
		fprintf(stderr, "dhcpfoctl import: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	json_array_foreach(json_object_get(doc, "scopes"), i, item)
		if (import_scope(&io, item) == -1)
			goto noanswer;
	json_array_foreach(json_object_get(doc, "relationships"), i, item)
		if (import_rel(&io, item, as_partner, secret) == -1)
			goto noanswer;
	json_decref(doc);
	if (!io.dry_run)
		printf("import: %d calls made, %d refused\n", io.done, io.failed);
	return io.failed ? CLI_EXIT_SERVER : CLI_EXIT_OK;
noanswer:
	json_decref(doc);
	return CLI_EXIT_CONNECT;
}

static const struct argdef no_args[] = { END };

static const struct argdef a_import[] = {
	{ "FILE", "file", T_STR, ARG_REQUIRED, NULL,
	    "a document of 'dhcpfoctl export' (- : standard input)", NULL },
	END
};

static const struct argdef o_import[] = {
	{ "as-partner", "as_partner", T_FLAG, 0, NULL,
	    "create each relationship as the partner's copy: the other "
	    "server_type (RPC.md §6.1)", "yes" },
	{ "secret", "secret", T_STR, 0, "X",
	    "the relationships' shared secret (never exported)", NULL },
	{ "dry-run", "dry_run", T_FLAG, 0, NULL,
	    "print the calls instead of making them", "yes" },
	END
};

const struct cmd cli_io_cmds[] = {
	{ NULL, "export", NULL, "Print the configuration as one JSON document.",
	    no_args, no_args, NULL, NULL, CMD_RAW_JSON, run_export },
	{ NULL, "import", NULL, "Create what an export document holds.",
	    a_import, o_import, NULL, NULL, 0, run_import },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL }
};
