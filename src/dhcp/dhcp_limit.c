/* Token buckets by key in a fixed table (dhcp_limit.h): a hash of chains
 * over one array of entries, the entries also on a list from the most to the
 * least recently charged, whose tail makes room for a new key. A bucket is
 * one time, "theoretical arrival time" of the generic cell rate algorithm
 * (ITU-T I.371): when the bucket will be full again. */
#include <stdlib.h>

#include "dhcp_limit.h"

#define NIL		UINT32_MAX
#define LIMIT_MIN	16

struct limit_ent {
	uint64_t	key;
	int64_t		tat;		/* microseconds: the bucket is full from then */
	uint32_t	hnext;		/* its hash chain */
	uint32_t	prev, next;	/* recency: prev more recent */
};

struct limit {
	struct limit_ent *ent;
	uint32_t	*heads;		/* per hash value the chain's first entry */
	uint32_t	 cap;		/* entries */
	uint32_t	 hmask;		/* hash values - 1 (twice the entries) */
	uint32_t	 used;
	uint32_t	 newest, oldest;
	uint64_t	 seed;
};

/* splitmix64's finaliser: every bit of the key moves every bit of the hash. */
static uint32_t
hash(const struct limit *l, uint64_t key)
{
	uint64_t z = key ^ l->seed;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)(z ^ (z >> 31)) & l->hmask;
}

struct limit *
limit_new(size_t capacity, uint64_t seed)
{
	struct limit *l = calloc(1, sizeof(*l));
	uint32_t cap = LIMIT_MIN;

	while (cap < capacity && cap < (1u << 24))
		cap <<= 1;
	if (l == NULL || (l->ent = calloc(cap, sizeof(*l->ent))) == NULL ||
	    (l->heads = malloc(2 * (size_t)cap * sizeof(*l->heads))) == NULL) {
		limit_free(l);
		return NULL;
	}
	for (uint32_t i = 0; i < 2 * cap; i++)
		l->heads[i] = NIL;
	l->cap = cap;
	l->hmask = 2 * cap - 1;
	l->newest = l->oldest = NIL;
	l->seed = seed;
	return l;
}

void
limit_free(struct limit *l)
{
	if (l == NULL)
		return;
	free(l->ent);
	free(l->heads);
	free(l);
}

/* The entry of key, or NIL. */
static uint32_t
find(const struct limit *l, uint64_t key)
{
	uint32_t i = l->heads[hash(l, key)];

	while (i != NIL && l->ent[i].key != key)
		i = l->ent[i].hnext;
	return i;
}

/* Microseconds per token, and how far ahead of now a bucket's time may be
 * for one more to pass: (burst - 1) tokens. */
static void
rate_of(const struct conf_rate *r, int64_t *interval, int64_t *tolerance)
{
	uint32_t burst = r->burst ? r->burst : r->count;

	*interval = (int64_t)r->period * 1000000 / r->count;
	if (*interval < 1)
		*interval = 1;
	*tolerance = (int64_t)(burst ? burst - 1 : 0) * *interval;
}

int
limit_allows(const struct limit *l, uint64_t key, const struct conf_rate *r,
    int64_t now_us)
{
	int64_t interval, tolerance;
	uint32_t i;

	if (r->count == 0 || (i = find(l, key)) == NIL)
		return 1;
	rate_of(r, &interval, &tolerance);
	return l->ent[i].tat - now_us <= tolerance;
}

/* Off the recency list. */
static void
lru_unlink(struct limit *l, uint32_t i)
{
	struct limit_ent *e = &l->ent[i];

	if (e->prev != NIL)
		l->ent[e->prev].next = e->next;
	else
		l->newest = e->next;
	if (e->next != NIL)
		l->ent[e->next].prev = e->prev;
	else
		l->oldest = e->prev;
}

/* On the recency list as the newest. */
static void
lru_push(struct limit *l, uint32_t i)
{
	l->ent[i].prev = NIL;
	l->ent[i].next = l->newest;
	if (l->newest != NIL)
		l->ent[l->newest].prev = i;
	l->newest = i;
	if (l->oldest == NIL)
		l->oldest = i;
}

/* Out of its hash chain. */
static void
chain_unlink(struct limit *l, uint32_t i)
{
	uint32_t *p = &l->heads[hash(l, l->ent[i].key)];

	while (*p != i)
		p = &l->ent[*p].hnext;
	*p = l->ent[i].hnext;
}

/* A place for key: a free entry, else the least recently charged one's,
 * with a full bucket. */
static uint32_t
take_slot(struct limit *l, uint64_t key, int64_t now_us)
{
	uint32_t i, h = hash(l, key);

	if (l->used < l->cap)
		i = l->used++;
	else {
		i = l->oldest;
		lru_unlink(l, i);
		chain_unlink(l, i);
	}
	l->ent[i] = (struct limit_ent){ key, now_us, l->heads[h], NIL, NIL };
	l->heads[h] = i;
	return i;
}

void
limit_charge(struct limit *l, uint64_t key, const struct conf_rate *r,
    int64_t now_us)
{
	int64_t interval, tolerance;
	uint32_t i;

	if (r->count == 0)
		return;
	rate_of(r, &interval, &tolerance);
	if ((i = find(l, key)) == NIL)
		i = take_slot(l, key, now_us);
	else
		lru_unlink(l, i);
	lru_push(l, i);
	if (l->ent[i].tat < now_us)
		l->ent[i].tat = now_us;
	l->ent[i].tat += interval;
}

size_t
limit_count(const struct limit *l)
{
	return l->used;
}
