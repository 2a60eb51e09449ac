/* The Unix control socket's file and its peers' credentials (ctl_unix.c). */
#ifndef DHCPFOD_CTL_UNIX_H
#define DHCPFOD_CTL_UNIX_H

#include <sys/types.h>

/* Whether a peer (uid, primary group pgid) on fd is a member of gid. */
int	ctl_unix_in_group(int fd, uid_t uid, gid_t pgid, gid_t gid);
/* socket, bind and listen on path (a stale socket file removed, a live
 * daemon's refused): the descriptor, or -1 with err. */
int	ctl_unix_listen(const char *path, char *err, size_t errlen);

#endif
