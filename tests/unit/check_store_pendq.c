/* The pending-binding queue: order, cursor, durable bound, limit, stale
 * entries, duplicates, out-of-order additions, and a random run against a
 * plain model. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store_pendq.h"

#define MAXV	4096

struct seen {
	uint64_t	 seq[MAXV];
	uint32_t	 addr[MAXV];
	size_t		 n;
	/* the model's answer: an address odd -> skip, in dead[] -> drop */
	uint8_t		 dead[MAXV];
	int		 skip_odd;
};

static enum pendq_verdict
visit(void *arg, uint64_t seq, uint32_t addr)
{
	struct seen *s = arg;

	if (addr < MAXV && s->dead[addr])
		return PENDQ_DROP;
	if (s->skip_odd && (addr & 1))
		return PENDQ_SKIP;
	s->seq[s->n] = seq;
	s->addr[s->n++] = addr;
	return PENDQ_TAKE;
}

static struct seen *
walk(struct pendq *q, uint64_t aseq, uint32_t aaddr, uint64_t upto, size_t limit,
    struct seen *s)
{
	s->n = 0;
	ck_assert_uint_eq(pendq_walk(q, aseq, aaddr, upto, limit, visit, s), s->n);
	return s;
}

START_TEST(test_order_cursor_bounds)
{
	struct pendq *q = pendq_new();
	static struct seen s;

	memset(&s, 0, sizeof(s));
	ck_assert_ptr_nonnull(q);
	/* one transaction's addresses in any order, then the next ones */
	ck_assert_int_eq(pendq_add(q, 5, 30), 0);
	ck_assert_int_eq(pendq_add(q, 5, 10), 0);
	ck_assert_int_eq(pendq_add(q, 5, 20), 0);
	ck_assert_int_eq(pendq_add(q, 6, 5), 0);
	ck_assert_int_eq(pendq_add(q, 8, 1), 0);
	ck_assert_uint_eq(pendq_len(q), 5);
	walk(q, 0, 0, 100, 100, &s);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_uint_eq(s.addr[0], 10);
	ck_assert_uint_eq(s.addr[1], 20);
	ck_assert_uint_eq(s.addr[2], 30);
	ck_assert_uint_eq(s.addr[3], 5);
	ck_assert_uint_eq(s.seq[3], 6);
	ck_assert_uint_eq(s.addr[4], 1);
	walk(q, 5, 20, 100, 100, &s);		/* after the cursor */
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.addr[0], 30);
	walk(q, 5, 30, 100, 100, &s);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.addr[0], 5);
	walk(q, 0, 0, 6, 100, &s);		/* durable up to 6 */
	ck_assert_uint_eq(s.n, 4);
	walk(q, 0, 0, 4, 100, &s);
	ck_assert_uint_eq(s.n, 0);
	walk(q, 0, 0, 100, 2, &s);		/* the limit */
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.addr[1], 20);
	walk(q, 8, 1, 100, 100, &s);		/* past the end */
	ck_assert_uint_eq(s.n, 0);
	pendq_clear(q);
	ck_assert_uint_eq(pendq_len(q), 0);
	walk(q, 0, 0, 100, 100, &s);
	ck_assert_uint_eq(s.n, 0);
	pendq_free(q);
	pendq_free(NULL);
}
END_TEST

/* Skipped entries stay, dropped ones go; a duplicate is one entry; an entry
 * added below what is held (a reload) still lands in order. */
START_TEST(test_skip_drop_dup_unordered)
{
	struct pendq *q = pendq_new();
	static struct seen s;

	memset(&s, 0, sizeof(s));
	for (uint32_t a = 1; a <= 6; a++)
		ck_assert_int_eq(pendq_add(q, 9, a), 0);
	ck_assert_int_eq(pendq_add(q, 9, 4), 0);	/* twice in one transaction */
	s.skip_odd = 1;
	s.dead[2] = 1;
	walk(q, 0, 0, 100, 100, &s);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.addr[0], 4);
	ck_assert_uint_eq(s.addr[1], 6);
	s.skip_odd = 0;
	s.dead[2] = 0;			/* dropped for good */
	walk(q, 0, 0, 100, 100, &s);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_uint_eq(s.addr[1], 3);
	ck_assert_int_eq(pendq_add(q, 3, 50), 0);	/* below everything held */
	ck_assert_int_eq(pendq_add(q, 12, 7), 0);
	walk(q, 0, 0, 100, 100, &s);
	ck_assert_uint_eq(s.n, 7);
	ck_assert_uint_eq(s.addr[0], 50);
	ck_assert_uint_eq(s.seq[0], 3);
	ck_assert_uint_eq(s.addr[6], 7);
	pendq_free(q);
}
END_TEST

/* Thousands of stale entries are squeezed out; what is alive stays in
 * order. */
START_TEST(test_compaction)
{
	struct pendq *q = pendq_new();
	static struct seen s;

	memset(&s, 0, sizeof(s));
	for (uint32_t a = 0; a < 3000; a++)
		ck_assert_int_eq(pendq_add(q, 1 + a / 100, a), 0);
	for (uint32_t a = 0; a < 3000; a++)
		s.dead[a] = a % 3 != 0;
	walk(q, 0, 0, UINT64_MAX, SIZE_MAX, &s);
	ck_assert_uint_eq(s.n, 1000);
	ck_assert_uint_eq(pendq_len(q), 1000);		/* squeezed */
	memset(s.dead, 0, sizeof(s.dead));
	walk(q, 0, 0, UINT64_MAX, SIZE_MAX, &s);
	ck_assert_uint_eq(s.n, 1000);
	for (size_t i = 1; i < s.n; i++)
		ck_assert(s.seq[i - 1] < s.seq[i] || (s.seq[i - 1] == s.seq[i] &&
		    s.addr[i - 1] < s.addr[i]));
	pendq_free(q);
}
END_TEST

/* Random additions (mostly in transaction order, some below), random
 * drops, random cursors: the walk equals the sorted, deduplicated model. */
START_TEST(test_random_against_model)
{
	struct pendq *q = pendq_new();
	static struct seen s;
	static uint64_t mseq[MAXV];
	static uint32_t maddr[MAXV];
	static uint8_t alive[MAXV];
	size_t mn = 0;
	uint64_t seq = 1;

	memset(&s, 0, sizeof(s));
	srandom(7);
	for (int round = 0; round < 200; round++) {
		int adds = (int)(random() % 20);

		for (int i = 0; i < adds && mn < MAXV; i++) {
			uint64_t sq = random() % 10 == 0 && seq > 3 ? seq - 3 : seq;
			uint32_t a = (uint32_t)(random() % 500);
			size_t k;

			for (k = 0; k < mn; k++)
				if (mseq[k] == sq && maddr[k] == a)
					break;
			ck_assert_int_eq(pendq_add(q, sq, a), 0);
			if (k == mn) {
				mseq[mn] = sq;
				maddr[mn] = a;
				alive[mn++] = 1;
			}
		}
		seq += random() % 3;
		if (random() % 4 == 0) {	/* a random drop of one address */
			uint32_t a = (uint32_t)(random() % 500);

			s.dead[a] = 1;
			walk(q, 0, 0, UINT64_MAX, SIZE_MAX, &s);
			for (size_t k = 0; k < mn; k++)
				if (maddr[k] == a)
					alive[k] = 0;
			s.dead[a] = 0;
		}
		/* a random cursor and bound */
		uint64_t cs = random() % (seq + 1), up = cs + random() % 10;
		uint32_t ca = (uint32_t)(random() % 500);
		size_t want = 0;

		walk(q, cs, ca, up, SIZE_MAX, &s);
		for (size_t k = 0; k < mn; k++)
			if (alive[k] && mseq[k] <= up && (mseq[k] > cs ||
			    (mseq[k] == cs && maddr[k] > ca)))
				want++;
		ck_assert_uint_eq(want, s.n);
		for (size_t i = 0; i < s.n; i++) {	/* each in the model, in order */
			size_t k;

			for (k = 0; k < mn; k++)
				if (alive[k] && mseq[k] == s.seq[i] && maddr[k] == s.addr[i])
					break;
			ck_assert_uint_lt(k, mn);
			ck_assert(i == 0 || s.seq[i - 1] < s.seq[i] ||
			    (s.seq[i - 1] == s.seq[i] && s.addr[i - 1] < s.addr[i]));
		}
	}
	pendq_free(q);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pend");
	TCase *tc = tcase_create("pend");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_order_cursor_bounds);
	tcase_add_test(tc, test_skip_drop_dup_unordered);
	tcase_add_test(tc, test_compaction);
	tcase_add_test(tc, test_random_against_model);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
