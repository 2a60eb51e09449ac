/* Storage: schema, scopes, reservations, leases, relationships, and the
 * interval view of free space with its statistics and rebalancing. */
#include <check.h>
#include <errno.h>
#include <sqlite3.h>	/* only to inject faults into its unix VFS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fo.h"
#include "fo_rebal.h"
#include "log.h"
#include "store.h"
#include "store_health.h"
#include "util.h"

static char dir[64];
static struct store *st;

/* Fixtures write leases in whatever state a test needs, each as an actor the
 * lease-state table (lease.h) lets make that move, through ACTIVE (which the
 * partner may write over anything) when none does: the store refuses the
 * others (check_lease.c tests that). */
typedef int put_fn(struct store *, const struct lease *, enum lease_actor);

static int
put_via(const struct lease *l, put_fn *fn)
{
	struct lease cur, mid = *l;
	enum lease_state from = LEASE_NONE;

	if (store_lease_get(st, l->address, &cur) == 0)
		from = cur.state;
	for (int pass = 0; pass < 2; pass++) {
		for (int who = 0; who < LEASE_NACTORS; who++)
			if (lease_move_allowed(from, l->state, who))
				return fn(st, l, who);
		mid.state = LEASE_ACTIVE;
		if (fn(st, &mid, LEASE_BY_BNDUPD) != 0)
			return -1;
		from = LEASE_ACTIVE;
	}
	return -1;
}

static int
put(const struct lease *l)
{
	return put_via(l, store_lease_put);
}

static int
stage(const struct lease *l)
{
	return put_via(l, store_lease_stage);
}

static uint32_t
A(const char *s)
{
	uint32_t a;

	ck_assert_int_eq(addr_parse(s, &a), 0);
	return a;
}

static void
setup(void)
{
	char path[128], err[256];

	snprintf(dir, sizeof(dir), "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	st = store_open(path, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
}

static void
teardown(void)
{
	char cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A scope subnet/prefix with range [lo, hi]. */
static void
mkscope(const char *subnet, int prefix, const char *lo, const char *hi)
{
	struct scope sc = { 0 };

	sc.subnet = A(subnet);
	sc.mask = prefix_to_mask(prefix);
	sc.range_start = A(lo);
	sc.range_end = A(hi);
	sc.lease_time = 3600;
	sc.enabled = 1;
	snprintf(sc.name, sizeof(sc.name), "s-%s", subnet);
	ck_assert_int_eq(store_scope_insert(st, &sc), 0);
}

static void
mklease(const char *addr, const char *subnet, int state, int owner)
{
	struct lease l = { 0 };

	l.address = A(addr);
	l.subnet = A(subnet);
	l.state = state;
	l.owner = owner;
	l.hwlen = 6;
	memcpy(l.hwaddr, "\x02\x00\x00\x00\x00\x01", 6);
	l.hwaddr[5] = (uint8_t)(l.address & 0xff);
	l.ends = 2000000000;
	ck_assert_int_eq(put(&l), 0);
}

static void
mkrel(const char *name, int role, const char *scope)
{
	struct fo_rel r = { 0 };
	uint32_t s = A(scope);

	snprintf(r.name, sizeof(r.name), "%s", name);
	r.primary_server = A("10.77.0.1");
	r.secondary_server = A("10.77.0.2");
	r.server_type = role;
	r.state = FO_STARTUP;
	r.prev_state = FO_INIT;
	r.mclt = 3600;
	r.percentage = 50;
	r.port = 647;
	r.scopes = &s;
	r.nscopes = 1;
	ck_assert_int_eq(store_rel_insert(st, &r), 0);
}

static struct scope_stats
stats(const char *subnet, int role)
{
	struct scope_stats s;

	ck_assert_int_eq(store_scope_stats(st, A(subnet), role, &s), 0);
	return s;
}

START_TEST(test_reopen_keeps_data)
{
	char path[128], err[256];
	struct scope sc;

	mkscope("10.1.0.0", 24, "10.1.0.10", "10.1.0.200");
	store_close(st);
	snprintf(path, sizeof(path), "%s/db", dir);
	st = store_open(path, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(store_scope_get(st, A("10.1.0.0"), &sc), 0);
	ck_assert_str_eq(sc.name, "s-10.1.0.0");
	ck_assert_uint_eq(sc.range_end, A("10.1.0.200"));
	scope_fini(&sc);
}
END_TEST

START_TEST(test_missing_dir_is_clear)
{
	char err[256];

	ck_assert_ptr_null(store_open("/nonexistent-dir/x/db", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "database directory /nonexistent-dir/x"));
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	char path[128], err[256], cmd[256];

	store_close(st);
	st = NULL;
	snprintf(path, sizeof(path), "%s/db", dir);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version = 99'", path);
	if (system(cmd) != 0)
		return;		/* no sqlite3 shell: nothing to check with */
	ck_assert_ptr_null(store_open(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "newer"));
}
END_TEST

START_TEST(test_scope_options_exclusions)
{
	struct scope sc = { 0 }, got;
	uint8_t router[4] = { 10, 1, 0, 1 };

	sc.subnet = A("10.2.0.0");
	sc.mask = prefix_to_mask(16);
	sc.range_start = A("10.2.0.1");
	sc.range_end = A("10.2.255.254");
	sc.enabled = 1;
	ck_assert_int_eq(dhcp_optlist_set(&sc.options, 3, router, 4), 0);
	ck_assert_int_eq(ivlset_add(&sc.exclusions, A("10.2.0.1"), A("10.2.0.9")), 0);
	ck_assert_int_eq(store_scope_insert(st, &sc), 0);
	scope_fini(&sc);
	ck_assert_int_eq(store_scope_get(st, A("10.2.0.0"), &got), 0);
	ck_assert_uint_eq(got.options.n, 1);
	ck_assert_int_eq(got.options.v[0].code, 3);
	ck_assert_mem_eq(got.options.v[0].data, router, 4);
	ck_assert_uint_eq(got.exclusions.n, 1);
	ck_assert_int_eq(store_exclusion_remove(st, got.subnet, A("10.2.0.1"),
	    A("10.2.0.8")), STORE_NOTFOUND);
	scope_fini(&got);
	ck_assert_int_eq(store_scope_find(st, A("10.2.3.4"), &got), 0);
	ck_assert_uint_eq(got.subnet, A("10.2.0.0"));
	scope_fini(&got);
	ck_assert_int_eq(store_scope_find(st, A("10.3.0.1"), &got), STORE_NOTFOUND);
}
END_TEST

START_TEST(test_overlap)
{
	uint32_t other;

	mkscope("10.0.0.0", 8, "10.0.0.1", "10.255.255.254");
	ck_assert_int_eq(store_scope_overlap(st, A("10.5.0.0"), prefix_to_mask(16),
	    &other), 0);
	ck_assert_uint_eq(other, A("10.0.0.0"));
	ck_assert_int_eq(store_scope_overlap(st, A("0.0.0.0"), prefix_to_mask(1),
	    &other), 0);
	ck_assert_int_eq(store_scope_overlap(st, A("11.0.0.0"), prefix_to_mask(8),
	    &other), STORE_NOTFOUND);
}
END_TEST

/* DESIGN §3: a /8 costs one interval, not sixteen million rows. */
START_TEST(test_slash8_is_compact)
{
	struct rebal_run *runs;
	struct scope_stats s;
	size_t n;

	mkscope("10.0.0.0", 8, "10.0.0.1", "10.255.255.254");
	s = stats("10.0.0.0", -1);
	ck_assert_uint_eq(s.num_addr, 16777214);
	ck_assert_uint_eq(s.addr_free, 16777214);
	ck_assert_uint_eq(s.this_addr_free, 16777214);
	ck_assert_uint_eq(s.addr_in_use, 0);
	ck_assert_int_eq(store_free_runs(st, A("10.0.0.0"), &runs, &n), 0);
	ck_assert_uint_eq(n, 1);
	free(runs);
}
END_TEST

START_TEST(test_stats_holes)
{
	struct reservation rv = { 0 };
	struct scope_stats s;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.100");
	ck_assert_int_eq(store_exclusion_add(st, A("10.1.0.0"), A("10.1.0.91"),
	    A("10.1.0.100")), 0);
	rv.subnet = A("10.1.0.0");
	rv.address = A("10.1.0.5");
	rv.hwlen = 6;
	ck_assert_int_eq(store_resv_add(st, &rv), 0);
	mklease("10.1.0.6", "10.1.0.0", LEASE_ACTIVE, FO_PRIMARY);
	mklease("10.1.0.7", "10.1.0.0", LEASE_ABANDONED, FO_SECONDARY);
	mklease("10.1.0.8", "10.1.0.0", LEASE_FREE, FO_PRIMARY);
	mklease("10.1.0.95", "10.1.0.0", LEASE_ACTIVE, FO_PRIMARY);	/* excluded */
	mkrel("r1", FO_PRIMARY, "10.1.0.0");
	s = stats("10.1.0.0", FO_PRIMARY);
	ck_assert_uint_eq(s.num_addr, 90);
	ck_assert_uint_eq(s.addr_free, 87);		/* minus 5, 6, 7 */
	ck_assert_uint_eq(s.addr_in_use, 3);
	ck_assert_uint_eq(s.this_addr_free, 87);
	ck_assert_uint_eq(s.partner_addr_free, 0);
	ck_assert_uint_eq(s.this_addr_in_use, 1);
	ck_assert_uint_eq(s.partner_addr_in_use, 1);
}
END_TEST

/* Rebalancing 50/50 moves exactly half; exclusions, reservations and leases
 * never move; the secondary sees the same numbers swapped. */
/* Plan the relationship's first scope and apply the moves in the store, as
 * the primary and an acknowledging secondary together would (the wire part
 * is fo_move.c's, tested end to end by t_failover). Returns the moves made to
 * the secondary, or -1 when the threshold leaves the scope alone. */
static int64_t
rebalance(const struct fo_rel *rel, unsigned threshold)
{
	struct rebal_plan plan;
	struct rebal_run *runs;
	size_t n;
	int64_t moved;

	ck_assert_int_eq(store_free_runs(st, rel->scopes[0], &runs, &n), 0);
	ck_assert_int_eq(rebal_plan_scope(runs, n, fo_secondary_share(rel->mode,
	    rel->percentage), &plan), 0);
	free(runs);
	if (threshold > 0 && !rebal_needed(&plan, threshold)) {
		rebal_plan_free(&plan);
		return -1;
	}
	ck_assert_int_eq(store_apply_moves(st, rel->scopes[0], plan.moves,
	    plan.nmoves), 0);
	moved = (int64_t)plan.to_secondary;
	rebal_plan_free(&plan);
	return moved;
}

START_TEST(test_rebalance_targets)
{
	struct reservation rv = { 0 };
	struct fo_rel rel;
	struct scope_stats p, q;
	int64_t moved;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	ck_assert_int_eq(store_exclusion_add(st, A("10.1.0.0"), A("10.1.0.100"),
	    A("10.1.0.109")), 0);
	rv.subnet = A("10.1.0.0");
	rv.address = A("10.1.0.250");
	rv.hwlen = 6;
	ck_assert_int_eq(store_resv_add(st, &rv), 0);
	mklease("10.1.0.200", "10.1.0.0", LEASE_ACTIVE, FO_PRIMARY);
	mklease("10.1.0.201", "10.1.0.0", LEASE_FREE, FO_PRIMARY);
	mkrel("r1", FO_PRIMARY, "10.1.0.0");
	ck_assert_int_eq(store_rel_get(st, "r1", &rel), 0);
	moved = rebalance(&rel, 0);
	p = stats("10.1.0.0", FO_PRIMARY);
	q = stats("10.1.0.0", FO_SECONDARY);
	ck_assert_uint_eq(p.addr_free, 254 - 10 - 2);
	ck_assert_uint_eq(p.partner_addr_free, p.addr_free / 2);
	ck_assert_uint_eq(p.this_addr_free, p.addr_free - p.addr_free / 2);
	ck_assert_uint_eq(q.this_addr_free, p.partner_addr_free);
	ck_assert_uint_eq(q.partner_addr_free, p.this_addr_free);
	ck_assert_int_eq(moved, (int64_t)(p.addr_free / 2));
	/* 100 % primary: everything comes back */
	rel.percentage = 100;
	ck_assert_int_eq(rebalance(&rel, 0), 0);
	p = stats("10.1.0.0", FO_PRIMARY);
	ck_assert_uint_eq(p.partner_addr_free, 0);
	ck_assert_uint_eq(p.this_addr_free, 242);
	ck_assert_uint_eq(p.addr_in_use, 2);
	fo_rel_fini(&rel);
}
END_TEST

/* Hot standby 5 %: the standby gets floor(F * 5 / 100); a released lease and a
 * removed relationship hand addresses back to the primary. */
START_TEST(test_hot_standby_and_return)
{
	struct fo_rel rel;
	struct scope_stats p;

	mkscope("10.9.0.0", 16, "10.9.0.1", "10.9.255.254");
	mkrel("hs", FO_PRIMARY, "10.9.0.0");
	ck_assert_int_eq(store_rel_get(st, "hs", &rel), 0);
	rel.mode = FO_MODE_HOT_STANDBY;
	rel.percentage = 5;
	ck_assert_int_eq(rebalance(&rel, 0), 65534 * 5 / 100);
	p = stats("10.9.0.0", FO_PRIMARY);
	ck_assert_uint_eq(p.partner_addr_free, 65534 * 5 / 100);
	/* the timer's 5 % threshold leaves a balanced scope alone */
	ck_assert_int_eq(rebalance(&rel, 5), -1);
	mklease("10.9.255.254", "10.9.0.0", LEASE_ACTIVE, FO_SECONDARY);
	p = stats("10.9.0.0", FO_PRIMARY);
	ck_assert_uint_eq(p.partner_addr_in_use, 1);
	ck_assert_int_eq(store_lease_delete(st, A("10.9.255.254")), 0);
	p = stats("10.9.0.0", FO_PRIMARY);
	ck_assert_uint_eq(p.partner_addr_free, 65534 * 5 / 100 - 1);
	ck_assert_uint_eq(p.addr_free, 65534);
	ck_assert_int_eq(store_rel_delete(st, "hs"), 0);
	p = stats("10.9.0.0", -1);
	ck_assert_uint_eq(p.this_addr_free, 65534);
	fo_rel_fini(&rel);
}
END_TEST

START_TEST(test_relationship_roundtrip)
{
	struct fo_rel r, *v;
	struct scope sc;
	size_t n;
	int64_t count;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	mkscope("10.2.0.0", 24, "10.2.0.1", "10.2.0.254");
	mkrel("Alpha", FO_SECONDARY, "10.1.0.0");
	ck_assert_int_eq(store_rel_add_scope(st, "alpha", A("10.2.0.0")), 0);
	ck_assert_int_eq(store_rel_get(st, "ALPHA", &r), 0);	/* names fold case */
	ck_assert_str_eq(r.name, "Alpha");
	ck_assert_int_eq(r.server_type, FO_SECONDARY);
	ck_assert_uint_eq(r.nscopes, 2);
	r.state = FO_PARTNER_DOWN;
	ck_assert_int_eq(store_rel_update(st, &r), 0);
	fo_rel_fini(&r);
	ck_assert_int_eq(store_rel_get(st, "Alpha", &r), 0);
	ck_assert_int_eq(r.state, FO_PARTNER_DOWN);
	fo_rel_fini(&r);
	ck_assert_int_eq(store_scope_get(st, A("10.2.0.0"), &sc), 0);
	ck_assert_str_eq(sc.relationship, "Alpha");
	scope_fini(&sc);
	ck_assert_int_eq(store_rel_list(st, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	fo_rels_free(v, n);
	ck_assert_int_eq(store_rel_delete(st, "Alpha"), 0);
	ck_assert_int_eq(store_rel_count(st, &count), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_int_eq(store_rel_get(st, "Alpha", &r), STORE_NOTFOUND);
	ck_assert_int_eq(store_scope_get(st, A("10.2.0.0"), &sc), 0);
	ck_assert_str_eq(sc.relationship, "");
	scope_fini(&sc);
}
END_TEST

START_TEST(test_leases_paged_and_lookup)
{
	struct lease *v, l;
	size_t n;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	for (int i = 1; i <= 5; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.1.0.%d", i);
		mklease(a, "10.1.0.0", LEASE_ACTIVE, FO_PRIMARY);
	}
	ck_assert_int_eq(store_lease_list(st, A("10.1.0.0"), A("10.1.0.2"), 2, &v,
	    &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(v[0].address, A("10.1.0.3"));
	free(v);
	ck_assert_int_eq(store_lease_get_hw(st, (const uint8_t *)
	    "\x02\x00\x00\x00\x00\x04", 6, &l), 0);
	ck_assert_uint_eq(l.address, A("10.1.0.4"));
	ck_assert_int_eq(store_lease_delete(st, A("10.1.0.4")), 0);
	ck_assert_int_eq(store_lease_delete(st, A("10.1.0.4")), STORE_NOTFOUND);
	ck_assert_int_eq(store_scope_delete(st, A("10.1.0.0")), 0);
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.1"), &l), STORE_NOTFOUND);
}
END_TEST

/* A lease of addr for a client whose client identifier ends in id. */
static struct lease
client_lease(const char *addr, const char *subnet, uint8_t id, int state)
{
	struct lease l = { 0 };

	l.address = A(addr);
	l.subnet = A(subnet);
	l.state = state;
	l.owner = FO_PRIMARY;
	l.hwlen = 6;
	memcpy(l.hwaddr, "\x02\x00\x00\x00\x00\x00", 6);
	l.hwaddr[5] = id;
	l.cidlen = 7;
	l.client_id[0] = 1;
	memcpy(l.client_id + 1, l.hwaddr, 6);
	l.starts = 1000;
	l.ends = 2000000000;
	return l;
}

static int64_t
lease_rows(void)
{
	struct store_counts c;

	ck_assert_int_eq(store_counts(st, &c), 0);
	return c.leases;
}

/* An offer is held in memory: get and the statistics see it, no row is
 * written, the free runs leave it out; ending it writes nothing unless the
 * address had a row, which it hid meanwhile. */
START_TEST(test_offer_in_memory)
{
	struct lease o = client_lease("10.1.0.10", "10.1.0.0", 1, LEASE_OFFERED), l;
	struct rebal_run *runs;
	size_t n;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	ck_assert_int_eq(put(&o), 0);
	ck_assert_int_eq(store_lease_get(st, o.address, &l), 0);
	ck_assert_int_eq(l.state, LEASE_OFFERED);
	ck_assert_int_eq(lease_rows(), 0);
	ck_assert_uint_eq(stats("10.1.0.0", -1).addr_in_use, 1);
	ck_assert_uint_eq(stats("10.1.0.0", -1).this_addr_in_use, 1);
	ck_assert_int_eq(store_free_runs(st, A("10.1.0.0"), &runs, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(runs[0].end, A("10.1.0.9"));
	ck_assert_uint_eq(runs[1].start, A("10.1.0.11"));
	free(runs);
	o.state = LEASE_FREE;
	ck_assert_int_eq(put(&o), 0);
	ck_assert_int_eq(store_lease_get(st, o.address, &l), STORE_NOTFOUND);
	ck_assert_int_eq(lease_rows(), 0);
	ck_assert_uint_eq(stats("10.1.0.0", -1).addr_in_use, 0);
	/* over a free row: hidden while offered, written when it ends */
	mklease("10.1.0.20", "10.1.0.0", LEASE_FREE, FO_PRIMARY);
	o = client_lease("10.1.0.20", "10.1.0.0", 2, LEASE_OFFERED);
	ck_assert_int_eq(put(&o), 0);
	ck_assert_uint_eq(stats("10.1.0.0", -1).addr_in_use, 1);
	o.state = LEASE_ACTIVE;
	ck_assert_int_eq(put(&o), 0);
	ck_assert_int_eq(lease_rows(), 1);
	ck_assert_int_eq(store_lease_get(st, o.address, &l), 0);
	ck_assert_int_eq(l.state, LEASE_ACTIVE);
	ck_assert_uint_eq(l.hwaddr[5], 2);
}
END_TEST

/* Client lookups from memory: ACTIVE before an offer; a row behind another
 * client's offer is not its old client's any more. */
START_TEST(test_client_lookup_memory)
{
	struct lease a = client_lease("10.1.0.5", "10.1.0.0", 1, LEASE_ACTIVE), l;
	struct lease o = client_lease("10.1.0.6", "10.1.0.0", 1, LEASE_OFFERED);
	struct lease b = client_lease("10.1.0.5", "10.1.0.0", 2, LEASE_OFFERED);

	o.ends++;
	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	ck_assert_int_eq(put(&a), 0);
	ck_assert_int_eq(store_lease_get_cid(st, a.subnet, a.client_id, 7, &l), 0);
	ck_assert_int_eq(put(&o), 0);
	ck_assert_int_eq(store_lease_get_cid(st, a.subnet, a.client_id, 7, &l), 0);
	ck_assert_uint_eq(l.address, a.address);
	a.state = LEASE_FREE;
	ck_assert_int_eq(put(&a), 0);
	ck_assert_int_eq(store_lease_get_cid(st, a.subnet, a.client_id, 7, &l), 0);
	ck_assert_uint_eq(l.address, o.address);		/* the offer's end is later */
	ck_assert_int_eq(put(&b), 0);	/* .5 offered to client 2 */
	o.state = LEASE_FREE;
	ck_assert_int_eq(put(&o), 0);
	ck_assert_int_eq(store_lease_get_cid(st, a.subnet, a.client_id, 7, &l),
	    STORE_NOTFOUND);
	ck_assert_int_eq(store_lease_get_cid(st, b.subnet, b.client_id, 7, &l), 0);
	ck_assert_uint_eq(l.address, b.address);
	ck_assert_int_eq(store_lease_get_client_hw(st, b.subnet, b.hwaddr, 6, &l),
	    STORE_NOTFOUND);		/* it has a client identifier */
}
END_TEST

/* Staged writes wait in memory, reach the database before any statement
 * outside them, and in one transaction at the engine's commit. */
START_TEST(test_staged_writes)
{
	struct lease a = client_lease("10.1.0.5", "10.1.0.0", 1, LEASE_ACTIVE), l, *v;
	size_t n;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	ck_assert_int_eq(store_lease_get_cid(st, a.subnet, a.client_id, 7, &l),
	    STORE_NOTFOUND);		/* loads the mirror */
	store_stage(st, 1);
	ck_assert_int_eq(store_begin(st), 0);	/* the stage itself */
	ck_assert_int_eq(put(&a), 0);
	ck_assert_int_eq(store_in_txn(st), 1);
	ck_assert_int_eq(store_lease_get(st, a.address, &l), 0);
	store_stage(st, 0);
	ck_assert_int_eq(store_lease_list(st, a.subnet, 0, 10, &v, &n), 0);
	ck_assert_uint_eq(n, 1);	/* flushed before the query */
	free(v);
	ck_assert_int_eq(store_in_txn(st), 0);
	/* the same client again: only its times change */
	store_stage(st, 1);
	a.ends = 2100000000;
	ck_assert_int_eq(put(&a), 0);
	store_stage(st, 0);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	ck_assert_int_eq(store_in_txn(st), 0);
	ck_assert_int_eq(store_lease_list(st, a.subnet, 0, 10, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].ends, 2100000000);
	ck_assert_uint_eq(v[0].cidlen, 7);
	free(v);
}
END_TEST

/* A staged write the database refuses (no such scope) fails the next
 * commit, once; the mirror forgets it. */
START_TEST(test_staged_failure_reported)
{
	struct lease a = client_lease("10.9.0.5", "10.9.0.0", 1, LEASE_ACTIVE), l;

	ck_assert_int_eq(store_lease_get_cid(st, a.subnet, a.client_id, 7, &l),
	    STORE_NOTFOUND);
	store_stage(st, 1);
	ck_assert_int_eq(put(&a), 0);
	store_stage(st, 0);
	ck_assert_int_eq(store_commit_deferred(st), -1);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	ck_assert_int_eq(store_lease_get(st, a.address, &l), STORE_NOTFOUND);
}
END_TEST

/* A rolled-back transaction that changed leases leaves the mirror as the
 * database is. */
START_TEST(test_rollback_reloads_mirror)
{
	struct lease a = client_lease("10.1.0.5", "10.1.0.0", 1, LEASE_ACTIVE), l;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	ck_assert_int_eq(put(&a), 0);
	ck_assert_int_eq(store_lease_get_cid(st, a.subnet, a.client_id, 7, &l), 0);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_lease_delete(st, a.address), 0);
	ck_assert_int_eq(store_lease_get(st, a.address, &l), STORE_NOTFOUND);
	store_rollback(st);
	ck_assert_int_eq(store_lease_get(st, a.address, &l), 0);
	ck_assert_int_eq(store_lease_get_cid(st, a.subnet, a.client_id, 7, &l), 0);
}
END_TEST

/* The addresses store_pending_list gives for scopes (sorted) after a cursor. */
static size_t
pending(const uint32_t *scopes, size_t nscopes, uint64_t after_seq,
    uint32_t after_addr, uint64_t upto, uint32_t *addrs, uint64_t *seqs)
{
	struct lease *v;
	size_t n;

	ck_assert_int_eq(store_pending_list(st, scopes, nscopes, after_seq,
	    after_addr, upto, 16, &v, &n), 0);
	for (size_t i = 0; i < n; i++) {
		addrs[i] = v[i].address;
		seqs[i] = v[i].pending;
		ck_assert_int_eq(v[i].fo_sync, 1);
	}
	free(v);
	return n;
}

/* One staged engine pass: the leases written with fo_sync, committed into
 * the WAL; the transaction number. */
static uint64_t
staged_pass(struct lease *ls, size_t n)
{
	store_stage(st, 1);
	for (size_t i = 0; i < n; i++) {
		ls[i].fo_sync = 1;
		ck_assert_int_eq(put(&ls[i]), 0);
	}
	store_stage(st, 0);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	return store_committed_seq(st);
}

/* Pending bindings are walked from memory in (transaction, address) order,
 * by scope, up to a durable number; a lease written again or staged since
 * is listed under its new number only; a staged acknowledgement ends it,
 * and survives a reopen; stale acknowledgements change nothing. */
START_TEST(test_pending_walk)
{
	struct lease ls[4] = {
		client_lease("10.1.0.9", "10.1.0.0", 1, LEASE_ACTIVE),
		client_lease("10.1.0.5", "10.1.0.0", 2, LEASE_ACTIVE),
		client_lease("10.2.0.7", "10.2.0.0", 3, LEASE_ACTIVE),
		client_lease("10.1.0.6", "10.1.0.0", 4, LEASE_ACTIVE),
	}, l;
	uint32_t both[2] = { A("10.1.0.0"), A("10.2.0.0") }, one[1] = { A("10.1.0.0") };
	uint32_t a[16];
	uint64_t q[16], t1, t2, t3;
	char path[128], err[256];

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	mkscope("10.2.0.0", 24, "10.2.0.1", "10.2.0.254");
	ck_assert_int_eq(store_lease_get_cid(st, ls[0].subnet, ls[0].client_id, 7,
	    &l), STORE_NOTFOUND);		/* loads the mirror, as the engine does */
	t1 = staged_pass(ls, 3);
	t2 = staged_pass(ls + 3, 1);
	ck_assert_uint_gt(t2, t1);
	ck_assert_uint_eq(pending(both, 2, 0, 0, t1 - 1, a, q), 0);	/* not durable */
	ck_assert_uint_eq(pending(both, 2, 0, 0, t2, a, q), 4);
	ck_assert_uint_eq(a[0], A("10.1.0.5"));
	ck_assert_uint_eq(a[1], A("10.1.0.9"));
	ck_assert_uint_eq(a[2], A("10.2.0.7"));
	ck_assert_uint_eq(a[3], A("10.1.0.6"));
	ck_assert_uint_eq(q[0], t1);
	ck_assert_uint_eq(q[3], t2);
	ck_assert_uint_eq(pending(one, 1, 0, 0, t2, a, q), 3);
	ck_assert_uint_eq(a[2], A("10.1.0.6"));
	ck_assert_uint_eq(pending(both, 2, t1, A("10.1.0.9"), t2, a, q), 2);
	ck_assert_uint_eq(a[0], A("10.2.0.7"));
	/* .5 written again: listed under t3 only; staged, not at all */
	ls[1].ends += 60;
	t3 = staged_pass(ls + 1, 1);
	ck_assert_uint_eq(pending(both, 2, 0, 0, t3, a, q), 4);
	ck_assert_uint_eq(a[3], A("10.1.0.5"));
	ck_assert_uint_eq(q[3], t3);
	store_stage(st, 1);
	ck_assert_int_eq(put(&ls[2]), 0);
	store_stage(st, 0);
	ck_assert_uint_eq(pending(both, 2, 0, 0, t3, a, q), 3);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	ck_assert_uint_eq(pending(both, 2, 0, 0, store_committed_seq(st), a, q), 4);
	/* acknowledgements: a stale number changes nothing; the right one
	 * ends it, staged (no transaction of its own) */
	ck_assert_int_eq(store_pending_ack(st, A("10.1.0.5"), t1, 0), 0);
	ck_assert_int_eq(store_pending_ack(st, A("10.1.0.9"), t1, 1999999999), 0);
	ck_assert_int_eq(store_in_txn(st), 1);
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.9"), &l), 0);
	ck_assert_uint_eq(l.pending, 0);
	ck_assert_int_eq(l.ack_pot_exp, 1999999999);
	ck_assert_uint_eq(pending(both, 2, 0, 0, UINT64_MAX, a, q), 3);
	ck_assert_uint_eq(a[0], A("10.1.0.6"));
	store_close(st);	/* flushes the staged acknowledgement */
	snprintf(path, sizeof(path), "%s/db", dir);
	st = store_open(path, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_uint_eq(pending(both, 2, 0, 0, UINT64_MAX, a, q), 3);
	ck_assert_uint_eq(a[0], A("10.1.0.6"));
	ck_assert_uint_eq(a[1], A("10.1.0.5"));
	ck_assert_uint_eq(a[2], A("10.2.0.7"));
	ck_assert_int_eq(store_lease_get(st, A("10.1.0.9"), &l), 0);
	ck_assert_int_eq(l.ack_pot_exp, 1999999999);
	ck_assert_uint_eq(l.pending, 0);
}
END_TEST

/* Rewind (draft-12 §5.2.2) needs to know that a binding was never sent:
 * a lease written with fo_sync is unsent until store_pending_sent names its
 * transaction, unsent again once written again, and anything read back from
 * the database counts as maybe sent. */
START_TEST(test_unsent)
{
	struct lease ls[1] = { client_lease("10.1.0.9", "10.1.0.0", 1,
	    LEASE_EXPIRED) }, l;
	char path[128], err[256];
	uint64_t t1, t2;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	ck_assert_int_eq(store_lease_get_cid(st, ls[0].subnet, ls[0].client_id, 7,
	    &l), STORE_NOTFOUND);		/* loads the mirror */
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.9")), 0);
	t1 = staged_pass(ls, 1);
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.9")), 1);
	store_pending_sent(st, A("10.1.0.9"), t1 - 1);	/* another write's */
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.9")), 1);
	store_pending_sent(st, A("10.1.0.9"), t1);
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.9")), 0);
	t2 = staged_pass(ls, 1);
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.9")), 1);
	store_pending_sent(st, A("10.1.0.9"), t1);	/* the old one: stale */
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.9")), 1);
	ck_assert_uint_gt(t2, t1);
	/* written without fo_sync (a partner's binding): nothing to send */
	ls[0].fo_sync = 0;
	ck_assert_int_eq(put(&ls[0]), 0);
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.9")), 0);
	t2 = staged_pass(ls, 1);
	store_close(st);
	snprintf(path, sizeof(path), "%s/db", dir);
	st = store_open(path, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(store_lease_get_cid(st, ls[0].subnet, ls[0].client_id, 7,
	    &l), 0);
	ck_assert_uint_eq(l.pending, t2);
	ck_assert_int_eq(store_lease_unsent(st, A("10.1.0.9")), 0);
}
END_TEST

/* store_lease_stage: staged outside a transaction (carried by the next
 * one: store_write_seq), written at once inside one; store_losses counts a
 * refused flush and a rollback of lease writes. */
START_TEST(test_stage_api)
{
	struct lease a = client_lease("10.1.0.5", "10.1.0.0", 1, LEASE_ACTIVE), l;
	struct lease bad = client_lease("10.9.0.5", "10.9.0.0", 2, LEASE_ACTIVE);
	unsigned losses = store_losses(st);
	uint64_t w;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	ck_assert_uint_eq(store_write_seq(st), store_committed_seq(st));
	ck_assert_int_eq(stage(&a), 0);
	ck_assert_int_eq(store_in_txn(st), 1);		/* staged */
	w = store_write_seq(st);
	ck_assert_uint_eq(w, store_committed_seq(st) + 1);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	ck_assert_uint_eq(store_committed_seq(st), w);
	ck_assert_uint_eq(store_write_seq(st), w);
	ck_assert_uint_gt(w, store_durable_seq(st));
	ck_assert_int_eq(store_wal_sync(st), 0);
	ck_assert_uint_eq(store_durable_seq(st), w);
	ck_assert_int_eq(store_begin(st), 0);		/* inside: at once */
	a.ends += 10;
	ck_assert_int_eq(stage(&a), 0);
	ck_assert_uint_eq(store_write_seq(st), w + 1);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_lease_get(st, a.address, &l), 0);
	ck_assert_int_eq(l.ends, a.ends);
	ck_assert_uint_eq(store_losses(st), losses);
	ck_assert_int_eq(stage(&bad), 0);	/* no such scope */
	ck_assert_int_eq(store_commit_deferred(st), -1);
	ck_assert_uint_eq(store_losses(st), losses + 1);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(put(&a), 0);
	store_rollback(st);
	ck_assert_uint_eq(store_losses(st), losses + 2);
	store_sync_failed(st, EIO);
	ck_assert_uint_eq(store_losses(st), losses + 3);
}
END_TEST

/* Regression: a state change while lease writes were staged (between an
 * engine pass and its commit, or a partner's bindings) was written in
 * autocommit without an fsync; it must be durable before it takes effect
 * (draft-12 §9.2), the staged writes flushed first. */
START_TEST(test_state_change_durable_with_staged_writes)
{
	struct lease a = client_lease("10.1.0.5", "10.1.0.0", 1, LEASE_ACTIVE);
	struct fo_rel r;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	mkrel("r1", FO_PRIMARY, "10.1.0.0");
	ck_assert_int_eq(store_rel_get(st, "r1", &r), 0);
	ck_assert_int_eq(stage(&a), 0);
	ck_assert_int_eq(store_in_txn(st), 1);
	ck_assert_int_eq(store_txn_open(st), 0);
	ck_assert_int_eq(fo_change_state(st, &r, FO_RECOVER, "test"), 0);
	ck_assert_int_eq(store_in_txn(st), 0);		/* flushed */
	ck_assert_uint_eq(store_durable_seq(st), store_committed_seq(st));
	ck_assert_uint_ge(store_committed_seq(st), 2);
	fo_rel_fini(&r);
	ck_assert_int_eq(store_rel_get(st, "r1", &r), 0);
	ck_assert_int_eq(r.state, FO_RECOVER);
	fo_rel_fini(&r);
	/* inside an open transaction it joins it */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_rel_get(st, "r1", &r), 0);
	ck_assert_int_eq(fo_change_state(st, &r, FO_RECOVER_DONE, "test"), 0);
	ck_assert_int_eq(store_txn_open(st), 1);
	ck_assert_int_eq(store_commit(st), 0);
	fo_rel_fini(&r);
}
END_TEST

/* ---- storage failures: faults injected into SQLite's own write calls ---- */

typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);

static int fault_err;		/* 0: none; else the errno of every write */
static sqlite3_syscall_ptr real_pwrite, real_pwrite64, real_write;

static ssize_t
bad_pwrite(int fd, const void *b, size_t n, off_t off)
{
	if (fault_err) {
		errno = fault_err;
		return -1;
	}
	return ((pwrite_fn)real_pwrite)(fd, b, n, off);
}

static ssize_t
bad_pwrite64(int fd, const void *b, size_t n, off_t off)
{
	if (fault_err) {
		errno = fault_err;
		return -1;
	}
	return ((pwrite_fn)real_pwrite64)(fd, b, n, off);
}

static ssize_t
bad_write(int fd, const void *b, size_t n)
{
	if (fault_err) {
		errno = fault_err;
		return -1;
	}
	return ((write_fn)real_write)(fd, b, n);
}

/* Route the unix VFS's writes through the bad_* calls (faults off). */
static void
faults_install(void)
{
	sqlite3_vfs *v = sqlite3_vfs_find(NULL);

	fault_err = 0;
	if (real_write != NULL)
		return;
	real_pwrite = v->xGetSystemCall(v, "pwrite");
	real_pwrite64 = v->xGetSystemCall(v, "pwrite64");
	real_write = v->xGetSystemCall(v, "write");
	ck_assert_ptr_nonnull(real_write);
	if (real_pwrite != NULL)
		v->xSetSystemCall(v, "pwrite", (sqlite3_syscall_ptr)bad_pwrite);
	if (real_pwrite64 != NULL)
		v->xSetSystemCall(v, "pwrite64", (sqlite3_syscall_ptr)bad_pwrite64);
	v->xSetSystemCall(v, "write", (sqlite3_syscall_ptr)bad_write);
}

/* PRAGMA integrity_check on a connection of its own. */
static void
assert_intact(void)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *q;

	snprintf(path, sizeof(path), "%s/db", dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* A write that fails (a full disk: SQLITE_FULL; an I/O error): the staged
 * lease is gone from the mirror too, the health says why and where, an
 * explicit transaction is refused whole, store_recover fails until the
 * writes work, then succeeds and everything is durable again. */
static void
write_failure(int err, int kind, const char *text)
{
	struct lease a = client_lease("10.1.0.5", "10.1.0.0", 1, LEASE_ACTIVE), l;
	struct lease b = a;
	struct scope sc = { 0 };
	const struct health *h = store_health(st);
	uint64_t fails;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	ck_assert_int_eq(stage(&a), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_writable(st), 1);
	faults_install();
	fault_err = err;
	b.ends = a.ends + 100;
	ck_assert_int_eq(stage(&b), 0);
	ck_assert_int_eq(store_commit_deferred(st), -1);
	ck_assert_int_eq(store_writable(st), 0);
	ck_assert_int_eq(h->kind, kind);
	ck_assert_msg(strstr(h->error, text) && strstr(h->error, dir), "%s", h->error);
	ck_assert_int_eq(store_lease_get(st, a.address, &l), 0);
	ck_assert_int_eq(l.ends, a.ends);		/* the mirror forgot it */
	fails = h->failures;
	ck_assert_int_eq(store_recover(st), -1);
	ck_assert_uint_gt(h->failures, fails);
	sc.subnet = A("10.2.0.0");
	sc.mask = prefix_to_mask(24);
	sc.range_start = A("10.2.0.1");
	sc.range_end = A("10.2.0.9");
	ck_assert_int_eq(store_scope_insert(st, &sc), -1);
	ck_assert_int_eq(store_scope_get(st, sc.subnet, &sc), STORE_NOTFOUND);
	fault_err = 0;
	ck_assert_int_eq(store_recover(st), 0);
	ck_assert_int_eq(store_writable(st), 1);
	ck_assert_uint_eq(store_durable_seq(st), store_committed_seq(st));
	ck_assert_int_eq(stage(&b), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_lease_get(st, a.address, &l), 0);
	ck_assert_int_eq(l.ends, b.ends);
	assert_intact();
}

START_TEST(test_disk_full)
{
	write_failure(ENOSPC, HEALTH_FULL, "disk full");
}
END_TEST

START_TEST(test_write_eio)
{
	write_failure(EIO, HEALTH_IO, "I/O error");
}
END_TEST

/* An fsync of the WAL failed: nothing committed before or after is durable
 * until a full checkpoint (TRUNCATE) has written it to the database file;
 * while that fails, a transaction is refused before it starts. */
START_TEST(test_fsync_failure)
{
	struct lease a = client_lease("10.1.0.5", "10.1.0.0", 1, LEASE_ACTIVE);
	unsigned epoch = store_sync_epoch(st), losses = store_losses(st);
	uint64_t durable, c;
	char wal[128];
	struct stat sb;

	mkscope("10.1.0.0", 24, "10.1.0.1", "10.1.0.254");
	durable = store_durable_seq(st);
	ck_assert_int_eq(stage(&a), 0);
	ck_assert_int_eq(store_commit_deferred(st), 0);
	c = store_committed_seq(st);
	store_sync_failed(st, EIO);
	ck_assert_uint_eq(store_sync_epoch(st), epoch + 1);
	ck_assert_uint_eq(store_losses(st), losses + 1);
	ck_assert_int_eq(store_writable(st), 0);
	ck_assert_int_eq(store_health(st)->kind, HEALTH_IO);
	store_set_durable(st, c);	/* a later fsync's success proves nothing */
	ck_assert_uint_eq(store_durable_seq(st), durable);
	faults_install();
	fault_err = EIO;		/* the checkpoint cannot write either */
	ck_assert_int_eq(store_begin(st), -1);
	ck_assert_int_eq(store_txn_open(st), 0);
	ck_assert_int_eq(store_recover(st), -1);
	ck_assert_uint_eq(store_durable_seq(st), durable);
	fault_err = 0;
	ck_assert_int_eq(store_recover(st), 0);
	ck_assert_int_eq(store_writable(st), 1);
	ck_assert_uint_eq(store_durable_seq(st), store_committed_seq(st));
	ck_assert_uint_gt(store_durable_seq(st), c);
	snprintf(wal, sizeof(wal), "%s/db-wal", dir);
	ck_assert_int_eq(stat(wal, &sb), 0);
	/* the WAL started over: it holds the probe's one page at most */
	ck_assert_int_le(sb.st_size, 32 + 24 + 4096);
	assert_intact();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	SRunner *sr;
	int failed;

	log_setlevel(LOG_LVL_WARNING);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reopen_keeps_data);
	tcase_add_test(tc, test_missing_dir_is_clear);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_scope_options_exclusions);
	tcase_add_test(tc, test_overlap);
	tcase_add_test(tc, test_slash8_is_compact);
	tcase_add_test(tc, test_stats_holes);
	tcase_add_test(tc, test_rebalance_targets);
	tcase_add_test(tc, test_hot_standby_and_return);
	tcase_add_test(tc, test_relationship_roundtrip);
	tcase_add_test(tc, test_leases_paged_and_lookup);
	tcase_add_test(tc, test_offer_in_memory);
	tcase_add_test(tc, test_client_lookup_memory);
	tcase_add_test(tc, test_staged_writes);
	tcase_add_test(tc, test_staged_failure_reported);
	tcase_add_test(tc, test_rollback_reloads_mirror);
	tcase_add_test(tc, test_pending_walk);
	tcase_add_test(tc, test_stage_api);
	tcase_add_test(tc, test_unsent);
	tcase_add_test(tc, test_state_change_durable_with_staged_writes);
	tcase_add_test(tc, test_disk_full);
	tcase_add_test(tc, test_write_eio);
	tcase_add_test(tc, test_fsync_failure);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
