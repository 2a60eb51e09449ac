/* The request head of the metrics/dashboard HTTP server (RFC 9112 §3): pure
 * functions on bytes, no I/O, so the unit tests and the fuzzer reach them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

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

/* The method token: 0 GET, 1 HEAD, 405 another method, 400 not a token. */
static int
parse_method(const char *s, size_t n)
{
	if (n == 0)
		return 400;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 400;
	if (n == 3 && memcmp(s, "GET", 3) == 0)
		return 0;
	if (n == 4 && memcmp(s, "HEAD", 4) == 0)
		return 1;
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

int
http_parse_head(const char *head, size_t len, struct http_req *req)
{
	const char *eol = memchr(head, '\n', len), *sp1, *sp2, *ver;
	size_t line;
	int m, rc;

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
	req->head = m == 1;
	return 0;
}

const char *
http_reason(int code)
{
	static const struct { int code; const char *reason; } t[] = {
		{ 200, "OK" }, { 304, "Not Modified" }, { 400, "Bad Request" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 414, "URI Too Long" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
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
