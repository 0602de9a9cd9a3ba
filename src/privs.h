/* SPDX-License-Identifier: ISC */
/* privs.h - the caller's identity, captured once, and the one privilege drop. */
#ifndef WGRUN_PRIVS_H
#define WGRUN_PRIVS_H

#include <sys/resource.h>
#include <sys/types.h>

#define PRIVS_MAX_GROUPS 65536

struct caller {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t n_groups;
	char name[64];			/* for the log; escaped */
	mode_t umask;
	struct rlimit nofile, core, fsize, nproc;
};

/* Check we hold what we need (SECURITY.md row 25): euid 0, the capabilities used in
 * permitted and effective sets, no securebits, no_new_privs off. Dies. */
void privs_check_start(void);

/* Capture the caller's ids, groups, umask and the limits we change (SECURITY.md row 5),
 * then set our own. Dies on failure. */
void privs_capture(struct caller *c);

/* Groups, gid, uid, bounding and ambient sets; restore umask and limits; then
 * verify nothing can be regained (SECURITY.md row 14). Dies on any failure. */
void privs_drop(const struct caller *c);

/* After the drop: effective, permitted, inheritable and ambient sets empty,
 * bounding set CAP_NET_RAW only. 0, -EPERM when something remains, or
 * another -errno when the sets cannot be read (fail closed on either). */
int privs_verify_dropped(void);

#endif
