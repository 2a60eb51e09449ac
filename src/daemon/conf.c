/* Configuration file: INI through inih, one small parser per key, canonical print. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <grp.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "util.h"

struct conf_parse {
	struct conf	*conf;
	const char	*text;		/* the whole file */
	size_t		 pos;		/* reader position in text */
	int		 line;		/* number of the line last read */
	char		 msg[256];	/* our first error ... */
	int		 msgline;	/* ... and its line */
	uint64_t	 seen;		/* bit per key: duplicates are errors */
};

#define CONF_MAX_SIZE	(1024 * 1024)

typedef int (*key_fn)(struct conf *, const char *value, char *msg, size_t msglen);

/* A key: parsed by parse, or, when parse is NULL, an absolute path (or
 * empty) stored in the struct conf field at offset path. */
struct conf_key {
	const char	*section;
	const char	*name;
	key_fn		 parse;
	size_t		 path;
};

/* Replace a string field. */
static int
set_str(char **field, const char *value)
{
	char *s = strdup(value);

	if (s == NULL)
		return -1;
	free(*field);
	*field = s;
	return 0;
}

/* An unsigned decimal (or 0-prefixed octal when base 8) within [lo, hi]. */
static int
parse_uint(const char *v, int base, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	char *end;
	unsigned long n;

	if (*v == '\0' || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	n = strtoul(v, &end, base);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

/* interfaces = a, b, c (names only: IFNAMSIZ - 1 characters, no spaces). */
static int
key_interfaces(struct conf *c, const char *v, char *msg, size_t len)
{
	char *copy = strdup(v), *tok, *save = NULL;

	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (strlen(tok) > 15 || c->ninterfaces == CONF_MAX_IFACES) {
			snprintf(msg, len, "bad interface '%s' (at most %d names of "
			    "up to 15 characters)", tok, CONF_MAX_IFACES);
			free(copy);
			return -1;
		}
		if ((c->interfaces[c->ninterfaces++] = strdup(tok)) == NULL)
			break;
	}
	free(copy);
	return 0;
}

static int
key_database(struct conf *c, const char *v, char *msg, size_t len)
{
	if (*v != '/') {
		snprintf(msg, len, "database must be an absolute path");
		return -1;
	}
	return set_str(&c->database, v);
}

static int
key_socket(struct conf *c, const char *v, char *msg, size_t len)
{
	if (*v != '/' || strlen(v) >= 108) {
		snprintf(msg, len, "control-socket must be an absolute path shorter "
		    "than 108 bytes");
		return -1;
	}
	return set_str(&c->control_socket, v);
}

static int
key_socket_mode(struct conf *c, const char *v, char *msg, size_t len)
{
	unsigned long n;

	if (parse_uint(v, 8, 0, 0777, &n) == -1) {
		snprintf(msg, len, "control-socket-mode must be an octal mode "
		    "like 0660");
		return -1;
	}
	c->control_socket_mode = (mode_t)n;
	return 0;
}

static int
key_socket_group(struct conf *c, const char *v, char *msg, size_t len)
{
	struct group *gr = getgrnam(v);
	unsigned long n;

	if (gr != NULL)
		c->control_gid = gr->gr_gid;
	else if (parse_uint(v, 10, 0, 0x7fffffff, &n) == 0)
		c->control_gid = (gid_t)n;
	else {
		snprintf(msg, len, "unknown group '%s'", v);
		return -1;
	}
	return set_str(&c->control_socket_group, v);
}

static int
key_server_id(struct conf *c, const char *v, char *msg, size_t len)
{
	c->server_id = 0;
	if (*v == '\0')		/* the default: the first interface's address */
		return 0;
	if (addr_parse(v, &c->server_id) == -1 || c->server_id == 0) {
		snprintf(msg, len, "server-id '%s' is not an IPv4 address", v);
		return -1;
	}
	return 0;
}

static int
key_user(struct conf *c, const char *v, char *msg, size_t len)
{
	if (*v == '\0') {
		free(c->user);
		c->user = NULL;
		return 0;
	}
	return set_str(&c->user, v);
}

static int
key_log_level(struct conf *c, const char *v, char *msg, size_t len)
{
	if ((c->log_level = log_level_parse(v)) == -1) {
		snprintf(msg, len, "log-level must be error, warning, info or debug");
		return -1;
	}
	return 0;
}

static int
key_dhcp_port(struct conf *c, const char *v, char *msg, size_t len)
{
	unsigned long n;

	if (parse_uint(v, 10, 1, 65535, &n) == -1) {
		snprintf(msg, len, "dhcp-port must be 1..65535");
		return -1;
	}
	c->dhcp_port = (uint16_t)n;
	return 0;
}

/* listen = ADDRESS[:PORT] */
static int
key_listen(struct conf *c, const char *v, char *msg, size_t len)
{
	char buf[32], *colon;
	unsigned long port = 647;

	snprintf(buf, sizeof(buf), "%s", v);
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		if (parse_uint(colon + 1, 10, 1, 65535, &port) == -1)
			goto bad;
	}
	if (strlen(v) >= sizeof(buf) || addr_parse(buf, &c->fo_listen_addr) == -1)
		goto bad;
	c->fo_listen_port = (uint16_t)port;
	return 0;
bad:
	snprintf(msg, len, "listen must be ADDRESS[:PORT], e.g. 0.0.0.0:647");
	return -1;
}

/* metrics-listen = ADDRESS[:PORT], one address (the HTTP listener of the
 * metrics must not answer on every interface); empty: no listener. */
static int
key_metrics_listen(struct conf *c, const char *v, char *msg, size_t len)
{
	char buf[32], *colon;
	unsigned long port = CONF_METRICS_PORT;
	uint32_t a;

	c->metrics_addr = 0;
	c->metrics_port = 0;
	if (*v == '\0')
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		if (parse_uint(colon + 1, 10, 1, 65535, &port) == -1)
			goto bad;
	}
	if (strlen(v) >= sizeof(buf) || addr_parse(buf, &a) == -1)
		goto bad;
	if (a == 0 || a == 0xffffffff || (a >> 28) == 0xe) {
		snprintf(msg, len, "metrics-listen must name one address of this "
		    "host, e.g. 127.0.0.1:%d, not %s", CONF_METRICS_PORT, buf);
		return -1;
	}
	c->metrics_addr = a;
	c->metrics_port = (uint16_t)port;
	return 0;
bad:
	snprintf(msg, len, "metrics-listen must be empty or ADDRESS[:PORT], "
	    "e.g. 127.0.0.1:%d", CONF_METRICS_PORT);
	return -1;
}

/* dashboard-dir = an absolute directory holding the dashboard's files
 * (index.html ...), served on metrics-listen; empty: no dashboard. */
static int
key_dashboard_dir(struct conf *c, const char *v, char *msg, size_t len)
{
	if (*v != '\0' && (*v != '/' || strlen(v) >= 1024)) {
		snprintf(msg, len, "dashboard-dir must be empty or an absolute path "
		    "shorter than 1024 bytes");
		return -1;
	}
	return set_str(&c->dashboard_dir, v);
}

/* RATE = off | 0 | COUNT/s | COUNT/min | COUNT/h into r (burst untouched). */
static int
parse_rate(const char *v, struct conf_rate *r)
{
	static const struct {
		const char	*unit;
		uint32_t	 secs;
	} units[] = { { "s", 1 }, { "min", 60 }, { "h", 3600 } };
	char num[16];
	const char *slash = strchr(v, '/');
	unsigned long n;

	if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		r->count = 0;
		r->period = 1;
		return 0;
	}
	if (slash == NULL || (size_t)(slash - v) >= sizeof(num))
		return -1;
	snprintf(num, sizeof(num), "%.*s", (int)(slash - v), v);
	if (parse_uint(num, 10, 1, CONF_RATE_MAX, &n) == -1)
		return -1;
	for (size_t i = 0; i < nitems(units); i++)
		if (strcmp(slash + 1, units[i].unit) == 0) {
			r->count = (uint32_t)n;
			r->period = units[i].secs;
			return 0;
		}
	return -1;
}

/* mac-rate, relay-rate */
static int
key_rate(struct conf_rate *r, const char *key, const char *v, char *msg,
    size_t len)
{
	if (parse_rate(v, r) == 0)
		return 0;
	snprintf(msg, len, "%s must be off or COUNT/s, COUNT/min or COUNT/h "
	    "(COUNT 1..%d), e.g. 10/min", key, CONF_RATE_MAX);
	return -1;
}

/* mac-burst, relay-burst: 0 is the rate's count */
static int
key_burst(struct conf_rate *r, const char *key, const char *v, char *msg,
    size_t len)
{
	unsigned long n;

	if (parse_uint(v, 10, 0, CONF_RATE_MAX, &n) == 0) {
		r->burst = (uint32_t)n;
		return 0;
	}
	snprintf(msg, len, "%s must be 0..%d (0: the rate's count)", key,
	    CONF_RATE_MAX);
	return -1;
}

static int
key_mac_rate(struct conf *c, const char *v, char *msg, size_t len)
{
	return key_rate(&c->mac_rate, "mac-rate", v, msg, len);
}

static int
key_mac_burst(struct conf *c, const char *v, char *msg, size_t len)
{
	return key_burst(&c->mac_rate, "mac-burst", v, msg, len);
}

static int
key_relay_rate(struct conf *c, const char *v, char *msg, size_t len)
{
	return key_rate(&c->relay_rate, "relay-rate", v, msg, len);
}

static int
key_relay_burst(struct conf *c, const char *v, char *msg, size_t len)
{
	return key_burst(&c->relay_rate, "relay-burst", v, msg, len);
}

/* [management] listen = ADDRESS[:PORT]: one address of this host (like
 * metrics-listen); empty: no remote listener. */
static int
key_mgmt_listen(struct conf *c, const char *v, char *msg, size_t len)
{
	char buf[32], *colon;
	unsigned long port = CONF_MGMT_PORT;
	uint32_t a;

	c->mgmt_addr = 0;
	c->mgmt_port = 0;
	if (*v == '\0')
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		if (parse_uint(colon + 1, 10, 1, 65535, &port) == -1)
			goto bad;
	}
	if (strlen(v) >= sizeof(buf) || addr_parse(buf, &a) == -1 ||
	    a == 0 || a == 0xffffffff || (a >> 28) == 0xe)
		goto bad;
	c->mgmt_addr = a;
	c->mgmt_port = (uint16_t)port;
	return 0;
bad:
	snprintf(msg, len, "[management] listen must be empty or one address of "
	    "this host with an optional port, e.g. 10.0.0.1:%d", CONF_MGMT_PORT);
	return -1;
}

/* An absolute path, or empty for none. */
static int
set_path(char **field, const char *key, const char *v, char *msg, size_t len)
{
	if (*v == '\0') {
		free(*field);
		*field = NULL;
		return 0;
	}
	if (*v != '/') {
		snprintf(msg, len, "%s must be an absolute path", key);
		return -1;
	}
	return set_str(field, v);
}

/* partners = NAME=HOST[:PORT][, NAME=HOST[:PORT] ...]: the form only; the
 * drift checker (ctl_drift.c) parses it. */
static int
key_mgmt_partners(struct conf *c, const char *v, char *msg, size_t len)
{
	if (*v != '\0' && strchr(v, '=') == NULL) {
		snprintf(msg, len, "partners: NAME=HOST[:PORT][, NAME=HOST[:PORT]...]");
		return -1;
	}
	return set_str(&c->mgmt_partners, v);
}

static int
key_mgmt_drift_interval(struct conf *c, const char *v, char *msg, size_t len)
{
	unsigned long n;

	if (parse_uint(v, 10, 0, 86400, &n) == -1) {
		snprintf(msg, len, "drift-interval must be 0..86400 seconds");
		return -1;
	}
	c->mgmt_drift_interval = (unsigned)n;
	return 0;
}

/* token-without-certificate = yes|no (REMOTE.md §2, Bearer tokens): whether
 * an HTTPS request of the dashboard may authenticate by a bearer token
 * alone; JSON-RPC always needs the certificate. */
static int
key_mgmt_token_alone(struct conf *c, const char *v, char *msg, size_t len)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		c->mgmt_token_alone = v[0] == 'y';
		return 0;
	}
	snprintf(msg, len, "token-without-certificate must be yes or no");
	return -1;
}

/* admins / users = PATTERN [| PATTERN ...]; a pattern is ATTR=VALUE[,...]
 * or '*' (REMOTE.md, Roles). Only the form is checked here. */
static int
set_patterns(char **field, const char *key, const char *v, char *msg, size_t len)
{
	if (strpbrk(v, "\"\n") != NULL) {
		snprintf(msg, len, "%s: patterns are ATTR=VALUE[,ATTR=VALUE...] or *, "
		    "separated by |", key);
		return -1;
	}
	return set_str(field, v);
}

static int
key_mgmt_admins(struct conf *c, const char *v, char *msg, size_t len)
{
	return set_patterns(&c->mgmt_admins, "admins", v, msg, len);
}

static int
key_mgmt_users(struct conf *c, const char *v, char *msg, size_t len)
{
	return set_patterns(&c->mgmt_users, "users", v, msg, len);
}

#define PATH(field)	offsetof(struct conf, field)
static const struct conf_key conf_keys[] = {
	{ "server",	"interfaces",		key_interfaces, 0 },
	{ "server",	"database",		key_database, 0 },
	{ "server",	"control-socket",	key_socket, 0 },
	{ "server",	"control-socket-mode",	key_socket_mode, 0 },
	{ "server",	"control-socket-group",	key_socket_group, 0 },
	{ "server",	"server-id",		key_server_id, 0 },
	{ "server",	"user",			key_user, 0 },
	{ "server",	"log-level",		key_log_level, 0 },
	{ "server",	"dhcp-port",		key_dhcp_port, 0 },
	{ "server",	"metrics-listen",	key_metrics_listen, 0 },
	{ "server",	"dashboard-dir",	key_dashboard_dir, 0 },
	{ "failover",	"listen",		key_listen, 0 },
	{ "limits",	"mac-rate",		key_mac_rate, 0 },
	{ "limits",	"mac-burst",		key_mac_burst, 0 },
	{ "limits",	"relay-rate",		key_relay_rate, 0 },
	{ "limits",	"relay-burst",		key_relay_burst, 0 },
	{ "management",	"listen",		key_mgmt_listen, 0 },
	{ "management",	"certificate",		NULL, PATH(mgmt_cert) },
	{ "management",	"key",			NULL, PATH(mgmt_key) },
	{ "management",	"ca",			NULL, PATH(mgmt_ca) },
	{ "management",	"admins",		key_mgmt_admins, 0 },
	{ "management",	"users",		key_mgmt_users, 0 },
	{ "management",	"tokens",		NULL, PATH(mgmt_tokens) },
	{ "management",	"token-without-certificate", key_mgmt_token_alone, 0 },
	{ "management",	"audit-log",		NULL, PATH(audit_log) },
	{ "management",	"client-certificate",	NULL, PATH(mgmt_client_cert) },
	{ "management",	"client-key",		NULL, PATH(mgmt_client_key) },
	{ "management",	"partners",		key_mgmt_partners, 0 },
	{ "management",	"drift-interval",	key_mgmt_drift_interval, 0 },
};
#undef PATH
_Static_assert(nitems(conf_keys) <= 64, "conf_parse.seen has a bit per key");


/* inih callback: one key. Returning 0 makes ini_parse report this line. */
static int
conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct conf_parse *p = user;
	int known_section = 0;

	if (p->msg[0] != '\0')		/* the first error is already known */
		return 1;
	p->msgline = p->line;
	for (size_t i = 0; i < nitems(conf_keys); i++) {
		const struct conf_key *k = &conf_keys[i];

		if (strcmp(section, k->section) != 0)
			continue;
		known_section = 1;
		if (strcmp(name, conf_keys[i].name) != 0)
			continue;
		if (p->seen & ((uint64_t)1 << i)) {
			snprintf(p->msg, sizeof(p->msg), "duplicate key '%s'", name);
			return 0;
		}
		p->seen |= (uint64_t)1 << i;
		if ((k->parse != NULL ? k->parse(p->conf, value, p->msg, sizeof(p->msg)) :
		    set_path((char **)(void *)((char *)p->conf + k->path), k->name, value,
		    p->msg, sizeof(p->msg))) == 0)
			return 1;
		if (p->msg[0] == '\0')
			snprintf(p->msg, sizeof(p->msg), "out of memory");
		return 0;
	}
	if (!known_section)
		snprintf(p->msg, sizeof(p->msg), "unknown section '%s'", section);
	else
		snprintf(p->msg, sizeof(p->msg), "unknown key '%s'", name);
	return 0;
}

/* A conf holding every default of dhcpfod.conf(5). */
static struct conf *
conf_defaults(const char *path)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->path = strdup(path ? path : "(defaults)");
	c->database = strdup("/var/lib/dhcpfod/dhcpfod.db");
	c->control_socket = strdup("/run/dhcpfod/dhcpfod.sock");
	c->control_socket_group = strdup("root");
	c->dashboard_dir = strdup(DHCPFOD_WWWDIR);
	c->control_socket_mode = 0660;
	c->log_level = LOG_LVL_INFO;
	c->dhcp_port = 67;
	c->mgmt_drift_interval = 10;
	c->fo_listen_port = 647;
	/* dhcpfod.conf(5), [limits]: a client 10 new addresses a minute; relays
	 * unlimited */
	c->mac_rate = (struct conf_rate){ 10, 60, 10 };
	c->relay_rate = (struct conf_rate){ 0, 1, 0 };
	if (c->path == NULL || c->database == NULL || c->control_socket == NULL ||
	    c->control_socket_group == NULL || c->dashboard_dir == NULL) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* Whether a section name is one conf_keys knows. */
static int
section_known(const char *name, size_t len)
{
	for (size_t i = 0; i < nitems(conf_keys); i++)
		if (strlen(conf_keys[i].section) == len &&
		    strncmp(conf_keys[i].section, name, len) == 0)
			return 1;
	return 0;
}

/* A "[name]" line naming no known section is an error even with no key under
 * it, which inih alone would not report. */
static void
check_section(struct conf_parse *p, const char *line, size_t len)
{
	const char *close;

	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	if (len == 0 || *line != '[' || p->msg[0] != '\0' ||
	    (close = memchr(line, ']', len)) == NULL)
		return;
	if (!section_known(line + 1, (size_t)(close - line - 1))) {
		snprintf(p->msg, sizeof(p->msg), "unknown section '%.*s'",
		    (int)(close - line - 1), line + 1);
		p->msgline = p->line;
	}
}

/* inih's line reader over the text: counts lines, and turns a line too long
 * for inih into one it rejects ("[") at that line's own number. */
static char *
conf_reader(char *buf, int size, void *stream)
{
	struct conf_parse *p = stream;
	const char *line = p->text + p->pos, *nl;
	size_t len;

	if (*line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	len = nl ? (size_t)(nl - line) : strlen(line);
	p->pos += len + (nl != NULL);
	p->line++;
	if (len + 1 > (size_t)size) {
		snprintf(buf, (size_t)size, "[");
		return buf;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	check_section(p, buf, len);
	return buf;
}

/* What no single key can check: the listener's files, the audit log's
 * default (audit.log in the database's directory). */
static int
conf_finish(struct conf *c, char *err, size_t errlen)
{
	const char *slash;

	if (c->mgmt_port != 0 && (c->mgmt_cert == NULL || c->mgmt_key == NULL ||
	    c->mgmt_ca == NULL)) {
		snprintf(err, errlen, "%s: [management] listen needs certificate, key "
		    "and ca (there is no plaintext remote mode)", c->path);
		return -1;
	}
	if (c->mgmt_token_alone && c->mgmt_tokens == NULL) {
		snprintf(err, errlen, "%s: [management] token-without-certificate "
		    "needs tokens", c->path);
		return -1;
	}
	if (c->audit_log != NULL)
		return 0;
	slash = strrchr(c->database, '/');
	if (asprintf(&c->audit_log, "%.*s/audit.log", (int)(slash - c->database),
	    c->database) == -1) {
		c->audit_log = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Parse text; NULL + "NAME:LINE: message" on error. inih reports the first
 * failing line; the message is ours if it is about that line. */
static struct conf *
conf_parse_text(const char *text, const char *name, char *err, size_t errlen)
{
	struct conf_parse p = { 0 };
	int rc;

	if ((p.conf = conf_defaults(name)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strlen(text) > CONF_MAX_SIZE) {
		snprintf(err, errlen, "%s: larger than %d bytes", name, CONF_MAX_SIZE);
		conf_free(p.conf);
		return NULL;
	}
	p.text = text;
	rc = ini_parse_stream(conf_reader, &p, conf_handler, &p);
	if (p.msg[0] != '\0' && (rc == 0 || p.msgline < rc))
		rc = p.msgline;
	if (rc == 0) {
		if (conf_finish(p.conf, err, errlen) == 0)
			return p.conf;
	} else if (rc == -2)
		snprintf(err, errlen, "%s: out of memory", name);
	else if (p.msg[0] != '\0' && p.msgline == rc)
		snprintf(err, errlen, "%s:%d: %s", name, rc, p.msg);
	else
		snprintf(err, errlen, "%s:%d: syntax error (expected 'key = value' or "
		    "'[section]', lines of at most %d characters)", name, rc,
		    INI_MAX_LINE - 1);
	conf_free(p.conf);
	return NULL;
}

/* The whole file as a string; NULL with err set. */
static char *
read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(CONF_MAX_SIZE + 2)) == NULL)
		snprintf(err, errlen, "out of memory");
	else {
		n = fread(buf, 1, CONF_MAX_SIZE + 1, f);
		if (ferror(f)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			buf = NULL;
		} else if (memchr(buf, '\0', n) != NULL || n > CONF_MAX_SIZE) {
			snprintf(err, errlen, "%s: not a text file of at most %d bytes",
			    path, CONF_MAX_SIZE);
			free(buf);
			buf = NULL;
		} else
			buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct conf *c;
	char *text;

	if (path == NULL)
		return conf_parse_text("", "(defaults)", err, errlen);
	if ((text = read_file(path, err, errlen)) == NULL)
		return NULL;
	c = conf_parse_text(text, path, err, errlen);
	free(text);
	return c;
}

struct conf *
conf_load_string(const char *text, const char *name, char *err, size_t errlen)
{
	return conf_parse_text(text, name, err, errlen);
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->ninterfaces; i++)
		free(c->interfaces[i]);
	free(c->path);
	free(c->database);
	free(c->control_socket);
	free(c->control_socket_group);
	free(c->dashboard_dir);
	free(c->user);
	free(c->mgmt_cert);
	free(c->mgmt_key);
	free(c->mgmt_ca);
	free(c->mgmt_admins);
	free(c->mgmt_users);
	free(c->mgmt_tokens);
	free(c->mgmt_client_cert);
	free(c->mgmt_client_key);
	free(c->mgmt_partners);
	free(c->audit_log);
	free(c);
}

/* A rate as its key takes it, and its burst (the effective one). */
static void
print_rate(FILE *f, const char *name, const struct conf_rate *r)
{
	const char *unit = r->period == 3600 ? "h" : r->period == 60 ? "min" : "s";

	if (r->count == 0)
		fprintf(f, "%s-rate = off\n%s-burst = %u\n", name, name, r->burst);
	else
		fprintf(f, "%s-rate = %u/%s\n%s-burst = %u\n", name, r->count, unit,
		    name, r->burst ? r->burst : r->count);
}

void
conf_print(const struct conf *c, FILE *f)
{
	char a[16];

	fprintf(f, "[server]\ninterfaces = ");
	for (int i = 0; i < c->ninterfaces; i++)
		fprintf(f, "%s%s", i ? ", " : "", c->interfaces[i]);
	fprintf(f, "\ndatabase = %s\n", c->database);
	fprintf(f, "control-socket = %s\n", c->control_socket);
	fprintf(f, "control-socket-mode = %04o\n", (unsigned)c->control_socket_mode);
	fprintf(f, "control-socket-group = %s\n", c->control_socket_group);
	fprintf(f, "server-id = %s\n", c->server_id ? addr_str(c->server_id, a) : "");
	fprintf(f, "user = %s\n", c->user ? c->user : "");
	fprintf(f, "log-level = %s\n", log_level_name(c->log_level));
	fprintf(f, "dhcp-port = %u\n", c->dhcp_port);
	if (c->metrics_port != 0)
		fprintf(f, "metrics-listen = %s:%u\n", addr_str(c->metrics_addr, a),
		    c->metrics_port);
	else
		fprintf(f, "metrics-listen = \n");
	fprintf(f, "dashboard-dir = %s\n", c->dashboard_dir);
	fprintf(f, "\n[failover]\nlisten = %s:%u\n", addr_str(c->fo_listen_addr, a),
	    c->fo_listen_port);
	fprintf(f, "\n[limits]\n");
	print_rate(f, "mac", &c->mac_rate);
	print_rate(f, "relay", &c->relay_rate);
	fprintf(f, "\n[management]\n");
	if (c->mgmt_port != 0)
		fprintf(f, "listen = %s:%u\n", addr_str(c->mgmt_addr, a), c->mgmt_port);
	else
		fprintf(f, "listen = \n");
	fprintf(f, "certificate = %s\n", c->mgmt_cert ? c->mgmt_cert : "");
	fprintf(f, "key = %s\n", c->mgmt_key ? c->mgmt_key : "");
	fprintf(f, "ca = %s\n", c->mgmt_ca ? c->mgmt_ca : "");
	fprintf(f, "admins = %s\n", c->mgmt_admins ? c->mgmt_admins : "");
	fprintf(f, "users = %s\n", c->mgmt_users ? c->mgmt_users : "");
	fprintf(f, "tokens = %s\n", c->mgmt_tokens ? c->mgmt_tokens : "");
	fprintf(f, "token-without-certificate = %s\n", c->mgmt_token_alone ? "yes" :
	    "no");
	fprintf(f, "audit-log = %s\n", c->audit_log);
	fprintf(f, "client-certificate = %s\n",
	    c->mgmt_client_cert ? c->mgmt_client_cert : "");
	fprintf(f, "client-key = %s\n", c->mgmt_client_key ? c->mgmt_client_key : "");
	fprintf(f, "partners = %s\n", c->mgmt_partners ? c->mgmt_partners : "");
	fprintf(f, "drift-interval = %u\n", c->mgmt_drift_interval);
}
