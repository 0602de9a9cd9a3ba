/* SPDX-License-Identifier: ISC */
/* fuzz_policy.c - libFuzzer target for policy_parse().
 * policy_decide() is left out: it calls NSS, which is slow and reads the
 * host's files; its matching is covered by tests/unit/test_policy.c. */
#include <stdint.h>
#include <stdlib.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_report(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;

	if (policy_parse(&p, (const char *)data, size, "fuzz.policy", ignore_report, NULL)) {
		for (size_t i = 0; i < p.n_rules; i++) {
			const struct rule *r = &p.rules[i];

			if (r->n_tunnels < 1 || r->n_tunnels > POLICY_MAX_TUNNELS_PER_RULE)
				abort();
			for (size_t j = 0; j < r->n_tunnels; j++)
				if (!tunnel_name_valid(r->tunnels[j]))
					abort();
		}
	} else if (p.rules || p.n_rules) {
		abort();
	}
	policy_free(&p);
	return 0;
}
