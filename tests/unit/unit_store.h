/*
 * A store for the decision-core unit tests: a fresh SQLite database in a
 * temporary directory per test (the real store, in a file nobody else
 * sees: no root, no daemon), and the few rows the tests set up: scopes,
 * relationships, leases. Header-only; each test includes it once.
 */
#ifndef DHCPFOD_UNIT_STORE_H
#define DHCPFOD_UNIT_STORE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fo.h"
#include "lease.h"
#include "store.h"
#include "util.h"

static char ut_base[64];	/* the binary's directory, made by its main */
static char ut_dir[128];	/* this test's store */

/* A dotted quad as a host-order address. */
/* Fixtures write leases in whatever state a test needs, each as an actor
 * the lease-state table (lease.h) lets make that move, through ACTIVE (which
 * the partner may write over anything) when none does. */
typedef int ut_put_fn(struct store *, const struct lease *, enum lease_actor);

static inline int
ut_put_via(struct store *st, const struct lease *l, ut_put_fn *fn)
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

static inline int
ut_put(struct store *st, const struct lease *l)
{
	return ut_put_via(st, l, store_lease_put);
}

static inline int
ut_stage(struct store *st, const struct lease *l)
{
	return ut_put_via(st, l, store_lease_stage);
}

static inline uint32_t
A(const char *s)
{
	uint32_t a;

	ck_assert_msg(addr_parse(s, &a) == 0, "bad test address %s", s);
	return a;
}

/* The test binary's temporary directory, made in main before the tests
 * run (each in a process of its own) and removed after them: a test that
 * fails leaves its store behind only until then. */
static inline void
ut_tmp_begin(void)
{
	snprintf(ut_base, sizeof(ut_base), "%s/dhcpfod-unit.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(ut_base) == NULL) {
		perror(ut_base);
		exit(EXIT_FAILURE);
	}
}

static inline void
ut_tmp_end(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ut_base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", ut_base);
}

static inline struct store *
ut_store_open(void)
{
	char path[192], err[256];
	struct store *st;

	ck_assert_msg(ut_base[0] != '\0', "ut_tmp_begin() not called");
	snprintf(ut_dir, sizeof(ut_dir), "%s/t.XXXXXX", ut_base);
	ck_assert_ptr_nonnull(mkdtemp(ut_dir));
	snprintf(path, sizeof(path), "%s/db", ut_dir);
	st = store_open(path, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	return st;
}

static inline void
ut_store_close(struct store *st)
{
	char path[192];

	store_close(st);
	snprintf(path, sizeof(path), "%s/db", ut_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-wal", ut_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-shm", ut_dir);
	unlink(path);
	rmdir(ut_dir);
}

/* A scope subnet/prefix with range [lo, hi] and lease_time seconds. */
static inline void
ut_scope(struct store *st, const char *subnet, int prefix, const char *lo,
    const char *hi, uint32_t lease_time)
{
	struct scope sc = { 0 };

	sc.subnet = A(subnet);
	sc.mask = prefix_to_mask(prefix);
	sc.range_start = A(lo);
	sc.range_end = A(hi);
	sc.lease_time = lease_time;
	sc.enabled = 1;
	snprintf(sc.name, sizeof(sc.name), "s-%s", subnet);
	ck_assert_int_eq(store_scope_insert(st, &sc), 0);
}

/* Relationship `name` over one scope, this server in `role`, in `state`
 * since stos (primary 10.77.0.1, secondary 10.77.0.2, load balance 50 %). */
static inline void
ut_rel(struct store *st, const char *name, int role, const char *scope,
    int state, uint32_t mclt, int64_t stos)
{
	struct fo_rel r = { 0 };
	uint32_t s = A(scope);

	snprintf(r.name, sizeof(r.name), "%s", name);
	r.primary_server = A("10.77.0.1");
	r.secondary_server = A("10.77.0.2");
	r.server_type = role;
	r.mode = FO_MODE_LOAD_BALANCE;
	r.state = state;
	r.prev_state = FO_STARTUP;
	r.stos = stos;
	r.mclt = mclt;
	r.percentage = 50;
	r.port = 647;
	r.scopes = &s;
	r.nscopes = 1;
	ck_assert_int_eq(store_rel_insert(st, &r), 0);
}

/* A lease row, committed: addr in subnet for the client whose MAC ends in
 * mac_last (02:00:00:00:00:xx, no client identifier). */
static inline void
ut_lease(struct store *st, const char *addr, const char *subnet, int state,
    int owner, uint8_t mac_last, int64_t ends)
{
	struct lease l = { 0 };

	l.address = A(addr);
	l.subnet = A(subnet);
	l.state = state;
	l.owner = owner;
	l.hwlen = 6;
	memcpy(l.hwaddr, "\x02\x00\x00\x00\x00\x00", 6);
	l.hwaddr[5] = mac_last;
	l.starts = l.cltt = ends - 3600;
	l.ends = ends;
	ck_assert_int_eq(ut_put(st, &l), 0);
}

/* The stored lease of addr (asserting there is one). */
static inline struct lease
ut_get(struct store *st, const char *addr)
{
	struct lease l;

	ck_assert_msg(store_lease_get(st, A(addr), &l) == 0, "no lease of %s", addr);
	return l;
}

#endif
