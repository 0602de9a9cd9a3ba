/* SPDX-License-Identifier: ISC */
/* child.h - run one function in a child process, under a deadline. */
#ifndef WGRUN_CHILD_H
#define WGRUN_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

/* CHILD_ROOT: every id root from its first instruction, then detached
 * (detach.c). CHILD_CALLER: the job's uid and gid, no supplementary groups,
 * an empty environment. Zero is neither: a job must say which. */
enum child_ids { CHILD_ROOT = 1, CHILD_CALLER = 2 };

struct child_job {
	enum child_ids ids;
	uid_t uid;		/* CHILD_CALLER only */
	gid_t gid;
	int timeout_ms;		/* the parent's whole wait */
	/* CHILD_CALLER only, may be NULL: runs in the child as root, before the
	 * ids change (entering a namespace); 0 or -errno with a message. */
	int (*prepare)(void *arg, char *why, size_t n);
	/* Runs in the child: 0 or -errno; out (n bytes, zeroed) is sent back
	 * whole, a message or a result. */
	int (*fn)(void *arg, void *out, size_t n);
	void *arg;
};

/* Run job->fn in a child and wait for its answer at most the job's deadline.
 * When it answered, *answered is true, out holds its n bytes and the return
 * is fn's. Otherwise the child has been killed and reaped, and the return is
 * -ETIMEDOUT (the deadline passed) or -ECHILD (it died without answering),
 * or -errno when no child could be started. A setup failure in the child
 * (ids, cgroups, limits) is answered like fn's, with its message in out.
 * -EINVAL when the job names no kind of child. */
int child_run(const struct child_job *job, void *out, size_t n, bool *answered);

/* In the child: milliseconds since the parent forked it, suspend included.
 * A job that may have been held (a frozen cgroup) refuses stale work. */
long long child_age_ms(void);

#endif
