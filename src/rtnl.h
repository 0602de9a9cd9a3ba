/* SPDX-License-Identifier: ISC */
/* rtnl.h - the few rtnetlink operations wgrun performs. */
#ifndef WGRUN_RTNL_H
#define WGRUN_RTNL_H

#include "nl.h"
#include "tunnel.h"

/* All take an open NETLINK_ROUTE socket; they act in that socket's namespace. */
int rtnl_link_get(struct nl *nl, const char *name, int *ifindex, unsigned *flags);
int rtnl_link_up(struct nl *nl, int ifindex);
int rtnl_link_del(struct nl *nl, int ifindex);
int rtnl_link_set_mtu(struct nl *nl, int ifindex, uint32_t mtu);
/* Move a link into the namespace nsfd and give it newname there, in one message. */
int rtnl_link_move(struct nl *nl, int ifindex, int nsfd, const char *newname);
int rtnl_addr_add(struct nl *nl, int ifindex, const struct ipprefix *p);
/* A route to p through ifindex (a default route for /0). */
int rtnl_route_add(struct nl *nl, int ifindex, const struct ipprefix *p);

#endif
