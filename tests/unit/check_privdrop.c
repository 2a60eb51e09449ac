/* Unit tests: the directory check of privdrop (DESIGN §4.9): a database or
 * control-socket directory others may write (sticky or not) is refused with
 * a sentence naming it; private, group-writable and missing ones pass; an
 * unknown user is refused before anything is opened. The uid switch itself
 * needs root and is tested end to end by tests/integration/t_service.sh. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"
#include "privdrop.h"
#include "util.h"

#define ERRLEN	512

static const struct dir_case {
	mode_t		 db_mode;	/* of the database directory */
	mode_t		 sock_mode;	/* of the control socket's */
	int		 refused;
	const char	*which;		/* the directory the error names */
} dir_cases[] = {
	{ 0700, 0700, 0, NULL },
	{ 0750, 0755, 0, NULL },
	{ 0770, 0775, 0, NULL },	/* group-writable: the group is trusted */
	{ 0777, 0700, 1, "/db" },
	{ 01777, 0700, 1, "/db" },	/* sticky like /tmp: refused too */
	{ 0702, 0700, 1, "/db" },
	{ 0700, 0777, 1, "/run" },
	{ 0700, 01777, 1, "/run" },
};

/* A temporary tree: TOP/db and TOP/run with the case's modes. */
static char *
make_tree(const struct dir_case *c, struct conf *conf)
{
	char tmpl[] = "/tmp/check_privdrop.XXXXXX", p[256];
	char *top = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(top);
	top = strdup(top);
	snprintf(p, sizeof(p), "%s/db", top);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(chmod(p, c->db_mode), 0);
	snprintf(p, sizeof(p), "%s/db/dhcpfod.db", top);
	conf->database = strdup(p);
	snprintf(p, sizeof(p), "%s/run", top);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(chmod(p, c->sock_mode), 0);
	snprintf(p, sizeof(p), "%s/run/ctl.sock", top);
	conf->control_socket = strdup(p);
	return top;
}

START_TEST(test_dirs)
{
	const struct dir_case *c = &dir_cases[_i];
	struct conf conf = { 0 };
	char err[ERRLEN] = "", p[300];
	char *top = make_tree(c, &conf);
	int rc = privdrop_check_dirs(&conf, err, sizeof(err));

	ck_assert_int_eq(rc, c->refused ? -1 : 0);
	if (c->refused) {
		snprintf(p, sizeof(p), "%s%s is writable by others", top, c->which);
		ck_assert_msg(strstr(err, p) != NULL, "case %d: %s", _i, err);
	}
	snprintf(p, sizeof(p), "rm -rf '%s'", top);
	ck_assert_int_eq(system(p), 0);
	free(conf.database);
	free(conf.control_socket);
	free(top);
}
END_TEST

START_TEST(test_missing_dirs_pass)
{
	struct conf conf = { 0 };
	char err[ERRLEN];

	conf.database = (char *)"/nonexistent-dhcpfod/x/dhcpfod.db";
	conf.control_socket = (char *)"/nonexistent-dhcpfod/y/ctl.sock";
	ck_assert_int_eq(privdrop_check_dirs(&conf, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_prepare)
{
	char err[ERRLEN] = "";

	ck_assert_int_eq(privdrop_prepare(NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(privdrop_prepare("no-such-user-dhcpfod", err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "user = no-such-user-dhcpfod: no such user") !=
	    NULL, "%s", err);
	ck_assert_int_eq(privdrop_dropped(), 0);
}
END_TEST

static Suite *
privdrop_suite(void)
{
	Suite *s = suite_create("privdrop");
	TCase *tc = tcase_create("dirs");

	tcase_add_loop_test(tc, test_dirs, 0, nitems(dir_cases));
	tcase_add_test(tc, test_missing_dirs_pass);
	tcase_add_test(tc, test_prepare);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(privdrop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
