/* fuzz_uapi.c - libFuzzer target for uapi_parse_answer(), the parser of what
 * wireguard-go answers on its control socket. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int r = uapi_parse_answer((const char *)data, size);

	/* 0, a negative errno value, or malformed: never a positive number. */
	if (r > 0)
		abort();
	return 0;
}
