/* The daemon context: reload and the server identifier. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"
#include "daemon.h"
#include "log.h"
#include "privdrop.h"
#include "util.h"

#define SWAP(t, a, b)	do { t swap_ = (a); (a) = (b); (b) = swap_; } while (0)

/* Keys that only take effect at start: keep the running value, say so. */
static void
reload_keep(const char *key, const char *now, const char *want)
{
	if (strcmp(now, want) != 0)
		log_warnx("reload: %s changed to %s; it takes effect at restart "
		    "(still %s)%s", key, want, now, privdrop_dropped() ?
		    ": the privileges it needs were dropped at start" : "");
}

/* "a, b" of the interfaces, for comparing and logging. */
static const char *
ifaces_str(const struct conf *c, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < c->ninterfaces; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
		    c->interfaces[i]);
	return buf;
}

/* The keys bound to sockets or to the process (interfaces, dhcp-port, the
 * failover and metrics listeners, user) keep their running values in nc: old and nc
 * trade them, so old is freed with the new ones. */
static void
reload_keep_bound(struct conf *old, struct conf *nc)
{
	char a[256], b[256], ip[16];
	char *tmp[CONF_MAX_IFACES];
	int n = nc->ninterfaces;

	reload_keep("interfaces", ifaces_str(old, a, sizeof(a)),
	    ifaces_str(nc, b, sizeof(b)));
	memcpy(tmp, nc->interfaces, sizeof(tmp));
	memcpy(nc->interfaces, old->interfaces, sizeof(tmp));
	memcpy(old->interfaces, tmp, sizeof(tmp));
	nc->ninterfaces = old->ninterfaces;
	old->ninterfaces = n;
	snprintf(a, sizeof(a), "%u", old->dhcp_port);
	snprintf(b, sizeof(b), "%u", nc->dhcp_port);
	reload_keep("dhcp-port", a, b);
	nc->dhcp_port = old->dhcp_port;
	snprintf(a, sizeof(a), "%s:%u", addr_str(old->fo_listen_addr, ip),
	    old->fo_listen_port);
	snprintf(b, sizeof(b), "%s:%u", addr_str(nc->fo_listen_addr, ip),
	    nc->fo_listen_port);
	reload_keep("listen", a, b);
	nc->fo_listen_addr = old->fo_listen_addr;
	nc->fo_listen_port = old->fo_listen_port;
	snprintf(a, sizeof(a), "%s:%u", addr_str(old->metrics_addr, ip),
	    old->metrics_port);
	snprintf(b, sizeof(b), "%s:%u", addr_str(nc->metrics_addr, ip),
	    nc->metrics_port);
	reload_keep("metrics-listen", old->metrics_port ? a : "(off)",
	    nc->metrics_port ? b : "(off)");
	nc->metrics_addr = old->metrics_addr;
	nc->metrics_port = old->metrics_port;
	reload_keep("user", old->user ? old->user : "", nc->user ? nc->user : "");
	SWAP(char *, old->user, nc->user);
}
/* A path key that applies at the next start: the running value stays. */
static void
reload_keep_path(const char *key, char **now, char **want)
{
	reload_keep(key, *now ? *now : "", *want ? *want : "");
	SWAP(char *, *now, *want);
}

/* [management]: the listener, its files and the audit log are opened at
 * start; admins and users apply to the next connection (REMOTE.md). */
static void
reload_keep_mgmt(struct conf *old, struct conf *nc)
{
	char a[64], b[64], ip[16];

	snprintf(a, sizeof(a), "%s:%u", addr_str(old->mgmt_addr, ip), old->mgmt_port);
	snprintf(b, sizeof(b), "%s:%u", addr_str(nc->mgmt_addr, ip), nc->mgmt_port);
	reload_keep("[management] listen", old->mgmt_port ? a : "(off)",
	    nc->mgmt_port ? b : "(off)");
	nc->mgmt_addr = old->mgmt_addr;
	nc->mgmt_port = old->mgmt_port;
	reload_keep_path("certificate", &old->mgmt_cert, &nc->mgmt_cert);
	reload_keep_path("key", &old->mgmt_key, &nc->mgmt_key);
	reload_keep_path("ca", &old->mgmt_ca, &nc->mgmt_ca);
	reload_keep_path("tokens", &old->mgmt_tokens, &nc->mgmt_tokens);
	reload_keep("[management] token-without-certificate", old->mgmt_token_alone ?
	    "yes" : "no", nc->mgmt_token_alone ? "yes" : "no");
	nc->mgmt_token_alone = old->mgmt_token_alone;
	reload_keep_path("audit-log", &old->audit_log, &nc->audit_log);
}

/* The control socket's mode and group; when they cannot be applied (a
 * group change after the privileges were dropped), the running ones stay. */
static void
reload_access(struct daemon *d, struct conf *nc)
{
	if (d->ctl == NULL || ctl_set_access(d->ctl, nc->control_socket_mode,
	    nc->control_gid) == 0)
		return;
	log_warnx("reload: control-socket-mode/-group not applied, still %04o "
	    "and %s%s", (unsigned)d->conf->control_socket_mode,
	    d->conf->control_socket_group, privdrop_dropped() ? ": changing "
	    "the group needs the privileges dropped at start; restart dhcpfod" :
	    "");
	nc->control_socket_mode = d->conf->control_socket_mode;
	nc->control_gid = d->conf->control_gid;
	SWAP(char *, d->conf->control_socket_group, nc->control_socket_group);
}

/* dhcpfod(8): a config that fails to validate leaves the running one untouched. */
int
daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct conf *nc = conf_load(d->conf->path, err, errlen);

	if (nc == NULL) {
		log_warnx("reload failed, keeping the running config: %s", err);
		return -1;
	}
	reload_keep("database", d->conf->database, nc->database);
	reload_keep("control-socket", d->conf->control_socket, nc->control_socket);
	SWAP(char *, d->conf->database, nc->database);
	SWAP(char *, d->conf->control_socket, nc->control_socket);
	reload_keep_bound(d->conf, nc);
	reload_keep_mgmt(d->conf, nc);
	reload_access(d, nc);
	log_setlevel(nc->log_level);
	conf_free(d->conf);
	d->conf = nc;
	log_notice("configuration reloaded from %s", nc->path);
	return 0;
}

uint32_t
daemon_server_id(struct daemon *d)
{
	struct ifaddrs *ifa, *i;
	uint32_t id = 0;

	if (d->conf->server_id != 0 || d->conf->ninterfaces == 0)
		return d->conf->server_id;
	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i != NULL && id == 0; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
		    strcmp(i->ifa_name, d->conf->interfaces[0]) == 0)
			id = ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->
			    sin_addr.s_addr);
	freeifaddrs(ifa);
	return id;
}
