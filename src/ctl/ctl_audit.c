/* The audit log (REMOTE.md, Audit log): one JSON line per change made
 * through any channel, like Windows' DHCP audit log: when, which channel,
 * who, from where, the method, its parameters with every secret redacted,
 * and the result code. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ctl_auth.h"
#include "log.h"

#define REDACTED	"***"

struct audit {
	int		 fd;
	char		*path;
	int		 failing;	/* a write failed: said once */
};

/* Whether a parameter's name is one of a secret (shared_secret, token,
 * password, key, private_key ...). */
static int
secret_name(const char *name)
{
	static const char *const parts[] = { "secret", "token", "password",
	    "passwd", "passphrase", NULL };
	size_t n = strlen(name);

	for (const char *const *p = parts; *p != NULL; p++)
		if (strcasestr(name, *p) != NULL)
			return 1;
	return strcasecmp(name, "key") == 0 ||
	    (n > 4 && strcasecmp(name + n - 4, "_key") == 0);
}

json_t *
audit_redact(json_t *v)
{
	json_t *out, *item;
	const char *k;
	size_t i;

	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, k, item)
			json_object_set_new(out, k, secret_name(k) ?
			    json_string(REDACTED) : audit_redact(item));
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, item)
			json_array_append_new(out, audit_redact(item));
		return out;
	}
	return v ? json_deep_copy(v) : json_null();
}

char *
audit_format(time_t when, const char *channel, const char *identity,
    const char *peer, const char *method, json_t *params, int code)
{
	char ts[32];
	struct tm tm;
	json_t *o;
	char *s;

	gmtime_r(&when, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i}", "time", ts,
	    "channel", channel ? channel : "", "identity", identity ? identity : "",
	    "peer", peer ? peer : "", "method", method ? method : "",
	    "params", audit_redact(params), "result", code);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* Give the file to the user the daemon becomes (it is opened as root). */
static void
audit_chown(int fd, const char *user)
{
	struct passwd *pw;

	if (user == NULL || geteuid() != 0 || (pw = getpwnam(user)) == NULL)
		return;
	if (fchown(fd, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("audit log: chown to %s", user);
}

struct audit *
audit_new(const char *path, const char *user, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (a == NULL || (a->path = strdup(path)) == NULL) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (a->fd == -1) {
		snprintf(err, errlen, "audit log %s: %s", path, strerror(errno));
		free(a->path);
		free(a);
		return NULL;
	}
	audit_chown(a->fd, user);
	return a;
}

void
audit_free(struct audit *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	free(a->path);
	free(a);
}

int
audit_write(struct audit *a, const char *line)
{
	size_t len = strlen(line);
	char *buf = malloc(len + 1);
	ssize_t n = -1;

	if (buf != NULL) {
		memcpy(buf, line, len);
		buf[len] = '\n';
		n = write(a->fd, buf, len + 1);	/* one write: O_APPEND keeps it whole */
		free(buf);
	}
	if (n == (ssize_t)len + 1) {
		if (a->failing)
			log_notice("audit log %s: writing again", a->path);
		a->failing = 0;
		return 0;
	}
	if (!a->failing)
		log_warn("audit log %s: cannot write, changes go unaudited", a->path);
	a->failing = 1;
	return -1;
}
