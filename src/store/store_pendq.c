/* The unacknowledged bindings as a sorted vector of (seq, addr): appended
 * unsorted, sorted on the next walk, stale entries marked dead when met and
 * squeezed out once they are half of it. */
#include <stdlib.h>

#include "store_pendq.h"

#define PENDQ_MIN_CAP		256
#define PENDQ_COMPACT_MIN	1024	/* dead entries before squeezing pays */

struct pent {
	uint64_t	seq;
	uint32_t	addr;
	uint32_t	dead;
};

struct pendq {
	struct pent	*e;
	size_t		 n, cap;
	size_t		 sorted;	/* e[0..sorted-1] sorted, no duplicates */
	size_t		 ndead;
};

static int
pent_cmp(const void *a, const void *b)
{
	const struct pent *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

struct pendq *
pendq_new(void)
{
	return calloc(1, sizeof(struct pendq));
}

void
pendq_free(struct pendq *q)
{
	if (q == NULL)
		return;
	free(q->e);
	free(q);
}

void
pendq_clear(struct pendq *q)
{
	q->n = q->sorted = q->ndead = 0;
}

size_t
pendq_len(const struct pendq *q)
{
	return q->n;
}

int
pendq_add(struct pendq *q, uint64_t seq, uint32_t addr)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : PENDQ_MIN_CAP;
		struct pent *v = reallocarray(q->e, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		q->e = v;
		q->cap = cap;
	}
	q->e[q->n++] = (struct pent){ seq, addr, 0 };
	return 0;
}

/* Drop dead entries and duplicates (a duplicate is alive if either is),
 * keeping the order. */
static void
squeeze(struct pendq *q)
{
	size_t w = 0;

	for (size_t i = 0; i < q->n; i++) {
		if (w > 0 && pent_cmp(&q->e[w - 1], &q->e[i]) == 0) {
			q->e[w - 1].dead &= q->e[i].dead;
			continue;
		}
		q->e[w++] = q->e[i];
	}
	q->n = w;
	w = 0;
	for (size_t i = 0; i < q->n; i++)
		if (!q->e[i].dead)
			q->e[w++] = q->e[i];
	q->n = q->sorted = w;
	q->ndead = 0;
}

/* Sort what was added since the last walk into place. Additions nearly
 * always come in transaction order, after everything held: then only they
 * are sorted. */
static void
sort_tail(struct pendq *q)
{
	if (q->sorted == q->n)
		return;
	qsort(q->e + q->sorted, q->n - q->sorted, sizeof(*q->e), pent_cmp);
	if (q->sorted > 0 && pent_cmp(&q->e[q->sorted - 1], &q->e[q->sorted]) >= 0)
		qsort(q->e, q->n, sizeof(*q->e), pent_cmp);
	squeeze(q);
}

/* The first entry after (seq, addr). */
static size_t
first_after(const struct pendq *q, uint64_t seq, uint32_t addr)
{
	struct pent key = { seq, addr, 0 };
	size_t lo = 0, hi = q->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pent_cmp(&q->e[mid], &key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
pendq_walk(struct pendq *q, uint64_t after_seq, uint32_t after_addr, uint64_t upto,
    size_t limit, enum pendq_verdict (*fn)(void *, uint64_t, uint32_t), void *arg)
{
	size_t taken = 0;

	sort_tail(q);
	for (size_t i = first_after(q, after_seq, after_addr);
	    i < q->n && q->e[i].seq <= upto && taken < limit; i++) {
		struct pent *e = &q->e[i];

		if (e->dead)
			continue;
		switch (fn(arg, e->seq, e->addr)) {
		case PENDQ_TAKE:
			taken++;
			break;
		case PENDQ_DROP:
			e->dead = 1;
			q->ndead++;
			break;
		case PENDQ_SKIP:
			break;
		}
	}
	if (q->ndead >= PENDQ_COMPACT_MIN && q->ndead * 2 >= q->n)
		squeeze(q);
	return taken;
}
