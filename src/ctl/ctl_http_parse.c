/* The request head of the metrics/dashboard HTTP server (RFC 9112 §3): pure
 * functions on bytes, no I/O, so the unit tests and the fuzzer reach them. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctl_http.h"

size_t
http_head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* RFC 9110 §5.6.2 tchar */
static int
is_tchar(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The method token: HTTP_GET, HTTP_HEAD, HTTP_POST, 405 another method,
 * 400 not a token. */
static int
parse_method(const char *s, size_t n)
{
	if (n == 0)
		return 400;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 400;
	if (n == 3 && memcmp(s, "GET", 3) == 0)
		return HTTP_GET;
	if (n == 4 && memcmp(s, "HEAD", 4) == 0)
		return HTTP_HEAD;
	if (n == 4 && memcmp(s, "POST", 4) == 0)
		return HTTP_POST;
	return 405;
}

/* The target: origin-form, printable ASCII, at most HTTP_MAX_TARGET. */
static int
parse_target(const char *s, size_t n, struct http_req *req)
{
	char *q;

	if (n > HTTP_MAX_TARGET)
		return 414;
	if (n == 0 || s[0] != '/')
		return 400;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return 400;
	memcpy(req->target, s, n);
	req->target[n] = '\0';
	req->path = req->target;
	if ((q = strchr(req->target, '?')) != NULL) {
		*q = '\0';
		req->query = q + 1;
	} else
		req->query = "";
	return 0;
}

/* A header value into buf (at most len - 1 bytes): -1 when longer. */
static int
copy_value(char *buf, size_t len, const char *v, size_t n)
{
	if (n >= len)
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return 0;
}

/* Content-Length (RFC 9112 §6.3): digits only, at most HTTP_MAX_BODY (413),
 * the same value if repeated. */
static int
parse_clen(const char *v, size_t n, struct http_req *req)
{
	long x = 0;

	if (n == 0 || n > 9)
		return n > 9 && strspn(v, "0123456789") >= n ? 413 : 400;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 400;
		x = x * 10 + (v[i] - '0');
	}
	if (req->clen != 0 && req->clen != x)
		return 400;
	req->clen = x;
	return x > HTTP_MAX_BODY ? 413 : 0;
}

/* One header field (RFC 9112 §5): the ones read are kept, the rest checked
 * for form only. A transfer coding is 501: bodies come with a length. */
static int
parse_field(const char *s, size_t n, struct http_req *req)
{
	const char *colon = memchr(s, ':', n), *v, *e = s + n;
	size_t name;

	if (colon == NULL || colon == s)
		return 400;
	name = (size_t)(colon - s);
	for (size_t i = 0; i < name; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 400;	/* also obs-fold and white space before ':' */
	for (v = colon + 1; v < e && (*v == ' ' || *v == '\t'); v++)
		;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (const char *p = v; p < e; p++)
		if ((unsigned char)*p < ' ' && *p != '\t')
			return 400;
	if (name == 13 && strncasecmp(s, "authorization", 13) == 0)
		return copy_value(req->auth, sizeof(req->auth), v, (size_t)(e - v)) ? 431 : 0;
	if (name == 12 && strncasecmp(s, "content-type", 12) == 0)
		return copy_value(req->ctype, sizeof(req->ctype), v, (size_t)(e - v)) ? 400 : 0;
	if (name == 16 && strncasecmp(s, "x-requested-with", 16) == 0)
		return copy_value(req->xrw, sizeof(req->xrw), v, (size_t)(e - v)) ? 400 : 0;
	if (name == 14 && strncasecmp(s, "content-length", 14) == 0)
		return parse_clen(v, (size_t)(e - v), req);
	if (name == 17 && strncasecmp(s, "transfer-encoding", 17) == 0)
		return 501;
	return 0;
}

/* The header fields after the request line, up to the blank line. */
static int
parse_fields(const char *p, const char *end, struct http_req *req)
{
	const char *eol;
	size_t n;
	int rc;

	while (p < end && (eol = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			return 0;
		if ((rc = parse_field(p, n, req)) != 0)
			return rc;
		p = eol + 1;
	}
	return 0;
}

int
http_parse_head(const char *head, size_t len, struct http_req *req)
{
	const char *eol = memchr(head, '\n', len), *sp1, *sp2, *ver;
	size_t line;
	int m, rc;

	memset(req, 0, offsetof(struct http_req, target));
	req->auth[0] = req->ctype[0] = req->xrw[0] = '\0';
	req->clen = 0;
	req->body = NULL;
	req->conn = NULL;
	req->ctx = NULL;

	if (eol == NULL)
		return 400;
	line = (size_t)(eol - head);
	if (line > 0 && head[line - 1] == '\r')
		line--;
	if ((sp1 = memchr(head, ' ', line)) == NULL)
		return 400;
	if ((m = parse_method(head, (size_t)(sp1 - head))) >= 400)
		return m;
	sp1++;
	if ((sp2 = memchr(sp1, ' ', line - (size_t)(sp1 - head))) == NULL)
		return (size_t)(head + line - sp1) > HTTP_MAX_TARGET ? 414 : 400;
	if ((rc = parse_target(sp1, (size_t)(sp2 - sp1), req)) != 0)
		return rc;
	ver = sp2 + 1;
	if ((size_t)(head + line - ver) != 8 || memcmp(ver, "HTTP/1.", 7) != 0)
		return (size_t)(head + line - ver) == 8 && memcmp(ver, "HTTP/", 5) == 0 ?
		    505 : 400;
	if (ver[7] != '0' && ver[7] != '1')
		return 505;
	req->method = (enum http_method)m;
	req->head = m == HTTP_HEAD;
	if ((rc = parse_fields(eol + 1, head + len, req)) != 0)
		return rc;
	return m != HTTP_POST && req->clen != 0 ? 400 : 0;
}

const char *
http_reason(int code)
{
	static const struct { int code; const char *reason; } t[] = {
		{ 200, "OK" }, { 304, "Not Modified" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 413, "Content Too Large" },
		{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == code)
			return t[i].reason;
	return "Error";
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
http_unescape(char *s)
{
	char *w = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*w++ = ' ';
		else if (*s != '%')
			*w++ = *s;
		else {
			if ((hi = hexval((unsigned char)s[1])) < 0 ||
			    (lo = hexval((unsigned char)s[2])) < 0 || hi + lo == 0)
				return -1;
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		}
	}
	*w = '\0';
	return 0;
}

int
http_query_get(const char *query, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key), n;
	const char *p = query, *end;

	while (*p != '\0') {
		end = strchr(p, '&');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			if (n - klen - 1 >= len)
				return -1;
			memcpy(buf, p + klen + 1, n - klen - 1);
			buf[n - klen - 1] = '\0';
			return http_unescape(buf);
		}
		p += n + (end != NULL);
	}
	return -1;
}
