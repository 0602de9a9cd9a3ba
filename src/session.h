/* SPDX-License-Identifier: ISC */
/* session.h - the command's own /tmp and runtime directory, per tunnel and user. */
#ifndef WGRUN_SESSION_H
#define WGRUN_SESSION_H

#include "tunnel.h"

struct session {
	uid_t uid;
	bool has_runtime;	/* the host has /run/user/UID */
	int tmp_fd, runtime_fd;	/* RUNDIR/session/NAME.UID/{tmp,runtime}, or -1 */
};

/* In the host's mount namespace, before the command's is made: make sure
 * RUNDIR/session/TUNNEL.UID is a tmpfs of its own (capped), so that what
 * programs inside keep in /tmp and /run/user/UID never fills the host's /run.
 * 0 or -errno with why. */
int session_host(const char *tunnel, uid_t uid, char *why, size_t whylen);

/* --down: unmount and remove every RUNDIR/session/TUNNEL.* (commands still
 * inside keep theirs until they end). */
void session_forget(const char *tunnel);

/* In the command's mount namespace, while the host's /run and /tmp still
 * show: make (or check) RUNDIR/session/TUNNEL.UID/tmp (01777, root) and
 * runtime (0700, the caller's), bind the host's X11 sockets and the
 * caller's X authority files into that tmp, and the display and sound
 * sockets (and the session bus only with SessionBus) of the caller's
 * runtime directory into that runtime. 0 or -errno with why. */
int session_prepare(struct session *s, const char *tunnel, uid_t uid, gid_t gid,
		    const struct tunnel *t, char *why, size_t whylen);

/* After the command's /run is in place: the tunnel's tmp on /tmp (unless
 * SharedTmp), the tunnel's runtime directory on /run/user/UID. Closes what
 * session_prepare opened. 0 or -errno with why. */
int session_place(struct session *s, char *why, size_t whylen);

/* Close what session_prepare opened (on a failure path). */
void session_close(struct session *s);

/* Append to d what session_prepare and session_place would bind from the
 * host's /tmp and /run/user/UID for t: names, inodes, types and owners. */
struct view_desc;
void session_describe(uid_t uid, const struct tunnel *t, struct view_desc *d);

#endif
