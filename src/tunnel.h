/* SPDX-License-Identifier: ISC */
/* tunnel.h - the wg-quick tunnel-file model and its parser (no I/O). */
#ifndef WGRUN_TUNNEL_H
#define WGRUN_TUNNEL_H

#include <sys/socket.h>	/* AF_INET, AF_INET6 */

#include "lex.h"

#define WG_KEY_LEN 32
#define TUNNEL_MAX_ADDRS 16	/* Address= prefixes in [Interface] */
#define TUNNEL_MAX_DNS 8	/* DNS= servers */
#define TUNNEL_MAX_SEARCH 6	/* DNS= search domains */
#define TUNNEL_MAX_PEERS 64
#define PEER_MAX_ALLOWED 256	/* AllowedIPs= prefixes per peer */
#define ENDPOINT_HOST_MAX 253
#define TUNNEL_MAX_INBOUND 32	/* AllowInbound= port ranges */
#define IDLE_DOWN_MAX (7 * 24 * 3600)	/* IdleDown=, seconds */

struct ipaddr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t bytes[16];	/* network order; 4 used for AF_INET */
};

struct ipprefix {
	struct ipaddr addr;
	uint8_t plen;
};

struct endpoint {
	char host[ENDPOINT_HOST_MAX + 1];	/* literal address or host name, no brackets */
	uint16_t port;
	bool is_literal;	/* host is an IP literal; addr is filled */
	struct ipaddr addr;	/* filled by the parser for literals, by resolve.c for names */
};

/* An inbound port range from the tunnel: proto/lo[-hi]. */
struct port_range {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t lo, hi;
};

struct peer {
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	bool has_preshared_key;
	bool has_endpoint;
	struct endpoint endpoint;
	uint16_t keepalive;	/* PersistentKeepalive, 0 = off */
	struct ipprefix allowed[PEER_MAX_ALLOWED];
	size_t n_allowed;
	unsigned lineno;	/* line of its [Peer] header, for messages */
};

struct tunnel {
	uint8_t private_key[WG_KEY_LEN];
	bool has_private_key;
	struct ipprefix addrs[TUNNEL_MAX_ADDRS];
	size_t n_addrs;
	struct ipaddr dns[TUNNEL_MAX_DNS];
	size_t n_dns;
	char search[TUNNEL_MAX_SEARCH][ENDPOINT_HOST_MAX + 1];
	size_t n_search;
	uint32_t mtu;		/* 0 = default (1420) */
	uint16_t listen_port;	/* 0 = random */
	struct peer *peers;	/* heap, n_peers entries */
	size_t n_peers;
	/* [wgrun] opt-ins: both off unless the admin says so. */
	bool allow_inbound;	/* AllowInbound = yes: the peer may open any connection inside */
	struct port_range inbound[TUNNEL_MAX_INBOUND];	/* AllowInbound = tcp/22, ...: only these */
	size_t n_inbound;
	uint32_t idle_down;	/* IdleDown: seconds with nobody inside before --down --idle; 0 never */
	char via[TUNNEL_NAME_MAX + 1];	/* Via: the tunnel that carries this one's packets; "" none */
	unsigned via_line;		/* its line, for messages */
	bool system_bus;	/* SystemBus: the host's system D-Bus stays reachable */
	bool session_bus;	/* SessionBus: the caller's session D-Bus stays reachable */
	bool shared_tmp;	/* SharedTmp: the host's /tmp, not the tunnel's own */
};

/* Parse a whole tunnel file held in buf (len bytes, need not be NUL-terminated).
 * fname is used only in messages. Reports every problem, then returns false if
 * there was any. Never echoes a key's value. On success t owns heap memory:
 * release it with tunnel_free(). On failure t is already freed and wiped. */
bool tunnel_parse(struct tunnel *t, const char *buf, size_t len, const char *fname,
		  report_fn report, void *ctx);

/* Is p's Endpoint a host name: looked up at a cold start, and again when
 * the peer may have moved? */
static inline bool peer_endpoint_named(const struct peer *p)
{
	return p->has_endpoint && !p->endpoint.is_literal;
}

/* Has any peer of t such an Endpoint? */
bool tunnel_has_named_endpoints(const struct tunnel *t);

/* Wipe every key and free the peers. Safe on a zeroed or freed tunnel. */
void tunnel_free(struct tunnel *t);

/* Base64 key of exactly 44 characters ending in '=' to 32 bytes; false if malformed. */
bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64, size_t len);

/* Parse "a.b.c.d", "x::y" (no brackets) into addr; false if malformed. */
bool ipaddr_parse(struct ipaddr *addr, const char *s, size_t len);

/* "ADDR" or "ADDR/LEN" (without LEN a single host); with mask_host_bits the
 * bits past LEN are cleared, as wg(8) does for AllowedIPs. */
bool prefix_parse(struct ipprefix *out, struct span s, bool mask_host_bits);

/* A host name: dot-separated labels of letters, digits and '-', 1..63 each,
 * not starting or ending with '-', at most 253 in all, the last not all
 * digits (that is a mistyped address, "10.0.0.256"). */
bool dns_name_valid(struct span s);

/* "host:port", "a.b.c.d:port" or "[v6]:port"; NULL, or why not. */
const char *endpoint_parse(struct endpoint *out, struct span s);

/* "tcp/22, tcp/8000-8010, udp/5353" into out (at most max); NULL, or why not. */
const char *ports_parse(struct port_range *out, size_t *n, size_t max, struct span v);

/* "90s", "10m", "1h": a whole number of seconds, minutes or hours, at least
 * one second and at most IDLE_DOWN_MAX; false otherwise. */
bool duration_parse(struct span s, uint32_t *seconds);

#endif
