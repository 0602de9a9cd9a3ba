/* SPDX-License-Identifier: ISC */
/* nl.h - netlink requests through libmnl, accepting only the kernel's replies. */
#ifndef WGRUN_NL_H
#define WGRUN_NL_H

#include <libmnl/libmnl.h>

/* Room for one request; replies are read into a larger buffer. */
#define NL_BUF_SIZE 8192

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

/* Open a netlink socket of the given bus in the caller's current network
 * namespace (a socket stays bound to the namespace it was made in). */
int nl_open(struct nl *nl, int bus);
void nl_close(struct nl *nl);

/* The same, made inside the network namespace nsfd; we return to ours before
 * it returns (and exit if we cannot: never stand in the wrong place). */
int nl_open_in(struct nl *nl, int bus, int nsfd);

/* Receive the next message the kernel (sender port 0) sent to fd, skipping
 * anything from elsewhere; bytes, or -ETIMEDOUT, -EMSGSIZE, -errno. */
ssize_t nl_recv_kernel(int fd, void *buf, size_t len);

/* Send nlh (sequence number and NLM_F_ACK are set here) and read replies until
 * the ACK, the error or NLMSG_DONE, passing data messages to cb (may be NULL).
 * Returns 0 or a negative errno (the kernel's error for NLMSG_ERROR). */
int nl_request(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
