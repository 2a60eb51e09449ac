/* Scopes: their definition, options and exclusions, and the relationship
 * each is in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp_opt.h"
#include "ivl.h"
#include "store_int.h"

void
scope_fini(struct scope *sc)
{
	dhcp_optlist_free(&sc->options);
	ivlset_free(&sc->exclusions);
}

void
scopes_free(struct scope *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scope_fini(&v[i]);
	free(v);
}

/* Replace a scope's stored options with sc->options. */
static int
scope_put_options(struct store *s, const struct scope *sc)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_OPT_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	if (stmt_run(s, q, "delete options") == -1)
		return -1;
	for (size_t i = 0; i < sc->options.n; i++) {
		const struct dhcp_opt *o = &sc->options.v[i];

		if ((q = stmt(s, S_OPT_INS)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, sc->subnet);
		sqlite3_bind_int(q, 2, o->code);
		sqlite3_bind_blob(q, 3, o->data, o->len, SQLITE_TRANSIENT);
		if (stmt_run(s, q, "insert option") == -1)
			return -1;
	}
	return 0;
}

static int
scope_insert_txn(struct store *s, const void *arg)
{
	const struct scope *sc = arg;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_SCOPE_INS)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	sqlite3_bind_int64(q, 2, sc->mask);
	sqlite3_bind_text(q, 3, sc->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 4, sc->range_start);
	sqlite3_bind_int64(q, 5, sc->range_end);
	sqlite3_bind_int64(q, 6, sc->lease_time);
	sqlite3_bind_int(q, 7, sc->enabled);
	if (stmt_run(s, q, "insert scope") == -1)
		return -1;
	for (size_t i = 0; i < sc->exclusions.n; i++)
		if (store_exclusion_add(s, sc->subnet, sc->exclusions.v[i].start,
		    sc->exclusions.v[i].end) == -1)
			return -1;
	return scope_put_options(s, sc);
}

int
store_scope_insert(struct store *s, const struct scope *sc)
{
	s->gen++;
	return store_atomically(s, scope_insert_txn, sc);
}

static int
scope_update_txn(struct store *s, const void *arg)
{
	const struct scope *sc = arg;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_SCOPE_UPD)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	sqlite3_bind_text(q, 2, sc->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, sc->lease_time);
	sqlite3_bind_int(q, 4, sc->enabled);
	if (stmt_run(s, q, "update scope") == -1)
		return -1;
	return scope_put_options(s, sc);
}

int
store_scope_update(struct store *s, const struct scope *sc)
{
	s->gen++;
	return store_atomically(s, scope_update_txn, sc);
}

/* Delete a scope and everything hanging off it (leases, options, ...). */
static int
scope_delete_txn(struct store *s, const void *arg)
{
	const uint32_t *subnet = arg;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_RELSCOPE_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, *subnet);
	if (stmt_run(s, q, "delete scope relationship") == -1)
		return -1;
	/* its lease rows go with it, whatever their state */
	if (lease_changes_ok(s, LEASE_ANY, LEASE_NONE, LEASE_BY_OPERATOR,
	    "delete scope") == -1 || (q = stmt(s, S_SCOPE_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, *subnet);
	mirror_forget(s);
	s->txn_leases = 1;
	if (stmt_run(s, q, "delete scope") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

int
store_scope_delete(struct store *s, uint32_t subnet)
{
	s->gen++;
	return store_atomically(s, scope_delete_txn, &subnet);
}

/* Load a scope's options. */
static int
scope_load_options(struct store *s, struct scope *sc)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = stmt(s, S_OPT_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, sc->subnet);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (dhcp_optlist_set(&sc->options, (uint8_t)sqlite3_column_int(q, 0),
		    sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1)) == -1) {
			sqlite3_reset(q);
			snprintf(s->err, sizeof(s->err), "bad stored option");
			return -1;
		}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "read options");
}

/* The name of the relationship holding a scope, "" if none. */
static int
scope_load_rel(struct store *s, uint32_t subnet, char *name, size_t len)
{
	name[0] = '\0';
	return store_scope_rel(s, subnet, name, len) == -1 ? -1 : 0;
}

int
store_scope_get(struct store *s, uint32_t subnet, struct scope *sc)
{
	sqlite3_stmt *q;
	int rc;

	memset(sc, 0, sizeof(*sc));
	if ((q = stmt(s, S_SCOPE_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if ((rc = stmt_row(s, q, "read scope")) != 0)
		return rc;
	sc->subnet = (uint32_t)sqlite3_column_int64(q, 0);
	sc->mask = (uint32_t)sqlite3_column_int64(q, 1);
	stmt_text(q, 2, sc->name, sizeof(sc->name));
	sc->range_start = (uint32_t)sqlite3_column_int64(q, 3);
	sc->range_end = (uint32_t)sqlite3_column_int64(q, 4);
	sc->lease_time = (uint32_t)sqlite3_column_int64(q, 5);
	sc->enabled = sqlite3_column_int(q, 6);
	sqlite3_reset(q);
	if (scope_load_options(s, sc) == -1 ||
	    stmt_ivls(s, S_EXCL_GET, subnet, &sc->exclusions) == -1 ||
	    scope_load_rel(s, subnet, sc->relationship, sizeof(sc->relationship)) == -1) {
		scope_fini(sc);
		return -1;
	}
	return 0;
}

int
store_scope_find(struct store *s, uint32_t addr, struct scope *out)
{
	sqlite3_stmt *q;
	uint32_t subnet;
	int rc;

	if ((q = stmt(s, S_SCOPE_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, addr);
	if ((rc = stmt_row(s, q, "find scope")) != 0)
		return rc;
	subnet = (uint32_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return store_scope_get(s, subnet, out);
}

int
store_scope_overlap(struct store *s, uint32_t subnet, uint32_t mask, uint32_t *other)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = stmt(s, S_SCOPE_OVERLAP)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, mask);
	if ((rc = stmt_row(s, q, "check overlap")) != 0)
		return rc;
	*other = (uint32_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

int
store_scope_list(struct store *s, struct scope **out, size_t *n)
{
	sqlite3_stmt *q;
	uint32_t *subnets;
	size_t count;

	*out = NULL;
	*n = 0;
	if ((q = stmt(s, S_SCOPE_LIST)) == NULL || stmt_u32s(s, q, &subnets, &count) == -1)
		return -1;
	if (count > 0 && (*out = calloc(count, sizeof(**out))) == NULL) {
		free(subnets);
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (store_scope_get(s, subnets[i], &(*out)[i]) != 0) {
			scopes_free(*out, i);
			*out = NULL;
			free(subnets);
			return -1;
		}
		*n = i + 1;
	}
	free(subnets);
	return 0;
}

int
store_exclusion_add(struct store *s, uint32_t subnet, uint32_t start, uint32_t end)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_EXCL_INS)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, start);
	sqlite3_bind_int64(q, 3, end);
	return stmt_run(s, q, "insert exclusion");
}

int
store_exclusion_remove(struct store *s, uint32_t subnet, uint32_t start, uint32_t end)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_EXCL_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_int64(q, 2, start);
	sqlite3_bind_int64(q, 3, end);
	if (stmt_run(s, q, "delete exclusion") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

int
store_scope_rel(struct store *s, uint32_t subnet, char *name, size_t len)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = stmt(s, S_SCOPE_REL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if ((rc = stmt_row(s, q, "read scope relationship")) != 0)
		return rc;
	stmt_text(q, 0, name, len);
	sqlite3_reset(q);
	return 0;
}
