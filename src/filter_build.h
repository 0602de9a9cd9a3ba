/* SPDX-License-Identifier: ISC */
/* filter_build.h - build the seccomp filter with libseccomp (compile time). */
#ifndef WGRUN_FILTER_BUILD_H
#define WGRUN_FILTER_BUILD_H

#include <seccomp.h>

/* The whole filter, ready to export; NULL on failure. */
scmp_filter_ctx filter_build(void);

#endif
