/* DHCPv4 option definitions, the typed codec of their values (RFC 2132, RFC 3397)
 * and the sorted per-scope option list. Pure: no I/O, no JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp_opt.h"
#include "util.h"

#define DNS_MAXLABEL	63	/* RFC 1035 §2.3.4 */
#define DNS_MAXNAME	255	/* wire bytes, RFC 1035 §2.3.4 */
#define CLIP		60	/* bytes of a value quoted in a message */

/* printf arguments for "'%.*s%s'": s, or its start and "..." if long. */
#define QUOTED(s)	clip(s), (s), (strlen(s) > CLIP ? "..." : "")

/* Output of an encoder: at most cap bytes. */
struct obuf {
	uint8_t	*p;
	size_t	 len, cap;
};

typedef int	 enc_fn(const struct dhcp_optdef *, const struct dhcp_optval *,
		    struct obuf *, char *, size_t);
typedef int	 dec_fn(const struct dhcp_optdef *, const uint8_t *, size_t,
		    struct dhcp_optval *);

static enc_fn	 enc_ip, enc_iplist, enc_string, enc_int, enc_dnslist, enc_hex;
static dec_fn	 dec_ip, dec_iplist, dec_string, dec_int, dec_dnslist, dec_hex;

/* The handlers of each value type; integer types also give width and range. */
static const struct opttype {
	enc_fn		*enc;
	dec_fn		*dec;
	size_t		 width;
	int64_t		 min, max;
} opttypes[DHCP_OPT_NTYPES] = {
	[DHCP_OPT_IP] =		{ enc_ip, dec_ip, 0, 0, 0 },
	[DHCP_OPT_IPLIST] =	{ enc_iplist, dec_iplist, 0, 0, 0 },
	[DHCP_OPT_STRING] =	{ enc_string, dec_string, 0, 0, 0 },
	[DHCP_OPT_UINT8] =	{ enc_int, dec_int, 1, 0, UINT8_MAX },
	[DHCP_OPT_UINT16] =	{ enc_int, dec_int, 2, 0, UINT16_MAX },
	[DHCP_OPT_INT32] =	{ enc_int, dec_int, 4, INT32_MIN, INT32_MAX },
	[DHCP_OPT_UINT32] =	{ enc_int, dec_int, 4, 0, UINT32_MAX },
	[DHCP_OPT_BOOL] =	{ enc_int, dec_int, 1, 0, 1 },
	[DHCP_OPT_DNSLIST] =	{ enc_dnslist, dec_dnslist, 0, 0, 0 },
	[DHCP_OPT_HEX] =	{ enc_hex, dec_hex, 0, 0, 0 },
};

/* Options operators set by name (RFC 2132 §3-§8, or the RFC noted), by code. */
static const struct dhcp_optdef optdefs[] = {
	{ 1,	"subnet_mask",		DHCP_OPT_IP,		0, 0 },
	{ 2,	"time_offset",		DHCP_OPT_INT32,		0, 0 },
	{ 3,	"routers",		DHCP_OPT_IPLIST,	0, 0 },
	{ 4,	"time_servers",		DHCP_OPT_IPLIST,	0, 0 },
	{ 6,	"domain_name_servers",	DHCP_OPT_IPLIST,	0, 0 },
	{ 7,	"log_servers",		DHCP_OPT_IPLIST,	0, 0 },
	{ 12,	"host_name",		DHCP_OPT_STRING,	0, 0 },
	{ 15,	"domain_name",		DHCP_OPT_STRING,	0, 0 },
	{ 19,	"ip_forwarding",	DHCP_OPT_BOOL,		0, 0 },
	{ 23,	"default_ip_ttl",	DHCP_OPT_UINT8,		1, 255 },
	{ 26,	"interface_mtu",	DHCP_OPT_UINT16,	68, 65535 },
	{ 28,	"broadcast_address",	DHCP_OPT_IP,		0, 0 },
	{ 35,	"arp_cache_timeout",	DHCP_OPT_UINT32,	0, 0 },
	{ 37,	"default_tcp_ttl",	DHCP_OPT_UINT8,		1, 255 },
	{ 40,	"nis_domain",		DHCP_OPT_STRING,	0, 0 },
	{ 41,	"nis_servers",		DHCP_OPT_IPLIST,	0, 0 },
	{ 42,	"ntp_servers",		DHCP_OPT_IPLIST,	0, 0 },
	{ 44,	"netbios_name_servers",	DHCP_OPT_IPLIST,	0, 0 },
	{ 47,	"netbios_scope",	DHCP_OPT_STRING,	0, 0 },
	{ 66,	"tftp_server_name",	DHCP_OPT_STRING,	0, 0 },
	{ 67,	"bootfile_name",	DHCP_OPT_STRING,	0, 0 },
	{ 119,	"domain_search",	DHCP_OPT_DNSLIST,	0, 0 },	/* 3397 */
	{ 150,	"tftp_server_address",	DHCP_OPT_IPLIST,	0, 0 },	/* 5859 */
};

/* Codes the server fills in itself (RFC 2132 §9, RFC 3046): never configured. */
static const struct {
	uint8_t		 code;
	const char	*what;
	const char	*hint;
} managed[] = {
	{ 50, "the requested IP address", "" },
	{ 51, "the IP address lease time", " (set the scope's lease_time)" },
	{ 52, "option overload", "" },
	{ 53, "the DHCP message type", "" },
	{ 54, "the server identifier", "" },
	{ 55, "the parameter request list", "" },
	{ 57, "the maximum DHCP message size", "" },
	{ 58, "the renewal (T1) time", " (it follows the scope's lease_time)" },
	{ 59, "the rebinding (T2) time", " (it follows the scope's lease_time)" },
	{ 61, "the client identifier", "" },
	{ 82, "the relay agent information", "" },
};

static int	fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Formats the reason into err; returns -1 for the caller to pass on. */
static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* How much of s a message quotes: up to CLIP bytes, cut between characters. */
static int
clip(const char *s)
{
	size_t n = strlen(s);

	if (n <= CLIP)
		return (int)n;
	for (n = CLIP; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
		;
	return (int)n;
}

static int
put(struct obuf *b, const void *data, size_t n, char *err, size_t errlen)
{
	if (b->cap - b->len < n)
		return fail(err, errlen, "the value is longer than %d bytes",
		    DHCP_OPT_MAXLEN);
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

/* RFC 2132 §2: an address is four bytes in network order. */
static int
put_addr(struct obuf *b, const char *s, char *err, size_t errlen)
{
	uint32_t a;
	uint8_t w[4];

	if (addr_parse(s, &a) == -1)
		return fail(err, errlen, "'%.*s%s' is not an IPv4 address",
		    QUOTED(s));
	w[0] = a >> 24;
	w[1] = (a >> 16) & 0xff;
	w[2] = (a >> 8) & 0xff;
	w[3] = a & 0xff;
	return put(b, w, sizeof(w), err, errlen);
}

static int
enc_ip(const struct dhcp_optdef *d, const struct dhcp_optval *v,
    struct obuf *b, char *err, size_t errlen)
{
	if (v->n != 1)
		return fail(err, errlen, "expected one address, got %zu", v->n);
	return put_addr(b, v->text[0], err, errlen);
}

/* RFC 2132 §3.5 and the like: one or more addresses, length a multiple of 4. */
static int
enc_iplist(const struct dhcp_optdef *d, const struct dhcp_optval *v,
    struct obuf *b, char *err, size_t errlen)
{
	if (v->n == 0)
		return fail(err, errlen, "the address list is empty");
	if (v->n > DHCP_OPT_MAXADDRS)
		return fail(err, errlen, "%zu addresses given, at most %d allowed",
		    v->n, DHCP_OPT_MAXADDRS);
	for (size_t i = 0; i < v->n; i++)
		if (put_addr(b, v->text[i], err, errlen) == -1)
			return -1;
	return 0;
}

/* NVT ASCII strings of RFC 2132 §2: 1..255 bytes, sent without a NUL. */
static int
enc_string(const struct dhcp_optdef *d, const struct dhcp_optval *v,
    struct obuf *b, char *err, size_t errlen)
{
	size_t len;

	if (v->n != 1)
		return fail(err, errlen, "expected one string, got %zu", v->n);
	len = strlen(v->text[0]);
	if (len == 0)
		return fail(err, errlen, "the string is empty");
	if (len > DHCP_OPT_MAXSTR)
		return fail(err, errlen, "the string is %zu bytes long, at most %d "
		    "allowed", len, DHCP_OPT_MAXSTR);
	return put(b, v->text[0], len, err, errlen);
}

/* The range allowed for an integer option: its own, else its type's. */
static void
int_range(const struct dhcp_optdef *d, int64_t *min, int64_t *max)
{
	if (d->min == 0 && d->max == 0) {
		*min = opttypes[d->type].min;
		*max = opttypes[d->type].max;
	} else {
		*min = d->min;
		*max = d->max;
	}
}

/* Integers and flags (RFC 2132 §2): fixed width, network byte order. */
static int
enc_int(const struct dhcp_optdef *d, const struct dhcp_optval *v,
    struct obuf *b, char *err, size_t errlen)
{
	size_t width = opttypes[d->type].width;
	uint64_t u = (uint64_t)v->num;
	int64_t min, max;
	uint8_t w[8];

	int_range(d, &min, &max);
	if (v->num < min || v->num > max)
		return fail(err, errlen, "%lld is out of range %lld..%lld",
		    (long long)v->num, (long long)min, (long long)max);
	for (size_t i = 0; i < width; i++)
		w[i] = (u >> (8 * (width - 1 - i))) & 0xff;
	return put(b, w, width, err, errlen);
}

/* Label bytes we write and read back: printable ASCII but the dot. */
static int
label_char(int c)
{
	return c > ' ' && c <= '~' && c != '.';
}

/* One label of name, p[0..len-1], as its length byte and bytes (RFC 1035 §3.1). */
static int
put_label(struct obuf *b, const char *name, const char *p, size_t len,
    char *err, size_t errlen)
{
	uint8_t llen = (uint8_t)len;

	if (len == 0 || len > DNS_MAXLABEL)
		return fail(err, errlen, "'%.*s%s': each label must be 1..%d "
		    "characters", QUOTED(name), DNS_MAXLABEL);
	for (size_t i = 0; i < len; i++)
		if (!label_char((unsigned char)p[i]))
			return fail(err, errlen, "'%.*s%s' contains a space or a "
			    "character that is not printable ASCII", QUOTED(name));
	if (put(b, &llen, 1, err, errlen) == -1)
		return -1;
	return put(b, p, len, err, errlen);
}

/* One domain name as uncompressed labels (RFC 1035 §3.1; RFC 3397 §2 allows but
 * does not require compression). A trailing dot is accepted. */
static int
put_name(struct obuf *b, const char *name, char *err, size_t errlen)
{
	size_t start = b->len, n = strlen(name);
	const char *p, *end, *dot;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0)
		return fail(err, errlen, "'%.*s%s' is not a domain name",
		    QUOTED(name));
	for (p = name, end = name + n; p <= end; p = dot + 1) {
		if ((dot = memchr(p, '.', end - p)) == NULL)
			dot = end;
		if (put_label(b, name, p, dot - p, err, errlen) == -1)
			return -1;
	}
	if (put(b, "", 1, err, errlen) == -1)
		return -1;
	if (b->len - start > DNS_MAXNAME)
		return fail(err, errlen, "'%.*s%s' is longer than %d bytes",
		    QUOTED(name), DNS_MAXNAME);
	return 0;
}

/* RFC 3397 §2: the domain search list is a sequence of encoded names. */
static int
enc_dnslist(const struct dhcp_optdef *d, const struct dhcp_optval *v,
    struct obuf *b, char *err, size_t errlen)
{
	if (v->n == 0)
		return fail(err, errlen, "the domain list is empty");
	for (size_t i = 0; i < v->n; i++)
		if (put_name(b, v->text[i], err, errlen) == -1)
			return -1;
	return 0;
}

/* Raw bytes, given as an even number of hex digits. */
static int
enc_hex(const struct dhcp_optdef *d, const struct dhcp_optval *v,
    struct obuf *b, char *err, size_t errlen)
{
	int n;

	if (v->n != 1)
		return fail(err, errlen, "expected one hex string, got %zu", v->n);
	if (strlen(v->text[0]) > 2 * (b->cap - b->len))
		return fail(err, errlen, "the value is longer than %d bytes",
		    DHCP_OPT_MAXLEN);
	if ((n = hex_parse(v->text[0], b->p + b->len, b->cap - b->len)) == -1)
		return fail(err, errlen, "'%.*s%s' is not an even number of "
		    "hex digits", QUOTED(v->text[0]));
	b->len += n;
	return 0;
}

/* Room for the text of any value decoded from len bytes (an address, 4 bytes,
 * takes 16 characters), and for the most entries (names take 3 bytes or more). */
static int
val_alloc(struct dhcp_optval *v, size_t len)
{
	v->buf = malloc(4 * len + 1);
	v->text = calloc(len / 3 + 1, sizeof(*v->text));
	return v->buf == NULL || v->text == NULL ? -1 : 0;
}

static uint32_t
get_addr(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	    p[3];
}

static int
dec_ip(const struct dhcp_optdef *d, const uint8_t *p, size_t len,
    struct dhcp_optval *v)
{
	if (len != 4 || val_alloc(v, len) == -1)
		return -1;
	v->text[v->n++] = addr_str(get_addr(p), v->buf);
	return 0;
}

static int
dec_iplist(const struct dhcp_optdef *d, const uint8_t *p, size_t len,
    struct dhcp_optval *v)
{
	if (len == 0 || len % 4 != 0 || len / 4 > DHCP_OPT_MAXADDRS)
		return -1;
	if (val_alloc(v, len) == -1)
		return -1;
	for (size_t i = 0; i < len / 4; i++)
		v->text[v->n++] = addr_str(get_addr(p + 4 * i), v->buf + 16 * i);
	return 0;
}

static int
dec_string(const struct dhcp_optdef *d, const uint8_t *p, size_t len,
    struct dhcp_optval *v)
{
	if (len == 0 || len > DHCP_OPT_MAXSTR || memchr(p, '\0', len) != NULL)
		return -1;
	if (val_alloc(v, len) == -1)
		return -1;
	memcpy(v->buf, p, len);
	v->buf[len] = '\0';
	v->text[v->n++] = v->buf;
	return 0;
}

static int
dec_int(const struct dhcp_optdef *d, const uint8_t *p, size_t len,
    struct dhcp_optval *v)
{
	uint64_t u = 0;
	int64_t min, max;

	if (len != opttypes[d->type].width)
		return -1;
	for (size_t i = 0; i < len; i++)
		u = u << 8 | p[i];
	if (d->type == DHCP_OPT_INT32 && (u & 0x80000000u))
		v->num = (int64_t)u - ((int64_t)1 << 32);
	else
		v->num = (int64_t)u;
	int_range(d, &min, &max);
	return v->num < min || v->num > max ? -1 : 0;
}

/* One uncompressed name at *off into out; -1 on pointers (RFC 1035 §4.1.4),
 * the root name, or labels put_name would not write. */
static int
get_name(const uint8_t *p, size_t len, size_t *off, char *out)
{
	size_t start = *off, o = 0, llen;

	for (;;) {
		if (*off >= len)
			return -1;
		if ((llen = p[(*off)++]) == 0)
			break;
		if (llen > DNS_MAXLABEL || len - *off < llen)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (size_t i = 0; i < llen; i++)
			if (!label_char(p[*off + i]))
				return -1;
		memcpy(out + o, p + *off, llen);
		o += llen;
		*off += llen;
	}
	if (o == 0 || *off - start > DNS_MAXNAME)
		return -1;
	out[o] = '\0';
	return 0;
}

static int
dec_dnslist(const struct dhcp_optdef *d, const uint8_t *p, size_t len,
    struct dhcp_optval *v)
{
	size_t off = 0;
	char *at;

	if (len == 0 || val_alloc(v, len) == -1)
		return -1;
	for (at = v->buf; off < len; at += strlen(at) + 1) {
		if (get_name(p, len, &off, at) == -1)
			return -1;
		v->text[v->n++] = at;
	}
	return 0;
}

static int
dec_hex(const struct dhcp_optdef *d, const uint8_t *p, size_t len,
    struct dhcp_optval *v)
{
	if (val_alloc(v, len) == -1)
		return -1;
	v->text[v->n++] = hex_str(p, len, v->buf);
	return 0;
}

int
dhcp_opt_encode(const struct dhcp_optdef *d, const struct dhcp_optval *v,
    uint8_t *out, size_t outlen, size_t *len, char *err, size_t errlen)
{
	struct obuf b = { out, 0, outlen };

	if (b.cap > DHCP_OPT_MAXLEN)
		b.cap = DHCP_OPT_MAXLEN;
	*len = 0;
	if (d->type >= DHCP_OPT_NTYPES)
		return fail(err, errlen, "unknown value type");
	if (opttypes[d->type].enc(d, v, &b, err, errlen) == -1)
		return -1;
	*len = b.len;
	return 0;
}

int
dhcp_opt_decode(const struct dhcp_optdef *d, const uint8_t *data, size_t len,
    struct dhcp_optval *v)
{
	memset(v, 0, sizeof(*v));
	if (d->type >= DHCP_OPT_NTYPES || len > DHCP_OPT_MAXLEN)
		return -1;
	if (opttypes[d->type].dec(d, data, len, v) == -1) {
		dhcp_optval_free(v);
		return -1;
	}
	return 0;
}

void
dhcp_optval_free(struct dhcp_optval *v)
{
	free(v->text);
	free(v->buf);
	memset(v, 0, sizeof(*v));
}

const struct dhcp_optdef *
dhcp_optdef_by_name(const char *name)
{
	for (size_t i = 0; i < nitems(optdefs); i++)
		if (strcmp(optdefs[i].name, name) == 0)
			return &optdefs[i];
	return NULL;
}

const struct dhcp_optdef *
dhcp_optdef_by_code(uint8_t code)
{
	for (size_t i = 0; i < nitems(optdefs); i++)
		if (optdefs[i].code == code)
			return &optdefs[i];
	return NULL;
}

/* RFC 2132 §3.1/§3.2: pad and end carry no value; the rest of §9 is ours. */
int
dhcp_optcode_check(long long code, char *err, size_t errlen)
{
	if (code == 0)
		return fail(err, errlen, "code 0 is the pad option and cannot be "
		    "set");
	if (code == 255)
		return fail(err, errlen, "code 255 is the end option and cannot be "
		    "set");
	if (code < 1 || code > 254)
		return fail(err, errlen, "not a valid option code (codes are "
		    "1..254)");
	for (size_t i = 0; i < nitems(managed); i++)
		if (managed[i].code == code)
			return fail(err, errlen, "%s is managed by the server and "
			    "cannot be set%s", managed[i].what, managed[i].hint);
	return 0;
}

/* Binary search: the index of code, or where it would go. */
static size_t
optlist_find(const struct dhcp_optlist *l, uint8_t code, int *found)
{
	size_t lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->v[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < l->n && l->v[lo].code == code;
	return lo;
}

/* Opens a slot at index i. */
static int
optlist_insert(struct dhcp_optlist *l, size_t i)
{
	struct dhcp_opt *v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	memmove(&v[i + 1], &v[i], (l->n - i) * sizeof(*v));
	l->v = v;
	l->n++;
	return 0;
}

int
dhcp_optlist_set(struct dhcp_optlist *l, uint8_t code, const uint8_t *data,
    size_t len)
{
	uint8_t *copy = NULL;
	size_t i;
	int found;

	if (code == 0 || code == 255 || len > DHCP_OPT_MAXLEN ||
	    (len > 0 && data == NULL))
		return -1;
	if (len > 0 && (copy = malloc(len)) == NULL)
		return -1;
	if (len > 0)
		memcpy(copy, data, len);
	i = optlist_find(l, code, &found);
	if (found)
		free(l->v[i].data);
	else if (optlist_insert(l, i) == -1) {
		free(copy);
		return -1;
	}
	l->v[i] = (struct dhcp_opt){ code, (uint16_t)len, copy };
	return 0;
}

const struct dhcp_opt *
dhcp_optlist_get(const struct dhcp_optlist *l, uint8_t code)
{
	size_t i;
	int found;

	i = optlist_find(l, code, &found);
	return found ? &l->v[i] : NULL;
}

void
dhcp_optlist_free(struct dhcp_optlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].data);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
