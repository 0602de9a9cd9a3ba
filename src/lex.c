/* SPDX-License-Identifier: ISC */
/* lex.c - the small lexical pieces both parsers share (see lex.h). */
#include <string.h>

#include "lex.h"

bool lex_uint(struct span s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		uint64_t d;

		if (!lex_digit(s.p[i]))
			return false;
		d = (uint64_t)(s.p[i] - '0');
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool lex_echoable(struct span s, size_t max, bool (*ok)(char))
{
	if (s.len == 0 || s.len > max)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!ok(s.p[i]))
			return false;
	return true;
}

bool lex_line(const char *buf, size_t len, size_t *pos, struct span *line)
{
	const char *nl;
	size_t end;

	if (*pos >= len)
		return false;
	nl = memchr(buf + *pos, '\n', len - *pos);
	end = nl ? (size_t)(nl - buf) : len;
	*line = (struct span){ buf + *pos, end - *pos };
	*pos = nl ? end + 1 : len;
	return true;
}

struct span lex_field(struct span line, int n)
{
	size_t i = 0, j;

	for (int k = 0; k < n; k++) {
		while (i < line.len && line.p[i] != ' ')
			i++;
		while (i < line.len && line.p[i] == ' ')
			i++;
	}
	for (j = i; j < line.len && line.p[j] != ' '; j++)
		;
	return (struct span){ line.p + i, j - i };
}

bool lex_mountinfo(struct span line, struct span *mnt, struct span *fstype)
{
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE ... */
	const char *dash = memmem(line.p, line.len, " - ", 3);

	*mnt = lex_field(line, 4);
	if (!dash || !mnt->len)
		return false;
	*fstype = lex_field((struct span){ dash + 3, line.len - (size_t)(dash + 3 - line.p) }, 0);
	return fstype->len > 0;
}

bool tunnel_name_valid(const char *name)
{
	size_t i;

	if (!name || !((name[0] >= 'a' && name[0] <= 'z') || lex_digit(name[0])))
		return false;
	for (i = 1; name[i]; i++) {
		char c = name[i];

		if (i >= TUNNEL_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || lex_digit(c) || c == '_' || c == '-'))
			return false;
	}
	return true;
}

struct span lex_trim(struct span s)
{
	while (s.len > 0 && lex_blank(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && lex_blank(s.p[s.len - 1]))
		s.len--;
	return s;
}

/* Comma-separated lists: each call returns the next trimmed item and sets
 * rest->p to NULL after the last one. */
struct span lex_list_next(struct span *rest)
{
	const char *comma = memchr(rest->p, ',', rest->len);
	struct span item = *rest;

	if (comma) {
		item.len = (size_t)(comma - rest->p);
		rest->len -= item.len + 1;
		rest->p = comma + 1;
	} else {
		rest->p = NULL;
	}
	return lex_trim(item);
}
