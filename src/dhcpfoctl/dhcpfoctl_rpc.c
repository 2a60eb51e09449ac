/* dhcpfoctl: one JSON-RPC 2.0 exchange over the management socket (RPC.md §1):
 * a request line out, a reply line of any size up to CLI_MAX_REPLY back, all
 * within one overall deadline; partial writes and reads and EINTR are retried. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dhcpfoctl.h"
#include "dhcpfoctl_remote.h"
#include "err.h"

#define RPC_ID		1
#define READ_CHUNK	(64 * 1024)
#define RETRY_MS	10	/* between connects while the backlog is full */

struct conn {
	int		 fd;
	const char	*path;
	double		 timeout;	/* seconds; 0: none */
	double		 deadline;	/* CLOCK_MONOTONIC seconds */
};

int
dfctl_say(const char *fmt, ...)
{
	va_list ap;

	fputs("dhcpfoctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

double
dfctl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds to the deadline for poll: -1 none, 0 passed. */
static int
left_ms(const struct conn *c)
{
	double left;

	if (c->timeout <= 0)
		return -1;
	left = (c->deadline - dfctl_now()) * 1000.0;
	if (left <= 0)
		return 0;
	return left > 1e9 ? 1000000000 : (int)left + 1;
}

/* Wait until fd is ready for events: 0, or -1 said (timeout, poll error). */
static int
wait_fd(struct conn *c, short events)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	int ms, rc;

	for (;;) {
		if ((ms = left_ms(c)) == 0)
			return dfctl_say("no answer from %s within %g s (set "
			    "DHCPFOCTL_TIMEOUT to wait longer)", c->path, c->timeout);
		if ((rc = poll(&pfd, 1, ms)) > 0)
			return 0;
		if (rc == -1 && errno != EINTR)
			return dfctl_say("%s: poll: %s", c->path, strerror(errno));
	}
}

/* Cannot reach the socket: say which, why, and what to try. */
static int
say_unreachable(const struct conn *c, const char *why)
{
	dfctl_say("cannot connect to %s: %s", c->path, why);
	fputs("is dhcpfod running? use -s PATH (or DHCPFOD_SOCKET) to name its "
	    "control socket\n", stderr);
	return -1;
}

/* Connect without blocking past the deadline; a full backlog is retried. */
static int
conn_connect(struct conn *c, const struct sockaddr_un *sa)
{
	int rc, soerr;
	socklen_t len = sizeof(soerr);

	while ((rc = connect(c->fd, (const struct sockaddr *)sa,
	    sizeof(*sa))) == -1 && (errno == EINTR || errno == EAGAIN)) {
		if (errno == EAGAIN && (left_ms(c) == 0 || poll(NULL, 0, RETRY_MS) < 0))
			break;
	}
	if (rc == 0)
		return 0;
	if (errno != EINPROGRESS)
		return say_unreachable(c, strerror(errno));
	if (wait_fd(c, POLLOUT) == -1)
		return -1;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	return soerr == 0 ? 0 : say_unreachable(c, strerror(soerr));
}

/* A non-blocking stream socket connected to the path. */
static int
conn_open(struct conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(c->path) >= sizeof(sa.sun_path))
		return say_unreachable(c, strerror(ENAMETOOLONG));
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd == -1)
		return say_unreachable(c, strerror(errno));
	return conn_connect(c, &sa);
}

/* Write all of buf. */
static int
send_all(struct conn *c, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = send(c->fd, buf, len, MSG_NOSIGNAL)) > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == -1 && errno == EAGAIN) {
			if (wait_fd(c, POLLOUT) == -1)
				return -1;
		} else if (n == -1 && errno != EINTR)
			return dfctl_say("sending to %s: %s", c->path, strerror(errno));
	}
	return 0;
}

/* Read up to the first newline; the line (NUL-terminated, malloc'd) and its
 * length without the newline, or NULL said. */
static char *
recv_line(struct conn *c, size_t *linelen)
{
	size_t cap = READ_CHUNK, len = 0;
	char *buf = xrealloc(NULL, cap + 1), *nl;
	ssize_t n;

	for (;;) {
		if (len == cap) {
			if (cap > CLI_MAX_REPLY)
				break;
			cap = cap * 2 > CLI_MAX_REPLY ? CLI_MAX_REPLY + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = recv(c->fd, buf + len, cap - len, 0);
		if (n > 0) {
			if ((nl = memchr(buf + len, '\n', (size_t)n)) != NULL) {
				*nl = '\0';
				*linelen = (size_t)(nl - buf);
				return buf;
			}
			len += (size_t)n;
		} else if (n == 0) {
			dfctl_say("%s closed the connection %s", c->path, len ?
			    "in the middle of its answer" : "without answering");
			goto fail;
		} else if (errno == EAGAIN) {
			if (wait_fd(c, POLLIN) == -1)
				goto fail;
		} else if (errno != EINTR) {
			dfctl_say("reading from %s: %s", c->path, strerror(errno));
			goto fail;
		}
	}
	dfctl_say("the answer from %s is larger than %u MiB", c->path,
	    CLI_MAX_REPLY >> 20);
fail:
	free(buf);
	return NULL;
}

/* The error member of a reply into out; -1 if it is not well-formed. */
static int
parse_error(json_t *e, struct rpc_reply *out)
{
	json_t *code = json_object_get(e, "code");
	json_t *data = json_object_get(e, "data");

	if (!json_is_integer(code))
		return -1;
	out->code = (int)json_integer_value(code);
	out->symbol = json_string_value(json_object_get(e, "message"));
	if (out->symbol == NULL || *out->symbol == '\0')
		out->symbol = err_symbol(out->code);
	if (out->symbol == NULL)
		out->symbol = "ERROR";
	out->detail = json_string_value(json_object_get(data, "detail"));
	return 0;
}

/* Check the envelope of a reply line and fill out. */
static int
parse_reply(const struct conn *c, const char *line, size_t len,
    struct rpc_reply *out)
{
	json_error_t je;
	json_t *id, *err;

	if ((out->root = json_loadb(line, len, 0, &je)) == NULL)
		return dfctl_say("malformed answer from %s: %s", c->path, je.text);
	id = json_object_get(out->root, "id");
	if (id != NULL && !json_is_null(id) &&
	    (!json_is_integer(id) || json_integer_value(id) != RPC_ID))
		return dfctl_say("answer from %s is for another request", c->path);
	if ((err = json_object_get(out->root, "error")) != NULL)
		return json_is_object(err) && parse_error(err, out) == 0 ? 0 :
		    dfctl_say("malformed error answer from %s", c->path);
	if ((out->result = json_object_get(out->root, "result")) == NULL)
		return dfctl_say("answer from %s has neither result nor error", c->path);
	return 0;
}

/* The request line, newline-terminated (malloc'd by jansson). */
static char *
request_line(const char *method, json_t *params, size_t *len)
{
	json_t *req = json_pack("{s:s, s:i, s:s, s:O}", "jsonrpc", "2.0", "id",
	    RPC_ID, "method", method, "params", params);
	char *s, *line;

	if (req == NULL || (s = json_dumps(req, JSON_COMPACT)) == NULL) {
		json_decref(req);
		return NULL;
	}
	json_decref(req);
	line = fmt_printf("%s\n", s);
	free(s);
	*len = strlen(line);
	return line;
}

static const struct cli_remote *remote;	/* --server; NULL: the socket */

void
rpc_set_remote(const struct cli_remote *r)
{
	remote = r;
}

const struct cli_remote *
rpc_get_remote(void)
{
	return remote;
}

/* Connect, send the request line, read and check the reply line: over the
 * Unix socket, or over TLS to the --server. */
int
rpc_call(const char *path, double timeout, const char *method, json_t *params,
    struct rpc_reply *out)
{
	struct conn c = { .fd = -1, .path = remote ? remote->name : path,
	    .timeout = timeout, .deadline = dfctl_now() + timeout };
	char *req, *line = NULL;
	size_t len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((req = request_line(method, params, &len)) == NULL)
		return dfctl_say("out of memory");
	if (remote != NULL)
		line = tls_exchange(remote, timeout, req, len, &len);
	else if (conn_open(&c) == 0 && send_all(&c, req, len) == 0)
		line = recv_line(&c, &len);
	if (line != NULL)
		rc = parse_reply(&c, line, len, out);
	if (c.fd != -1)
		close(c.fd);
	free(req);
	free(line);
	if (rc == -1)
		rpc_reply_fini(out);
	return rc;
}

void
rpc_reply_fini(struct rpc_reply *r)
{
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}
