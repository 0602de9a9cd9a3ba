/* SPDX-License-Identifier: ISC */
/* log.h - error exits and the audit log. */
#ifndef WGRUN_LOG_H
#define WGRUN_LOG_H

#include <stdnoreturn.h>

/* wgrun's own errors exit with 125; 126/127 are for a command that cannot run. */
#define EXIT_WGRUN 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

void log_open(void);

/* One line on stderr, "wgrun: ...", then exit(EXIT_WGRUN). */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As die(), with ": strerror(err)" appended. */
noreturn void die_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Audit record to syslog (LOG_AUTHPRIV) under the fixed tag "wgrun".
 * Bytes outside printable ASCII are escaped before they reach syslog. */
void audit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy src into dst (size n), escaping every byte outside 0x20..0x7e as \xHH
 * and capping the length; used for caller-supplied text in messages. */
void log_escape(char *dst, size_t n, const char *src);

/* A caller-supplied value for one key=value field of the audit log, capped
 * to n - 1 bytes: every byte outside 0x21..0x7e, and '%', '=' and '\\',
 * percent-encoded, so that a value can never look like another field. */
void log_field(char *dst, size_t n, const char *src);

/* A parser's report_fn: the message on stderr, and one more in *(int *)count. */
void log_report(void *count, const char *msg);

#endif
