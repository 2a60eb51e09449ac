/* Who may call what (REMOTE.md, RPC.md §1): the class of every method
 * (ctl_class.c, beside the method table of ctl_cmd.c), the two roles and their
 * mapping from a certificate subject (ctl_auth.c), the audit log (ctl_audit.c),
 * and how a channel hands a connected, authenticated client to the line
 * reader of ctl_sock.c. */
#ifndef DHCPFOD_CTL_AUTH_H
#define DHCPFOD_CTL_AUTH_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct bufferevent;
struct conf;
struct ctl;
struct ctl_tls;

/* A method reads or changes the server; CTL_UNCLASSIFIED is a bug that
 * check_ctl_auth catches and that the dispatcher treats as a change. */
enum ctl_class {
	CTL_UNCLASSIFIED = 0,
	CTL_READ,
	CTL_CHANGE,
};

/* Windows' "DHCP Users" and "DHCP Administrators"; ROLE_NONE may call nothing. */
enum ctl_role {
	ROLE_NONE = 0,
	ROLE_USER,
	ROLE_ADMIN,
};

enum ctl_class	 ctl_method_class(const char *method);
const char	*ctl_class_name(enum ctl_class);
/* The class table's size and its i-th name (the unit test's cross-check). */
size_t		 ctl_class_count(void);
const char	*ctl_class_method(size_t i);
/* The method table's size and its i-th name (ctl_cmd.c). */
size_t		 ctl_method_count(void);
const char	*ctl_method_at(size_t i);

/* Whether a role may call a method of a class. */
int		 ctl_role_may(enum ctl_role, enum ctl_class);
const char	*ctl_role_name(enum ctl_role);
/* Whether an RFC 2253 subject ("CN=ops,O=Lab") holds every ATTR=VALUE of
 * pattern (same form, any order; attribute names case-insensitive), or
 * pattern is "*". */
int		 ctl_subject_match(const char *pattern, const char *subject);
/* admins first, then users: '|'-separated pattern lists (NULL: none). */
enum ctl_role	 ctl_role_of(const char *admins, const char *users,
		    const char *subject);

/* The audit log: one JSON line per call (REMOTE.md, Audit log). */
struct audit;
struct audit	*audit_new(const char *path, const char *user, char *err,
		    size_t errlen);
void		 audit_free(struct audit *);
/* A deep copy of params with every secret's value replaced by "***". */
json_t		*audit_redact(json_t *params);
/* One line (no newline), malloc'd; params are redacted here. */
char		*audit_format(time_t when, const char *channel, const char *identity,
		    const char *peer, const char *method, json_t *params, int code);
/* Append a line; -1 (logged once per episode) when it cannot be written. */
int		 audit_write(struct audit *, const char *line);

/* A client of any channel, as the line reader sees it. */
struct ctl_peer {
	const char	*channel;	/* "unix", "tls" */
	const char	*identity;	/* "uid 1000", the certificate subject */
	const char	*peer;		/* "pid 123", "10.0.0.2:40000" */
	enum ctl_role	 role;
	const char	*denied;	/* why ROLE_NONE: the answer's detail */
	void		(*on_close)(void *);	/* called when the client goes */
	void		*arg;
};

/* Serve an open, authenticated stream (the TLS listener's); the client
 * takes the bufferevent. -1: nothing taken. */
int	ctl_client_add(struct ctl *, struct bufferevent *, const struct ctl_peer *);
struct event_base *ctl_base(struct ctl *);
/* The answer of ctl_call_as: the JSON-RPC line (borrowed) and the error
 * code (0: a result). */
typedef void (*ctl_done_fn)(void *arg, const char *line, int code);
struct ctl_req;
/* Call method as the caller p (another channel: the dashboard over HTTPS):
 * the role check, the audit log and the method table of every channel.
 * done runs once, maybe before this returns; *pending is the request while
 * it waits (ctl_call_cancel: done will not run), else NULL. -1: out of
 * memory, done never runs. */
int	ctl_call_as(struct ctl *, const struct ctl_peer *p, json_t *id,
	    const char *method, json_t *params, ctl_done_fn done, void *arg,
	    struct ctl_req **pending);
void	ctl_call_cancel(struct ctl_req *);
/* The TLS listener (ctl_tls.c), owned by the ctl (ctl_listen_tls). */
struct ctl_tls	*ctl_tls_new(struct ctl *, const struct conf *, char *err,
		    size_t errlen);
void		 ctl_tls_free(struct ctl_tls *);
/* The name and role of a bearer token of [management] tokens; -1: none. */
int		 ctl_tls_token(struct ctl_tls *, const char *token, const char **name,
		    enum ctl_role *role);
struct daemon	*ctl_daemon(struct ctl *);

/* The dashboard over the TLS listener (ctl_https.c). */
struct https;
struct https	*https_new(struct ctl *, struct ctl_tls *);
void		 https_free(struct https *);
/* Serve a TLS stream whose first bytes are HTTP: the peer ("10.0.0.2:4000"),
 * the certificate's subject (NULL: none) and its role; release(arg) runs
 * when the connection goes (also on -1, bev freed). */
int		 https_adopt(struct https *, struct bufferevent *, const char *peer,
		    const char *subject, enum ctl_role, void (*release)(void *),
		    void *arg);

#endif
