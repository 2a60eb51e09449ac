/* dhcpfoctl: primitives of the human printer — value formatting by key (times,
 * durations, states), colour, aligned "key: value" blocks and tables. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dhcpfoctl.h"
#include "fo.h"
#include "util.h"

#define TIME_NEVER	0xffffffffLL	/* an infinite lease's end */

static int	color_on;

static const char *const color_seq[] = {
	[C_NONE] = "", [C_GREEN] = "\033[32m", [C_YELLOW] = "\033[33m",
	[C_RED] = "\033[31m", [C_BOLD] = "\033[1m",
};

/* Keys whose integer value is a duration in seconds. */
static const char *const duration_keys[] = {
	"lease_time", "mclt", "safe_period", "uptime", "max_allowed_delta",
	"load_balance_max_seconds", "max_response_delay",
};

/* Keys whose integer value is a point in time (also any "*_time" not above). */
static const char *const time_keys[] = { "starts", "ends", "cltt", "time" };

/* Keys whose value is a failover state worth colouring. */
static const char *const state_keys[] = { "state", "partner_state" };

/* Units of a duration, largest first. */
static const struct {
	long long	 secs;
	const char	*unit;
} dur_units[] = {
	{ 86400, "d" }, { 3600, "h" }, { 60, "m" }, { 1, "s" },
};

void
fmt_set_color(int on)
{
	color_on = on;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL) {
		fputs("dhcpfoctl: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* vasprintf that cannot fail. */
char *
fmt_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("dhcpfoctl: out of memory\n", stderr);
		exit(1);
	}
	return s;
}

static int
in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return 1;
	return 0;
}

static int
is_duration_key(const char *key)
{
	return in_list(key, duration_keys, nitems(duration_keys));
}

static int
is_time_key(const char *key)
{
	size_t n = strlen(key);

	return in_list(key, time_keys, nitems(time_keys)) ||
	    (n > 5 && strcmp(key + n - 5, "_time") == 0);
}

/* Local "YYYY-MM-DD HH:MM:SS"; 0 is "-" (never set). */
char *
fmt_time(long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char buf[64];

	if (t == 0)
		return xstrdup("-");
	if (t >= TIME_NEVER)
		return xstrdup("never");
	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return fmt_printf("%lld", t);
	return xstrdup(buf);
}

/* "3600 (1h)", "90 (1m30s)"; under a minute just the number. */
char *
fmt_duration(long long s)
{
	char buf[64];
	size_t len = 0;
	long long left = s;

	if (s < 60)
		return fmt_printf("%lld", s);
	for (size_t i = 0; i < nitems(dur_units); i++) {
		long long n = left / dur_units[i].secs;

		if (n == 0)
			continue;
		left -= n * dur_units[i].secs;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%lld%s", n,
		    dur_units[i].unit);
	}
	return fmt_printf("%lld (%s)", s, buf);
}

/* NORMAL green; the partner unreachable or down red; any other state yellow. */
enum color
fmt_state_color(const char *state)
{
	int st = fo_state_parse(state);

	if (st < 0 || strcmp(fo_state_name(st), state) != 0)
		return C_NONE;
	if (st == FO_NORMAL)
		return C_GREEN;
	if (st == FO_PARTNER_DOWN || st == FO_COMMUNICATION_INT)
		return C_RED;
	return C_YELLOW;
}

/* The colour of a string value under key. */
static enum color
string_color(const char *key, const char *s)
{
	if (!in_list(key, state_keys, nitems(state_keys)))
		return C_NONE;
	if (strcmp(s, "enabled") == 0)
		return C_GREEN;
	if (strcmp(s, "disabled") == 0)
		return C_YELLOW;
	return fmt_state_color(s);
}

/* {"start":A,"end":B} and nothing else. */
static int
is_range(json_t *v)
{
	return json_is_object(v) && json_object_size(v) == 2 &&
	    json_is_string(json_object_get(v, "start")) &&
	    json_is_string(json_object_get(v, "end"));
}

/* An option by code, {"code":N,"hex":"..."} (RPC.md §2.5): shown as its hex. */
static int
is_hexopt(json_t *v)
{
	size_t n = json_object_size(v);

	return json_is_object(v) && json_is_string(json_object_get(v, "hex")) &&
	    (n == 1 || (n == 2 && json_object_get(v, "code") != NULL));
}

/* An array whose elements all print on one line. */
static int
is_flat_array(json_t *v)
{
	size_t i;
	json_t *el;

	json_array_foreach(v, i, el)
		if (json_is_object(el) ? !is_range(el) : json_is_array(el))
			return 0;
	return 1;
}

/* Printed on its own lines below its key rather than after it. */
static int
is_nested(json_t *v)
{
	if (json_is_object(v))
		return json_object_size(v) > 0 && !is_range(v) && !is_hexopt(v);
	return json_is_array(v) && !is_flat_array(v);
}

/* "a, b, c" of a flat array ("-" if empty). */
static char *
fmt_join(const char *key, json_t *v)
{
	char *out = NULL, *s, *t;
	size_t i;
	json_t *el;

	json_array_foreach(v, i, el) {
		s = fmt_value(key, el, NULL);
		t = fmt_printf("%s%s%s", out ? out : "", out ? ", " : "", s);
		free(out);
		free(s);
		out = t;
	}
	return out ? out : xstrdup("-");
}

/* A copy of a string with control characters (a client's hostname may hold
 * terminal escapes) shown as '?'; the empty string is "-". */
static char *
printable(const char *s, size_t len)
{
	char *out;

	if (len == 0)
		return xstrdup("-");
	out = xrealloc(NULL, len + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[len] = '\0';
	return out;
}

/* Compact JSON of any value. */
static char *
dumps_compact(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	return s != NULL ? s : xstrdup("?");
}

/* A number as shown for key: a time, a duration or plain. */
static char *
fmt_integer(const char *key, long long n)
{
	if (is_duration_key(key))
		return fmt_duration(n);
	if (is_time_key(key))
		return fmt_time(n);
	return fmt_printf("%lld", n);
}

/* Scalars by key, flat arrays joined, ranges as "a - b", the rest as JSON. */
char *
fmt_value(const char *key, json_t *v, enum color *color)
{
	if (color != NULL)
		*color = C_NONE;
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (color != NULL)
			*color = string_color(key, json_string_value(v));
		return printable(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return fmt_integer(key, (long long)json_integer_value(v));
	case JSON_REAL:
		return fmt_printf("%g", json_real_value(v));
	case JSON_TRUE:
		return xstrdup("yes");
	case JSON_FALSE:
		return xstrdup("no");
	case JSON_NULL:
		return xstrdup("-");
	case JSON_ARRAY:
		if (is_flat_array(v))
			return fmt_join(key, v);
		break;
	case JSON_OBJECT:
		if (is_range(v))
			return fmt_printf("%s - %s",
			    json_string_value(json_object_get(v, "start")),
			    json_string_value(json_object_get(v, "end")));
		if (is_hexopt(v))
			return fmt_printf("%s (hex)",
			    json_string_value(json_object_get(v, "hex")));
		if (json_object_size(v) == 0)
			return xstrdup("-");
		break;
	}
	return dumps_compact(v);
}

void
fmt_put(const char *s, enum color c)
{
	if (color_on && c != C_NONE)
		printf("%s%s\033[0m", color_seq[c], s);
	else
		fputs(s, stdout);
}

/* "key:" padded to width + 1, then the value. */
void
fmt_kv_line(const char *key, const char *value, enum color c, int width,
    int indent)
{
	printf("%*s%s:%*s ", indent, "", key, width - (int)utf8_len(key), "");
	fmt_put(value, c);
	putchar('\n');
}

/* The widest key of an object. */
static int
key_width(json_t *obj)
{
	const char *key;
	json_t *v;
	int w = 0;

	json_object_foreach(obj, key, v)
		if ((int)utf8_len(key) > w)
			w = (int)utf8_len(key);
	return w;
}

static void	fmt_nested(json_t *v, int indent);

/* Keys aligned; nested objects and arrays of objects below their key. */
void
fmt_kv(json_t *obj, int indent)
{
	const char *key;
	json_t *v;
	int w = key_width(obj);

	json_object_foreach(obj, key, v) {
		enum color c;
		char *s;

		if (is_nested(v)) {
			printf("%*s%s:\n", indent, "", key);
			fmt_nested(v, indent + 2);
			continue;
		}
		s = fmt_value(key, v, &c);
		fmt_kv_line(key, s, c, w, indent);
		free(s);
	}
}

/* An object's block, or an array's elements each marked with "-". */
static void
fmt_nested(json_t *v, int indent)
{
	size_t i;
	json_t *el;

	if (json_is_object(v)) {
		fmt_kv(v, indent);
		return;
	}
	json_array_foreach(v, i, el) {
		if (json_is_object(el) && !is_range(el)) {
			printf("%*s-\n", indent, "");
			fmt_kv(el, indent + 2);
		} else {
			char *s = fmt_value("", el, NULL);

			printf("%*s- %s\n", indent, "", s);
			free(s);
		}
	}
}

/* ---- tables ---- */

struct cell {
	char		*text;
	enum color	 color;
};

struct table {
	size_t		 ncols;
	size_t		 ncells;
	struct cell	*cells;		/* headers first */
};

struct table *
table_new(const char *const *headers, size_t ncols)
{
	struct table *t = xrealloc(NULL, sizeof(*t));

	t->ncols = ncols;
	t->ncells = 0;
	t->cells = NULL;
	for (size_t i = 0; i < ncols; i++)
		table_cell(t, headers[i], C_BOLD);
	return t;
}

void
table_cell(struct table *t, const char *text, enum color c)
{
	t->cells = xrealloc(t->cells, (t->ncells + 1) * sizeof(*t->cells));
	t->cells[t->ncells].text = xstrdup(text != NULL && *text ? text : "-");
	t->cells[t->ncells].color = c;
	t->ncells++;
}

void
table_value(struct table *t, const char *key, json_t *v)
{
	enum color c;
	char *s = fmt_value(key, v != NULL ? v : json_null(), &c);

	table_cell(t, s, c);
	free(s);
}

/* Columns as wide as their widest cell, two spaces apart, the last unpadded. */
void
table_print(struct table *t)
{
	size_t *w = xrealloc(NULL, t->ncols * sizeof(*w));

	memset(w, 0, t->ncols * sizeof(*w));
	for (size_t i = 0; i < t->ncells; i++)
		if (utf8_len(t->cells[i].text) > w[i % t->ncols])
			w[i % t->ncols] = utf8_len(t->cells[i].text);
	for (size_t i = 0; i < t->ncells; i++) {
		size_t col = i % t->ncols;

		fmt_put(t->cells[i].text, t->cells[i].color);
		if (col + 1 == t->ncols || i + 1 == t->ncells)
			putchar('\n');
		else
			printf("%*s", (int)(w[col] - utf8_len(t->cells[i].text) + 2),
			    "");
	}
	free(w);
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}
