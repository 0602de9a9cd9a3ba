/* SPDX-License-Identifier: ISC */
/* test_netlink - the netlink request path against the real kernel, in a
 * network namespace of its own (needs root): errors come back as the
 * kernel's errno, and the kernel backend's probe says EOPNOTSUPP exactly
 * when the kernel has no WireGuard. */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "nft.h"
#include "nl.h"
#include "record.h"
#include "rtnl.h"
#include "wg_kernel.h"

static int add_bridge(struct nl *nl, const char *name)
{
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *info;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");	/* always built in; dummy often is not */
	mnl_attr_nest_end(nlh, info);
	return nl_request(nl, nlh, NULL, NULL);
}

int main(void)
{
	struct nl nl;
	unsigned flags;
	int idx, r, nsfd;
	struct ipprefix p = { { AF_INET, { 10, 9, 8, 7 } }, 24 };
	struct ipprefix net = { { AF_INET, { 10, 9, 8, 0 } }, 24 };	/* routes: no host bits */
	struct tunnel t;
	struct record rec;
	char why[256];
	bool has_wg;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("netlink: skipped (needs root)\n");
		return 0;
	}
	r = nl_open(&nl, NETLINK_ROUTE);
	EXPECT("open", r == 0);
	if (r < 0)
		return check_verdict("netlink");
	EXPECT("lo_is_found", rtnl_link_get(&nl, "lo", &idx, &flags) == 0 && idx == 1);
	EXPECT("missing_link_is_ENODEV", rtnl_link_get(&nl, "nosuch0", &idx, &flags) == -ENODEV);
	r = add_bridge(&nl, "wgt0");
	EXPECT("link_is_created", r == 0);
	EXPECT("second_create_is_EEXIST", add_bridge(&nl, "wgt0") == -EEXIST);
	EXPECT("link_comes_up", rtnl_link_get(&nl, "wgt0", &idx, &flags) == 0 && rtnl_link_up(&nl, idx) == 0);
	EXPECT("address_is_added", rtnl_addr_add(&nl, idx, &p) == 0);
	EXPECT("same_address_again_is_EEXIST", rtnl_addr_add(&nl, idx, &p) == -EEXIST);
	EXPECT("route_is_added_and_replaced", rtnl_route_add(&nl, idx, &net) == 0 && rtnl_route_add(&nl, idx, &net) == 0);
	EXPECT("name_too_long_is_refused_before_sending",
	       rtnl_link_get(&nl, "a-name-far-too-long", &idx, &flags) == -EINVAL);
	EXPECT("link_is_deleted", rtnl_link_del(&nl, idx) == 0 && rtnl_link_get(&nl, "wgt0", &idx, &flags) == -ENODEV);

	/* The backend probe: EOPNOTSUPP when, and only when, there is no
	 * WireGuard in this kernel. */
	has_wg = access("/sys/module/wireguard", F_OK) == 0;
	memset(&t, 0, sizeof(t));
	memset(&rec, 0, sizeof(rec));
	nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	r = wg_kernel_create(&t, "wgprobe0", nsfd, -1, &rec, why, sizeof(why));
	if (has_wg)
		EXPECT("kernel_backend_probe_succeeds_with_the_module", r == 0 && rec.backend == BACKEND_KERNEL);
	else
		EXPECT("kernel_backend_probe_says_EOPNOTSUPP_without_the_module", r == -EOPNOTSUPP);
	close(nsfd);
	nl_close(&nl);

	/* The kill switch with the longest port list a tunnel file may hold:
	 * installed whole (an overflow shows under ASan), read back equal, and
	 * a weakened copy (one rule less) told apart. */
	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < TUNNEL_MAX_INBOUND; i++)
		t.inbound[t.n_inbound++] = (struct port_range){ i % 2 ? IPPROTO_UDP : IPPROTO_TCP,
								(uint16_t)(1000 + 10 * i), (uint16_t)(1005 + 10 * i) };
	EXPECT("kill_switch_with_32_port_ranges_installs", nft_install("wgt1", &t, false) == 0);
	EXPECT("kill_switch_reads_back_as_installed", nft_check("wgt1", &t) == 0);
	EXPECT("replacing_it_in_place_works", nft_install("wgt1", &t, true) == 0 && nft_check("wgt1", &t) == 0);
	t.n_inbound--;
	EXPECT("a_different_port_list_is_told_apart", nft_check("wgt1", &t) == -ESTALE);
	EXPECT("another_interface_is_told_apart", nft_check("wgt2", &t) == -ESTALE);
	{
		uint32_t gen = 0;

		EXPECT("generation_is_read", nft_generation(&gen) == 0 && gen > 0);
		EXPECT("settled_at_the_current_generation", nft_settled(gen) == 0);
		EXPECT("settled_refuses_another_generation", nft_settled(gen + 7) == -ERESTART);
		EXPECT("settling_changes_no_generation", ({ uint32_t g2 = 0; nft_generation(&g2) == 0 && g2 == gen; }));
	}
	return check_verdict("netlink");
}
