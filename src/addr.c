/* SPDX-License-Identifier: ISC */
/* addr.c - the small lexical pieces of a tunnel file that other code needs
 * too: base64 keys, IPv4 and IPv6 literals. Bounded, no
 * locale, no I/O; exercised by the tunnel parser's tests and fuzzer. */
#include <string.h>

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
