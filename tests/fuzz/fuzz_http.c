/* libFuzzer harness: the request head of the metrics/dashboard HTTP listener
 * (src/ctl/ctl_http_parse.c). Find the head's end, parse it, read a query
 * value; an accepted request whose path is not an origin-form target within
 * the limit, whose header fields are not within their buffers, whose body
 * length is over HTTP_MAX_BODY, or a status outside the documented ones, is
 * a crash (docs/RPC.md §8.2, REMOTE.md §10). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t n = size < HTTP_MAX_HEAD ? size : HTTP_MAX_HEAD;
	size_t end = http_head_end(buf, n);
	struct http_req req;
	char q[256];
	int rc;

	if (end > n)
		abort();
	rc = http_parse_head(buf, end != 0 ? end : n, &req);
	if (rc != 0) {
		if (rc != 400 && rc != 405 && rc != 413 && rc != 414 && rc != 431 &&
		    rc != 501 && rc != 505)
			abort();
		return 0;
	}
	if (req.clen < 0 || req.clen > HTTP_MAX_BODY ||
	    (req.method != HTTP_POST && req.clen != 0) ||
	    strlen(req.auth) > HTTP_MAX_AUTH || strlen(req.ctype) >= sizeof(req.ctype) ||
	    strlen(req.xrw) >= sizeof(req.xrw))
		abort();
	if (req.path[0] != '/' || strlen(req.target) > HTTP_MAX_TARGET ||
	    strchr(req.path, '?') != NULL || strchr(req.path, ' ') != NULL)
		abort();
	if (http_query_get(req.query, "q", q, sizeof(q)) == 0 && strlen(q) >= sizeof(q))
		abort();
	return 0;
}
