/* SPDX-License-Identifier: ISC */
/* detach.h - take a freshly forked root child out of the caller's reach. */
#ifndef WGRUN_DETACH_H
#define WGRUN_DETACH_H

#include <stddef.h>

/* In a child whose every id is already root: no groups, a session of its
 * own, pending signals discarded, default dispositions and an empty mask;
 * default niceness, scheduling class, affinity, I/O priority, OOM score,
 * timer slack and clamps; the root of every cgroup hierarchy; a fixed table
 * of resource limits (refused, naming the limit, when a hard limit the
 * caller lowered cannot be raised). Everything it starts inherits this.
 * 0 or -errno with why. */
int detach_root(char *why, size_t whylen);

#endif
