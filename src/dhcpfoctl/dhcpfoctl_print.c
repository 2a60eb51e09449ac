/* dhcpfoctl: the one human printer (a table of per-method printers over a
 * generic "key: value" one) and the one JSON printer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dhcpfoctl.h"
#include "util.h"

typedef void	printer(json_t *params, json_t *result);

static printer	p_status, p_stats, p_scope_list, p_resv_list, p_lease_list;
static printer	p_rel_list, p_fo_stats, p_addr_status, p_trigger, p_time;
static printer	p_metrics;

/* Methods whose results need more than the generic key: value block. */
static const struct {
	const char	*method;
	printer		*fn;
} printers[] = {
	{ "server.status",			p_status },
	{ "server.stats",			p_stats },
	{ "server.metrics",			p_metrics },
	{ "scope.list",				p_scope_list },
	{ "reservation.list",			p_resv_list },
	{ "lease.list",				p_lease_list },
	{ "failover.list",			p_rel_list },
	{ "failover.scope_statistics",		p_fo_stats },
	{ "failover.address_status",		p_addr_status },
	{ "failover.trigger_addr_allocation",	p_trigger },
	{ "failover.system_time",		p_time },
};

void
print_init(int color)
{
	fmt_set_color(color);
}

void
print_json(json_t *result)
{
	json_dumpf(result, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
	putchar('\n');
}

/* The method's printer for an object result, else the generic block. */
void
print_human(const char *method, json_t *params, json_t *result)
{
	for (size_t i = 0; i < nitems(printers); i++)
		if (strcmp(printers[i].method, method) == 0 &&
		    json_is_object(result)) {
			printers[i].fn(params, result);
			return;
		}
	if (!json_is_object(result))
		print_json(result);
	else
		fmt_kv(result, 0);	/* an empty result ({}) prints nothing */
}

/* The array under key, as rows of a table with one cell per column key;
 * "none" when it is empty. */
static void
print_rows(json_t *result, const char *key, const char *const *heads,
    const char *const *keys, size_t ncols, const char *none)
{
	json_t *rows = json_object_get(result, key), *row;
	struct table *t;
	size_t i;

	if (json_array_size(rows) == 0) {
		puts(none);
		return;
	}
	t = table_new(heads, ncols);
	json_array_foreach(rows, i, row)
		for (size_t c = 0; c < ncols; c++)
			table_value(t, keys[c], json_object_get(row, keys[c]));
	table_print(t);
	table_free(t);
}

/* "scopes 2, relationships 1, ..." of the counts object. */
static char *
counts_line(json_t *counts)
{
	char *out = NULL, *s;
	const char *key;
	json_t *v;

	json_object_foreach(counts, key, v) {
		s = fmt_printf("%s%s%s %lld", out ? out : "", out ? ", " : "", key,
		    (long long)json_integer_value(v));
		free(out);
		out = s;
	}
	return out ? out : xstrdup("-");
}

/* server.status: the server's facts, then its relationships as a table. */
static void
p_status(json_t *params, json_t *result)
{
	static const char *const heads[] = { "NAME", "ROLE", "MODE", "STATE",
	    "PARTNER-STATE" };
	static const char *const keys[] = { "name", "server_type", "mode", "state",
	    "partner_state" };
	json_t *facts = json_copy(result);
	char *counts;

	if (facts == NULL)
		return;
	json_object_del(facts, "relationships");
	if (json_is_object(json_object_get(result, "counts"))) {
		counts = counts_line(json_object_get(result, "counts"));
		json_object_set_new(facts, "counts", json_string(counts));
		free(counts);
	}
	fmt_kv(facts, 0);
	json_decref(facts);
	putchar('\n');
	print_rows(result, "relationships", heads, keys, nitems(heads),
	    "no failover relationships");
}

/* Every leaf of nested objects under its dotted path into flat. */
static void
flatten(json_t *v, const char *path, json_t *flat)
{
	const char *key;
	json_t *el;
	char *sub;

	if (!json_is_object(v)) {
		json_object_set(flat, path, v);
		return;
	}
	json_object_foreach(v, key, el) {
		sub = *path ? fmt_printf("%s.%s", path, key) : xstrdup(key);
		flatten(el, sub, flat);
		free(sub);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* server.metrics: the text as it is, ready for a scraper or a file. */
static void
p_metrics(json_t *params, json_t *result)
{
	const char *text = json_string_value(json_object_get(result, "text"));

	if (text == NULL)
		print_json(result);
	else
		fputs(text, stdout);
}

/* server.stats: nested counters as sorted "a.b: n" lines. */
static void
p_stats(json_t *params, json_t *result)
{
	json_t *flat = json_object(), *v;
	const char **keys;
	const char *key;
	size_t n = 0;
	int w = 0;

	flatten(result, "", flat);
	keys = xrealloc(NULL, json_object_size(flat) * sizeof(*keys));
	json_object_foreach(flat, key, v) {
		keys[n++] = key;
		if ((int)utf8_len(key) > w)
			w = (int)utf8_len(key);
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *s = fmt_value(keys[i], json_object_get(flat, keys[i]), NULL);

		fmt_kv_line(keys[i], s, C_NONE, w, 0);
		free(s);
	}
	free(keys);
	json_decref(flat);
}

/* scope.list: one line per scope. */
static void
p_scope_list(json_t *params, json_t *result)
{
	static const char *const heads[] = { "SUBNET/PREFIX", "NAME", "RANGE",
	    "LEASE-TIME", "STATE", "RELATIONSHIP" };
	static const char *const keys[] = { "name", "range", "lease_time", "state",
	    "relationship" };
	json_t *scopes = json_object_get(result, "scopes"), *sc;
	const char *subnet;
	struct table *t;
	char *s;
	size_t i;

	if (json_array_size(scopes) == 0) {
		puts("no scopes");
		return;
	}
	t = table_new(heads, nitems(heads));
	json_array_foreach(scopes, i, sc) {
		subnet = json_string_value(json_object_get(sc, "subnet"));
		s = fmt_printf("%s/%lld", subnet ? subnet : "?",
		    (long long)json_integer_value(json_object_get(sc, "prefix")));
		table_cell(t, s, C_NONE);
		free(s);
		for (size_t c = 0; c < nitems(keys); c++)
			table_value(t, keys[c], json_object_get(sc, keys[c]));
	}
	table_print(t);
	table_free(t);
}

/* reservation.list: one line per reservation. */
static void
p_resv_list(json_t *params, json_t *result)
{
	static const char *const heads[] = { "ADDRESS", "HWADDR", "NAME" };
	static const char *const keys[] = { "address", "hwaddr", "name" };

	print_rows(result, "reservations", heads, keys, nitems(heads),
	    "no reservations");
}

/* lease.list: one line per lease, and how to get the next page. */
static void
p_lease_list(json_t *params, json_t *result)
{
	static const char *const heads[] = { "ADDRESS", "STATE", "HWADDR",
	    "HOSTNAME", "ENDS", "OWNER" };
	static const char *const keys[] = { "address", "state", "hwaddr",
	    "hostname", "ends", "owner" };
	const char *next = json_string_value(json_object_get(result, "next"));
	const char *subnet = json_string_value(json_object_get(params, "subnet"));
	json_t *limit = json_object_get(params, "limit");

	print_rows(result, "leases", heads, keys, nitems(heads), "no leases");
	if (next == NULL)
		return;
	printf("more: dhcpfoctl lease list%s%s --from %s", subnet ? " " : "",
	    subnet ? subnet : "", next);
	if (json_is_integer(limit))
		printf(" --limit %lld", (long long)json_integer_value(limit));
	putchar('\n');
}

/* failover.list: one line per relationship, and how to get the rest. */
static void
p_rel_list(json_t *params, json_t *result)
{
	static const char *const heads[] = { "NAME", "ROLE", "MODE", "STATE",
	    "PARTNER-STATE", "FREE THIS/PARTNER", "PCT", "MCLT", "SCOPES" };
	static const char *const keys[] = { "name", "server_type", "mode", "state",
	    "partner_state", "free_split", "percentage", "mclt", "scopes" };
	json_t *resume = json_object_get(result, "resume");
	json_t *total = json_object_get(result, "total");
	json_t *rels = json_object_get(result, "relationships"), *o;
	size_t i;

	json_array_foreach(rels, i, o) {	/* the split at a glance */
		json_t *t = json_object_get(o, "this_addr_free");
		json_t *q = json_object_get(o, "partner_addr_free");

		char *split;

		if (!json_is_integer(t) || !json_is_integer(q))
			continue;
		split = fmt_printf("%lld/%lld", (long long)json_integer_value(t),
		    (long long)json_integer_value(q));
		json_object_set_new(o, "free_split", json_string(split));
		free(split);
	}

	print_rows(result, "relationships", heads, keys, nitems(heads),
	    "no failover relationships");
	if (json_is_integer(resume) && json_is_integer(total) &&
	    json_integer_value(resume) < json_integer_value(total))
		printf("more: dhcpfoctl failover list --resume %lld (%lld in all)\n",
		    (long long)json_integer_value(resume),
		    (long long)json_integer_value(total));
}

/* n as a percentage of total, or "-" when total is 0. */
static char *
percent(long long n, long long total)
{
	if (total <= 0)
		return xstrdup("-");
	return fmt_printf("%.1f%%", 100.0 * (double)n / (double)total);
}

/* failover.scope_statistics: the counters and how the free space is split. */
static void
p_fo_stats(json_t *params, json_t *result)
{
	long long this_free, partner_free, all;
	char *tp, *pp;

	fmt_kv(result, 0);
	this_free = json_integer_value(json_object_get(result, "this_addr_free"));
	partner_free = json_integer_value(json_object_get(result,
	    "partner_addr_free"));
	all = this_free + partner_free;
	tp = percent(this_free, all);
	pp = percent(partner_free, all);
	printf("free split: this %lld (%s) / partner %lld (%s)\n", this_free, tp,
	    partner_free, pp);
	free(tp);
	free(pp);
}

/* failover.address_status: "ADDRESS: owner (status N)". */
static void
p_addr_status(json_t *params, json_t *result)
{
	const char *addr = json_string_value(json_object_get(result, "address"));
	const char *name = json_string_value(json_object_get(result, "status_name"));

	if (addr == NULL)
		addr = json_string_value(json_object_get(params, "address"));
	printf("%s: %s (status %lld)\n", addr ? addr : "?", name ? name : "?",
	    (long long)json_integer_value(json_object_get(result, "status")));
}

/* failover.trigger_addr_allocation: what moved in each scope. */
static void
p_trigger(json_t *params, json_t *result)
{
	static const char *const heads[] = { "SCOPE", "FREE", "PRIMARY-FREE",
	    "SECONDARY-FREE", "TO-SECONDARY", "TO-PRIMARY" };
	static const char *const keys[] = { "scope", "free", "primary_free",
	    "secondary_free", "moved_to_secondary", "moved_to_primary" };
	const char *name = json_string_value(json_object_get(result, "name"));

	print_rows(result, "scopes", heads, keys, nitems(heads), "no scopes");
	printf("relationship %s rebalanced in %lld ms\n", name ? name : "?",
	    (long long)json_integer_value(json_object_get(result, "elapsed_ms")));
}

/* failover.system_time: the server's clock and how far this host's is off. */
static void
p_time(json_t *params, json_t *result)
{
	json_t *t = json_object_get(result, "time");

	fmt_kv(result, 0);
	if (json_is_integer(t))
		printf("offset: %+lld s (server minus this host)\n",
		    (long long)(json_integer_value(t) - (json_int_t)time(NULL)));
}
