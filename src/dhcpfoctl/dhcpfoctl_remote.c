/* dhcpfoctl's remote options and its per-user config file (dhcpfoctl(8),
 * REMOTE.md): --server HOST[:PORT], --cert, --key, --ca; what they leave out
 * comes from $DHCPFOCTL_CONFIG, else $XDG_CONFIG_HOME/dhcpfoctl/config, else
 * ~/.config/dhcpfoctl/config (INI: server, cert, key, ca). */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcpfoctl.h"
#include "dhcpfoctl_remote.h"
#include "token.h"

#define NKEYS	5

struct cfg {
	const char	*path;
	char		*val[NKEYS];	/* server, cert, key, ca, token */
	char		 err[CLI_ERRLEN];
};

static const char *const keys[NKEYS] = { "server", "cert", "key", "ca", "token" };

/* The option's slot in cli_opts, by its index in keys. */
static const char **
slot(struct cli_opts *g, size_t k)
{
	const char **slots[NKEYS] = { &g->server, &g->cert, &g->key, &g->ca,
	    &g->token };

	return slots[k];
}

int
remote_opt(struct cli_opts *g, const char *a, const char *next, int *used,
    char *err, size_t errlen)
{
	*used = 0;
	if (strncmp(a, "--", 2) != 0)
		return 0;
	for (size_t k = 0; k < NKEYS - 1; k++) {	/* no --token: ps shows it */
		size_t n = strlen(keys[k]);

		if (strncmp(a + 2, keys[k], n) != 0)
			continue;
		if (a[2 + n] == '=') {
			*slot(g, k) = a + 3 + n;
			return 1;
		}
		if (a[2 + n] != '\0')
			continue;
		if (next == NULL) {
			snprintf(err, errlen, "%s needs a value", a);
			return -1;
		}
		*slot(g, k) = next;
		*used = 1;
		return 1;
	}
	return 0;
}

/* inih: one key of the file (outside any section, or in [dhcpfoctl]). */
static int
cfg_key(void *arg, const char *section, const char *name, const char *value)
{
	struct cfg *c = arg;

	if (*section != '\0' && strcmp(section, "dhcpfoctl") != 0) {
		snprintf(c->err, sizeof(c->err), "unknown section [%s]", section);
		return 0;
	}
	for (size_t k = 0; k < NKEYS; k++)
		if (strcmp(name, keys[k]) == 0) {
			free(c->val[k]);
			c->val[k] = xstrdup(value);
			return 1;
		}
	snprintf(c->err, sizeof(c->err), "unknown key '%s' (server, cert, key, ca, "
	    "token)", name);
	return 0;
}

/* The config file's path; *must: an explicitly named one has to exist. */
static char *
cfg_path(int *must)
{
	const char *env = getenv("DHCPFOCTL_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	*must = env != NULL && *env != '\0';
	if (*must)
		return xstrdup(env);
	if (xdg != NULL && *xdg != '\0')
		return fmt_printf("%s/dhcpfoctl/config", xdg);
	return home != NULL ? fmt_printf("%s/.config/dhcpfoctl/config", home) : NULL;
}

/* Fill what the options left out from the file; -1 with err. */
static int
cfg_load(struct cli_opts *g, char *err, size_t errlen)
{
	static struct cfg c;	/* the values live as long as the process */
	int must, rc;
	char *path = cfg_path(&must);

	if (path == NULL)
		return 0;
	c.path = path;
	rc = ini_parse(path, cfg_key, &c);
	if (rc == -1 && !must) {
		free(path);
		return 0;
	}
	if (rc != 0) {
		if (rc > 0)
			snprintf(err, errlen, "%s:%d: %s", path, rc,
			    c.err[0] ? c.err : "syntax error");
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (size_t k = 0; k < NKEYS; k++)
		if (*slot(g, k) == NULL && c.val[k] != NULL && *c.val[k] != '\0')
			*slot(g, k) = c.val[k];
	return 0;
}

/* HOST[:PORT] (an IPv6 address in brackets) into r. */
static int
parse_server(const char *s, struct cli_remote *r, char *err, size_t errlen)
{
	const char *colon, *host = s, *end;

	if (*s == '[' && (end = strchr(s, ']')) != NULL) {
		host = s + 1;
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(s, ':');
		end = colon ? colon : s + strlen(s);
	}
	if (end == host || (size_t)(end - host) >= sizeof(r->host) ||
	    (colon != NULL && (strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= sizeof(r->port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1)))) {
		snprintf(err, errlen, "--server '%s' is not HOST[:PORT]", s);
		return -1;
	}
	snprintf(r->host, sizeof(r->host), "%.*s", (int)(end - host), host);
	snprintf(r->port, sizeof(r->port), "%s", colon ? colon + 1 : CLI_REMOTE_PORT);
	snprintf(r->name, sizeof(r->name), "%s:%s", r->host, r->port);
	return 0;
}

int
remote_setup(struct cli_opts *g, char *err, size_t errlen)
{
	static struct cli_remote r;
	const char *env = getenv("DHCPFOCTL_TOKEN");
	int explicit = g->server != NULL;

	if (env != NULL && *env != '\0')
		g->token = env;
	if (cfg_load(g, err, errlen) == -1)
		return -1;
	if (g->server == NULL || (!explicit && g->socket != NULL))
		return 0;	/* -s names the local socket over the file's server */
	if (explicit && g->socket != NULL) {
		snprintf(err, errlen, "-s and --server name two servers: give one");
		return -1;
	}
	if (g->cert == NULL || g->key == NULL || g->ca == NULL) {
		snprintf(err, errlen, "--server needs --cert, --key and --ca (or "
		    "cert, key and ca in ~/.config/dhcpfoctl/config): the "
		    "connection is mutual TLS");
		return -1;
	}
	if (parse_server(g->server, &r, err, errlen) == -1)
		return -1;
	r.cert = g->cert;
	r.key = g->key;
	r.ca = g->ca;
	r.token = g->token;
	rpc_set_remote(&r);
	return 1;
}

/* ---- token new ---- */

/* A token name: letters, digits, . _ @ -, 1 to 63 of them. */
static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") == n;
}

/* `dhcpfoctl token new NAME [--role admin|user]`: no server involved. The
 * token on the first line (shown once), the tokens file's line on the
 * second. */
static int
run_token_new(const struct cmd *c, json_t *params, const char *socket,
    double timeout)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	const char *role = json_string_value(json_object_get(params, "role"));
	char tok[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];

	if (role == NULL)
		role = "user";
	if (name == NULL || !name_ok(name) || (strcmp(role, "admin") != 0 &&
	    strcmp(role, "user") != 0)) {
		fprintf(stderr, "dhcpfoctl token new: NAME is 1 to 63 letters, "
		    "digits, '.', '_', '@', '-'; --role is admin or user\n");
		return CLI_EXIT_USAGE;
	}
	if (token_new(tok, hash) == -1) {
		fprintf(stderr, "dhcpfoctl token new: no randomness\n");
		return CLI_EXIT_CONNECT;
	}
	printf("%s\n%s %s %s\n", tok, name, role, hash);
	fprintf(stderr, "line 1: the token, for %s's ~/.config/dhcpfoctl/config "
	    "(token = ...); it is shown this once\nline 2: for the server's "
	    "[management] tokens file (dhcpfod restart to apply)\n", name);
	return CLI_EXIT_OK;
}

static const struct argdef a_token_new[] = {
	{ "NAME", "name", T_STR, ARG_REQUIRED, NULL,
	    "who holds it: the audit log's identity (token NAME)", NULL },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL }
};

static const struct argdef o_token_new[] = {
	{ "role", "role", T_STR, 0, "admin|user",
	    "DHCP Administrators or DHCP Users (default user)", NULL },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL }
};

const struct cmd cli_token_cmds[] = {
	{ "token", "new", NULL, "Make a bearer token for --server (no server needed).",
	    a_token_new, o_token_new, NULL, NULL, 0, run_token_new },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL }
};
