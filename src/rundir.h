/* SPDX-License-Identifier: ISC */
/* rundir.h - RUNDIR, root's directory of tunnel state: its names, its locks. */
#ifndef WGRUN_RUNDIR_H
#define WGRUN_RUNDIR_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

#define RUNDIR_SESSION WGRUN_RUNDIR "/session"

/* What RUNDIR holds per tunnel; RUN_ALIAS is the alias in WGRUN_NETNS_DIR. */
enum run_file {
	RUN_RECORD,	/* NAME.state, the authority (record.c) */
	RUN_RECORD_TMP,	/* NAME.state.tmp, renamed over it */
	RUN_LOCK,	/* NAME.lock, held across build and publish */
	RUN_PENDING,	/* NAME.pending, the userspace backend's creation journal */
	RUN_SOCKET,	/* NAME.sock, the userspace daemon's control socket */
	RUN_IDLE,	/* NAME.idle, when --down --idle first found it empty */
	RUN_RESOLVED,	/* NAME.resolved, when its Endpoint names were last resolved */
	RUN_NFTGEN,	/* NAME.nftgen, the namespace and nftables generation last verified */
	RUN_PIN,	/* ns/NAME, the authoritative pin */
	RUN_ALIAS,	/* WGRUN_NETNS_DIR/wgrun-NAME, for other tools */
};

/* The name of f for tunnel, relative to RUNDIR (for openat on rundir_open's
 * descriptor). 0, or -ENAMETOOLONG. RUN_ALIAS has no such name. */
int rundir_name(char *out, size_t n, const char *tunnel, enum run_file f);

/* Remove f of tunnel from RUNDIR, if it is there. */
void rundir_forget(int rundir_fd, const char *tunnel, enum run_file f);

/* A stamp: two numbers in f of tunnel, written under f's name plus ".PID.tmp"
 * and renamed into place, so that a writer killed half-way leaves the old
 * one or none. Read: the first, and the second in *second when not NULL,
 * or -1 (no stamp, not root's regular file). */
void rundir_stamp_write(int rundir_fd, const char *tunnel, enum run_file f, long long value,
			long long second);
long long rundir_stamp_read(int rundir_fd, const char *tunnel, enum run_file f, long long *second);

/* The same, as an absolute path. 0 or -ENAMETOOLONG. */
int rundir_path(char *out, size_t n, const char *tunnel, enum run_file f);

/* Is entry (a name in RUNDIR) a tunnel's record? Then its tunnel name is
 * copied to tunnel (TUNNEL_NAME_MAX + 1 bytes) and it is a valid name. */
bool rundir_record_of(const char *entry, char *tunnel);

/* NAME.UID, a tunnel's session directory for one user in RUNDIR_SESSION,
 * followed by suffix ("" or ".lock", its lock). */
void rundir_session_name(char *out, size_t n, const char *tunnel, uid_t uid, const char *suffix);

/* Open RUNDIR, refusing it unless a root-owned directory with no group or
 * other access. The descriptor, or -errno (-EPERM: not safe). */
int rundir_open(void);

/* The same check, for a directory of RUNDIR's (view/). */
int rundir_open_private(const char *path);

/* Call fn with the path of every entry TUNNEL.* of dir (RUNDIR's per-user
 * directories: --down forgets what belongs to the tunnel). */
void rundir_each_of(const char *dir, const char *tunnel, void (*fn)(const char *path));

/* Make RUNDIR, RUNDIR/ns and WGRUN_NETNS_DIR (root's, not writable by
 * others), the two pin directories shared mounts, and open RUNDIR. The
 * descriptor, or -errno with why. Root creation child only. */
int rundir_prepare(char *why, size_t whylen);

/* Take the tunnel's lock, waiting at most half the creation deadline. Its
 * descriptor (the lock goes with it), or -errno with why. */
int rundir_lock(int rundir_fd, const char *tunnel, char *why, size_t whylen);

/* Every wait is bounded (SECURITY.md row 27), for RUNDIR's locks and the
 * session's alike: an exclusive flock on fd within timeout_ms. 0,
 * -ETIMEDOUT or -errno. */
int lock_bounded(int fd, int timeout_ms);

#endif
