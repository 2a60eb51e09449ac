/* The rebalancing planner (docs/FAILOVER.md §11): targets and their rounding, the moves
 * in both directions, input validation, the threshold, the reserves the
 * automatic forms keep (a flood is not followed), and property loops. */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "fo_rebal.h"
#include "util.h"

#define P	FO_PRIMARY
#define S	FO_SECONDARY
#define MAXR	16
#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))
#define TWO32	((uint64_t)1 << 32)
#define ROUND_MAX_F	7

/* floor(f * share / 100) by counting up, independent of the planner. */
static uint64_t
ref_secondary(uint64_t f, unsigned share)
{
	uint64_t t = 0;

	if (share > 100)
		share = 100;
	while ((t + 1) * 100 <= f * share)
		t++;
	return t;
}

static uint64_t
len_of(uint32_t start, uint32_t end)
{
	return (uint64_t)end - start + 1;
}

/* Free addresses of `owner` in runs, optionally only those in [lo, hi]. */
static uint64_t
owned(const struct rebal_run *runs, size_t n, int owner, uint32_t lo,
    uint32_t hi)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t a = runs[i].start > lo ? runs[i].start : lo;
		uint32_t b = runs[i].end < hi ? runs[i].end : hi;

		if (runs[i].owner == owner && a <= b)
			sum += len_of(a, b);
	}
	return sum;
}

/* Index of the run holding addr, or n. */
static size_t
run_holding(const struct rebal_run *runs, size_t n, uint32_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (runs[i].start <= addr && addr <= runs[i].end)
			return i;
	return n;
}

/* Counts and targets against the runs and the reference rounding. */
static void
check_counts(const struct rebal_run *runs, size_t n, unsigned share,
    const struct rebal_plan *p)
{
	uint64_t pf = owned(runs, n, P, 0, UINT32_MAX);
	uint64_t sf = owned(runs, n, S, 0, UINT32_MAX);
	uint64_t st = (share > 100 ? 100 : share) * (pf + sf) / 100;

	ck_assert_uint_eq(p->primary_free, pf);
	ck_assert_uint_eq(p->secondary_free, sf);
	ck_assert_uint_eq(p->free, pf + sf);
	ck_assert_uint_eq(p->secondary_target, st);
	ck_assert_uint_eq(p->primary_target, pf + sf - st);
	ck_assert(p->to_secondary == 0 || p->to_primary == 0);
	ck_assert_uint_eq(sf + p->to_secondary - p->to_primary, st);
	ck_assert((p->nmoves == 0) == (p->moves == NULL));
}

/* Each move sorted, inside one run of the other owner, one move per run;
 * their sizes add up to what the plan says moves. One assertion per move:
 * the property loop makes hundreds of thousands. */
static void
check_moves_in_runs(const struct rebal_run *runs, size_t n,
    const struct rebal_plan *p)
{
	int to = p->to_secondary ? S : P;
	uint64_t moved = 0;
	size_t i, r, last = SIZE_MAX;

	for (i = 0; i < p->nmoves; i++) {
		const struct rebal_move *m = &p->moves[i];

		r = run_holding(runs, n, m->start);
		ck_assert_msg(r < n && m->start <= m->end &&
		    m->end <= runs[r].end && m->to == to &&
		    runs[r].owner != to && (last == SIZE_MAX || r > last),
		    "move %zu [%u, %u] -> %d is not alone in a run of the "
		    "other owner", i, m->start, m->end, m->to);
		last = r;
		moved += len_of(m->start, m->end);
	}
	ck_assert_uint_eq(moved, p->to_secondary + p->to_primary);
}

/* FREE -> BACKUP took exactly the primary's highest addresses, BACKUP -> FREE
 * exactly the secondary's lowest: every donor address beyond the edge moved. */
static void
check_rule(const struct rebal_run *runs, size_t n, const struct rebal_plan *p)
{
	if (p->nmoves == 0)
		return;
	uint32_t lo = p->moves[0].start, hi = p->moves[p->nmoves - 1].end;

	if (p->to_secondary)
		ck_assert_uint_eq(owned(runs, n, P, lo, UINT32_MAX),
		    p->to_secondary);
	else
		ck_assert_uint_eq(owned(runs, n, S, 0, hi), p->to_primary);
}

/* The runs after the moves: a run with a move splits into up to three. */
static size_t
apply_moves(const struct rebal_run *runs, size_t n, const struct rebal_plan *p,
    struct rebal_run *out)
{
	size_t i, j = 0, k = 0;

	for (i = 0; i < n; i++) {
		const struct rebal_move *m;
		struct rebal_run r = runs[i];

		if (j == p->nmoves || (m = &p->moves[j])->start > r.end) {
			out[k++] = r;
			continue;
		}
		if (m->start > r.start)
			out[k++] = (struct rebal_run){
			    r.start, m->start - 1, r.owner };
		out[k++] = (struct rebal_run){ m->start, m->end, m->to };
		if (m->end < r.end)
			out[k++] = (struct rebal_run){
			    m->end + 1, r.end, r.owner };
		j++;
	}
	ck_assert_uint_eq(j, p->nmoves);
	return k;
}

/* Applied, the moves give each side exactly its target, and planning again
 * moves nothing. */
static void
check_applied(const struct rebal_run *runs, size_t n, unsigned share,
    const struct rebal_plan *p)
{
	struct rebal_run *after = calloc(3 * n + 1, sizeof(*after));
	struct rebal_plan again;
	size_t k;

	ck_assert_ptr_nonnull(after);
	k = apply_moves(runs, n, p, after);
	ck_assert_uint_eq(owned(after, k, P, 0, UINT32_MAX),
	    p->primary_target);
	ck_assert_uint_eq(owned(after, k, S, 0, UINT32_MAX),
	    p->secondary_target);
	ck_assert_int_eq(rebal_plan_scope(after, k, share, &again), 0);
	ck_assert_uint_eq(again.nmoves, 0);
	ck_assert_uint_eq(again.to_secondary + again.to_primary, 0);
	ck_assert_int_eq(rebal_needed(&again, 0), 0);
	rebal_plan_free(&again);
	free(after);
}

/* Plans runs with share and checks every property; the caller frees p. */
static void
plan_checked(const struct rebal_run *runs, size_t n, unsigned share,
    struct rebal_plan *p)
{
	ck_assert_int_eq(rebal_plan_scope(runs, n, share, p), 0);
	check_counts(runs, n, share, p);
	check_moves_in_runs(runs, n, p);
	check_rule(runs, n, p);
	check_applied(runs, n, share, p);
}

/* Rounding: every F in 1..ROUND_MAX_F against every share, by the counting
 * reference, and through the planner. */
static const unsigned round_shares[] = { 0, 1, 33, 50, 66, 99, 100 };

START_TEST(test_rounding)
{
	uint64_t f = (uint64_t)_i / nitems(round_shares) + 1;
	unsigned share = round_shares[_i % nitems(round_shares)];
	struct rebal_run halves[2] = { { 100, 100, P }, { 0, 0, S } };
	struct rebal_run all = { 100, (uint32_t)(100 + f - 1), P };
	struct rebal_plan p;
	uint64_t pt, st;

	rebal_targets(f, share, &pt, &st);
	ck_assert_uint_eq(st, ref_secondary(f, share));
	ck_assert_uint_eq(pt + st, f);
	plan_checked(&all, 1, share, &p);
	ck_assert_uint_eq(p.to_secondary, st);
	rebal_plan_free(&p);
	all.owner = S;
	plan_checked(&all, 1, share, &p);
	ck_assert_uint_eq(p.to_primary, pt);
	rebal_plan_free(&p);
	halves[1] = (struct rebal_run){ 102, (uint32_t)(102 + f - 1), S };
	plan_checked(halves, 2, share, &p);	/* a hole at 101 */
	rebal_plan_free(&p);
}
END_TEST

/* Hand-computed anchors for the rounding. */
static const struct {
	uint64_t	f;
	unsigned	share;
	uint64_t	st;
} round_cases[] = {
	{ 7, 33, 2 }, { 7, 66, 4 }, { 7, 50, 3 }, { 6, 50, 3 }, { 3, 33, 0 },
	{ 3, 34, 1 }, { 3, 66, 1 }, { 3, 67, 2 }, { 1, 99, 0 }, { 1, 100, 1 },
	{ 1, 0, 0 }, { 5, 99, 4 }, { 100, 33, 33 }, { 101, 99, 99 },
	{ 199, 50, 99 }, { 254, 5, 12 }, { 0, 50, 0 }, { 0, 100, 0 },
	{ 7, 101, 7 }, { 7, 250, 7 }, { 7, UINT_MAX, 7 },
	{ TWO32, 50, (uint64_t)1 << 31 }, { TWO32, 1, 42949672 },
	{ TWO32, 99, 4252017623 }, { TWO32, 5, 214748364 },
	{ UINT64_MAX, 1, 184467440737095516ULL },
	{ UINT64_MAX, 33, 6087425544324152032ULL },
	{ UINT64_MAX, 50, 9223372036854775807ULL },
	{ UINT64_MAX, 66, 12174851088648304065ULL },
	{ UINT64_MAX, 99, 18262276632972456098ULL },
	{ UINT64_MAX, 100, UINT64_MAX }, { UINT64_MAX, 0, 0 },
};

START_TEST(test_rounding_anchors)
{
	uint64_t pt, st;

	rebal_targets(round_cases[_i].f, round_cases[_i].share, &pt, &st);
	ck_assert_uint_eq(st, round_cases[_i].st);
	ck_assert_uint_eq(pt, round_cases[_i].f - round_cases[_i].st);
}
END_TEST

/* The percentage by mode (docs/RPC.md §6.1, docs/FAILOVER.md §11). */
static const struct {
	int		mode;
	unsigned	pct;
	unsigned	share;
	uint64_t	f;
	uint64_t	pt, st;
} mode_cases[] = {
	{ FO_MODE_LOAD_BALANCE, 0, 100, 254, 0, 254 },
	{ FO_MODE_LOAD_BALANCE, 100, 0, 254, 254, 0 },
	{ FO_MODE_LOAD_BALANCE, 50, 50, 254, 127, 127 },
	{ FO_MODE_LOAD_BALANCE, 50, 50, 255, 128, 127 },
	{ FO_MODE_LOAD_BALANCE, 30, 70, 254, 77, 177 },
	{ FO_MODE_LOAD_BALANCE, 101, 0, 254, 254, 0 },
	{ FO_MODE_HOT_STANDBY, 0, 0, 254, 254, 0 },
	{ FO_MODE_HOT_STANDBY, 100, 100, 254, 0, 254 },
	{ FO_MODE_HOT_STANDBY, 5, 5, 254, 242, 12 },	/* default reserve */
	{ FO_MODE_HOT_STANDBY, 5, 5, 100, 95, 5 },
	{ FO_MODE_HOT_STANDBY, 5, 5, 19, 19, 0 },
	{ FO_MODE_HOT_STANDBY, 5, 5, 20, 19, 1 },
	{ FO_MODE_HOT_STANDBY, 5, 5, 1, 1, 0 },
	{ FO_MODE_HOT_STANDBY, 101, 100, 254, 0, 254 },
};

START_TEST(test_modes)
{
	unsigned share = fo_secondary_share(mode_cases[_i].mode,
	    mode_cases[_i].pct);
	uint64_t f = mode_cases[_i].f;
	struct rebal_run runs[2] = {
		{ IP(10, 1, 0, 1), (uint32_t)(IP(10, 1, 0, 1) + f / 2), P },
		{ (uint32_t)(IP(10, 1, 0, 1) + f / 2 + 1),
		    (uint32_t)(IP(10, 1, 0, 1) + f - 1), S },
	};
	struct rebal_run all = { IP(10, 1, 0, 1), runs[1].end, P };
	struct rebal_plan p;
	int o;

	ck_assert_uint_eq(share, mode_cases[_i].share);
	for (o = P; o <= S; o++) {
		all.owner = o;
		plan_checked(&all, 1, share, &p);
		ck_assert_uint_eq(p.primary_target, mode_cases[_i].pt);
		ck_assert_uint_eq(p.secondary_target, mode_cases[_i].st);
		rebal_plan_free(&p);
	}
	plan_checked(runs, f > 1 ? 2 : 1, share, &p);
	ck_assert_uint_eq(p.secondary_target, mode_cases[_i].st);
	rebal_plan_free(&p);
}
END_TEST

/* Exact moves for small layouts. */
static const struct {
	const char		*name;
	struct rebal_run	 runs[MAXR];
	size_t			 nruns;
	unsigned		 share;
	struct rebal_move	 moves[MAXR];
	size_t			 nmoves;
	uint64_t		 to_secondary, to_primary;
} move_cases[] = {
	{ "all primary: the top half goes", { { 10, 109, P } }, 1, 50,
	    { { 60, 109, S } }, 1, 50, 0 },
	{ "all secondary: the bottom half comes back", { { 10, 109, S } }, 1,
	    50, { { 10, 59, P } }, 1, 0, 50 },
	{ "a run cut at 70 %", { { 1, 100, P } }, 1, 30,
	    { { 71, 100, S } }, 1, 30, 0 },
	{ "a run split in the middle", { { 1, 10, P }, { 21, 30, P },
	    { 31, 40, S } }, 3, 50, { { 26, 30, S } }, 1, 5, 0 },
	{ "a secondary run split in the middle", { { 1, 10, P }, { 21, 30, S },
	    { 41, 50, S } }, 3, 0, { { 21, 30, P }, { 41, 50, P } }, 2, 0, 20 },
	{ "whole runs, then part of one", { { 1, 10, P }, { 21, 30, P } }, 2,
	    75, { { 6, 10, S }, { 21, 30, S } }, 2, 15, 0 },
	{ "whole secondary runs back", { { 1, 10, S }, { 11, 20, P },
	    { 21, 30, S } }, 3, 0, { { 1, 10, P }, { 21, 30, P } }, 2, 0, 20 },
	{ "interleaved, back to the primary", { { 1, 5, P }, { 7, 9, S },
	    { 11, 20, P }, { 22, 40, S } }, 4, 50,
	    { { 7, 9, P }, { 22, 22, P } }, 2, 0, 4 },
	{ "interleaved, to the secondary", { { 1, 5, P }, { 7, 9, S },
	    { 11, 20, P }, { 22, 40, S } }, 4, 90,
	    { { 5, 5, S }, { 11, 20, S } }, 2, 11, 0 },
	{ "balanced: nothing moves", { { 1, 50, P }, { 51, 100, S } }, 2, 50,
	    { { 0, 0, 0 } }, 0, 0, 0 },
	{ "one address moves", { { 7, 7, P } }, 1, 100,
	    { { 7, 7, S } }, 1, 1, 0 },
	{ "one address, rounded down, stays", { { 7, 7, P } }, 1, 99,
	    { { 0, 0, 0 } }, 0, 0, 0 },
	{ "adjacent runs stay separate moves", { { 1, 10, P }, { 11, 20, P } },
	    2, 100, { { 1, 10, S }, { 11, 20, S } }, 2, 20, 0 },
	{ "the top of the address space", { { 0xfffffff0, 0xffffffff, P } }, 1,
	    50, { { 0xfffffff8, 0xffffffff, S } }, 1, 8, 0 },
	{ "the bottom of the address space", { { 0, 15, S } }, 1, 50,
	    { { 0, 7, P } }, 1, 0, 8 },
	{ "a share over 100 is 100", { { 1, 4, P }, { 6, 6, S } }, 2, 1000,
	    { { 1, 4, S } }, 1, 4, 0 },
	{ "reservation at .50, exclusion .100-.109, load-balance 50",
	    { { IP(10, 1, 0, 10), IP(10, 1, 0, 49), P },
	    { IP(10, 1, 0, 51), IP(10, 1, 0, 99), P },
	    { IP(10, 1, 0, 110), IP(10, 1, 0, 200), P } }, 3, 50,
	    { { IP(10, 1, 0, 111), IP(10, 1, 0, 200), S } }, 1, 90, 0 },
};

START_TEST(test_moves)
{
	struct rebal_plan p;
	size_t i;

	plan_checked(move_cases[_i].runs, move_cases[_i].nruns,
	    move_cases[_i].share, &p);
	ck_assert_msg(p.nmoves == move_cases[_i].nmoves, "%s: %zu moves",
	    move_cases[_i].name, p.nmoves);
	for (i = 0; i < p.nmoves; i++) {
		const struct rebal_move *m = &move_cases[_i].moves[i];

		ck_assert_msg(p.moves[i].start == m->start && p.moves[i].end ==
		    m->end && p.moves[i].to == m->to, "%s: move %zu is "
		    "[%u, %u] -> %d", move_cases[_i].name, i, p.moves[i].start,
		    p.moves[i].end, p.moves[i].to);
	}
	ck_assert_uint_eq(p.to_secondary, move_cases[_i].to_secondary);
	ck_assert_uint_eq(p.to_primary, move_cases[_i].to_primary);
	rebal_plan_free(&p);
}
END_TEST

/*
 * A /22 with holes: every 7th address reserved, every 11th excluded, a block of
 * leases; owners alternate every 13 addresses so runs of both owners touch.
 * Runs are built around the holes; no move may ever cover a hole.
 */
#define HOLES_BASE	IP(10, 2, 0, 1)
#define HOLES_N		1022

static int
is_hole(uint32_t a)
{
	uint32_t i = a - HOLES_BASE;

	return i % 7 == 3 || i % 11 == 0 || (i >= 500 && i < 540);
}

/* Runs over [HOLES_BASE, + HOLES_N) skipping the holes; returns their count. */
static size_t
holes_runs(struct rebal_run *runs, int (*hole)(uint32_t),
    int (*owner)(uint32_t))
{
	size_t n = 0;
	uint32_t a;

	for (a = HOLES_BASE; a < HOLES_BASE + HOLES_N; a++) {
		if (hole(a))
			continue;
		if (n > 0 && runs[n - 1].end == a - 1 &&
		    runs[n - 1].owner == owner(a))
			runs[n - 1].end = a;
		else
			runs[n++] = (struct rebal_run){ a, a, owner(a) };
	}
	return n;
}

static int
owner_by_13(uint32_t a)
{
	return (a / 13) % 2 ? S : P;
}

static int
every_other(uint32_t a)
{
	return (a - HOLES_BASE) % 2;	/* 1-address runs and holes */
}

static int
owner_primary(uint32_t a)
{
	return P;
}

static const unsigned hole_shares[] = { 0, 1, 5, 33, 50, 66, 95, 99, 100 };

/* No move touches a hole, and the runs hold what they should. */
static void
check_holes(const struct rebal_run *runs, size_t n, unsigned share,
    int (*hole)(uint32_t))
{
	struct rebal_plan p;
	uint32_t a;

	plan_checked(runs, n, share, &p);
	for (size_t i = 0; i < p.nmoves; i++)
		for (a = p.moves[i].start; a <= p.moves[i].end; a++)
			ck_assert_msg(!hole(a), "move %zu covers hole %u",
			    i, a);
	rebal_plan_free(&p);
}

START_TEST(test_holes)
{
	struct rebal_run runs[HOLES_N];
	unsigned share = hole_shares[_i];
	size_t n;

	n = holes_runs(runs, is_hole, owner_by_13);
	ck_assert_uint_gt(n, 100);
	check_holes(runs, n, share, is_hole);
	n = holes_runs(runs, is_hole, owner_primary);
	check_holes(runs, n, share, is_hole);
	n = holes_runs(runs, every_other, owner_primary);
	ck_assert_uint_eq(n, HOLES_N / 2);
	check_holes(runs, n, share, every_other);
}
END_TEST

/* Every count zero, no moves: an empty plan. */
static void
assert_zeroed(const struct rebal_plan *p)
{
	ck_assert_uint_eq(p->free + p->primary_free + p->secondary_free, 0);
	ck_assert_uint_eq(p->primary_target + p->secondary_target, 0);
	ck_assert_uint_eq(p->to_secondary + p->to_primary, 0);
	ck_assert_ptr_null(p->moves);
	ck_assert_uint_eq(p->nmoves, 0);
}

START_TEST(test_empty_scope)
{
	struct rebal_run one = { 1, 1, P };
	struct rebal_plan p;
	unsigned share;

	for (share = 0; share <= 100; share += 50) {
		memset(&p, 0xa5, sizeof(p));
		ck_assert_int_eq(rebal_plan_scope(NULL, 0, share, &p), 0);
		assert_zeroed(&p);
		ck_assert_int_eq(rebal_needed(&p, 0), 0);
		ck_assert_int_eq(rebal_needed(&p, 5), 0);
		rebal_plan_free(&p);
		plan_checked(&one, 0, share, &p);	/* runs, but none */
		ck_assert_uint_eq(p.free, 0);
		rebal_plan_free(&p);
	}
}
END_TEST

/* A /8 as one run, 2000 times: only O(runs) finishes within the timeout. */
START_TEST(test_slash8)
{
	struct rebal_run r = { IP(10, 0, 0, 1), IP(10, 255, 255, 254), P };
	struct rebal_plan p;
	int i;

	for (i = 0; i < 2000; i++) {
		ck_assert_int_eq(rebal_plan_scope(&r, 1, 50, &p), 0);
		ck_assert_uint_eq(p.free, 16777214);
		ck_assert_uint_eq(p.nmoves, 1);
		ck_assert_uint_eq(p.moves[0].start, IP(10, 128, 0, 0));
		ck_assert_uint_eq(p.moves[0].end, IP(10, 255, 255, 254));
		ck_assert_uint_eq(p.to_secondary, 8388607);
		rebal_plan_free(&p);
	}
	r.owner = S;
	plan_checked(&r, 1, 50, &p);
	ck_assert_uint_eq(p.moves[0].start, IP(10, 0, 0, 1));
	ck_assert_uint_eq(p.moves[0].end, IP(10, 127, 255, 255));
	rebal_plan_free(&p);
	r.owner = P;
	plan_checked(&r, 1, fo_secondary_share(FO_MODE_HOT_STANDBY, 5), &p);
	ck_assert_uint_eq(p.to_secondary, 838860);
	ck_assert_uint_eq(p.moves[0].start, IP(10, 255, 255, 254) - 838860 + 1);
	rebal_plan_free(&p);
}
END_TEST

/* F = 2^32: the whole address space as runs. */
static const struct {
	struct rebal_run	runs[2];
	size_t			nruns;
	unsigned		share;
	struct rebal_move	move;
	uint64_t		moved;
} full_cases[] = {
	{ { { 0, UINT32_MAX, P } }, 1, 50, { 0x80000000, UINT32_MAX, S },
	    (uint64_t)1 << 31 },
	{ { { 0, UINT32_MAX, P } }, 1, 1, { 4252017624u, UINT32_MAX, S },
	    42949672 },
	{ { { 0, UINT32_MAX, P } }, 1, 100, { 0, UINT32_MAX, S }, TWO32 },
	{ { { 0, UINT32_MAX, S } }, 1, 99, { 0, 42949672, P }, 42949673 },
	{ { { 0, UINT32_MAX, S } }, 1, 0, { 0, UINT32_MAX, P }, TWO32 },
	{ { { 0, 0x7fffffff, P }, { 0x80000000, UINT32_MAX, S } }, 2, 0,
	    { 0x80000000, UINT32_MAX, P }, (uint64_t)1 << 31 },
	{ { { 0, 0x7fffffff, P }, { 0x80000000, UINT32_MAX, S } }, 2, 100,
	    { 0, 0x7fffffff, S }, (uint64_t)1 << 31 },
	{ { { 0, 0, P }, { 1, UINT32_MAX, S } }, 2, 0,
	    { 1, UINT32_MAX, P }, TWO32 - 1 },
};

START_TEST(test_full_space)
{
	struct rebal_plan p;

	plan_checked(full_cases[_i].runs, full_cases[_i].nruns,
	    full_cases[_i].share, &p);
	ck_assert_uint_eq(p.free, TWO32);
	ck_assert_uint_eq(p.nmoves, 1);
	ck_assert_uint_eq(p.moves[0].start, full_cases[_i].move.start);
	ck_assert_uint_eq(p.moves[0].end, full_cases[_i].move.end);
	ck_assert_int_eq(p.moves[0].to, full_cases[_i].move.to);
	ck_assert_uint_eq(p.to_secondary + p.to_primary, full_cases[_i].moved);
	rebal_plan_free(&p);
}
END_TEST

/* Refused layouts: *out must come back zeroed. */
static const struct {
	const char		*name;
	struct rebal_run	 runs[4];
	size_t			 nruns;
} bad_cases[] = {
	{ "unsorted", { { 20, 30, P }, { 1, 10, P } }, 2 },
	{ "start after end", { { 10, 9, P } }, 1 },
	{ "overlap by one", { { 1, 10, P }, { 10, 20, S } }, 2 },
	{ "same start", { { 1, 10, P }, { 1, 5, P } }, 2 },
	{ "contained", { { 1, 100, P }, { 5, 6, S } }, 2 },
	{ "duplicate", { { 5, 5, P }, { 5, 5, P } }, 2 },
	{ "owner 2", { { 1, 10, 2 } }, 1 },
	{ "owner -1", { { 1, 10, -1 } }, 1 },
	{ "bad owner after good runs", { { 1, 10, P }, { 20, 30, S },
	    { 40, 50, 7 } }, 3 },
	{ "bad last run", { { 1, 10, P }, { 20, 30, S }, { 40, 39, S } }, 3 },
	{ "unsorted at the end", { { 1, 10, P }, { 20, 30, S },
	    { 11, 12, S } }, 3 },
	{ "top then bottom", { { UINT32_MAX, UINT32_MAX, P },
	    { 0, 0, P } }, 2 },
};

START_TEST(test_invalid)
{
	struct rebal_plan p;

	memset(&p, 0xa5, sizeof(p));
	ck_assert_msg(rebal_plan_scope(bad_cases[_i].runs, bad_cases[_i].nruns,
	    50, &p) == -1, "%s accepted", bad_cases[_i].name);
	assert_zeroed(&p);
	rebal_plan_free(&p);
}
END_TEST

START_TEST(test_invalid_args)
{
	struct rebal_run ok[2] = { { 1, 10, P }, { 11, 11, S } };
	struct rebal_plan p;

	memset(&p, 0xa5, sizeof(p));
	ck_assert_int_eq(rebal_plan_scope(NULL, 3, 50, &p), -1);
	assert_zeroed(&p);
	ck_assert_int_eq(rebal_plan_scope(ok, 2, 50, NULL), -1);
	plan_checked(ok, 2, 50, &p);		/* adjacent runs are fine */
	rebal_plan_free(&p);
}
END_TEST

START_TEST(test_plan_free)
{
	struct rebal_run r = { 1, 10, P };
	struct rebal_plan p;

	ck_assert_int_eq(rebal_plan_scope(&r, 1, 50, &p), 0);
	ck_assert_ptr_nonnull(p.moves);
	rebal_plan_free(&p);
	assert_zeroed(&p);
	rebal_plan_free(&p);
	rebal_plan_free(NULL);
}
END_TEST

/* FAILOVER.md §11: the timer acts only past 5 % of F, strictly. */
static const struct {
	uint64_t	f;
	unsigned	share;
	uint64_t	sf;		/* the secondary's free addresses now */
	unsigned	thr;
	int		needed;
} need_cases[] = {
	{ 100, 50, 50, 5, 0 }, { 100, 50, 55, 5, 0 }, { 100, 50, 56, 5, 1 },
	{ 100, 50, 45, 5, 0 }, { 100, 50, 44, 5, 1 },
	{ 1000, 50, 550, 5, 0 }, { 1000, 50, 551, 5, 1 },
	{ 1000, 50, 449, 5, 1 }, { 1000, 50, 450, 5, 0 },
	{ 20, 50, 11, 5, 0 }, { 20, 50, 12, 5, 1 }, { 20, 50, 9, 5, 0 },
	{ 7, 50, 3, 5, 0 }, { 7, 50, 4, 5, 1 }, { 1, 50, 1, 5, 1 },
	{ 254, 5, 12, 5, 0 }, { 254, 5, 0, 5, 0 }, { 254, 5, 24, 5, 0 },
	{ 254, 5, 25, 5, 1 }, { 254, 0, 13, 5, 1 }, { 254, 100, 241, 5, 1 },
	{ 254, 100, 242, 5, 0 },
	{ 100, 50, 51, 0, 1 }, { 100, 50, 50, 0, 0 },
	{ 100, 0, 100, 99, 1 }, { 100, 0, 100, 100, 0 },
	{ 100, 0, 100, UINT_MAX, 0 },
	{ TWO32, 50, ((uint64_t)1 << 31) + 214748364, 5, 0 },
	{ TWO32, 50, ((uint64_t)1 << 31) + 214748365, 5, 1 },
	{ TWO32, 50, ((uint64_t)1 << 31) - 214748364, 5, 0 },
	{ TWO32, 50, ((uint64_t)1 << 31) - 214748365, 5, 1 },
	{ TWO32, 0, TWO32, 99, 1 }, { TWO32, 0, TWO32, 100, 0 },
};

START_TEST(test_needed)
{
	uint64_t f = need_cases[_i].f, sf = need_cases[_i].sf;
	struct rebal_run runs[2];
	struct rebal_plan p;
	size_t n = 0;

	if (sf < f)
		runs[n++] = (struct rebal_run){ 0, (uint32_t)(f - sf - 1), P };
	if (sf > 0)
		runs[n++] = (struct rebal_run){ (uint32_t)(f - sf),
		    (uint32_t)(f - 1), S };
	plan_checked(runs, n, need_cases[_i].share, &p);
	ck_assert_uint_eq(p.secondary_free, sf);
	ck_assert_int_eq(rebal_needed(&p, need_cases[_i].thr),
	    need_cases[_i].needed);
	rebal_plan_free(&p);
}
END_TEST

/* A fixed-seed xorshift64*: the property loop is the same every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(uint64_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL) % n;
}

/* A random layout: small or large runs, gaps of 0..3, owners mixed or one. */
static size_t
random_runs(struct rebal_run *runs, size_t max)
{
	uint64_t at = rnd(8) == 0 ? UINT32_MAX - rnd(200) : rnd(TWO32);
	uint64_t maxlen = rnd(4) == 0 ? 1 << 20 : 8;
	int bias = (int)rnd(4);		/* 0, 1: one owner; else mixed */
	size_t n = 0, want = (size_t)rnd(max + 1);
	uint64_t len;

	while (n < want) {
		at += n > 0 ? rnd(4) : 0;
		len = 1 + rnd(maxlen);
		if (at + len - 1 > UINT32_MAX)
			break;
		runs[n].start = (uint32_t)at;
		runs[n].end = (uint32_t)(at + len - 1);
		runs[n++].owner = bias < 2 ? bias : (int)rnd(2);
		at += len;
	}
	return n;
}

START_TEST(test_property)
{
	struct rebal_run runs[40];
	struct rebal_plan p;
	unsigned share;
	size_t n;
	int i;

	for (i = 0; i < 4000; i++) {
		n = random_runs(runs, nitems(runs));
		share = (unsigned)rnd(103);		/* 101, 102: clamped */
		plan_checked(runs, n, share, &p);
		ck_assert_int_eq(rebal_needed(&p, 0), p.nmoves > 0);
		rebal_plan_free(&p);
	}
}
END_TEST

/* ---- the automatic forms: each side keeps its reserve ---- */

#define R(a, b, o)	{ IP(10, 1, 0, a), IP(10, 1, 0, b), o }

/* One scope of 11 addresses (.10 - .20) unless said, its free runs, what
 * each side has in use, and what the kept plan moves and holds back. */
static const struct kept_case {
	const char	*what;
	struct rebal_run runs[4];
	size_t		 nruns;
	unsigned	 share;
	struct rebal_used used;
	uint64_t	 to_secondary, to_primary, held;
} kept_cases[] = {
	{ "a flood took the secondary's share: the primary's stays",
	  { R(10, 15, P) }, 1, 50, { 0, 5 }, 0, 0, 3 },
	{ "a flood took the primary's share: the secondary's stays",
	  { R(16, 20, S) }, 1, 50, { 6, 0 }, 0, 0, 3 },
	{ "hot standby: the standby keeps its 5 % when the active one is full",
	  { R(96, 100, S) }, 1, 5, { 95, 0 }, 0, 0, 5 },
	{ "a side over its share gives its surplus",
	  { R(10, 12, P), R(13, 20, S) }, 2, 50, { 0, 0 }, 0, 3, 0 },
	{ "the flood's addresses came back to the primary: only its surplus moves",
	  { R(10, 17, P) }, 1, 50, { 0, 3 }, 2, 0, 2 },
	{ "both sides leased in proportion: the exact split",
	  { R(10, 11, P), R(12, 16, S) }, 2, 50, { 2, 2 }, 0, 2, 0 },
	{ "at 70 %: the secondary's 30 % of 11 is 3",
	  { R(10, 20, P) }, 1, 30, { 0, 0 }, 3, 0, 0 },
	{ "nothing free", { { 0, 0, P } }, 0, 50, { 6, 5 }, 0, 0, 0 },
};

START_TEST(test_kept)
{
	const struct kept_case *t = &kept_cases[_i];
	struct rebal_plan exact, kept;

	ck_assert_int_eq(rebal_plan_scope(t->runs, t->nruns, t->share, &exact), 0);
	ck_assert_int_eq(rebal_plan_scope_kept(t->runs, t->nruns, t->share, &t->used,
	    &kept), 0);
	ck_assert_msg(kept.to_secondary == t->to_secondary &&
	    kept.to_primary == t->to_primary && kept.held == t->held,
	    "%s: moved %llu to the secondary, %llu to the primary, held %llu",
	    t->what, (unsigned long long)kept.to_secondary,
	    (unsigned long long)kept.to_primary, (unsigned long long)kept.held);
	ck_assert_uint_eq(kept.to_secondary + kept.to_primary + kept.held,
	    exact.to_secondary + exact.to_primary);
	ck_assert_uint_eq(kept.secondary_target, exact.secondary_target);
	check_moves_in_runs(t->runs, t->nruns, &kept);
	check_rule(t->runs, t->nruns, &kept);
	rebal_plan_free(&exact);
	rebal_plan_free(&kept);
}
END_TEST

START_TEST(test_kept_invalid)
{
	struct rebal_run r = R(10, 20, P);
	struct rebal_plan p;

	ck_assert_int_eq(rebal_plan_scope_kept(&r, 1, 50, NULL, &p), -1);
	ck_assert_uint_eq(p.nmoves, 0);
	ck_assert_int_eq(rebal_plan_scope_kept(&r, 1, 50, &(struct rebal_used){ 0, 0 },
	    NULL), -1);
}
END_TEST

/* Random runs and uses: the kept plan moves the same way as the exact one,
 * never more, the rest held; the giver keeps its reserve; the moves obey the
 * planner's rules. */
START_TEST(test_kept_property)
{
	struct rebal_run runs[40];
	struct rebal_plan exact, kept;

	for (int i = 0; i < 4000; i++) {
		size_t n = random_runs(runs, nitems(runs));
		unsigned share = (unsigned)rnd(101);
		struct rebal_used u = { rnd(3) ? rnd(1000) : 0, rnd(3) ? rnd(1000) : 0 };
		uint64_t ent_p, ent_s, give, ent, in_use, owed;

		ck_assert_int_eq(rebal_plan_scope(runs, n, share, &exact), 0);
		ck_assert_int_eq(rebal_plan_scope_kept(runs, n, share, &u, &kept), 0);
		ck_assert(kept.to_secondary <= exact.to_secondary &&
		    kept.to_primary <= exact.to_primary);
		ck_assert_uint_eq(kept.held, exact.to_secondary + exact.to_primary -
		    kept.to_secondary - kept.to_primary);
		check_moves_in_runs(runs, n, &kept);
		check_rule(runs, n, &kept);
		/* the giver's free after the moves is at least its reserve */
		rebal_targets(kept.free + u.primary + u.secondary, share, &ent_p, &ent_s);
		give = kept.to_secondary ? kept.primary_free : kept.secondary_free;
		ent = kept.to_secondary ? ent_p : ent_s;
		in_use = kept.to_secondary ? u.primary : u.secondary;
		owed = ent > in_use ? ent - in_use : 0;
		ck_assert_uint_ge(give - kept.to_secondary - kept.to_primary,
		    owed < give ? owed : give);
		rebal_plan_free(&exact);
		rebal_plan_free(&kept);
	}
}
END_TEST

static Suite *
rebal_suite(void)
{
	Suite *s = suite_create("rebal");
	TCase *tc;

	tc = tcase_create("targets");
	tcase_add_loop_test(tc, test_rounding, 0,
	    ROUND_MAX_F * (int)nitems(round_shares));
	tcase_add_loop_test(tc, test_rounding_anchors, 0, nitems(round_cases));
	tcase_add_loop_test(tc, test_modes, 0, nitems(mode_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("moves");
	tcase_add_loop_test(tc, test_moves, 0, nitems(move_cases));
	tcase_add_loop_test(tc, test_holes, 0, nitems(hole_shares));
	tcase_add_test(tc, test_empty_scope);
	tcase_add_test(tc, test_slash8);
	tcase_add_loop_test(tc, test_full_space, 0, nitems(full_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("property");
	tcase_set_timeout(tc, 60);		/* slow under the sanitizers */
	tcase_add_test(tc, test_property);
	suite_add_tcase(s, tc);
	tc = tcase_create("input");
	tcase_add_loop_test(tc, test_invalid, 0, nitems(bad_cases));
	tcase_add_test(tc, test_invalid_args);
	tcase_add_test(tc, test_plan_free);
	suite_add_tcase(s, tc);
	tc = tcase_create("threshold");
	tcase_add_loop_test(tc, test_needed, 0, nitems(need_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("reserves");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_kept, 0, nitems(kept_cases));
	tcase_add_test(tc, test_kept_invalid);
	tcase_add_test(tc, test_kept_property);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rebal_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
