/* Unit tests: the JSON-RPC 2.0 envelope codec (docs/RPC.md §1,
 * src/ctl/ctl_rpc.c): which request lines parse and which error each other
 * one gets, the reply lines, and the error table of docs/RPC.md §7
 * (err_symbol). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "ctl_rpc.h"
#include "err.h"
#include "util.h"

#define DETLEN	256

/* Parses test JSON (any value) or fails the test. */
static json_t *
jparse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, e.text);
	return j;
}

/* j equals the JSON in text. */
static void
assert_json(json_t *j, const char *text, const char *what)
{
	json_t *want = jparse(text);
	char *got = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	ck_assert_msg(j != NULL && json_equal(j, want), "%s is %s, want %s", what,
	    got ? got : "(none)", text);
	free(got);
	json_decref(want);
}

/* ---- requests that parse ---- */

static const struct ok_case {
	const char	*line;
	const char	*id;		/* JSON text; NULL: a notification */
	const char	*method;
	const char	*params;	/* JSON text */
} ok_cases[] = {
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server.status\","
	  "\"params\":{\"a\":1}}", "1", "server.status", "{\"a\":1}" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"m\",\"params\":{}}",
	  "0", "m", "{}" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":-5,\"method\":\"m\"}", "-5", "m", "{}" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"m\"}",
	  "9007199254740993", "m", "{}" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"failover.get\","
	  "\"params\":{\"name\":\"r1\"}}", "\"abc\"", "failover.get",
	  "{\"name\":\"r1\"}" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":\"\",\"method\":\"m\"}", "\"\"", "m", "{}" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}", "null", "m", "{}" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"note\",\"params\":{\"x\":[1,2]}}",
	  NULL, "note", "{\"x\":[1,2]}" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"note\"}", NULL, "note", "{}" },
	{ "{\"method\":\"m\",\"params\":{\"k\":\"v\"},\"id\":\"z\","
	  "\"jsonrpc\":\"2.0\"}",
	  "\"z\"", "m", "{\"k\":\"v\"}" },
	{ "  {\"jsonrpc\" : \"2.0\", \"id\" : 2, \"method\" : \"m\"}  \n",
	  "2", "m", "{}" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"caf\\u00e9\"}",
	  "3", "caf\xc3\xa9", "{}" },
};

START_TEST(test_parse_ok)
{
	const struct ok_case *t = &ok_cases[_i];
	struct rpc_call call;
	char detail[DETLEN] = "";
	json_t *id = json_true();	/* must be reset to NULL */
	int rc;

	rc = rpc_parse(t->line, strlen(t->line), &call, &id, detail, sizeof(detail));
	ck_assert_msg(rc == 0, "%s: rc %d (%s)", t->line, rc, detail);
	ck_assert_ptr_null(id);
	if (t->id == NULL)
		ck_assert_ptr_null(call.id);
	else
		assert_json(call.id, t->id, "id");
	ck_assert_ptr_nonnull(call.method);
	ck_assert_str_eq(call.method, t->method);
	ck_assert(json_is_object(call.params));
	assert_json(call.params, t->params, "params");
	rpc_call_fini(&call);
	ck_assert_ptr_null(call.root);
	ck_assert_ptr_null(call.id);
	ck_assert_ptr_null(call.params);
}
END_TEST

/* Only len bytes count: the next request on the line is not read. */
START_TEST(test_parse_len)
{
	const char *two = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"b\"}";
	struct rpc_call call;
	char detail[DETLEN];
	json_t *id;

	ck_assert_int_eq(rpc_parse(two, strlen(two) / 2, &call, &id, detail,
	    sizeof(detail)), 0);
	ck_assert_str_eq(call.method, "a");
	assert_json(call.id, "1", "id");
	rpc_call_fini(&call);
	ck_assert_int_eq(rpc_parse(two, strlen(two), &call, &id, detail,
	    sizeof(detail)), ERR_RPC_PARSE);
	ck_assert_ptr_null(id);
}
END_TEST

/* ---- requests that fail, the code, and the id given back ---- */

static const struct err_case {
	const char	*line;
	int		 code;
	const char	*id;		/* JSON text; NULL: *id must be NULL */
} err_cases[] = {
	{ "", ERR_RPC_PARSE, NULL },
	{ "not json", ERR_RPC_PARSE, NULL },
	{ "{", ERR_RPC_PARSE, NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"", ERR_RPC_PARSE, NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"} x", ERR_RPC_PARSE, NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}{}", ERR_RPC_PARSE, NULL },
	{ "{'jsonrpc':'2.0'}", ERR_RPC_PARSE, NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", ERR_RPC_PARSE, NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\\u0000b\"}", ERR_RPC_PARSE,
	  NULL },
	/* duplicate keys, at the top and inside params */
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"m\"}", ERR_RPC_PARSE,
	  NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"method\":\"b\"}",
	  ERR_RPC_PARSE, NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":{\"k\":1,"
	  "\"k\":2}}", ERR_RPC_PARSE, NULL },
	/* JSON, but not an object */
	{ "[]", ERR_RPC_INVALID_REQUEST, NULL },
	{ "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}]", ERR_RPC_INVALID_REQUEST,
	  NULL },
	{ "42", ERR_RPC_INVALID_REQUEST, NULL },
	{ "3.5", ERR_RPC_INVALID_REQUEST, NULL },
	{ "\"a string\"", ERR_RPC_INVALID_REQUEST, NULL },
	/* jsonrpc */
	{ "{\"id\":7,\"method\":\"m\"}", ERR_RPC_INVALID_REQUEST, "7" },
	{ "{\"jsonrpc\":\"1.0\",\"id\":\"x\",\"method\":\"m\"}",
	  ERR_RPC_INVALID_REQUEST, "\"x\"" },
	{ "{\"jsonrpc\":2.0,\"id\":8,\"method\":\"m\"}", ERR_RPC_INVALID_REQUEST, "8" },
	{ "{\"jsonrpc\":\"2.0 \",\"id\":8,\"method\":\"m\"}",
	  ERR_RPC_INVALID_REQUEST, "8" },
	{ "{\"jsonrpc\":\"1.0\",\"id\":null,\"method\":\"m\"}",
	  ERR_RPC_INVALID_REQUEST, "null" },
	{ "{\"method\":\"m\"}", ERR_RPC_INVALID_REQUEST, NULL },
	/* method */
	{ "{\"jsonrpc\":\"2.0\",\"id\":9}", ERR_RPC_INVALID_REQUEST, "9" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"\"}", ERR_RPC_INVALID_REQUEST,
	  "9" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":5}", ERR_RPC_INVALID_REQUEST, "9" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":null}", ERR_RPC_INVALID_REQUEST,
	  "9" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"method\":[\"m\"]}",
	  ERR_RPC_INVALID_REQUEST, "\"q\"" },
	/* params: named only */
	{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"m\",\"params\":[1]}",
	  ERR_RPC_INVALID_REQUEST, "3" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"m\",\"params\":[]}",
	  ERR_RPC_INVALID_REQUEST, "3" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"m\",\"params\":\"x\"}",
	  ERR_RPC_INVALID_REQUEST, "3" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"m\",\"params\":5}",
	  ERR_RPC_INVALID_REQUEST, "3" },
	/* id of a type JSON-RPC does not allow: not given back */
	{ "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"m\"}", ERR_RPC_INVALID_REQUEST,
	  NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"m\"}",
	  ERR_RPC_INVALID_REQUEST, NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"m\"}", ERR_RPC_INVALID_REQUEST,
	  NULL },
	{ "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"m\"}", ERR_RPC_INVALID_REQUEST,
	  NULL },
};

START_TEST(test_parse_err)
{
	const struct err_case *t = &err_cases[_i];
	struct rpc_call call;
	char detail[DETLEN] = "";
	json_t *id = NULL;
	int rc;

	rc = rpc_parse(t->line, strlen(t->line), &call, &id, detail, sizeof(detail));
	ck_assert_msg(rc == t->code, "%s: rc %d, want %d (%s)", t->line, rc, t->code,
	    detail);
	ck_assert_msg(detail[0] != '\0', "%s: no detail", t->line);
	ck_assert_ptr_null(call.root);
	if (t->id == NULL)
		ck_assert_ptr_null(id);
	else
		assert_json(id, t->id, "returned id");
	json_decref(id);
}
END_TEST

/* ---- reply lines ---- */

/* A reply is one line: a single '\n', at the end. Returns it parsed. */
static json_t *
parse_line(const char *line)
{
	size_t n;

	ck_assert_ptr_nonnull(line);
	n = strlen(line);
	ck_assert_uint_ge(n, 2);
	ck_assert_msg(line[n - 1] == '\n', "no newline at the end: %s", line);
	ck_assert_msg(strchr(line, '\n') == line + n - 1, "newline inside: %s", line);
	return jparse(line);
}

static const struct result_case {
	const char	*id;		/* NULL: no id, JSON null in the reply */
	const char	*result;
} result_cases[] = {
	{ "1", "{}" },
	{ "\"abc\"", "{\"n\":3,\"list\":[1,2,3]}" },
	{ "null", "{\"ok\":true}" },
	{ NULL, "{\"ok\":true}" },
	{ "-1", "{\"text\":\"two\\nlines\\r\\n\",\"u\":\"caf\\u00e9 \\u2028\"}" },
	{ "\"id\\nwith newline\"", "{\"nested\":{\"a\":\"\\n\"}}" },
};

START_TEST(test_result_line)
{
	const struct result_case *t = &result_cases[_i];
	json_t *id = t->id ? jparse(t->id) : NULL, *result = jparse(t->result);
	char *line = rpc_result_line(id, result);
	json_t *r = parse_line(line);

	ck_assert_uint_eq(json_object_size(r), 3);
	assert_json(json_object_get(r, "jsonrpc"), "\"2.0\"", "jsonrpc");
	assert_json(json_object_get(r, "id"), t->id ? t->id : "null", "id");
	assert_json(json_object_get(r, "result"), t->result, "result");
	json_decref(r);
	free(line);
	json_decref(id);
	json_decref(result);	/* the caller keeps its reference */
}
END_TEST

static const struct error_line_case {
	const char	*id;		/* NULL: no id, JSON null in the reply */
	int		 code;
	const char	*message;	/* the RPC.md §7 symbol; NULL: err_symbol's */
	const char	*detail;	/* NULL: "" in the reply */
} error_line_cases[] = {
	{ "1", 87, "ERROR_INVALID_PARAMETER", "parameter 'name' is missing" },
	{ "\"r\"", 20115, "ERROR_DHCP_FO_RELATIONSHIP_DOES_NOT_EXIST",
	  "no relationship 'x'" },
	{ "null", 5, "ERROR_ACCESS_DENIED", "not root nor in group 'dhcp'" },
	{ NULL, 20004, "ERROR_DHCP_SUBNET_EXITS", "scope 10.0.0.0 exists" },
	{ "7", 20013, "ERROR_DHCP_JET_ERROR", "two\nlines \"quoted\" caf\xc3\xa9" },
	{ "8", 259, "ERROR_NO_MORE_ITEMS", NULL },
	{ NULL, ERR_RPC_PARSE, NULL, "not valid JSON" },
	{ "2", ERR_RPC_INVALID_REQUEST, NULL, "\"jsonrpc\" must be \"2.0\"" },
	{ "\"m\"", ERR_RPC_METHOD_NOT_FOUND, NULL, "no method 'x'" },
};

START_TEST(test_error_line)
{
	const struct error_line_case *t = &error_line_cases[_i];
	json_t *id = t->id ? jparse(t->id) : NULL, *r, *e, *data;
	char *line = rpc_error_line(id, t->code, t->detail);
	const char *want = t->message ? t->message : err_symbol(t->code);

	ck_assert_ptr_nonnull(want);
	r = parse_line(line);
	ck_assert_uint_eq(json_object_size(r), 3);
	assert_json(json_object_get(r, "jsonrpc"), "\"2.0\"", "jsonrpc");
	assert_json(json_object_get(r, "id"), t->id ? t->id : "null", "id");
	ck_assert_ptr_null(json_object_get(r, "result"));
	e = json_object_get(r, "error");
	ck_assert(json_is_object(e));
	ck_assert(json_is_integer(json_object_get(e, "code")));
	ck_assert_int_eq(json_integer_value(json_object_get(e, "code")), t->code);
	ck_assert(json_is_string(json_object_get(e, "message")));
	ck_assert_str_eq(json_string_value(json_object_get(e, "message")), want);
	data = json_object_get(e, "data");
	ck_assert(json_is_object(data));
	ck_assert(json_is_string(json_object_get(data, "detail")));
	ck_assert_str_eq(json_string_value(json_object_get(data, "detail")),
	    t->detail ? t->detail : "");
	json_decref(r);
	free(line);
	json_decref(id);
}
END_TEST

/* What rpc_parse gives back goes into the error line unchanged. */
START_TEST(test_error_id_roundtrip)
{
	const char *req = "{\"jsonrpc\":\"1.0\",\"id\":\"a\\\"b\\u00e9\\n\","
	    "\"method\":\"m\"}";
	struct rpc_call call;
	char detail[DETLEN], *line;
	json_t *id, *r;
	int rc;

	rc = rpc_parse(req, strlen(req), &call, &id, detail, sizeof(detail));
	ck_assert_int_eq(rc, ERR_RPC_INVALID_REQUEST);
	line = rpc_error_line(id, rc, detail);
	r = parse_line(line);
	assert_json(json_object_get(r, "id"), "\"a\\\"b\\u00e9\\n\"", "id");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(r, "error"), "data"), "detail")), detail);
	json_decref(r);
	json_decref(id);
	free(line);
}
END_TEST

/* Regression, found by fuzz_rpc: jansson's error text quotes the input up to
 * the bad byte, which can cut a UTF-8 sequence in two ('"\\' + "\xc3\xa9" gives
 * "invalid escape near '\"\\\xc3'"); the detail then is not UTF-8 and the
 * reply line came back NULL: the request got no answer. Every line that is
 * not JSON must still be answered (docs/RPC.md §1). */
static const char *const cut_utf8_lines[] = {
	"{\"\\\xc3\xa9\"}",
	"{\"j{onrpc\":\"2.0\",\"method\\\xc6\x89",
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\\\xe2\x82\xac\"}",
};

START_TEST(test_reply_to_cut_utf8_in_detail)
{
	const char *req = cut_utf8_lines[_i];
	struct rpc_call call;
	char detail[DETLEN], *line;
	json_t *id, *r;
	int rc;

	rc = rpc_parse(req, strlen(req), &call, &id, detail, sizeof(detail));
	ck_assert_int_eq(rc, ERR_RPC_PARSE);
	line = rpc_error_line(id, rc, detail);
	ck_assert_msg(line != NULL, "no reply for detail \"%s\"", detail);
	r = parse_line(line);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r,
	    "error"), "code")), ERR_RPC_PARSE);
	json_decref(r);
	json_decref(id);
	free(line);
}
END_TEST

/* Whatever bytes a detail holds (a handler's buffer cuts a sequence, a message
 * quotes stored bytes), the reply exists and is valid JSON: everything that
 * is not UTF-8 as RFC 3629 defines it is replaced. */
static const char *const bad_utf8_details[] = {
	"name 'caf\xc3",		/* cut sequence */
	"lone \x80 continuation",
	"lead \xfe byte",
	"overlong \xc0\x80",		/* NUL in two bytes */
	"overlong \xc1\xbf",
	"overlong \xe0\x80\xaf",	/* '/' in three bytes */
	"overlong \xf0\x80\x80\xaf",
	"surrogate \xed\xa0\x80",
	"beyond U+10FFFF \xf4\x90\x80\x80",
	"lead \xf5\x80\x80\x80",
};

START_TEST(test_error_line_invalid_utf8_detail)
{
	char *line = rpc_error_line(NULL, ERR_INVALID_PARAMETER,
	    bad_utf8_details[_i]);
	json_t *r;

	ck_assert_msg(line != NULL, "no reply for detail \"%s\"",
	    bad_utf8_details[_i]);
	r = parse_line(line);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r,
	    "error"), "code")), ERR_INVALID_PARAMETER);
	json_decref(r);
	free(line);
}
END_TEST

/* ---- docs/RPC.md §7, literally ---- */

static const struct spec_err {
	int		 code;
	const char	*symbol;
} spec_errors[] = {
	{ 2,		"ERROR_FILE_NOT_FOUND" },
	{ 5,		"ERROR_ACCESS_DENIED" },
	{ 87,		"ERROR_INVALID_PARAMETER" },
	{ 259,		"ERROR_NO_MORE_ITEMS" },
	{ 1722,		"RPC_S_SERVER_UNAVAILABLE" },
	{ 20005,	"ERROR_DHCP_SUBNET_NOT_PRESENT" },
	{ 20004,	"ERROR_DHCP_SUBNET_EXITS" },
	{ 20013,	"ERROR_DHCP_JET_ERROR" },
	{ 20014,	"ERROR_DHCP_CLIENT_EXISTS" },
	{ 20022,	"ERROR_DHCP_RESERVEDIP_EXITS" },
	{ 20023,	"ERROR_DHCP_INVALID_RANGE" },
	{ 20113,	"ERROR_DHCP_FO_SCOPE_ALREADY_IN_RELATIONSHIP" },
	{ 20114,	"ERROR_DHCP_FO_RELATIONSHIP_EXISTS" },
	{ 20115,	"ERROR_DHCP_FO_RELATIONSHIP_DOES_NOT_EXIST" },
	{ 20116,	"ERROR_DHCP_FO_SCOPE_NOT_IN_RELATIONSHIP" },
	{ 20117,	"ERROR_DHCP_FO_RELATION_IS_SECONDARY" },
	{ 20118,	"ERROR_DHCP_FO_NOT_SUPPORTED" },
	{ 20119,	"ERROR_DHCP_FO_TIME_OUT_OF_SYNC" },
	{ 20120,	"ERROR_DHCP_FO_STATE_NOT_NORMAL" },
	{ 20125,	"ERROR_DHCP_FO_RELATIONSHIP_NAME_TOO_LONG" },
	{ 20128,	"ERROR_DHCP_FO_MAX_RELATIONSHIPS" },
	{ 20130,	"ERROR_DHCP_FO_MAX_ADD_SCOPES" },
	{ 20133,	"ERROR_DHCP_FO_SCOPE_SYNC_IN_PROGRESS" },
};

START_TEST(test_err_symbol)
{
	const struct spec_err *t = &spec_errors[_i];
	const char *sym = err_symbol(t->code);

	ck_assert_msg(sym != NULL, "no symbol for %d", t->code);
	ck_assert_str_eq(sym, t->symbol);
}
END_TEST

/* The JSON-RPC codes have a message; codes outside the table have none. */
START_TEST(test_err_symbol_others)
{
	static const int rpc[] = { -32700, -32600, -32601 };
	static const int none[] = { 0, 1, 3, 86, 88, 20000, 20006, 20134, -1, -32602 };

	for (size_t i = 0; i < nitems(rpc); i++) {
		const char *sym = err_symbol(rpc[i]);

		ck_assert_msg(sym != NULL && *sym != '\0', "no message for %d", rpc[i]);
	}
	for (size_t i = 0; i < nitems(none); i++)
		ck_assert_msg(err_symbol(none[i]) == NULL, "%d has symbol %s", none[i],
		    err_symbol(none[i]));
}
END_TEST

static Suite *
rpc_suite(void)
{
	Suite *s = suite_create("ctl_rpc");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_ok, 0, nitems(ok_cases));
	tcase_add_test(tc, test_parse_len);
	tcase_add_loop_test(tc, test_parse_err, 0, nitems(err_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("reply");
	tcase_add_loop_test(tc, test_result_line, 0, nitems(result_cases));
	tcase_add_loop_test(tc, test_error_line, 0, nitems(error_line_cases));
	tcase_add_test(tc, test_error_id_roundtrip);
	tcase_add_loop_test(tc, test_reply_to_cut_utf8_in_detail, 0,
	    nitems(cut_utf8_lines));
	tcase_add_loop_test(tc, test_error_line_invalid_utf8_detail, 0,
	    nitems(bad_utf8_details));
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_err_symbol, 0, nitems(spec_errors));
	tcase_add_test(tc, test_err_symbol_others);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rpc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
