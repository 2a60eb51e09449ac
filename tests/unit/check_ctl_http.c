/* Unit tests: the request head of the metrics/dashboard HTTP server
 * (src/ctl/ctl_http_parse.c), table-driven: what is accepted, what is refused
 * with which status; the head's end; query values and their escapes; and the
 * failover state-change ring (src/failover/fo_hist.c) that the dashboard shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl_http.h"
#include "fo.h"
#include "util.h"

static const struct head_case {
	const char	*head;
	int		 rc;
	int		 is_head;
	const char	*path, *query;
} head_cases[] = {
	{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, 0, "/", "" },
	{ "GET /metrics HTTP/1.0\r\n\r\n", 0, 0, "/metrics", "" },
	{ "HEAD /index.html HTTP/1.1\n\n", 0, 1, "/index.html", "" },
	{ "GET /api/v1/leases?q=a%20b HTTP/1.1\r\n\r\n", 0, 0, "/api/v1/leases", "q=a%20b" },
	{ "POST / HTTP/1.1\r\n\r\n", 0, 0, "/", "" },	/* the server decides (405 or not) */
	{ "POST /api/v1/rpc HTTP/1.1\r\nContent-Length: 16384\r\n\r\n", 0, 0, "/api/v1/rpc", "" },
	{ "POST / HTTP/1.1\r\nContent-Length: 16385\r\n\r\n", 413, 0, NULL, NULL },
	{ "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 413, 0, NULL, NULL },
	{ "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400, 0, NULL, NULL },
	{ "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400, 0, NULL, NULL },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501, 0, NULL, NULL },
	{ "GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET / HTTP/1.1\r\nX-A: a\001b\r\n\r\n", 400, 0, NULL, NULL },
	{ "DELETE /metrics HTTP/1.1\r\n\r\n", 405, 0, NULL, NULL },
	{ "BREW /pot HTTP/1.1\r\n\r\n", 405, 0, NULL, NULL },
	{ "get / HTTP/1.1\r\n\r\n", 405, 0, NULL, NULL },		/* methods are case-sensitive */
	{ "G@T / HTTP/1.1\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET  / HTTP/1.1\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET http://x/ HTTP/1.1\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET /a\tb HTTP/1.1\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET / HTTP/2.0\r\n\r\n", 505, 0, NULL, NULL },
	{ "GET / HTTP/1.2\r\n\r\n", 505, 0, NULL, NULL },
	{ "GET / FTP/1.1\r\n\r\n", 400, 0, NULL, NULL },
	{ "GET /\r\n\r\n", 400, 0, NULL, NULL },
	{ "\r\n\r\n", 400, 0, NULL, NULL },
};

START_TEST(test_head)
{
	const struct head_case *c = &head_cases[_i];
	struct http_req req;
	int rc = http_parse_head(c->head, strlen(c->head), &req);

	ck_assert_msg(rc == c->rc, "%s: %d, want %d", c->head, rc, c->rc);
	if (rc != 0)
		return;
	ck_assert_int_eq(req.head, c->is_head);
	ck_assert_str_eq(req.path, c->path);
	ck_assert_str_eq(req.query, c->query);
}
END_TEST

/* A target one byte over the limit is 414, at the limit accepted. */
START_TEST(test_long_target)
{
	size_t n = HTTP_MAX_TARGET + 64;
	char *h = malloc(n + 32);
	struct http_req req;

	ck_assert_ptr_nonnull(h);
	for (size_t len = HTTP_MAX_TARGET; len <= HTTP_MAX_TARGET + 1; len++) {
		memcpy(h, "GET /", 5);
		memset(h + 5, 'a', len - 1);
		strcpy(h + 4 + len, " HTTP/1.1\r\n\r\n");
		ck_assert_int_eq(http_parse_head(h, strlen(h), &req),
		    len > HTTP_MAX_TARGET ? 414 : 0);
	}
	free(h);
}
END_TEST

/* The headers the servers read, the method, and the Authorization bound. */
START_TEST(test_fields)
{
	const char *h = "POST /api/v1/rpc HTTP/1.1\r\nHost: x\r\n"
	    "authorization:   Bearer dfo_abc  \r\nContent-Type: application/json\r\n"
	    "X-Requested-With: dhcpfod\r\ncontent-length: 12\r\n\r\n";
	char big[HTTP_MAX_AUTH + 128];
	struct http_req req;

	ck_assert_int_eq(http_parse_head(h, strlen(h), &req), 0);
	ck_assert_int_eq(req.method, HTTP_POST);
	ck_assert_str_eq(req.auth, "Bearer dfo_abc");
	ck_assert_str_eq(req.ctype, "application/json");
	ck_assert_str_eq(req.xrw, "dhcpfod");
	ck_assert_int_eq(req.clen, 12);
	h = "GET / HTTP/1.1\r\n\r\n";
	ck_assert_int_eq(http_parse_head(h, strlen(h), &req), 0);
	ck_assert_int_eq(req.method, HTTP_GET);
	ck_assert_str_eq(req.auth, "");
	ck_assert_int_eq(req.clen, 0);
	snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nAuthorization: %0*d\r\n\r\n",
	    HTTP_MAX_AUTH + 1, 0);
	ck_assert_int_eq(http_parse_head(big, strlen(big), &req), 431);
}
END_TEST

START_TEST(test_head_end)
{
	ck_assert_uint_eq(http_head_end("GET / HTTP/1.1\r\n", 16), 0);
	ck_assert_uint_eq(http_head_end("GET / HTTP/1.1\r\n\r\nxx", 20), 18);
	ck_assert_uint_eq(http_head_end("GET / HTTP/1.1\n\nxx", 18), 16);
	ck_assert_uint_eq(http_head_end("", 0), 0);
}
END_TEST

START_TEST(test_query)
{
	char buf[32];

	ck_assert_int_eq(http_query_get("q=10.0.0.1", "q", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "10.0.0.1");
	ck_assert_int_eq(http_query_get("x=1&q=a%3Ab+c", "q", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "a:b c");
	ck_assert_int_eq(http_query_get("qq=1", "q", buf, sizeof(buf)), -1);
	ck_assert_int_eq(http_query_get("q=%00", "q", buf, sizeof(buf)), -1);
	ck_assert_int_eq(http_query_get("q=%zz", "q", buf, sizeof(buf)), -1);
	ck_assert_int_eq(http_query_get("q=0123456789012345678901234567890123",
	    "q", buf, sizeof(buf)), -1);
	ck_assert_int_eq(http_query_get("", "q", buf, sizeof(buf)), -1);
}
END_TEST

/* Newest first, per relationship (names case-insensitive), bounded. */
START_TEST(test_hist)
{
	struct fo_hist_entry v[100];
	size_t n;

	fo_hist_add("r1", 100, FO_STARTUP, FO_COMMUNICATION_INT, "startup");
	fo_hist_add("other", 101, FO_STARTUP, FO_NORMAL, "x");
	fo_hist_add("r1", 102, FO_COMMUNICATION_INT, FO_NORMAL, "partner NORMAL");
	n = fo_hist_get("R1", v, nitems(v));
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[0].time, 102);
	ck_assert_int_eq(v[0].to, FO_NORMAL);
	ck_assert_str_eq(v[0].reason, "partner NORMAL");
	ck_assert_int_eq(v[1].from, FO_STARTUP);
	for (int i = 0; i < 200; i++)
		fo_hist_add("r1", 200 + i, FO_NORMAL, FO_COMMUNICATION_INT, "cut");
	n = fo_hist_get("r1", v, nitems(v));
	ck_assert_uint_eq(n, 64);		/* the ring's size */
	ck_assert_int_eq(v[0].time, 399);
	ck_assert_uint_eq(fo_hist_get("other", v, nitems(v)), 0);	/* overwritten */
	json_t *a = fo_hist_json("r1");
	ck_assert_uint_eq(json_array_size(a), 64);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0),
	    "from")), "NORMAL");
	json_decref(a);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("ctl_http");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_head, 0, nitems(head_cases));
	tcase_add_test(tc, test_long_target);
	tcase_add_test(tc, test_head_end);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_query);
	suite_add_tcase(s, tc);
	tc = tcase_create("history");
	tcase_add_test(tc, test_hist);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
