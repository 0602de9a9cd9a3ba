/* SPDX-License-Identifier: ISC */
/* proc.h - process identity by pid and start time, and stopping by it. */
#ifndef WGRUN_PROC_H
#define WGRUN_PROC_H

#include <sys/types.h>

/* Start time of pid (field 22 of /proc/PID/stat, clock ticks since boot);
 * 0 if the process does not exist. */
unsigned long long proc_start_time(pid_t pid);

/* Kill the process pid if, and only if, it is still the one that started at
 * `start`, and wait up to timeout_ms for it to die. Never signals a bare pid:
 * a pidfd is taken first, then the identity checked. */
void proc_stop(pid_t pid, unsigned long long start, int timeout_ms);

/* How many processes have the network namespace dev:ino, not counting those
 * running the program ignore (when not NULL); the first 20 pids go into list
 * (n bytes, space-separated, " ..." when there are more). */
size_t proc_in_netns(unsigned long long dev, unsigned long long ino, const char *ignore,
		     char *list, size_t n);

#endif
