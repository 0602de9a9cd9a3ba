/* SPDX-License-Identifier: ISC */
/* addr.c - the small lexical pieces of a tunnel file that other code needs
 * too: base64 keys, IPv4 and IPv6 literals. Bounded, no
 * locale, no I/O; exercised by the tunnel parser's tests and fuzzer. */
#include <string.h>
#include <netinet/in.h>

#include "tunnel.h"

#define KEY_B64_LEN 44

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Constant-time base64 digit: the value in bits 0-5, bit 8 set when c is not
 * a base64 digit. No branch or table look-up depends on c. */
static uint32_t b64_digit(uint8_t ch)
{
	uint32_t c = ch;
#define IN_RANGE(lo, hi) (((((c - (uint32_t)(lo)) | ((uint32_t)(hi) - c)) >> 8) & 1) - 1)
	uint32_t upper = IN_RANGE('A', 'Z'), lower = IN_RANGE('a', 'z');
	uint32_t digit = IN_RANGE('0', '9'), plus = IN_RANGE('+', '+');
	uint32_t slash = IN_RANGE('/', '/');
#undef IN_RANGE
	uint32_t val = (upper & (c - 'A')) | (lower & (c - 'a' + 26)) |
		       (digit & (c - '0' + 52)) | (plus & 62) | (slash & 63);

	return (val & 0x3f) | (~(upper | lower | digit | plus | slash) & 0x100);
}

bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64, size_t len)
{
	uint32_t bad = 0, val, d;
	size_t i, j;

	if (len != KEY_B64_LEN || b64[KEY_B64_LEN - 1] != '=') {
		explicit_bzero(key, WG_KEY_LEN);
		return false;
	}
	/* 10 groups of 4 digits give 30 bytes; the last 3 digits give 2 more
	 * and 2 spare bits, which must be zero for the one canonical text. */
	for (i = 0; i < WG_KEY_LEN / 3; i++) {
		val = 0;
		for (j = 0; j < 4; j++) {
			d = b64_digit((uint8_t)b64[i * 4 + j]);
			bad |= d;
			val = (val << 6) | (d & 0x3f);
		}
		key[i * 3] = (uint8_t)(val >> 16);
		key[i * 3 + 1] = (uint8_t)(val >> 8);
		key[i * 3 + 2] = (uint8_t)val;
	}
	val = 0;
	for (j = 0; j < 3; j++) {
		d = b64_digit((uint8_t)b64[i * 4 + j]);
		bad |= d;
		val = (val << 6) | (d & 0x3f);
	}
	bad |= (val & 3) << 8;
	key[i * 3] = (uint8_t)(val >> 10);
	key[i * 3 + 1] = (uint8_t)(val >> 2);
	explicit_bzero(&val, sizeof val);
	explicit_bzero(&d, sizeof d);
	if (bad & 0x100) {
		explicit_bzero(key, WG_KEY_LEN);
		return false;
	}
	return true;
}

/* Dotted quad, exactly four decimal octets; a leading zero is refused because
 * inet_aton(3) and others would read it as octal. */
static bool parse_ipv4(uint8_t out[4], const char *s, size_t len)
{
	size_t i = 0;

	for (int octet = 0; octet < 4; octet++) {
		size_t start;
		unsigned v = 0;

		if (octet > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		start = i;
		while (i < len && lex_digit(s[i]) && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return false;
		out[octet] = (uint8_t)v;
	}
	return i == len;
}

/* RFC 4291 text form: 8 groups of 1-4 hex digits, one "::" for a run of zero
 * groups, optionally a dotted quad in the last 32 bits. No zone index. */
static bool parse_ipv6(uint8_t out[16], const char *s, size_t len)
{
	uint8_t b[16] = { 0 };
	size_t i = 0, n = 0;	/* n: bytes written to b */
	long gap = -1;		/* byte offset of "::" */

	if (len < 2)
		return false;
	if (s[0] == ':') {
		if (s[1] != ':')
			return false;
		gap = 0;
		i = 2;
	}
	while (i < len) {
		size_t j = i;
		unsigned v = 0;

		while (j < len && s[j] != ':' && s[j] != '.')
			j++;
		if (j < len && s[j] == '.') {
			/* an embedded IPv4 address ends the text */
			if (n > 12 || !parse_ipv4(b + n, s + i, len - i))
				return false;
			n += 4;
			break;
		}
		if (j == i || j - i > 4 || n == 16)
			return false;
		for (; i < j; i++) {
			int h = hex_value(s[i]);

			if (h < 0)
				return false;
			v = v << 4 | (unsigned)h;
		}
		b[n++] = (uint8_t)(v >> 8);
		b[n++] = (uint8_t)v;
		if (i == len)
			break;
		i++;	/* the ':' */
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return false;
			gap = (long)n;
			i++;
		} else if (i == len) {
			return false;	/* a single trailing ':' */
		}
	}
	if (gap < 0) {
		if (n != 16)
			return false;
	} else {
		size_t tail = n - (size_t)gap;

		if (n > 14)	/* "::" must stand for at least one group */
			return false;
		memmove(b + 16 - tail, b + gap, tail);
		memset(b + gap, 0, 16 - n);
	}
	memcpy(out, b, 16);
	return true;
}

bool ipaddr_parse(struct ipaddr *addr, const char *s, size_t len)
{
	struct ipaddr a = { 0 };

	if (memchr(s, ':', len)) {
		a.family = AF_INET6;
		if (!parse_ipv6(a.bytes, s, len))
			return false;
	} else {
		a.family = AF_INET;
		if (!parse_ipv4(a.bytes, s, len))
			return false;
	}
	*addr = a;
	return true;
}

/* "ADDR" or "ADDR/LEN"; without LEN a single host (/32, /128). */
bool prefix_parse(struct ipprefix *out, struct span s, bool mask_host_bits)
{
	const char *slash = memchr(s.p, '/', s.len);
	size_t alen = slash ? (size_t)(slash - s.p) : s.len;
	struct ipprefix pfx = { 0 };
	uint64_t max, plen;

	if (!ipaddr_parse(&pfx.addr, s.p, alen))
		return false;
	max = plen = pfx.addr.family == AF_INET ? 32 : 128;
	if (slash && !lex_uint((struct span){ slash + 1, s.len - alen - 1 }, max, &plen))
		return false;
	pfx.plen = (uint8_t)plen;
	for (size_t i = 0; mask_host_bits && i < 16; i++) {
		uint64_t bits = plen > i * 8 ? plen - i * 8 : 0;

		if (bits < 8)
			pfx.addr.bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
	*out = pfx;
	return true;
}

/* A host name: dot-separated labels of letters, digits and '-', 1..63 each,
 * not starting or ending with '-', at most 253 in all. A last label of digits
 * only is refused: that is a mistyped address ("10.0.0.256"), not a name. */
bool dns_name_valid(struct span s)
{
	size_t label = 0;
	bool all_digits = true;

	if (s.len == 0 || s.len > ENDPOINT_HOST_MAX)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (c == '.') {
			if (label == 0 || s.p[i - 1] == '-')
				return false;
			label = 0;
			all_digits = true;
			continue;
		}
		if (!(lex_alnum(c) || c == '-') || (c == '-' && label == 0) || ++label > 63)
			return false;
		if (!lex_digit(c))
			all_digits = false;
	}
	return label > 0 && s.p[s.len - 1] != '-' && !all_digits;
}

/* "host:port", "a.b.c.d:port" or "[v6]:port"; NULL or why not. */
const char *endpoint_parse(struct endpoint *out, struct span s)
{
	struct endpoint ep = { 0 };
	struct span host, port;
	uint64_t v;

	if (s.len > 0 && s.p[0] == '[') {
		const char *close = memchr(s.p, ']', s.len);

		if (!close || (size_t)(close - s.p) + 1 >= s.len || close[1] != ':')
			return "Endpoint must be [IPv6 address]:port";
		host = (struct span){ s.p + 1, (size_t)(close - s.p) - 1 };
		port = (struct span){ close + 2, s.len - (size_t)(close - s.p) - 2 };
		if (!ipaddr_parse(&ep.addr, host.p, host.len) || ep.addr.family != AF_INET6)
			return "Endpoint has an invalid IPv6 address between [ ]";
		ep.is_literal = true;
	} else {
		size_t colon = s.len;

		while (colon > 0 && s.p[colon - 1] != ':')
			colon--;
		if (colon == 0)
			return "Endpoint must be host:port";
		host = (struct span){ s.p, colon - 1 };
		port = (struct span){ s.p + colon, s.len - colon };
		if (memchr(host.p, ':', host.len))
			return "an IPv6 Endpoint must be written [address]:port";
		if (ipaddr_parse(&ep.addr, host.p, host.len))
			ep.is_literal = true;
		else if (!dns_name_valid(host))
			return "Endpoint host is neither an IPv4 address nor a valid host name";
	}
	if (!lex_uint(port, 65535, &v) || v == 0)
		return "Endpoint port is not a number in 1..65535";
	if (host.len > ENDPOINT_HOST_MAX)	/* guaranteed above; the copy relies on it */
		return "Endpoint host is too long";
	memcpy(ep.host, host.p, host.len);
	ep.port = (uint16_t)v;
	*out = ep;
	return NULL;
}

const char *ports_parse(struct port_range *out, size_t *n, size_t max, struct span v)
{
	for (*n = 0; v.p;) {
		struct span item = lex_list_next(&v), lo, hi;
		const char *slash = memchr(item.p, '/', item.len), *dash;
		uint64_t a, b;
		uint8_t proto;

		if (*n == max)
			return "AllowInbound has more than 32 port ranges";
		if (!slash)
			return "AllowInbound must be yes, no, or a list such as tcp/22, tcp/8000-8010, udp/5353";
		if (slash - item.p == 3 && !memcmp(item.p, "tcp", 3))
			proto = IPPROTO_TCP;
		else if (slash - item.p == 3 && !memcmp(item.p, "udp", 3))
			proto = IPPROTO_UDP;
		else
			return "AllowInbound: a port range starts with tcp/ or udp/";
		lo = (struct span){ slash + 1, item.len - (size_t)(slash - item.p) - 1 };
		hi = lo;
		if ((dash = memchr(lo.p, '-', lo.len))) {
			hi = (struct span){ dash + 1, lo.len - (size_t)(dash - lo.p) - 1 };
			lo.len = (size_t)(dash - lo.p);
		}
		if (!lex_uint(lo, 65535, &a) || !lex_uint(hi, 65535, &b) || a == 0 || b < a)
			return "AllowInbound: a port is a number in 1..65535, a range LOW-HIGH with LOW <= HIGH";
		out[(*n)++] = (struct port_range){ proto, (uint16_t)a, (uint16_t)b };
	}
	return NULL;
}

bool duration_parse(struct span s, uint32_t *seconds)
{
	static const struct { char unit; uint32_t scale; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 },
	};
	uint64_t v;

	for (size_t i = 0; s.len > 1 && i < sizeof(units) / sizeof(units[0]); i++) {
		if (s.p[s.len - 1] != units[i].unit)
			continue;
		if (!lex_uint((struct span){ s.p, s.len - 1 }, IDLE_DOWN_MAX / units[i].scale, &v) || !v)
			return false;
		*seconds = (uint32_t)v * units[i].scale;
		return true;
	}
	return false;
}
