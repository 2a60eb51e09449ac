/* Privileges (DESIGN §4.9): refuse directories others may write, and drop to
 * the configured user after every socket is bound and the database is open,
 * keeping only CAP_NET_BIND_SERVICE and CAP_NET_RAW (libcap).
 *
 * Threads: the group-commit syncer thread exists when the drop happens.
 * glibc's setgroups/setresgid/setresuid change every thread of the process;
 * capabilities are per thread: only the calling thread sets PR_SET_KEEPCAPS,
 * so the syncer loses all of its capabilities with the uid change. The
 * bounding set and no_new_privs are also per thread, which is why
 * privdrop_prepare sets them before any thread is started. */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/capability.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "privdrop.h"
#include "util.h"

/* What the daemon keeps: binding ports below 1024 (DHCP 67, failover 647) and
 * SO_BINDTODEVICE (CAP_NET_RAW before Linux 5.7). */
static const cap_value_t kept[] = { CAP_NET_BIND_SERVICE, CAP_NET_RAW };

/* The database's side files: they must be the user's like the database. */
static const char *const db_suffixes[] = { "", "-wal", "-shm", "-journal" };

static int	dropped;

static int
is_kept(cap_value_t v)
{
	for (size_t i = 0; i < nitems(kept); i++)
		if (kept[i] == v)
			return 1;
	return 0;
}

/* The directory holding path, in buf. */
static const char *
dir_of(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s", path);
	return dirname(buf);
}

/* -1 with err when others may write the directory holding path. */
static int
dir_check(const char *what, const char *path, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	const char *dir = dir_of(path, buf, sizeof(buf));
	struct stat sb;

	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
	    (sb.st_mode & S_IWOTH) == 0)
		return 0;
	snprintf(err, errlen, "%s directory %s is writable by others (mode %04o): "
	    "anyone could replace the %s; use a directory only root and the "
	    "service user may write, e.g. %s", what, dir,
	    (unsigned)(sb.st_mode & 07777), what, strcmp(what, "database") == 0 ?
	    "/var/lib/dhcpfod" : "/run/dhcpfod");
	return -1;
}

int
privdrop_check_dirs(const struct conf *c, char *err, size_t errlen)
{
	if (dir_check("database", c->database, err, errlen) == -1 ||
	    dir_check("control socket", c->control_socket, err, errlen) == -1)
		return -1;
	return 0;
}

/* The user's uid and primary gid; -1 with err if there is no such user. */
static int
user_ids(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "user = %s: %s", user, errno ? strerror(errno) :
		    "no such user (create it: systemd-sysusers, or useradd --system)");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* Whether this thread has cap in its effective set. */
static int
cap_effective(cap_value_t cap)
{
	cap_t c = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (c != NULL)
		cap_get_flag(c, cap, CAP_EFFECTIVE, &v);
	cap_free(c);
	return v == CAP_SET;
}

/* Narrow the bounding set to the kept capabilities. */
static int
bound_narrow(char *err, size_t errlen)
{
	for (cap_value_t v = 0; v < (cap_value_t)cap_max_bits(); v++) {
		if (is_kept(v) || cap_get_bound(v) != 1)
			continue;
		if (cap_drop_bound(v) == -1) {
			char *name = cap_to_name(v);

			snprintf(err, errlen, "cannot drop %s from the bounding set: "
			    "%s", name ? name : "?", strerror(errno));
			cap_free(name);
			return -1;
		}
	}
	return 0;
}

int
privdrop_prepare(const char *user, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (user == NULL)
		return 0;
	if (user_ids(user, &uid, &gid, err, errlen) == -1)
		return -1;
	if (geteuid() != 0 && geteuid() != uid) {
		snprintf(err, errlen, "user = %s: dhcpfod runs as uid %u, neither "
		    "root nor %s, and cannot switch users", user,
		    (unsigned)geteuid(), user);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	/* without CAP_SETPCAP (e.g. started by systemd as the user) the unit's
	 * CapabilityBoundingSet= has done it */
	if (cap_effective(CAP_SETPCAP))
		return bound_narrow(err, errlen);
	log_debug("privdrop: no CAP_SETPCAP: bounding set left as it is");
	return 0;
}

/* Give path, when it exists, to uid:gid ((gid_t)-1: keep the group); a
 * symbolic link is changed itself, never what it points to. */
static int
give(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno != ENOENT) {
		snprintf(err, errlen, "cannot give %s to uid %u: %s", path,
		    (unsigned)uid, strerror(errno));
		return -1;
	}
	return 0;
}

/* The database and its side files become the user's; the control socket
 * too (its group stays control-socket-group), so a reload can chmod it. */
static int
give_files(const struct conf *c, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < nitems(db_suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", c->database, db_suffixes[i]);
		if (give(p, uid, gid, err, errlen) == -1)
			return -1;
	}
	return give(c->control_socket, uid, (gid_t)-1, err, errlen);
}

/* Groups, gid, uid: process-wide (glibc applies them to every thread). This
 * thread keeps its permitted set across the uid change (PR_SET_KEEPCAPS);
 * every other thread loses all its capabilities. */
static int
switch_ids(const char *user, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	const char *step = "initgroups";

	if (initgroups(user, gid) == -1 || (step = "setresgid",
	    setresgid(gid, gid, gid) == -1) || (step = "PR_SET_KEEPCAPS",
	    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1) || (step = "setresuid",
	    setresuid(uid, uid, uid) == -1)) {
		snprintf(err, errlen, "cannot become user %s: %s: %s", user, step,
		    strerror(errno));
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return 0;
}

/* This thread's sets: permitted and effective the kept capabilities it has,
 * inheritable only kept ones it had, ambient none. A process started with
 * exactly those (systemd's AmbientCapabilities=) makes no capset call, which
 * the unit's system call filter would refuse. */
static int
caps_limit(char *err, size_t errlen)
{
	cap_t cur = cap_get_proc(), want = cap_init();
	cap_flag_value_t v;
	int rc = -1;

	if (cur == NULL || want == NULL)
		goto out;
	for (size_t i = 0; i < nitems(kept); i++) {
		if (cap_get_flag(cur, kept[i], CAP_PERMITTED, &v) == 0 &&
		    v == CAP_SET) {
			cap_set_flag(want, CAP_PERMITTED, 1, &kept[i], CAP_SET);
			cap_set_flag(want, CAP_EFFECTIVE, 1, &kept[i], CAP_SET);
		}
		if (cap_get_flag(cur, kept[i], CAP_INHERITABLE, &v) == 0 && v == CAP_SET)
			cap_set_flag(want, CAP_INHERITABLE, 1, &kept[i], CAP_SET);
	}
	if (cap_compare(cur, want) != 0 && cap_set_proc(want) == -1)
		goto out;
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		snprintf(err, errlen, "cannot limit the capabilities: %s",
		    strerror(errno));
	cap_free(cur);
	cap_free(want);
	return rc;
}

/* Paranoia, as OpenBSD's daemons do it: root must be out of reach now. */
static int
check_no_root(uid_t uid, char *err, size_t errlen)
{
	uid_t r, e, s;

	if (uid == 0)
		return 0;
	if (getresuid(&r, &e, &s) == -1 || r != uid || e != uid || s != uid ||
	    setresuid(0, 0, 0) != -1) {
		snprintf(err, errlen, "the uid change to %u did not hold", (unsigned)uid);
		return -1;
	}
	return 0;
}

/* As the user now: the database, its directory (SQLite creates the -wal and
 * -shm files there) and its side files must be writable. */
static int
check_writable(const struct conf *c, const char *user, char *err, size_t errlen)
{
	char buf[PATH_MAX], p[PATH_MAX];
	const char *dir = dir_of(c->database, buf, sizeof(buf));

	if (access(dir, W_OK | X_OK) == -1) {
		snprintf(err, errlen, "database directory %s is not writable by user "
		    "%s (uid %u): %s; SQLite creates the database's -wal and -shm "
		    "files there: give it to the user (chown %s %s) and let the "
		    "user into the directories above it", dir, user,
		    (unsigned)getuid(), strerror(errno), user, dir);
		return -1;
	}
	for (size_t i = 0; i < nitems(db_suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", c->database, db_suffixes[i]);
		if (access(p, F_OK) == 0 && access(p, R_OK | W_OK) == -1) {
			snprintf(err, errlen, "database file %s is not writable by "
			    "user %s: %s", p, user, strerror(errno));
			return -1;
		}
	}
	dir = dir_of(c->control_socket, buf, sizeof(buf));
	if (access(dir, W_OK) == -1)
		log_info("privdrop: control socket directory %s is not writable by "
		    "%s: the socket stays behind at exit (replaced at the next "
		    "start)", dir, user);
	return 0;
}

int
privdrop_apply(const struct conf *c, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;
	int already;

	if (c->user == NULL)
		return 0;
	if (user_ids(c->user, &uid, &gid, err, errlen) == -1)
		return -1;
	already = geteuid() == uid && getuid() == uid;
	if (!already && (give_files(c, uid, gid, err, errlen) == -1 ||
	    switch_ids(c->user, uid, gid, err, errlen) == -1))
		return -1;
	if (caps_limit(err, errlen) == -1 || check_no_root(uid, err, errlen) == -1 ||
	    check_writable(c, c->user, err, errlen) == -1)
		return -1;
	dropped = 1;
	log_notice("running as user %s (uid %u, gid %u) with CAP_NET_BIND_SERVICE "
	    "and CAP_NET_RAW only", c->user, (unsigned)uid, (unsigned)gid);
	log_info("privdrop: without CAP_NET_ADMIN no ARP entry can be added: "
	    "replies to clients that have no address yet are broadcast");
	return 0;
}

int
privdrop_dropped(void)
{
	return dropped;
}
