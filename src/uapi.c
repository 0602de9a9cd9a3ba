/* SPDX-License-Identifier: ISC */
/* uapi.c - speak wireguard-go's UAPI over a connected stream socket.
 * Requests are "set=1" or "get=1", key=value lines, an empty line; answers end
 * with "errno=N" and an empty line. Keys travel as lowercase hex. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uapi.h"

struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		/* Grow by copying, so the old buffer can be wiped (realloc would not). */
		size_t ncap = b->cap * 2 + (size_t)n;
		char *np = malloc(ncap);
		if (!np) {
			b->failed = true;
			return;
		}
		memcpy(np, b->p, b->len);
		explicit_bzero(b->p, b->cap);
		free(b->p);
		b->p = np;
		b->cap = ncap;
	}
}

static void sb_hex(struct sbuf *b, const char *key, const uint8_t k[WG_KEY_LEN])
{
	char hex[2 * WG_KEY_LEN + 1];

	for (int i = 0; i < WG_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);
	sb_printf(b, "%s=%s\n", key, hex);
	explicit_bzero(hex, sizeof(hex));
}

static void addr_text(const struct ipaddr *a, char *out, size_t n)
{
	if (!inet_ntop(a->family, a->bytes, out, (socklen_t)n))
		snprintf(out, n, "invalid");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until the answer's empty line, within the deadline. */
static int read_answer(int fd, int timeout_ms)
{
	char buf[4096];
	size_t len = 0;
	long long deadline = now_ms() + timeout_ms;
	int r;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long long left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		len += (size_t)n;
		buf[len] = '\0';
		if ((len >= 2 && !memcmp(buf + len - 2, "\n\n", 2)) || (len == 1 && buf[0] == '\n'))
			break;
		if (len == sizeof(buf) - 1) {
			/* A get answer can be long; keep only the tail, where errno is. */
			memmove(buf, buf + len - 64, 64);
			len = 64;
		}
	}
	r = uapi_parse_answer(buf, len);
	explicit_bzero(buf, sizeof(buf));	/* a get answer echoes the private key */
	return r;
}

int uapi_parse_answer(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int result = -EBADMSG;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 6 && !memcmp(p, "errno=", 6)) {
			long v = 0;
			size_t i = 6;
			bool neg = false;

			if (p[i] == '-') {
				neg = true;
				i++;
			}
			if (i == n)
				return -EBADMSG;
			for (; i < n; i++) {
				if (p[i] < '0' || p[i] > '9' || v > 100000)
					return -EBADMSG;
				v = v * 10 + (p[i] - '0');
			}
			/* The daemon sends a positive errno on failure in some versions. */
			result = v ? -(int)v : 0;
			(void)neg;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return result;
}

int uapi_ping(int fd, int timeout_ms)
{
	static const char req[] = "get=1\n\n";
	int r = write_all(fd, req, sizeof(req) - 1);

	return r < 0 ? r : read_answer(fd, timeout_ms);
}

static void sb_endpoint(struct sbuf *b, const struct peer *p)
{
	char addr[64];

	addr_text(&p->endpoint.addr, addr, sizeof(addr));
	if (p->endpoint.addr.family == AF_INET6)
		sb_printf(b, "endpoint=[%s]:%u\n", addr, (unsigned)p->endpoint.port);
	else
		sb_printf(b, "endpoint=%s:%u\n", addr, (unsigned)p->endpoint.port);
}

/* Write the request in b, read the answer, free b. */
static int send_request(int fd, struct sbuf *b, int timeout_ms)
{
	int r;

	sb_printf(b, "\n");
	if (b->failed)
		r = -ENOMEM;
	else if ((r = write_all(fd, b->p, b->len)) == 0)
		r = read_answer(fd, timeout_ms);
	explicit_bzero(b->p, b->cap);
	free(b->p);
	return r;
}

int uapi_set_endpoints(int fd, const struct tunnel *t, int timeout_ms)
{
	struct sbuf b = { malloc(4096), 0, 4096, false };

	if (!b.p)
		return -ENOMEM;
	sb_printf(&b, "set=1\n");
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct peer *p = &t->peers[i];

		if (peer_endpoint_named(p)) {
			/* update_only: a peer the daemon no longer has is not made anew */
			sb_hex(&b, "public_key", p->public_key);
			sb_printf(&b, "update_only=true\n");
			sb_endpoint(&b, p);
		}
	}
	return send_request(fd, &b, timeout_ms);
}

int uapi_set(int fd, const struct tunnel *t, int timeout_ms)
{
	struct sbuf b = { malloc(4096), 0, 4096, false };
	char addr[64];

	if (!b.p)
		return -ENOMEM;
	sb_printf(&b, "set=1\n");
	sb_hex(&b, "private_key", t->private_key);
	sb_printf(&b, "listen_port=%u\nreplace_peers=true\n", (unsigned)t->listen_port);
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct peer *p = &t->peers[i];

		sb_hex(&b, "public_key", p->public_key);
		if (p->has_preshared_key)
			sb_hex(&b, "preshared_key", p->preshared_key);
		if (p->has_endpoint)
			sb_endpoint(&b, p);
		sb_printf(&b, "persistent_keepalive_interval=%u\nreplace_allowed_ips=true\n",
			  (unsigned)p->keepalive);
		for (size_t j = 0; j < p->n_allowed; j++) {
			addr_text(&p->allowed[j].addr, addr, sizeof(addr));
			sb_printf(&b, "allowed_ip=%s/%u\n", addr, (unsigned)p->allowed[j].plen);
		}
	}
	return send_request(fd, &b, timeout_ms);
}

/* One "key=value" line of a get answer into st; returns 1 at "errno=0",
 * a negative errno at a failing "errno=", else 0. No I/O. */
int uapi_stats_line(struct wg_stats *st, const char *line, size_t len)
{
	unsigned long long v = 0;
	const char *eq = memchr(line, '=', len);
	size_t k, i;

	if (!eq)
		return 0;
	k = (size_t)(eq - line);
	for (i = k + 1; i < len; i++) {
		if (line[i] < '0' || line[i] > '9' || v > (~0ULL - 9) / 10)
			break;
		v = v * 10 + (unsigned)(line[i] - '0');
	}
	if (k == 5 && !memcmp(line, "errno", 5)) {
		int r = uapi_parse_answer(line, len);
		return r == 0 ? 1 : r;
	}
	if (i != len)
		return 0;	/* not a number: a key, an endpoint; none of our business */
	if (k == 23 && !memcmp(line, "last_handshake_time_sec", 23) && (long long)v > st->last_handshake)
		st->last_handshake = (long long)v;
	else if (k == 8 && !memcmp(line, "rx_bytes", 8))
		st->rx += v;
	else if (k == 8 && !memcmp(line, "tx_bytes", 8))
		st->tx += v;
	return 0;
}

int uapi_get_stats(int fd, struct wg_stats *st, int timeout_ms)
{
	static const char req[] = "get=1\n\n";
	char buf[4096];
	size_t len = 0;
	long long deadline = now_ms() + timeout_ms;
	int r = write_all(fd, req, sizeof(req) - 1);

	memset(st, 0, sizeof(*st));
	if (r < 0)
		return r;
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long long left = deadline - now_ms();
		char *nl;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		if (n <= 0) {
			r = -EIO;
			break;
		}
		len += (size_t)n;
		/* Whole lines only; the private key's line is read and dropped. */
		while ((nl = memchr(buf, '\n', len))) {
			size_t l = (size_t)(nl - buf);
			r = l ? uapi_stats_line(st, buf, l) : 0;
			memmove(buf, nl + 1, len - l - 1);
			len -= l + 1;
			explicit_bzero(buf + len, l + 1);
			if (r != 0)
				goto out;
		}
		if (len == sizeof(buf)) {
			r = -EMSGSIZE;
			break;
		}
	}
out:
	explicit_bzero(buf, sizeof(buf));
	return r > 0 ? 0 : r;
}
