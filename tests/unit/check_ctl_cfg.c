/* Unit tests: a scope's canonical configuration, its hash and the diff of two
 * (src/ctl/ctl_cfg.c, docs/RPC.md §2.6): the hash ignores the order
 * reservations come in and the relationship, changes with an exclusion or a
 * reservation, and the diff names each field that differs with both values.
 * A relationship's canonical parameters (ctl_fo_cfg.c, RPC.md §6.17): the
 * two partners' copies agree, a parameter set on one side or another secret
 * is named, the secret never shows, equal roles are named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "ctl_cfg.h"
#include "fo.h"
#include "ivl.h"
#include "util.h"

#define A(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static void
mk_scope(struct scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->subnet = A(10, 0, 0, 0);
	sc->mask = 0xffffff00;
	strcpy(sc->name, "lab");
	sc->range_start = A(10, 0, 0, 10);
	sc->range_end = A(10, 0, 0, 200);
	sc->lease_time = 3600;
	sc->enabled = 1;
}

static void
mk_resv(struct reservation *r, uint32_t addr, uint8_t last)
{
	memset(r, 0, sizeof(*r));
	r->subnet = A(10, 0, 0, 0);
	r->address = addr;
	r->hwlen = 6;
	r->hwaddr[0] = 0x02;
	r->hwaddr[5] = last;
	strcpy(r->name, "h");
}

static void
hash_of(const struct scope *sc, const struct reservation *rv, size_t n,
    char out[CFG_HASH_LEN + 1])
{
	json_t *c = cfg_canon(sc, rv, n);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(cfg_hash(c, out), 0);
	json_decref(c);
}

START_TEST(test_hash_stable_and_ordered)
{
	struct scope sc;
	struct reservation rv[2], rw[2];
	char h1[CFG_HASH_LEN + 1], h2[CFG_HASH_LEN + 1];

	mk_scope(&sc);
	mk_resv(&rv[0], A(10, 0, 0, 5), 1);
	mk_resv(&rv[1], A(10, 0, 0, 7), 2);
	rw[0] = rv[1];
	rw[1] = rv[0];
	hash_of(&sc, rv, 2, h1);
	ck_assert_int_eq(strlen(h1), CFG_HASH_LEN);
	strcpy(sc.relationship, "r1");		/* state, not configuration */
	hash_of(&sc, rw, 2, h2);
	ck_assert_str_eq(h1, h2);
}
END_TEST

START_TEST(test_hash_changes)
{
	struct scope sc;
	struct reservation rv[2];
	char h0[CFG_HASH_LEN + 1], h[CFG_HASH_LEN + 1];

	mk_scope(&sc);
	mk_resv(&rv[0], A(10, 0, 0, 5), 1);
	mk_resv(&rv[1], A(10, 0, 0, 7), 2);
	hash_of(&sc, rv, 1, h0);
	hash_of(&sc, rv, 2, h);			/* a reservation more */
	ck_assert_str_ne(h0, h);
	ck_assert_int_eq(ivlset_add(&sc.exclusions, A(10, 0, 0, 20),
	    A(10, 0, 0, 29)), 0);		/* an exclusion */
	hash_of(&sc, rv, 1, h);
	ck_assert_str_ne(h0, h);
	ivlset_free(&sc.exclusions);
	mk_scope(&sc);
	sc.lease_time = 7200;
	hash_of(&sc, rv, 1, h);
	ck_assert_str_ne(h0, h);
}
END_TEST

START_TEST(test_diff)
{
	struct scope a, b;
	struct reservation rv[2];
	json_t *ca, *cb, *d, *want;
	json_error_t e;
	char *got;

	mk_scope(&a);
	mk_scope(&b);
	mk_resv(&rv[0], A(10, 0, 0, 5), 1);
	mk_resv(&rv[1], A(10, 0, 0, 7), 2);
	ck_assert_int_eq(ivlset_add(&a.exclusions, A(10, 0, 0, 20),
	    A(10, 0, 0, 29)), 0);
	b.lease_time = 7200;
	ca = cfg_canon(&a, rv, 2);
	cb = cfg_canon(&b, rv, 1);
	d = cfg_diff(ca, cb);
	want = json_loads("["
	    "{\"field\":\"exclusions\",\"here\":[{\"start\":\"10.0.0.20\","
	    "\"end\":\"10.0.0.29\"}],\"partner\":[]},"
	    "{\"field\":\"lease_time\",\"here\":3600,\"partner\":7200},"
	    "{\"field\":\"reservations.10.0.0.7\",\"here\":{\"hwaddr\":"
	    "\"02:00:00:00:00:02\",\"name\":\"h\"},\"partner\":null}]", 0, &e);
	ck_assert_ptr_nonnull(want);
	got = json_dumps(d, JSON_COMPACT);
	ck_assert_msg(json_equal(d, want), "diff is %s", got);
	free(got);
	json_decref(d);
	d = cfg_diff(ca, ca);
	ck_assert_int_eq(json_array_size(d), 0);
	json_decref(d);
	json_decref(want);
	json_decref(ca);
	json_decref(cb);
	ivlset_free(&a.exclusions);
}
END_TEST

/* The calls that make b equal to a, in order, and none when equal. */
START_TEST(test_plan)
{
	struct scope a, b;
	struct reservation rv[2], rw[1];
	json_t *ca, *cb, *plan, *want;
	json_error_t e;
	char err[256], *got;

	mk_scope(&a);
	mk_scope(&b);
	mk_resv(&rv[0], A(10, 0, 0, 5), 1);
	mk_resv(&rv[1], A(10, 0, 0, 7), 2);
	mk_resv(&rw[0], A(10, 0, 0, 5), 9);	/* another client */
	ck_assert_int_eq(ivlset_add(&b.exclusions, A(10, 0, 0, 20),
	    A(10, 0, 0, 29)), 0);
	b.lease_time = 7200;
	ca = cfg_canon(&a, rv, 2);
	cb = cfg_canon(&b, rw, 1);
	plan = cfg_plan("10.0.0.0", ca, cb, err, sizeof(err));
	want = json_loads("["
	    "{\"method\":\"scope.set\",\"params\":{\"subnet\":\"10.0.0.0\","
	    "\"lease_time\":3600}},"
	    "{\"method\":\"scope.remove_exclusion\",\"params\":{\"subnet\":"
	    "\"10.0.0.0\",\"start\":\"10.0.0.20\",\"end\":\"10.0.0.29\"}},"
	    "{\"method\":\"reservation.remove\",\"params\":{\"subnet\":"
	    "\"10.0.0.0\",\"address\":\"10.0.0.5\"}},"
	    "{\"method\":\"reservation.add\",\"params\":{\"subnet\":\"10.0.0.0\","
	    "\"address\":\"10.0.0.5\",\"hwaddr\":\"02:00:00:00:00:01\","
	    "\"name\":\"h\"}},"
	    "{\"method\":\"reservation.add\",\"params\":{\"subnet\":\"10.0.0.0\","
	    "\"address\":\"10.0.0.7\",\"hwaddr\":\"02:00:00:00:00:02\","
	    "\"name\":\"h\"}}]", 0, &e);
	ck_assert_ptr_nonnull(want);
	got = json_dumps(plan, JSON_COMPACT);
	ck_assert_msg(json_equal(plan, want), "plan is %s", got);
	free(got);
	json_decref(plan);
	plan = cfg_plan("10.0.0.0", ca, ca, err, sizeof(err));
	ck_assert_int_eq(json_array_size(plan), 0);
	json_decref(plan);
	/* missing on the partner: created first, then what create leaves out */
	plan = cfg_plan("10.0.0.0", ca, json_null(), err, sizeof(err));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(plan, 0),
	    "method")), "scope.create");
	ck_assert_int_eq(json_array_size(plan), 3);	/* + 2 reservations */
	json_decref(plan);
	/* a range scope.set cannot change */
	json_object_set_new(json_object_get(cb, "range"), "end",
	    json_string("10.0.0.100"));
	ck_assert_ptr_null(cfg_plan("10.0.0.0", ca, cb, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "range differs"));
	json_decref(want);
	json_decref(ca);
	json_decref(cb);
	ivlset_free(&b.exclusions);
}
END_TEST

/* One side's copy of a relationship, as failover.config answers it. */
static json_t *
rel_side(enum fo_role role, const char *secret, const char *nonce, unsigned mclt)
{
	static uint32_t scopes[2][2];
	static int k;
	struct fo_rel r;
	json_t *c;

	memset(&r, 0, sizeof(r));
	strcpy(r.name, "r1");
	r.primary_server = A(10, 66, 0, 1);
	r.secondary_server = A(10, 66, 0, 2);
	r.server_type = role;
	r.mode = FO_MODE_LOAD_BALANCE;
	r.percentage = 50;
	r.mclt = mclt;
	r.lb_max_secs = 3;
	snprintf(r.shared_secret, sizeof(r.shared_secret), "%s", secret);
	k ^= 1;		/* the scopes in another order on each side */
	scopes[k][0] = k ? A(10, 1, 0, 0) : A(10, 2, 0, 0);
	scopes[k][1] = k ? A(10, 2, 0, 0) : A(10, 1, 0, 0);
	r.scopes = scopes[k];
	r.nscopes = 2;
	c = rel_cfg_canon(&r, nonce);
	ck_assert_ptr_nonnull(c);
	return json_pack("{s:s, s:o}", "server_type", fo_role_name(role), "config", c);
}

static int
diff_names(json_t *a, json_t *b, const char *want)
{
	json_t *d = cfg_rel_diff(a, b), *e;
	char got[256] = "";
	size_t i;

	json_array_foreach(d, i, e) {
		strcat(got, json_string_value(json_object_get(e, "field")));
		strcat(got, " ");
	}
	json_decref(d);
	json_decref(a);
	json_decref(b);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "diff: got '%s', want '%s'\n", got, want);
	return strcmp(got, want) == 0;
}

START_TEST(test_rel_canon)
{
	const char *n1 = "00112233445566778899aabbccddeeff";
	const char *n2 = "ffeeddccbbaa99887766554433221100";
	json_t *a, *b;
	char *s;

	/* the partners' copies agree, whatever the order of the scopes */
	ck_assert(diff_names(rel_side(FO_PRIMARY, "s3cret", n1, 60),
	    rel_side(FO_SECONDARY, "s3cret", n1, 60), ""));
	/* a parameter set on one side; equal roles */
	ck_assert(diff_names(rel_side(FO_PRIMARY, "s3cret", n1, 60),
	    rel_side(FO_SECONDARY, "s3cret", n1, 120), "mclt "));
	ck_assert(diff_names(rel_side(FO_PRIMARY, "s3cret", n1, 60),
	    rel_side(FO_PRIMARY, "s3cret", n1, 60), "server_type "));
	/* another secret, or none, is named; without a nonce only presence */
	ck_assert(diff_names(rel_side(FO_PRIMARY, "s3cret", n1, 60),
	    rel_side(FO_SECONDARY, "other", n1, 60), "shared_secret "));
	ck_assert(diff_names(rel_side(FO_PRIMARY, "s3cret", n1, 60),
	    rel_side(FO_SECONDARY, "", n1, 60), "shared_secret "));
	ck_assert(diff_names(rel_side(FO_PRIMARY, "s3cret", NULL, 60),
	    rel_side(FO_SECONDARY, "other", NULL, 60), ""));
	/* the digest depends on the nonce and never shows the secret */
	a = rel_side(FO_PRIMARY, "s3cret", n1, 60);
	b = rel_side(FO_PRIMARY, "s3cret", n2, 60);
	ck_assert(!json_equal(a, b));
	s = json_dumps(a, JSON_COMPACT);
	ck_assert_ptr_null(strstr(s, "s3cret"));
	ck_assert_ptr_nonnull(strstr(s, "\"shared_secret\":\"pbkdf2:"));
	free(s);
	json_decref(a);
	json_decref(b);
}
END_TEST

static Suite *
cfg_suite(void)
{
	Suite *s = suite_create("ctl_cfg");
	TCase *tc = tcase_create("cfg");

	tcase_add_test(tc, test_hash_stable_and_ordered);
	tcase_add_test(tc, test_hash_changes);
	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_plan);
	tcase_add_test(tc, test_rel_canon);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cfg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
