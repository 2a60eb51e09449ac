/* The Unix control socket's file and its peers' credentials (RPC.md §1):
 * what ctl_sock.c's listener needs of the file system and the kernel. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl_unix.h"
#include "util.h"

/* Whether the peer's groups include gid: SO_PEERGROUPS where the kernel has
 * it, else the user database. */
int
ctl_unix_in_group(int fd, uid_t uid, gid_t pgid, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	struct passwd *pw;
	int n = (int)nitems(groups);

	if (pgid == gid)
		return 1;
#ifdef SO_PEERGROUPS
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		for (size_t i = 0; i < len / sizeof(gid_t); i++)
			if (groups[i] == gid)
				return 1;
		return 0;
	}
#endif
	if ((pw = getpwuid(uid)) == NULL ||
	    getgrouplist(pw->pw_name, pgid, groups, &n) == -1)
		return 0;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/* Refuse to steal a socket a live daemon listens on; remove a stale one. */
static int
unlink_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat sb;
	int fd;

	if (lstat(sun->sun_path, &sb) == -1)
		return 0;
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(err, errlen, "control socket %s exists and is not a socket",
		    sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1 &&
	    connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		close(fd);
		snprintf(err, errlen, "control socket %s is in use: another dhcpfod "
		    "is running", sun->sun_path);
		return -1;
	}
	if (fd != -1)
		close(fd);
	unlink(sun->sun_path);
	return 0;
}

/* socket, bind and listen on path; -1 with err. */
int
ctl_unix_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (unlink_stale(&sun, err, errlen) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 64) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}
