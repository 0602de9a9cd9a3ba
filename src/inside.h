/* SPDX-License-Identifier: ISC */
/* inside.h - what a tunnel namespace holds besides the WireGuard interface. */
#ifndef WGRUN_INSIDE_H
#define WGRUN_INSIDE_H

#include "nl.h"
#include "tunnel.h"

/* Standing inside a tunnel namespace: harden its settings, bring lo up and
 * install the kill switch for interface name (replace: atomically in place
 * of the one a rebuild finds). Opens in, a route socket bound to this
 * namespace, for inside_configure. 0 or -errno with why. */
int inside_prepare(struct nl *in, const char *name, const struct tunnel *t, bool replace,
		   char *why, size_t whylen);

/* Through in: the interface's MTU, addresses, link up, and the routes of
 * every peer's AllowedIPs, as wg-quick derives them; its index in ifindex.
 * 0 or -errno with why. */
int inside_configure(struct nl *in, const struct tunnel *t, const char *name, int *ifindex,
		     char *why, size_t whylen);

/* Delete interface name in namespace nsfd if it is there (a rebuild in
 * place, a teardown). 0 when it is gone, or -errno. */
int inside_delete_iface(int nsfd, const char *name);

/* When the kill switch was last found whole: the namespace's nftables
 * generation and network namespace cookie then (-1: never). */
struct nft_seen {
	long long gen, cookie;
};

/* Standing inside: is interface name there with this index and up, and the
 * kill switch as inside_prepare made it? seen is updated. */
bool inside_intact(const char *name, const struct tunnel *t, int ifindex, struct nft_seen *seen);

#endif
