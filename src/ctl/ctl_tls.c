/* The remote management listener (REMOTE.md): the JSON-RPC of the control
 * socket over TLS on TCP, through libevent's OpenSSL bufferevents. Mutual
 * TLS only: TLS 1.2 or later, forward-secret AEAD ciphers, a client
 * certificate signed by the configured CA required. The certificate's
 * subject gives the role ([management] admins, users); the authenticated
 * stream then goes to ctl_sock.c's line reader like a Unix client, or, when
 * its first bytes are an HTTP request (a letter: "GET ", "POST "), to the
 * dashboard over HTTPS (ctl_https.c). With token-without-certificate = yes
 * the certificate is asked for but not required: such a connection may only
 * speak HTTP, and needs a bearer token for the API. Bounded:
 * TLS_MAX_CONN connections (handshaking or not), TLS_MAX_PER_ADDR of them
 * from one address, a handshake within TLS_HANDSHAKE_S, a client idle
 * TLS_IDLE_S is closed; refusals are logged, TLS_LOG_BURST per
 * TLS_LOG_WINDOW seconds and a count of the rest. */
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_auth.h"
#include "daemon.h"
#include "log.h"
#include "token.h"
#include "util.h"

#define TLS_MAX_CONN		32
#define TLS_MAX_PER_ADDR	8	/* one host cannot take every slot */
#define TLS_LOG_BURST		20	/* refusals logged per TLS_LOG_WINDOW s */
#define TLS_LOG_WINDOW		10
#define TLS_HANDSHAKE_S		10
#define TLS_IDLE_S		300
#define STR_(x)			#x
#define STR(x)			STR_(x)
#define TLS_CIPHERS		"ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL"

#define TLS_MAX_TOKENS		256

struct tls_hs;

/* A line of the tokens file: who, which role, the stored hash. */
struct tls_token {
	char			 name[64];
	enum ctl_role		 role;
	char			 hash[TOKEN_HASH_LEN + 1];
};

/* A connection's place, from accept to close. */
struct tls_slot {
	struct ctl_tls		*tls;
	uint32_t		 addr;		/* the peer's, network order */
	int			 used;
};

struct ctl_tls {
	struct ctl		*ctl;
	SSL_CTX			*ctx;
	struct evconnlistener	*listener;
	struct tls_slot		 slots[TLS_MAX_CONN];
	size_t			 nconn;		/* handshaking and served */
	int64_t			 log_since;	/* the refusal log's window */
	unsigned		 logged, unlogged;
	TAILQ_HEAD(, tls_hs)	 hs;		/* handshakes under way */
	struct tls_token	*tokens;	/* [management] tokens */
	size_t			 ntokens;
	struct https		*https;		/* the dashboard over TLS */
};

/* A connection until its handshake ends. */
struct tls_hs {
	TAILQ_ENTRY(tls_hs)	 entry;
	struct ctl_tls		*tls;
	struct tls_slot		*slot;
	struct bufferevent	*bev;
	char			 peer[64];
	char			 subject[512];	/* "" without a certificate */
	enum ctl_role		 role;		/* the certificate's */
	int			 handshaken;	/* waiting for the first byte */
};

/* ---- the context ---- */

/* The OpenSSL error queue's latest entry, or what. */
static const char *
ssl_err(const char *what, char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		return what;
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/* A server context for mutual TLS from the [management] files. */
static SSL_CTX *
tls_ctx_new(const struct conf *c, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	STACK_OF(X509_NAME) *names;
	const char *step = "cannot create a TLS context";
	char e[256];

	if (ctx == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	step = c->mgmt_cert;
	if (SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, c->mgmt_cert) != 1)
		goto fail;
	step = c->mgmt_key;
	if (SSL_CTX_use_PrivateKey_file(ctx, c->mgmt_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		goto fail;
	step = c->mgmt_ca;
	if (SSL_CTX_load_verify_locations(ctx, c->mgmt_ca, NULL) != 1 ||
	    (names = SSL_load_client_CA_file(c->mgmt_ca)) == NULL)
		goto fail;
	SSL_CTX_set_client_CA_list(ctx, names);
	/* token-without-certificate: asked for, verified if sent, not required
	 * (hs_first then allows HTTP only) */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (c->mgmt_token_alone ? 0 :
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT), NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	return ctx;
fail:
	snprintf(err, errlen, "[management]: %s: %s", step,
	    ssl_err("cannot be used", e, sizeof(e)));
	SSL_CTX_free(ctx);
	return NULL;
}

/* ---- slots and the refusal log ---- */

static void	refused(struct ctl_tls *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* "remote: PEER refused: why", at most TLS_LOG_BURST a window: a flood of
 * bad connections must not flood the log. */
static void
refused(struct ctl_tls *t, const char *peer, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	int64_t now = time_mono();

	if (now - t->log_since >= TLS_LOG_WINDOW) {
		if (t->unlogged > 0)
			log_notice("remote: %u more connections refused in %d s, "
			    "not logged one by one", t->unlogged, TLS_LOG_WINDOW);
		t->log_since = now;
		t->logged = t->unlogged = 0;
	}
	if (t->logged >= TLS_LOG_BURST) {
		t->unlogged++;
		return;
	}
	t->logged++;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_notice("remote: %s refused: %s", peer, why);
}

/* A free slot for a peer, NULL with why when it may not have one. */
static struct tls_slot *
slot_take(struct ctl_tls *t, uint32_t addr, const char **why)
{
	struct tls_slot *free_slot = NULL;
	int same = 0;

	for (size_t i = 0; i < TLS_MAX_CONN; i++) {
		if (!t->slots[i].used)
			free_slot = free_slot ? free_slot : &t->slots[i];
		else
			same += t->slots[i].addr == addr;
	}
	if (same >= TLS_MAX_PER_ADDR)
		*why = "connections from this address already (" 
		    STR(TLS_MAX_PER_ADDR) ")";
	else if (free_slot == NULL)
		*why = "connections already (" STR(TLS_MAX_CONN) ")";
	else {
		*free_slot = (struct tls_slot){ t, addr, 1 };
		t->nconn++;
	}
	return same >= TLS_MAX_PER_ADDR ? NULL : free_slot;
}

/* The connection is gone (ctl_sock.c's on_close, or a failed handshake). */
static void
slot_release(void *arg)
{
	struct tls_slot *s = arg;

	s->used = 0;
	s->tls->nconn--;
}

/* ---- handshakes ---- */

static void
hs_free(struct tls_hs *h, int free_bev)
{
	TAILQ_REMOVE(&h->tls->hs, h, entry);
	if (free_bev) {
		bufferevent_free(h->bev);
		slot_release(h->slot);
	}
	free(h);
}

/* Why a handshake failed, for the log: the verification result when the
 * certificate was the reason, else OpenSSL's reason (libevent also queues
 * SSL_get_error's code, which is no OpenSSL error: skipped), else the
 * socket's. */
static void
hs_reason(struct tls_hs *h, short what, char *buf, size_t len)
{
	SSL *ssl = bufferevent_openssl_get_ssl(h->bev);
	long v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
	unsigned long e, first = 0;
	const char *r;

	while ((e = bufferevent_get_openssl_error(h->bev)) != 0)
		if (first == 0 && ERR_GET_LIB(e) != 0)
			first = e;
	if (what & BEV_EVENT_TIMEOUT)
		snprintf(buf, len, "no TLS handshake within %d s", TLS_HANDSHAKE_S);
	else if (v != X509_V_OK)
		snprintf(buf, len, "client certificate: %s",
		    X509_verify_cert_error_string(v));
	else if (first != 0 && (r = ERR_reason_error_string(first)) != NULL)
		snprintf(buf, len, "TLS: %s", r);
	else if (what & BEV_EVENT_EOF)
		snprintf(buf, len, "closed during the TLS handshake");
	else
		snprintf(buf, len, "TLS handshake failed: %s", errno ? strerror(errno) :
		    "protocol error");
	ERR_clear_error();
}

/* The verified client certificate's subject, RFC 2253 ("CN=ops,O=Lab"). */
static int
hs_subject(struct tls_hs *h, char *buf, size_t len)
{
	SSL *ssl = bufferevent_openssl_get_ssl(h->bev);
	X509 *x = ssl ? SSL_get_peer_certificate(ssl) : NULL;
	BIO *b = BIO_new(BIO_s_mem());
	int n = -1;

	if (x != NULL && b != NULL &&
	    X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0)
		n = BIO_read(b, buf, (int)len - 1);
	BIO_free(b);
	X509_free(x);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void	hs_event(struct bufferevent *, short, void *);

/* The first bytes are JSON-RPC: the line reader of ctl_sock.c takes the
 * stream (a certificate is required for it). */
static void
hs_to_rpc(struct tls_hs *h)
{
	struct ctl_peer p = { .channel = "tls", .peer = h->peer, .identity =
	    h->subject, .role = h->role, .on_close = slot_release, .arg = h->slot };
	struct timeval idle = { TLS_IDLE_S, 0 };
	char denied[700];

	if (h->subject[0] == '\0') {
		refused(h->tls, h->peer, "no client certificate: JSON-RPC needs one "
		    "(token-without-certificate is for the dashboard over HTTPS)");
		hs_free(h, 1);
		return;
	}
	if (p.role == ROLE_NONE) {
		snprintf(denied, sizeof(denied), "certificate subject '%s' matches "
		    "neither [management] admins nor users", h->subject);
		p.denied = denied;
		log_notice("remote: %s: %s: every call is refused", h->peer, denied);
	} else
		log_info("remote: %s connected as '%s' (%s)", h->peer, h->subject,
		    ctl_role_name(p.role));
	bufferevent_set_timeouts(h->bev, &idle, &idle);
	if (ctl_client_add(h->tls->ctl, h->bev, &p) == -1) {
		log_warnx("remote: out of memory, dropping %s", h->peer);
		hs_free(h, 1);
		return;
	}
	hs_free(h, 0);
}

/* The first bytes after the handshake: an HTTP request starts with a
 * method's capital letter, a JSON-RPC one with '{' or white space. */
static void
hs_first(struct bufferevent *bev, void *arg)
{
	struct tls_hs *h = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	unsigned char c;

	if (evbuffer_copyout(in, &c, 1) != 1)
		return;
	if (c < 'A' || c > 'Z') {
		hs_to_rpc(h);
		return;
	}
	log_debug("remote: %s: HTTPS as '%s'", h->peer, h->subject[0] ? h->subject :
	    "(no certificate)");
	if (https_adopt(h->tls->https, h->bev, h->peer, h->subject[0] ? h->subject :
	    NULL, h->role, slot_release, h->slot) == -1)
		refused(h->tls, h->peer, "HTTPS: connections already");
	hs_free(h, 0);
}

/* Handshake done: the subject and its role; then wait for the first bytes,
 * TLS_IDLE_S with a certificate, TLS_HANDSHAKE_S without. */
static void
hs_done(struct tls_hs *h)
{
	struct daemon *d = ctl_daemon(h->tls->ctl);
	struct timeval wait = { TLS_IDLE_S, 0 };

	if (hs_subject(h, h->subject, sizeof(h->subject)) == -1) {
		h->subject[0] = '\0';
		wait.tv_sec = TLS_HANDSHAKE_S;
	} else
		h->role = ctl_role_of(d->conf->mgmt_admins, d->conf->mgmt_users,
		    h->subject);
	h->handshaken = 1;
	bufferevent_set_timeouts(h->bev, &wait, &wait);
	bufferevent_setcb(h->bev, hs_first, NULL, hs_event, h);
	if (evbuffer_get_length(bufferevent_get_input(h->bev)) > 0)
		hs_first(h->bev, h);
}

static void
hs_event(struct bufferevent *bev, short what, void *arg)
{
	struct tls_hs *h = arg;
	char why[256];

	if (what & BEV_EVENT_CONNECTED) {
		hs_done(h);
		return;
	}
	if (h->handshaken) {		/* gone before its first request */
		log_debug("remote: %s: closed before a request", h->peer);
		hs_free(h, 1);
		return;
	}
	hs_reason(h, what, why, sizeof(why));
	refused(h->tls, h->peer, "%s", why);
	hs_free(h, 1);
}

/* "10.0.0.2:40000" */
static void
peer_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	char a[INET_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, sa->sa_family == AF_INET ?
	    ntohs(sin->sin_port) : 0);
}

/* Start the server side of a handshake on fd in slot; -1: fd closed, the
 * slot given back. */
static int
hs_start(struct ctl_tls *t, struct tls_slot *slot, evutil_socket_t fd,
    const char *peer)
{
	struct timeval hs = { TLS_HANDSHAKE_S, 0 };
	struct tls_hs *h = calloc(1, sizeof(*h));
	SSL *ssl = SSL_new(t->ctx);

	if (h == NULL || ssl == NULL || (h->bev = bufferevent_openssl_socket_new(
	    ctl_base(t->ctl), fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		SSL_free(ssl);
		free(h);
		close(fd);
		slot_release(slot);
		return -1;
	}
	h->tls = t;
	h->slot = slot;
	snprintf(h->peer, sizeof(h->peer), "%s", peer);
	bufferevent_openssl_set_allow_dirty_shutdown(h->bev, 1);
	bufferevent_set_timeouts(h->bev, &hs, &hs);
	bufferevent_setcb(h->bev, NULL, NULL, hs_event, h);
	bufferevent_enable(h->bev, EV_READ);
	TAILQ_INSERT_TAIL(&t->hs, h, entry);
	return 0;
}

static void
tls_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct ctl_tls *t = arg;
	struct tls_slot *slot;
	const char *why = NULL;
	char peer[64];
	int one = 1;

	peer_str(sa, peer, sizeof(peer));
	if ((slot = slot_take(t, sa->sa_family == AF_INET ?
	    ((struct sockaddr_in *)sa)->sin_addr.s_addr : 0, &why)) == NULL) {
		refused(t, peer, "%s", why);
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (hs_start(t, slot, fd, peer) == -1)
		log_warnx("remote: out of memory, dropping %s", peer);
}

/* ---- bearer tokens ---- */

/* "NAME ROLE sha256$SALT$DIGEST" into tk; -1 if it is not that. */
static int
token_parse(char *line, struct tls_token *tk)
{
	char *save = NULL, *name, *role, *hash;

	name = strtok_r(line, " \t\r\n", &save);
	role = strtok_r(NULL, " \t\r\n", &save);
	hash = strtok_r(NULL, " \t\r\n", &save);
	if (name == NULL || role == NULL || hash == NULL ||
	    strtok_r(NULL, " \t\r\n", &save) != NULL || strlen(name) >= sizeof(tk->name) ||
	    strlen(hash) != TOKEN_HASH_LEN || strncmp(hash, "sha256$", 7) != 0)
		return -1;
	if (strcmp(role, "admin") == 0 || strcmp(role, "administrator") == 0)
		tk->role = ROLE_ADMIN;
	else if (strcmp(role, "user") == 0)
		tk->role = ROLE_USER;
	else
		return -1;
	snprintf(tk->name, sizeof(tk->name), "%s", name);
	snprintf(tk->hash, sizeof(tk->hash), "%s", hash);
	return 0;
}

/* The tokens file: a line per token, '#' comments; -1 with err. */
static int
tokens_load(struct ctl_tls *t, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	if (f == NULL) {
		snprintf(err, errlen, "[management] tokens %s: %s", path, strerror(errno));
		return -1;
	}
	if ((t->tokens = calloc(TLS_MAX_TOKENS, sizeof(*t->tokens))) == NULL)
		snprintf(err, errlen, "out of memory");
	while (t->tokens != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *p = line + strspn(line, " \t");

		n++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (t->ntokens == TLS_MAX_TOKENS ||
		    token_parse(p, &t->tokens[t->ntokens]) == -1) {
			snprintf(err, errlen, "%s:%d: expected 'NAME admin|user "
			    "sha256$SALT$DIGEST' (dhcpfoctl token new), at most %d",
			    path, n, TLS_MAX_TOKENS);
			fclose(f);
			return -1;
		}
		t->ntokens++;
	}
	fclose(f);
	return t->tokens != NULL ? 0 : -1;
}

int
ctl_tls_token(struct ctl_tls *t, const char *tok, const char **name,
    enum ctl_role *role)
{
	int hit = -1;

	for (size_t i = 0; t != NULL && i < t->ntokens; i++)
		if (token_check(tok, t->tokens[i].hash) && hit == -1)
			hit = (int)i;	/* every hash is computed: no early exit */
	if (hit == -1)
		return -1;
	*name = t->tokens[hit].name;
	*role = t->tokens[hit].role;
	return 0;
}

/* ---- the listener ---- */

struct ctl_tls *
ctl_tls_new(struct ctl *ctl, const struct conf *c, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(c->mgmt_addr), .sin_port = htons(c->mgmt_port) };
	struct ctl_tls *t = calloc(1, sizeof(*t));
	char a[16];

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->ctl = ctl;
	TAILQ_INIT(&t->hs);
	if ((t->ctx = tls_ctx_new(c, err, errlen)) == NULL ||
	    (c->mgmt_tokens != NULL && tokens_load(t, c->mgmt_tokens, err,
	    errlen) == -1))
		goto fail;
	if ((t->https = https_new(ctl, t)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	t->listener = evconnlistener_new_bind(ctl_base(ctl), tls_accept, t,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 64,
	    (struct sockaddr *)&sin, sizeof(sin));
	if (t->listener == NULL) {
		snprintf(err, errlen, "[management] listen %s:%u: %s",
		    addr_str(c->mgmt_addr, a), c->mgmt_port, strerror(errno));
		goto fail;
	}
	log_info("remote management on %s:%u (mutual TLS%s); the dashboard at "
	    "https://%s:%u/", addr_str(c->mgmt_addr, a), c->mgmt_port,
	    c->mgmt_token_alone ? ", or a bearer token alone for HTTPS" : "", a,
	    c->mgmt_port);
	return t;
fail:
	https_free(t->https);
	SSL_CTX_free(t->ctx);
	free(t->tokens);
	free(t);
	return NULL;
}

/* Handshakes under way are dropped; served clients belong to the ctl, which
 * frees them before this. */
void
ctl_tls_free(struct ctl_tls *t)
{
	struct tls_hs *h;

	if (t == NULL)
		return;
	while ((h = TAILQ_FIRST(&t->hs)) != NULL)
		hs_free(h, 1);
	https_free(t->https);
	evconnlistener_free(t->listener);
	SSL_CTX_free(t->ctx);
	if (t->tokens != NULL)
		OPENSSL_cleanse(t->tokens, TLS_MAX_TOKENS * sizeof(*t->tokens));
	free(t->tokens);
	free(t);
}
