/* The recent state changes of every relationship, in memory (failover.get's
 * `history`, the dashboard): a ring of FO_HIST_MAX entries per process,
 * filled by fo_change_state, lost on restart (the log keeps them all). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fo.h"

#define FO_HIST_MAX	64	/* all relationships together */

struct fo_hist_slot {
	char			name[FO_MAX_NAME + 1];
	struct fo_hist_entry	e;
};

static struct fo_hist_slot	ring[FO_HIST_MAX];
static size_t			ring_next, ring_count;

/* Record one change of relationship `name`. */
void
fo_hist_add(const char *name, int64_t when, enum fo_state from,
    enum fo_state to, const char *why)
{
	struct fo_hist_slot *s = &ring[ring_next];

	snprintf(s->name, sizeof(s->name), "%s", name);
	s->e.time = when;
	s->e.from = from;
	s->e.to = to;
	snprintf(s->e.reason, sizeof(s->e.reason), "%s", why != NULL ? why : "");
	ring_next = (ring_next + 1) % FO_HIST_MAX;
	if (ring_count < FO_HIST_MAX)
		ring_count++;
}

size_t
fo_hist_get(const char *name, struct fo_hist_entry *out, size_t max)
{
	size_t n = 0, i, k;

	/* newest first: walk back from the last slot written */
	for (i = 0; i < ring_count && n < max; i++) {
		k = (ring_next + FO_HIST_MAX - 1 - i) % FO_HIST_MAX;
		if (strcasecmp(ring[k].name, name) == 0)
			out[n++] = ring[k].e;
	}
	return n;
}

json_t *
fo_hist_json(const char *name)
{
	struct fo_hist_entry v[FO_HIST_MAX];
	size_t n = fo_hist_get(name, v, FO_HIST_MAX);
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s}",
		    "time", (json_int_t)v[i].time, "from", fo_state_name(v[i].from),
		    "to", fo_state_name(v[i].to), "reason", v[i].reason));
	return a;
}
