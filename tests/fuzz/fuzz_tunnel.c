/* SPDX-License-Identifier: ISC */
/* fuzz_tunnel.c - libFuzzer target for tunnel_parse().
 * Besides memory errors (ASan/UBSan) it checks what the parser promises:
 * a failed parse leaves the tunnel wiped, a successful one has a key, at least
 * one peer, masked AllowedIPs and entry counts within the limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_report(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static bool masked(const struct ipprefix *p)
{
	unsigned max = p->addr.family == AF_INET ? 32 : 128;

	if (p->plen > max)
		return false;
	for (unsigned bit = p->plen; bit < max; bit++)
		if (p->addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static void check_success(const struct tunnel *t)
{
	if (!t->has_private_key || t->n_peers < 1 || t->n_peers > TUNNEL_MAX_PEERS ||
	    t->n_addrs > TUNNEL_MAX_ADDRS || t->n_dns > TUNNEL_MAX_DNS ||
	    t->n_search > TUNNEL_MAX_SEARCH)
		abort();
	for (size_t i = 0; i < t->n_search; i++)
		if (strnlen(t->search[i], ENDPOINT_HOST_MAX + 1) > ENDPOINT_HOST_MAX)
			abort();
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct peer *p = &t->peers[i];

		if (p->n_allowed < 1 || p->n_allowed > PEER_MAX_ALLOWED)
			abort();
		for (size_t j = 0; j < p->n_allowed; j++)
			if (!masked(&p->allowed[j]))
				abort();
		if (p->has_endpoint &&
		    (p->endpoint.port == 0 || p->endpoint.host[0] == '\0' ||
		     strnlen(p->endpoint.host, ENDPOINT_HOST_MAX + 1) > ENDPOINT_HOST_MAX))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tunnel zero;
	struct tunnel t;
	char name[TUNNEL_NAME_MAX + 2];
	size_t n;

	if (tunnel_parse(&t, (const char *)data, size, "fuzz.conf", ignore_report, NULL))
		check_success(&t);
	else if (memcmp(&t, &zero, sizeof t) != 0)
		abort();
	tunnel_free(&t);

	/* the name allowlist, on the input's first bytes */
	n = size < sizeof name - 1 ? size : sizeof name - 1;
	if (n)
		memcpy(name, data, n);
	name[n] = '\0';
	tunnel_name_valid(name);
	return 0;
}
