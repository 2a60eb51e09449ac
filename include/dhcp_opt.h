/* DHCPv4 options (RFC 2132): the definitions operators name, a typed codec for
 * their values, and the per-scope option list kept as raw wire bytes. */
#ifndef DHCPFOD_DHCP_OPT_H
#define DHCPFOD_DHCP_OPT_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_OPT_MAXLEN		1024	/* bytes; split on the wire per RFC 3396 */
#define DHCP_OPT_MAXADDRS	63	/* addresses in an IP list */
#define DHCP_OPT_MAXSTR		255	/* bytes in a string */

enum dhcp_opttype {
	DHCP_OPT_IP,		/* one IPv4 address */
	DHCP_OPT_IPLIST,	/* 1..63 IPv4 addresses */
	DHCP_OPT_STRING,	/* 1..255 bytes, no NUL */
	DHCP_OPT_UINT8,
	DHCP_OPT_UINT16,
	DHCP_OPT_INT32,
	DHCP_OPT_UINT32,
	DHCP_OPT_BOOL,		/* one byte, 0 or 1 */
	DHCP_OPT_DNSLIST,	/* RFC 3397 domain names, uncompressed */
	DHCP_OPT_HEX,		/* raw bytes, 0..1024 */
	DHCP_OPT_NTYPES
};

/* One option: its code and value bytes (data is NULL when len is 0). */
struct dhcp_opt {
	uint8_t		 code;
	uint16_t	 len;
	uint8_t		*data;
};

/* Options sorted by code, codes unique. Start zeroed; the list owns the data. */
struct dhcp_optlist {
	size_t		 n;
	struct dhcp_opt	*v;
};

/* A known option. min/max bound integer values; both 0: the type's own range. */
struct dhcp_optdef {
	uint8_t			 code;
	const char		*name;
	enum dhcp_opttype	 type;
	int64_t			 min, max;
};

/*
 * A typed value. Integer and bool types use num; the others use text[0..n-1]
 * (an address, a string, a domain name, hex digits each). To encode, the caller
 * fills it and keeps ownership. dhcp_opt_decode allocates text and buf (text
 * points into buf); release them with dhcp_optval_free.
 */
struct dhcp_optval {
	int64_t		  num;
	size_t		  n;
	const char	**text;
	char		 *buf;
};

/* Frees every option and leaves the list empty and reusable. */
void	dhcp_optlist_free(struct dhcp_optlist *);
/* Sets code to a copy of data[0..len-1], replacing an earlier value; 0 / -1
 * (code 0 or 255, len over DHCP_OPT_MAXLEN, out of memory). */
int	dhcp_optlist_set(struct dhcp_optlist *, uint8_t code, const uint8_t *data,
	    size_t len);
/* The option with that code, or NULL; valid until the list changes. */
const struct dhcp_opt *dhcp_optlist_get(const struct dhcp_optlist *,
	    uint8_t code);

/* Known options, NULL if none. Codes only reachable as raw hex have no entry. */
const struct dhcp_optdef *dhcp_optdef_by_name(const char *name);
const struct dhcp_optdef *dhcp_optdef_by_code(uint8_t code);
/* 0 if an operator may set code; else -1 and the reason (a sentence fragment
 * without the option's name) in err. Rejects 0, 255, out of range, and the
 * codes the server manages itself. */
int	dhcp_optcode_check(long long code, char *err, size_t errlen);

/* The value as wire bytes into out (outlen >= DHCP_OPT_MAXLEN is always enough);
 * 0 / -1 with the reason (a fragment, as above) in err. */
int	dhcp_opt_encode(const struct dhcp_optdef *, const struct dhcp_optval *,
	    uint8_t *out, size_t outlen, size_t *len, char *err, size_t errlen);
/* Wire bytes back into a typed value; -1 if they are not exactly what
 * dhcp_opt_encode makes for that type, so encode(decode(x)) == x. */
int	dhcp_opt_decode(const struct dhcp_optdef *, const uint8_t *data,
	    size_t len, struct dhcp_optval *);
/* Frees text and buf (as dhcp_opt_decode allocates them) and zeroes the value. */
void	dhcp_optval_free(struct dhcp_optval *);

#endif
