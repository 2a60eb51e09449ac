/* The daemon's configuration file (dhcpfod.conf(5)): parse into a fresh object, print
 * it back canonically, swap whole on reload. */
#ifndef DHCPFOD_CONF_H
#define DHCPFOD_CONF_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CONF_DEFAULT_PATH	"/etc/dhcpfod/dhcpfod.conf"
#define CONF_MAX_IFACES		16
#define CONF_METRICS_PORT	9967	/* metrics-listen without a port */
#ifndef DHCPFOD_WWWDIR			/* the Makefile's $(PREFIX)/share/dhcpfod/www */
#define DHCPFOD_WWWDIR		"/usr/local/share/dhcpfod/www"
#endif
#define CONF_RATE_MAX		1000000	/* a rate's count and a burst at most */

/* A token bucket ([limits], dhcpfod.conf(5)): `count` new allocations per
 * `period` seconds, up to `burst` at once (0: as many as count); count 0
 * is no limit. */
struct conf_rate {
	uint32_t	count;
	uint32_t	period;		/* 1, 60 or 3600 */
	uint32_t	burst;
};
#define CONF_MGMT_PORT		9968	/* [management] listen without a port */

struct conf {
	char		*path;			/* file it came from */
	char		*interfaces[CONF_MAX_IFACES];
	int		 ninterfaces;
	char		*database;
	char		*control_socket;
	mode_t		 control_socket_mode;
	char		*control_socket_group;
	gid_t		 control_gid;		/* resolved group */
	uint32_t	 server_id;		/* 0: first address of the first interface */
	char		*user;			/* NULL: stay */
	int		 log_level;		/* enum log_level */
	uint16_t	 dhcp_port;
	uint32_t	 metrics_addr;		/* metrics-listen; */
	uint16_t	 metrics_port;		/* 0: no HTTP listener */
	char		*dashboard_dir;		/* the dashboard's files; "": none */
	uint32_t	 fo_listen_addr;
	uint16_t	 fo_listen_port;
	struct conf_rate mac_rate;		/* per client hardware address */
	struct conf_rate relay_rate;		/* per relay (giaddr) or interface */
	/* [management]: the remote JSON-RPC listener over mutual TLS (REMOTE.md) */
	uint32_t	 mgmt_addr;
	uint16_t	 mgmt_port;		/* 0: no remote listener */
	char		*mgmt_cert;		/* server certificate (PEM), NULL: none */
	char		*mgmt_key;		/* its private key (PEM) */
	char		*mgmt_ca;		/* CA that signs client certificates */
	char		*mgmt_admins;		/* subject patterns, '|'-separated */
	char		*mgmt_users;
	char		*mgmt_tokens;		/* bearer tokens' file, NULL: none */
	int		 mgmt_token_alone;	/* HTTPS: a token without a certificate */
	/* the daemon as a TLS client of its partners' listeners (REMOTE.md §8) */
	char		*mgmt_client_cert;	/* NULL: no drift detection */
	char		*mgmt_client_key;
	char		*mgmt_partners;		/* "NAME=HOST:PORT, ..." */
	unsigned	 mgmt_drift_interval;	/* seconds; 0: off */
	char		*audit_log;		/* default: audit.log beside the database */
};

/* Parse `path` (NULL: defaults only). On error returns NULL and writes
 * "FILE:LINE: message" into err. The caller frees with conf_free. */
struct conf *conf_load(const char *path, char *err, size_t errlen);
/* Parse a config held in memory (fuzzing, tests); `name` stands for the file. */
struct conf *conf_load_string(const char *text, const char *name, char *err,
	    size_t errlen);
void	conf_free(struct conf *);
/* The canonical form: every key, in order, with its effective value. */
void	conf_print(const struct conf *, FILE *);

#endif
