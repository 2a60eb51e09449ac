/* Reservations: an address kept for one hardware address in a scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* A reservation row (subnet, address, hwaddr, name): a stmt_decode_fn. */
static void
resv_from_row(sqlite3_stmt *q, void *out)
{
	struct reservation *r = out;

	memset(r, 0, sizeof(*r));
	r->subnet = (uint32_t)sqlite3_column_int64(q, 0);
	r->address = (uint32_t)sqlite3_column_int64(q, 1);
	r->hwlen = (uint8_t)stmt_blob(q, 2, r->hwaddr, sizeof(r->hwaddr));
	stmt_text(q, 3, r->name, sizeof(r->name));
}

int
store_resv_add(struct store *s, const struct reservation *r)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_RESV_INS)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, r->address);
	sqlite3_bind_int64(q, 2, r->subnet);
	sqlite3_bind_blob(q, 3, r->hwaddr, r->hwlen, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, r->name, -1, SQLITE_TRANSIENT);
	return stmt_run(s, q, "insert reservation");
}

int
store_resv_remove(struct store *s, uint32_t address)
{
	s->gen++;
	sqlite3_stmt *q;

	if ((q = stmt(s, S_RESV_DEL)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, address);
	if (stmt_run(s, q, "delete reservation") == -1)
		return -1;
	return sqlite3_changes(s->db) ? 0 : STORE_NOTFOUND;
}

int
store_resv_get(struct store *s, uint32_t address, struct reservation *out)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_RESV_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, address);
	return stmt_one(s, q, resv_from_row, out, "read reservation");
}

int
store_resv_get_hw(struct store *s, uint32_t subnet, const uint8_t *hw, size_t hwlen,
    struct reservation *out)
{
	sqlite3_stmt *q;

	if ((q = stmt(s, S_RESV_GET_HW)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	sqlite3_bind_blob(q, 2, hw, (int)hwlen, SQLITE_TRANSIENT);
	return stmt_one(s, q, resv_from_row, out, "read reservation");
}

int
store_resv_list(struct store *s, uint32_t subnet, struct reservation **out, size_t *n)
{
	sqlite3_stmt *q;
	void *v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((q = stmt(s, S_RESV_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, subnet);
	rc = stmt_rows(s, q, sizeof(**out), resv_from_row, &v, n,
	    "list reservations");
	*out = v;
	return rc;
}
