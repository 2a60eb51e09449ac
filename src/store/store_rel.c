/* Failover relationships: their rows, and the scopes each holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "store_int.h"

void
fo_rel_fini(struct fo_rel *r)
{
	free(r->scopes);
	r->scopes = NULL;
	r->nscopes = 0;
}

void
fo_rels_free(struct fo_rel *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fo_rel_fini(&v[i]);
	free(v);
}

/* Bind the relationship columns in REL_COLS order. */
static void
rel_bind(sqlite3_stmt *q, const struct fo_rel *r)
{
	sqlite3_bind_text(q, 1, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, r->primary_server);
	sqlite3_bind_int64(q, 3, r->secondary_server);
	sqlite3_bind_text(q, 4, r->primary_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 5, r->secondary_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 6, r->mode);
	sqlite3_bind_int(q, 7, r->server_type);
	sqlite3_bind_int(q, 8, r->state);
	sqlite3_bind_int(q, 9, r->prev_state);
	sqlite3_bind_int(q, 10, r->partner_state);
	sqlite3_bind_int64(q, 11, r->mclt);
	sqlite3_bind_int64(q, 12, r->safe_period);
	sqlite3_bind_int(q, 13, (int)r->percentage);
	sqlite3_bind_text(q, 14, r->shared_secret, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 15, r->port);
	sqlite3_bind_int64(q, 16, r->stos);
	sqlite3_bind_int64(q, 17, r->fail_time);
	sqlite3_bind_int(q, 18, (int)r->lb_max_secs);
	sqlite3_bind_int(q, 19, (int)r->max_response_delay);
	sqlite3_bind_int(q, 20, (int)r->max_unacked);
}

static int
rel_insert_txn(struct store *s, const void *arg)
{
	const struct fo_rel *r = arg;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_REL_INS)) == NULL)
		return -1;
	rel_bind(q, r);
	if (stmt_run(s, q, "insert relationship") == -1)
		return -1;
	for (size_t i = 0; i < r->nscopes; i++)
		if (store_rel_add_scope(s, r->name, r->scopes[i]) == -1)
			return -1;
	return 0;
}

int
store_rel_insert(struct store *s, const struct fo_rel *r)
{
	s->gen++;
	return store_atomically(s, rel_insert_txn, r);
}

int
store_rel_update(struct store *s, const struct fo_rel *r)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_REL_UPD)) == NULL)
		return -1;
	rel_bind(q, r);
	if (stmt_run(s, q, "update relationship") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

/* Deleting a relationship hands every free address of its scopes back to this
 * server: a scope in no relationship has a single owner. */
static int
rel_delete_txn(struct store *s, const void *arg)
{
	struct fo_rel r;
	sqlite3_stmt *q;
	int rc;

	if ((rc = store_rel_get(s, arg, &r)) != 0)
		return rc;
	for (size_t i = 0; i < r.nscopes && rc == 0; i++)
		rc = store_rel_remove_scope(s, r.scopes[i]);
	fo_rel_fini(&r);
	if (rc != 0 || (q = stmt(s, S_REL_DEL)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
	return stmt_run(s, q, "delete relationship");
}

int
store_rel_delete(struct store *s, const char *name)
{
	s->gen++;
	return store_atomically(s, rel_delete_txn, name);
}

int
store_rel_get(struct store *s, const char *name, struct fo_rel *r)
{
	sqlite3_stmt *q;
	int64_t id;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((q = stmt(s, S_REL_GET)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
	if ((rc = stmt_row(s, q, "read relationship")) != 0)
		return rc;
	stmt_text(q, 0, r->name, sizeof(r->name));
	r->primary_server = (uint32_t)sqlite3_column_int64(q, 1);
	r->secondary_server = (uint32_t)sqlite3_column_int64(q, 2);
	stmt_text(q, 3, r->primary_name, sizeof(r->primary_name));
	stmt_text(q, 4, r->secondary_name, sizeof(r->secondary_name));
	r->mode = sqlite3_column_int(q, 5);
	r->server_type = sqlite3_column_int(q, 6);
	r->state = sqlite3_column_int(q, 7);
	r->prev_state = sqlite3_column_int(q, 8);
	r->partner_state = sqlite3_column_int(q, 9);
	r->mclt = (uint32_t)sqlite3_column_int64(q, 10);
	r->safe_period = (uint32_t)sqlite3_column_int64(q, 11);
	r->percentage = (unsigned)sqlite3_column_int(q, 12);
	stmt_text(q, 13, r->shared_secret, sizeof(r->shared_secret));
	r->port = (uint16_t)sqlite3_column_int(q, 14);
	r->stos = sqlite3_column_int64(q, 15);
	r->fail_time = sqlite3_column_int64(q, 16);
	r->lb_max_secs = (unsigned)sqlite3_column_int(q, 17);
	r->max_response_delay = (unsigned)sqlite3_column_int(q, 18);
	r->max_unacked = (unsigned)sqlite3_column_int(q, 19);
	id = sqlite3_column_int64(q, 20);
	sqlite3_reset(q);
	if ((q = stmt(s, S_REL_SCOPES)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return stmt_u32s(s, q, &r->scopes, &r->nscopes);
}

static void
name_from_row(sqlite3_stmt *q, void *out)
{
	stmt_text(q, 0, out, STORE_NAME_MAX);
}

/* Names in creation order. */
static int
rel_names(struct store *s, char (**names)[STORE_NAME_MAX], size_t *n)
{
	sqlite3_stmt *q;
	void *v;
	int rc;

	*names = NULL;
	*n = 0;
	if ((q = stmt(s, S_REL_LIST)) == NULL)
		return -1;
	rc = stmt_rows(s, q, STORE_NAME_MAX, name_from_row, &v, n,
	    "list relationships");
	*names = v;
	return rc;
}

int
store_rel_list(struct store *s, struct fo_rel **out, size_t *n)
{
	char (*names)[STORE_NAME_MAX];
	size_t count;

	*out = NULL;
	*n = 0;
	if (rel_names(s, &names, &count) == -1)
		return -1;
	if (count > 0 && (*out = calloc(count, sizeof(**out))) == NULL) {
		free(names);
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (store_rel_get(s, names[i], &(*out)[i]) != 0) {
			fo_rels_free(*out, i);
			*out = NULL;
			free(names);
			return -1;
		}
		*n = i + 1;
	}
	free(names);
	return 0;
}

int
store_rel_count(struct store *s, int64_t *n)
{
	return stmt_count(s, S_REL_COUNT, n);
}

int
store_rel_add_scope(struct store *s, const char *name, uint32_t subnet)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_RELSCOPE_INS)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, subnet);
	if (stmt_run(s, q, "add scope to relationship") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

/* Out of its relationship, a scope's free space has one owner again: drop the
 * secondary's intervals and turn BACKUP rows into FREE ones. */
int
store_rel_remove_scope(struct store *s, uint32_t subnet)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_RELSCOPE_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	if (stmt_run(s, q, "remove scope from relationship") == -1)
		return -1;
	if (backup_clear(s, subnet) == -1)
		return -1;
	return space_reown_rows(s, subnet, 0, UINT32_MAX, FO_PRIMARY,
	    LEASE_BY_OPERATOR, "return backup addresses");
}
