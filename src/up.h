/* SPDX-License-Identifier: ISC */
/* up.h - bring a tunnel up: warm when it is, built when it is not. */
#ifndef WGRUN_UP_H
#define WGRUN_UP_H

#include "conf.h"
#include "privs.h"

enum up_how { UP_WARM = 1, UP_BUILT = 2 };

/* Read CONFDIR/tunnels/NAME.conf into t and src (its problems go to stderr,
 * with file and line), then: up as recorded? Then UP_WARM. Otherwise resolve
 * its Endpoint names as c, build it (netns_create) and return UP_BUILT. With
 * join, the calling process then stands in the tunnel's network namespace.
 * A tunnel file that changes during the build is read again, up to three
 * times. -errno with why, a whole message, on failure. Creation, and its
 * failure, are audit-logged. */
int up_tunnel(const char *name, struct tunnel *t, struct tunnel_src *src, const struct caller *c,
	      bool join, char *why, size_t whylen);

#endif
