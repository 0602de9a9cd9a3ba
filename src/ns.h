/* SPDX-License-Identifier: ISC */
/* ns.h - where wgrun stands, and checking namespace descriptors. */
#ifndef WGRUN_NS_H
#define WGRUN_NS_H

#include <stddef.h>

struct ns_id {
	unsigned long long dev, ino;
};

/* Refuse unless our mount, network and user namespaces and our root are
 * those of PID 1 (SECURITY.md row 24). 0 or -errno with why. */
int ns_check_placement(char *why, size_t whylen);

/* Identity of the namespace behind fd; 0 or -errno. */
int ns_identify(int fd, struct ns_id *id);

/* Check that fd is a network namespace (nsfs, CLONE_NEWNET), owned by our own
 * (initial) user namespace, and not our current network namespace. */
int ns_verify_net(int fd, struct ns_id *id);

#endif
