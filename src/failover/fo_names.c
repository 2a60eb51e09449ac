/* Name tables of the failover model: FSM_STATE (FAILOVER.md §4), modes, roles. */
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "util.h"

static const char *const state_names[FO_NSTATES] = {
	"NO_STATE", "INIT", "STARTUP", "NORMAL", "COMMUNICATION_INT", "PARTNER_DOWN",
	"POTENTIAL_CONFLICT", "CONFLICT_DONE", "RESOLUTION_INT", "RECOVER",
	"RECOVER_WAIT", "RECOVER_DONE", "PAUSED", "SHUTDOWN",
};
static const char *const mode_names[] = { "load-balance", "hot-standby" };
static const char *const role_names[] = { "primary", "secondary" };

/* Index of name in a table, or -1. */
static int
lookup(const char *const *tab, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tab[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
fo_state_name(enum fo_state state)
{
	if ((unsigned)state >= FO_NSTATES)
		return "UNKNOWN";
	return state_names[state];
}

/* A state by name ("PARTNER_DOWN"; also "PARTNER-DOWN", any case) or number. */
int
fo_state_parse(const char *name)
{
	char buf[32], *end;
	size_t i;
	long n;

	if (name == NULL || *name == '\0' || strlen(name) >= sizeof(buf))
		return -1;
	n = strtol(name, &end, 10);
	if (*end == '\0')
		return (n >= 0 && n < FO_NSTATES) ? (int)n : -1;
	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];

		buf[i] = (c == '-') ? '_' : (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	buf[i] = '\0';
	return lookup(state_names, FO_NSTATES, buf);
}

const char *
fo_mode_name(enum fo_mode mode)
{
	return (mode == FO_MODE_HOT_STANDBY) ? mode_names[1] : mode_names[0];
}

int
fo_mode_parse(const char *name)
{
	return name ? lookup(mode_names, nitems(mode_names), name) : -1;
}

const char *
fo_role_name(enum fo_role role)
{
	return (role == FO_SECONDARY) ? role_names[1] : role_names[0];
}

int
fo_role_parse(const char *name)
{
	return name ? lookup(role_names, nitems(role_names), name) : -1;
}

unsigned
fo_secondary_share(enum fo_mode mode, unsigned percentage)
{
	if (percentage > 100)
		percentage = 100;
	return (mode == FO_MODE_HOT_STANDBY) ? percentage : 100 - percentage;
}
