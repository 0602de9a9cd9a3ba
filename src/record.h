/* SPDX-License-Identifier: ISC */
/* record.h - the authoritative record of a tunnel, kept in root-only RUNDIR. */
#ifndef WGRUN_RECORD_H
#define WGRUN_RECORD_H

#include <sys/types.h>

#include "cfgfile.h"

enum backend_kind { BACKEND_NONE = 0, BACKEND_USERSPACE = 1, BACKEND_KERNEL = 2 };

struct record {
	unsigned long long ns_dev, ns_ino;	/* identity of the tunnel's netns */
	int ifindex;				/* the WireGuard interface inside */
	enum backend_kind backend;
	pid_t daemon_pid;			/* userspace backend only */
	unsigned long long daemon_start;	/* its start time, /proc/PID/stat field 22 */
	struct cfg_identity conf;		/* the tunnel file it was built from */
	uint64_t conf_hash;
	unsigned idle_down;			/* IdleDown of the file, seconds; 0 never */
	unsigned long long via_dev, via_ino;	/* Via: the namespace the socket was made in */
	/* Network namespace cookies (SO_NETNS_COOKIE): never given twice in a
	 * boot, unlike inode numbers; 0 in records from before they were kept. */
	unsigned long long ns_cookie, via_cookie;
};

/* Was inner's encrypted socket made in other's namespace (Via = other)? */
static inline bool record_carries(const struct record *other, const struct record *inner)
{
	if (!inner->via_ino || other->ns_ino != inner->via_ino || other->ns_dev != inner->via_dev)
		return false;
	return !other->ns_cookie || !inner->via_cookie || other->ns_cookie == inner->via_cookie;
}

/* All take rundir_fd, an open descriptor of RUNDIR. */
int record_read(int rundir_fd, const char *tunnel, struct record *rec);
/* Write tmp file, then rename over the old record: readers see old or new. */
int record_write(int rundir_fd, const char *tunnel, const struct record *rec);
int record_remove(int rundir_fd, const char *tunnel);

#endif
