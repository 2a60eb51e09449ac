/* dhcpfoctl: a command's words -> RPC params, driven by its table entry
 * (positional arguments and --options, each with a type whose setter checks
 * the words and writes params); also the per-command help. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcpfoctl.h"
#include "dhcpfoctl_remote.h"
#include "fo.h"
#include "util.h"

#define HELP_COL	26	/* where the help text of an argument starts */
#define WRAP_COL	79

typedef int	setter(json_t *params, const struct argdef *, char **vals,
		    char *err, size_t errlen);

static setter	set_str, set_uint, set_addr, set_addrs, set_hwaddr, set_client;
static setter	set_subnet, set_range, set_state, set_mode, set_role, set_flag;
static setter	set_option, set_optjson, set_jsonobj;

/* Each type: how many words it takes and what turns them into params. */
static const struct argtype {
	int	 nvals;
	setter	*set;
} argtypes[T_NTYPES] = {
	[T_STR] =	{ 1, set_str },
	[T_UINT] =	{ 1, set_uint },
	[T_ADDR] =	{ 1, set_addr },
	[T_ADDRS] =	{ 1, set_addrs },
	[T_HWADDR] =	{ 1, set_hwaddr },
	[T_CLIENT] =	{ 1, set_client },
	[T_SUBNET] =	{ 1, set_subnet },
	[T_RANGE] =	{ 2, set_range },
	[T_STATE] =	{ 1, set_state },
	[T_MODE] =	{ 1, set_mode },
	[T_ROLE] =	{ 1, set_role },
	[T_FLAG] =	{ 0, set_flag },
	[T_OPTION] =	{ 1, set_option },
	[T_OPTJSON] =	{ 1, set_optjson },
	[T_JSONOBJ] =	{ 1, set_jsonobj },
};

/* Options whose value is a list: NAME=a,b,c becomes ["a","b","c"] (RPC.md §2.5). */
static const char *const list_options[] = {
	"routers", "time_servers", "domain_name_servers", "log_servers",
	"nis_servers", "ntp_servers", "netbios_name_servers", "domain_search",
	"tftp_server_address",
};

/* The state of one parse. */
struct parse {
	const struct cmd	*cmd;
	int			 argc;
	char			**argv;
	int			 i;		/* next word */
	struct cli_opts		*g;
	json_t			*params;
	size_t			 npos;		/* positionals bound so far */
	unsigned long long	 seen;		/* options given, by index */
	char			*err;
	size_t			 errlen;
};

static int	fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Formats a sentence into err; returns -1. */
static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Sets key to v (taking the reference); -1 when out of memory. */
static int
put(json_t *params, const char *key, json_t *v, char *err, size_t errlen)
{
	if (v == NULL || json_object_set_new(params, key, v) == -1)
		return fail(err, errlen, "out of memory");
	return 0;
}

/* The object under key, created empty if absent. */
static json_t *
sub_object(json_t *params, const char *key)
{
	json_t *o = json_object_get(params, key);

	if (!json_is_object(o)) {
		o = json_object();
		if (o == NULL || json_object_set_new(params, key, o) == -1)
			return NULL;
	}
	return o;
}

/* Decimal digits only, into *out; -1 if not, or above max. */
static int
parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
		return -1;
	for (; *s != '\0'; s++) {
		if (v > (max - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 0;
}

static int
set_str(json_t *params, const struct argdef *d, char **v, char *err, size_t errlen)
{
	return put(params, d->key, json_string(v[0]), err, errlen);
}

static int
set_uint(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	unsigned long long n;

	if (parse_uint(v[0], UINT32_MAX, &n) == -1)
		return fail(err, errlen, "'%s' is not a number from 0 to %lu", v[0],
		    (unsigned long)UINT32_MAX);
	return put(params, d->key, json_integer((json_int_t)n), err, errlen);
}

/* An IPv4 address word: 0, or -1 with the reason in err. */
static int
check_addr(const char *s, char *err, size_t errlen)
{
	uint32_t a;

	if (addr_parse(s, &a) == -1)
		return fail(err, errlen, "'%s' is not an IPv4 address (a.b.c.d)", s);
	return 0;
}

static int
set_addr(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	if (check_addr(v[0], err, errlen) == -1)
		return -1;
	return put(params, d->key, json_string(v[0]), err, errlen);
}

/* One more address of a list (--scope A B, SUBNET...). */
static int
set_addrs(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	json_t *a = json_object_get(params, d->key);

	if (check_addr(v[0], err, errlen) == -1)
		return -1;
	if (a == NULL) {
		if (put(params, d->key, json_array(), err, errlen) == -1)
			return -1;
		a = json_object_get(params, d->key);
	}
	if (json_array_append_new(a, json_string(v[0])) == -1)
		return fail(err, errlen, "out of memory");
	return 0;
}

static int
is_hwaddr(const char *s)
{
	uint8_t hw[16];

	return hwaddr_parse(s, hw, sizeof(hw)) > 0;
}

static int
set_hwaddr(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	if (!is_hwaddr(v[0]))
		return fail(err, errlen, "'%s' is not a hardware address "
		    "(aa:bb:cc:dd:ee:ff)", v[0]);
	return put(params, d->key, json_string(v[0]), err, errlen);
}

/* A dotted quad is an "address", anything else must be an "hwaddr". */
static int
set_client(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	uint32_t a;

	if (addr_parse(v[0], &a) == 0)
		return put(params, "address", json_string(v[0]), err, errlen);
	if (is_hwaddr(v[0]))
		return put(params, "hwaddr", json_string(v[0]), err, errlen);
	return fail(err, errlen, "'%s' is neither an IPv4 address (a.b.c.d) nor "
	    "a hardware address (aa:bb:cc:dd:ee:ff)", v[0]);
}

/* A.B.C.D or A.B.C.D/P: the subnet, and "prefix" when given. */
static int
set_subnet(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	char *addr = xstrdup(v[0]), *slash = strchr(addr, '/');
	unsigned long long prefix = 0;
	int rc = -1;

	if (slash != NULL)
		*slash++ = '\0';
	if (check_addr(addr, err, errlen) == -1)
		goto done;
	if (slash != NULL && parse_uint(slash, 32, &prefix) == -1) {
		fail(err, errlen, "'/%s' is not a prefix length from 0 to 32", slash);
		goto done;
	}
	rc = put(params, d->key, json_string(addr), err, errlen);
	if (rc == 0 && slash != NULL)
		rc = put(params, "prefix", json_integer((json_int_t)prefix), err,
		    errlen);
done:
	free(addr);
	return rc;
}

static int
set_range(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	if (check_addr(v[0], err, errlen) == -1 || check_addr(v[1], err, errlen) == -1)
		return -1;
	return put(params, d->key, json_pack("{s:s, s:s}", "start", v[0], "end", v[1]),
	    err, errlen);
}

/* A state name in any case, with - or _, or its number; sent canonical. */
static int
set_state(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	int st = fo_state_parse(v[0]);

	if (st < 0)
		return fail(err, errlen, "'%s' is not a failover state (NORMAL, "
		    "PARTNER_DOWN, COMMUNICATION_INT, ... or 0..%d)", v[0],
		    FO_NSTATES - 1);
	return put(params, d->key, json_string(fo_state_name(st)), err, errlen);
}

static int
set_mode(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	if (fo_mode_parse(v[0]) < 0)
		return fail(err, errlen, "'%s' is not a mode: load-balance or "
		    "hot-standby", v[0]);
	return put(params, d->key, json_string(v[0]), err, errlen);
}

static int
set_role(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	if (fo_role_parse(v[0]) < 0)
		return fail(err, errlen, "'%s' is not a role: primary or secondary",
		    v[0]);
	return put(params, d->key, json_string(v[0]), err, errlen);
}

static int
set_flag(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	return put(params, d->key, json_string(d->cval), err, errlen);
}

static int
is_list_option(const char *name)
{
	for (size_t i = 0; i < nitems(list_options); i++)
		if (strcmp(name, list_options[i]) == 0)
			return 1;
	return 0;
}

/* "a, b,c" -> ["a","b","c"]; NULL if an element is empty. */
static json_t *
split_list(const char *s)
{
	json_t *a = json_array();
	const char *p = s;

	while (a != NULL) {
		size_t lead = strspn(p, " "), len = strcspn(p + lead, ",");
		size_t n = len;

		while (n > 0 && p[lead + n - 1] == ' ')
			n--;
		if (n == 0 ||
		    json_array_append_new(a, json_stringn(p + lead, n)) == -1) {
			json_decref(a);
			return NULL;
		}
		if (p[lead + len] == '\0')
			break;
		p += lead + len + 1;
	}
	return a;
}

/* The JSON value of an option: a code's hex string as is, a list option's
 * comma-separated values as an array, digits as an integer, true/false. */
static json_t *
option_value(const char *name, const char *val, char *err, size_t errlen)
{
	unsigned long long n;
	json_t *v;

	if (strspn(name, "0123456789") == strlen(name))
		return json_string(val);
	if (is_list_option(name)) {
		if ((v = split_list(val)) == NULL)
			fail(err, errlen, "'%s' has an empty element", val);
		return v;
	}
	if (parse_uint(val, (1ULL << 53), &n) == 0)
		return json_integer((json_int_t)n);
	if (strcmp(val, "true") == 0 || strcmp(val, "false") == 0)
		return json_boolean(strcmp(val, "true") == 0);
	return json_string(val);
}

/* NAME=VALUE into the options object; NAME may use - for _. */
static int
set_option(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	char *name = xstrdup(v[0]), *eq = strchr(name, '=');
	json_t *opts, *val;
	int rc = -1;

	if (eq == NULL || eq == name) {
		fail(err, errlen, "'%s' is not NAME=VALUE (e.g. routers=10.1.0.1 or "
		    "252=0a0b)", v[0]);
		goto done;
	}
	*eq = '\0';
	for (char *c = name; *c != '\0'; c++)
		if (*c == '-')
			*c = '_';
	snprintf(err, errlen, "out of memory");
	if ((val = option_value(name, eq + 1, err, errlen)) == NULL)
		goto done;
	if ((opts = sub_object(params, d->key)) == NULL ||
	    json_object_set_new(opts, name, val) == -1)
		goto done;
	rc = 0;
done:
	free(name);
	return rc;
}

/* A JSON object word, or -1 with the parser's reason. */
static json_t *
parse_object(const char *s, char *err, size_t errlen)
{
	json_error_t je;
	json_t *o = json_loads(s, JSON_DECODE_ANY, &je);

	if (o == NULL) {
		fail(err, errlen, "not valid JSON: %s (at character %d)", je.text,
		    je.position);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		fail(err, errlen, "must be a JSON object {...}");
		return NULL;
	}
	return o;
}

/* --options JSON: merged with the --option ones given so far. */
static int
set_optjson(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	json_t *o = parse_object(v[0], err, errlen), *opts;
	int rc;

	if (o == NULL)
		return -1;
	opts = sub_object(params, d->key);
	rc = (opts == NULL || json_object_update(opts, o) == -1) ?
	    fail(err, errlen, "out of memory") : 0;
	json_decref(o);
	return rc;
}

static int
set_jsonobj(json_t *params, const struct argdef *d, char **v, char *err,
    size_t errlen)
{
	json_t *o = parse_object(v[0], err, errlen);

	return o == NULL ? -1 : put(params, d->key, o, err, errlen);
}

/* ---- the parse ---- */

/* How an argument is named in messages: "SUBNET" or "--mclt". */
static char *
label(const struct argdef *d, int is_opt)
{
	return is_opt ? fmt_printf("--%s", d->name) : xstrdup(d->name);
}

/* Run the setter of d on vals, prefixing a failure with the argument. */
static int
apply(struct parse *p, const struct argdef *d, int is_opt, char **vals)
{
	char why[CLI_ERRLEN], *l;

	if (argtypes[d->type].set(p->params, d, vals, why, sizeof(why)) == 0)
		return 0;
	l = label(d, is_opt);
	fail(p->err, p->errlen, "%s: %s", l, why);
	free(l);
	return -1;
}

/* -j, --json, -s[ ]PATH, --socket[=]PATH, the remote options: 1 taken, 0 not
 * global, -1 error. */
static int
global_opt(struct parse *p, const char *a)
{
	int used, rc;

	if ((rc = remote_opt(p->g, a, p->i < p->argc ? p->argv[p->i] : NULL, &used,
	    p->err, p->errlen)) != 0) {
		p->i += used;
		return rc;
	}
	if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
		p->g->json = 1;
		return 1;
	}
	if (strncmp(a, "--socket=", 9) == 0 || (strncmp(a, "-s", 2) == 0 &&
	    a[2] != '\0')) {
		p->g->socket = a + (a[1] == '-' ? 9 : 2);
		return 1;
	}
	if (strcmp(a, "-s") != 0 && strcmp(a, "--socket") != 0)
		return 0;
	if (p->i >= p->argc)
		return fail(p->err, p->errlen, "%s needs a PATH", a);
	p->g->socket = p->argv[p->i++];
	return 1;
}

/* The --option named by a word ("--mclt" or "--mclt=5"), by its index. */
static int
find_opt(const struct cmd *c, const char *a, size_t len)
{
	for (int k = 0; c->opts != NULL && c->opts[k].name != NULL; k++)
		if (strlen(c->opts[k].name) == len &&
		    strncmp(c->opts[k].name, a, len) == 0)
			return k;
	return -1;
}

/* Collect the n words of an option: the inline one first, then the next
 * words (which must not look like options). */
static int
take_values(struct parse *p, const struct argdef *d, const char *inl, char **vals)
{
	int n = argtypes[d->type].nvals, k = 0;

	if (n == 0 && inl != NULL)
		return fail(p->err, p->errlen, "--%s takes no value", d->name);
	if (inl != NULL)
		vals[k++] = (char *)inl;
	for (; k < n; k++) {
		if (p->i >= p->argc || strncmp(p->argv[p->i], "--", 2) == 0)
			return fail(p->err, p->errlen, "--%s needs %s", d->name,
			    d->meta);
		vals[k] = p->argv[p->i++];
	}
	return 0;
}

/* A repeated option or one that sets what an earlier one did. */
static int
check_repeat(struct parse *p, const struct argdef *d, int k)
{
	if (d->flags & ARG_MULTI)
		return 0;
	if (p->seen & (1ULL << k))
		return fail(p->err, p->errlen, "--%s given twice", d->name);
	if (d->key != NULL && d->type != T_OPTJSON &&
	    json_object_get(p->params, d->key) != NULL)
		return fail(p->err, p->errlen, "--%s conflicts with an earlier "
		    "argument", d->name);
	p->seen |= 1ULL << k;
	return 0;
}

/* One --option word (after "--"): 0 or -1 error. */
static int
parse_option(struct parse *p, const char *a)
{
	const char *body = a + 2, *eq = strchr(body, '=');
	size_t len = eq ? (size_t)(eq - body) : strlen(body);
	const struct argdef *d;
	char *vals[2];
	int k;

	if ((k = find_opt(p->cmd, body, len)) < 0)
		return fail(p->err, p->errlen, "unknown option '%.*s'",
		    (int)(len + 2), a);
	d = &p->cmd->opts[k];
	if (check_repeat(p, d, k) == -1 || take_values(p, d, eq ? eq + 1 : NULL,
	    vals) == -1 || apply(p, d, 1, vals) == -1)
		return -1;
	/* --scope A B C: the words up to the next option */
	while (d->type == T_ADDRS && p->i < p->argc && p->argv[p->i][0] != '-')
		if (apply(p, d, 1, &p->argv[p->i++]) == -1)
			return -1;
	return 0;
}

/* The positional that takes the next word, or NULL when none is left. */
static const struct argdef *
next_positional(struct parse *p)
{
	const struct argdef *pos = p->cmd->pos;
	size_t n = 0;

	while (pos != NULL && pos[n].name != NULL)
		n++;
	if (p->npos < n)
		return &pos[p->npos++];
	if (n > 0 && (pos[n - 1].flags & ARG_MULTI))
		return &pos[n - 1];
	return NULL;
}

/* One positional word. */
static int
parse_positional(struct parse *p, char *a)
{
	const struct argdef *d = next_positional(p);
	char *vals[2] = { a, NULL };
	int n;

	if (d == NULL)
		return fail(p->err, p->errlen, "unexpected argument '%s'", a);
	for (n = 1; n < argtypes[d->type].nvals; n++) {
		if (p->i >= p->argc)
			return fail(p->err, p->errlen, "%s needs %s", d->name,
			    d->meta);
		vals[n] = p->argv[p->i++];
	}
	return apply(p, d, 0, vals);
}

/* Every required argument was given. */
static int
check_required(struct parse *p)
{
	const struct cmd *c = p->cmd;

	for (size_t k = 0; c->pos != NULL && c->pos[k].name != NULL; k++)
		if ((c->pos[k].flags & ARG_REQUIRED) && k >= p->npos)
			return fail(p->err, p->errlen, "missing %s%s", c->pos[k].name,
			    (c->pos[k].flags & ARG_MULTI) ? "..." : "");
	for (int k = 0; c->opts != NULL && c->opts[k].name != NULL; k++)
		if ((c->opts[k].flags & ARG_REQUIRED) &&
		    json_object_get(p->params, c->opts[k].key) == NULL)
			return fail(p->err, p->errlen, "missing --%s %s",
			    c->opts[k].name, c->opts[k].meta);
	return 0;
}

/* One word: 0 or -1 error; *endopts turns on at "--". */
static int
parse_word(struct parse *p, int *endopts)
{
	char *a = p->argv[p->i++];
	int rc;

	if (*endopts || a[0] != '-' || a[1] == '\0')
		return parse_positional(p, a);
	if (strcmp(a, "--") == 0) {
		*endopts = 1;
		return 0;
	}
	if ((rc = global_opt(p, a)) != 0)
		return rc == 1 ? 0 : -1;
	if (a[1] != '-')
		return fail(p->err, p->errlen, "unknown option '%s'", a);
	return parse_option(p, a);
}

/* Every word in turn, then what must be present, then the command's check. */
int
args_parse(const struct cmd *c, int argc, char **argv, struct cli_opts *g,
    json_t *params, char *err, size_t errlen)
{
	struct parse p = { .cmd = c, .argc = argc, .argv = argv, .g = g,
	    .params = params, .err = err, .errlen = errlen };
	int endopts = 0, rc;

	/* --help wins over whatever else is wrong with the words */
	for (int k = 0; k < argc && strcmp(argv[k], "--") != 0; k++)
		if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0)
			return 1;
	while (p.i < p.argc)
		if ((rc = parse_word(&p, &endopts)) != 0)
			return rc;
	if (check_required(&p) == -1)
		return -1;
	if (c->check != NULL && c->check(c, params, err, errlen) == -1)
		return -1;
	return 0;
}

/* ---- help ---- */

/* The synopsis word of an argument: "SUBNET", "[--mclt S]", "--scope SUBNET...". */
static char *
synopsis_word(const struct argdef *d, int is_opt)
{
	const char *more = (d->flags & ARG_MULTI) ? "..." : "";
	int req = d->flags & ARG_REQUIRED;
	char *core, *w;

	if (!is_opt)
		core = fmt_printf("%s%s", d->name, more);
	else if (d->type == T_FLAG)
		core = fmt_printf("--%s", d->name);
	else
		core = fmt_printf("--%s %s%s", d->name, d->meta,
		    d->type == T_ADDRS ? more : "");
	if (req)
		return core;
	w = fmt_printf("[%s]%s", core, is_opt && d->type != T_ADDRS ? more : "");
	free(core);
	return w;
}

/* One word printed at column col, after a space or wrapped to a new line
 * under indent; the column after it. */
static int
put_wrapped(const char *w, int col, int indent)
{
	int len = (int)strlen(w);

	if (col == 0 || col == indent)
		;	/* at the start of a line */
	else if (col + 1 + len > WRAP_COL && col > indent) {
		printf("\n%*s", indent, "");
		col = indent;
	} else {
		putchar(' ');
		col++;
	}
	fputs(w, stdout);
	return col + len;
}

/* Text from column col on, its words wrapped at WRAP_COL under indent. */
static void
put_text(const char *text, int col, int indent)
{
	char *copy = xstrdup(text), *save = NULL;

	for (char *w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		col = put_wrapped(w, col, indent);
	putchar('\n');
	free(copy);
}

/* "usage: PROG [GROUP] NAME ARGS...", wrapped. */
static void
print_synopsis(const struct cmd *c, const char *prog)
{
	int col, indent;
	char *w;

	col = printf("usage: %s%s%s %s", prog, c->group ? " " : "",
	    c->group ? c->group : "", c->name);
	indent = col < 40 ? col + 1 : 8;
	for (size_t k = 0; c->pos != NULL && c->pos[k].name != NULL; k++) {
		w = synopsis_word(&c->pos[k], 0);
		col = put_wrapped(w, col, indent);
		free(w);
	}
	for (size_t k = 0; c->opts != NULL && c->opts[k].name != NULL; k++) {
		w = synopsis_word(&c->opts[k], 1);
		col = put_wrapped(w, col, indent);
		free(w);
	}
	putchar('\n');
}

/* "  LABEL          help" lines of one argument list. */
static void
print_args(const char *title, const struct argdef *defs, int is_opt)
{
	char *l;

	if (defs == NULL || defs[0].name == NULL)
		return;
	printf("\n%s:\n", title);
	for (size_t k = 0; defs[k].name != NULL; k++) {
		if (!is_opt)
			l = xstrdup(defs[k].name);
		else if (defs[k].type == T_FLAG)
			l = fmt_printf("--%s", defs[k].name);
		else
			l = fmt_printf("--%s %s", defs[k].name, defs[k].meta);
		if ((int)strlen(l) + 2 >= HELP_COL)
			printf("  %s\n%*s", l, HELP_COL, "");
		else
			printf("  %-*s", HELP_COL - 2, l);
		put_text(defs[k].help, HELP_COL, HELP_COL);
		free(l);
	}
}

/* Synopsis, what the command does, and each argument with its help. */
void
args_usage(const struct cmd *c, const char *prog)
{
	char *about;

	print_synopsis(c, prog);
	putchar('\n');
	about = c->method ? fmt_printf("%s (RPC %s)", c->summary, c->method) :
	    xstrdup(c->summary);
	put_text(about, 0, 0);
	free(about);
	print_args("arguments", c->pos, 0);
	print_args("options", c->opts, 1);
	printf("\nglobal options (also before the command): -s, --socket PATH; "
	    "-j, --json;\n--server HOST[:PORT], --cert FILE, --key FILE, --ca FILE; "
	    "-h, --help\n");
}
