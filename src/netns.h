/* SPDX-License-Identifier: ISC */
/* netns.h - tunnel namespace lifecycle: lock, build, publish, join, remove. */
#ifndef WGRUN_NETNS_H
#define WGRUN_NETNS_H

#include "conf.h"

/* Warm path: if the tunnel is up exactly as recorded (pin and alias are the
 * recorded namespace, backend alive, interface present and up, tunnel file
 * unchanged), return 1, having entered its network namespace when join. Return 0 when it must
 * be built (why says what is missing), or a negative errno. */
int netns_join_warm(const struct tunnel_src *src, bool join, char *why, size_t whylen);

/* Cold path: build (or rebuild) the tunnel in a detached all-root child and
 * wait for it, with a deadline. 0 or a negative errno with why. */
int netns_create(const struct tunnel_src *src, char *why, size_t whylen);

/* Is the authoritative pin the namespace rec names? (No setns.) */
struct record;
bool netns_pinned(const char *name, const struct record *rec);
/* The pinned namespace of tunnel name as its record says: a descriptor, or
 * -errno (-ENOENT: not up; -ESTALE: the pin is not the recorded one). */
int netns_open_up(const char *name);
/* The same pin, opened: a descriptor of the namespace, or -errno. */
int netns_open_pinned(const char *name, const struct record *rec);

/* Root only: stop the backend, delete the interface, then unpin and forget.
 * Prints the processes still inside. 0, or -ENOENT when not up. With keep,
 * asked under the tunnel's lock with its record: true leaves the tunnel up
 * and returns -EBUSY (--down --idle: a launch came in meanwhile). */
int netns_down(const char *name, bool (*keep)(int rundir_fd, const char *name,
					       const struct record *rec, void *ctx),
	       void *ctx, char *why, size_t whylen);

#endif
