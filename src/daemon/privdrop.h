/* Privileges (DESIGN §4.9): refuse directories others may write, and drop to
 * the configured user once every socket is bound and the database is open,
 * keeping only CAP_NET_BIND_SERVICE and CAP_NET_RAW. */
#ifndef DHCPFOD_PRIVDROP_H
#define DHCPFOD_PRIVDROP_H

#include <stddef.h>

struct conf;

/* The directories of the database and of the control socket must not be
 * writable by others (o+w, sticky or not): 0, or -1 with a sentence naming
 * the directory in err. A missing directory passes (store_open and ctl_new
 * say why it is missing). */
int	privdrop_check_dirs(const struct conf *, char *err, size_t errlen);

/* Before anything is opened and before any thread starts, when `user` is set
 * (NULL: nothing to do): the user must exist and be reachable (running as root
 * or already as that user); no_new_privs is set and, when this process may,
 * the bounding set is narrowed to the kept capabilities, so every thread
 * started later inherits both. 0, or -1 with err. */
int	privdrop_prepare(const char *user, char *err, size_t errlen);

/* After binding and opening, when conf->user is set: the database files (and
 * the control socket) become the user's, the process takes the user's uid,
 * gid and groups, the kept capabilities stay in this thread's permitted and
 * effective sets (nothing else anywhere, no ambient), and the database must
 * be writable as that user. 0, or -1 with err (the caller must not go on). */
int	privdrop_apply(const struct conf *, char *err, size_t errlen);

/* Whether privdrop_apply ran: the daemon can no longer bind privileged ports
 * or change file ownership (reload says so). */
int	privdrop_dropped(void);

#endif
