/* An in-memory lease table: records chained in two hash tables, one by
 * address, one by client key (subnet + client identifier or hardware
 * address). Variable parts (client identifier, hostname) follow each record,
 * which is reused in place when a new lease of its address fits. */
#include <stdlib.h>
#include <string.h>

#include "store_lmem.h"

#define LMEM_MIN_BUCKETS	256

struct lrec {
	struct lrec	*anext;		/* address chain */
	struct lrec	*knext;		/* client chain */
	uint32_t	 khash;
	unsigned	 flags;
	uint32_t	 address, subnet;
	int64_t		 starts, ends, cltt;
	int64_t		 sent_pot_exp, ack_pot_exp, recv_pot_exp, last_bndupd;
	uint64_t	 pending;	/* failover: as read; fo_sync: to write */
	int		 fo_sync;
	enum lease_state state;
	enum fo_role	 owner;
	uint8_t		 hwaddr[16];
	uint8_t		 hwlen, cidlen, hostlen, keyed;
	uint16_t	 cap;		/* bytes in tail */
	uint8_t		 tail[];	/* client identifier, then hostname */
};

struct lmem {
	struct lrec	**abuck;
	struct lrec	**kbuck;
	size_t		  nbuck;	/* both tables; a power of two */
	size_t		  n;
};

static size_t
addr_slot(const struct lmem *m, uint32_t addr)
{
	uint32_t h = addr * 2654435761u;

	return (h ^ (h >> 15)) & (m->nbuck - 1);
}

/* FNV-1a over the subnet, the kind of key and its bytes. */
static uint32_t
key_hash(uint32_t subnet, uint8_t kind, const uint8_t *k, size_t len)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 4; i++)
		h = (h ^ (uint8_t)(subnet >> (8 * i))) * 16777619u;
	h = (h ^ kind) * 16777619u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ k[i]) * 16777619u;
	h ^= h >> 16;		/* FNV's low bits barely see the last bytes */
	h *= 0x85ebca6bu;
	return h ^ (h >> 13);
}

/* The client key of a lease: its client identifier, else its hardware
 * address; 0 when it has neither. */
static int
lease_key(const struct lease *l, uint32_t *h)
{
	if (l->cidlen > 0)
		*h = key_hash(l->subnet, 1, l->client_id, l->cidlen);
	else if (l->hwlen > 0)
		*h = key_hash(l->subnet, 2, l->hwaddr, l->hwlen);
	else
		return 0;
	return 1;
}

struct lmem *
lmem_new(void)
{
	struct lmem *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->nbuck = LMEM_MIN_BUCKETS;
	m->abuck = calloc(m->nbuck, sizeof(*m->abuck));
	m->kbuck = calloc(m->nbuck, sizeof(*m->kbuck));
	if (m->abuck == NULL || m->kbuck == NULL) {
		lmem_free(m);
		return NULL;
	}
	return m;
}

void
lmem_clear(struct lmem *m)
{
	for (size_t i = 0; i < m->nbuck; i++) {
		struct lrec *r = m->abuck[i], *next;

		for (; r != NULL; r = next) {
			next = r->anext;
			free(r);
		}
	}
	memset(m->abuck, 0, m->nbuck * sizeof(*m->abuck));
	memset(m->kbuck, 0, m->nbuck * sizeof(*m->kbuck));
	m->n = 0;
}

void
lmem_free(struct lmem *m)
{
	if (m == NULL)
		return;
	if (m->abuck != NULL && m->kbuck != NULL)
		lmem_clear(m);
	free(m->abuck);
	free(m->kbuck);
	free(m);
}

size_t
lmem_count(const struct lmem *m)
{
	return m->n;
}

/* Double both tables once they hold as many records as buckets. */
static int
grow(struct lmem *m)
{
	size_t nb = m->nbuck * 2;
	struct lrec **ab = calloc(nb, sizeof(*ab)), **kb = calloc(nb, sizeof(*kb));
	struct lmem t = { ab, kb, nb, 0 };

	if (ab == NULL || kb == NULL) {
		free(ab);
		free(kb);
		return -1;
	}
	for (size_t i = 0; i < m->nbuck; i++) {
		struct lrec *r = m->abuck[i], *next;

		for (; r != NULL; r = next) {
			size_t a = addr_slot(&t, r->address);

			next = r->anext;
			r->anext = ab[a];
			ab[a] = r;
			if (r->keyed) {
				r->knext = kb[r->khash & (nb - 1)];
				kb[r->khash & (nb - 1)] = r;
			}
		}
	}
	free(m->abuck);
	free(m->kbuck);
	m->abuck = ab;
	m->kbuck = kb;
	m->nbuck = nb;
	return 0;
}

/* The link that points at addr's record (or at the chain's end). */
static struct lrec **
addr_link(const struct lmem *m, uint32_t addr)
{
	struct lrec **pp = &m->abuck[addr_slot(m, addr)];

	while (*pp != NULL && (*pp)->address != addr)
		pp = &(*pp)->anext;
	return pp;
}

static void
key_unlink(struct lmem *m, struct lrec *r)
{
	struct lrec **pp = &m->kbuck[r->khash & (m->nbuck - 1)];

	if (!r->keyed)
		return;
	while (*pp != NULL && *pp != r)
		pp = &(*pp)->knext;
	if (*pp != NULL)
		*pp = r->knext;
	r->keyed = 0;
}

/* Copy a lease into a record (whose tail is big enough) and chain it by key. */
static void
rec_fill(struct lmem *m, struct lrec *r, const struct lease *l, unsigned flags)
{
	r->flags = flags;
	r->address = l->address;
	r->subnet = l->subnet;
	r->starts = l->starts;
	r->ends = l->ends;
	r->cltt = l->cltt;
	r->sent_pot_exp = l->sent_pot_exp;
	r->ack_pot_exp = l->ack_pot_exp;
	r->recv_pot_exp = l->recv_pot_exp;
	r->last_bndupd = l->last_bndupd;
	r->pending = l->pending;
	r->fo_sync = l->fo_sync;
	r->state = l->state;
	r->owner = l->owner;
	r->hwlen = l->hwlen <= sizeof(r->hwaddr) ? l->hwlen : sizeof(r->hwaddr);
	memcpy(r->hwaddr, l->hwaddr, sizeof(r->hwaddr));
	r->cidlen = l->cidlen;
	r->hostlen = (uint8_t)strnlen(l->hostname, sizeof(l->hostname) - 1);
	memcpy(r->tail, l->client_id, r->cidlen);
	memcpy(r->tail + r->cidlen, l->hostname, r->hostlen);
	if ((r->keyed = (uint8_t)lease_key(l, &r->khash)) != 0) {
		struct lrec **b = &m->kbuck[r->khash & (m->nbuck - 1)];

		r->knext = *b;
		*b = r;
	}
}

int
lmem_put(struct lmem *m, const struct lease *l, unsigned flags)
{
	size_t need = (size_t)l->cidlen + strnlen(l->hostname, sizeof(l->hostname) - 1);
	struct lrec **pp, *old, *r;

	if (m->n >= m->nbuck && grow(m) == -1)
		return -1;
	pp = addr_link(m, l->address);
	if ((old = *pp) != NULL && old->cap >= need) {
		key_unlink(m, old);	/* reused in place */
		rec_fill(m, old, l, flags);
		return 0;
	}
	need = (need + 15) & ~(size_t)15;
	if ((r = malloc(sizeof(*r) + need)) == NULL)
		return -1;
	r->cap = (uint16_t)need;
	if (old != NULL) {
		key_unlink(m, old);
		r->anext = old->anext;
		free(old);
	} else {
		r->anext = NULL;
		m->n++;
	}
	*pp = r;
	rec_fill(m, r, l, flags);
	return 0;
}

int
lmem_set_flags(struct lmem *m, uint32_t addr, unsigned flags)
{
	struct lrec *r = *addr_link(m, addr);

	if (r == NULL)
		return LMEM_NOTFOUND;
	r->flags = flags;
	return 0;
}

int
lmem_peek(const struct lmem *m, uint32_t addr, uint64_t *pending, uint32_t *subnet,
    unsigned *flags)
{
	const struct lrec *r = *addr_link(m, addr);

	if (r == NULL)
		return LMEM_NOTFOUND;
	if (pending != NULL)
		*pending = r->pending;
	if (subnet != NULL)
		*subnet = r->subnet;
	if (flags != NULL)
		*flags = r->flags;
	return 0;
}

int
lmem_set_pending(struct lmem *m, uint32_t addr, uint64_t pending)
{
	struct lrec *r = *addr_link(m, addr);

	if (r == NULL)
		return LMEM_NOTFOUND;
	r->pending = pending;
	r->fo_sync = pending != 0;
	return 0;
}

int
lmem_del(struct lmem *m, uint32_t addr)
{
	struct lrec **pp = addr_link(m, addr), *r = *pp;

	if (r == NULL)
		return LMEM_NOTFOUND;
	key_unlink(m, r);
	*pp = r->anext;
	free(r);
	m->n--;
	return 0;
}

static void
rec_out(const struct lrec *r, struct lease *l)
{
	memset(l, 0, sizeof(*l));
	l->address = r->address;
	l->subnet = r->subnet;
	l->starts = r->starts;
	l->ends = r->ends;
	l->cltt = r->cltt;
	l->sent_pot_exp = r->sent_pot_exp;
	l->ack_pot_exp = r->ack_pot_exp;
	l->recv_pot_exp = r->recv_pot_exp;
	l->last_bndupd = r->last_bndupd;
	l->pending = r->pending;
	l->fo_sync = r->fo_sync;
	l->state = r->state;
	l->owner = r->owner;
	l->hwlen = r->hwlen;
	memcpy(l->hwaddr, r->hwaddr, sizeof(l->hwaddr));
	l->cidlen = r->cidlen;
	memcpy(l->client_id, r->tail, r->cidlen);
	memcpy(l->hostname, r->tail + r->cidlen, r->hostlen);
}

int
lmem_get(const struct lmem *m, uint32_t addr, struct lease *out, unsigned *flags)
{
	const struct lrec *r = *addr_link(m, addr);

	if (r == NULL)
		return LMEM_NOTFOUND;
	if (out != NULL)
		rec_out(r, out);
	if (flags != NULL)
		*flags = r->flags;
	return 0;
}

int
lmem_same_keys(const struct lmem *m, const struct lease *l, unsigned *flags)
{
	const struct lrec *r = *addr_link(m, l->address);
	size_t hostlen = strnlen(l->hostname, sizeof(l->hostname) - 1);

	if (r == NULL)
		return -1;
	*flags = r->flags;
	return r->subnet == l->subnet && r->hwlen == l->hwlen &&
	    memcmp(r->hwaddr, l->hwaddr, r->hwlen) == 0 && r->cidlen == l->cidlen &&
	    memcmp(r->tail, l->client_id, r->cidlen) == 0 && r->hostlen == hostlen &&
	    memcmp(r->tail + r->cidlen, l->hostname, hostlen) == 0;
}

/* The order of lmem_find_client: ACTIVE, then the later end, then the
 * lower address. */
static int
order(int sa, int64_t ea, uint32_t aa, int sb, int64_t eb, uint32_t ab)
{
	if ((sa == LEASE_ACTIVE) != (sb == LEASE_ACTIVE))
		return sa == LEASE_ACTIVE;
	if (ea != eb)
		return ea > eb;
	return aa < ab;
}

int
lmem_better(const struct lease *a, const struct lease *b)
{
	return order(a->state, a->ends, a->address, b->state, b->ends, b->address);
}

/* Whether a record is this client's: its identifier, or its hardware address
 * and no identifier. */
static int
rec_is_client(const struct lrec *r, uint32_t subnet, const uint8_t *cid,
    size_t cidlen, const uint8_t *hw, size_t hwlen)
{
	if (r->subnet != subnet)
		return 0;
	if (cidlen > 0)
		return r->cidlen == cidlen && memcmp(r->tail, cid, cidlen) == 0;
	return r->cidlen == 0 && r->hwlen == hwlen && memcmp(r->hwaddr, hw, hwlen) == 0;
}

int
lmem_find_client(const struct lmem *m, uint32_t subnet, const uint8_t *cid,
    size_t cidlen, const uint8_t *hw, size_t hwlen, int (*skip)(void *, uint32_t),
    void *arg, struct lease *out)
{
	const struct lrec *r, *best = NULL;
	uint32_t h;

	if (cidlen > 0)
		h = key_hash(subnet, 1, cid, cidlen);
	else if (hwlen > 0)
		h = key_hash(subnet, 2, hw, hwlen);
	else
		return LMEM_NOTFOUND;
	for (r = m->kbuck[h & (m->nbuck - 1)]; r != NULL; r = r->knext) {
		if (r->khash != h || !rec_is_client(r, subnet, cid, cidlen, hw, hwlen) ||
		    (skip != NULL && skip(arg, r->address)))
			continue;
		if (best == NULL || order(r->state, r->ends, r->address, best->state,
		    best->ends, best->address))
			best = r;
	}
	if (best == NULL)
		return LMEM_NOTFOUND;
	rec_out(best, out);
	return 0;
}

void
lmem_each(const struct lmem *m, void (*fn)(void *, const struct lease *, unsigned),
    void *arg)
{
	struct lease l;

	for (size_t i = 0; i < m->nbuck; i++)
		for (const struct lrec *r = m->abuck[i]; r != NULL; r = r->anext) {
			rec_out(r, &l);
			fn(arg, &l, r->flags);
		}
}
