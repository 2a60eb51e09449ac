/* Scope options between the management API's JSON (RPC.md §2.5) and the raw option
 * bytes the database stores and the DHCP engine sends. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_opt.h"
#include "dhcp_opt.h"
#include "util.h"

#define WHYLEN		256	/* room for an inner reason */
#define CLIP		60	/* bytes of a name quoted in a message */

typedef int	 get_fn(json_t *, struct dhcp_optval *, char *, size_t);
typedef json_t	*put_fn(const struct dhcp_optval *);

static get_fn	 get_text, get_list, get_int, get_bool;
static put_fn	 put_text, put_list, put_int, put_bool;

/* How each value type is written in JSON. */
static const struct jsontype {
	get_fn	*get;
	put_fn	*put;
} jsontypes[DHCP_OPT_NTYPES] = {
	[DHCP_OPT_IP] =		{ get_text,	put_text },
	[DHCP_OPT_IPLIST] =	{ get_list,	put_list },
	[DHCP_OPT_STRING] =	{ get_text,	put_text },
	[DHCP_OPT_UINT8] =	{ get_int,	put_int },
	[DHCP_OPT_UINT16] =	{ get_int,	put_int },
	[DHCP_OPT_INT32] =	{ get_int,	put_int },
	[DHCP_OPT_UINT32] =	{ get_int,	put_int },
	[DHCP_OPT_BOOL] =	{ get_bool,	put_bool },
	[DHCP_OPT_DNSLIST] =	{ get_list,	put_list },
	[DHCP_OPT_HEX] =	{ get_text,	put_text },
};

static int	fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Formats the message into err; returns -1 for the caller to pass on. */
static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* How much of s a message quotes: up to CLIP bytes, cut between characters. */
static int
clip(const char *s)
{
	size_t n = strlen(s);

	if (n <= CLIP)
		return (int)n;
	for (n = CLIP; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
		;
	return (int)n;
}

/* "an integer", "null", ...: what a JSON value is, for messages. */
static const char *
jtype(const json_t *j)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object",	[JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",	[JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a real number",	[JSON_TRUE] = "true",
		[JSON_FALSE] = "false",		[JSON_NULL] = "null",
	};

	return j == NULL ? "nothing" : names[json_typeof(j)];
}

/* A JSON string without embedded NULs. */
static int
get_str(json_t *j, const char **out, char *err, size_t errlen)
{
	if (!json_is_string(j))
		return fail(err, errlen, "expected a string, got %s", jtype(j));
	*out = json_string_value(j);
	if (strlen(*out) != json_string_length(j))
		return fail(err, errlen, "the string contains a NUL character");
	return 0;
}

static int
get_text(json_t *j, struct dhcp_optval *v, char *err, size_t errlen)
{
	if ((v->text = calloc(1, sizeof(*v->text))) == NULL)
		return fail(err, errlen, "out of memory");
	if (get_str(j, &v->text[0], err, errlen) == -1)
		return -1;
	v->n = 1;
	return 0;
}

/* An array of strings, or one string for a list of one. */
static int
get_list(json_t *j, struct dhcp_optval *v, char *err, size_t errlen)
{
	char why[WHYLEN];
	size_t n;

	if (json_is_string(j))
		return get_text(j, v, err, errlen);
	if (!json_is_array(j))
		return fail(err, errlen, "expected an array of strings or one "
		    "string, got %s", jtype(j));
	n = json_array_size(j);
	if ((v->text = calloc(n + 1, sizeof(*v->text))) == NULL)
		return fail(err, errlen, "out of memory");
	for (v->n = 0; v->n < n; v->n++)
		if (get_str(json_array_get(j, v->n), &v->text[v->n], why,
		    sizeof(why)) == -1)
			return fail(err, errlen, "element %zu: %s", v->n, why);
	return 0;
}

static int
get_int(json_t *j, struct dhcp_optval *v, char *err, size_t errlen)
{
	if (!json_is_integer(j))
		return fail(err, errlen, "expected an integer, got %s", jtype(j));
	v->num = json_integer_value(j);
	return 0;
}

static int
get_bool(json_t *j, struct dhcp_optval *v, char *err, size_t errlen)
{
	if (!json_is_boolean(j))
		return fail(err, errlen, "expected true or false, got %s",
		    jtype(j));
	v->num = json_is_true(j);
	return 0;
}

static json_t *
put_text(const struct dhcp_optval *v)
{
	return json_string(v->text[0]);
}

static json_t *
put_list(const struct dhcp_optval *v)
{
	json_t *a;

	if ((a = json_array()) == NULL)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (json_array_append_new(a, json_string(v->text[i])) == -1) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
put_int(const struct dhcp_optval *v)
{
	return json_integer(v->num);
}

static json_t *
put_bool(const struct dhcp_optval *v)
{
	return json_boolean(v->num);
}

/* Adds the bytes of one option, refusing a code already given. */
static int
add_bytes(struct dhcp_optlist *l, uint8_t code, const uint8_t *data, size_t len,
    const char *label, char *err, size_t errlen)
{
	if (dhcp_optlist_get(l, code) != NULL)
		return fail(err, errlen, "option %s: code %u is given more than "
		    "once", label, code);
	if (dhcp_optlist_set(l, code, data, len) == -1)
		return fail(err, errlen, "option %s: out of memory", label);
	return 0;
}

/* Converts the JSON value j of option d to its bytes and adds them. */
static int
add_value(struct dhcp_optlist *l, const struct dhcp_optdef *d, json_t *j,
    const char *label, char *err, size_t errlen)
{
	struct dhcp_optval v = { 0, 0, NULL, NULL };
	uint8_t data[DHCP_OPT_MAXLEN];
	char why[WHYLEN];
	size_t len;
	int rc;

	rc = jsontypes[d->type].get(j, &v, why, sizeof(why));
	if (rc == 0)
		rc = dhcp_opt_encode(d, &v, data, sizeof(data), &len, why,
		    sizeof(why));
	dhcp_optval_free(&v);
	if (rc == -1)
		return fail(err, errlen, "option %s: %s", label, why);
	return add_bytes(l, d->code, data, len, label, err, errlen);
}

/* A known option by name with its typed value. */
static int
add_named(struct dhcp_optlist *l, const char *name, json_t *value, char *err,
    size_t errlen)
{
	const struct dhcp_optdef *d;
	char label[CLIP + 8];

	snprintf(label, sizeof(label), "'%.*s%s'", clip(name), name,
	    strlen(name) > CLIP ? "..." : "");
	if ((d = dhcp_optdef_by_name(name)) == NULL)
		return fail(err, errlen, "option %s: unknown option name; give "
		    "other options by code, as {\"code\":N,\"hex\":\"...\"}",
		    label);
	if (value == NULL)
		return fail(err, errlen, "option %s: no \"value\" given", label);
	return add_value(l, d, value, label, err, errlen);
}

static int
check_code(long long code, const char *label, char *err, size_t errlen)
{
	char why[WHYLEN];

	if (dhcp_optcode_check(code, why, sizeof(why)) == -1)
		return fail(err, errlen, "option %s: %s", label, why);
	return 0;
}

/* Any option by code with its value as hex digits; the code is checked. */
static int
add_hex(struct dhcp_optlist *l, long long code, const char *label, json_t *hex,
    char *err, size_t errlen)
{
	struct dhcp_optdef raw = { (uint8_t)code, NULL, DHCP_OPT_HEX, 0, 0 };

	if (hex == NULL)
		return fail(err, errlen, "option %s: no \"hex\" given", label);
	return add_value(l, &raw, hex, label, err, errlen);
}

/* The code an object key stands for: -1 if not all decimal digits. */
static long long
key_code(const char *key)
{
	size_t n = strspn(key, "0123456789");

	if (n == 0 || key[n] != '\0')
		return -1;
	return n > 9 ? 1000000000 : strtoll(key, NULL, 10);
}

/* "N": "hex" or "N": {"code":N,"hex":"..."}. */
static int
from_key_code(struct dhcp_optlist *l, const char *key, long long code,
    json_t *val, char *err, size_t errlen)
{
	json_t *c;

	if (check_code(code, key, err, errlen) == -1)
		return -1;
	if (json_is_string(val))
		return add_hex(l, code, key, val, err, errlen);
	if (!json_is_object(val))
		return fail(err, errlen, "option %s: expected a hex string or "
		    "{\"code\":%lld,\"hex\":\"...\"}, got %s", key, code,
		    jtype(val));
	c = json_object_get(val, "code");
	if (c != NULL && (!json_is_integer(c) || json_integer_value(c) != code))
		return fail(err, errlen, "option %s: the \"code\" inside does not "
		    "match the key", key);
	return add_hex(l, code, key, json_object_get(val, "hex"), err, errlen);
}

/* {"routers": [...], "252": "0a0b0c", ...} */
static int
from_object(struct dhcp_optlist *l, json_t *o, char *err, size_t errlen)
{
	const char *key;
	json_t *val;
	long long code;
	int rc;

	json_object_foreach(o, key, val) {
		if ((code = key_code(key)) == -1)
			rc = add_named(l, key, val, err, errlen);
		else
			rc = from_key_code(l, key, code, val, err, errlen);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* {"code":N,"hex":"..."} in the array form. */
static int
from_element_code(struct dhcp_optlist *l, size_t i, json_t *el, char *err,
    size_t errlen)
{
	json_t *c = json_object_get(el, "code");
	char label[24];

	if (!json_is_integer(c))
		return fail(err, errlen, "options[%zu]: \"code\" is %s, not an "
		    "integer", i, jtype(c));
	snprintf(label, sizeof(label), "%lld", (long long)json_integer_value(c));
	if (check_code(json_integer_value(c), label, err, errlen) == -1)
		return -1;
	return add_hex(l, json_integer_value(c), label,
	    json_object_get(el, "hex"), err, errlen);
}

/* An element of the array form: {"code":N,"hex":..} or {"name":..,"value":..}. */
static int
from_element(struct dhcp_optlist *l, size_t i, json_t *el, char *err,
    size_t errlen)
{
	json_t *name;

	if (!json_is_object(el))
		return fail(err, errlen, "options[%zu] is %s, not an object", i,
		    jtype(el));
	name = json_object_get(el, "name");
	if (name != NULL && json_object_get(el, "code") != NULL)
		return fail(err, errlen, "options[%zu]: give \"name\" or "
		    "\"code\", not both", i);
	if (name == NULL && json_object_get(el, "code") == NULL)
		return fail(err, errlen, "options[%zu] has neither \"name\" nor "
		    "\"code\"", i);
	if (name == NULL)
		return from_element_code(l, i, el, err, errlen);
	if (!json_is_string(name))
		return fail(err, errlen, "options[%zu]: \"name\" is %s, not a "
		    "string", i, jtype(name));
	return add_named(l, json_string_value(name),
	    json_object_get(el, "value"), err, errlen);
}

static int
from_array(struct dhcp_optlist *l, json_t *a, char *err, size_t errlen)
{
	for (size_t i = 0; i < json_array_size(a); i++)
		if (from_element(l, i, json_array_get(a, i), err, errlen) == -1)
			return -1;
	return 0;
}

int
ctl_opt_from_json(json_t *options, struct dhcp_optlist *out, char *err,
    size_t errlen)
{
	struct dhcp_optlist l = { 0, NULL };
	int rc;

	if (json_is_object(options))
		rc = from_object(&l, options, err, errlen);
	else if (json_is_array(options))
		rc = from_array(&l, options, err, errlen);
	else
		rc = fail(err, errlen, "options must be an object or an array, "
		    "got %s", jtype(options));
	if (rc == -1) {
		dhcp_optlist_free(&l);
		return -1;
	}
	dhcp_optlist_free(out);
	*out = l;
	return 0;
}

/* {"code":N,"hex":"..."}: the form any option can take. */
static json_t *
raw_json(const struct dhcp_opt *o)
{
	char hex[2 * DHCP_OPT_MAXLEN + 1];

	return json_pack("{s:i,s:s}", "code", (int)o->code, "hex",
	    hex_str(o->data, o->len, hex));
}

/* The typed value of a known option; NULL if its bytes do not decode (or are
 * not UTF-8), and the raw form is used instead. */
static json_t *
typed_json(const struct dhcp_optdef *d, const struct dhcp_opt *o)
{
	struct dhcp_optval v;
	json_t *j;

	if (dhcp_opt_decode(d, o->data, o->len, &v) == -1)
		return NULL;
	j = jsontypes[d->type].put(&v);
	dhcp_optval_free(&v);
	return j;
}

static int
put_opt(json_t *obj, const struct dhcp_opt *o)
{
	const struct dhcp_optdef *d = dhcp_optdef_by_code(o->code);
	char key[8];
	json_t *j;

	if (d != NULL && (j = typed_json(d, o)) != NULL)
		return json_object_set_new(obj, d->name, j);
	snprintf(key, sizeof(key), "%u", o->code);
	return json_object_set_new(obj, key, raw_json(o));
}

json_t *
ctl_opt_to_json(const struct dhcp_optlist *l)
{
	json_t *obj;

	if ((obj = json_object()) == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (put_opt(obj, &l->v[i]) == -1) {
			json_decref(obj);
			return NULL;
		}
	return obj;
}
