/* Names of the counters of struct stats. */
#include "stats.h"
#include "util.h"

static const char *const dhcp_type_names[STATS_DHCP_TYPES] = {
	"unknown", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE",
	"DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM",
};

static const char *const drop_names[DROP_NREASONS] = {
	[DROP_TRUNCATED] = "truncated", [DROP_BAD_OPTION] = "bad_option",
	[DROP_BAD_OP] = "bad_op", [DROP_BAD_HTYPE] = "bad_htype",
	[DROP_NO_SCOPE] = "no_scope", [DROP_NOT_OURS] = "not_ours",
	[DROP_EXHAUSTED] = "exhausted", [DROP_QUEUE_FULL] = "queue_full",
	[DROP_FAILOVER] = "failover",
};

const char *
stats_dhcp_type_name(int type)
{
	if (type < 0 || type >= STATS_DHCP_TYPES)
		type = 0;
	return dhcp_type_names[type];
}

const char *
stats_drop_name(int reason)
{
	if (reason < 0 || reason >= DROP_NREASONS)
		return "unknown";
	return drop_names[reason];
}
