/* Unit tests: IPv4 interval sets (include/ivl.h): normalise, subtract, count,
 * contains, overlaps, each from a table, then a randomized property test (fixed
 * seed) against a bitmap over small windows at the bottom, middle and top of
 * the address space. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ivl.h"
#include "util.h"

#define MAX		UINT32_MAX
#define MAXIVL		8

/* A literal list of intervals. */
struct ivls {
	size_t		n;
	struct ivl	v[MAXIVL];
};

/* A set holding the listed intervals in the given order. */
static void
set_of(struct ivlset *s, const struct ivls *l)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < l->n; i++)
		ck_assert_int_eq(ivlset_add(s, l->v[i].start, l->v[i].end), 0);
}

/* A normalised set holding the listed intervals. */
static void
norm_of(struct ivlset *s, const struct ivls *l)
{
	set_of(s, l);
	ivlset_normalise(s);
}

static void
assert_set_eq(const struct ivlset *s, const struct ivls *want, const char *what)
{
	ck_assert_msg(s->n == want->n, "%s: %zu intervals, want %zu", what, s->n,
	    want->n);
	for (size_t i = 0; i < want->n; i++)
		ck_assert_msg(s->v[i].start == want->v[i].start &&
		    s->v[i].end == want->v[i].end,
		    "%s: [%zu] is %u-%u, want %u-%u", what, i, s->v[i].start,
		    s->v[i].end, want->v[i].start, want->v[i].end);
}

/* Sort, merge overlapping and adjacent, without overflowing at the top. */
static const struct norm_case {
	const char	*name;
	struct ivls	 in, want;
} norm_cases[] = {
	{ "empty", { 0, { { 0, 0 } } }, { 0, { { 0, 0 } } } },
	{ "single", { 1, { { 10, 20 } } }, { 1, { { 10, 20 } } } },
	{ "sort", { 2, { { 30, 40 }, { 10, 20 } } },
	    { 2, { { 10, 20 }, { 30, 40 } } } },
	{ "sort three", { 3, { { 50, 60 }, { 0, 5 }, { 30, 40 } } },
	    { 3, { { 0, 5 }, { 30, 40 }, { 50, 60 } } } },
	{ "overlap", { 2, { { 10, 20 }, { 15, 30 } } }, { 1, { { 10, 30 } } } },
	{ "overlap unsorted", { 2, { { 15, 30 }, { 10, 20 } } },
	    { 1, { { 10, 30 } } } },
	{ "contained", { 2, { { 10, 100 }, { 20, 30 } } }, { 1, { { 10, 100 } } } },
	{ "contained then beyond", { 3, { { 0, 100 }, { 10, 20 }, { 30, 200 } } },
	    { 1, { { 0, 200 } } } },
	{ "same start", { 3, { { 10, 20 }, { 10, 50 }, { 10, 30 } } },
	    { 1, { { 10, 50 } } } },
	{ "adjacent", { 2, { { 10, 20 }, { 21, 30 } } }, { 1, { { 10, 30 } } } },
	{ "gap of one", { 2, { { 10, 20 }, { 22, 30 } } },
	    { 2, { { 10, 20 }, { 22, 30 } } } },
	{ "duplicate", { 2, { { 5, 5 }, { 5, 5 } } }, { 1, { { 5, 5 } } } },
	{ "chain", { 4, { { 3, 3 }, { 1, 1 }, { 5, 5 }, { 2, 2 } } },
	    { 2, { { 1, 3 }, { 5, 5 } } } },
	{ "bridge", { 3, { { 100, 200 }, { 0, 50 }, { 51, 99 } } },
	    { 1, { { 0, 200 } } } },
	{ "zero adjacent", { 2, { { 1, 1 }, { 0, 0 } } }, { 1, { { 0, 1 } } } },
	{ "top overlap", { 2, { { MAX - 10, MAX }, { MAX, MAX } } },
	    { 1, { { MAX - 10, MAX } } } },
	{ "top adjacent", { 2, { { MAX, MAX }, { MAX - 1, MAX - 1 } } },
	    { 1, { { MAX - 1, MAX } } } },
	{ "top gap", { 2, { { MAX, MAX }, { MAX - 2, MAX - 2 } } },
	    { 2, { { MAX - 2, MAX - 2 }, { MAX, MAX } } } },
	{ "ends", { 2, { { MAX, MAX }, { 0, 0 } } },
	    { 2, { { 0, 0 }, { MAX, MAX } } } },
	{ "everything", { 3, { { 5, 6 }, { 0, MAX }, { MAX, MAX } } },
	    { 1, { { 0, MAX } } } },
	{ "halves", { 2, { { 0x80000000u, MAX }, { 0, 0x7fffffffu } } },
	    { 1, { { 0, MAX } } } },
};

START_TEST(test_normalise)
{
	const struct norm_case *t = &norm_cases[_i];
	struct ivlset s;

	norm_of(&s, &t->in);
	assert_set_eq(&s, &t->want, t->name);
	ivlset_normalise(&s);		/* idempotent */
	assert_set_eq(&s, &t->want, t->name);
	ivlset_free(&s);
}
END_TEST

/* out = a - b for normalised a and b. */
static const struct sub_case {
	const char	*name;
	struct ivls	 a, b, want;
} sub_cases[] = {
	{ "empty a", { 0, { { 0, 0 } } }, { 1, { { 0, MAX } } }, { 0, { { 0, 0 } } } },
	{ "empty b", { 2, { { 1, 2 }, { 5, 9 } } }, { 0, { { 0, 0 } } },
	    { 2, { { 1, 2 }, { 5, 9 } } } },
	{ "hole at start", { 1, { { 10, 20 } } }, { 1, { { 10, 12 } } },
	    { 1, { { 13, 20 } } } },
	{ "hole over start", { 1, { { 10, 20 } } }, { 1, { { 0, 12 } } },
	    { 1, { { 13, 20 } } } },
	{ "hole at end", { 1, { { 10, 20 } } }, { 1, { { 18, 20 } } },
	    { 1, { { 10, 17 } } } },
	{ "hole over end", { 1, { { 10, 20 } } }, { 1, { { 18, 100 } } },
	    { 1, { { 10, 17 } } } },
	{ "hole in middle", { 1, { { 10, 20 } } }, { 1, { { 14, 15 } } },
	    { 2, { { 10, 13 }, { 16, 20 } } } },
	{ "single address", { 1, { { 10, 12 } } }, { 1, { { 11, 11 } } },
	    { 2, { { 10, 10 }, { 12, 12 } } } },
	{ "everything exact", { 1, { { 10, 20 } } }, { 1, { { 10, 20 } } },
	    { 0, { { 0, 0 } } } },
	{ "everything wider", { 2, { { 10, 20 }, { 30, 40 } } }, { 1, { { 0, MAX } } },
	    { 0, { { 0, 0 } } } },
	{ "nothing after", { 1, { { 10, 20 } } }, { 1, { { 30, 40 } } },
	    { 1, { { 10, 20 } } } },
	{ "nothing before", { 1, { { 10, 20 } } }, { 1, { { 0, 9 } } },
	    { 1, { { 10, 20 } } } },
	{ "adjacent both sides", { 1, { { 10, 20 } } }, { 2, { { 0, 9 }, { 21, 30 } } },
	    { 1, { { 10, 20 } } } },
	{ "adjacent between", { 2, { { 0, 9 }, { 21, 30 } } }, { 1, { { 10, 20 } } },
	    { 2, { { 0, 9 }, { 21, 30 } } } },
	{ "several holes", { 1, { { 0, 100 } } },
	    { 3, { { 10, 19 }, { 30, 39 }, { 90, 100 } } },
	    { 3, { { 0, 9 }, { 20, 29 }, { 40, 89 } } } },
	{ "b spans several a", { 3, { { 0, 10 }, { 20, 30 }, { 40, 50 } } },
	    { 1, { { 5, 45 } } }, { 2, { { 0, 4 }, { 46, 50 } } } },
	{ "b bridges two a", { 2, { { 0, 10 }, { 12, 20 } } }, { 1, { { 10, 12 } } },
	    { 2, { { 0, 9 }, { 13, 20 } } } },
	{ "top: remove 0", { 1, { { 0, MAX } } }, { 1, { { 0, 0 } } },
	    { 1, { { 1, MAX } } } },
	{ "top: remove max", { 1, { { 0, MAX } } }, { 1, { { MAX, MAX } } },
	    { 1, { { 0, MAX - 1 } } } },
	{ "top: keep ends", { 1, { { 0, MAX } } }, { 1, { { 1, MAX - 1 } } },
	    { 2, { { 0, 0 }, { MAX, MAX } } } },
	{ "top: all", { 1, { { MAX - 5, MAX } } }, { 1, { { MAX - 5, MAX } } },
	    { 0, { { 0, 0 } } } },
	{ "top: b ends at max", { 2, { { 0, 10 }, { MAX - 5, MAX } } },
	    { 1, { { 5, MAX } } }, { 1, { { 0, 4 } } } },
};

START_TEST(test_subtract)
{
	const struct sub_case *t = &sub_cases[_i];
	struct ivlset a, b, out = { NULL, 0, 0 };

	norm_of(&a, &t->a);
	norm_of(&b, &t->b);
	ck_assert_int_eq(ivlset_add(&out, 7, 7), 0);	/* reset first */
	ck_assert_int_eq(ivlset_subtract(&a, &b, &out), 0);
	assert_set_eq(&out, &t->want, t->name);
	ivlset_free(&a);
	ivlset_free(&b);
	ivlset_free(&out);
}
END_TEST

static const struct count_case {
	struct ivls	set;
	uint64_t	want;
} count_cases[] = {
	{ { 0, { { 0, 0 } } }, 0 },
	{ { 1, { { 0, 0 } } }, 1 },
	{ { 1, { { MAX, MAX } } }, 1 },
	{ { 2, { { 0, 9 }, { 20, 29 } } }, 20 },
	{ { 1, { { 0x0a000000u, 0x0affffffu } } }, 16777216 },	/* a /8 */
	{ { 1, { { 0xc0a80100u, 0xc0a801ffu } } }, 256 },	/* a /24 */
	{ { 1, { { 0, MAX } } }, UINT64_C(4294967296) },	/* 2^32 */
	{ { 2, { { 0, 0x7fffffffu }, { 0x80000001u, MAX } } },
	    UINT64_C(4294967295) },
};

START_TEST(test_count)
{
	struct ivlset s;

	norm_of(&s, &count_cases[_i].set);
	ck_assert_uint_eq(ivlset_count(&s), count_cases[_i].want);
	ivlset_free(&s);
}
END_TEST

/* Probes of one fixed normalised set. */
static const struct ivls probe_set = {
	3, { { 10, 20 }, { 30, 30 }, { MAX - 1, MAX } }
};

static const struct contains_case {
	uint32_t	addr;
	int		want;
} contains_cases[] = {
	{ 0, 0 }, { 9, 0 }, { 10, 1 }, { 15, 1 }, { 20, 1 }, { 21, 0 }, { 29, 0 },
	{ 30, 1 }, { 31, 0 }, { 0x80000000u, 0 }, { MAX - 2, 0 }, { MAX - 1, 1 },
	{ MAX, 1 },
};

START_TEST(test_contains)
{
	struct ivlset s;

	norm_of(&s, &probe_set);
	ck_assert_int_eq(ivlset_contains(&s, contains_cases[_i].addr),
	    contains_cases[_i].want);
	ivlset_free(&s);
}
END_TEST

static const struct overlaps_case {
	uint32_t	start, end;
	int		want;
} overlaps_cases[] = {
	{ 0, 9, 0 }, { 0, 10, 1 }, { 15, 16, 1 }, { 20, 29, 1 }, { 21, 29, 0 },
	{ 21, 30, 1 }, { 30, 30, 1 }, { 31, MAX - 2, 0 }, { 31, MAX - 1, 1 },
	{ MAX, MAX, 1 }, { 0, MAX, 1 }, { 5, 25, 1 }, { 22, 28, 0 },
};

START_TEST(test_overlaps)
{
	const struct overlaps_case *t = &overlaps_cases[_i];
	struct ivlset s;

	norm_of(&s, &probe_set);
	ck_assert_msg(ivlset_overlaps(&s, t->start, t->end) == t->want,
	    "overlaps(%u, %u) != %d", t->start, t->end, t->want);
	ivlset_free(&s);
}
END_TEST

/* The empty set holds nothing; the full set everything. */
START_TEST(test_empty_and_full)
{
	struct ivlset e = { NULL, 0, 0 }, f = { NULL, 0, 0 };

	ivlset_normalise(&e);
	ck_assert_uint_eq(e.n, 0);
	ck_assert_uint_eq(ivlset_count(&e), 0);
	ck_assert_int_eq(ivlset_contains(&e, 0), 0);
	ck_assert_int_eq(ivlset_contains(&e, MAX), 0);
	ck_assert_int_eq(ivlset_overlaps(&e, 0, MAX), 0);

	ck_assert_int_eq(ivlset_add(&f, 0, MAX), 0);
	ivlset_normalise(&f);
	ck_assert_int_eq(ivlset_contains(&f, 0), 1);
	ck_assert_int_eq(ivlset_contains(&f, MAX), 1);
	ck_assert_int_eq(ivlset_overlaps(&f, MAX, MAX), 1);
	ivlset_free(&f);
	ck_assert_ptr_null(f.v);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_uint_eq(f.cap, 0);
}
END_TEST

/* add refuses start > end and grows past its first allocation. */
START_TEST(test_add)
{
	struct ivlset s = { NULL, 0, 0 };

	ck_assert_int_eq(ivlset_add(&s, 5, 4), -1);
	ck_assert_int_eq(ivlset_add(&s, MAX, 0), -1);
	ck_assert_uint_eq(s.n, 0);
	for (uint32_t i = 0; i < 1000; i++)
		ck_assert_int_eq(ivlset_add(&s, 3 * i, 3 * i + 1), 0);
	ck_assert_uint_eq(s.n, 1000);
	ck_assert_uint_ge(s.cap, 1000);
	for (uint32_t i = 0; i < 1000; i++) {
		ck_assert_uint_eq(s.v[i].start, 3 * i);
		ck_assert_uint_eq(s.v[i].end, 3 * i + 1);
	}
	ivlset_normalise(&s);
	ck_assert_uint_eq(s.n, 1000);
	ck_assert_uint_eq(ivlset_count(&s), 2000);
	ivlset_free(&s);
}
END_TEST

/* ---- the property test ---- */

#define WIN		256	/* addresses in a window */
#define ROUNDS		3000

/* Check records every passing ck_assert (a write in fork mode): the hot loops
 * below fail through this instead. */
#define REQUIRE(cond, ...) do {					\
	if (!(cond))						\
		ck_abort_msg(__VA_ARGS__);			\
} while (0)

static const uint32_t windows[] = { 0, 0x0a000000u, MAX - WIN + 1 };

/* xorshift32: the same sequence on every platform. */
static uint32_t
rnd(uint32_t *st)
{
	uint32_t x = *st;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *st = x;
}

/* 0..8 random intervals inside the window, in random order, into s and bits. */
static void
random_set(uint32_t *st, uint32_t base, struct ivlset *s, uint8_t *bits)
{
	size_t n = rnd(st) % 9;

	memset(s, 0, sizeof(*s));
	memset(bits, 0, WIN);
	for (size_t i = 0; i < n; i++) {
		uint32_t off = rnd(st) % WIN;
		uint32_t span = rnd(st) % 2 ? 4 : 64;	/* short or long */
		uint32_t len = rnd(st) % span;

		if (off + len >= WIN)
			len = WIN - 1 - off;
		REQUIRE(ivlset_add(s, base + off, base + off + len) == 0, "add");
		memset(bits + off, 1, len + 1);
	}
}

/* The runs of a bitmap: the normalised form of its set. */
static void
runs_of(const uint8_t *bits, uint32_t base, struct ivlset *want)
{
	memset(want, 0, sizeof(*want));
	for (uint32_t i = 0; i < WIN; i++) {
		uint32_t j = i;

		if (!bits[i])
			continue;
		while (j + 1 < WIN && bits[j + 1])
			j++;
		REQUIRE(ivlset_add(want, base + i, base + j) == 0, "add");
		i = j;
	}
}

/* s equals the bitmap: same runs, same count, same membership. */
static void
assert_matches(const struct ivlset *s, const uint8_t *bits, uint32_t base,
    const char *what, unsigned round)
{
	struct ivlset want;
	uint64_t pop = 0;

	runs_of(bits, base, &want);
	REQUIRE(s->n == want.n, "round %u %s: %zu intervals, want %zu", round,
	    what, s->n, want.n);
	for (size_t i = 0; i < want.n; i++)
		REQUIRE(s->v[i].start == want.v[i].start &&
		    s->v[i].end == want.v[i].end, "round %u %s: [%zu] %u-%u, want "
		    "%u-%u", round, what, i, s->v[i].start, s->v[i].end,
		    want.v[i].start, want.v[i].end);
	for (uint32_t i = 0; i < WIN; i++) {
		pop += bits[i];
		REQUIRE(ivlset_contains(s, base + i) == bits[i],
		    "round %u %s: contains(%u)", round, what, base + i);
	}
	REQUIRE(ivlset_count(s) == pop, "round %u %s: count %llu, want %llu",
	    round, what, (unsigned long long)ivlset_count(s),
	    (unsigned long long)pop);
	REQUIRE(base == 0 || !ivlset_contains(s, base - 1),
	    "round %u %s: contains(%u)", round, what, base - 1);
	REQUIRE(base + WIN - 1 == MAX || !ivlset_contains(s, base + WIN),
	    "round %u %s: contains(%u)", round, what, base + WIN);
	ivlset_free(&want);
}

/* Whether the bitmap has any address in [lo, hi] (window offsets). */
static int
bits_any(const uint8_t *bits, uint32_t lo, uint32_t hi)
{
	for (uint32_t i = lo; i <= hi; i++)
		if (bits[i])
			return 1;
	return 0;
}

/* One round: normalise two random sets, subtract them, probe overlaps. */
static void
property_round(uint32_t *st, uint32_t base, unsigned round)
{
	uint8_t abits[WIN], bbits[WIN], dbits[WIN];
	struct ivlset a, b, d = { NULL, 0, 0 };
	uint32_t lo, hi;

	random_set(st, base, &a, abits);
	random_set(st, base, &b, bbits);
	ivlset_normalise(&a);
	ivlset_normalise(&b);
	assert_matches(&a, abits, base, "normalise", round);
	assert_matches(&b, bbits, base, "normalise", round);

	for (size_t i = 0; i < WIN; i++)
		dbits[i] = abits[i] && !bbits[i];
	REQUIRE(ivlset_subtract(&a, &b, &d) == 0, "round %u: subtract", round);
	assert_matches(&d, dbits, base, "subtract", round);

	lo = rnd(st) % WIN;
	hi = lo + rnd(st) % (WIN - lo);
	REQUIRE(ivlset_overlaps(&a, base + lo, base + hi) == bits_any(abits, lo, hi),
	    "round %u: overlaps(%u, %u)", round, base + lo, base + hi);
	ivlset_free(&a);
	ivlset_free(&b);
	ivlset_free(&d);
}

START_TEST(test_property)
{
	uint32_t st = 0x9e3779b9u + (uint32_t)_i;

	for (unsigned round = 0; round < ROUNDS; round++)
		property_round(&st, windows[_i], round);
}
END_TEST

static Suite *
ivl_suite(void)
{
	Suite *s = suite_create("ivl");
	TCase *tc;

	tc = tcase_create("tables");
	tcase_add_loop_test(tc, test_normalise, 0, nitems(norm_cases));
	tcase_add_loop_test(tc, test_subtract, 0, nitems(sub_cases));
	tcase_add_loop_test(tc, test_count, 0, nitems(count_cases));
	tcase_add_loop_test(tc, test_contains, 0, nitems(contains_cases));
	tcase_add_loop_test(tc, test_overlaps, 0, nitems(overlaps_cases));
	tcase_add_test(tc, test_empty_and_full);
	tcase_add_test(tc, test_add);
	suite_add_tcase(s, tc);

	tc = tcase_create("property");
	tcase_add_loop_test(tc, test_property, 0, nitems(windows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ivl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
