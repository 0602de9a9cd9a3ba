/* SPDX-License-Identifier: ISC */
/* backend.h - the seam between the namespace code and a WireGuard backend:
 * the kernel module (wg_kernel.c) or the userspace daemon (wg_user.c). Only
 * backend.c names either; no other file knows the daemon or its socket. */
#ifndef WGRUN_BACKEND_H
#define WGRUN_BACKEND_H

#include "record.h"
#include "tunnel.h"

/* What --list shows of a running tunnel; nothing secret. */
struct wg_stats {
	long long last_handshake;	/* newest of the peers', seconds since the epoch; 0 never */
	unsigned long long rx, tx;	/* bytes, summed over the peers */
};

/* Create the WireGuard interface `ifname` inside the namespace nsfd, fully
 * configured from t, and fill rec's backend fields and ifindex: the kernel's
 * when it has the wireguard link type, else the userspace daemon. Its
 * encrypted UDP socket lives in the namespace via_nsfd (Via = OTHER: that
 * tunnel's), or in the host's when via_nsfd is -1. Runs in the root
 * creation child, standing in the host's network namespace. */
int backend_create(const struct tunnel *t, const char *ifname, int nsfd, int via_nsfd,
		   int rundir_fd, struct record *rec, char *why, size_t whylen);

/* Is the backend behind rec still running? Judged from kernel state only. */
bool backend_alive(const struct record *rec);

/* "kernel", "userspace" or "none". */
const char *backend_name(enum backend_kind k);

/* The figures of the tunnel behind rec, whose namespace is nsfd. Asks a
 * daemon other users share: root child only (admin.c). 0 or -errno. */
int backend_stats(const char *tunnel, const struct record *rec, int nsfd, struct wg_stats *st);

/* Point the peers whose Endpoint is a host name at the addresses now in t
 * (resolved again), in place. Root child only, as backend_stats. 0 or -errno. */
int backend_set_endpoints(const char *tunnel, const struct record *rec, int nsfd,
			  const struct tunnel *t);

/* Stop what backend_create started (the interface itself goes with the
 * namespace or is deleted by the caller). */
void backend_down(const struct record *rec);

/* Undo what a creation killed half-way left behind (its journal in RUNDIR). */
void backend_pending(int rundir_fd, const char *tunnel);

/* Forget the creation journal once the record is written. */
void backend_commit(int rundir_fd, const char *tunnel);

/* Remove what the backend keeps in RUNDIR once the tunnel is down. */
void backend_forget(const char *tunnel);

#endif
