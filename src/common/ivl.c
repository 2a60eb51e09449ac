/* Interval sets over the IPv4 address space. */
#include <stdlib.h>

#include "ivl.h"

void
ivlset_free(struct ivlset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

int
ivlset_add(struct ivlset *s, uint32_t start, uint32_t end)
{
	if (start > end)
		return -1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct ivl *v = reallocarray(s->v, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	s->n++;
	return 0;
}

static int
ivl_cmp(const void *a, const void *b)
{
	const struct ivl *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Sort, then merge overlapping and adjacent intervals in place. */
void
ivlset_normalise(struct ivlset *s)
{
	size_t w = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), ivl_cmp);
	for (size_t r = 1; r < s->n; r++) {
		struct ivl *last = &s->v[w];

		if (last->end == UINT32_MAX || s->v[r].start <= last->end + 1) {
			if (s->v[r].end > last->end)
				last->end = s->v[r].end;
		} else
			s->v[++w] = s->v[r];
	}
	s->n = w + 1;
}

/* Sweep both sorted sets once: O(|a| + |b|). */
int
ivlset_subtract(const struct ivlset *a, const struct ivlset *b, struct ivlset *out)
{
	size_t j = 0;

	out->n = 0;
	for (size_t i = 0; i < a->n; i++) {
		uint64_t cur = a->v[i].start, end = a->v[i].end;

		while (j < b->n && b->v[j].end < cur)
			j++;
		for (size_t k = j; k < b->n && b->v[k].start <= end; k++) {
			if (b->v[k].start > cur &&
			    ivlset_add(out, (uint32_t)cur, b->v[k].start - 1) == -1)
				return -1;
			if ((uint64_t)b->v[k].end + 1 > cur)
				cur = (uint64_t)b->v[k].end + 1;
		}
		if (cur <= end && ivlset_add(out, (uint32_t)cur, (uint32_t)end) == -1)
			return -1;
	}
	return 0;
}

uint64_t
ivlset_count(const struct ivlset *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += (uint64_t)s->v[i].end - s->v[i].start + 1;
	return n;
}

/* Binary search in a normalised set. */
int
ivlset_contains(const struct ivlset *s, uint32_t addr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].end < addr)
			lo = mid + 1;
		else if (s->v[mid].start > addr)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

int
ivlset_overlaps(const struct ivlset *s, uint32_t start, uint32_t end)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].start <= end && s->v[i].end >= start)
			return 1;
	return 0;
}
