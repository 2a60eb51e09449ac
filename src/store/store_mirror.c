/* The lease rows in memory: mirror, staged writes, offers.
 *
 * Once the DHCP engine asks for a client's lease, every lease row is mirrored
 * in s->rows and lease lookups are answered from memory. While the engine
 * stages (store_stage), a lease write only changes the mirror and records the
 * address; the staged writes reach SQLite in one transaction when the engine
 * commits, or before any other statement or transaction (so every other
 * reader and writer sees them). An offer (state OFFERED) is never written: it
 * lives in s->offers, in front of the row of its address, until the address
 * is written again. Whatever might have made the mirror differ from the table
 * (a rollback, a statement that changes many rows) makes it reload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_lmem.h"
#include "store_pendq.h"
#include "util.h"

/* Forget the mirror (reloaded on next use), and the staged writes with it. */
void
mirror_forget(struct store *s)
{
	if (s->ndirty > 0) {
		s->stage_failed = 1;
		s->losses++;
		snprintf(s->stage_err, sizeof(s->stage_err),
		    "%zu staged lease writes discarded", s->ndirty);
	}
	s->ndirty = 0;
	s->rows_loaded = 0;
	lmem_clear(s->rows);
	pendq_clear(s->pend);
}

/* Load the mirror of the lease rows if it is not loaded. */
int
mirror_load(struct store *s)
{
	struct lease l;
	sqlite3_stmt *q;
	int rc;

	if (s->rows_loaded)
		return 0;
	if ((q = stmt(s, S_LEASE_ALL)) == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		lease_from_row(q, &l);
		if (lmem_put(s->rows, &l, ROW_INSQL | ROW_KEYS) == -1 ||
		    (l.pending > 0 && pendq_add(s->pend, l.pending, l.address) == -1))
			break;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		lmem_clear(s->rows);
		pendq_clear(s->pend);
		if (rc != SQLITE_ROW)
			return store_fail(s, "read leases");
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	s->rows_loaded = 1;
	return 0;
}

static int
dirty_push(struct store *s, uint32_t addr)
{
	if (s->ndirty == s->capdirty) {
		size_t cap = s->capdirty ? s->capdirty * 2 : 1024;
		uint32_t *v = reallocarray(s->dirty, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		s->dirty = v;
		s->capdirty = cap;
	}
	s->dirty[s->ndirty++] = addr;
	return 0;
}

/* Stage a write: into the mirror, its address remembered. */
int
stage_put(struct store *s, const struct lease *l)
{
	unsigned flags = 0, nf;
	int same = lmem_same_keys(s->rows, l, &flags);

	nf = ROW_DIRTY | (flags & ROW_INSQL) | (l->fo_sync ? ROW_UNSENT : 0);
	if (same == 1 && (flags & ROW_KEYS))
		nf |= ROW_KEYS;
	if ((!(flags & ROW_DIRTY) && dirty_push(s, l->address) == -1) ||
	    lmem_put(s->rows, l, nf) == -1) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	return 0;
}

/* The row of addr was written by the open transaction: its pending number
 * in the mirror and, when the partner is to hear of it, in the queue. */
static int
mirror_pend(struct store *s, uint32_t addr, int fo_sync)
{
	if (lmem_set_pending(s->rows, addr, fo_sync ? s->seq : 0) != 0)
		return -1;
	if (fo_sync && pendq_add(s->pend, s->seq, addr) == -1)
		return -1;
	return 0;
}

/* Write one staged row: its times only when its keys are already stored. */
static int
row_write(struct store *s, uint32_t addr)
{
	struct lease l;
	unsigned flags;
	int rc;

	if (lmem_get(s->rows, addr, &l, &flags) != 0 || !(flags & ROW_DIRTY))
		return 0;
	if ((flags & ROW_INSQL) && (flags & ROW_KEYS))
		rc = lease_sql_times(s, &l);
	else
		rc = lease_sql_put(s, &l);
	if (rc == 0) {
		lmem_set_flags(s->rows, addr, ROW_INSQL | ROW_KEYS |
		    (flags & ROW_UNSENT));
		if (mirror_pend(s, addr, l.fo_sync) == -1) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
	}
	return rc;
}

/* Every staged write in one transaction, committed into the WAL (durable at
 * the next fsync of it). On failure nothing of them is stored: the mirror
 * reloads and the engine hears of it at its next commit. */
int
stage_flush(struct store *s)
{
	size_t i = 0;

	if (s->ndirty == 0 || s->in_txn)
		return 0;
	if (stmt_txn(s, S_BEGIN) == 0) {
		s->in_txn = 1;
		s->seq++;	/* numbers the pending bindings it writes */
		while (i < s->ndirty && row_write(s, s->dirty[i]) == 0)
			i++;
		if (i == s->ndirty && stmt_txn(s, S_COMMIT) == 0) {
			s->in_txn = 0;
			s->ndirty = 0;
			s->committed = s->seq;
			return 0;
		}
		/* SQLite may have rolled back already: its complaint about a
		 * second ROLLBACK is not the error to report */
		snprintf(s->stage_err, sizeof(s->stage_err), "%s", s->err);
		stmt_txn(s, S_ROLLBACK);
		snprintf(s->err, sizeof(s->err), "%s", s->stage_err);
		s->in_txn = 0;
	}
	snprintf(s->stage_err, sizeof(s->stage_err), "%s", s->err);
	s->ndirty = 0;
	s->stage_failed = 1;
	s->losses++;
	mirror_forget(s);
	return -1;
}

void
store_stage(struct store *s, int on)
{
	s->staging = on;
}

/* The state of addr's row (LEASE_NONE: no row), whatever offer stands in
 * front of it; -1 on a read error. */
static int
row_state(struct store *s, uint32_t addr, enum lease_state *out)
{
	struct lease l;
	int rc;

	if (s->rows_loaded)
		rc = lmem_get(s->rows, addr, &l, NULL) == 0 ? 0 : STORE_NOTFOUND;
	else
		rc = lease_sql_get(s, addr, &l);
	if (rc == -1)
		return -1;
	*out = rc == 0 ? l.state : LEASE_NONE;
	return 0;
}

/* The gate of every lease write (lease.h, lease_move_check): may `who` move
 * addr from the state the store holds (its offer, else its row, else
 * LEASE_NONE) to `to`. 0, or -1: a read error, or a refusal (logged, and in
 * s->err; not a storage failure). */
int
lease_change_ok(struct store *s, uint32_t addr, enum lease_state to,
    enum lease_actor who)
{
	enum lease_state from = LEASE_OFFERED;
	char a[16];

	if (lmem_get(s->offers, addr, NULL, NULL) != 0 &&
	    row_state(s, addr, &from) == -1)
		return -1;
	if (lease_move_check(addr, from, to, who) == 0)
		return 0;
	snprintf(s->err, sizeof(s->err), "lease %s: %s -> %s is not a move %s "
	    "may make", addr_str(addr, a), from ? lease_state_name(from) : "NONE",
	    to ? lease_state_name(to) : "NONE", lease_actor_name(who));
	return -1;
}

/* The gate for a statement that changes many rows: every state of `from`
 * (LEASE_BIT) to `to`. 0, or -1 (logged, in s->err). */
int
lease_changes_ok(struct store *s, unsigned from, enum lease_state to,
    enum lease_actor who, const char *what)
{
	if (lease_moves_check(from, to, who, what) == 0)
		return 0;
	snprintf(s->err, sizeof(s->err), "%s: not a move %s may make", what,
	    lease_actor_name(who));
	return -1;
}

/* An offer ends (its address is written again): nothing was stored for it,
 * and nothing needs to be when the address is simply free again and had no
 * row. 1: the write is done, 0: it still has to be made, -1: error. */
static int
offer_end(struct store *s, const struct lease *l)
{
	if (lmem_del(s->offers, l->address) != 0 || !lease_state_is_free(l->state))
		return 0;
	if (mirror_load(s) == -1)
		return -1;
	return lmem_get(s->rows, l->address, NULL, NULL) == 0 ? 0 : 1;
}

/* Write a lease: staged (stage: the caller's wish, honoured when the mirror
 * is loaded and no transaction is open) or at once. */
static int
lease_put(struct store *s, const struct lease *l, int stage,
    enum lease_actor who)
{
	char a[16];
	int rc;

	if (l->state <= LEASE_NONE || l->state >= LEASE_NSTATES) {
		snprintf(s->err, sizeof(s->err), "lease %s: no state to write",
		    addr_str(l->address, a));
		return -1;
	}
	if (lease_change_ok(s, l->address, l->state, who) == -1)
		return -1;
	if (l->state == LEASE_OFFERED) {
		if (lmem_put(s->offers, l, 0) == -1) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
		return 0;
	}
	if ((rc = offer_end(s, l)) != 0)
		return rc == 1 ? 0 : -1;
	if (stage && s->rows_loaded && !s->in_txn)
		return stage_put(s, l);
	if (lease_sql_put(s, l) == -1)
		return -1;
	s->txn_leases = 1;
	if (s->rows_loaded && (lmem_put(s->rows, l, ROW_INSQL | ROW_KEYS |
	    (l->fo_sync ? ROW_UNSENT : 0)) == -1 ||
	    mirror_pend(s, l->address, l->fo_sync) == -1))
		mirror_forget(s);
	return 0;
}

int
store_offer_end(struct store *s, uint32_t addr, enum lease_actor who)
{
	enum lease_state behind;
	char a[16];

	if (lmem_get(s->offers, addr, NULL, NULL) != 0)
		return STORE_NOTFOUND;
	if (row_state(s, addr, &behind) == -1)
		return -1;
	if (lease_move_check(addr, LEASE_OFFERED, behind, who) == -1) {
		snprintf(s->err, sizeof(s->err), "lease %s: the offer cannot end "
		    "by %s", addr_str(addr, a), lease_actor_name(who));
		return -1;
	}
	return lmem_del(s->offers, addr) == 0 ? 0 : STORE_NOTFOUND;
}

int
store_lease_put(struct store *s, const struct lease *l, enum lease_actor who)
{
	return lease_put(s, l, s->staging, who);
}

int
store_lease_stage(struct store *s, const struct lease *l, enum lease_actor who)
{
	if (!s->in_txn && mirror_load(s) == -1)
		return -1;
	return lease_put(s, l, 1, who);
}

int
store_lease_get(struct store *s, uint32_t address, struct lease *out)
{
	if (lmem_get(s->offers, address, out, NULL) == 0)
		return 0;
	if (!s->rows_loaded)
		return lease_sql_get(s, address, out);
	return lmem_get(s->rows, address, out, NULL) == 0 ? 0 : STORE_NOTFOUND;
}

static int
offered(void *arg, uint32_t addr)
{
	return lmem_get(arg, addr, NULL, NULL) == 0;
}

/* A client's lease in a subnet from memory: its offer or its row, whichever
 * the SQL order prefers (a row behind an offer is not the row's client's). */
static int
find_client(struct store *s, uint32_t subnet, const uint8_t *cid, size_t cidlen,
    const uint8_t *hw, size_t hwlen, struct lease *out)
{
	struct lease o;
	int ro, rr;

	if (mirror_load(s) == -1)
		return -1;
	ro = lmem_find_client(s->offers, subnet, cid, cidlen, hw, hwlen, NULL, NULL, &o);
	rr = lmem_find_client(s->rows, subnet, cid, cidlen, hw, hwlen,
	    lmem_count(s->offers) ? offered : NULL, s->offers, out);
	if (ro == 0 && (rr != 0 || lmem_better(&o, out)))
		*out = o;
	return ro == 0 || rr == 0 ? 0 : STORE_NOTFOUND;
}

int
store_lease_get_cid(struct store *s, uint32_t subnet, const uint8_t *cid,
    size_t len, struct lease *out)
{
	return find_client(s, subnet, cid, len, NULL, 0, out);
}

int
store_lease_get_client_hw(struct store *s, uint32_t subnet, const uint8_t *hw,
    size_t hwlen, struct lease *out)
{
	return find_client(s, subnet, NULL, 0, hw, hwlen, out);
}
