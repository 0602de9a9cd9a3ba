/* SPDX-License-Identifier: ISC */
/* refresh.c - a running tunnel's backend asked and told from a root child:
 * the figures of --list, and new endpoints once its host names moved.
 *
 * Asking must not let the caller hurt a daemon other users share: the
 * caller owns our real uid and could stop us while we hold a connection to
 * it, many times over, until the daemon runs out of descriptors. So a root
 * child, out of the caller's reach from its first instruction (child.c),
 * asks; we wait a bounded time, then kill it.
 *
 * WireGuard roams when the peer moves, but not when the peer's Endpoint is
 * a host name whose address changed (dynamic DNS, a provider's balancer, a
 * laptop back from suspend). A launch that finds such a tunnel without a
 * handshake for WGRUN_STALE_HANDSHAKE_S resolves the names again, as a cold
 * start does (up.c), and points the peers at the new addresses here,
 * without a rebuild. NAME.resolved in RUNDIR holds when the names were last
 * resolved; its mtime, when they were last looked at, so that a healthy
 * tunnel's launches pay one stat in between. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "config.h"
#include "netns.h"
#include "refresh.h"
#include "rundir.h"

struct job {
	const char *name;
	const struct record *rec;
	const struct tunnel *t;		/* NULL: the figures */
};

/* New endpoints only for the tunnel they were resolved for, not one
 * rebuilt from another file meanwhile: this runs outside its lock. */
static bool still_same(const struct job *job)
{
	struct record now;
	int fd = rundir_open();
	bool same = fd >= 0 && record_read(fd, job->name, &now) == 0 &&
		    now.conf_hash == job->rec->conf_hash && now.ns_ino == job->rec->ns_ino;

	if (fd >= 0)
		close(fd);
	return same;
}

static int in_child(void *arg, void *out, size_t n)
{
	const struct job *job = arg;
	int fd, r;

	if (job->t && !still_same(job))
		return -ESTALE;
	if ((fd = netns_open_pinned(job->name, job->rec)) < 0)
		return fd;
	if (job->t)
		r = backend_set_endpoints(job->name, job->rec, fd, job->t);
	else
		r = n == sizeof(struct wg_stats) ? backend_stats(job->name, job->rec, fd, out) : -EINVAL;
	close(fd);
	return r;
}

void refresh_stats(const char *name, const struct record *rec, struct wg_stats *st)
{
	struct job arg = { name, rec, NULL };
	struct child_job job = { .ids = CHILD_ROOT, .timeout_ms = 2000, .fn = in_child, .arg = &arg };
	bool answered;

	if (child_run(&job, st, sizeof(*st), &answered) < 0 || !answered)
		memset(st, 0, sizeof(*st));
}

bool refresh_due(const struct tunnel_src *src, struct record *rec)
{
	char note[64];
	struct stat st;
	struct wg_stats ws;
	time_t now = time(NULL);
	int fd;
	bool due = false;

	if (!tunnel_has_named_endpoints(src->t) || rundir_name(note, sizeof(note), src->name, RUN_RESOLVED) < 0 ||
	    (fd = rundir_open()) < 0)
		return false;
	/* Looked at lately, or not up as this file says (a cold start resolves). */
	if ((fstatat(fd, note, &st, AT_SYMLINK_NOFOLLOW) == 0 && now - st.st_mtime < WGRUN_STALE_HANDSHAKE_S) ||
	    record_read(fd, src->name, rec) < 0 || rec->conf_hash != src->hash) {
		close(fd);
		return false;
	}
	refresh_stats(src->name, rec, &ws);
	due = ws.last_handshake <= 0 || now - ws.last_handshake >= WGRUN_STALE_HANDSHAKE_S;
	/* Looked at now, whatever comes of it: a name that does not resolve
	 * is tried again after as long, not by every launch. */
	if (utimensat(fd, note, NULL, AT_SYMLINK_NOFOLLOW) < 0)
		rundir_stamp_write(fd, src->name, RUN_RESOLVED, 0, 0);	/* a tunnel from before the note */
	close(fd);
	return due;
}

int refresh_endpoints(const char *name, const struct record *rec, const struct tunnel *t)
{
	struct job arg = { name, rec, t };
	struct child_job job = { .ids = CHILD_ROOT, .timeout_ms = 5000, .fn = in_child, .arg = &arg };
	char msg[256];
	bool answered;
	int r = child_run(&job, msg, sizeof(msg), &answered), fd;

	if (r == 0 && (fd = rundir_open()) >= 0) {
		rundir_stamp_write(fd, name, RUN_RESOLVED, time(NULL), 0);
		close(fd);
	}
	return answered ? r : (r < 0 ? r : -EIO);
}

void refresh_built(const struct tunnel_src *src)
{
	int fd;

	if (tunnel_has_named_endpoints(src->t) && (fd = rundir_open()) >= 0) {
		rundir_stamp_write(fd, src->name, RUN_RESOLVED, time(NULL), 0);
		close(fd);
	}
}

long long refresh_last(int rundir_fd, const char *name)
{
	return rundir_stamp_read(rundir_fd, name, RUN_RESOLVED, NULL);
}
