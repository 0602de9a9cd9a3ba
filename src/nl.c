/* SPDX-License-Identifier: ISC */
/* nl.c - netlink requests through libmnl.
 *
 * Any local process may send unicast netlink messages to our port, so a reply
 * is accepted only when it comes from the kernel (sender port 0) and carries
 * the sequence number we chose at random (SECURITY.md row 28). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "nl.h"

int nl_open(struct nl *nl, int bus)
{
	struct timeval limit = { .tv_sec = 5 };
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	/* Extended ACKs give better kernel error text; failure only loses that. */
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Every wait is bounded: a reply that never comes fails the request. */
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit)) < 0) {
		int err = -errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	if (getrandom(&nl->seq, sizeof(nl->seq), 0) != sizeof(nl->seq))
		nl->seq = 0x5eed;
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

ssize_t nl_recv_kernel(int fd, void *buf, size_t len)
{
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, len };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n = recvmsg(fd, &msg, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		if (msg.msg_namelen != sizeof(from) || from.nl_pid != 0)
			continue;	/* not from the kernel: ignore it */
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		return n;
	}
}

int nl_open_in(struct nl *nl, int bus, int nsfd)
{
	int hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), r;

	if (hostfd < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		r = -errno;
		close(hostfd);
		return r;
	}
	r = nl_open(nl, bus);
	/* Never go on standing in the wrong place. */
	if (setns(hostfd, CLONE_NEWNET) < 0)
		_exit(EXIT_WGRUN);
	close(hostfd);
	return r;
}

int nl_request(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	/* Large enough for a link dump page; MNL_SOCKET_BUFFER_SIZE is 8 KiB. */
	static char buf[32768];
	int fd = mnl_socket_get_fd(nl->sock);
	uint32_t seq = ++nl->seq;
	int r;

	nlh->nlmsg_seq = seq;
	/* A dump ends with NLMSG_DONE; an ACK after it would be left unread. */
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = nl_recv_kernel(fd, buf, sizeof(buf));

		if (n < 0)
			return (int)n;
		r = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, data);
		/* A WireGuard GET_DEVICE answer carries the private key. */
		explicit_bzero(buf, (size_t)n);
		if (r == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
		if (r == MNL_CB_STOP)
			return 0;
	}
}
