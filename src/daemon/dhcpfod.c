/* dhcpfod: a DHCPv4 failover server daemon. main(): options, config, storage,
 * the management socket, signals, one event loop (dhcpfod(8)). */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "ctl.h"
#include "daemon.h"
#include "dhcp_sock.h"
#include "fo.h"
#include "log.h"
#include "privdrop.h"
#include "sdnotify.h"
#include "store.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: dhcpfod [-c FILE] [-t] [-d] [-V]\n"
	    "  -c FILE  config file (default " CONF_DEFAULT_PATH ")\n"
	    "  -t       check the config, print it in canonical form, exit\n"
	    "  -d       debug logging\n"
	    "  -V       print the version and exit\n");
	exit(2);
}

/* Whether stderr is systemd's journal stream ($JOURNAL_STREAM holds its
 * "device:inode"): syslog as well would log every line twice. */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
}

/* libevent's own messages go through our log. */
static void
event_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

/* The failover partners have been told (or did not answer in time). */
static void
on_stopped(void *arg)
{
	struct daemon *d = arg;
	struct timeval flush = { 0, 200000 };	/* for the partners' DISCONNECT */

	event_base_loopexit(d->base, &flush);
}

/* SIGTERM/SIGINT (dhcpfod(8)): stop accepting DHCP work, hand over to the
 * failover partners (fo_shutdown), then leave the loop; a second signal
 * leaves at once. */
static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	static int stopping;
	struct daemon *d = arg;

	if (stopping++) {
		log_notice("signal %d: stopping now", (int)sig);
		event_base_loopexit(d->base, NULL);
		return;
	}
	log_notice("signal %d: shutting down", (int)sig);
	sd_notify_state("STOPPING=1");
	dhcp_sock_stop(d->dhcp);
	fo_shutdown(d->fo, on_stopped, d);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	char err[512];

	sd_notify_state("RELOADING=1");
	daemon_reload(arg, err, sizeof(err));
	sd_notify_state("READY=1");
}

/* Open everything the daemon serves from, then drop privileges (when `user`
 * is set); fatal on failure (startup only). */
static void
daemon_open(struct daemon *d)
{
	struct fo_engine engine;
	char err[512];

	if (privdrop_check_dirs(d->conf, err, sizeof(err)) == -1 ||
	    privdrop_prepare(d->conf->user, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if ((d->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if ((d->store = store_open(d->conf->database, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if ((d->ctl = ctl_new(d->base, d, d->conf->control_socket,
	    d->conf->control_socket_mode, d->conf->control_gid, err,
	    sizeof(err))) == NULL)
		fatalx("%s", err);
	if (ctl_set_audit(d->ctl, d->conf->audit_log, d->conf->user, err,
	    sizeof(err)) == -1 || (d->conf->mgmt_port != 0 &&
	    ctl_listen_tls(d->ctl, d->conf, err, sizeof(err)) == -1)) {
		ctl_free(d->ctl);
		fatalx("%s", err);
	}
	if ((d->dhcp = dhcp_sock_new(d, err, sizeof(err))) == NULL) {
		ctl_free(d->ctl);
		fatalx("%s", err);
	}
	/* the failover listener binds here too (a secondary's port 647); it
	 * reaches the DHCP engine only through the engine's fo_engine */
	dhcp_sock_fo_engine(d->dhcp, &engine);
	if ((d->fo = fo_new(d, &engine, err, sizeof(err))) == NULL ||
	    (d->conf->metrics_port != 0 && (d->metrics = metrics_http_new(d,
	    d->conf->metrics_addr, d->conf->metrics_port, err,
	    sizeof(err))) == NULL) ||
	    privdrop_apply(d->conf, err, sizeof(err)) == -1) {
		metrics_http_free(d->metrics);
		fo_free(d->fo);
		dhcp_sock_free(d->dhcp);
		ctl_free(d->ctl);
		fatalx("%s", err);
	}
}

/* Run until SIGTERM/SIGINT; SIGHUP reloads. */
static void
daemon_run(struct daemon *d)
{
	struct event *ev[3];

	ev[0] = evsignal_new(d->base, SIGTERM, on_stop, d);
	ev[1] = evsignal_new(d->base, SIGINT, on_stop, d);
	ev[2] = evsignal_new(d->base, SIGHUP, on_hup, d);
	for (size_t i = 0; i < nitems(ev); i++)
		if (ev[i] == NULL || event_add(ev[i], NULL) == -1)
			fatalx("cannot install signal handlers");
	signal(SIGPIPE, SIG_IGN);
	sd_notify_state("READY=1");
	log_notice("dhcpfod %s ready: database %s, control socket %s", DHCPFOD_VERSION,
	    d->conf->database, d->conf->control_socket);
	event_base_dispatch(d->base);
	for (size_t i = 0; i < nitems(ev); i++)
		event_free(ev[i]);
}

static void
daemon_close(struct daemon *d)
{
	metrics_http_free(d->metrics);
	fo_free(d->fo);
	dhcp_sock_free(d->dhcp);
	ctl_free(d->ctl);
	store_close(d->store);
	event_base_free(d->base);
	conf_free(d->conf);
}

int
main(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	struct daemon d = { 0 };
	int ch, check = 0, debug = 0;
	char err[512];

	while ((ch = getopt(argc, argv, "c:tdVh")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 't': check = 1; break;
		case 'd': debug = 1; break;
		case 'V': printf("dhcpfod %s\n", DHCPFOD_VERSION); return 0;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("dhcpfod", debug ? LOG_LVL_DEBUG : LOG_LVL_INFO,
	    !isatty(2) && !stderr_is_journal());
	if ((d.conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check) {
		conf_print(d.conf, stdout);
		conf_free(d.conf);
		return 0;
	}
	if (!debug)
		log_setlevel(d.conf->log_level);
	event_set_log_callback(event_log);
	d.pid = getpid();
	d.started = time_mono();
	daemon_open(&d);
	daemon_run(&d);
	daemon_close(&d);
	log_notice("stopped");
	return 0;
}
