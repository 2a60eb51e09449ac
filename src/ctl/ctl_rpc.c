/* JSON-RPC 2.0 envelope codec (RPC.md §1): parse a request line, format replies.
 * Pure: no I/O, no daemon state; fuzzed by tests/fuzz/fuzz_rpc.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_rpc.h"
#include "err.h"

void
rpc_call_fini(struct rpc_call *c)
{
	json_decref(c->root);
	memset(c, 0, sizeof(*c));
}

/* The id if it is a valid JSON-RPC id (string, number or null). */
static int
id_valid(json_t *id)
{
	return json_is_string(id) || json_is_integer(id) || json_is_real(id) ||
	    json_is_null(id);
}

/* Check the envelope fields of a parsed object. */
static int
rpc_check(json_t *root, struct rpc_call *c, char *detail, size_t detlen)
{
	json_t *v = json_object_get(root, "jsonrpc");
	json_t *m = json_object_get(root, "method");
	json_t *p = json_object_get(root, "params");

	if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) {
		snprintf(detail, detlen, "\"jsonrpc\" must be \"2.0\"");
		return ERR_RPC_INVALID_REQUEST;
	}
	if (!json_is_string(m) || json_string_length(m) == 0) {
		snprintf(detail, detlen, "\"method\" must be a non-empty string");
		return ERR_RPC_INVALID_REQUEST;
	}
	if (p != NULL && !json_is_object(p) && !json_is_null(p)) {
		snprintf(detail, detlen, "\"params\" must be an object of named "
		    "parameters");
		return ERR_RPC_INVALID_REQUEST;
	}
	c->method = json_string_value(m);
	c->params = json_is_object(p) ? json_incref(p) : json_object();
	return c->params ? 0 : ERR_RPC_INVALID_REQUEST;
}

int
rpc_parse(const char *line, size_t len, struct rpc_call *c, json_t **id,
    char *detail, size_t detlen)
{
	json_error_t jerr;
	json_t *root, *rid;
	int rc;

	memset(c, 0, sizeof(*c));
	*id = NULL;
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		snprintf(detail, detlen, "not valid JSON: %s at column %d", jerr.text,
		    jerr.column);
		return ERR_RPC_PARSE;
	}
	if (!json_is_object(root)) {
		snprintf(detail, detlen, "a request must be a JSON object");
		json_decref(root);
		return ERR_RPC_INVALID_REQUEST;
	}
	rid = json_object_get(root, "id");
	if (rid != NULL && !id_valid(rid)) {
		snprintf(detail, detlen, "\"id\" must be a string, a number or null");
		json_decref(root);
		return ERR_RPC_INVALID_REQUEST;
	}
	if ((rc = rpc_check(root, c, detail, detlen)) != 0) {
		*id = json_incref(rid);
		json_decref(root);
		memset(c, 0, sizeof(*c));
		return rc;
	}
	c->root = root;
	c->id = rid;
	json_object_set_new(root, "params", c->params);	/* root owns it */
	return 0;
}

/* Serialise a whole reply object and append the newline. */
static char *
line_of(json_t *reply)
{
	char *s, *line;
	size_t n;

	if (reply == NULL)
		return NULL;
	s = json_dumps(reply, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(reply);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((line = realloc(s, n + 2)) == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *
rpc_result_line(json_t *id, json_t *result)
{
	return line_of(json_pack("{s:s, s:O, s:O}", "jsonrpc", "2.0",
	    "id", id ? id : json_null(), "result", result));
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 if there is none
 * (RFC 3629 §4: no overlongs, no surrogates, nothing past U+10FFFF). */
static size_t
utf8_seq(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A copy of s with every byte that is not valid UTF-8 replaced by '?':
 * details quote client input, and JSON strings must be UTF-8. */
static char *
utf8_clean(const char *s)
{
	char *out = strdup(s), *p;

	for (p = out; p != NULL && *p != '\0';) {
		size_t n = utf8_seq((const unsigned char *)p);

		if (n == 0)
			*p++ = '?';
		else
			p += n;
	}
	return out;
}

char *
rpc_error_line(json_t *id, int code, const char *detail)
{
	const char *sym = err_symbol(code);
	char *clean = utf8_clean(detail ? detail : "");
	char *line;

	line = line_of(json_pack("{s:s, s:O, s:{s:i, s:s, s:{s:s}}}", "jsonrpc", "2.0",
	    "id", id ? id : json_null(), "error", "code", code,
	    "message", sym ? sym : "ERROR", "data", "detail", clean ? clean : ""));
	free(clean);
	return line;
}
