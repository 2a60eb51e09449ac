/* Unit tests: the config file (docs/dhcpfod.conf.5): the defaults, the example file,
 * every error as "FILE:LINE: message", inline comments, and the canonical print
 * (DESIGN §4.7), which must parse back to itself and match the golden file.
 * File paths are relative to the top of the source tree, where `make unit` runs;
 * set DHCPFOD_SRCDIR to run the binary from elsewhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"
#include "log.h"
#include "util.h"

#define ERRLEN		512
#define NAME		"t.conf"
#define EXAMPLE		"conf/dhcpfod.conf"
#define GOLDEN		"tests/data/dhcpfod.conf.canonical"

#define A10		"aaaaaaaaaa"
#define A50		A10 A10 A10 A10 A10
#define SYNTAX		"syntax error (expected 'key = value' or '[section]', " \
			"lines of at most 199 characters)"
#define BAD_MODE	"control-socket-mode must be an octal mode like 0660"
#define BAD_PORT	"dhcp-port must be 1..65535"
#define BAD_LISTEN	"listen must be ADDRESS[:PORT], e.g. 0.0.0.0:647"
#define BAD_LEVEL	"log-level must be error, warning, info or debug"
#define BAD_SOCKET	"control-socket must be an absolute path shorter than 108 bytes"
#define BAD_IFACE	"(at most 16 names of up to 15 characters)"
#define BAD_METRICS	"metrics-listen must be empty or ADDRESS[:PORT], " \
			"e.g. 127.0.0.1:9967"
#define BAD_RATE(k)	k " must be off or COUNT/s, COUNT/min or COUNT/h " \
			"(COUNT 1..1000000), e.g. 10/min"
#define BAD_BURST(k)	k " must be 0..1000000 (0: the rate's count)"
#define BAD_MGMT	"[management] listen must be empty or one address of this " \
			"host with an optional port, e.g. 10.0.0.1:9968"
#define MGMT_FILES	"[management]\ncertificate = /etc/dhcpfod/tls/server.crt\n" \
			"key = /etc/dhcpfod/tls/server.key\n" \
			"ca = /etc/dhcpfod/tls/ca.crt\n"
#define NOT_ONE(a)	"metrics-listen must name one address of this host, " \
			"e.g. 127.0.0.1:9967, not " a

/* A path below the source tree. */
static const char *
srcpath(const char *rel, char *buf, size_t len)
{
	const char *top = getenv("DHCPFOD_SRCDIR");

	if (top == NULL || *top == '\0')
		return rel;
	snprintf(buf, len, "%s/%s", top, rel);
	return buf;
}

/* The whole content of a file, NUL-terminated, or a failed test. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r"), *m;
	char *buf = NULL;
	size_t n = 0;
	int c;

	ck_assert_msg(f != NULL, "cannot open %s (run from the source tree "
	    "or set DHCPFOD_SRCDIR)", path);
	ck_assert_ptr_nonnull(m = open_memstream(&buf, &n));
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* conf_print into a malloc'd string. */
static char *
printed(const struct conf *c)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);

	ck_assert_ptr_nonnull(m);
	conf_print(c, m);
	fclose(m);
	return buf;
}

/* conf_load_string that must succeed. */
static struct conf *
load_ok(const char *text, const char *name)
{
	char err[ERRLEN] = "";
	struct conf *c = conf_load_string(text, name, err, sizeof(err));

	ck_assert_msg(c != NULL, "refused %s: %s", text, err);
	return c;
}

/* Every field equals its default in dhcpfod.conf(5). */
static void
assert_defaults(const struct conf *c)
{
	ck_assert_int_eq(c->ninterfaces, 0);
	ck_assert_str_eq(c->database, "/var/lib/dhcpfod/dhcpfod.db");
	ck_assert_str_eq(c->control_socket, "/run/dhcpfod/dhcpfod.sock");
	ck_assert_uint_eq(c->control_socket_mode, 0660);
	ck_assert_str_eq(c->control_socket_group, "root");
	ck_assert_uint_eq(c->control_gid, 0);
	ck_assert_uint_eq(c->server_id, 0);
	ck_assert_ptr_null(c->user);
	ck_assert_int_eq(c->log_level, LOG_LVL_INFO);
	ck_assert_str_eq(log_level_name(c->log_level), "info");
	ck_assert_uint_eq(c->dhcp_port, 67);
	ck_assert_uint_eq(c->fo_listen_addr, 0);
	ck_assert_uint_eq(c->fo_listen_port, 647);
	ck_assert_uint_eq(c->metrics_port, 0);
	/* [limits]: 10 new addresses a minute per client, relays unlimited */
	ck_assert_uint_eq(c->mac_rate.count, 10);
	ck_assert_uint_eq(c->mac_rate.period, 60);
	ck_assert_uint_eq(c->mac_rate.burst, 10);
	ck_assert_uint_eq(c->relay_rate.count, 0);
	ck_assert_uint_eq(c->relay_rate.burst, 0);
	ck_assert_uint_eq(c->mgmt_port, 0);
	ck_assert_ptr_null(c->mgmt_cert);
	ck_assert_ptr_null(c->mgmt_admins);
	ck_assert_str_eq(c->audit_log, "/var/lib/dhcpfod/audit.log");
}

/* Texts that set nothing: comments, blank lines, empty known sections. */
static const char *const default_texts[] = {
	"",
	"\n\n\n",
	"; a comment\n# another\n",
	"[server]\n[failover]\n",
	"[failover] ; nothing here\n\n[server]\n; still nothing\n",
	"[limits]\n",
	"[limits]\nmac-rate = 10/min\nmac-burst = 10\nrelay-rate = off\n",
};

START_TEST(test_defaults)
{
	struct conf *c = load_ok(default_texts[_i], NAME);

	ck_assert_str_eq(c->path, NAME);
	assert_defaults(c);
	conf_free(c);
}
END_TEST

START_TEST(test_defaults_no_file)
{
	char err[ERRLEN] = "";
	struct conf *c = conf_load(NULL, err, sizeof(err));

	ck_assert_msg(c != NULL, "conf_load(NULL): %s", err);
	assert_defaults(c);
	conf_free(c);
}
END_TEST

/* conf/dhcpfod.conf, field by field. */
START_TEST(test_example_file)
{
	char err[ERRLEN] = "", buf[4096];
	const char *path = srcpath(EXAMPLE, buf, sizeof(buf));
	struct conf *c = conf_load(path, err, sizeof(err));

	ck_assert_msg(c != NULL, "%s refused: %s", path, err);
	ck_assert_str_eq(c->path, path);
	ck_assert_int_eq(c->ninterfaces, 1);
	ck_assert_str_eq(c->interfaces[0], "veth0");
	ck_assert_str_eq(c->database, "/var/lib/dhcpfod/dhcpfod.db");
	ck_assert_str_eq(c->control_socket, "/run/dhcpfod/dhcpfod.sock");
	ck_assert_uint_eq(c->control_socket_mode, 0660);
	ck_assert_str_eq(c->control_socket_group, "root");
	ck_assert_uint_eq(c->control_gid, 0);
	ck_assert_uint_eq(c->server_id, 0x0a4d0001);	/* 10.77.0.1 */
	ck_assert_ptr_null(c->user);
	ck_assert_int_eq(c->log_level, LOG_LVL_INFO);
	ck_assert_uint_eq(c->dhcp_port, 67);
	ck_assert_uint_eq(c->fo_listen_addr, 0);
	ck_assert_uint_eq(c->fo_listen_port, 647);
	ck_assert_uint_eq(c->metrics_port, 0);
	ck_assert_uint_eq(c->mac_rate.count, 10);
	ck_assert_uint_eq(c->mac_rate.period, 60);
	ck_assert_uint_eq(c->mac_rate.burst, 10);
	ck_assert_uint_eq(c->relay_rate.count, 0);
	conf_free(c);
}
END_TEST

/* Accepted texts: each must put `line` into the canonical print. */
static const struct accept_case {
	const char	*text;
	const char	*line;
} accept_cases[] = {
	{ "[server]\ninterfaces = eth0\n", "interfaces = eth0" },
	{ "[server]\ninterfaces = eth0, eth1 ,eth2\n",
	  "interfaces = eth0, eth1, eth2" },
	{ "[server]\ninterfaces = eth0 eth1\n", "interfaces = eth0, eth1" },
	{ "[server]\ninterfaces = ,,\n", "interfaces = " },
	{ "[server]\ninterfaces = abcdefghijklmno\n", "interfaces = abcdefghijklmno" },
	{ "[server]\ninterfaces = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n",
	  "interfaces = a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p" },
	{ "[server]\ndatabase = /srv/d.db\n", "database = /srv/d.db" },
	/* inline comments need whitespace before ';' (inih) */
	{ "[server]\ndatabase = /srv/d.db ; where leases live\n",
	  "database = /srv/d.db" },
	{ "[server]\ndatabase = /srv/d.db\t; tab before\n", "database = /srv/d.db" },
	{ "[server]\ndatabase = /srv/a;b.db\n", "database = /srv/a;b.db" },
	/* the longest line the message promises: 199 characters */
	{ "[server]\ndatabase = /" A50 A50 A50 A10 A10 A10 "aaaaaaa\n",
	  "database = /" A50 A50 A50 A10 A10 A10 "aaaaaaa" },
	{ "[server]\ncontrol-socket = /tmp/x.sock\n", "control-socket = /tmp/x.sock" },
	{ "[server]\ncontrol-socket = /" A50 A50 "123456\n",
	  "control-socket = /" A50 A50 "123456" },		/* 107 bytes */
	{ "[server]\ncontrol-socket-mode = 0600\n", "control-socket-mode = 0600" },
	{ "[server]\ncontrol-socket-mode = 660\n", "control-socket-mode = 0660" },
	{ "[server]\ncontrol-socket-mode = 0\n", "control-socket-mode = 0000" },
	{ "[server]\ncontrol-socket-mode = 0777 ; rwx\n",
	  "control-socket-mode = 0777" },
	{ "[server]\ncontrol-socket-group = root\n", "control-socket-group = root" },
	{ "[server]\ncontrol-socket-group = 4242\n", "control-socket-group = 4242" },
	{ "[server]\nserver-id = 192.0.2.1 ; ours\n", "server-id = 192.0.2.1" },
	{ "[server]\nserver-id = 255.255.255.255\n", "server-id = 255.255.255.255" },
	{ "[server]\nuser = nobody\n", "user = nobody" },
	{ "[server]\nuser =\n", "user = " },
	{ "[server]\nuser =    ; stay\n", "user = " },
	{ "[server]\nlog-level = error\n", "log-level = error" },
	{ "[server]\nlog-level = warning\n", "log-level = warning" },
	{ "[server]\nlog-level = debug\n", "log-level = debug" },
	{ "[server]\ndhcp-port = 1\n", "dhcp-port = 1" },
	{ "[server]\ndhcp-port=6767\n", "dhcp-port = 6767" },
	{ "[server]\ndhcp-port = 65535\n", "dhcp-port = 65535" },
	{ "[server]\r\ndhcp-port = 68\r\n", "dhcp-port = 68" },
	{ "[server] ; comment\ndhcp-port = 69 ; comment\n", "dhcp-port = 69" },
	{ "[failover]\nlisten = 192.0.2.1\n", "listen = 192.0.2.1:647" },
	{ "[failover]\nlisten = 127.0.0.1:8647\n", "listen = 127.0.0.1:8647" },
	{ "[failover]\nlisten = 10.0.0.1:1 ; low\n", "listen = 10.0.0.1:1" },
	{ "[failover]\nlisten = 10.0.0.1:65535\n", "listen = 10.0.0.1:65535" },
	{ "[failover]\nlisten = 1.2.3.4:5\n[server]\ndhcp-port = 6\n",
	  "dhcp-port = 6" },
	{ "[server]\nmetrics-listen = 127.0.0.1:9967\n",
	  "metrics-listen = 127.0.0.1:9967" },
	{ "[server]\nmetrics-listen = 127.0.0.1\n",
	  "metrics-listen = 127.0.0.1:9967" },
	{ "[server]\nmetrics-listen = 10.77.0.1:80 ; explicit\n",
	  "metrics-listen = 10.77.0.1:80" },
	{ "[server]\nmetrics-listen =\n", "metrics-listen = " },
	{ "[server]\nmetrics-listen =   ; off\n", "metrics-listen = " },
	{ "[limits]\nmac-rate = 1/s\n", "mac-rate = 1/s\nmac-burst = 10" },
	{ "[limits]\nmac-rate = 5/min\nmac-burst = 0\n",
	  "mac-rate = 5/min\nmac-burst = 5" },
	{ "[limits]\nmac-rate = 100/h\nmac-burst = 3\n",
	  "mac-rate = 100/h\nmac-burst = 3" },
	{ "[limits]\nmac-rate = off\n", "mac-rate = off\nmac-burst = 10" },
	{ "[limits]\nmac-rate = 0\n", "mac-rate = off" },
	{ "[limits]\nrelay-rate = 50/s ; a building's surge\n",
	  "relay-rate = 50/s\nrelay-burst = 50" },
	{ "[limits]\nrelay-burst = 200\nrelay-rate = 1000000/s\n",
	  "relay-rate = 1000000/s\nrelay-burst = 200" },
	{ "[limits]\nrelay-burst = 1000000\n", "relay-burst = 1000000" },
	/* [management] (REMOTE.md) */
	{ MGMT_FILES "listen = 10.0.0.1\n", "listen = 10.0.0.1:9968" },
	{ MGMT_FILES "listen = 10.0.0.1:443\n", "listen = 10.0.0.1:443" },
	{ MGMT_FILES, "certificate = /etc/dhcpfod/tls/server.crt" },
	{ MGMT_FILES, "ca = /etc/dhcpfod/tls/ca.crt" },
	{ "[management]\nadmins = OU=dhcp-admins,O=Lab | CN=ops\n",
	  "admins = OU=dhcp-admins,O=Lab | CN=ops" },
	{ "[management]\nusers = *\n", "users = *" },
	{ "[management]\ntokens = /etc/dhcpfod/tokens\n", "tokens = /etc/dhcpfod/tokens" },
	{ "[management]\ntokens = /etc/dhcpfod/tokens\ntoken-without-certificate = yes\n",
	    "token-without-certificate = yes" },
	{ "[management]\naudit-log = /var/log/dhcpfod-audit.log\n",
	  "audit-log = /var/log/dhcpfod-audit.log" },
	{ "[server]\ndatabase = /srv/d/x.db\n", "audit-log = /srv/d/audit.log" },
	{ "", "audit-log = /var/lib/dhcpfod/audit.log" },
	{ "[management]\nlisten =\n", "listen = " },
};

START_TEST(test_accept)
{
	const struct accept_case *t = &accept_cases[_i];
	struct conf *c = load_ok(t->text, NAME);
	char *out = printed(c), want[512];

	snprintf(want, sizeof(want), "\n%s\n", t->line);
	ck_assert_msg(strstr(out, want) != NULL, "%s: no line '%s' in\n%s",
	    t->text, t->line, out);
	free(out);
	conf_free(c);
}
END_TEST

/* The group resolves to its gid: by name, or a number as is. */
static const struct gid_case {
	const char	*text;
	gid_t		 gid;
} gid_cases[] = {
	{ "[server]\ncontrol-socket-group = root\n", 0 },
	{ "[server]\ncontrol-socket-group = 0\n", 0 },
	{ "[server]\ncontrol-socket-group = 4242\n", 4242 },
};

START_TEST(test_group_gid)
{
	struct conf *c = load_ok(gid_cases[_i].text, NAME);

	ck_assert_uint_eq(c->control_gid, gid_cases[_i].gid);
	conf_free(c);
}
END_TEST

/* Refused texts and the exact "NAME:LINE: message". */
static const struct reject_case {
	const char	*text;
	const char	*err;
} reject_cases[] = {
	{ "[server]\nx = 1\n", NAME ":2: unknown key 'x'" },
	{ "[failover]\nx = 1\n", NAME ":2: unknown key 'x'" },
	{ "[failover]\ndhcp-port = 67\n", NAME ":2: unknown key 'dhcp-port'" },
	{ "[server]\nlisten = 0.0.0.0:647\n", NAME ":2: unknown key 'listen'" },
	{ "[server]\nDatabase = /x\n", NAME ":2: unknown key 'Database'" },
	{ "; c\n\n[server]\n; c\nfoo = bar ; c\n", NAME ":5: unknown key 'foo'" },
	/* reported at the section's own line */
	{ "[bogus]\nkey = 1\n", NAME ":1: unknown section 'bogus'" },
	{ "[Server]\ndhcp-port = 67\n", NAME ":1: unknown section 'Server'" },
	/* an unknown section is an error even without keys (dhcpfod.conf(5)) */
	{ "[server]\n[bogus]\n", NAME ":2: unknown section 'bogus'" },
	{ "[server]\ndhcp-port = 67\n\ndhcp-port = 68\n",
	  NAME ":4: duplicate key 'dhcp-port'" },
	{ "[server]\nuser = a\n[failover]\nlisten = 1.2.3.4\n[server]\nuser = b\n",
	  NAME ":6: duplicate key 'user'" },
	{ "[failover]\nlisten = 1.2.3.4\nlisten = 1.2.3.5\n",
	  NAME ":3: duplicate key 'listen'" },
	{ "[server]\ncontrol-socket-mode = 0888\n", NAME ":2: " BAD_MODE },
	{ "[server]\ncontrol-socket-mode = 01000\n", NAME ":2: " BAD_MODE },
	{ "[server]\ncontrol-socket-mode = 0x1ff\n", NAME ":2: " BAD_MODE },
	{ "[server]\ncontrol-socket-mode = -1\n", NAME ":2: " BAD_MODE },
	{ "[server]\ncontrol-socket-mode = rw\n", NAME ":2: " BAD_MODE },
	{ "[server]\ncontrol-socket-mode =\n", NAME ":2: " BAD_MODE },
	{ "[server]\ndhcp-port = 0\n", NAME ":2: " BAD_PORT },
	{ "[server]\ndhcp-port = 65536\n", NAME ":2: " BAD_PORT },
	{ "[server]\ndhcp-port = abc\n", NAME ":2: " BAD_PORT },
	{ "[server]\ndhcp-port = 67x\n", NAME ":2: " BAD_PORT },
	{ "[server]\ndhcp-port = -67\n", NAME ":2: " BAD_PORT },
	{ "[server]\ndhcp-port = +67\n", NAME ":2: " BAD_PORT },
	{ "[server]\ndhcp-port = 18446744073709551617\n", NAME ":2: " BAD_PORT },
	{ "[server]\ndhcp-port =\n", NAME ":2: " BAD_PORT },
	{ "[failover]\nlisten = 1.2.3.4:0\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten = 1.2.3.4:65536\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten = 1.2.3.4:abc\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten = 1.2.3.4:\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten = 1.2.3:647\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten = 1.2.3.256\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten = partner.example:647\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten = :647\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten = 1.2.3.4:647:1\n", NAME ":2: " BAD_LISTEN },
	{ "[failover]\nlisten =\n", NAME ":2: " BAD_LISTEN },
	{ "[server]\nmetrics-listen = 0.0.0.0:9967\n", NAME ":2: " NOT_ONE("0.0.0.0") },
	{ "[server]\nmetrics-listen = 0.0.0.0\n", NAME ":2: " NOT_ONE("0.0.0.0") },
	{ "[server]\nmetrics-listen = 255.255.255.255:1\n",
	  NAME ":2: " NOT_ONE("255.255.255.255") },
	{ "[server]\nmetrics-listen = 224.0.0.1:9967\n",
	  NAME ":2: " NOT_ONE("224.0.0.1") },
	{ "[server]\nmetrics-listen = 127.0.0.1:0\n", NAME ":2: " BAD_METRICS },
	{ "[server]\nmetrics-listen = 127.0.0.1:65536\n", NAME ":2: " BAD_METRICS },
	{ "[server]\nmetrics-listen = localhost:9967\n", NAME ":2: " BAD_METRICS },
	{ "[server]\nmetrics-listen = :9967\n", NAME ":2: " BAD_METRICS },
	{ "[server]\nmetrics-listen = 127.0.0.1:\n", NAME ":2: " BAD_METRICS },
	{ "[failover]\nmetrics-listen = 127.0.0.1\n",
	  NAME ":2: unknown key 'metrics-listen'" },
	{ "[server]\nmetrics-listen = 127.0.0.1\nmetrics-listen = 127.0.0.2\n",
	  NAME ":3: duplicate key 'metrics-listen'" },
	{ "[server]\nserver-id = 10.77.0\n",
	  NAME ":2: server-id '10.77.0' is not an IPv4 address" },
	{ "[server]\nserver-id = 10.77.0.256\n",
	  NAME ":2: server-id '10.77.0.256' is not an IPv4 address" },
	{ "[server]\nserver-id = host\n",
	  NAME ":2: server-id 'host' is not an IPv4 address" },
	{ "[server]\nserver-id = 0.0.0.0\n",
	  NAME ":2: server-id '0.0.0.0' is not an IPv4 address" },
	{ "[server]\nlog-level = verbose\n", NAME ":2: " BAD_LEVEL },
	{ "[server]\nlog-level = INFO\n", NAME ":2: " BAD_LEVEL },
	{ "[server]\nlog-level =\n", NAME ":2: " BAD_LEVEL },
	{ "[server]\ndatabase = var/lib/dhcpfod.db\n",
	  NAME ":2: database must be an absolute path" },
	{ "[server]\ndatabase = ./dhcpfod.db\n",
	  NAME ":2: database must be an absolute path" },
	{ "[server]\ndatabase =\n", NAME ":2: database must be an absolute path" },
	{ "[server]\ncontrol-socket = run/x.sock\n", NAME ":2: " BAD_SOCKET },
	{ "[server]\ncontrol-socket = /" A50 A50 "1234567\n",	/* 108 bytes */
	  NAME ":2: " BAD_SOCKET },
	{ "[server]\ninterfaces = abcdefghijklmnop\n",
	  NAME ":2: bad interface 'abcdefghijklmnop' " BAD_IFACE },
	{ "[server]\ninterfaces = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n",
	  NAME ":2: bad interface 'q' " BAD_IFACE },
	{ "[server]\nfoo\n", NAME ":2: " SYNTAX },
	{ "[server]\ndhcp-port = 67\ndhcp-port 68\n", NAME ":3: " SYNTAX },
	{ "[server\ndhcp-port = 67\n", NAME ":1: " SYNTAX },
	/* a later line's error does not borrow an earlier syntax error's number */
	{ "[server]\nfoo\nx = 1\n", NAME ":2: " SYNTAX },
	/* a line over the limit is reported at its own number */
	{ "[server]\ndatabase = /" A50 A50 A50 A10 A10 A10 "aaaaaaaa\n",
	  NAME ":2: " SYNTAX },				/* 200 characters */
	{ "[server]\ndatabase = /" A50 A50 A50 A50 A50 "\n", NAME ":2: " SYNTAX },
	{ "[server]\ncontrol-socket-group = no-such-group-dhcpfod\n",
	  NAME ":2: unknown group 'no-such-group-dhcpfod'" },
	{ "[server]\ncontrol-socket-group = -1\n", NAME ":2: unknown group '-1'" },
	/* the first error wins */
	{ "[server]\nx = 1\ndhcp-port = 0\n[bogus]\ny = 2\n",
	  NAME ":2: unknown key 'x'" },
	{ "[server]\ndhcp-port = 0\nx = 1\n", NAME ":2: " BAD_PORT },
	{ "[limits]\nmac-rate = 10\n", NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nmac-rate = 10/m\n", NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nmac-rate = 0/s\n", NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nmac-rate = -1/s\n", NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nmac-rate = 1000001/s\n", NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nmac-rate = /s\n", NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nmac-rate = 10/min/s\n", NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nmac-rate = 12345678901234567/s\n",
	  NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nmac-rate =\n", NAME ":2: " BAD_RATE("mac-rate") },
	{ "[limits]\nrelay-rate = on\n", NAME ":2: " BAD_RATE("relay-rate") },
	{ "[limits]\nmac-burst = -1\n", NAME ":2: " BAD_BURST("mac-burst") },
	{ "[limits]\nrelay-burst = 1000001\n", NAME ":2: " BAD_BURST("relay-burst") },
	{ "[limits]\nrelay-burst = x\n", NAME ":2: " BAD_BURST("relay-burst") },
	{ "[limits]\nmac-rate = 1/s\nmac-rate = 2/s\n",
	  NAME ":3: duplicate key 'mac-rate'" },
	{ "[server]\nmac-rate = 1/s\n", NAME ":2: unknown key 'mac-rate'" },
	{ "[limits]\nlisten = 1.2.3.4\n", NAME ":2: unknown key 'listen'" },
	{ "[management]\nlisten = 10.0.0.1\n", NAME ": [management] listen needs "
	  "certificate, key and ca (there is no plaintext remote mode)" },
	{ "[management]\nlisten = 10.0.0.1\ncertificate = /c\nkey = /k\n",
	  NAME ": [management] listen needs certificate, key and ca (there is "
	  "no plaintext remote mode)" },
	{ "[management]\nlisten = 0.0.0.0:9968\n", NAME ":2: " BAD_MGMT },
	{ "[management]\nlisten = host:9968\n", NAME ":2: " BAD_MGMT },
	{ "[management]\nlisten = 10.0.0.1:0\n", NAME ":2: " BAD_MGMT },
	{ "[management]\ncertificate = server.crt\n",
	  NAME ":2: certificate must be an absolute path" },
	{ "[management]\naudit-log = audit.log\n",
	  NAME ":2: audit-log must be an absolute path" },
	{ "[management]\ntoken = x\n", NAME ":2: unknown key 'token'" },
	{ "[management]\ntokens = tokens\n", NAME ":2: tokens must be an absolute path" },
	{ "[management]\ntoken-without-certificate = maybe\n",
	    NAME ":2: token-without-certificate must be yes or no" },
	{ "[management]\ntoken-without-certificate = yes\n",
	    NAME ": [management] token-without-certificate needs tokens" },
};

START_TEST(test_reject)
{
	const struct reject_case *t = &reject_cases[_i];
	char err[ERRLEN] = "";
	struct conf *c = conf_load_string(t->text, NAME, err, sizeof(err));
	int accepted = c != NULL;

	conf_free(c);
	ck_assert_msg(!accepted, "accepted: %s", t->text);
	ck_assert_str_eq(err, t->err);
}
END_TEST

/* conf_load reports errors under the file's own name. */
START_TEST(test_load_file_errors)
{
	char tmpl[] = "/tmp/check_conf.XXXXXX", err[ERRLEN] = "", want[ERRLEN];
	int fd = mkstemp(tmpl);
	FILE *f;

	ck_assert_int_ne(fd, -1);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fputs("[server]\ndhcp-port = 67\nbogus = 1\n", f);
	fclose(f);
	ck_assert_ptr_null(conf_load(tmpl, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:3: unknown key 'bogus'", tmpl);
	ck_assert_str_eq(err, want);
	unlink(tmpl);

	ck_assert_ptr_null(conf_load(tmpl, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: No such file or directory", tmpl);
	ck_assert_str_eq(err, want);
}
END_TEST

/* Texts whose canonical print must parse back to the same print. */
static const char *const roundtrip_texts[] = {
	"",
	"[server]\nserver-id = 10.77.0.1\n",
	"[server]\ninterfaces = veth0\nserver-id = 10.77.0.1\n",
	"[server]\ninterfaces = a, b,c\ndatabase = /srv/x.db\n"
	    "control-socket = /tmp/s.sock\ncontrol-socket-mode = 600\n"
	    "control-socket-group = 4242\nserver-id = 192.0.2.7\nuser = nobody\n"
	    "log-level = debug\ndhcp-port = 6767\nmetrics-listen = 127.0.0.2\n"
	    "[failover]\nlisten = 127.0.0.1:8647\n",
	"[server]\nserver-id = 1.2.3.4\nlog-level = error\n"
	    "[failover]\nlisten = 192.0.2.1 ; default port\n",
	"[limits]\nmac-rate = off\nmac-burst = 0\nrelay-rate = 20/s\n",
	"[limits]\nmac-rate = 3/h\nrelay-rate = 7/min\nrelay-burst = 9\n",
};

START_TEST(test_roundtrip)
{
	struct conf *c = load_ok(roundtrip_texts[_i], NAME), *back;
	char *first = printed(c), *second, err[ERRLEN] = "";

	back = conf_load_string(first, "printed", err, sizeof(err));
	ck_assert_msg(back != NULL, "canonical print does not parse back: %s\n%s",
	    err, first);
	second = printed(back);
	ck_assert_str_eq(second, first);
	free(first);
	free(second);
	conf_free(c);
	conf_free(back);
}
END_TEST

/* The example prints exactly as the golden file, which prints as itself. */
START_TEST(test_golden)
{
	char err[ERRLEN] = "", b1[4096], b2[4096];
	const char *golden_path = srcpath(GOLDEN, b2, sizeof(b2));
	char *golden = slurp(golden_path), *out;
	struct conf *c = conf_load(srcpath(EXAMPLE, b1, sizeof(b1)), err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	out = printed(c);
	ck_assert_str_eq(out, golden);
	free(out);
	conf_free(c);

	c = conf_load(golden_path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	out = printed(c);
	ck_assert_str_eq(out, golden);
	free(out);
	conf_free(c);
	free(golden);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("defaults");
	tcase_add_loop_test(tc, test_defaults, 0, nitems(default_texts));
	tcase_add_test(tc, test_defaults_no_file);
	tcase_add_test(tc, test_example_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("accept");
	tcase_add_loop_test(tc, test_accept, 0, nitems(accept_cases));
	tcase_add_loop_test(tc, test_group_gid, 0, nitems(gid_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_loop_test(tc, test_reject, 0, nitems(reject_cases));
	tcase_add_test(tc, test_load_file_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("canonical");
	tcase_add_loop_test(tc, test_roundtrip, 0, nitems(roundtrip_texts));
	tcase_add_test(tc, test_golden);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
