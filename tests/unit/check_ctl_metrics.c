/* The metrics formatter (Prometheus text exposition format 0.0.4): every
 * output goes through a strict checker of the format written here (line
 * grammar, HELP then TYPE once per family, samples of a family together and
 * named after it, label syntax and escapes, float values, no duplicate
 * series, counters named _total); then the values, the escaping of label
 * values and help text, counters vs gauges, and the latency histogram. */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_metrics.h"
#include "fo.h"
#include "lease.h"
#include "stats.h"
#include "util.h"

#define MAXFAM		128
#define MAXSERIES	1024

/* ---- a strict checker of the text format ---- */

struct family {
	char	name[128];
	char	type[16];
	int	nsamples;
};

struct checked {
	struct family	fam[MAXFAM];
	int		nfam;
	char		*series[MAXSERIES];	/* "name{labels}" as written */
	int		nseries;
};

static int
name_start(int c)
{
	return isalpha(c) || c == '_' || c == ':';
}

static int
name_char(int c)
{
	return isalnum(c) || c == '_' || c == ':';
}

/* A metric name at *p; its length, 0 if none. */
static size_t
scan_name(const char *p)
{
	size_t n = 0;

	if (!name_start((unsigned char)p[0]))
		return 0;
	while (name_char((unsigned char)p[n]))
		n++;
	return n;
}

/* {a="x",b="y"} at *p: returns the characters consumed, 0 on a syntax
 * error (msg says what). Label names are unique within the set. */
static size_t
scan_labels(const char *p, char *msg, size_t msglen)
{
	const char *s = p + 1;
	char names[16][64];
	int n = 0;

	if (*s == '}')
		return 2;
	for (;;) {
		size_t ln = 0;

		while (isalnum((unsigned char)s[ln]) || s[ln] == '_')
			ln++;
		if (ln == 0 || isdigit((unsigned char)s[0]) || ln >= 64 || n == 16 ||
		    s[ln] != '=' || s[ln + 1] != '"') {
			snprintf(msg, msglen, "bad label name at '%.20s'", s);
			return 0;
		}
		for (int i = 0; i < n; i++)
			if (strlen(names[i]) == ln && strncmp(names[i], s, ln) == 0) {
				snprintf(msg, msglen, "label %.*s twice", (int)ln, s);
				return 0;
			}
		snprintf(names[n++], 64, "%.*s", (int)ln, s);
		for (s += ln + 2; *s != '"'; s++) {
			if (*s == '\0' || *s == '\n') {
				snprintf(msg, msglen, "unterminated label value");
				return 0;
			}
			if (*s == '\\' && s[1] != '\\' && s[1] != '"' && s[1] != 'n') {
				snprintf(msg, msglen, "bad escape \\%c", s[1]);
				return 0;
			}
			if (*s == '\\')
				s++;
		}
		s++;
		if (*s == '}')
			return (size_t)(s + 1 - p);
		if (*s != ',') {
			snprintf(msg, msglen, "expected , or } at '%.20s'", s);
			return 0;
		}
		s++;
	}
}

/* A sample value: a Go ParseFloat number, or +Inf, -Inf, NaN. */
static int
value_ok(const char *v)
{
	char *end;

	if (strcmp(v, "+Inf") == 0 || strcmp(v, "-Inf") == 0 || strcmp(v, "NaN") == 0)
		return 1;
	if (*v == '\0' || isspace((unsigned char)*v))
		return 0;
	strtod(v, &end);
	return *end == '\0' && strpbrk(v, "xXnNiI") == NULL;
}

static struct family *
find_family(struct checked *c, const char *name, size_t len)
{
	for (int i = 0; i < c->nfam; i++)
		if (strlen(c->fam[i].name) == len &&
		    strncmp(c->fam[i].name, name, len) == 0)
			return &c->fam[i];
	return NULL;
}

/* Whether a sample name belongs to family f. */
static int
sample_of(const struct family *f, const char *name, size_t len)
{
	size_t fl = strlen(f->name);
	static const char *const hsuffix[] = { "_bucket", "_sum", "_count" };

	if (len == fl && strncmp(name, f->name, fl) == 0)
		return strcmp(f->type, "histogram") != 0;
	if (strcmp(f->type, "histogram") != 0 || len <= fl ||
	    strncmp(name, f->name, fl) != 0)
		return 0;
	for (size_t i = 0; i < nitems(hsuffix); i++)
		if (len - fl == strlen(hsuffix[i]) &&
		    strncmp(name + fl, hsuffix[i], len - fl) == 0)
			return 1;
	return 0;
}

/* # HELP / # TYPE lines. */
static void
check_comment(struct checked *c, const char *line, int lineno)
{
	const char *p = line + 7;
	size_t n = scan_name(p);
	struct family *f;

	ck_assert_msg(strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0,
	    "line %d: a comment other than HELP/TYPE: %s", lineno, line);
	ck_assert_msg(n > 0 && p[n] == ' ' && p[n + 1] != '\0', "line %d: %s",
	    lineno, line);
	if (line[2] == 'H') {
		ck_assert_msg(find_family(c, p, n) == NULL, "line %d: family %.*s "
		    "declared twice", lineno, (int)n, p);
		ck_assert_int_lt(c->nfam, MAXFAM);
		f = &c->fam[c->nfam++];
		snprintf(f->name, sizeof(f->name), "%.*s", (int)n, p);
		f->type[0] = '\0';
		for (const char *h = p + n + 1; *h != '\0'; h++)
			ck_assert_msg(*h != '\\' || h[1] == '\\' || h[1] == 'n',
			    "line %d: bad escape in help", lineno);
		return;
	}
	/* TYPE right after its HELP, once */
	ck_assert_msg(c->nfam > 0, "line %d: TYPE before any HELP", lineno);
	f = &c->fam[c->nfam - 1];
	ck_assert_msg(strlen(f->name) == n && strncmp(f->name, p, n) == 0 &&
	    f->type[0] == '\0' && f->nsamples == 0, "line %d: TYPE not right "
	    "after its HELP: %s", lineno, line);
	snprintf(f->type, sizeof(f->type), "%s", p + n + 1);
	ck_assert_msg(strcmp(f->type, "counter") == 0 || strcmp(f->type, "gauge") == 0 ||
	    strcmp(f->type, "histogram") == 0, "line %d: type %s", lineno, f->type);
	n = strlen(f->name);
	ck_assert_msg((strcmp(f->type, "counter") == 0) ==
	    (n > 6 && strcmp(f->name + n - 6, "_total") == 0),
	    "line %d: counters and only counters end in _total: %s", lineno, line);
	ck_assert_msg(strncmp(f->name, "dhcpfod_", 8) == 0, "line %d: prefix", lineno);
}

/* name{labels} value */
static void
check_sample(struct checked *c, const char *line, int lineno)
{
	size_t n = scan_name(line), l = 0;
	struct family *f = c->nfam > 0 ? &c->fam[c->nfam - 1] : NULL;
	char msg[128] = "";

	ck_assert_msg(n > 0, "line %d: no metric name: %s", lineno, line);
	ck_assert_msg(f != NULL && f->type[0] != '\0' && sample_of(f, line, n),
	    "line %d: sample outside its family (HELP/TYPE first, samples of a "
	    "family together): %s", lineno, line);
	if (line[n] == '{') {
		l = scan_labels(line + n, msg, sizeof(msg));
		ck_assert_msg(l > 0, "line %d: %s: %s", lineno, msg, line);
	}
	ck_assert_msg(line[n + l] == ' ' && value_ok(line + n + l + 1),
	    "line %d: bad value: %s", lineno, line);
	for (int i = 0; i < c->nseries; i++)
		ck_assert_msg(strlen(c->series[i]) != n + l ||
		    strncmp(c->series[i], line, n + l) != 0,
		    "line %d: duplicate series %.*s", lineno, (int)(n + l), line);
	ck_assert_int_lt(c->nseries, MAXSERIES);
	ck_assert_ptr_nonnull(c->series[c->nseries++] = strndup(line, n + l));
	f->nsamples++;
}

/* The whole text; the caller frees with checked_free. */
static void
check_text(struct checked *c, const char *text)
{
	const char *line = text;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	ck_assert_msg(*text != '\0' && text[strlen(text) - 1] == '\n',
	    "text must end with a newline");
	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		char *one = strndup(line, (size_t)(nl - line));

		lineno++;
		ck_assert_msg(*one != '\0', "line %d: empty line", lineno);
		if (one[0] == '#')
			check_comment(c, one, lineno);
		else
			check_sample(c, one, lineno);
		free(one);
		line = nl + 1;
	}
	for (int i = 0; i < c->nfam; i++)
		ck_assert_msg(c->fam[i].nsamples > 0, "family %s without samples",
		    c->fam[i].name);
}

static void
checked_free(struct checked *c)
{
	for (int i = 0; i < c->nseries; i++)
		free(c->series[i]);
}

static const char *
type_of(const struct checked *c, const char *name)
{
	for (int i = 0; i < c->nfam; i++)
		if (strcmp(c->fam[i].name, name) == 0)
			return c->fam[i].type;
	return NULL;
}

/* ---- snapshots ---- */

#define NASTY	"a \"quoted\" \\ back\nslash"
#define NASTY_L	"a \\\"quoted\\\" \\\\ back\\nslash"

static struct stats stats_v;
static struct stats_hist hist_v;
static struct metrics_scope scopes_v[2];
static struct metrics_rel rels_v[1];

/* A server with two scopes (one in relationship r1), counters and a histogram. */
static struct metrics_snap
full_snap(void)
{
	struct metrics_snap s = { 0 };

	memset(&stats_v, 0, sizeof(stats_v));
	stats_v.rx[1] = 10;
	stats_v.rx[3] = 7;
	stats_v.tx[2] = 9;
	stats_v.tx[5] = 6;
	stats_v.drops[DROP_NO_SCOPE] = 3;
	stats_v.drops[DROP_RATE_RELAY] = 40;
	stats_v.fo_drops[FODROP_OVERSIZED] = 2;
	stats_v.leases_granted = 6;
	stats_v.commit_batches = 4;
	stats_v.rpc_requests = 12;
	stats_v.rpc_errors = 2;
	memset(&hist_v, 0, sizeof(hist_v));
	stats_hist_observe(&hist_v, 100);	/* le 0.0001 exactly */
	stats_hist_observe(&hist_v, 101);	/* le 0.00025 */
	stats_hist_observe(&hist_v, 1049);	/* le 0.0025 */
	stats_hist_observe(&hist_v, 6000000);	/* +Inf only */
	memset(scopes_v, 0, sizeof(scopes_v));
	scopes_v[0] = (struct metrics_scope){ .subnet = 0x0a010000, .name = NASTY,
	    .relationship = "r1", .st = { 191, 180, 11, 90, 90, 8, 3 } };
	scopes_v[0].leases[LEASE_FREE] = 90;
	scopes_v[0].leases[LEASE_BACKUP] = 90;
	scopes_v[0].leases[LEASE_ACTIVE] = 10;
	scopes_v[0].leases[LEASE_OFFERED] = 1;
	scopes_v[1] = (struct metrics_scope){ .subnet = 0x0a020000, .name = "",
	    .relationship = "", .st = { 65534, 65534, 0, 65534, 0, 0, 0 } };
	scopes_v[1].leases[LEASE_FREE] = 65534;
	rels_v[0] = (struct metrics_rel){ .name = "r1", .role = FO_SECONDARY,
	    .mode = FO_MODE_HOT_STANDBY, .state = FO_COMMUNICATION_INT,
	    .partner_state = FO_NORMAL, .connected = 0, .unacked_updates = 5,
	    .clock_skew = -2, .time_out_of_sync = 0 };
	s.version = "9.8.7";
	s.uptime = 3600;
	s.stats = &stats_v;
	s.ctl_clients = 2;
	s.commit_latency = &hist_v;
	s.storage_ok = 0;		/* failing */
	s.storage_failures = 17;
	s.scopes = scopes_v;
	s.nscopes = nitems(scopes_v);
	s.rels = rels_v;
	s.nrels = nitems(rels_v);
	return s;
}

/* A line that must be in text, whole. */
static void
assert_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p++;
	}
	ck_abort_msg("no line '%s' in:\n%s", line, text);
}

static int
count_prefix(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, prefix)) != NULL; p++)
		if (p == text || p[-1] == '\n')
			n++;
	return n;
}

/* ---- tests ---- */

START_TEST(test_full_parses)
{
	struct metrics_snap s = full_snap();
	char *text = metrics_format(&s);
	struct checked c;

	ck_assert_ptr_nonnull(text);
	check_text(&c, text);
	ck_assert_int_ge(c.nfam, 25);
	checked_free(&c);
	free(text);
}
END_TEST

/* A server with nothing configured: no scope or relationship family at all
 * (a family must have samples), no histogram without a DHCP engine. */
START_TEST(test_empty_parses)
{
	struct stats st = { 0 };
	struct metrics_snap s = { .version = "1", .stats = &st };
	char *text = metrics_format(&s);
	struct checked c;

	ck_assert_ptr_nonnull(text);
	check_text(&c, text);
	ck_assert_ptr_null(strstr(text, "dhcpfod_scope_"));
	ck_assert_ptr_null(strstr(text, "dhcpfod_failover_"));
	ck_assert_ptr_null(strstr(text, "dhcpfod_commit_durable_seconds"));
	assert_line(text, "dhcpfod_packets_received_total{type=\"DHCPDISCOVER\"} 0");
	checked_free(&c);
	free(text);
}
END_TEST

/* Backslash, double quote and newline in label values; the same in help
 * text minus the quote. */
START_TEST(test_escaping)
{
	struct metrics_snap s = full_snap();
	char *text;

	rels_v[0].name = "r\"1\\\n";
	text = metrics_format(&s);
	ck_assert_ptr_nonnull(text);
	assert_line(text, "dhcpfod_scope_info{scope=\"10.1.0.0\",name=\"" NASTY_L
	    "\",relationship=\"r1\"} 1");
	assert_line(text, "dhcpfod_scope_info{scope=\"10.2.0.0\",name=\"\","
	    "relationship=\"\"} 1");
	assert_line(text, "dhcpfod_failover_state{relationship=\"r\\\"1\\\\\\n\"} 4");
	/* no raw newline inside any line's quotes: every line parses */
	{
		struct checked c;

		check_text(&c, text);
		checked_free(&c);
	}
	free(text);
}
END_TEST

/* Each family's HELP and TYPE exactly once, HELP first. */
static const char *const families[] = {
	"dhcpfod_build_info", "dhcpfod_uptime_seconds", "dhcpfod_control_clients",
	"dhcpfod_storage_ok", "dhcpfod_storage_failures_total",
	"dhcpfod_packets_received_total", "dhcpfod_packets_sent_total",
	"dhcpfod_packets_dropped_total", "dhcpfod_failover_dropped_total",
	"dhcpfod_leases_granted_total",
	"dhcpfod_commit_batches_total", "dhcpfod_rpc_requests_total",
	"dhcpfod_rpc_errors_total", "dhcpfod_commit_durable_seconds",
	"dhcpfod_scope_info", "dhcpfod_scope_addresses",
	"dhcpfod_scope_free_addresses", "dhcpfod_scope_in_use_addresses",
	"dhcpfod_scope_this_free_addresses", "dhcpfod_scope_partner_free_addresses",
	"dhcpfod_scope_this_in_use_addresses",
	"dhcpfod_scope_partner_in_use_addresses", "dhcpfod_scope_leases",
	"dhcpfod_failover_info", "dhcpfod_failover_state",
	"dhcpfod_failover_partner_state", "dhcpfod_failover_connected",
	"dhcpfod_failover_unacked_updates", "dhcpfod_failover_clock_skew_seconds",
	"dhcpfod_failover_time_out_of_sync", "dhcpfod_failover_state_info",
	"dhcpfod_failover_partner_state_info",
};

START_TEST(test_help_type_once)
{
	struct metrics_snap s = full_snap();
	char *text = metrics_format(&s), help[160], type[160];
	const char *h, *t;

	snprintf(help, sizeof(help), "# HELP %s ", families[_i]);
	snprintf(type, sizeof(type), "# TYPE %s ", families[_i]);
	ck_assert_int_eq(count_prefix(text, help), 1);
	ck_assert_int_eq(count_prefix(text, type), 1);
	h = strstr(text, help);
	t = strstr(text, type);
	ck_assert_ptr_eq(strchr(h, '\n') + 1, t);
	free(text);
}
END_TEST

/* Counters are the monotonic ones, gauges the rest. */
static const struct {
	const char	*name, *type;
} types[] = {
	{ "dhcpfod_packets_received_total", "counter" },
	{ "dhcpfod_packets_sent_total", "counter" },
	{ "dhcpfod_packets_dropped_total", "counter" },
	{ "dhcpfod_failover_dropped_total", "counter" },
	{ "dhcpfod_leases_granted_total", "counter" },
	{ "dhcpfod_commit_batches_total", "counter" },
	{ "dhcpfod_rpc_requests_total", "counter" },
	{ "dhcpfod_rpc_errors_total", "counter" },
	{ "dhcpfod_commit_durable_seconds", "histogram" },
	{ "dhcpfod_uptime_seconds", "gauge" },
	{ "dhcpfod_storage_ok", "gauge" },
	{ "dhcpfod_storage_failures_total", "counter" },
	{ "dhcpfod_scope_leases", "gauge" },
	{ "dhcpfod_scope_this_free_addresses", "gauge" },
	{ "dhcpfod_failover_state", "gauge" },
	{ "dhcpfod_failover_state_info", "gauge" },
	{ "dhcpfod_failover_unacked_updates", "gauge" },
	{ "dhcpfod_failover_clock_skew_seconds", "gauge" },
};

START_TEST(test_types)
{
	struct metrics_snap s = full_snap();
	char *text = metrics_format(&s);
	struct checked c;

	check_text(&c, text);
	ck_assert_ptr_nonnull(type_of(&c, types[_i].name));
	ck_assert_str_eq(type_of(&c, types[_i].name), types[_i].type);
	checked_free(&c);
	free(text);
}
END_TEST

/* The values of the snapshot, line by line. */
static const char *const value_lines[] = {
	"dhcpfod_build_info{version=\"9.8.7\"} 1",
	"dhcpfod_uptime_seconds 3600",
	"dhcpfod_control_clients 2",
	"dhcpfod_storage_ok 0",
	"dhcpfod_storage_failures_total 17",
	"dhcpfod_packets_dropped_total{reason=\"storage\"} 0",
	"dhcpfod_packets_received_total{type=\"unknown\"} 0",
	"dhcpfod_packets_received_total{type=\"DHCPDISCOVER\"} 10",
	"dhcpfod_packets_received_total{type=\"DHCPREQUEST\"} 7",
	"dhcpfod_packets_sent_total{type=\"DHCPOFFER\"} 9",
	"dhcpfod_packets_sent_total{type=\"DHCPACK\"} 6",
	"dhcpfod_packets_dropped_total{reason=\"no_scope\"} 3",
	"dhcpfod_packets_dropped_total{reason=\"failover\"} 0",
	"dhcpfod_packets_dropped_total{reason=\"oversized\"} 0",
	"dhcpfod_packets_dropped_total{reason=\"rate_mac\"} 0",
	"dhcpfod_packets_dropped_total{reason=\"rate_relay\"} 40",
	"dhcpfod_failover_dropped_total{reason=\"oversized\"} 2",
	"dhcpfod_failover_dropped_total{reason=\"malformed\"} 0",
	"dhcpfod_failover_dropped_total{reason=\"bad_digest\"} 0",
	"dhcpfod_failover_dropped_total{reason=\"out_of_turn\"} 0",
	"dhcpfod_failover_dropped_total{reason=\"not_partner\"} 0",
	"dhcpfod_leases_granted_total 6",
	"dhcpfod_commit_batches_total 4",
	"dhcpfod_rpc_requests_total 12",
	"dhcpfod_rpc_errors_total 2",
	"dhcpfod_scope_addresses{scope=\"10.1.0.0\"} 191",
	"dhcpfod_scope_free_addresses{scope=\"10.1.0.0\"} 180",
	"dhcpfod_scope_in_use_addresses{scope=\"10.1.0.0\"} 11",
	"dhcpfod_scope_this_free_addresses{scope=\"10.1.0.0\",relationship=\"r1\"} 90",
	"dhcpfod_scope_partner_free_addresses{scope=\"10.1.0.0\",relationship=\"r1\"} 90",
	"dhcpfod_scope_this_in_use_addresses{scope=\"10.1.0.0\",relationship=\"r1\"} 8",
	"dhcpfod_scope_partner_in_use_addresses{scope=\"10.1.0.0\",relationship=\"r1\"} 3",
	"dhcpfod_scope_this_free_addresses{scope=\"10.2.0.0\",relationship=\"\"} 65534",
	"dhcpfod_scope_leases{scope=\"10.1.0.0\",state=\"FREE\"} 90",
	"dhcpfod_scope_leases{scope=\"10.1.0.0\",state=\"BACKUP\"} 90",
	"dhcpfod_scope_leases{scope=\"10.1.0.0\",state=\"ACTIVE\"} 10",
	"dhcpfod_scope_leases{scope=\"10.1.0.0\",state=\"OFFERED\"} 1",
	"dhcpfod_scope_leases{scope=\"10.1.0.0\",state=\"ABANDONED\"} 0",
	"dhcpfod_scope_leases{scope=\"10.2.0.0\",state=\"FREE\"} 65534",
	"dhcpfod_failover_info{relationship=\"r1\",role=\"secondary\",mode=\"hot-standby\"} 1",
	"dhcpfod_failover_state{relationship=\"r1\"} 4",
	"dhcpfod_failover_partner_state{relationship=\"r1\"} 3",
	"dhcpfod_failover_state_info{relationship=\"r1\",state=\"COMMUNICATION_INT\"} 1",
	"dhcpfod_failover_partner_state_info{relationship=\"r1\",state=\"NORMAL\"} 1",
	"dhcpfod_failover_connected{relationship=\"r1\"} 0",
	"dhcpfod_failover_unacked_updates{relationship=\"r1\"} 5",
	"dhcpfod_failover_clock_skew_seconds{relationship=\"r1\"} -2",
	"dhcpfod_failover_time_out_of_sync{relationship=\"r1\"} 0",
	/* cumulative buckets; +Inf is the count; the sum exact */
	"dhcpfod_commit_durable_seconds_bucket{le=\"0.0001\"} 1",
	"dhcpfod_commit_durable_seconds_bucket{le=\"0.00025\"} 2",
	"dhcpfod_commit_durable_seconds_bucket{le=\"0.0005\"} 2",
	"dhcpfod_commit_durable_seconds_bucket{le=\"0.0025\"} 3",
	"dhcpfod_commit_durable_seconds_bucket{le=\"5\"} 3",
	"dhcpfod_commit_durable_seconds_bucket{le=\"+Inf\"} 4",
	"dhcpfod_commit_durable_seconds_sum 6.001250",
	"dhcpfod_commit_durable_seconds_count 4",
};

START_TEST(test_values)
{
	struct metrics_snap s = full_snap();
	char *text = metrics_format(&s);

	assert_line(text, value_lines[_i]);
	free(text);
}
END_TEST

/* Every scope has every binding state, once. */
START_TEST(test_every_state)
{
	struct metrics_snap s = full_snap();
	char *text = metrics_format(&s), want[160];

	for (size_t sc = 0; sc < s.nscopes; sc++)
		for (int st = LEASE_FREE; st <= LEASE_OFFERED; st++) {
			char a[16];

			snprintf(want, sizeof(want), "dhcpfod_scope_leases{scope=\"%s\","
			    "state=\"%s\"} ", addr_str(s.scopes[sc].subnet, a),
			    lease_state_name(st));
			ck_assert_int_eq(count_prefix(text, want), 1);
		}
	ck_assert_int_eq(count_prefix(text, "dhcpfod_scope_leases{"), 16);
	free(text);
}
END_TEST

/* The histogram's bounds are increasing and an observation lands in the
 * first bucket whose bound it does not exceed. */
START_TEST(test_hist_observe)
{
	struct stats_hist h = { 0 };

	for (size_t i = 1; i < STATS_HIST_BOUNDS; i++)
		ck_assert_uint_gt(stats_hist_bound_us[i], stats_hist_bound_us[i - 1]);
	stats_hist_observe(&h, 0);
	stats_hist_observe(&h, stats_hist_bound_us[3]);
	stats_hist_observe(&h, stats_hist_bound_us[3] + 1);
	stats_hist_observe(&h, stats_hist_bound_us[STATS_HIST_BOUNDS - 1] + 1);
	ck_assert_uint_eq(h.bucket[0], 1);
	ck_assert_uint_eq(h.bucket[3], 1);
	ck_assert_uint_eq(h.bucket[4], 1);
	ck_assert_uint_eq(h.bucket[STATS_HIST_BOUNDS], 1);
	ck_assert_uint_eq(h.count, 4);
	ck_assert_uint_eq(h.sum_us, 2 * stats_hist_bound_us[3] + 1 +
	    stats_hist_bound_us[STATS_HIST_BOUNDS - 1] + 1);
}
END_TEST

/* The checker itself refuses what the format forbids. */
static const char *const bad_texts[] = {
	"dhcpfod_x 1\n",					/* no HELP/TYPE */
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\ndhcpfod_x{a=\"b} 1\n",
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\ndhcpfod_x{a=\"\\t\"} 1\n",
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\ndhcpfod_x{a=\"b\",a=\"c\"} 1\n",
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\ndhcpfod_x one\n",
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\ndhcpfod_x 1\ndhcpfod_x 2\n",
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x counter\ndhcpfod_x 1\n",
	"# HELP dhcpfod_x_total h\n# TYPE dhcpfod_x_total gauge\ndhcpfod_x_total 1\n",
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\n"
	    "# HELP dhcpfod_y h\n# TYPE dhcpfod_y gauge\ndhcpfod_y 1\ndhcpfod_x 1\n",
	"# HELP dhcpfod_x h\n# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\ndhcpfod_x 1\n",
	"# TYPE dhcpfod_x gauge\n# HELP dhcpfod_x h\ndhcpfod_x 1\n",
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\ndhcpfod_x 1",	/* no final \n */
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\n\ndhcpfod_x 1\n",
	"# HELP dhcpfod_x h\n# TYPE dhcpfod_x gauge\n",		/* no sample */
};

START_TEST(test_checker_refuses)
{
	struct checked c;

	check_text(&c, bad_texts[_i]);
	checked_free(&c);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, test_full_parses);
	tcase_add_test(tc, test_empty_parses);
	tcase_add_test(tc, test_escaping);
	tcase_add_loop_test(tc, test_help_type_once, 0, nitems(families));
	tcase_add_loop_test(tc, test_types, 0, nitems(types));
	tcase_add_loop_test(tc, test_values, 0, nitems(value_lines));
	tcase_add_test(tc, test_every_state);
	tcase_add_test(tc, test_hist_observe);
	suite_add_tcase(s, tc);

	/* each of these must fail inside the forked test (the checker works) */
	tc = tcase_create("checker");
	tcase_add_loop_exit_test(tc, test_checker_refuses, 1, 0, nitems(bad_texts));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
