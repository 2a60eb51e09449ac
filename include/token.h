/* Bearer tokens of the remote management channel (docs/REMOTE.md, Tokens):
 * a token is "dfo_" and 64 hex digits of random; the daemon keeps only
 * "sha256$SALT$DIGEST", DIGEST = SHA-256(SALT bytes || token), SALT 16 random
 * bytes, both in hex. Used by the daemon (ctl_tls) and by `dhcpfoctl token`. */
#ifndef DHCPFOD_TOKEN_H
#define DHCPFOD_TOKEN_H

#include <stddef.h>

#define TOKEN_LEN	(4 + 64)		/* "dfo_" + 32 bytes in hex */
#define TOKEN_HASH_LEN	(7 + 32 + 1 + 64)	/* "sha256$" salt "$" digest */

/* A new random token and its stored form; -1 if no randomness. */
int	token_new(char tok[TOKEN_LEN + 1], char hash[TOKEN_HASH_LEN + 1]);
/* The stored form of tok with this salt (16 bytes). */
void	token_hash(const char *tok, const unsigned char salt[16],
	    char hash[TOKEN_HASH_LEN + 1]);
/* Whether tok is the token of a stored form (compared in constant time);
 * 0 too for a malformed stored form. */
int	token_check(const char *tok, const char *hash);

#endif
