/* SPDX-License-Identifier: ISC */
/* lex.h - the small lexical pieces both parsers (tunnel.c, policy.c) and the
 * record reader share: bounded, locale-free, no I/O, fuzzed with them. */
#ifndef WGRUN_LEX_H
#define WGRUN_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called once per problem with a complete message such as
 * "work.conf line 4: PrivateKey is not 44 base64 characters". */
typedef void (*report_fn)(void *ctx, const char *msg);

struct span {
	const char *p;
	size_t len;
};

static inline bool lex_digit(char c) { return c >= '0' && c <= '9'; }
static inline bool lex_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool lex_alnum(char c) { return lex_digit(c) || lex_alpha(c); }
/* Printable and not a space: what a word may echo into a log. */
static inline bool lex_graph(char c) { return c >= '!' && c <= '~'; }
static inline bool lex_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Digits only: no sign, space or base prefix (strtoul accepts all three),
 * checked against max before each step so it cannot overflow. */
bool lex_uint(struct span s, uint64_t max, uint64_t *out);

/* Is s at most max characters, each one ok? A word is echoed in a message
 * only when it cannot carry control characters, an unbounded length or (for
 * tunnel files) a secret into the log. */
bool lex_echoable(struct span s, size_t max, bool (*ok)(char));

/* s without blanks (space, tab, CR) at either end. */
struct span lex_trim(struct span s);

/* Comma-separated lists: each call returns the next trimmed item and sets
 * rest->p to NULL after the last one. */
struct span lex_list_next(struct span *rest);

/* The next line of buf (without its newline) from *pos; false at the end. */
bool lex_line(const char *buf, size_t len, size_t *pos, struct span *line);

/* Tunnel names: ^[a-z0-9][a-z0-9_-]{0,14}$, checked before any path, lock
 * or interface name is made from one. */
#define TUNNEL_NAME_MAX 15
/* Field n (from 0) of line, fields separated by spaces: empty past the last. */
struct span lex_field(struct span line, int n);

/* A /proc/self/mountinfo line's mount point (still escaped: \040 for a
 * space) and file system type. False when the line is not one. */
bool lex_mountinfo(struct span line, struct span *mnt, struct span *fstype);

bool tunnel_name_valid(const char *name);

#endif
