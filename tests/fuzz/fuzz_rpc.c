/* libFuzzer harness: the JSON-RPC envelope codec (src/ctl/ctl_rpc.c). Parse the
 * input as one request line, format the reply ctl_sock would send for it, free
 * everything. A reply that is missing or is not exactly one line is a crash:
 * every request line must get one (docs/RPC.md §1). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_rpc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* One line: non-empty, a single '\n', at the end. */
static void
check_line(const char *line)
{
	size_t n;

	if (line == NULL)
		abort();
	n = strlen(line);
	if (n < 2 || line[n - 1] != '\n' || strchr(line, '\n') != line + n - 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_call call;
	char detail[256], *line;	/* the size ctl_sock uses */
	json_t *id;
	int rc;

	rc = rpc_parse((const char *)data, size, &call, &id, detail, sizeof(detail));
	if (rc == 0) {
		if (call.method == NULL || !json_is_object(call.params))
			abort();
		line = rpc_result_line(call.id, call.params);
		rpc_call_fini(&call);
	} else {
		line = rpc_error_line(id, rc, detail);
		json_decref(id);
	}
	check_line(line);
	free(line);
	return 0;
}
