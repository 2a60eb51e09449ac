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
#include "util.h"

/* Keys that only take effect at start: keep the running value, say so. */
static void
reload_keep(const char *key, const char *now, const char *want)
{
	if (strcmp(now, want) != 0)
		log_warnx("reload: %s changed to %s; it takes effect at restart "
		    "(still %s)", key, want, now);
}

/* SPEC §3: a config that fails to validate leaves the running one untouched. */
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
	free(nc->database);
	nc->database = strdup(d->conf->database);
	free(nc->control_socket);
	nc->control_socket = strdup(d->conf->control_socket);
	if (nc->database == NULL || nc->control_socket == NULL) {
		snprintf(err, errlen, "out of memory");
		conf_free(nc);
		return -1;
	}
	if (d->ctl != NULL)
		ctl_set_access(d->ctl, nc->control_socket_mode, nc->control_gid);
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
