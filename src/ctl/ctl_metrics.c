/* server.metrics: the daemon in the Prometheus text exposition format 0.0.4.
 * A snapshot is taken through the store and failover interfaces, then a pure
 * formatter writes it: HELP and TYPE once per family, every sample of a
 * family together, label values escaped. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "ctl_cmd.h"
#include "ctl_drift.h"
#include "ctl_metrics.h"
#include "ctl_param.h"
#include "daemon.h"
#include "dhcp_sock.h"
#include "err.h"
#include "fo.h"
#include "lease.h"
#include "store_health.h"
#include "util.h"

/* ---- the formatter (pure) ---- */

struct label {
	const char	*name;
	const char	*value;
};

/* A label list as (array, count) arguments. */
#define LABELS(...)	(const struct label[]){ __VA_ARGS__ }, \
	sizeof((const struct label[]){ __VA_ARGS__ }) / sizeof(struct label)
#define NOLABELS	NULL, 0

/* Text 0.0.4 escapes: backslash and newline everywhere, the double quote
 * inside label values. */
static void
put_escaped(FILE *f, const char *s, int in_label)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && in_label)
			fputs("\\\"", f);
		else
			putc(*s, f);
	}
}

/* The two comment lines that open a family. */
static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	put_escaped(f, help, 0);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* name{a="x",b="y"} without the value. */
static void
series(FILE *f, const char *name, const struct label *l, size_t n)
{
	fputs(name, f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%c%s=\"", i == 0 ? '{' : ',', l[i].name);
		put_escaped(f, l[i].value, 1);
		putc('"', f);
	}
	if (n > 0)
		putc('}', f);
}

static void
sample_u(FILE *f, const char *name, const struct label *l, size_t n, uint64_t v)
{
	series(f, name, l, n);
	fprintf(f, " %" PRIu64 "\n", v);
}

static void
sample_i(FILE *f, const char *name, const struct label *l, size_t n, int64_t v)
{
	series(f, name, l, n);
	fprintf(f, " %" PRId64 "\n", v);
}

/* Microseconds as exact decimal seconds. */
static void
put_seconds(FILE *f, uint64_t us)
{
	fprintf(f, "%" PRIu64 ".%06" PRIu64, us / 1000000, us % 1000000);
}

static void
fmt_server(FILE *f, const struct metrics_snap *s)
{
	family(f, "dhcpfod_build_info", "gauge", "The running dhcpfod's version (1).");
	sample_u(f, "dhcpfod_build_info", LABELS({ "version", s->version }), 1);
	family(f, "dhcpfod_uptime_seconds", "gauge", "Seconds since dhcpfod started.");
	sample_i(f, "dhcpfod_uptime_seconds", NOLABELS, s->uptime);
	family(f, "dhcpfod_control_clients", "gauge",
	    "Clients connected to the management socket.");
	sample_u(f, "dhcpfod_control_clients", NOLABELS, s->ctl_clients);
	family(f, "dhcpfod_storage_ok", "gauge", "1 while the database takes "
	    "durable writes; 0 while it fails (disk full, I/O errors): DHCPACKs "
	    "and BNDACKs are withheld.");
	sample_u(f, "dhcpfod_storage_ok", NOLABELS, s->storage_ok ? 1 : 0);
	family(f, "dhcpfod_storage_failures_total", "counter", "Database "
	    "operations (commits, fsyncs, recovery attempts) that failed for the "
	    "storage.");
	sample_u(f, "dhcpfod_storage_failures_total", NOLABELS, s->storage_failures);
}

/* A counter array by the names of its index, from index `from`. */
static void
fmt_counter_array(FILE *f, const char *name, const char *help, const char *label,
    const uint64_t *v, int from, int n, const char *(*namefn)(int))
{
	family(f, name, "counter", help);
	for (int i = from; i < n; i++)
		sample_u(f, name, LABELS({ label, namefn(i) }), v[i]);
}

/* The counters of server.stats. */
static void
fmt_counters(FILE *f, const struct stats *st)
{
	static const struct {
		const char	*name, *help;
		size_t		 off;
	} plain[] = {
		{ "dhcpfod_leases_granted_total", "DHCPACKs that granted or "
		    "extended a lease.", offsetof(struct stats, leases_granted) },
		{ "dhcpfod_commit_batches_total", "Group commits of the DHCP "
		    "engine (one transaction and fsync each).",
		    offsetof(struct stats, commit_batches) },
		{ "dhcpfod_rpc_requests_total", "Management RPC requests.",
		    offsetof(struct stats, rpc_requests) },
		{ "dhcpfod_rpc_errors_total", "Management RPC requests answered "
		    "with an error.", offsetof(struct stats, rpc_errors) },
	};

	fmt_counter_array(f, "dhcpfod_packets_received_total", "DHCP packets "
	    "received, by message type.", "type", st->rx, 0, STATS_DHCP_TYPES,
	    stats_dhcp_type_name);
	fmt_counter_array(f, "dhcpfod_packets_sent_total", "DHCP packets sent, "
	    "by message type.", "type", st->tx, 1, STATS_DHCP_TYPES,
	    stats_dhcp_type_name);
	fmt_counter_array(f, "dhcpfod_packets_dropped_total", "DHCP packets "
	    "dropped, by reason.", "reason", st->drops, 0, DROP_NREASONS,
	    stats_drop_name);
	for (size_t i = 0; i < nitems(plain); i++) {
		family(f, plain[i].name, "counter", plain[i].help);
		sample_u(f, plain[i].name, NOLABELS,
		    *(const uint64_t *)(const void *)((const char *)st + plain[i].off));
	}
}

/* A histogram family: cumulative buckets, +Inf, sum, count. */
static void
fmt_histogram(FILE *f, const char *name, const char *help,
    const struct stats_hist *h)
{
	char bname[128], le[32];
	uint64_t cum = 0;

	family(f, name, "histogram", help);
	snprintf(bname, sizeof(bname), "%s_bucket", name);
	for (size_t i = 0; i < STATS_HIST_BOUNDS; i++) {
		cum += h->bucket[i];
		snprintf(le, sizeof(le), "%g", (double)stats_hist_bound_us[i] / 1e6);
		sample_u(f, bname, LABELS({ "le", le }), cum);
	}
	sample_u(f, bname, LABELS({ "le", "+Inf" }), h->count);
	fprintf(f, "%s_sum ", name);
	put_seconds(f, h->sum_us);
	fprintf(f, "\n%s_count %" PRIu64 "\n", name, h->count);
}

/* The gauges of RPC.md §6.8, one family each; the this/partner split is
 * labelled with the relationship it belongs to. */
static const struct {
	const char	*name, *help;
	size_t		 off;
	int		 with_rel;
} scope_gauges[] = {
	{ "dhcpfod_scope_addresses", "Addresses of the scope's range minus "
	    "exclusions.", offsetof(struct scope_stats, num_addr), 0 },
	{ "dhcpfod_scope_free_addresses", "Free addresses, both servers'.",
	    offsetof(struct scope_stats, addr_free), 0 },
	{ "dhcpfod_scope_in_use_addresses", "Addresses leased, offered, "
	    "reserved, abandoned or awaiting the partner.",
	    offsetof(struct scope_stats, addr_in_use), 0 },
	{ "dhcpfod_scope_this_free_addresses", "Free addresses this server owns "
	    "and may hand out.", offsetof(struct scope_stats, this_addr_free), 1 },
	{ "dhcpfod_scope_partner_free_addresses", "Free addresses the failover "
	    "partner owns.", offsetof(struct scope_stats, partner_addr_free), 1 },
	{ "dhcpfod_scope_this_in_use_addresses", "Addresses in use that this "
	    "server leased.", offsetof(struct scope_stats, this_addr_in_use), 1 },
	{ "dhcpfod_scope_partner_in_use_addresses", "Addresses in use that the "
	    "partner leased.", offsetof(struct scope_stats, partner_addr_in_use), 1 },
};

static uint64_t
scope_stat(const struct metrics_scope *m, size_t off)
{
	return *(const uint64_t *)(const void *)((const char *)&m->st + off);
}

static void
fmt_scopes(FILE *f, const struct metrics_snap *s)
{
	char a[16];

	family(f, "dhcpfod_scope_info", "gauge", "A scope: its name and the "
	    "failover relationship it is in (1).");
	for (size_t i = 0; i < s->nscopes; i++)
		sample_u(f, "dhcpfod_scope_info", LABELS({ "scope",
		    addr_str(s->scopes[i].subnet, a) }, { "name", s->scopes[i].name },
		    { "relationship", s->scopes[i].relationship }), 1);
	for (size_t g = 0; g < nitems(scope_gauges); g++) {
		family(f, scope_gauges[g].name, "gauge", scope_gauges[g].help);
		for (size_t i = 0; i < s->nscopes; i++) {
			const struct metrics_scope *m = &s->scopes[i];
			uint64_t v = scope_stat(m, scope_gauges[g].off);

			addr_str(m->subnet, a);
			if (scope_gauges[g].with_rel)
				sample_u(f, scope_gauges[g].name, LABELS({ "scope", a },
				    { "relationship", m->relationship }), v);
			else
				sample_u(f, scope_gauges[g].name,
				    LABELS({ "scope", a }), v);
		}
	}
	family(f, "dhcpfod_scope_leases", "gauge", "Addresses by binding state: "
	    "FREE and BACKUP are the free addresses the primary and the "
	    "secondary own, the others lease records.");
	for (size_t i = 0; i < s->nscopes; i++)
		for (int st = 1; st < METRICS_LEASE_STATES; st++)
			sample_u(f, "dhcpfod_scope_leases", LABELS({ "scope",
			    addr_str(s->scopes[i].subnet, a) },
			    { "state", lease_state_name(st) }), s->scopes[i].leases[st]);
}

/* Per relationship, one number each. */
static const struct {
	const char	*name, *help;
	size_t		 off;
} rel_gauges[] = {
	{ "dhcpfod_failover_state", "This server's failover state (FSM_STATE "
	    "number: 3 NORMAL, 4 COMMUNICATION_INT, 5 PARTNER_DOWN, ...).",
	    offsetof(struct metrics_rel, state) },
	{ "dhcpfod_failover_partner_state", "The partner's failover state as "
	    "last heard (FSM_STATE number; 0 never heard).",
	    offsetof(struct metrics_rel, partner_state) },
	{ "dhcpfod_failover_connected", "1 while in contact with the partner "
	    "(its STATE arrived on the current connection).",
	    offsetof(struct metrics_rel, connected) },
	{ "dhcpfod_failover_unacked_updates", "Binding updates and range moves "
	    "sent and not yet acknowledged.",
	    offsetof(struct metrics_rel, unacked_updates) },
	{ "dhcpfod_failover_clock_skew_seconds", "The partner's clock minus "
	    "ours, measured at connect.", offsetof(struct metrics_rel, clock_skew) },
	{ "dhcpfod_failover_time_out_of_sync", "1 when the clock skew exceeds "
	    "60 seconds and the connection is refused.",
	    offsetof(struct metrics_rel, time_out_of_sync) },
	{ "dhcpfod_failover_connect_rejects", "CONNECTs refused since the start, "
	    "by this server or by the partner (failover.get last_reject).",
	    offsetof(struct metrics_rel, connect_rejects) },
	{ "dhcpfod_failover_last_reject_reason", "The reject reason of the last "
	    "refused CONNECT (draft-12 reject-reason: 4 time mismatch, 8 invalid "
	    "partner, ...; 0 none).",
	    offsetof(struct metrics_rel, last_reject_reason) },
	{ "dhcpfod_failover_partner_unresponsive", "1 while the partner, in "
	    "contact, leaves its clients unanswered (5 past "
	    "load_balance_max_seconds within 60 s).",
	    offsetof(struct metrics_rel, partner_unresponsive) },
	{ "dhcpfod_failover_unacked_clients", "Clients of the partner's buckets "
	    "seen unanswered past load_balance_max_seconds in the last 60 s.",
	    offsetof(struct metrics_rel, unacked_clients) },
	{ "dhcpfod_failover_config_drift_scopes", "Scopes of the relationship "
	    "whose configuration differs from the partner's (REMOTE.md section 8; "
	    "-1 not known: no partner check configured or none answered yet).",
	    offsetof(struct metrics_rel, config_drift) },
	{ "dhcpfod_failover_config_drift_parameters", "Parameters of the "
	    "relationship (mode, percentage, mclt, the shared secret ...) that "
	    "differ from the partner's (RPC.md section 6.17; -1 not known).",
	    offsetof(struct metrics_rel, config_drift_params) },
};

static int64_t
rel_value(const struct metrics_rel *r, size_t off)
{
	return *(const int64_t *)(const void *)((const char *)r + off);
}

static void
fmt_rels(FILE *f, const struct metrics_snap *s)
{
	const struct metrics_rel *r;

	family(f, "dhcpfod_failover_info", "gauge", "A failover relationship: "
	    "this server's role and the mode (1).");
	for (r = s->rels; r < s->rels + s->nrels; r++)
		sample_u(f, "dhcpfod_failover_info", LABELS({ "relationship", r->name },
		    { "role", fo_role_name(r->role) }, { "mode", fo_mode_name(r->mode) }),
		    1);
	for (size_t g = 0; g < nitems(rel_gauges); g++) {
		family(f, rel_gauges[g].name, "gauge", rel_gauges[g].help);
		for (r = s->rels; r < s->rels + s->nrels; r++)
			sample_i(f, rel_gauges[g].name,
			    LABELS({ "relationship", r->name }),
			    rel_value(r, rel_gauges[g].off));
	}
	family(f, "dhcpfod_failover_state_info", "gauge",
	    "This server's failover state by name (1).");
	for (r = s->rels; r < s->rels + s->nrels; r++)
		sample_u(f, "dhcpfod_failover_state_info", LABELS({ "relationship",
		    r->name }, { "state", fo_state_name(r->state) }), 1);
	family(f, "dhcpfod_failover_partner_state_info", "gauge",
	    "The partner's failover state by name (1).");
	for (r = s->rels; r < s->rels + s->nrels; r++)
		sample_u(f, "dhcpfod_failover_partner_state_info", LABELS({
		    "relationship", r->name }, { "state",
		    fo_state_name(r->partner_state) }), 1);
	fmt_counter_array(f, "dhcpfod_failover_dropped_total", "Messages and "
	    "connections refused on the failover port, by reason (each closes its "
	    "connection).", "reason", s->stats->fo_drops, 0, FODROP_NREASONS,
	    stats_fo_drop_name);
}

char *
metrics_format(const struct metrics_snap *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int bad;

	if (f == NULL)
		return NULL;
	fmt_server(f, s);
	fmt_counters(f, s->stats);
	if (s->commit_latency != NULL)
		fmt_histogram(f, "dhcpfod_commit_durable_seconds", "Group commit: "
		    "from a pass's commit to the WAL until its fsync returned (the "
		    "wait of its DHCPACKs).", s->commit_latency);
	if (s->nscopes > 0)
		fmt_scopes(f, s);
	if (s->nrels > 0)
		fmt_rels(f, s);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- the snapshot ---- */

struct snap_buf {
	struct scope		*sc;
	size_t			 nsc;
	struct fo_rel		*rel;
	size_t			 nrel;
	struct metrics_scope	*ms;
	struct metrics_rel	*mr;
};

static int
ms_cmp(const void *key, const void *el)
{
	uint32_t a = *(const uint32_t *)key, b = ((const struct metrics_scope *)el)->subnet;

	return (a > b) - (a < b);
}

/* Lease rows by state; the free ones come from the interval view instead. */
static void
count_rows(void *arg, uint32_t subnet, enum lease_state state, uint64_t n)
{
	struct snap_buf *b = arg;
	struct metrics_scope *m = bsearch(&subnet, b->ms, b->nsc, sizeof(*m), ms_cmp);

	if (m != NULL && state > 0 && state < METRICS_LEASE_STATES &&
	    !lease_state_is_free(state))
		m->leases[state] = n;
}

/* This server's role in the relationship a scope is in; FO_ROLE_NONE if none. */
static enum fo_role
scope_role(const struct snap_buf *b, const struct scope *sc)
{
	for (size_t i = 0; i < b->nrel; i++)
		if (strcasecmp(b->rel[i].name, sc->relationship) == 0)
			return b->rel[i].server_type;
	return FO_ROLE_NONE;
}

/* Each scope's statistics and addresses by state; -1 storage error, -2 out
 * of memory. */
static int
snap_scopes(struct store *st, struct snap_buf *b)
{
	if (store_scope_list(st, &b->sc, &b->nsc) == -1)
		return -1;
	if ((b->ms = calloc(b->nsc + 1, sizeof(*b->ms))) == NULL)
		return -2;
	for (size_t i = 0; i < b->nsc; i++) {
		struct metrics_scope *m = &b->ms[i];
		enum fo_role role = scope_role(b, &b->sc[i]);

		m->subnet = b->sc[i].subnet;
		m->name = b->sc[i].name;
		m->relationship = b->sc[i].relationship;
		if (store_scope_stats(st, m->subnet, role, &m->st) != 0)
			return -1;
		m->leases[LEASE_FREE] = role == FO_SECONDARY ?
		    m->st.partner_addr_free : m->st.this_addr_free;
		m->leases[LEASE_BACKUP] = role == FO_SECONDARY ?
		    m->st.this_addr_free : m->st.partner_addr_free;
	}
	return store_lease_state_counts(st, count_rows, b);
}

/* The unanswered-client view of fo_status (FAILOVER.md §4), if present. */
static void
snap_unacked(struct metrics_rel *m, json_t *live)
{
	json_int_t n = 0;
	int un = 0;

	if (live != NULL && json_unpack(live, "{s:b, s:I}", "partner_unresponsive",
	    &un, "unacked_clients", &n) == 0) {
		m->partner_unresponsive = un;
		m->unacked_clients = n;
	}
}

/* The stored relationships with the failover module's live view; -2 out of
 * memory. */
static int
snap_rels(struct daemon *d, struct snap_buf *b)
{
	if ((b->mr = calloc(b->nrel + 1, sizeof(*b->mr))) == NULL)
		return -2;
	for (size_t i = 0; i < b->nrel; i++) {
		struct metrics_rel *m = &b->mr[i];
		json_t *live = fo_status(d->fo, b->rel[i].name);
		json_int_t unacked = 0, skew = 0;
		int conn = 0, oos = 0;

		m->name = b->rel[i].name;
		m->role = b->rel[i].server_type;
		m->mode = b->rel[i].mode;
		m->state = b->rel[i].state;
		m->partner_state = b->rel[i].partner_state;
		m->config_drift = ctl_drift_count(m->name);
		m->config_drift_params = ctl_drift_params_count(m->name);
		if (live != NULL && json_unpack(live, "{s:b, s:I, s:I, s:b}",
		    "connected", &conn, "unacked_updates", &unacked,
		    "clock_skew", &skew, "time_out_of_sync", &oos) == 0) {
			m->partner_state = fo_partner_state(d->fo, m->name);
			m->connected = conn;
			m->unacked_updates = unacked;
			m->clock_skew = skew;
			m->time_out_of_sync = oos;
			m->connect_rejects = json_integer_value(json_object_get(live,
			    "connect_rejects"));
			m->last_reject_reason = json_integer_value(json_object_get(
			    json_object_get(live, "last_reject"), "reason"));
		}
		snap_unacked(m, live);
		json_decref(live);
	}
	return 0;
}

static void
snap_free(struct snap_buf *b)
{
	if (b->sc != NULL)	/* a failed list leaves NULL and a count */
		scopes_free(b->sc, b->nsc);
	if (b->rel != NULL)
		fo_rels_free(b->rel, b->nrel);
	free(b->ms);
	free(b->mr);
}

char *
metrics_text(struct daemon *d, char *err, size_t errlen)
{
	struct snap_buf b = { 0 };
	struct metrics_snap s = { 0 };
	char *text = NULL;
	int rc;

	if ((rc = store_rel_list(d->store, &b.rel, &b.nrel)) == 0 &&
	    (rc = snap_scopes(d->store, &b)) == 0)
		rc = snap_rels(d, &b);
	if (rc == -2) {
		snprintf(err, errlen, "out of memory");
		snap_free(&b);
		return NULL;
	}
	if (rc != 0) {		/* unreadable: the rest, and the storage's health */
		snap_free(&b);
		memset(&b, 0, sizeof(b));
	}
	s.version = DHCPFOD_VERSION;
	s.uptime = time_mono() - d->started;
	s.stats = &d->stats;
	s.ctl_clients = d->ctl != NULL ? ctl_nclients(d->ctl) : 0;
	s.commit_latency = d->dhcp != NULL ? dhcp_sock_commit_latency(d->dhcp) : NULL;
	s.storage_ok = store_health(d->store)->ok;
	s.storage_failures = store_health(d->store)->failures;
	s.scopes = b.ms;
	s.nscopes = b.nsc;
	s.rels = b.mr;
	s.nrels = b.nrel;
	if ((text = metrics_format(&s)) == NULL)
		snprintf(err, errlen, "out of memory");
	snap_free(&b);
	return text;
}

/* ---- the method ---- */

void
m_server_metrics(struct ctl_req *r, json_t *p)
{
	static const char *const allowed[] = { NULL };
	char err[512], *text;

	if (param_only(r, p, allowed) == -1)
		return;
	if ((text = metrics_text(ctl_req_daemon(r), err, sizeof(err))) == NULL) {
		ctl_fail(r, ERR_JET_ERROR, "%s", err);
		return;
	}
	ctl_reply(r, json_pack("{s:s}", "text", text));
	free(text);
}
