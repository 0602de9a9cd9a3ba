/* backend.h - the seam between the namespace code and a WireGuard backend:
 * the kernel module (wg_kernel.c) or the userspace daemon (wg_user.c), chosen
 * in backend.c. */
#ifndef WGRUN_BACKEND_H
#define WGRUN_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"
#include "tunnel.h"

/* Create the WireGuard interface `ifname` inside the namespace nsfd, fully
 * configured from t, and fill rec's backend fields and ifindex. Runs in the
 * root creation child, standing in the host's network namespace. */
int backend_create(const struct tunnel *t, const char *ifname, int nsfd, int rundir_fd,
		   struct record *rec, char *why, size_t whylen);

/* Is the backend behind rec still running? Judged from kernel state only. */
bool backend_alive(const struct record *rec);

/* Stop what backend_create started (the interface itself goes with the
 * namespace or is deleted by the caller). */
void backend_stop(const struct record *rec);

/* Undo what a creation killed half-way left behind (journal in RUNDIR). */
void backend_cleanup_pending(int rundir_fd, const char *tunnel);

/* Forget the creation journal once the record is written. */
void backend_commit(int rundir_fd, const char *tunnel);

#endif
