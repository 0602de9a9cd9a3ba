/* SPDX-License-Identifier: ISC */
/* mounts.h - the command's private view of the filesystem. */
#ifndef WGRUN_MOUNTS_H
#define WGRUN_MOUNTS_H

#include "tunnel.h"

/* Give the command its own mount namespace (charged to uid, the caller), with
 * propagation from the host made slave first; inside: /etc/resolv.conf and
 * /etc/nsswitch.conf generated for the tunnel, the host resolvers' runtime
 * directories and the system bus masked, /sys showing the tunnel namespace
 * with the host's cgroup tree bound back, and a /tmp and /run/user/UID of the
 * tunnel's and the caller's own (session.c). We must stand in the tunnel's
 * network namespace already. 0 or -errno with why. */
int mounts_setup(const struct tunnel *t, const char *tunnel, uid_t uid, gid_t gid,
		 char *why, size_t whylen);

/* In a mount namespace of our own, made slave: /etc overlaid with t's
 * resolv.conf and nsswitch.conf (hosts: files dns). 0 or -errno with why. */
int mounts_resolver(const struct tunnel *t, char *why, size_t whylen);

/* Read all of a small file (procfs or /etc) into buf: its length,
 * -E2BIG when it fills cap, or -errno. */
ssize_t mounts_read_all(const char *path, char *buf, size_t cap);

/* Render resolv.conf / nsswitch.conf text (no I/O; unit-tested). */
int mounts_render_resolv(const struct tunnel *t, char *out, size_t n);
int mounts_render_nsswitch(const char *host, size_t len, char *out, size_t n);

#endif
