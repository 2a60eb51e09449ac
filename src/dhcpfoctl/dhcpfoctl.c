/*
 * dhcpfoctl — the management client of dhcpfod (dhcpfoctl(8)).
 *
 *	dhcpfoctl [-s SOCKET] [-j|--json] COMMAND [ARGS]
 *
 * Reads the global options, finds the command in the tables, has its
 * arguments turned into params, makes the one RPC and prints the answer.
 * Exit: 0 success, 1 the server answered an error, 2 usage, 3 no answer.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dhcpfoctl.h"
#include "dhcpfoctl_remote.h"
#include "util.h"

#ifndef DHCPFOD_VERSION
#define DHCPFOD_VERSION	"unknown"
#endif

#define PROG		"dhcpfoctl"
#define CONTINUE	(-1)	/* from the steps of main: go on */

/* The command tables, searched and listed in this order. */
static const struct cmd *const tables[] = { cli_cmds, cli_fo_cmds, cli_io_cmds,
	cli_token_cmds };

static int	usage_error(const char *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* A usage error: the message, and which --help to read. Returns 2. */
static int
usage_error(const char *group, const char *name, const char *fmt, ...)
{
	char where[256];
	va_list ap;

	snprintf(where, sizeof(where), "%s%s%s%s%s", PROG, group ? " " : "",
	    group ? group : "", name ? " " : "", name ? name : "");
	fprintf(stderr, "%s: ", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", where);
	return CLI_EXIT_USAGE;
}

/* The command named name in group (NULL: a top-level command). */
static const struct cmd *
find_cmd(const char *group, const char *name)
{
	for (size_t t = 0; t < nitems(tables); t++)
		for (const struct cmd *c = tables[t]; c->name != NULL; c++)
			if (((group == NULL && c->group == NULL) || (group != NULL &&
			    c->group != NULL && strcmp(c->group, group) == 0)) &&
			    strcmp(c->name, name) == 0)
				return c;
	return NULL;
}

static int
is_group(const char *name)
{
	for (size_t t = 0; t < nitems(tables); t++)
		for (const struct cmd *c = tables[t]; c->name != NULL; c++)
			if (c->group != NULL && strcmp(c->group, name) == 0)
				return 1;
	return 0;
}

/* "  group name      summary" of every command (of group, or all). */
static void
list_cmds(const char *group)
{
	char *full;

	for (size_t t = 0; t < nitems(tables); t++)
		for (const struct cmd *c = tables[t]; c->name != NULL; c++) {
			if (group != NULL && (c->group == NULL ||
			    strcmp(c->group, group) != 0))
				continue;
			full = fmt_printf("%s%s%s", c->group ? c->group : "",
			    c->group ? " " : "", c->name);
			printf("  %-34s%s\n", full, c->summary);
			free(full);
		}
}

/* The names of a group's commands, "a, b, c" (malloc'd). */
static char *
group_names(const char *group)
{
	char *out = NULL, *s;

	for (size_t t = 0; t < nitems(tables); t++)
		for (const struct cmd *c = tables[t]; c->name != NULL; c++) {
			if (c->group == NULL || strcmp(c->group, group) != 0)
				continue;
			s = fmt_printf("%s%s%s", out ? out : "", out ? ", " : "",
			    c->name);
			free(out);
			out = s;
		}
	return out;
}

/* The global --help: options, every command, environment, exit status. */
static void
print_help(void)
{
	printf("usage: %s [-s SOCKET] [-j|--json] COMMAND [ARGS]\n\n"
	    "Manage a running dhcpfod over its control socket.\n\n"
	    "options:\n"
	    "  -s, --socket PATH   the control socket (default: $DHCPFOD_SOCKET, "
	    "else\n"
	    "                      %s)\n"
	    "  -j, --json          print the RPC result as JSON\n"
	    "  --server HOST[:PORT]  a remote dhcpfod, over mutual TLS (port %s)\n"
	    "  --cert FILE, --key FILE, --ca FILE\n"
	    "                      our certificate and key, the CA of the "
	    "server's\n"
	    "                      (defaults: ~/.config/dhcpfoctl/config)\n"
	    "  -h, --help          this help\n"
	    "  -V, --version       print the version\n\n"
	    "commands:\n", PROG, CLI_DEFAULT_SOCKET, CLI_REMOTE_PORT);
	list_cmds(NULL);
	printf("\n'%s COMMAND --help' shows a command's arguments.\n\n"
	    "environment: DHCPFOD_SOCKET; DHCPFOCTL_CONFIG, the client config "
	    "file;\nDHCPFOCTL_TIMEOUT, seconds to wait for "
	    "an\nanswer (default %g, 0 waits forever); NO_COLOR.\n\n"
	    "exit status: 0 success, 1 the server answered an error, 2 usage "
	    "error,\n3 no answer from the socket.\n", PROG, CLI_DEFAULT_TIMEOUT);
}

static void
print_group_help(const char *group)
{
	printf("usage: %s [-s SOCKET] [-j|--json] %s COMMAND [ARGS]\n\n"
	    "commands:\n", PROG, group);
	list_cmds(group);
	printf("\n'%s %s COMMAND --help' shows a command's arguments.\n", PROG,
	    group);
}

/* -s PATH (also -sPATH, --socket[=]PATH), -j, --json, -h, -V before the
 * command; *i ends on the command word. */
static int
parse_globals(int argc, char **argv, struct cli_opts *g, int *i)
{
	char err[CLI_ERRLEN];
	const char *a;
	int used, rc;

	for (*i = 1; *i < argc && argv[*i][0] == '-' && argv[*i][1] != '\0'; ++*i) {
		a = argv[*i];
		if ((rc = remote_opt(g, a, *i + 1 < argc ? argv[*i + 1] : NULL, &used,
		    err, sizeof(err))) == -1)
			return usage_error(NULL, NULL, "%s", err);
		if (rc == 1) {
			*i += used;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			++*i;
			break;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			return CLI_EXIT_OK;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("%s %s\n", PROG, DHCPFOD_VERSION);
			return CLI_EXIT_OK;
		} else if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0)
			g->json = 1;
		else if (strncmp(a, "--socket=", 9) == 0)
			g->socket = a + 9;
		else if (strncmp(a, "-s", 2) == 0 && a[2] != '\0')
			g->socket = a + 2;
		else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) {
			if (++*i >= argc)
				return usage_error(NULL, NULL, "%s needs a PATH", a);
			g->socket = argv[*i];
		} else
			return usage_error(NULL, NULL, "unknown option '%s'", a);
	}
	return CONTINUE;
}

/* `help [GROUP] [NAME]`: the help asked for. */
static int
help_cmd(int argc, char **argv, int i)
{
	const struct cmd *c;

	if (i >= argc) {
		print_help();
		return CLI_EXIT_OK;
	}
	if ((c = find_cmd(NULL, argv[i])) == NULL && i + 1 < argc)
		c = find_cmd(argv[i], argv[i + 1]);
	if (c != NULL)
		args_usage(c, PROG);
	else if (is_group(argv[i]))
		print_group_help(argv[i]);
	else
		return usage_error(NULL, NULL, "no command '%s'", argv[i]);
	return CLI_EXIT_OK;
}

/* The command at argv[*i] (one or two words); *i moves past it. */
static int
find_command(int argc, char **argv, int *i, const struct cmd **out)
{
	const char *group;
	char *names;
	int rc;

	if (*i >= argc)
		return usage_error(NULL, NULL, "missing command");
	if (strcmp(argv[*i], "help") == 0)
		return help_cmd(argc, argv, *i + 1);
	if ((*out = find_cmd(NULL, argv[*i])) != NULL) {
		++*i;
		return CONTINUE;
	}
	if (!is_group(argv[*i]))
		return usage_error(NULL, NULL, "unknown command '%s'", argv[*i]);
	group = argv[(*i)++];
	if (*i < argc && (strcmp(argv[*i], "-h") == 0 ||
	    strcmp(argv[*i], "--help") == 0)) {
		print_group_help(group);
		return CLI_EXIT_OK;
	}
	if (*i < argc && (*out = find_cmd(group, argv[*i])) != NULL) {
		++*i;
		return CONTINUE;
	}
	names = group_names(group);
	rc = *i < argc ? usage_error(group, NULL, "unknown command '%s' (one of: "
	    "%s)", argv[*i], names) : usage_error(group, NULL, "missing command "
	    "(one of: %s)", names);
	free(names);
	return rc;
}

/* DHCPFOCTL_TIMEOUT or the default: seconds >= 0, 0 meaning none. */
static int
get_timeout(double *t)
{
	const char *s = getenv("DHCPFOCTL_TIMEOUT");
	char *end;

	*t = CLI_DEFAULT_TIMEOUT;
	if (s == NULL || *s == '\0')
		return CONTINUE;
	*t = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(*t) || *t < 0)
		return usage_error(NULL, NULL, "DHCPFOCTL_TIMEOUT='%s' is not a "
		    "number of seconds", s);
	return CONTINUE;
}

/* -s, else DHCPFOD_SOCKET, else the default. */
static const char *
socket_path(const struct cli_opts *g)
{
	const char *env = getenv("DHCPFOD_SOCKET");

	if (g->socket != NULL)
		return g->socket;
	return env != NULL && *env != '\0' ? env : CLI_DEFAULT_SOCKET;
}

/* "SYMBOL (code): detail" on stderr. */
static int
print_error(const struct rpc_reply *r)
{
	if (r->detail != NULL && *r->detail != '\0')
		fprintf(stderr, "%s (%d): %s\n", r->symbol, r->code, r->detail);
	else
		fprintf(stderr, "%s (%d)\n", r->symbol, r->code);
	return CLI_EXIT_SERVER;
}

/* Print a result the way the command and the options ask. */
static void
emit(const struct cmd *c, const struct cli_opts *g, const char *method,
    json_t *params, json_t *result)
{
	if ((c->flags & CMD_RAW_JSON) || g->json)
		print_json(result);
	else
		print_human(method, params, result);
}

/* Make the call and report its answer; the exit status. */
static int
exchange(const struct cmd *c, const struct cli_opts *g, const char *method,
    json_t *params, double timeout)
{
	struct rpc_reply r;
	json_t *alt = NULL;
	int rc;

	if (rpc_call(socket_path(g), timeout, method, params, &r) == -1)
		return CLI_EXIT_CONNECT;
	if (r.result != NULL) {
		emit(c, g, method, params, r.result);
		rc = CLI_EXIT_OK;
	} else if (c->onerr != NULL && (rc = c->onerr(c, params, r.code,
	    &alt)) != -1) {
		if (alt != NULL)
			emit(c, g, method, params, alt);
		json_decref(alt);
	} else
		rc = print_error(&r);
	rpc_reply_fini(&r);
	return rc;
}

/* The method and params to send: the command's, or for `call` the ones
 * given; *send is a new reference. */
static const char *
request_of(const struct cmd *c, json_t *params, json_t **send)
{
	json_t *p;

	if (c->method != NULL) {
		*send = json_incref(params);
		return c->method;
	}
	p = json_object_get(params, "params");
	*send = p != NULL ? json_incref(p) : json_object();
	return json_string_value(json_object_get(params, "method"));
}

/* Colour only on a terminal that can show it, unless NO_COLOR is set. */
static int
use_color(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
	    (term == NULL || strcmp(term, "dumb") != 0);
}

/* Parse the command's arguments, then call. */
static int
run(const struct cmd *c, int argc, char **argv, struct cli_opts *g)
{
	json_t *params = json_object(), *send;
	const char *method;
	char err[CLI_ERRLEN];
	double timeout;
	int rc;

	rc = args_parse(c, argc, argv, g, params, err, sizeof(err));
	if (rc == 1)
		args_usage(c, PROG);
	if (rc != 0) {
		json_decref(params);
		return rc == 1 ? CLI_EXIT_OK : usage_error(c->group, c->name, "%s",
		    err);
	}
	if (g->socket != NULL && *g->socket == '\0')
		rc = usage_error(NULL, NULL, "-s: the socket path is empty");
	else if (remote_setup(g, err, sizeof(err)) == -1)
		rc = usage_error(NULL, NULL, "%s", err);
	else if ((rc = get_timeout(&timeout)) == CONTINUE && c->run != NULL)
		rc = c->run(c, params, socket_path(g), timeout);
	else if (rc == CONTINUE) {
		method = request_of(c, params, &send);
		print_init(!g->json && use_color());
		rc = exchange(c, g, method, send, timeout);
		json_decref(send);
	}
	json_decref(params);
	return rc;
}

/* Global options, the command, its run; then make sure the output left. */
int
main(int argc, char **argv)
{
	struct cli_opts g = { 0 };
	const struct cmd *c = NULL;
	int i, rc;

	if ((rc = parse_globals(argc, argv, &g, &i)) != CONTINUE ||
	    (rc = find_command(argc, argv, &i, &c)) != CONTINUE)
		return rc;
	rc = run(c, argc - i, argv + i, &g);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror(PROG ": writing the output");
		return rc == CLI_EXIT_OK ? 1 : rc;
	}
	return rc;
}
