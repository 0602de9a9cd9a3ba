/* SPDX-License-Identifier: ISC */
/* fuzz_uapi.c - libFuzzer target for uapi_parse_answer() and uapi_stats_line(),
 * the parsers of what wireguard-go answers on its control socket. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_stats st = { 0 };
	const char *p = (const char *)data, *end = p + size;
	int r = uapi_parse_answer((const char *)data, size);

	/* 0, a negative errno value, or malformed: never a positive number. */
	if (r > 0)
		abort();
	/* The same bytes as the lines of a get answer, as uapi_get_stats() feeds them. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l && uapi_stats_line(&st, p, l) != 0)
			break;
		p += l + 1;
	}
	return 0;
}
