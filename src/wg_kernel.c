/* SPDX-License-Identifier: ISC */
/* wg_kernel.c - the kernel backend: the WireGuard module, over netlink.
 *
 * Facts this code is built on (Debian 12's kernel): one RTM_NEWLINK of
 * kind "wireguard", sent from a route socket in the host's namespace with
 * IFLA_NET_NS_FD set, creates the interface directly in the tunnel namespace;
 * it never appears in the host's, and its UDP socket is opened in the
 * namespace of the socket that sent the request (the host's) when it goes up.
 * WG_CMD_SET_DEVICE finds the device by name in the namespace of the generic
 * netlink socket, so that socket is opened inside the tunnel namespace.
 * Without the module the RTM_NEWLINK fails with EOPNOTSUPP: the one signal
 * that selects the userspace backend (backend.c).
 *
 * A configuration too large for one message (many peers, many AllowedIPs)
 * is split as wg(8) does: the first message replaces peers and the first
 * appearance of each peer replaces its AllowedIPs; later messages carry only
 * the device name and the peers' remaining AllowedIPs. Every buffer that held
 * a key is wiped after it is sent. */
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/rtnetlink.h>
#include <linux/wireguard.h>

#include "backend.h"
#include "nl.h"
#include "uapi.h"
#include "wg_kernel.h"

/* Room for one message; the kernel accepts larger, but wg(8) splits here too. */
#define WG_MSG_SIZE 4096

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	uint16_t *id = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			*id = mnl_attr_get_u16(a);
	}
	return MNL_CB_OK;
}

int wgnl_family(struct nl *genl, uint16_t *id)
{
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int r;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	*id = 0;
	if (!mnl_attr_put_strz_check(nlh, sizeof(buf), CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME))
		return -EMSGSIZE;
	r = nl_request(genl, nlh, family_cb, id);
	if (r == 0 && *id == 0)
		r = -ENOENT;
	return r;
}

struct builder {
	char *buf;
	size_t size;
	uint16_t family;
	const char *ifname;
	struct nlmsghdr *nlh;
	struct nlattr *peers, *peer, *ips;
	wgnl_emit_fn emit;
	void *ctx;
};

static void start_message(struct builder *b)
{
	struct genlmsghdr *g;

	memset(b->buf, 0, b->size);
	b->nlh = mnl_nlmsg_put_header(b->buf);
	b->nlh->nlmsg_type = b->family;
	b->nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(b->nlh, sizeof(*g));
	g->cmd = WG_CMD_SET_DEVICE;
	g->version = WG_GENL_VERSION;
	/* The name is at most IFNAMSIZ: it always fits an empty message, or
	 * the buffer is not what this code was built for. */
	if (!mnl_attr_put_strz_check(b->nlh, b->size, WGDEVICE_A_IFNAME, b->ifname))
		abort();
	b->peers = b->peer = b->ips = NULL;
}

/* Close what is open and hand the message over; then a fresh one. */
static int flush(struct builder *b)
{
	int r;

	if (b->ips)
		mnl_attr_nest_end(b->nlh, b->ips);
	if (b->peer)
		mnl_attr_nest_end(b->nlh, b->peer);
	if (b->peers)
		mnl_attr_nest_end(b->nlh, b->peers);
	r = b->emit(b->nlh, b->ctx);
	explicit_bzero(b->buf, b->size);
	start_message(b);
	return r;
}

/* The peer's endpoint attribute, from its address (literal or resolved). */
static bool put_endpoint(struct nlmsghdr *n, size_t room, const struct peer *p)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(p->endpoint.port) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(p->endpoint.port) };

	if (p->endpoint.addr.family == AF_INET) {
		memcpy(&sin.sin_addr, p->endpoint.addr.bytes, 4);
		return mnl_attr_put_check(n, room, WGPEER_A_ENDPOINT, sizeof(sin), &sin);
	}
	memcpy(&sin6.sin6_addr, p->endpoint.addr.bytes, 16);
	return mnl_attr_put_check(n, room, WGPEER_A_ENDPOINT, sizeof(sin6), &sin6);
}

static bool open_peer(struct builder *b, const struct peer *p, bool first_time)
{
	struct nlmsghdr *n = b->nlh;
	size_t room = b->size;

	if (!b->peers && !(b->peers = mnl_attr_nest_start_check(n, room, WGDEVICE_A_PEERS)))
		return false;
	if (!(b->peer = mnl_attr_nest_start_check(n, room, 0)) ||
	    !mnl_attr_put_check(n, room, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key))
		return false;
	if (first_time) {
		if (!mnl_attr_put_u32_check(n, room, WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS))
			return false;
		if (p->has_preshared_key &&
		    !mnl_attr_put_check(n, room, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, p->preshared_key))
			return false;
		if (p->has_endpoint && !put_endpoint(n, room, p))
			return false;
		if (!mnl_attr_put_u16_check(n, room, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p->keepalive))
			return false;
	}
	return (b->ips = mnl_attr_nest_start_check(n, room, WGPEER_A_ALLOWEDIPS)) != NULL;
}

static bool put_allowed(struct builder *b, const struct ipprefix *ip)
{
	struct nlmsghdr *n = b->nlh;
	size_t room = b->size;
	struct nlattr *one = mnl_attr_nest_start_check(n, room, 0);

	if (!one || !mnl_attr_put_u16_check(n, room, WGALLOWEDIP_A_FAMILY, (uint16_t)ip->addr.family) ||
	    !mnl_attr_put_check(n, room, WGALLOWEDIP_A_IPADDR, ip->addr.family == AF_INET ? 4 : 16,
				ip->addr.bytes) ||
	    !mnl_attr_put_u8_check(n, room, WGALLOWEDIP_A_CIDR_MASK, ip->plen)) {
		if (one)
			mnl_attr_nest_cancel(n, one);
		return false;
	}
	mnl_attr_nest_end(n, one);
	return true;
}

int wgnl_build(const struct tunnel *t, const char *ifname, uint16_t family, char *buf,
	       size_t size, wgnl_emit_fn emit, void *ctx)
{
	struct builder b = { buf, size, family, ifname, NULL, NULL, NULL, NULL, emit, ctx };
	int r;

	start_message(&b);
	if (!mnl_attr_put_u32_check(b.nlh, size, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS) ||
	    !mnl_attr_put_check(b.nlh, size, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, t->private_key) ||
	    !mnl_attr_put_u16_check(b.nlh, size, WGDEVICE_A_LISTEN_PORT, t->listen_port))
		return -EMSGSIZE;
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct peer *p = &t->peers[i];
		size_t j = 0;

		if (!open_peer(&b, p, true)) {
			/* Start the peer in a fresh message; if it does not fit
			 * there either, the buffer is simply too small. */
			if (b.peer)
				mnl_attr_nest_cancel(b.nlh, b.peer);
			b.peer = b.ips = NULL;
			if ((r = flush(&b)) < 0)
				return r;
			if (!open_peer(&b, p, true))
				return -EMSGSIZE;
		}
		while (j < p->n_allowed) {
			if (put_allowed(&b, &p->allowed[j])) {
				j++;
				continue;
			}
			/* Full: send what we have, continue this peer's list. */
			if ((r = flush(&b)) < 0)
				return r;
			if (!open_peer(&b, p, false) || !put_allowed(&b, &p->allowed[j]))
				return -EMSGSIZE;	/* not even one fits a fresh message */
			j++;
		}
		mnl_attr_nest_end(b.nlh, b.ips);
		mnl_attr_nest_end(b.nlh, b.peer);
		b.ips = b.peer = NULL;
	}
	r = flush(&b);
	explicit_bzero(buf, size);
	return r;
}

int wgnl_build_endpoints(const struct tunnel *t, const char *ifname, uint16_t family, char *buf,
			 size_t size, wgnl_emit_fn emit, void *ctx)
{
	struct builder b = { buf, size, family, ifname, NULL, NULL, NULL, NULL, emit, ctx };
	struct nlattr *peer;

	start_message(&b);
	if (!(b.peers = mnl_attr_nest_start_check(b.nlh, size, WGDEVICE_A_PEERS)))
		return -EMSGSIZE;
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct peer *p = &t->peers[i];

		if (!peer_endpoint_named(p))
			continue;
		/* UPDATE_ONLY: the peer, found by its key, keeps all the rest, and
		 * one the interface no longer has is not made anew. */
		if (!(peer = mnl_attr_nest_start_check(b.nlh, size, 0)) ||
		    !mnl_attr_put_check(b.nlh, size, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key) ||
		    !mnl_attr_put_u32_check(b.nlh, size, WGPEER_A_FLAGS, WGPEER_F_UPDATE_ONLY) ||
		    !put_endpoint(b.nlh, size, p))
			return -EMSGSIZE;	/* 64 peers' keys and endpoints always fit */
		mnl_attr_nest_end(b.nlh, peer);
	}
	return flush(&b);
}

static int send_one(struct nlmsghdr *nlh, void *ctx)
{
	return nl_request(ctx, nlh, NULL, NULL);
}

int wg_kernel_create(const struct tunnel *t, const char *ifname, int nsfd, int via_nsfd,
		     struct record *rec, char *why, size_t whylen)
{
	char buf[WG_MSG_SIZE];
	struct nl rt = { 0 }, genl = { 0 };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *info;
	uint16_t family;
	int r;

	/* 1. The interface, made in the tunnel namespace from the host's, or
	 * from the namespace of the tunnel it goes through: the module opens
	 * its UDP socket where the request came from. */
	if ((r = via_nsfd >= 0 ? nl_open_in(&rt, NETLINK_ROUTE, via_nsfd) : nl_open(&rt, NETLINK_ROUTE)) < 0) {
		snprintf(why, whylen, "netlink: %s", strerror(-r));
		return r;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (!mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME, ifname) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(buf), IFLA_NET_NS_FD, (uint32_t)nsfd) ||
	    !(info = mnl_attr_nest_start_check(nlh, sizeof(buf), IFLA_LINKINFO)) ||
	    !mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_INFO_KIND, "wireguard"))
		r = -EMSGSIZE;
	else {
		mnl_attr_nest_end(nlh, info);
		r = nl_request(&rt, nlh, NULL, NULL);
	}
	nl_close(&rt);
	if (r == -EOPNOTSUPP)
		return r;	/* no module: the caller tries the userspace backend */
	if (r < 0) {
		snprintf(why, whylen, "cannot create the WireGuard interface: %s", strerror(-r));
		return r;
	}

	/* 2. Its configuration, from a generic netlink socket made inside. */
	if ((r = nl_open_in(&genl, NETLINK_GENERIC, nsfd)) < 0 ||
	    (r = wgnl_family(&genl, &family)) < 0) {
		snprintf(why, whylen, "cannot reach the WireGuard module over netlink: %s", strerror(-r));
		goto out;
	}
	if ((r = wgnl_build(t, ifname, family, buf, sizeof(buf), send_one, &genl)) < 0) {
		snprintf(why, whylen, "the WireGuard module refused the configuration: %s", strerror(-r));
		goto out;
	}
	rec->backend = BACKEND_KERNEL;
	rec->daemon_pid = 0;
	rec->daemon_start = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	nl_close(&genl);
	/* On failure the interface is left to the caller's undo: it lives in a
	 * namespace that is either unpublished (and dies with us) or rebuilt. */
	return r;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct wg_stats *st = data;
	const struct nlattr *a, *p, *q;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != WGDEVICE_A_PEERS)
			continue;	/* the private key among them: not even looked at */
		mnl_attr_for_each_nested(p, a) {
			mnl_attr_for_each_nested(q, p) {
				switch (mnl_attr_get_type(q)) {
				case WGPEER_A_LAST_HANDSHAKE_TIME:
					if (mnl_attr_get_payload_len(q) == sizeof(struct __kernel_timespec)) {
						struct __kernel_timespec ts;	/* payload is 4-aligned only */
						memcpy(&ts, mnl_attr_get_payload(q), sizeof(ts));
						if (ts.tv_sec > st->last_handshake)
							st->last_handshake = ts.tv_sec;
					}
					break;
				case WGPEER_A_RX_BYTES:
					if (mnl_attr_validate(q, MNL_TYPE_U64) == 0)
						st->rx += mnl_attr_get_u64(q);
					break;
				case WGPEER_A_TX_BYTES:
					if (mnl_attr_validate(q, MNL_TYPE_U64) == 0)
						st->tx += mnl_attr_get_u64(q);
					break;
				}
			}
		}
	}
	return MNL_CB_OK;
}

int wg_kernel_stats(int nsfd, const char *ifname, struct wg_stats *st)
{
	char buf[NL_BUF_SIZE];
	struct nl genl = { 0 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	uint16_t family;
	int r;

	memset(st, 0, sizeof(*st));
	if ((r = nl_open_in(&genl, NETLINK_GENERIC, nsfd)) < 0 || (r = wgnl_family(&genl, &family)) < 0)
		goto out;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = WG_GENL_VERSION;
	r = mnl_attr_put_strz_check(nlh, sizeof(buf), WGDEVICE_A_IFNAME, ifname) ?
	    nl_request(&genl, nlh, stats_cb, st) : -EMSGSIZE;
out:
	nl_close(&genl);
	return r;
}

int wg_kernel_set_endpoints(int nsfd, const char *ifname, const struct tunnel *t)
{
	char buf[WG_MSG_SIZE];
	struct nl genl = { 0 };
	uint16_t family;
	int r;

	if ((r = nl_open_in(&genl, NETLINK_GENERIC, nsfd)) == 0 && (r = wgnl_family(&genl, &family)) == 0)
		r = wgnl_build_endpoints(t, ifname, family, buf, sizeof(buf), send_one, &genl);
	nl_close(&genl);
	return r;
}
