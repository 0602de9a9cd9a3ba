/* SPDX-License-Identifier: ISC */
/* inside.c - what a tunnel namespace holds besides the WireGuard interface:
 * hardened settings, lo, the nftables kill switch, the interface's addresses
 * and routes, and the check that all of it is still as made.
 *
 * A namespace that could not be hardened, or whose kill switch could not be
 * installed, is not published (SECURITY.md row 31); the kill switch goes in
 * before there is any interface to leak through. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <net/if.h>

#include "inside.h"
#include "nft.h"
#include "rtnl.h"

static int write_sysctl(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

/* Settings a new namespace would otherwise copy from the host; we stand in
 * it. A namespace that could not be hardened is not published. */
static int harden_sysctls(char *why, size_t whylen)
{
	static const char *const zero[] = {
		"ipv4/ip_forward",
		"ipv4/conf/all/forwarding",
		"ipv4/conf/default/forwarding",
		"ipv4/conf/all/route_localnet",
		"ipv4/conf/default/route_localnet",
		"ipv4/conf/all/accept_redirects",
		"ipv4/conf/default/accept_redirects",
		"ipv4/conf/all/send_redirects",
		"ipv4/conf/default/send_redirects",
		"ipv4/conf/all/accept_source_route",
		"ipv4/conf/default/accept_source_route",
		"ipv6/conf/all/forwarding",
		"ipv6/conf/default/forwarding",
		"ipv6/conf/all/accept_ra",
		"ipv6/conf/default/accept_ra",
		"ipv6/conf/all/autoconf",
		"ipv6/conf/default/autoconf",
		"ipv6/conf/all/accept_redirects",
		"ipv6/conf/default/accept_redirects",
	};
	char path[128];
	int r;

	for (size_t i = 0; i <= sizeof(zero) / sizeof(zero[0]); i++) {
		bool last = i == sizeof(zero) / sizeof(zero[0]);
		/* Unprivileged ICMP sockets: ping works without CAP_NET_RAW inside. */
		const char *key = last ? "ipv4/ping_group_range" : zero[i];

		snprintf(path, sizeof(path), "/proc/sys/net/%s", key);
		r = write_sysctl(path, last ? "0 2147483647" : "0");
		/* A kernel booted with ipv6.disable=1 has no ipv6 keys at all. */
		if (r == -ENOENT && !strncmp(key, "ipv6/", 5))
			continue;
		if (r < 0) {
			snprintf(why, whylen, "cannot set net.%s in the tunnel namespace: %s",
				 key, strerror(-r));
			return r;
		}
	}
	return 0;
}

int inside_prepare(struct nl *in, const char *name, const struct tunnel *t, bool replace,
		   char *why, size_t whylen)
{
	unsigned flags;
	int lo, r;

	if ((r = harden_sysctls(why, whylen)) < 0)
		return r;
	if ((r = nl_open(in, NETLINK_ROUTE)) < 0 || (r = rtnl_link_get(in, "lo", &lo, &flags)) < 0 ||
	    (r = rtnl_link_up(in, lo)) < 0) {
		snprintf(why, whylen, "cannot bring up lo in the tunnel namespace: %s", strerror(-r));
		return r;
	}
	if ((r = nft_install(name, t, replace)) < 0) {
		snprintf(why, whylen, "cannot install the nftables kill switch in the tunnel namespace: %s",
			 strerror(-r));
		return r;
	}
	return 0;
}

/* Addresses, link up, routes from AllowedIPs, as wg-quick derives them. */
int inside_configure(struct nl *in, const struct tunnel *t, const char *name, int *ifindex,
		     char *why, size_t whylen)
{
	unsigned flags;
	int r;

	if ((r = rtnl_link_get(in, name, ifindex, &flags)) < 0) {
		snprintf(why, whylen, "tunnel interface not found in its namespace: %s", strerror(-r));
		return r;
	}
	if (t->mtu && (r = rtnl_link_set_mtu(in, *ifindex, t->mtu)) < 0) {
		snprintf(why, whylen, "cannot set MTU %u: %s", t->mtu, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < t->n_addrs; i++) {
		if ((r = rtnl_addr_add(in, *ifindex, &t->addrs[i])) < 0) {
			snprintf(why, whylen, "cannot add address %zu of the tunnel: %s", i + 1, strerror(-r));
			return r;
		}
	}
	if ((r = rtnl_link_up(in, *ifindex)) < 0) {
		snprintf(why, whylen, "cannot bring the tunnel interface up: %s", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		for (size_t j = 0; j < t->peers[i].n_allowed; j++) {
			if ((r = rtnl_route_add(in, *ifindex, &t->peers[i].allowed[j])) < 0) {
				snprintf(why, whylen, "cannot add the route for AllowedIPs entry %zu of peer %zu: %s",
					 j + 1, i + 1, strerror(-r));
				return r;
			}
		}
	}
	return 0;
}

/* Delete our interface in nsfd if it is there (a rebuild in place). */
int inside_delete_iface(int nsfd, const char *name)
{
	struct nl nl;
	unsigned flags;
	int idx, r;

	if ((r = nl_open_in(&nl, NETLINK_ROUTE, nsfd)) < 0)
		return r;
	r = rtnl_link_get(&nl, name, &idx, &flags);
	if (r == 0)
		r = rtnl_link_del(&nl, idx);
	nl_close(&nl);
	return r == -ENODEV ? 0 : r;
}

/* Is the interface there and up, and the kill-switch table as we made it
 * (chains, hooks, policies, rule counts), as seen from inside the namespace?
 * Replacing the table instead would cost an RCU grace period per launch.
 * We must already stand in it. */
/* Reading the whole table back costs a dump and a comparison per launch.
 * The namespace's nftables generation grows with every change: when it is
 * the one at which the table was last read back and found whole in this
 * very namespace (seen: its generation and its network namespace cookie,
 * which the kernel never gives twice in a boot), nothing changed since,
 * and one short request stands for the dump. A table found whole again
 * updates seen, when no change came in between. */
static bool kill_switch_whole(const char *name, const struct tunnel *t, unsigned long long cookie,
			      struct nft_seen *seen)
{
	uint32_t before, after;
	bool settled;

	if (!cookie || nft_generation(&before) < 0)
		return nft_check(name, t) == 0;
	if (seen->cookie == (long long)cookie && seen->gen == (long long)before)
		return true;
	/* A commit moves the generation before its rules take effect: what
	 * is read back is the generation's own only once no commit is still
	 * applying (nft_settled), and it is stamped only then. */
	settled = nft_settled(before) == 0;
	if (nft_check(name, t) < 0)
		return false;
	if (settled && nft_generation(&after) == 0 && after == before)
		*seen = (struct nft_seen){ (long long)before, (long long)cookie };
	return true;
}

bool inside_intact(const char *name, const struct tunnel *t, int ifindex, struct nft_seen *seen)
{
	unsigned long long cookie = 0;
	socklen_t len = sizeof(cookie);
	struct nl nl;
	unsigned flags = 0;
	int idx = 0, r;

	if (nl_open(&nl, NETLINK_ROUTE) < 0)
		return false;
	r = rtnl_link_get(&nl, name, &idx, &flags);
	if (getsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		cookie = 0;	/* a kernel before 5.14: always the whole check */
	nl_close(&nl);
	return r == 0 && idx == ifindex && (flags & IFF_UP) && kill_switch_whole(name, t, cookie, seen);
}
