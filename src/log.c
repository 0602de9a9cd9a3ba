/* SPDX-License-Identifier: ISC */
/* log.c - error exits and the audit log.
 *
 * openlog() is called first with a fixed tag: glibc's default tag is argv[0],
 * which the caller chooses. Every message is formatted from a constant format
 * string; caller-supplied text goes through log_escape() first. No locale. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

void log_open(void)
{
	openlog("wgrun", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

static void vline(int err, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err)
		dprintf(STDERR_FILENO, "wgrun: %s: %s\n", msg, strerror(err));
	else
		dprintf(STDERR_FILENO, "wgrun: %s\n", msg);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(0, fmt, ap);
	va_end(ap);
	_exit(EXIT_WGRUN);
}

void die_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(err, fmt, ap);
	va_end(ap);
	_exit(EXIT_WGRUN);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(0, fmt, ap);
	va_end(ap);
}

/* Copy src to dst (n bytes), writing each byte keep() refuses as esc and
 * two hex digits; stops where the next escape would not fit. */
static void escape(char *dst, size_t n, const char *src, bool (*keep)(unsigned char),
		   const char *esc, const char *hex)
{
	size_t o = 0, elen = strlen(esc);

	if (n == 0)
		return;
	for (; *src && o + elen + 3 < n; src++) {
		unsigned char c = (unsigned char)*src;

		if (keep(c)) {
			dst[o++] = (char)c;
			continue;
		}
		memcpy(dst + o, esc, elen);
		o += elen;
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 15];
	}
	dst[o] = '\0';
}

static bool printable(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

/* Space and '=' too: a caller's "x rule=..." must not read as a field of its
 * own to whoever parses the log. */
static bool field_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '%' && c != '=' && c != '\\';
}

void log_escape(char *dst, size_t n, const char *src)
{
	escape(dst, n, src, printable, "\\x", "0123456789abcdef");
}

void log_field(char *dst, size_t n, const char *src)
{
	escape(dst, n, src, field_char, "%", "0123456789ABCDEF");
}

void audit(const char *fmt, ...)
{
	char msg[1024], safe[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_escape(safe, sizeof(safe), msg);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", safe);
}

void log_report(void *count, const char *msg)
{
	(*(int *)count)++;
	dprintf(STDERR_FILENO, "wgrun: %s\n", msg);
}
