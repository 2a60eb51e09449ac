/* Names of the counters of struct stats; the latency histogram. */
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
	[DROP_FAILOVER] = "failover", [DROP_STORAGE] = "storage",
	[DROP_OVERSIZED] = "oversized", [DROP_RATE_MAC] = "rate_mac",
	[DROP_RATE_RELAY] = "rate_relay",
};

static const char *const fo_drop_names[FODROP_NREASONS] = {
	[FODROP_OVERSIZED] = "oversized", [FODROP_MALFORMED] = "malformed",
	[FODROP_DIGEST] = "bad_digest", [FODROP_OUT_OF_TURN] = "out_of_turn",
	[FODROP_NOT_PARTNER] = "not_partner",
};

/* 100 us .. 5 s: an fsync on a fast SSD to a stalled disk. */
const uint64_t stats_hist_bound_us[STATS_HIST_BOUNDS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	500000, 1000000, 2500000, 5000000,
};

void
stats_hist_observe(struct stats_hist *h, uint64_t us)
{
	size_t i = 0;

	while (i < STATS_HIST_BOUNDS && us > stats_hist_bound_us[i])
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum_us += us;
}

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

const char *
stats_fo_drop_name(int reason)
{
	if (reason < 0 || reason >= FODROP_NREASONS)
		return "unknown";
	return fo_drop_names[reason];
}
