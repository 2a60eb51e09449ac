/* Address pools in memory: available intervals per scope, and the deadline
 * queue (a binary min-heap). */
#include <stdlib.h>
#include <string.h>

#include "dhcp_pool_int.h"
#include "fo.h"
#include "log.h"
#include "util.h"

struct pool *
pool_new(struct store *st)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (p != NULL)
		p->store = st;
	return p;
}

static void
pool_scopes_free(struct pool *p)
{
	for (size_t i = 0; i < p->nscopes; i++) {
		scope_fini(&p->scopes[i].sc);
		ivlset_free(&p->scopes[i].avail);
		ivlset_free(&p->scopes[i].theirs);
		free(p->scopes[i].resv);
	}
	free(p->scopes);
	p->scopes = NULL;
	p->nscopes = 0;
}

void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	pool_scopes_free(p);
	free(p->heap);
	free(p);
}

/* The runs this server may allocate from: all free ones outside a
 * relationship, else those owned by its role (FAILOVER.md §1). */
static int
scope_load_avail(struct pool *p, struct pool_scope *ps)
{
	struct rebal_run *runs;
	size_t n;

	if (store_free_runs(p->store, ps->sc.subnet, &runs, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int ours = ps->role < 0 || runs[i].owner == ps->role;

		if (((ours || ps->takeover) && ivlset_add(&ps->avail,
		    runs[i].start, runs[i].end) == -1) || (!ours &&
		    ps->takeover && ivlset_add(&ps->theirs, runs[i].start,
		    runs[i].end) == -1)) {
			free(runs);
			return -1;
		}
	}
	free(runs);
	ivlset_normalise(&ps->avail);
	ivlset_normalise(&ps->theirs);
	return 0;
}

int
pool_partners(const struct pool_scope *ps, uint32_t addr)
{
	return ps->takeover && ivlset_contains(&ps->theirs, addr);
}

/* Whether addr is reserved in the scope (the list is by address). */
static int
reserved(const struct pool_scope *ps, uint32_t addr)
{
	size_t lo = 0, hi = ps->nresv;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ps->resv[mid].address < addr)
			lo = mid + 1;
		else if (ps->resv[mid].address > addr)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

/* The relationship role and state of a scope, if it has one. */
static int
scope_load_role(struct pool *p, struct pool_scope *ps)
{
	struct fo_rel rel;

	ps->role = FO_ROLE_NONE;
	ps->fo_state = FO_NO_STATE;
	if (ps->sc.relationship[0] == '\0')
		return 0;
	if (store_rel_get(p->store, ps->sc.relationship, &rel) != 0)
		return -1;
	ps->role = rel.server_type;
	ps->fo_state = rel.state;
	ps->mclt = rel.mclt;
	ps->takeover = fo_fsm_takes_partner_pool(rel.state, rel.stos, rel.mclt,
	    time_wall());
	fo_rel_fini(&rel);
	return 0;
}

int
pool_sync(struct pool *p)
{
	struct scope *v;
	size_t n;

	if (p->loaded && p->gen == store_gen(p->store))
		return 0;
	if (store_scope_list(p->store, &v, &n) == -1)
		return -1;
	pool_scopes_free(p);
	if (n > 0 && (p->scopes = calloc(n, sizeof(*p->scopes))) == NULL) {
		scopes_free(v, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		p->scopes[i].sc = v[i];		/* takes ownership of the contents */
	p->nscopes = n;
	free(v);
	for (size_t i = 0; i < n; i++)
		if (scope_load_role(p, &p->scopes[i]) == -1 ||
		    scope_load_avail(p, &p->scopes[i]) == -1 ||
		    store_resv_list(p->store, p->scopes[i].sc.subnet,
		    &p->scopes[i].resv, &p->scopes[i].nresv) == -1) {
			p->loaded = 0;
			return -1;
		}
	p->gen = store_gen(p->store);
	p->loaded = 1;
	log_debug("pool: %zu scopes loaded", p->nscopes);
	return 0;
}

int
pool_loaded(const struct pool *p)
{
	return p->loaded;
}

void
pool_invalidate(struct pool *p)
{
	p->loaded = 0;
}

struct pool_scope *
pool_scope_of(struct pool *p, uint32_t addr)
{
	for (size_t i = 0; i < p->nscopes; i++)
		if ((addr & p->scopes[i].sc.mask) == p->scopes[i].sc.subnet)
			return &p->scopes[i];
	return NULL;
}

int
pool_scope_find(struct pool *p, uint32_t addr, const struct scope **sc)
{
	struct pool_scope *ps;

	if (pool_sync(p) == -1)
		return -1;
	if ((ps = pool_scope_of(p, addr)) == NULL)
		return 1;
	*sc = &ps->sc;
	return 0;
}

const struct reservation *
pool_resv_of(const struct pool_scope *ps, const uint8_t *hw, size_t hwlen)
{
	for (size_t i = 0; i < ps->nresv; i++)
		if (ps->resv[i].hwlen == hwlen && memcmp(ps->resv[i].hwaddr, hw, hwlen) == 0)
			return &ps->resv[i];
	return NULL;
}

/* Index of the interval holding addr, or -1. */
static long
avail_find(const struct ivlset *s, uint32_t addr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].end < addr)
			lo = mid + 1;
		else if (s->v[mid].start > addr)
			hi = mid;
		else
			return (long)mid;
	}
	return -1;
}

/* Remove addr from interval i, splitting it if addr is inside. */
static int
avail_cut(struct ivlset *s, size_t i, uint32_t addr)
{
	struct ivl *v = &s->v[i];

	if (v->start == v->end) {
		memmove(v, v + 1, (s->n - i - 1) * sizeof(*v));
		s->n--;
	} else if (addr == v->start)
		v->start++;
	else if (addr == v->end)
		v->end--;
	else {
		uint32_t end = v->end;

		v->end = addr - 1;
		if (ivlset_add(s, addr + 1, end) == -1)
			return -1;
		memmove(&s->v[i + 2], &s->v[i + 1], (s->n - i - 2) * sizeof(*v));
		s->v[i + 1].start = addr + 1;
		s->v[i + 1].end = end;
	}
	return 0;
}

int
pool_take(struct pool_scope *ps, uint32_t addr)
{
	long i = avail_find(&ps->avail, addr);

	return i < 0 ? -1 : avail_cut(&ps->avail, (size_t)i, addr);
}

int
pool_alloc(struct pool_scope *ps, uint32_t *addr)
{
	if (ps->avail.n == 0)
		return -1;
	*addr = ps->avail.v[0].start;
	return avail_cut(&ps->avail, 0, *addr);
}

/* Insert addr, merging with its neighbours: the set stays normalised. */
int
pool_give_back(struct pool_scope *ps, uint32_t addr)
{
	struct ivlset *s = &ps->avail;
	size_t lo = 0, hi = s->n;

	/* a reserved or excluded address is never free (a lease made before
	 * the reservation or exclusion ends without making it so) */
	if (avail_find(s, addr) >= 0 || addr < ps->sc.range_start ||
	    addr > ps->sc.range_end || reserved(ps, addr) ||
	    ivlset_contains(&ps->sc.exclusions, addr))
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].start < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (ivlset_add(s, addr, addr) == -1)
		return -1;
	memmove(&s->v[lo + 1], &s->v[lo], (s->n - lo - 1) * sizeof(*s->v));
	s->v[lo].start = s->v[lo].end = addr;
	if (lo + 1 < s->n && s->v[lo + 1].start == addr + 1) {
		s->v[lo].end = s->v[lo + 1].end;
		memmove(&s->v[lo + 1], &s->v[lo + 2], (s->n - lo - 2) * sizeof(*s->v));
		s->n--;
	}
	if (lo > 0 && s->v[lo - 1].end + 1 == addr) {
		s->v[lo - 1].end = s->v[lo].end;
		memmove(&s->v[lo], &s->v[lo + 1], (s->n - lo - 1) * sizeof(*s->v));
		s->n--;
	}
	return 0;
}

/* ---- the deadline heap ---- */

static void
heap_swap(struct pool_due *a, struct pool_due *b)
{
	struct pool_due t = *a;

	*a = *b;
	*b = t;
}

int
pool_due_add(struct pool *p, uint32_t addr, int64_t when)
{
	size_t i;

	when++;		/* a lease is over once now is past its end (draft-12
			 * §7.1.3: "now > expiry"), the partner's test too */
	if (p->nheap == p->capheap) {
		size_t cap = p->capheap ? p->capheap * 2 : 1024;
		struct pool_due *h = reallocarray(p->heap, cap, sizeof(*h));

		if (h == NULL)
			return -1;
		p->heap = h;
		p->capheap = cap;
	}
	i = p->nheap++;
	p->heap[i] = (struct pool_due){ when, addr };
	while (i > 0 && p->heap[(i - 1) / 2].when > p->heap[i].when) {
		heap_swap(&p->heap[(i - 1) / 2], &p->heap[i]);
		i = (i - 1) / 2;
	}
	return 0;
}

int64_t
pool_due_next(const struct pool *p)
{
	return p->nheap ? p->heap[0].when : 0;
}

int
pool_due_pop(struct pool *p, int64_t now, uint32_t *addr)
{
	size_t i = 0;

	if (p->nheap == 0 || p->heap[0].when > now)
		return -1;
	*addr = p->heap[0].addr;
	p->heap[0] = p->heap[--p->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < p->nheap && p->heap[l].when < p->heap[m].when)
			m = l;
		if (r < p->nheap && p->heap[r].when < p->heap[m].when)
			m = r;
		if (m == i)
			break;
		heap_swap(&p->heap[i], &p->heap[m]);
		i = m;
	}
	return 0;
}

void
pool_follow(struct pool *p, uint32_t addr, int64_t due, int give)
{
	struct pool_scope *ps;

	if (due != 0)
		pool_due_add(p, addr, due);
	if (!p->loaded || (ps = pool_scope_of(p, addr)) == NULL)
		return;
	if (give)
		pool_give_back(ps, addr);
	else
		pool_take(ps, addr);
}
