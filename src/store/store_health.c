/* Storage health: the state of the database's writes, its back-off and the
 * decision of what to log. Pure (no clock, no I/O). */
#include <stdio.h>
#include <string.h>

#include "store_health.h"

static const char *const texts[HEALTH_NKINDS] = {
	"", "disk full", "I/O error", "corrupt", "storage error",
};

static const char *const labels[HEALTH_NKINDS] = {
	"", "disk_full", "io_error", "corrupt", "error",
};

void
health_init(struct health *h)
{
	memset(h, 0, sizeof(*h));
	h->ok = 1;
}

enum health_log
health_fail(struct health *h, int kind, const char *error, int64_t wall,
    int64_t mono_us)
{
	enum health_log say = HEALTH_LOG_NONE;

	if (kind <= HEALTH_NONE || kind >= HEALTH_NKINDS)
		kind = HEALTH_OTHER;
	h->failures++;
	if (h->ok) {
		h->ok = 0;
		h->since = wall;
		h->since_us = mono_us;
		h->episode = 0;
		h->backoff_us = HEALTH_BACKOFF_MIN_US;
		say = HEALTH_LOG_FAILING;
	} else {
		if (kind != h->kind)
			say = HEALTH_LOG_FAILING;
		else if (mono_us - h->logged_us >= HEALTH_REMIND_US)
			say = HEALTH_LOG_STILL;
		h->backoff_us *= 2;
		if (h->backoff_us > HEALTH_BACKOFF_MAX_US)
			h->backoff_us = HEALTH_BACKOFF_MAX_US;
	}
	h->kind = kind;
	h->episode++;
	snprintf(h->error, sizeof(h->error), "%s", error);
	h->next_try_us = mono_us + h->backoff_us;
	if (say != HEALTH_LOG_NONE) {
		h->logged_us = mono_us;
		h->logged_episode = h->episode;
	}
	return say;
}

int
health_ok(struct health *h)
{
	if (h->ok)
		return 0;
	h->ok = 1;
	h->backoff_us = 0;
	h->next_try_us = 0;
	return 1;
}

int64_t
health_retry_in(const struct health *h, int64_t mono_us)
{
	if (h->ok)
		return -1;
	return h->next_try_us > mono_us ? h->next_try_us - mono_us : 0;
}

const char *
health_kind_text(int kind)
{
	return kind >= 0 && kind < HEALTH_NKINDS ? texts[kind] : texts[HEALTH_OTHER];
}

const char *
health_kind_label(int kind)
{
	return kind >= 0 && kind < HEALTH_NKINDS ? labels[kind] : labels[HEALTH_OTHER];
}
