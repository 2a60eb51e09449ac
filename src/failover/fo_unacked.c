/* Clients the partner leaves unanswered: a pure record (fo_unacked.h; Kea's
 * max-unacked-clients, FAILOVER.md §4). */
#include <string.h>

#include "fo_unacked.h"

uint32_t
fo_unacked_key(const uint8_t *hw, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ hw[i]) * 16777619u;
	return h;
}

static void
drop(struct fo_unacked *u, size_t i)
{
	u->key[i] = u->key[u->n - 1];
	u->seen[i] = u->seen[u->n - 1];
	u->n--;
}

/* Unresponsive while at least FO_UNACKED_CLIENTS are remembered; 1 when
 * that ends. */
static int
settle(struct fo_unacked *u)
{
	if (!u->unresponsive || u->n > 0)
		return 0;
	u->unresponsive = 0;
	return 1;
}

int
fo_unacked_note(struct fo_unacked *u, uint32_t key, int64_t now)
{
	size_t i;

	for (i = 0; i < u->n && u->key[i] != key; i++)
		;
	if (i == u->n) {
		if (u->n == FO_UNACKED_MAX)
			return 0;	/* bounded: the rule has long fired */
		u->key[u->n++] = key;
		u->total++;
	}
	u->seen[i] = now;
	if (u->unresponsive || u->n < FO_UNACKED_CLIENTS)
		return 0;
	u->unresponsive = 1;
	return 1;
}

int
fo_unacked_answered(struct fo_unacked *u, uint32_t key)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->key[i] == key) {
			drop(u, i);
			break;
		}
	return settle(u);
}

int
fo_unacked_expire(struct fo_unacked *u, int64_t now)
{
	for (size_t i = 0; i < u->n; )
		if (u->seen[i] + FO_UNACKED_WINDOW <= now)
			drop(u, i);
		else
			i++;
	return settle(u);
}

void
fo_unacked_reset(struct fo_unacked *u)
{
	memset(u, 0, sizeof(*u));
}
