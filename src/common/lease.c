/* Binding-state names (draft-ietf-dhc-failover-12 §12.3, plus OFFERED). */
#include <string.h>

#include "lease.h"
#include "util.h"

static const char *const lease_state_names[] = {
	[LEASE_FREE] = "FREE", [LEASE_ACTIVE] = "ACTIVE", [LEASE_EXPIRED] = "EXPIRED",
	[LEASE_RELEASED] = "RELEASED", [LEASE_ABANDONED] = "ABANDONED",
	[LEASE_RESET] = "RESET", [LEASE_BACKUP] = "BACKUP", [LEASE_OFFERED] = "OFFERED",
};

const char *
lease_state_name(int state)
{
	if (state < 0 || (size_t)state >= nitems(lease_state_names) ||
	    lease_state_names[state] == NULL)
		return "UNKNOWN";
	return lease_state_names[state];
}

int
lease_state_parse(const char *name)
{
	for (size_t i = 0; i < nitems(lease_state_names); i++)
		if (lease_state_names[i] && strcmp(lease_state_names[i], name) == 0)
			return (int)i;
	return -1;
}

int
lease_state_is_free(int state)
{
	return state == LEASE_FREE || state == LEASE_BACKUP;
}
