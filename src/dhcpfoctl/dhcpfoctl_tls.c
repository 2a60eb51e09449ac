/* dhcpfoctl --server: one JSON-RPC exchange with a remote dhcpfod over mutual
 * TLS (REMOTE.md): TCP connect within the deadline, TLS 1.2 or later, the
 * server's certificate checked against --ca and the address or name given,
 * ours from --cert/--key; each failure said in words an operator can act on. */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "dhcpfoctl.h"
#include "dhcpfoctl_remote.h"

struct tconn {
	const struct cli_remote	*r;
	int			 fd;
	SSL_CTX			*ctx;
	SSL			*ssl;
	double			 timeout;
	double			 deadline;
};

/* OpenSSL's latest reason, or what. */
static const char *
ossl_reason(const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	return r ? r : what;
}

/* Seconds left (at least 1 ms); 0 when there is no deadline. */
static double
left(const struct tconn *c)
{
	double l;

	if (c->timeout <= 0)
		return 0;
	l = c->deadline - dfctl_now();
	return l < 0.001 ? 0.001 : l;
}

/* Blocking I/O from here, bounded by the deadline through the socket's
 * timeouts. */
static void
set_io_timeout(struct tconn *c)
{
	double l = left(c);
	struct timeval tv = { (time_t)l, (suseconds_t)((l - (time_t)l) * 1e6) };

	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Connect one address without blocking past the deadline; 0 or errno. */
static int
connect_one(struct tconn *c, const struct addrinfo *ai)
{
	struct pollfd pfd;
	int soerr = 0, ms;
	socklen_t len = sizeof(soerr);

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    ai->ai_protocol);
	if (c->fd == -1)
		return errno;
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	pfd = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
	ms = c->timeout > 0 ? (int)(left(c) * 1000) + 1 : -1;
	if (poll(&pfd, 1, ms) <= 0)
		return ETIMEDOUT;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		return errno;
	return soerr;
}

static int
tcp_connect(struct tconn *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int rc, err = 0;

	if ((rc = getaddrinfo(c->r->host, c->r->port, &hints, &res)) != 0)
		return dfctl_say("cannot reach %s: %s", c->r->name, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((err = connect_one(c, ai)) == 0)
			break;
		if (c->fd != -1)
			close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd == -1) {
		dfctl_say("cannot reach %s: %s", c->r->name, strerror(err));
		fputs("is dhcpfod running there with [management] listen on that "
		    "address and port?\n", stderr);
		return -1;
	}
	set_io_timeout(c);
	return 0;
}

/* Our certificate, our key, the CA the server's must chain to. */
static int
ctx_setup(struct tconn *c)
{
	const struct cli_remote *r = c->r;
	const char *files[] = { r->cert, r->key, r->ca };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (access(files[i], R_OK) == -1)
			return dfctl_say("cannot read %s: %s", files[i], strerror(errno));

	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return dfctl_say("cannot create a TLS context");
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(c->ctx, r->cert) != 1)
		return dfctl_say("cannot use the certificate %s: %s", r->cert,
		    ossl_reason("not a PEM certificate"));
	if (SSL_CTX_use_PrivateKey_file(c->ctx, r->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(c->ctx) != 1)
		return dfctl_say("cannot use the key %s with %s: %s", r->key, r->cert,
		    ossl_reason("not its PEM key"));
	if (SSL_CTX_load_verify_locations(c->ctx, r->ca, NULL) != 1)
		return dfctl_say("cannot use the CA %s: %s", r->ca,
		    ossl_reason("not a PEM certificate"));
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	return 0;
}

/* The server's certificate must name the address or host given. */
static int
ssl_setup(struct tconn *c)
{
	unsigned char buf[16];
	X509_VERIFY_PARAM *vp;

	if ((c->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return dfctl_say("cannot create a TLS connection");
	vp = SSL_get0_param(c->ssl);
	if (inet_pton(AF_INET, c->r->host, buf) == 1 ||
	    inet_pton(AF_INET6, c->r->host, buf) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(vp, c->r->host);
	else {
		SSL_set_tlsext_host_name(c->ssl, c->r->host);
		X509_VERIFY_PARAM_set1_host(vp, c->r->host, 0);
	}
	return 0;
}

/* A failed handshake or read: whose certificate, and why. */
static int
say_tls(struct tconn *c, const char *when, int ret)
{
	long v = SSL_get_verify_result(c->ssl);
	int e = SSL_get_error(c->ssl, ret);

	if (v != X509_V_OK)
		return dfctl_say("%s: the server's certificate is not trusted: %s "
		    "(--ca names the CA that signed it)", c->r->name,
		    X509_verify_cert_error_string(v));
	if (e == SSL_ERROR_SSL)
		return dfctl_say("%s: TLS refused: %s (is our certificate, --cert, "
		    "signed by the CA the server trusts, and still valid?)",
		    c->r->name, ossl_reason("TLS error"));
	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0))
		return dfctl_say("%s closed the connection %s", c->r->name, when);
	/* TLS 1.3: the server checks our certificate after our handshake is
	 * done; its alert may be lost to the reset of its close */
	if (e == SSL_ERROR_SYSCALL && (errno == ECONNRESET || errno == EPIPE))
		return dfctl_say("%s: TLS refused: the connection was reset %s (is our "
		    "certificate, --cert, signed by the CA the server trusts, and "
		    "still valid? the server's log says why)", c->r->name, when);
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return dfctl_say("no answer from %s within %g s (set DHCPFOCTL_TIMEOUT "
		    "to wait longer)", c->r->name, c->timeout);
	return dfctl_say("%s: %s: %s", c->r->name, when, strerror(errno));
}

/* The request could not be sent (errno from the write in werr): the
 * server's alert, when it is still there to read, says why better. */
static void
say_write_failed(struct tconn *c, int werr)
{
	char b[1];
	int r;

	ERR_clear_error();
	errno = 0;
	if ((r = SSL_read(c->ssl, b, sizeof(b))) <= 0 &&
	    SSL_get_error(c->ssl, r) == SSL_ERROR_SSL)
		say_tls(c, "after the handshake", r);
	else if (werr == ECONNRESET || werr == EPIPE)
		dfctl_say("%s: TLS refused: the connection was reset after the handshake "
		    "(is our certificate, --cert, signed by the CA the server "
		    "trusts, and still valid? the server's log says why)",
		    c->r->name);
	else
		dfctl_say("%s: sending: %s", c->r->name, werr ? strerror(werr) :
		    ossl_reason("TLS error"));
}

/* Read up to the first newline (CLI_MAX_REPLY at most). */
static char *
tls_recv_line(struct tconn *c, size_t *linelen)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = xrealloc(NULL, cap + 1), *nl;
	int n;

	for (;;) {
		if (len == cap) {
			if (cap > CLI_MAX_REPLY) {
				dfctl_say("the answer from %s is too large", c->r->name);
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		errno = 0;
		if ((n = SSL_read(c->ssl, buf + len, (int)(cap - len))) <= 0) {
			say_tls(c, len ? "in the middle of its answer" :
			    "without answering", n);
			break;
		}
		if ((nl = memchr(buf + len, '\n', (size_t)n)) != NULL) {
			*nl = '\0';
			*linelen = (size_t)(nl - buf);
			return buf;
		}
		len += (size_t)n;
	}
	free(buf);
	return NULL;
}

/* Send one line, read the answer line; NULL after saying why. */
static char *
tls_roundtrip(struct tconn *c, const char *req, size_t reqlen, size_t *linelen)
{
	int ret, werr;

	errno = 0;
	if ((ret = SSL_write(c->ssl, req, (int)reqlen)) > 0)
		return tls_recv_line(c, linelen);
	werr = errno;
	if (SSL_get_error(c->ssl, ret) == SSL_ERROR_SSL)
		say_tls(c, "sending", ret);
	else
		say_write_failed(c, werr);
	return NULL;
}

/* With a bearer token, session.auth goes first (REMOTE.md, Tokens): 0 and
 * the connection has the token's role; 1 with *line its refusal (the answer
 * to show); -1 said. */
static int
tls_auth(struct tconn *c, char **line, size_t *linelen)
{
	json_t *req = json_pack("{s:s, s:i, s:s, s:{s:s}}", "jsonrpc", "2.0", "id", 1,
	    "method", "session.auth", "params", "token", c->r->token), *ans;
	char *s = req ? json_dumps(req, JSON_COMPACT) : NULL, *out;
	int ok;

	json_decref(req);
	if (s == NULL)
		return dfctl_say("out of memory");
	out = fmt_printf("%s\n", s);
	free(s);
	*line = tls_roundtrip(c, out, strlen(out), linelen);
	OPENSSL_cleanse(out, strlen(out));
	free(out);
	if (*line == NULL)
		return -1;
	ans = json_loadb(*line, *linelen, 0, NULL);
	ok = json_object_get(ans, "result") != NULL;
	json_decref(ans);
	if (!ok)
		return 1;
	free(*line);
	*line = NULL;
	return 0;
}

char *
tls_exchange(const struct cli_remote *r, double timeout, const char *req,
    size_t reqlen, size_t *linelen)
{
	struct tconn c = { .r = r, .fd = -1, .timeout = timeout,
	    .deadline = dfctl_now() + timeout };
	char *line = NULL;
	int ret;

	/* OpenSSL writes with write(2): a server that refused us and closed
	 * must not kill us with SIGPIPE before we can say why */
	signal(SIGPIPE, SIG_IGN);
	if (ctx_setup(&c) == 0 && tcp_connect(&c) == 0 && ssl_setup(&c) == 0) {
		errno = 0;
		if ((ret = SSL_connect(c.ssl)) != 1)
			say_tls(&c, "TLS handshake", ret);
		else if (r->token == NULL || tls_auth(&c, &line, linelen) == 0)
			line = tls_roundtrip(&c, req, reqlen, linelen);
	}
	if (c.ssl != NULL && line != NULL)
		SSL_shutdown(c.ssl);
	SSL_free(c.ssl);
	SSL_CTX_free(c.ctx);
	if (c.fd != -1)
		close(c.fd);
	return line;
}
