/* Unit tests: who may call what (src/ctl/ctl_class.c, ctl_auth.c) and the
 * audit log (ctl_audit.c). Every method of the dispatch table has a class,
 * every class names a method, and docs/RPC.md §1.1 lists each with the same
 * class; the role matrix; subject patterns; the redaction of secrets and the
 * audit line. Paths are relative to the source tree (DHCPFOD_SRCDIR). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "ctl_auth.h"
#include "token.h"
#include "util.h"

#define RPC_DOC		"docs/RPC.md"

/* ---- method classes ---- */

/* Every method the dispatcher knows has a class: a new method cannot be added
 * without deciding whether DHCP Users may call it. */
START_TEST(test_every_method_classified)
{
	const char *m = ctl_method_at((size_t)_i);

	ck_assert_ptr_nonnull(m);
	ck_assert_msg(ctl_method_class(m) != CTL_UNCLASSIFIED, "method %s has no "
	    "class in src/ctl/ctl_class.c: add it as CTL_READ or CTL_CHANGE", m);
}
END_TEST

/* And the class table names no method that does not exist. */
START_TEST(test_every_class_a_method)
{
	const char *m = ctl_class_method((size_t)_i);
	int found = 0;

	for (size_t i = 0; i < ctl_method_count(); i++)
		found |= strcmp(ctl_method_at(i), m) == 0;
	ck_assert_msg(found, "ctl_class.c classifies %s, which is no method", m);
}
END_TEST

/* What a DHCP User may do, spelled out for the methods that matter. */
static const struct {
	const char	*method;
	enum ctl_class	 cls;
} known[] = {
	{ "scope.list", CTL_READ }, { "scope.get", CTL_READ },
	{ "lease.list", CTL_READ }, { "server.status", CTL_READ },
	{ "server.metrics", CTL_READ }, { "failover.get", CTL_READ },
	{ "failover.scope_statistics", CTL_READ },
	{ "scope.create", CTL_CHANGE }, { "scope.delete", CTL_CHANGE },
	{ "lease.add", CTL_CHANGE }, { "lease.delete", CTL_CHANGE },
	{ "server.reload", CTL_CHANGE }, { "failover.set", CTL_CHANGE },
	{ "failover.create", CTL_CHANGE },
	{ "failover.trigger_addr_allocation", CTL_CHANGE },
	{ "no.such.method", CTL_UNCLASSIFIED },
};

START_TEST(test_known_classes)
{
	ck_assert_int_eq(ctl_method_class(known[_i].method), known[_i].cls);
}
END_TEST

/* docs/RPC.md §1.1 has a row "| `METHOD` | read |" or "| change |" per
 * method, matching the code. */
START_TEST(test_doc_lists_classes)
{
	const char *top = getenv("DHCPFOD_SRCDIR"), *m = ctl_method_at((size_t)_i);
	char path[4096], want[160], *doc = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s%s", top ? top : "", top ? "/" : "",
	    RPC_DOC);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "cannot open %s", path);
	ck_assert_int_ne(getdelim(&doc, &n, '\0', f), -1);
	fclose(f);
	snprintf(want, sizeof(want), "| `%s` | %s |", m,
	    ctl_class_name(ctl_method_class(m)));
	ck_assert_msg(strstr(doc, want) != NULL, "%s has no row '%s'", RPC_DOC, want);
	free(doc);
}
END_TEST

/* ---- roles ---- */

START_TEST(test_role_matrix)
{
	ck_assert(ctl_role_may(ROLE_ADMIN, CTL_READ));
	ck_assert(ctl_role_may(ROLE_ADMIN, CTL_CHANGE));
	ck_assert(ctl_role_may(ROLE_USER, CTL_READ));
	ck_assert(!ctl_role_may(ROLE_USER, CTL_CHANGE));
	ck_assert(!ctl_role_may(ROLE_USER, CTL_UNCLASSIFIED));	/* fail closed */
	ck_assert(!ctl_role_may(ROLE_NONE, CTL_READ));
	ck_assert(!ctl_role_may(ROLE_NONE, CTL_CHANGE));
}
END_TEST

static const struct {
	const char	*pattern;
	const char	*subject;
	int		 match;
} subjects[] = {
	{ "CN=ops,O=Lab", "CN=ops,O=Lab", 1 },
	{ "O=Lab,CN=ops", "CN=ops,O=Lab", 1 },		/* any order */
	{ "cn=ops, o=Lab", "CN=ops,O=Lab", 1 },		/* names, blanks */
	{ "OU=admins", "CN=ops,OU=admins,O=Lab", 1 },	/* a subset */
	{ "OU=admins,O=Lab", "CN=ops,OU=admins,O=Other", 0 },
	{ "CN=ops", "CN=ops2,O=Lab", 0 },		/* whole values */
	{ "CN=Ops", "CN=ops,O=Lab", 0 },		/* values exact */
	{ "CN=ops", "CN=viewer,O=Lab", 0 },
	{ "*", "CN=anyone", 1 },
	{ "CN=a\\,b", "CN=a\\,b,O=Lab", 1 },		/* escaped comma */
	{ "CN=a", "CN=a\\,b,O=Lab", 0 },
	{ "garbage", "CN=ops", 0 },
	{ "", "CN=ops", 0 },
	{ "CN=ops", "", 0 },
};

START_TEST(test_subject_match)
{
	ck_assert_msg(ctl_subject_match(subjects[_i].pattern, subjects[_i].subject) ==
	    subjects[_i].match, "'%s' against '%s'", subjects[_i].pattern,
	    subjects[_i].subject);
}
END_TEST

START_TEST(test_role_of)
{
	const char *admins = "OU=admins,O=Lab | CN=root-ops", *users = "O=Lab";

	ck_assert_int_eq(ctl_role_of(admins, users, "CN=ops,OU=admins,O=Lab"),
	    ROLE_ADMIN);
	ck_assert_int_eq(ctl_role_of(admins, users, "CN=root-ops,O=Else"), ROLE_ADMIN);
	ck_assert_int_eq(ctl_role_of(admins, users, "CN=viewer,O=Lab"), ROLE_USER);
	ck_assert_int_eq(ctl_role_of(admins, users, "CN=x,O=Else"), ROLE_NONE);
	ck_assert_int_eq(ctl_role_of(NULL, NULL, "CN=ops,O=Lab"), ROLE_NONE);
	ck_assert_int_eq(ctl_role_of(NULL, "*", "CN=ops,O=Lab"), ROLE_USER);
	ck_assert_int_eq(ctl_role_of(" | ", "", "CN=ops"), ROLE_NONE);
}
END_TEST

/* ---- the audit log ---- */

static json_t *
jparse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	ck_assert_msg(j != NULL, "bad JSON %s: %s", text, e.text);
	return j;
}

static const struct {
	const char	*in;
	const char	*out;
} redactions[] = {
	{ "{\"name\":\"r1\",\"shared_secret\":\"s3cret\"}",
	  "{\"name\":\"r1\",\"shared_secret\":\"***\"}" },
	{ "{\"token\":\"abc\",\"Password\":\"p\",\"key\":\"k\",\"private_key\":\"k\"}",
	  "{\"token\":\"***\",\"Password\":\"***\",\"key\":\"***\","
	  "\"private_key\":\"***\"}" },
	/* nested, in arrays, and whatever the secret's type */
	{ "{\"a\":[{\"secret\":{\"x\":1}},2],\"b\":{\"bearer_token\":5}}",
	  "{\"a\":[{\"secret\":\"***\"},2],\"b\":{\"bearer_token\":\"***\"}}" },
	/* not secrets */
	{ "{\"subnet\":\"10.1.0.0\",\"keys\":[1],\"monkey\":\"m\",\"options\":"
	  "{\"routers\":[\"10.1.0.1\"]}}",
	  "{\"subnet\":\"10.1.0.0\",\"keys\":[1],\"monkey\":\"m\",\"options\":"
	  "{\"routers\":[\"10.1.0.1\"]}}" },
	{ "{}", "{}" },
};

START_TEST(test_redact)
{
	json_t *in = jparse(redactions[_i].in), *want = jparse(redactions[_i].out);
	json_t *copy = json_deep_copy(in), *got = audit_redact(in);
	char *s = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);

	ck_assert_msg(json_equal(got, want), "redacted %s is %s", redactions[_i].in, s);
	ck_assert_msg(json_equal(in, copy), "audit_redact changed its input");
	free(s);
	json_decref(in);
	json_decref(want);
	json_decref(copy);
	json_decref(got);
}
END_TEST

/* One line: every field, the result, and no secret anywhere. */
START_TEST(test_audit_line)
{
	json_t *p = jparse("{\"name\":\"r1\",\"shared_secret\":\"hunter2\"}"), *line;
	char *s = audit_format(1767225600, "tls", "CN=ops,O=Lab", "10.0.0.2:40000",
	    "failover.set", p, 0);

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strchr(s, '\n'));
	ck_assert_ptr_null(strstr(s, "hunter2"));
	line = jparse(s);
	ck_assert_str_eq(json_string_value(json_object_get(line, "time")),
	    "2026-01-01T00:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(line, "channel")), "tls");
	ck_assert_str_eq(json_string_value(json_object_get(line, "identity")),
	    "CN=ops,O=Lab");
	ck_assert_str_eq(json_string_value(json_object_get(line, "peer")),
	    "10.0.0.2:40000");
	ck_assert_str_eq(json_string_value(json_object_get(line, "method")),
	    "failover.set");
	ck_assert_int_eq(json_integer_value(json_object_get(line, "result")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(line,
	    "params"), "shared_secret")), "***");
	free(s);
	json_decref(line);
	json_decref(p);
}
END_TEST

/* The file: created 0600, lines appended whole. */
START_TEST(test_audit_file)
{
	char dir[] = "/tmp/check_ctl_auth.XXXXXX", path[64], err[256], buf[256];
	struct audit *a;
	FILE *f;
	int n = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	ck_assert_ptr_nonnull(a = audit_new(path, NULL, err, sizeof(err)));
	ck_assert_int_eq(audit_write(a, "{\"a\":1}"), 0);
	ck_assert_int_eq(audit_write(a, "{\"a\":2}"), 0);
	audit_free(a);
	ck_assert_ptr_nonnull(a = audit_new(path, NULL, err, sizeof(err)));
	ck_assert_int_eq(audit_write(a, "{\"a\":3}"), 0);
	audit_free(a);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char want[32];

		snprintf(want, sizeof(want), "{\"a\":%d}\n", ++n);
		ck_assert_str_eq(buf, want);
	}
	fclose(f);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(access(path, F_OK), 0);
	unlink(path);
	rmdir(dir);
	ck_assert_ptr_null(audit_new("/nonexistent-dir/audit.log", NULL, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "audit log /nonexistent-dir/audit.log: No such file "
	    "or directory");
}
END_TEST

/* ---- bearer tokens ---- */

/* A new token checks against its own stored form only; forms differ by salt. */
START_TEST(test_token_new)
{
	char t1[TOKEN_LEN + 1], h1[TOKEN_HASH_LEN + 1];
	char t2[TOKEN_LEN + 1], h2[TOKEN_HASH_LEN + 1];

	ck_assert_int_eq(token_new(t1, h1), 0);
	ck_assert_int_eq(token_new(t2, h2), 0);
	ck_assert_uint_eq(strlen(t1), TOKEN_LEN);
	ck_assert_uint_eq(strlen(h1), TOKEN_HASH_LEN);
	ck_assert(strncmp(t1, "dfo_", 4) == 0 && strncmp(h1, "sha256$", 7) == 0);
	ck_assert_ptr_null(strstr(h1, t1 + 4));		/* the token is not stored */
	ck_assert(token_check(t1, h1));
	ck_assert(token_check(t2, h2));
	ck_assert(!token_check(t1, h2));
	ck_assert(!token_check(t2, h1));
	ck_assert(!token_check("", h1));
	t1[10] ^= 1;
	ck_assert(!token_check(t1, h1));
}
END_TEST

/* The stored form is SHA-256(salt || token), as documented (REMOTE.md):
 * a known vector, and malformed forms never match. */
START_TEST(test_token_hash)
{
	const unsigned char salt[16] = { 0 };
	char h[TOKEN_HASH_LEN + 1];

	token_hash("dfo_test", salt, h);
	/* python3: hashlib.sha256(b"\0" * 16 + b"dfo_test").hexdigest() */
	ck_assert_str_eq(h, "sha256$00000000000000000000000000000000$"
	    "14dcb1b6d6fa23274f169ae7b5131e5989c67e445bca2d647a2efc2f7841d801");
	ck_assert(token_check("dfo_test", h));
	ck_assert(!token_check("dfo_test", "sha256$short"));
	ck_assert(!token_check("dfo_test", ""));
	h[7] = 'X';
	ck_assert(!token_check("dfo_test", h));
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("ctl_auth");
	TCase *tc = tcase_create("classes");

	tcase_add_loop_test(tc, test_every_method_classified, 0,
	    (int)ctl_method_count());
	tcase_add_loop_test(tc, test_every_class_a_method, 0, (int)ctl_class_count());
	tcase_add_loop_test(tc, test_known_classes, 0, nitems(known));
	tcase_add_loop_test(tc, test_doc_lists_classes, 0, (int)ctl_method_count());
	suite_add_tcase(s, tc);

	tc = tcase_create("roles");
	tcase_add_test(tc, test_role_matrix);
	tcase_add_loop_test(tc, test_subject_match, 0, nitems(subjects));
	tcase_add_test(tc, test_role_of);
	suite_add_tcase(s, tc);

	tc = tcase_create("audit");
	tcase_add_loop_test(tc, test_redact, 0, nitems(redactions));
	tcase_add_test(tc, test_audit_line);
	tcase_add_test(tc, test_audit_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("tokens");
	tcase_add_test(tc, test_token_new);
	tcase_add_test(tc, test_token_hash);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(auth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
