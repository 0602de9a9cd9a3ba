/* SPDX-License-Identifier: ISC */
/* resolve.h - Endpoint host names to addresses, before the lock is taken. */
#ifndef WGRUN_RESOLVE_H
#define WGRUN_RESOLVE_H

#include "tunnel.h"

/* Where a Via tunnel's names are asked: OTHER's namespace and DNS servers. */
struct resolve_via {
	const char *name;		/* OTHER, for messages */
	int nsfd;			/* its network namespace */
	struct tunnel *t;		/* its tunnel file: DNS= (the child wipes its keys) */
};

/* Fill the address of every peer whose Endpoint is a host name. Look-ups run
 * in a child with the caller's ids and an empty environment, in the host's
 * namespace (via NULL) or through OTHER, under a deadline. 0 or -errno with
 * why. */
int resolve_endpoints(struct tunnel *t, uid_t uid, gid_t gid, const struct resolve_via *via,
		      char *why, size_t whylen);

#endif
