/* SPDX-License-Identifier: ISC */
/* runview.h - the command's own /run, resolver directories masked. */
#ifndef WGRUN_RUNVIEW_H
#define WGRUN_RUNVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Build a tmpfs at scratch_run mirroring the host's /run but for the masked
 * resolver directories and, unless system_bus, the system bus (empty there),
 * and for /run/user, which holds only an empty UID where the host has the
 * caller's runtime directory; then move it onto /run. Only in the command's
 * own mount namespace. 0 or -errno with why. */
int runview_build(const char *scratch_run, bool system_bus, uid_t uid, char *why, size_t whylen);

/* Append to d what runview_build would make the view from: the host's /run
 * entries it binds, copies or rebuilds. 0 or -errno. */
struct view_desc;
int runview_describe(bool system_bus, struct view_desc *d);

#endif
