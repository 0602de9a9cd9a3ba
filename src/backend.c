/* SPDX-License-Identifier: ISC */
/* backend.c - the seam: which WireGuard backend builds and runs a tunnel.
 *
 * The kernel's when it has the wireguard link type. Only EOPNOTSUPP from
 * creating that link selects the userspace daemon; any other error is
 * reported as it is, never papered over by a silent switch. Loading the
 * module is the kernel's business (it autoloads on that request), not ours.
 * Everything after creation follows the record's backend. */
#include <errno.h>

#include "backend.h"
#include "config.h"
#include "wg_kernel.h"
#include "wg_user.h"

int backend_create(const struct tunnel *t, const char *ifname, int nsfd, int via_nsfd,
		   int rundir_fd, struct record *rec, char *why, size_t whylen)
{
	int r = wg_kernel_create(t, ifname, nsfd, via_nsfd, rec, why, whylen);

	if (r != -EOPNOTSUPP)
		return r;
	if (access(WGRUN_WIREGUARD_GO, X_OK) < 0) {
		snprintf(why, whylen,
			 "no WireGuard here: the kernel has no wireguard module and %s is missing; "
			 "install wireguard-go, or a kernel with WireGuard",
			 WGRUN_WIREGUARD_GO);
		return -ENOENT;
	}
	return wg_user_create(t, ifname, nsfd, via_nsfd, rundir_fd, rec, why, whylen);
}

bool backend_alive(const struct record *rec)
{
	switch (rec->backend) {
	case BACKEND_KERNEL:
		return true;	/* the interface is the backend: checked by the caller */
	case BACKEND_USERSPACE:
		return wg_user_alive(rec);
	default:
		return false;
	}
}

const char *backend_name(enum backend_kind k)
{
	switch (k) {
	case BACKEND_USERSPACE: return "userspace";
	case BACKEND_KERNEL: return "kernel";
	default: return "none";
	}
}

int backend_stats(const char *tunnel, const struct record *rec, int nsfd, struct wg_stats *st)
{
	switch (rec->backend) {
	case BACKEND_KERNEL:
		return wg_kernel_stats(nsfd, tunnel, st);
	case BACKEND_USERSPACE:
		return wg_user_stats(tunnel, st);
	default:
		return -ENOENT;
	}
}

int backend_set_endpoints(const char *tunnel, const struct record *rec, int nsfd,
			  const struct tunnel *t)
{
	switch (rec->backend) {
	case BACKEND_KERNEL:
		return wg_kernel_set_endpoints(nsfd, tunnel, t);
	case BACKEND_USERSPACE:
		return wg_user_set_endpoints(tunnel, t);
	default:
		return -ENOENT;
	}
}

void backend_down(const struct record *rec)
{
	if (rec->backend == BACKEND_USERSPACE)
		wg_user_stop(rec);
}

/* The kernel backend journals nothing: its half-made interface lives in a
 * namespace that dies with the creation child. */
void backend_pending(int rundir_fd, const char *tunnel)
{
	wg_user_pending(rundir_fd, tunnel);
}

void backend_commit(int rundir_fd, const char *tunnel)
{
	wg_user_commit(rundir_fd, tunnel);
}

void backend_forget(const char *tunnel)
{
	wg_user_forget(tunnel);
}
