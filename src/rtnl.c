/* SPDX-License-Identifier: ISC */
/* rtnl.c - build rtnetlink requests for links, addresses and routes.
 * Every request goes through nl_request(), which accepts only kernel replies. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "rtnl.h"

static struct nlmsghdr *start(char *buf, uint16_t type, uint16_t flags, size_t hdrlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

struct link_reply {
	int ifindex;
	unsigned flags;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_reply *r = data;
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_ERROR;
	ifi = mnl_nlmsg_get_payload(nlh);
	r->ifindex = ifi->ifi_index;
	r->flags = ifi->ifi_flags;
	return MNL_CB_OK;
}

int rtnl_link_get(struct nl *nl, const char *name, int *ifindex, unsigned *flags)
{
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh = start(buf, RTM_GETLINK, 0, sizeof(struct ifinfomsg));
	struct link_reply r = { 0, 0 };
	int err;

	if (strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	if (!mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME, name))
		return -EMSGSIZE;
	err = nl_request(nl, nlh, link_cb, &r);
	if (err < 0)
		return err;
	if (r.ifindex <= 0)
		return -ENODEV;
	*ifindex = r.ifindex;
	*flags = r.flags;
	return 0;
}

static int link_change(struct nl *nl, int ifindex, unsigned flags, unsigned change,
		       uint32_t mtu)
{
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh = start(buf, RTM_NEWLINK, 0, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (mtu && !mnl_attr_put_u32_check(nlh, sizeof(buf), IFLA_MTU, mtu))
		return -EMSGSIZE;
	return nl_request(nl, nlh, NULL, NULL);
}

int rtnl_link_up(struct nl *nl, int ifindex)
{
	return link_change(nl, ifindex, IFF_UP, IFF_UP, 0);
}

int rtnl_link_set_mtu(struct nl *nl, int ifindex, uint32_t mtu)
{
	return link_change(nl, ifindex, 0, 0, mtu);
}

int rtnl_link_del(struct nl *nl, int ifindex)
{
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh = start(buf, RTM_DELLINK, 0, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nl_request(nl, nlh, NULL, NULL);
}

int rtnl_link_move(struct nl *nl, int ifindex, int nsfd, const char *newname)
{
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh = start(buf, RTM_NEWLINK, 0, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	if (strlen(newname) >= IFNAMSIZ)
		return -EINVAL;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (!mnl_attr_put_u32_check(nlh, sizeof(buf), IFLA_NET_NS_FD, (uint32_t)nsfd) ||
	    !mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME, newname))
		return -EMSGSIZE;
	return nl_request(nl, nlh, NULL, NULL);
}

/* An address attribute, 4 or 16 bytes as the family says. */
static bool put_addr(struct nlmsghdr *nlh, size_t size, uint16_t type, const struct ipaddr *a)
{
	return mnl_attr_put_check(nlh, size, type, a->family == AF_INET ? 4 : 16, a->bytes);
}

int rtnl_addr_add(struct nl *nl, int ifindex, const struct ipprefix *p)
{
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh = start(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)p->addr.family;
	ifa->ifa_prefixlen = p->plen;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	/* No duplicate address detection: the link is point-to-point and a DAD
	 * wait would hold IPv6 back for a second after every creation. */
	if (p->addr.family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	if (!put_addr(nlh, sizeof(buf), IFA_LOCAL, &p->addr) ||
	    !put_addr(nlh, sizeof(buf), IFA_ADDRESS, &p->addr) ||
	    (p->addr.family == AF_INET6 &&
	     !mnl_attr_put_u32_check(nlh, sizeof(buf), IFA_FLAGS, IFA_F_NODAD)))
		return -EMSGSIZE;
	return nl_request(nl, nlh, NULL, NULL);
}

int rtnl_route_add(struct nl *nl, int ifindex, const struct ipprefix *p)
{
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh = start(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	*rtm = (struct rtmsg){
		.rtm_family = (uint8_t)p->addr.family, .rtm_dst_len = p->plen,
		.rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_LINK, .rtm_type = RTN_UNICAST,
	};
	if ((p->plen && !put_addr(nlh, sizeof(buf), RTA_DST, &p->addr)) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(buf), RTA_OIF, (uint32_t)ifindex))
		return -EMSGSIZE;
	return nl_request(nl, nlh, NULL, NULL);
}
