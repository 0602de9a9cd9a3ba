/* SPDX-License-Identifier: ISC */
/* timing.h - where a launch spends its time, for bench/phases only: a build
 * with -DWGRUN_TIMING=ON prints each phase's length on stderr; any other
 * build has no trace of it. */
#ifndef WGRUN_TIMING_H
#define WGRUN_TIMING_H

#ifdef WGRUN_TIMING
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static inline void timing_mark(const char *phase)
{
	static struct timespec last;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (last.tv_sec)
		dprintf(STDERR_FILENO, "wgrun-timing %s %lld\n", phase,
			(now.tv_sec - last.tv_sec) * 1000000000LL + (now.tv_nsec - last.tv_nsec));
	last = now;
}
#else
#define timing_mark(phase) ((void)0)
#endif

#endif
