/* SPDX-License-Identifier: ISC */
/* test_wgnl - the WG_CMD_SET_DEVICE messages for the kernel backend: split as
 * large configurations need, nothing lost, nothing replaced twice. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "check.h"
#include "wg_kernel.h"

struct tally {
	int messages, replace_peers, private_keys, peers_seen, replace_allowed, allowed;
	int per_peer[8];
	bool bad;
};

static int count_allowed(const struct nlattr *ips)
{
	const struct nlattr *a;
	int n = 0;

	mnl_attr_for_each_nested(a, ips)
		n++;
	return n;
}

static int emit(struct nlmsghdr *nlh, void *ctx)
{
	struct tally *t = ctx;
	const struct nlattr *a, *p, *q;

	t->messages++;
	if (nlh->nlmsg_type != 0x42)
		t->bad = true;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case WGDEVICE_A_FLAGS:
			t->replace_peers += !!(mnl_attr_get_u32(a) & WGDEVICE_F_REPLACE_PEERS);
			break;
		case WGDEVICE_A_PRIVATE_KEY:
			t->private_keys++;
			break;
		case WGDEVICE_A_PEERS:
			mnl_attr_for_each_nested(p, a) {
				int which = -1;
				t->peers_seen++;
				mnl_attr_for_each_nested(q, p) {
					if (mnl_attr_get_type(q) == WGPEER_A_PUBLIC_KEY)
						which = ((const unsigned char *)mnl_attr_get_payload(q))[0];
					if (mnl_attr_get_type(q) == WGPEER_A_FLAGS &&
					    (mnl_attr_get_u32(q) & WGPEER_F_REPLACE_ALLOWEDIPS))
						t->replace_allowed++;
					if (mnl_attr_get_type(q) == WGPEER_A_ALLOWEDIPS && which >= 0 && which < 8) {
						int n = count_allowed(q);
						t->allowed += n;
						t->per_peer[which] += n;
					}
				}
			}
			break;
		}
	}
	return 0;
}

static void make(struct tunnel *t, size_t peers, size_t allowed)
{
	memset(t, 0, sizeof(*t));
	t->peers = calloc(peers, sizeof(*t->peers));
	t->n_peers = peers;
	memset(t->private_key, 0x11, sizeof(t->private_key));
	for (size_t i = 0; i < peers; i++) {
		struct peer *p = &t->peers[i];
		memset(p->public_key, (int)i, sizeof(p->public_key));
		p->has_endpoint = true;
		p->endpoint.addr.family = AF_INET;
		p->endpoint.port = 51820;
		p->n_allowed = allowed;
		for (size_t j = 0; j < allowed; j++) {
			p->allowed[j].addr.family = j % 2 ? AF_INET6 : AF_INET;
			p->allowed[j].addr.bytes[0] = 10;
			p->allowed[j].addr.bytes[1] = (uint8_t)j;
			p->allowed[j].plen = 24;
		}
	}
}

int main(void)
{
	static char buf[8192];
	struct tunnel t;
	struct tally ty;
	int r;

	make(&t, 3, 200);
	memset(&ty, 0, sizeof(ty));
	r = wgnl_build(&t, "work", 0x42, buf, 1024, emit, &ty);
	EXPECT("large_configuration_is_split_into_several_messages", r == 0 && ty.messages > 3 && !ty.bad);
	EXPECT("every_allowed_ip_sent_once", ty.allowed == 600 && ty.per_peer[0] == 200 &&
	       ty.per_peer[1] == 200 && ty.per_peer[2] == 200);
	EXPECT("peers_replaced_once_and_private_key_sent_once", ty.replace_peers == 1 && ty.private_keys == 1);
	EXPECT("each_peers_allowed_ips_replaced_only_at_first_appearance", ty.replace_allowed == 3);
	EXPECT("split_continues_peers_in_later_messages", ty.peers_seen > 3);
	EXPECT("buffer_is_wiped_after_use", buf[0] == 0 && buf[100] == 0 && buf[1000] == 0);

	memset(&ty, 0, sizeof(ty));
	r = wgnl_build(&t, "work", 0x42, buf, sizeof(buf), emit, &ty);
	EXPECT("small_configuration_fits_fewer_messages", r == 0 && ty.allowed == 600);

	memset(&ty, 0, sizeof(ty));
	r = wgnl_build(&t, "work", 0x42, buf, 96, emit, &ty);
	EXPECT("hopelessly_small_buffer_is_an_error", r == -EMSGSIZE);
	free(t.peers);
	return check_verdict("wgnl");
}
