/* Parameter checks for the RPC handlers: each answers ERROR_INVALID_PARAMETER
 * (87) itself with a sentence naming the parameter, so handlers stay short. */
#include <stdlib.h>
#include <string.h>

#include "ctl_param.h"
#include "ctl_sock.h"
#include "err.h"
#include "util.h"

/* Refuse parameters the method does not know (typos must not pass silently). */
int
param_only(struct ctl_req *r, json_t *params, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(params, key, v) {
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			ctl_fail(r, ERR_INVALID_PARAMETER, "unknown parameter '%s'", key);
			return -1;
		}
	}
	return 0;
}

/* Fetch a key; 1 if absent (or null) and optional, -1 (answered) if required. */
static int
param_get(struct ctl_req *r, json_t *params, const char *key, int required,
    json_t **v)
{
	*v = json_object_get(params, key);
	if (*v != NULL && !json_is_null(*v))
		return 0;
	if (!required)
		return 1;
	ctl_fail(r, ERR_INVALID_PARAMETER, "missing parameter '%s'", key);
	return -1;
}

int
param_str(struct ctl_req *r, json_t *params, const char *key, int required,
    const char **out)
{
	json_t *v;
	int rc;

	if ((rc = param_get(r, params, key, required, &v)) != 0)
		return rc;
	if (!json_is_string(v) || strlen(json_string_value(v)) !=
	    json_string_length(v)) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "parameter '%s' must be a string",
		    key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* A relationship name: missing, not a string, or empty -> 87 (RPC.md §6). */
int
param_name(struct ctl_req *r, json_t *params, const char **out)
{
	if (param_str(r, params, "name", 1, out) == -1)
		return -1;
	if (**out == '\0') {
		ctl_fail(r, ERR_INVALID_PARAMETER, "parameter 'name' must not be empty");
		return -1;
	}
	return 0;
}

int
param_addr(struct ctl_req *r, json_t *params, const char *key, int required,
    uint32_t *out)
{
	json_t *v;
	int rc;

	if ((rc = param_get(r, params, key, required, &v)) != 0)
		return rc;
	if (!json_is_string(v) || addr_parse(json_string_value(v), out) == -1) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "parameter '%s' must be an IPv4 "
		    "address in dotted-quad form", key);
		return -1;
	}
	return 0;
}

int
param_uint(struct ctl_req *r, json_t *params, const char *key, int required,
    uint64_t lo, uint64_t hi, uint64_t *out)
{
	json_int_t n;
	json_t *v;
	int rc;

	if ((rc = param_get(r, params, key, required, &v)) != 0)
		return rc;
	if (!json_is_integer(v) || (n = json_integer_value(v)) < 0 ||
	    (uint64_t)n < lo || (uint64_t)n > hi) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "parameter '%s' must be an integer "
		    "from %llu to %llu", key, (unsigned long long)lo,
		    (unsigned long long)hi);
		return -1;
	}
	*out = (uint64_t)n;
	return 0;
}

int
param_hwaddr(struct ctl_req *r, json_t *params, const char *key, int required,
    uint8_t *hw, uint8_t *hwlen)
{
	json_t *v;
	int rc, n;

	if ((rc = param_get(r, params, key, required, &v)) != 0)
		return rc;
	if (!json_is_string(v) || (n = hwaddr_parse(json_string_value(v), hw, 16)) < 1) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "parameter '%s' must be a hardware "
		    "address like aa:bb:cc:dd:ee:ff", key);
		return -1;
	}
	*hwlen = (uint8_t)n;
	return 0;
}

/* Whether v[0..n-1] already holds a. */
static int
contains(const uint32_t *v, size_t n, uint32_t a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == a)
			return 1;
	return 0;
}

int
param_addr_list(struct ctl_req *r, json_t *params, const char *key, size_t max,
    uint32_t **out, size_t *n)
{
	json_t *v, *e;
	size_t i;

	*out = NULL;
	*n = 0;
	if (param_get(r, params, key, 1, &v) == -1)
		return -1;
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > max) {
		ctl_fail(r, ERR_INVALID_PARAMETER, "parameter '%s' must be a list of "
		    "1 to %zu subnet addresses", key, max);
		return -1;
	}
	if ((*out = calloc(json_array_size(v), sizeof(**out))) == NULL) {
		ctl_fail(r, ERR_JET_ERROR, "out of memory");
		return -1;
	}
	json_array_foreach(v, i, e) {
		uint32_t a;

		if (!json_is_string(e) || addr_parse(json_string_value(e), &a) == -1 ||
		    contains(*out, *n, a)) {
			ctl_fail(r, ERR_INVALID_PARAMETER, "parameter '%s': element %zu "
			    "is not a subnet address, or is listed twice", key, i);
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		(*out)[(*n)++] = a;
	}
	return 0;
}
