/* Unit tests: the in-memory lease table (src/store/store_lmem.h): round trips,
 * replacement in place and not, the client lookup's order and key rules,
 * growth, and a randomized property test (fixed seed) against a plain array
 * searched the way the store's SQL searches its rows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "store_lmem.h"
#include "util.h"

#define SUBNET		0x0a000000u

/* A lease of addr for client number c (a client identifier unless nocid,
 * always a hardware address). */
static struct lease
mk(uint32_t addr, unsigned c, int nocid, int state, int64_t ends)
{
	struct lease l = { 0 };

	l.address = addr;
	l.subnet = SUBNET;
	l.hwlen = 6;
	l.hwaddr[0] = 0x02;
	l.hwaddr[4] = (uint8_t)(c >> 8);
	l.hwaddr[5] = (uint8_t)c;
	if (!nocid) {
		l.cidlen = 7;
		l.client_id[0] = 1;
		memcpy(l.client_id + 1, l.hwaddr, 6);
	}
	l.state = state;
	l.starts = 1000;
	l.ends = ends;
	l.owner = 1;
	return l;
}

/* Field by field: a struct's padding is not part of the lease. */
static void
same(const struct lease *a, const struct lease *b)
{
	ck_assert_uint_eq(a->address, b->address);
	ck_assert_uint_eq(a->subnet, b->subnet);
	ck_assert_uint_eq(a->hwlen, b->hwlen);
	ck_assert_int_eq(memcmp(a->hwaddr, b->hwaddr, sizeof(a->hwaddr)), 0);
	ck_assert_uint_eq(a->cidlen, b->cidlen);
	ck_assert_int_eq(memcmp(a->client_id, b->client_id, a->cidlen), 0);
	ck_assert_str_eq(a->hostname, b->hostname);
	ck_assert_int_eq(a->state, b->state);
	ck_assert_int_eq(a->starts, b->starts);
	ck_assert_int_eq(a->ends, b->ends);
	ck_assert_int_eq(a->cltt, b->cltt);
	ck_assert_int_eq(a->owner, b->owner);
	ck_assert_int_eq(a->sent_pot_exp, b->sent_pot_exp);
	ck_assert_int_eq(a->ack_pot_exp, b->ack_pot_exp);
	ck_assert_int_eq(a->recv_pot_exp, b->recv_pot_exp);
	ck_assert_int_eq(a->last_bndupd, b->last_bndupd);
}

START_TEST(test_round_trip)
{
	struct lmem *m = lmem_new();
	struct lease l = mk(SUBNET + 5, 1, 0, LEASE_ACTIVE, 5000), out;
	unsigned flags;

	snprintf(l.hostname, sizeof(l.hostname), "host-one");
	l.cltt = 77;
	l.last_bndupd = 88;
	ck_assert_int_eq(lmem_put(m, &l, 3), 0);
	ck_assert_int_eq(lmem_count(m), 1);
	ck_assert_int_eq(lmem_get(m, l.address, &out, &flags), 0);
	same(&l, &out);
	ck_assert_uint_eq(flags, 3);
	ck_assert_int_eq(lmem_get(m, l.address + 1, &out, NULL), LMEM_NOTFOUND);
	ck_assert_int_eq(lmem_set_flags(m, l.address, 9), 0);
	ck_assert_int_eq(lmem_get(m, l.address, NULL, &flags), 0);
	ck_assert_uint_eq(flags, 9);
	ck_assert_int_eq(lmem_del(m, l.address), 0);
	ck_assert_int_eq(lmem_del(m, l.address), LMEM_NOTFOUND);
	ck_assert_int_eq(lmem_count(m), 0);
	lmem_free(m);
}
END_TEST

/* A new lease of an address replaces the old one, in place or not, and
 * moves it to its new client. */
START_TEST(test_replace)
{
	struct lmem *m = lmem_new();
	struct lease a = mk(SUBNET + 5, 1, 0, LEASE_ACTIVE, 5000);
	struct lease b = mk(SUBNET + 5, 2, 0, LEASE_OFFERED, 6000), out;

	ck_assert_int_eq(lmem_put(m, &a, 0), 0);
	memset(b.hostname, 'x', 200);		/* does not fit: a new record */
	ck_assert_int_eq(lmem_put(m, &b, 0), 0);
	ck_assert_int_eq(lmem_count(m), 1);
	ck_assert_int_eq(lmem_find_client(m, SUBNET, a.client_id, a.cidlen, NULL, 0,
	    NULL, NULL, &out), LMEM_NOTFOUND);
	ck_assert_int_eq(lmem_find_client(m, SUBNET, b.client_id, b.cidlen, NULL, 0,
	    NULL, NULL, &out), 0);
	same(&b, &out);
	ck_assert_int_eq(lmem_put(m, &a, 0), 0);	/* fits: in place */
	ck_assert_int_eq(lmem_get(m, a.address, &out, NULL), 0);
	same(&a, &out);
	ck_assert_int_eq(lmem_find_client(m, SUBNET, b.client_id, b.cidlen, NULL, 0,
	    NULL, NULL, &out), LMEM_NOTFOUND);
	lmem_free(m);
}
END_TEST

static int
skip_odd(void *arg, uint32_t addr)
{
	return addr & 1;
}

/* ACTIVE first, then the later end, then the lower address; a hardware
 * address finds only records without a client identifier; subnets apart. */
START_TEST(test_find_order)
{
	struct lmem *m = lmem_new();
	struct lease v[] = {
		mk(SUBNET + 10, 1, 0, LEASE_FREE, 9000),
		mk(SUBNET + 11, 1, 0, LEASE_ACTIVE, 2000),
		mk(SUBNET + 12, 1, 0, LEASE_ACTIVE, 3000),
		mk(SUBNET + 13, 1, 0, LEASE_ACTIVE, 3000),
		mk(SUBNET + 20, 1, 1, LEASE_FREE, 100),	/* same hw, no cid */
	}, out, other;

	for (size_t i = 0; i < nitems(v); i++)
		ck_assert_int_eq(lmem_put(m, &v[i], 0), 0);
	other = mk(0x0b000001u, 1, 0, LEASE_ACTIVE, 99999);
	other.subnet = 0x0b000000u;
	ck_assert_int_eq(lmem_put(m, &other, 0), 0);
	ck_assert_int_eq(lmem_find_client(m, SUBNET, v[0].client_id, 7, v[0].hwaddr, 6,
	    NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.address, SUBNET + 12);
	ck_assert_int_eq(lmem_find_client(m, SUBNET, v[0].client_id, 7, NULL, 0,
	    skip_odd, NULL, &out), 0);
	ck_assert_uint_eq(out.address, SUBNET + 12);
	ck_assert_int_eq(lmem_del(m, SUBNET + 12), 0);
	ck_assert_int_eq(lmem_find_client(m, SUBNET, v[0].client_id, 7, NULL, 0,
	    NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.address, SUBNET + 13);
	ck_assert_int_eq(lmem_find_client(m, SUBNET, NULL, 0, v[0].hwaddr, 6,
	    NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.address, SUBNET + 20);
	ck_assert_int_eq(lmem_find_client(m, SUBNET, NULL, 0, NULL, 0, NULL, NULL,
	    &out), LMEM_NOTFOUND);
	ck_assert(lmem_better(&v[1], &v[0]));
	ck_assert(!lmem_better(&v[1], &v[2]));
	ck_assert(lmem_better(&v[2], &v[3]));
	lmem_free(m);
}
END_TEST

START_TEST(test_same_keys)
{
	struct lmem *m = lmem_new();
	struct lease a = mk(SUBNET + 1, 1, 0, LEASE_ACTIVE, 10), b;
	unsigned flags;

	ck_assert_int_eq(lmem_same_keys(m, &a, &flags), -1);
	ck_assert_int_eq(lmem_put(m, &a, 4), 0);
	b = a;
	b.state = LEASE_FREE;
	b.ends = 99;
	ck_assert_int_eq(lmem_same_keys(m, &b, &flags), 1);
	ck_assert_uint_eq(flags, 4);
	snprintf(b.hostname, sizeof(b.hostname), "h");
	ck_assert_int_eq(lmem_same_keys(m, &b, &flags), 0);
	b = a;
	b.hwaddr[5]++;
	ck_assert_int_eq(lmem_same_keys(m, &b, &flags), 0);
	b = a;
	b.cidlen = 0;
	ck_assert_int_eq(lmem_same_keys(m, &b, &flags), 0);
	lmem_free(m);
}
END_TEST

/* Far more records than the first buckets; every one found both ways. */
START_TEST(test_growth)
{
	struct lmem *m = lmem_new();
	struct lease l, out;
	unsigned n = 100000;

	for (unsigned i = 0; i < n; i++) {
		l = mk(SUBNET + i, i, 0, LEASE_ACTIVE, i);
		l.client_id[1] = (uint8_t)(i >> 16);
		ck_assert_int_eq(lmem_put(m, &l, 0), 0);
	}
	ck_assert_uint_eq(lmem_count(m), n);
	for (unsigned i = 0; i < n; i += 7) {
		l = mk(SUBNET + i, i, 0, LEASE_ACTIVE, i);
		l.client_id[1] = (uint8_t)(i >> 16);
		ck_assert_int_eq(lmem_find_client(m, SUBNET, l.client_id, 7, NULL, 0,
		    NULL, NULL, &out), 0);
		same(&l, &out);
		ck_assert_int_eq(lmem_get(m, SUBNET + i, &out, NULL), 0);
	}
	lmem_clear(m);
	ck_assert_uint_eq(lmem_count(m), 0);
	ck_assert_int_eq(lmem_get(m, SUBNET, &out, NULL), LMEM_NOTFOUND);
	lmem_free(m);
}
END_TEST

static void
count_each(void *arg, const struct lease *l, unsigned flags)
{
	(*(unsigned *)arg) += flags;
}

/* ---- property test: random puts and deletes against a plain array ---- */

#define P_ADDRS		64
#define P_CLIENTS	12
#define P_OPS		4000

static uint32_t
rnd(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

/* What the store's SQL would answer from the model. */
static int
model_find(const struct lease *v, const int *have, const struct lease *key,
    int bycid, struct lease *out)
{
	int best = -1;

	for (int i = 0; i < P_ADDRS; i++) {
		const struct lease *l = &v[i];

		if (!have[i] || l->subnet != key->subnet)
			continue;
		if (bycid ? (l->cidlen != key->cidlen ||
		    memcmp(l->client_id, key->client_id, l->cidlen) != 0) :
		    (l->cidlen != 0 || l->hwlen != key->hwlen ||
		    memcmp(l->hwaddr, key->hwaddr, l->hwlen) != 0))
			continue;
		if (best < 0 || lmem_better(l, &v[best]))
			best = i;
	}
	if (best < 0)
		return LMEM_NOTFOUND;
	*out = v[best];
	return 0;
}

START_TEST(test_property)
{
	static struct lease v[P_ADDRS];
	int have[P_ADDRS] = { 0 };
	struct lmem *m = lmem_new();
	uint32_t st = 0x2545f491u + (uint32_t)_i;
	struct lease out, want;
	unsigned sum = 0, msum = 0;

	for (int op = 0; op < P_OPS; op++) {
		int i = (int)(rnd(&st) % P_ADDRS), c = (int)(rnd(&st) % P_CLIENTS);

		if (rnd(&st) % 5 == 0) {
			ck_assert_int_eq(lmem_del(m, SUBNET + (uint32_t)i),
			    have[i] ? 0 : LMEM_NOTFOUND);
			have[i] = 0;
		} else {
			v[i] = mk(SUBNET + (uint32_t)i, (unsigned)c, c % 3 == 0,
			    1 + (int)(rnd(&st) % 8), rnd(&st) % 4);
			if (rnd(&st) % 4 == 0)
				memset(v[i].hostname, 'h', rnd(&st) % 100);
			ck_assert_int_eq(lmem_put(m, &v[i], (unsigned)c), 0);
			have[i] = 1;
		}
		for (int k = 0; k < P_CLIENTS; k++) {
			struct lease key = mk(0, (unsigned)k, k % 3 == 0, 0, 0);
			int rc = model_find(v, have, &key, k % 3 != 0, &want);

			ck_assert_int_eq(lmem_find_client(m, SUBNET, key.client_id,
			    key.cidlen, key.hwaddr, key.hwlen, NULL, NULL, &out), rc);
			if (rc == 0)
				same(&want, &out);
		}
	}
	for (int i = 0; i < P_ADDRS; i++) {
		ck_assert_int_eq(lmem_get(m, SUBNET + (uint32_t)i, &out, NULL),
		    have[i] ? 0 : LMEM_NOTFOUND);
		if (have[i]) {
			same(&v[i], &out);
			msum += (unsigned)(v[i].hwaddr[5]);
		}
	}
	lmem_each(m, count_each, &sum);
	ck_assert_uint_eq(sum, msum);
	lmem_free(m);
}
END_TEST

static Suite *
lease_mem_suite(void)
{
	Suite *s = suite_create("lease_mem");
	TCase *tc;

	tc = tcase_create("basics");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_find_order);
	tcase_add_test(tc, test_same_keys);
	tcase_add_test(tc, test_growth);
	suite_add_tcase(s, tc);

	tc = tcase_create("property");
	tcase_add_loop_test(tc, test_property, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lease_mem_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
