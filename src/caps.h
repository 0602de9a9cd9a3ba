/* SPDX-License-Identifier: ISC */
/* caps.h - this process's capability sets, by capget/capset alone. */
#ifndef WGRUN_CAPS_H
#define WGRUN_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/capability.h>

struct caps {
	uint64_t effective, permitted, inheritable;
};

#define CAP_BIT(cap) (1ULL << (cap))

/* Read or set this process's three sets. 0 or -errno. No descriptor and no
 * /proc read: they work under any RLIMIT_NOFILE and in any mount view. */
int caps_get(struct caps *c);
int caps_set(const struct caps *c);

/* Is cap in the bounding set? */
bool caps_bounding(int cap);

/* "sys_admin" and the like (as libcap-ng and capsh name them), for the
 * capabilities wgrun needs. */
const char *caps_name(int cap);

#endif
