/* SPDX-License-Identifier: ISC */
/* nft.c - the tunnel namespace's kill switch, an nftables table built with
 * libnftnl, as careful hand-made setups do:
 *
 *   table inet wgrun {
 *     chain output  { type filter hook output priority 0; policy drop;
 *                     oif 1 accept; oifname "TUNNEL" accept }   (1: loopback)
 *     chain forward { type filter hook forward priority 0; policy drop; }
 *     chain input   { type filter hook input priority 0; policy accept;
 *                     iifname "TUNNEL" ct state new tcp dport 22 accept  (one a range
 *                     ...                                   of AllowInbound's list)
 *                     iifname "TUNNEL" ct state new drop }  (unless AllowInbound = yes)
 *   }
 *
 * Belt and braces: the namespace has no other interface or route, but should
 * one ever appear (a tool run by root, a bug), nothing leaves through it. The
 * input rule keeps the peer from reaching listeners of the users inside.
 * The table is not owner-bound, so it outlives the socket that made it. It is
 * replaced atomically (add, delete, add in one batch), so a rebuild in place
 * never leaves the namespace without it. Replies are accepted only from the
 * kernel, with our sequence numbers. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>
#include <sys/random.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "nft.h"
#include "nl.h"

#define TABLE "wgrun"
#define BATCH_SIZE 32768	/* 35 rules of about 560 bytes, with room */

struct batch {
	struct mnl_nlmsg_batch *b;
	uint32_t seq0, seq;
	bool failed;
};

static void next(struct batch *bt)
{
	if (!mnl_nlmsg_batch_next(bt->b))
		bt->failed = true;
}

static void put_table(struct batch *bt, uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t) {
		bt->failed = true;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, TABLE);
	nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type, NFPROTO_INET,
					  flags | NLM_F_ACK, bt->seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	next(bt);
}

static void put_chain(struct batch *bt, const char *name, uint32_t hook, uint32_t policy)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c) {
		bt->failed = true;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, policy);
	nlh = nftnl_chain_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), NFT_MSG_NEWCHAIN,
					  NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, bt->seq++);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	next(bt);
}

static bool add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return false;
	nftnl_rule_add_expr(r, e);
	return true;
}

/* cmp of register 1 against len bytes of data. */
static bool cmp(struct nftnl_rule *r, uint32_t op, const void *data, size_t len)
{
	struct nftnl_expr *c = nftnl_expr_alloc("cmp");

	if (!add_expr(r, c))
		return false;
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(c, NFTNL_EXPR_CMP_DATA, data, len);
	return true;
}

/* meta iifname/oifname == name: the name, zero-padded to IFNAMSIZ. */
/* meta oif == 1: the loopback device, which is always ifindex 1 in a
 * namespace, whatever name root gives it or another device. */
static bool match_loopback(struct nftnl_rule *r)
{
	struct nftnl_expr *m = nftnl_expr_alloc("meta");
	uint32_t one = 1;

	if (!add_expr(r, m))
		return false;
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, NFT_META_OIF);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, NFT_REG_1);
	return cmp(r, NFT_CMP_EQ, &one, sizeof(one));
}

static bool match_ifname(struct nftnl_rule *r, uint32_t key, const char *name)
{
	char pad[IFNAMSIZ] = { 0 };
	struct nftnl_expr *m = nftnl_expr_alloc("meta");

	if (!add_expr(r, m))
		return false;
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, NFT_REG_1);
	strncpy(pad, name, IFNAMSIZ - 1);
	return cmp(r, NFT_CMP_EQ, pad, IFNAMSIZ);
}

/* ct state new: (ct state & NEW) != 0 */
static bool match_ct_new(struct nftnl_rule *r)
{
	uint32_t mask = NF_CT_STATE_BIT(IP_CT_NEW), zero = 0;
	struct nftnl_expr *ct = nftnl_expr_alloc("ct"), *bw;

	if (!add_expr(r, ct))
		return false;
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	bw = nftnl_expr_alloc("bitwise");
	if (!add_expr(r, bw))
		return false;
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, sizeof(uint32_t));
	nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof(mask));
	nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero));
	return cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
}

/* meta l4proto == proto, th dport in lo..hi (network order compares as
 * numbers, byte by byte). */
static bool match_dport(struct nftnl_rule *r, const struct port_range *pr)
{
	struct nftnl_expr *m = nftnl_expr_alloc("meta"), *pl;
	uint16_t lo = htons(pr->lo), hi = htons(pr->hi);

	if (!add_expr(r, m))
		return false;
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, NFT_REG_1);
	if (!cmp(r, NFT_CMP_EQ, &pr->proto, 1))
		return false;
	pl = nftnl_expr_alloc("payload");
	if (!add_expr(r, pl))
		return false;
	nftnl_expr_set_u32(pl, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
	nftnl_expr_set_u32(pl, NFTNL_EXPR_PAYLOAD_OFFSET, 2);	/* destination port, TCP and UDP */
	nftnl_expr_set_u32(pl, NFTNL_EXPR_PAYLOAD_LEN, 2);
	nftnl_expr_set_u32(pl, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	if (pr->lo == pr->hi)
		return cmp(r, NFT_CMP_EQ, &lo, 2);
	return cmp(r, NFT_CMP_GTE, &lo, 2) && cmp(r, NFT_CMP_LTE, &hi, 2);
}

static bool verdict(struct nftnl_rule *r, int v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!add_expr(r, e))
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	return true;
}

/* One rule: "DIRNAME == ifname [ct state new [PROTO dport RANGE]] VERDICT"
 * in chain; the table is the list of them, in order (rule_specs). */
struct rule_spec {
	const char *chain, *ifname;
	uint32_t key;
	bool only_new;
	const struct port_range *pr;	/* NULL: any port */
	int verdict;
};

#define RULES_MAX (3 + TUNNEL_MAX_INBOUND)

static size_t rule_specs(const char *ifname, const struct tunnel *t, struct rule_spec *out)
{
	size_t n = 0;

	out[n++] = (struct rule_spec){ "output", NULL, NFT_META_OIF, false, NULL, NF_ACCEPT };
	out[n++] = (struct rule_spec){ "output", ifname, NFT_META_OIFNAME, false, NULL, NF_ACCEPT };
	for (size_t i = 0; !t->allow_inbound && i < t->n_inbound; i++)
		out[n++] = (struct rule_spec){ "input", ifname, NFT_META_IIFNAME, true, &t->inbound[i],
					       NF_ACCEPT };
	if (!t->allow_inbound)
		out[n++] = (struct rule_spec){ "input", ifname, NFT_META_IIFNAME, true, NULL, NF_DROP };
	return n;
}

static struct nftnl_rule *make_rule(const struct rule_spec *sp)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, sp->chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	if (!(sp->ifname ? match_ifname(r, sp->key, sp->ifname) : match_loopback(r)) ||
	    (sp->only_new && !match_ct_new(r)) ||
	    (sp->pr && !match_dport(r, sp->pr)) || !verdict(r, sp->verdict)) {
		nftnl_rule_free(r);
		return NULL;
	}
	return r;
}

static void put_rule(struct batch *bt, const struct rule_spec *sp)
{
	struct nftnl_rule *r = bt->failed ? NULL : make_rule(sp);
	struct nlmsghdr *nlh;

	if (!r) {
		bt->failed = true;
		return;
	}
	nlh = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), NFT_MSG_NEWRULE,
					 NFPROTO_INET, NLM_F_APPEND | NLM_F_CREATE | NLM_F_ACK,
					 bt->seq++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	next(bt);
}

/* A rule as text: its chain, then each expression as libnftnl prints it
 * (registers, keys, data, verdicts), without the handle the kernel gave it. */
#define RULE_TEXT 1024
static bool rule_text(const struct nftnl_rule *r, char *out, size_t n)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	size_t len;

	if (!it || !chain) {
		if (it)
			nftnl_expr_iter_destroy(it);
		return false;
	}
	len = (size_t)snprintf(out, n, "%s:", chain);
	while (len < n && (e = nftnl_expr_iter_next(it))) {
		int w = nftnl_expr_snprintf(out + len, n - len, e, NFTNL_OUTPUT_DEFAULT, 0);
		if (w < 0 || (size_t)w + 1 >= n - len)
			break;
		len += (size_t)w;
		out[len++] = ';';
		out[len] = '\0';
	}
	nftnl_expr_iter_destroy(it);
	return len < n - 1;
}

/* Send the batch and wait for one ACK per message, from the kernel only. */
static int send_batch(struct mnl_socket *nl, struct batch *bt)
{
	char buf[8192];
	uint32_t want = bt->seq - bt->seq0, acked = 0;
	/* The batch-begin header carries seq0 - 1; an error against it (no
	 * nf_tables, a failed commit) is the verdict on the whole batch. */
	uint32_t header = bt->seq0 - 1;
	int fd = mnl_socket_get_fd(nl);

	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(bt->b), mnl_nlmsg_batch_size(bt->b)) < 0)
		return -errno;
	while (acked < want) {
		ssize_t n = nl_recv_kernel(fd, buf, sizeof(buf));
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int left = n > 0 ? (int)n : 0;

		if (n < 0)
			return (int)n;
		for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
			if (h->nlmsg_seq == header && h->nlmsg_type == NLMSG_ERROR &&
			    mnl_nlmsg_get_payload_len(h) >= sizeof(struct nlmsgerr)) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				if (e->error)
					return e->error;
				continue;
			}
			if (h->nlmsg_seq < bt->seq0 || h->nlmsg_seq >= bt->seq)
				continue;
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (mnl_nlmsg_get_payload_len(h) < sizeof(struct nlmsgerr))
				return -EBADMSG;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error)
				return e->error;	/* the batch was aborted whole */
			acked++;
		}
	}
	return 0;
}

static int open_nft(struct mnl_socket **nl)
{
	/* Every wait is bounded: a kernel that never answers fails the build. */
	struct timeval limit = { .tv_sec = 5 };
	int one = 1;

	*nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!*nl)
		return -errno;
	(void)mnl_socket_setsockopt(*nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(*nl), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit)) < 0 ||
	    mnl_socket_bind(*nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;
		mnl_socket_close(*nl);
		return err;
	}
	return 0;
}

int nft_install(const char *ifname, const struct tunnel *t, bool replace)
{
	/* libnftnl writes a message before libmnl checks it against the
	 * limit: the buffer is twice the limit, as libmnl asks. */
	static char buf[2 * BATCH_SIZE];
	struct rule_spec specs[RULES_MAX];
	struct mnl_socket *nl;
	struct batch bt = { 0 };
	size_t n;
	int r;

	if ((r = open_nft(&nl)) < 0)
		return r;
	if (getrandom(&bt.seq0, sizeof(bt.seq0), 0) != sizeof(bt.seq0))
		bt.seq0 = 1;
	bt.seq0 &= 0x3fffffff;	/* room above for the batch without wrapping */
	bt.seq = bt.seq0;
	bt.b = mnl_nlmsg_batch_start(buf, BATCH_SIZE);
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt.b), bt.seq0 - 1);
	next(&bt);
	/* add, delete, add: an atomic replacement whether or not it existed.
	 * A new namespace has none, and deleting one costs an RCU grace period:
	 * there, a plain exclusive creation. */
	if (replace) {
		put_table(&bt, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		put_table(&bt, NFT_MSG_DELTABLE, 0);
		put_table(&bt, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	} else {
		put_table(&bt, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
	}
	put_chain(&bt, "output", NF_INET_LOCAL_OUT, NF_DROP);
	put_chain(&bt, "forward", NF_INET_FORWARD, NF_DROP);
	put_chain(&bt, "input", NF_INET_LOCAL_IN, NF_ACCEPT);
	n = rule_specs(ifname, t, specs);
	for (size_t i = 0; i < n; i++)
		put_rule(&bt, &specs[i]);
	nftnl_batch_end(mnl_nlmsg_batch_current(bt.b), bt.seq);
	next(&bt);
	r = bt.failed ? -ENOMEM : send_batch(nl, &bt);
	mnl_nlmsg_batch_stop(bt.b);
	mnl_socket_close(nl);
	return r;
}

/* Send a dump request and pass each reply message to cb, from the kernel
 * only, with our sequence number, until NLMSG_DONE. */
static int dump(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[16384];
	uint32_t seq = nlh->nlmsg_seq;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = nl_recv_kernel(mnl_socket_get_fd(nl), buf, sizeof(buf));
		int r;

		if (n < 0)
			return (int)n;
		r = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), cb, data);
		if (r == MNL_CB_ERROR)
			return errno ? -errno : -EBADMSG;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

struct seen {
	bool table_ok;			/* ours, and not dormant */
	bool output_ok, forward_ok, input_ok;
	char (*expect)[RULE_TEXT];	/* the rules nft_install makes, in order */
	size_t n_expect, n_seen;
	bool differs;
};

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct seen *sn = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	const char *table, *name;
	uint32_t hook, policy;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		nftnl_chain_free(c);
		return MNL_CB_ERROR;
	}
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	if (table && name && !strcmp(table, TABLE) &&
	    nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) && nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY)) {
		hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
		policy = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY);
		if (!strcmp(name, "output"))
			sn->output_ok = hook == NF_INET_LOCAL_OUT && policy == NF_DROP;
		else if (!strcmp(name, "forward"))
			sn->forward_ok = hook == NF_INET_FORWARD && policy == NF_DROP;
		else if (!strcmp(name, "input"))
			sn->input_ok = hook == NF_INET_LOCAL_IN;
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

/* A dormant table has its chains off their hooks while they read back the
 * same: its flags must be none. */
static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct seen *sn = data;
	struct nftnl_table *t = nftnl_table_alloc();
	const char *name;

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nftnl_table_free(t);
		return MNL_CB_ERROR;
	}
	name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
	if (name && !strcmp(name, TABLE))
		sn->table_ok = !nftnl_table_is_set(t, NFTNL_TABLE_FLAGS) ||
			       nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) == 0;
	nftnl_table_free(t);
	return MNL_CB_OK;
}

/* Each rule of our table, in the order the kernel keeps them, must be the
 * one nft_install put there: an added, removed, reordered or weakened rule
 * (an "accept" without its interface match) differs. */
static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	static char text[RULE_TEXT];
	struct seen *sn = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	const char *table;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	if (table && !strcmp(table, TABLE)) {
		if (sn->n_seen >= sn->n_expect || !rule_text(r, text, sizeof(text)) ||
		    strcmp(text, sn->expect[sn->n_seen]))
			sn->differs = true;
		sn->n_seen++;
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* What each rule of the table should read, from the same specs. */
static size_t expected(const char *ifname, const struct tunnel *t, char (*out)[RULE_TEXT])
{
	struct rule_spec specs[RULES_MAX];
	size_t n = rule_specs(ifname, t, specs);

	for (size_t i = 0; i < n; i++) {
		struct nftnl_rule *r = make_rule(&specs[i]);
		bool ok = r && rule_text(r, out[i], RULE_TEXT);

		nftnl_rule_free(r);
		if (!ok)
			return 0;
	}
	return n;
}

int nft_check(const char *ifname, const struct tunnel *t)
{
	static char expect[RULES_MAX][RULE_TEXT];
	char buf[1024];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct seen sn = { .expect = expect };
	uint32_t seq;
	int r;

	if ((sn.n_expect = expected(ifname, t, expect)) == 0)
		return -ENOMEM;
	if ((r = open_nft(&nl)) < 0)
		return r;
	if (getrandom(&seq, sizeof(seq), 0) != sizeof(seq))
		seq = 11;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_DUMP, seq - 1);
	if ((r = dump(nl, nlh, table_cb, &sn)) < 0)
		goto out;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_INET, NLM_F_DUMP, seq);
	if ((r = dump(nl, nlh, chain_cb, &sn)) < 0)
		goto out;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, seq + 1);
	if ((r = dump(nl, nlh, rule_cb, &sn)) < 0)
		goto out;
	/* What nft_install makes, rule for rule, and nothing less or more. */
	r = sn.table_ok && sn.output_ok && sn.forward_ok && sn.input_ok && !sn.differs &&
	    sn.n_seen == sn.n_expect ?
	    0 : -ESTALE;
out:
	mnl_socket_close(nl);
	return r;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();
	uint32_t *gen = data;

	if (!g || nftnl_gen_nlmsg_parse(nlh, g) < 0 || !nftnl_gen_is_set(g, NFTNL_GEN_ID)) {
		if (g)
			nftnl_gen_free(g);
		return MNL_CB_ERROR;
	}
	*gen = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_STOP;
}

int nft_generation(uint32_t *gen)
{
	char buf[256];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq;
	int r;

	if ((r = open_nft(&nl)) < 0)
		return r;
	if (getrandom(&seq, sizeof(seq), 0) != sizeof(seq))
		seq = 13;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, seq);
	r = dump(nl, nlh, gen_cb, gen);
	mnl_socket_close(nl);
	return r;
}

int nft_settled(uint32_t gen)
{
	char buf[256], answer[1024];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh, *end;
	struct nfgenmsg *g;
	uint32_t seq;
	ssize_t n;
	int fd, r;

	if ((r = open_nft(&nl)) < 0)
		return r;
	if (getrandom(&seq, sizeof(seq), 0) != sizeof(seq))
		seq = 17;
	seq &= 0x3fffffff;
	/* An empty batch that names the generation: the kernel takes the
	 * commit mutex for it, so a commit in progress finishes first, then
	 * refuses the batch (ERESTART) unless the generation is still gen. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_MSG_BATCH_BEGIN;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
	mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(gen));
	end = (struct nlmsghdr *)(buf + NLMSG_ALIGN(nlh->nlmsg_len));
	nftnl_batch_end((char *)end, seq + 1);
	fd = mnl_socket_get_fd(nl);
	/* The kernel handles a netlink message within the send: whatever it
	 * has to say about the batch is queued when sendto returns. */
	if (mnl_socket_sendto(nl, buf, (size_t)((char *)end - buf) + end->nlmsg_len) < 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
	} else if ((n = nl_recv_kernel(fd, answer, sizeof(answer))) == -ETIMEDOUT) {
		r = 0;		/* nothing to say: the batch was taken */
	} else {
		const struct nlmsghdr *h = (const struct nlmsghdr *)answer;
		int left = n > 0 ? (int)n : 0;

		r = n < 0 ? (int)n : 0;
		for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left))
			if (h->nlmsg_type == NLMSG_ERROR && mnl_nlmsg_get_payload_len(h) >= sizeof(struct nlmsgerr) &&
			    ((const struct nlmsgerr *)mnl_nlmsg_get_payload(h))->error)
				r = ((const struct nlmsgerr *)mnl_nlmsg_get_payload(h))->error;
	}
	mnl_socket_close(nl);
	return r;
}
