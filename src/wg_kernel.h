/* SPDX-License-Identifier: ISC */
/* wg_kernel.h - the kernel WireGuard backend, over netlink. */
#ifndef WGRUN_WG_KERNEL_H
#define WGRUN_WG_KERNEL_H

#include "nl.h"
#include "record.h"
#include "tunnel.h"

/* Create `ifname` of kind wireguard inside nsfd from the host's namespace (or
 * from via_nsfd, where its UDP socket is then born) and configure it. -EOPNOTSUPP (and nothing else) means the kernel has no
 * WireGuard; other errors come with why. */
int wg_kernel_create(const struct tunnel *t, const char *ifname, int nsfd, int via_nsfd,
		     struct record *rec, char *why, size_t whylen);

/* The generic netlink family id of "wireguard" on that socket. */
int wgnl_family(struct nl *genl, uint16_t *id);

/* Build the WG_CMD_SET_DEVICE messages for t in buf (size bytes), splitting
 * as needed, and pass each to emit; the buffer is wiped after each. No I/O
 * of its own: the unit tests parse what it emits. 0 or -errno. */
typedef int (*wgnl_emit_fn)(struct nlmsghdr *nlh, void *ctx);
int wgnl_build(const struct tunnel *t, const char *ifname, uint16_t family, char *buf,
	       size_t size, wgnl_emit_fn emit, void *ctx);

/* The same for the endpoints of the peers whose Endpoint is a host name,
 * and nothing else (a re-resolution). */
int wgnl_build_endpoints(const struct tunnel *t, const char *ifname, uint16_t family, char *buf,
			 size_t size, wgnl_emit_fn emit, void *ctx);

/* Send them to ifname inside nsfd. 0 or -errno. */
int wg_kernel_set_endpoints(int nsfd, const char *ifname, const struct tunnel *t);

/* Last handshake and bytes of ifname inside nsfd (GET_DEVICE; the private
 * key in the answer is neither kept nor left in a buffer). 0 or -errno. */
struct wg_stats;
int wg_kernel_stats(int nsfd, const char *ifname, struct wg_stats *st);

#endif
