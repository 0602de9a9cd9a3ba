/* SPDX-License-Identifier: ISC */
/* filter.h - the command's seccomp filter. */
#ifndef WGRUN_FILTER_H
#define WGRUN_FILTER_H

/* Load the filter (no_new_privs must be set). 0 or -errno. */
int filter_install(void);

#endif
