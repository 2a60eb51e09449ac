/* libFuzzer harness: the config file parser (src/daemon/conf.c). The input,
 * made a string, goes through conf_load_string; what parses is printed
 * canonically. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *out = NULL, err[512] = "";
	struct conf *c;
	size_t outlen = 0;
	FILE *f;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	c = conf_load_string(text, "fuzz.conf", err, sizeof(err));
	if (c == NULL && err[0] == '\0')
		abort();		/* a refusal always says why */
	if (c != NULL && (f = open_memstream(&out, &outlen)) != NULL) {
		conf_print(c, f);
		fclose(f);
	}
	free(out);
	conf_free(c);
	free(text);
	return 0;
}
