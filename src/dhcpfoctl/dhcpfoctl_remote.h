/* dhcpfoctl --server (REMOTE.md): where a remote dhcpfod is and the files
 * that prove who we are; dhcpfoctl_remote.c reads the options and the
 * per-user config file, dhcpfoctl_tls.c makes the exchange. */
#ifndef DHCPFOD_DHCPFOCTL_REMOTE_H
#define DHCPFOD_DHCPFOCTL_REMOTE_H

#include <stddef.h>

struct cli_opts;

#define CLI_REMOTE_PORT		"9968"	/* [management] listen's default */

struct cli_remote {
	char		 host[256];
	char		 port[8];
	char		 name[280];	/* "host:port", for messages */
	const char	*cert;
	const char	*key;
	const char	*ca;
	const char	*token;		/* NULL: the certificate alone */
};

/* --server, --cert, --key, --ca (also --opt=VALUE) at a: 1 taken (*used set
 * when next was its value), 0 not one of them, -1 with err. */
int	remote_opt(struct cli_opts *, const char *a, const char *next, int *used,
	    char *err, size_t errlen);
/* After the options: the config file's values for what they left out;
 * 1 remote (rpc_call then goes there), 0 the local socket, -1 with err. */
int	remote_setup(struct cli_opts *, char *err, size_t errlen);
/* The exchange: the reply line (malloc'd, NUL at the newline) or NULL after
 * saying why on stderr. */
char	*tls_exchange(const struct cli_remote *, double timeout, const char *req,
	    size_t reqlen, size_t *linelen);
/* Make rpc_call use r (NULL: the Unix socket). */
void	rpc_set_remote(const struct cli_remote *r);

#endif
