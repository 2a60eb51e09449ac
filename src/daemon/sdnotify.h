/* systemd readiness notification (sd_notify protocol); a no-op outside systemd. */
#ifndef DHCPFOD_SDNOTIFY_H
#define DHCPFOD_SDNOTIFY_H

/* Send state (e.g. "READY=1") to $NOTIFY_SOCKET. 0 sent or not under systemd,
 * -1 on a send error. */
int	sd_notify_state(const char *state);

#endif
