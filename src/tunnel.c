/* SPDX-License-Identifier: ISC */
/* tunnel.c - parse a wg-quick tunnel file into struct tunnel.
 *
 * The file comes from a VPN provider and is trusted for nothing: cfgfile.c has
 * checked its owner, mode and size, and this parser checks every byte. It does
 * no I/O (wgrun, the unit tests and the fuzzer run the same code), keeps no
 * global state and allocates only the peers array.
 *
 * Secrets: key text is never copied out of the caller's buffer and never
 * appears in a message (SECURITY.md row 6); keys are decoded straight
 * into struct tunnel, which tunnel_free() wipes, and the decoder runs in
 * constant time, as wireguard-tools' does, so its timing says nothing about
 * the key.
 *
 * Every problem is reported, one report() call each, so an admin fixes the
 * file in one pass; values are never echoed, only key names and positions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "tunnel.h"

#define TUNNEL_LINE_MAX 4096
/* MTU: 576 is the smallest IPv4 datagram every host must accept (RFC 791) and
 * 9000 a jumbo frame; we accept 576..9000. IPv6 needs 1280 (RFC 8200), so a
 * smaller MTU with an IPv6 Address is refused below rather than letting the
 * kernel silently disable IPv6 on the interface. */
#define MTU_MIN 576
#define MTU_MAX 9000
#define IPV6_MIN_MTU 1280
#define ECHO_NAME_MAX 32	/* a 44-character key can never be echoed as a "name" */

enum section { SECT_NONE, SECT_INTERFACE, SECT_PEER, SECT_WGRUN, SECT_UNKNOWN };
enum key_id {
	K_PRIVATE_KEY, K_LISTEN_PORT, K_MTU, K_ADDRESS, K_DNS,
	K_PUBLIC_KEY, K_PRESHARED_KEY, K_ENDPOINT, K_ALLOWED_IPS, K_KEEPALIVE,
	K_ALLOW_INBOUND, K_SYSTEM_BUS, K_SESSION_BUS, K_SHARED_TMP, K_IDLE_DOWN, K_VIA, KEY_COUNT
};

struct parser {
	struct tunnel *t;
	const char *fname;
	report_fn report;
	void *ctx;
	unsigned lineno;
	bool failed;
	enum section sect;
	unsigned seen_interface;	/* line of [Interface], 0 if none yet */
	unsigned seen_wgrun;		/* line of [wgrun], 0 if none yet */
	unsigned seen[KEY_COUNT];	/* line where each key was, 0 if not yet */
	struct peer *peer;	/* current peer: in t->peers, or &scratch past the limit */
	bool public_key_ok;
	bool too_many_peers_reported;
	size_t peer_room;	/* entries in t->peers once allocated */
	/* Peers past TUNNEL_MAX_PEERS are still parsed, so their errors are
	 * reported too, into this throw-away entry (wiped at the end). */
	struct peer scratch;
};

static char to_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* ASCII case-insensitive equality, as wg(8) and wg-quick(8) match keys. */
static bool span_is(struct span s, const char *word)
{
	size_t n = strlen(word);

	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (to_lower(s.p[i]) != to_lower(word[i]))
			return false;
	return true;
}

__attribute__((format(printf, 3, 0)))
static void vfail(struct parser *p, unsigned line, const char *fmt, va_list ap)
{
	char msg[512];
	int n;

	p->failed = true;
	/* A truncated message is still a report; the flag above is what counts. */
	if (line)
		n = snprintf(msg, sizeof msg, "%s line %u: ", p->fname, line);
	else
		n = snprintf(msg, sizeof msg, "%s: ", p->fname);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof msg)
		vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	p->report(p->ctx, msg);
}

__attribute__((format(printf, 3, 4)))
static void fail_at(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, line, fmt, ap);
	va_end(ap);
}

/* Most reports are about the line being parsed. */
#define fail(p, ...) fail_at(p, (p)->lineno, __VA_ARGS__)

static void parse_prefixes(struct parser *p, struct span v, const char *key, struct ipprefix *arr,
			   size_t *n, size_t max, bool mask_host_bits)
{
	for (unsigned i = 1; v.p; i++) {
		struct span item = lex_list_next(&v);

		if (*n == max) {
			fail(p, "more than %zu %s entries", max, key);
			return;
		}
		if (prefix_parse(&arr[*n], item, mask_host_bits))
			++*n;
		else
			fail(p, "%s entry %u is not an IP address with an optional /prefix", key, i);
	}
}

static void parse_dns(struct parser *p, struct span v)
{
	struct tunnel *t = p->t;

	for (unsigned i = 1; v.p; i++) {
		struct span item = lex_list_next(&v);
		struct ipaddr a;

		if (ipaddr_parse(&a, item.p, item.len)) {
			if (t->n_dns == TUNNEL_MAX_DNS)
				fail(p, "more than %d DNS servers", TUNNEL_MAX_DNS);
			else
				t->dns[t->n_dns++] = a;
		} else if (!dns_name_valid(item)) {
			fail(p, "DNS entry %u is neither an IP address nor a valid domain name", i);
		} else if (t->n_search == TUNNEL_MAX_SEARCH) {
			fail(p, "more than %d DNS search domains", TUNNEL_MAX_SEARCH);
		} else {
			memcpy(t->search[t->n_search], item.p, item.len);
			t->search[t->n_search++][item.len] = '\0';
		}
	}
}

static bool parse_key(struct parser *p, uint8_t key[WG_KEY_LEN], struct span v, const char *name)
{
	if (key_from_base64(key, v.p, v.len))
		return true;
	fail(p, "%s is not a valid 44-character base64 key", name);
	return false;
}

static const struct {
	const char *name;
	enum section sect;
	bool repeatable;	/* wg-quick appends the values of repeated lines */
} keys[KEY_COUNT] = {
	[K_PRIVATE_KEY] = { "PrivateKey", SECT_INTERFACE, false },
	[K_LISTEN_PORT] = { "ListenPort", SECT_INTERFACE, false },
	[K_MTU] = { "MTU", SECT_INTERFACE, false },
	[K_ADDRESS] = { "Address", SECT_INTERFACE, true },
	[K_DNS] = { "DNS", SECT_INTERFACE, true },
	[K_PUBLIC_KEY] = { "PublicKey", SECT_PEER, false },
	[K_PRESHARED_KEY] = { "PresharedKey", SECT_PEER, false },
	[K_ENDPOINT] = { "Endpoint", SECT_PEER, false },
	[K_ALLOWED_IPS] = { "AllowedIPs", SECT_PEER, true },
	[K_KEEPALIVE] = { "PersistentKeepalive", SECT_PEER, false },
	/* wgrun's own opt-ins, in a section wg-quick does not have. */
	[K_ALLOW_INBOUND] = { "AllowInbound", SECT_WGRUN, false },
	[K_SYSTEM_BUS] = { "SystemBus", SECT_WGRUN, false },
	[K_SESSION_BUS] = { "SessionBus", SECT_WGRUN, false },
	[K_SHARED_TMP] = { "SharedTmp", SECT_WGRUN, false },
	[K_IDLE_DOWN] = { "IdleDown", SECT_WGRUN, false },
	[K_VIA] = { "Via", SECT_WGRUN, false },
};

/* yes/no, true/false, on/off, 1/0 */
static bool bool_word(struct span v, bool *out)
{
	if (span_is(v, "yes") || span_is(v, "true") || span_is(v, "on") || span_is(v, "1"))
		*out = true;
	else if (span_is(v, "no") || span_is(v, "false") || span_is(v, "off") || span_is(v, "0"))
		*out = false;
	else
		return false;
	return true;
}

static void parse_bool(struct parser *p, struct span v, const char *name, bool *out)
{
	if (!bool_word(v, out))
		fail(p, "%s must be yes or no", name);
}

/* The keys of [wgrun], wgrun's own. */
static void handle_wgrun_key(struct parser *p, enum key_id k, struct span v)
{
	struct tunnel *t = p->t;
	const char *why;

	switch (k) {
	case K_ALLOW_INBOUND:
		/* yes/no for every port or none, or a list: tcp/22, ... */
		if (!memchr(v.p, '/', v.len)) {
			if (!bool_word(v, &t->allow_inbound))
				fail(p, "AllowInbound must be yes, no, or a list such as tcp/22, tcp/8000-8010, udp/5353");
		} else if ((why = ports_parse(t->inbound, &t->n_inbound, TUNNEL_MAX_INBOUND, v))) {
			fail(p, "%s", why);
		}
		break;
	case K_VIA:
		if (v.len <= TUNNEL_NAME_MAX) {
			memcpy(t->via, v.p, v.len);
			t->via[v.len] = '\0';
		}
		if (v.len > TUNNEL_NAME_MAX || !tunnel_name_valid(t->via)) {
			t->via[0] = '\0';
			fail(p, "Via must name another tunnel (a-z 0-9 _ -, at most %d)", TUNNEL_NAME_MAX);
		} else {
			t->via_line = p->lineno;
		}
		break;
	case K_IDLE_DOWN:
		if (!duration_parse(v, &t->idle_down))
			fail(p, "IdleDown must be a duration such as 90s, 10m or 1h (at most 168h)");
		break;
	case K_SYSTEM_BUS:
		parse_bool(p, v, "SystemBus", &t->system_bus);
		break;
	case K_SESSION_BUS:
		parse_bool(p, v, "SessionBus", &t->session_bus);
		break;
	case K_SHARED_TMP:
		parse_bool(p, v, "SharedTmp", &t->shared_tmp);
		break;
	default:
		break;
	}
}

static void handle_key(struct parser *p, enum key_id k, struct span v)
{
	struct tunnel *t = p->t;
	struct peer *peer = p->peer;
	const char *why;
	uint64_t n;

	switch (k) {
	case K_PRIVATE_KEY:
		t->has_private_key = parse_key(p, t->private_key, v, "PrivateKey");
		break;
	case K_LISTEN_PORT:
		if (lex_uint(v, 65535, &n))
			t->listen_port = (uint16_t)n;
		else
			fail(p, "ListenPort is not a number in 0..65535");
		break;
	case K_MTU:
		if (lex_uint(v, MTU_MAX, &n) && n >= MTU_MIN)
			t->mtu = n;
		else
			fail(p, "MTU is not a number in %d..%d", MTU_MIN, MTU_MAX);
		break;
	case K_ADDRESS:
		parse_prefixes(p, v, "Address", t->addrs, &t->n_addrs, TUNNEL_MAX_ADDRS, false);
		break;
	case K_DNS:
		parse_dns(p, v);
		break;
	case K_PUBLIC_KEY:
		p->public_key_ok = parse_key(p, peer->public_key, v, "PublicKey");
		break;
	case K_PRESHARED_KEY:
		peer->has_preshared_key = parse_key(p, peer->preshared_key, v, "PresharedKey");
		break;
	case K_ENDPOINT:
		why = endpoint_parse(&peer->endpoint, v);
		if (why)
			fail(p, "%s", why);
		peer->has_endpoint = !why;
		break;
	case K_ALLOWED_IPS:
		/* wg(8) accepts 10.0.0.1/8 and means 10.0.0.0/8: mask, as it does */
		parse_prefixes(p, v, "AllowedIPs", peer->allowed, &peer->n_allowed,
			       PEER_MAX_ALLOWED, true);
		break;
	case K_KEEPALIVE:
		if (span_is(v, "off"))
			peer->keepalive = 0;
		else if (lex_uint(v, 65535, &n))
			peer->keepalive = (uint16_t)n;
		else
			fail(p, "PersistentKeepalive is not a number in 0..65535 or \"off\"");
		break;
	case K_ALLOW_INBOUND: case K_SYSTEM_BUS: case K_SESSION_BUS: case K_SHARED_TMP:
	case K_IDLE_DOWN: case K_VIA:
		handle_wgrun_key(p, k, v);
		break;
	case KEY_COUNT:
		break;
	}
}

/* wg-quick keys that wgrun refuses in any section, and why. */
static const struct {
	const char *name, *why;
} refused[] = {
	{ "PreUp", "wgrun never runs commands from a tunnel file" },
	{ "PostUp", "wgrun never runs commands from a tunnel file" },
	{ "PreDown", "wgrun never runs commands from a tunnel file" },
	{ "PostDown", "wgrun never runs commands from a tunnel file" },
	{ "SaveConfig", "wgrun never writes to a tunnel file" },
	{ "Table", "wgrun routes inside the tunnel's own namespace, never in the host's tables" },
	{ "FwMark", "the tunnel's namespace needs no policy routing, and a mark would feed "
		    "the host's routing and firewall rules" },
};

static void key_line(struct parser *p, struct span key, struct span v)
{
	const char *sect = p->sect == SECT_INTERFACE ? "[Interface]" :
			   p->sect == SECT_WGRUN ? "[wgrun]" : "[Peer]";
	size_t k;

	for (k = 0; k < sizeof refused / sizeof refused[0]; k++) {
		if (span_is(key, refused[k].name)) {
			fail(p, "%s is refused: %s", refused[k].name, refused[k].why);
			return;
		}
	}
	if (p->sect == SECT_NONE) {
		fail(p, "key outside a section: [Interface] or [Peer] must come first");
		return;
	}
	if (p->sect == SECT_UNKNOWN)	/* the section was reported; its keys are not */
		return;
	for (k = 0; k < KEY_COUNT; k++)
		if (keys[k].sect == p->sect && span_is(key, keys[k].name))
			break;
	if (k == KEY_COUNT) {
		/* Never echo the name: a private key wrapped onto a second line
		 * reads "TAIL=" and would be printed as an unknown key. */
		fail(p, "unknown key in %s", sect);
	} else if (p->seen[k] && !keys[k].repeatable) {
		fail(p, "%s appears more than once in this %s", keys[k].name, sect);
	} else {
		p->seen[k] = p->lineno;
		handle_key(p, (enum key_id)k, v);
	}
}

/* Checks that need the whole [Peer] section; run at the next header and at EOF. */
static void finish_peer(struct parser *p)
{
	struct tunnel *t = p->t;
	struct peer *peer = p->peer;

	if (p->sect != SECT_PEER)
		return;
	if (!p->seen[K_PUBLIC_KEY])
		fail_at(p, peer->lineno, "[Peer] has no PublicKey");
	if (!p->seen[K_ALLOWED_IPS])
		fail_at(p, peer->lineno, "[Peer] has no AllowedIPs");
	/* The kernel would silently merge two peers with one key. */
	for (size_t i = 0; p->public_key_ok && peer != &p->scratch && i + 1 < t->n_peers; i++) {
		if (memcmp(t->peers[i].public_key, peer->public_key, WG_KEY_LEN) == 0) {
			fail_at(p, peer->lineno, "[Peer] has the same PublicKey as the [Peer] at line %u",
				t->peers[i].lineno);
			break;
		}
	}
}

static void start_peer(struct parser *p)
{
	struct tunnel *t = p->t;

	p->sect = SECT_PEER;
	for (size_t k = 0; k < KEY_COUNT; k++)
		if (keys[k].sect == SECT_PEER)
			p->seen[k] = 0;
	p->public_key_ok = false;
	p->peer = &p->scratch;
	if (t->n_peers == TUNNEL_MAX_PEERS) {
		if (!p->too_many_peers_reported)
			fail(p, "more than %d [Peer] sections", TUNNEL_MAX_PEERS);
		p->too_many_peers_reported = true;
	} else if (t->n_peers >= p->peer_room) {
		fail(p, "internal error: more [Peer] sections than section headers");
	} else if (!t->peers && !(t->peers = calloc(p->peer_room, sizeof *t->peers))) {
		/* Allocated once, at the size counted before parsing: growing
		 * with realloc would leave copies of keys in freed memory. */
		fail(p, "out of memory");
	} else {
		p->peer = &t->peers[t->n_peers++];
	}
	explicit_bzero(&p->scratch, sizeof p->scratch);
	p->peer->lineno = p->lineno;
}

static void section_header(struct parser *p, struct span line)
{
	struct span name;

	finish_peer(p);
	p->sect = SECT_UNKNOWN;	/* keys of a bad section are skipped: one report is enough */
	if (line.len < 2 || line.p[line.len - 1] != ']') {
		fail(p, "a section header must be [Interface], [Peer] or [wgrun]");
		return;
	}
	name = lex_trim((struct span){ line.p + 1, line.len - 2 });
	if (span_is(name, "Peer")) {
		start_peer(p);
	} else if (span_is(name, "Interface")) {
		if (p->seen_interface)
			fail(p, "second [Interface] section (the first is at line %u)",
			     p->seen_interface);
		else
			p->seen_interface = p->lineno;
		p->sect = SECT_INTERFACE;
	} else if (span_is(name, "wgrun")) {
		if (p->seen_wgrun)
			fail(p, "second [wgrun] section (the first is at line %u)", p->seen_wgrun);
		else
			p->seen_wgrun = p->lineno;
		p->sect = SECT_WGRUN;
	} else if (lex_echoable(name, ECHO_NAME_MAX, lex_alnum)) {
		fail(p, "unknown section [%.*s]", (int)name.len, name.p);
	} else {
		fail(p, "unknown section");
	}
}

static void parse_line(struct parser *p, struct span line)
{
	const char *hash = memchr(line.p, '#', line.len);
	const char *eq;

	if (hash)
		line.len = (size_t)(hash - line.p);
	line = lex_trim(line);
	if (line.len == 0)
		return;
	if (line.p[0] == '[') {
		section_header(p, line);
		return;
	}
	eq = memchr(line.p, '=', line.len);
	if (!eq || eq == line.p) {
		/* no echo: a line without '=' may be a bare key value */
		fail(p, "expected Key = Value");
		return;
	}
	key_line(p, lex_trim((struct span){ line.p, (size_t)(eq - line.p) }),
		 lex_trim((struct span){ eq + 1, (size_t)(line.p + line.len - eq - 1) }));
}

static bool has_ipv6_address(const struct tunnel *t)
{
	for (size_t i = 0; i < t->n_addrs; i++)
		if (t->addrs[i].addr.family == AF_INET6)
			return true;
	return false;
}

bool tunnel_parse(struct tunnel *t, const char *buf, size_t len, const char *fname,
		  report_fn report, void *ctx)
{
	struct parser *p, parser = { .t = t, .fname = fname, .report = report, .ctx = ctx };
	size_t pos = 0;
	bool ok;

	p = &parser;
	memset(t, 0, sizeof *t);
	/* Every [Peer] starts a line with '[': counting those lines bounds the
	 * peers, so a one-peer file costs one entry (5 KB), not the maximum,
	 * on every launch. */
	for (struct span line; p->peer_room < TUNNEL_MAX_PEERS && lex_line(buf, len, &pos, &line);) {
		line = lex_trim(line);
		p->peer_room += line.len > 0 && line.p[0] == '[';
	}
	pos = 0;
	for (struct span line; lex_line(buf, len, &pos, &line);) {
		p->lineno++;
		if (line.len > TUNNEL_LINE_MAX)
			fail(p, "line is longer than %d bytes", TUNNEL_LINE_MAX);
		else if (memchr(line.p, '\0', line.len))
			fail(p, "line contains a NUL byte");
		else
			parse_line(p, line);
	}
	finish_peer(p);
	if (!p->seen_interface)
		fail_at(p, 0, "no [Interface] section");
	else if (!p->seen[K_PRIVATE_KEY])
		fail_at(p, p->seen_interface, "[Interface] has no PrivateKey");
	if (t->n_peers == 0 && !p->too_many_peers_reported)
		fail_at(p, 0, "no [Peer] section");
	if (t->mtu && t->mtu < IPV6_MIN_MTU && has_ipv6_address(t))
		fail_at(p, p->seen[K_MTU], "MTU is below %d, too small for the IPv6 Address",
			IPV6_MIN_MTU);
	ok = !p->failed;
	explicit_bzero(p, sizeof *p);
	if (!ok)
		tunnel_free(t);
	return ok;
}

void tunnel_free(struct tunnel *t)
{
	if (t->peers) {
		explicit_bzero(t->peers, t->n_peers * sizeof *t->peers);
		free(t->peers);
	}
	explicit_bzero(t, sizeof *t);
}

bool tunnel_has_named_endpoints(const struct tunnel *t)
{
	for (size_t i = 0; i < t->n_peers; i++)
		if (peer_endpoint_named(&t->peers[i]))
			return true;
	return false;
}
