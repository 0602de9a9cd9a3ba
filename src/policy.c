/* SPDX-License-Identifier: ISC */
/* policy.c - the admin policy: who may use which tunnel.
 *
 * The policy file is root's, but parsed as strictly as a tunnel file: one rule
 * a line, "permit|deny USER|:GROUP TUNNEL...", bounded line length and rule
 * count, locale-free character tests, every error reported with its line.
 * The parser does no I/O, so the fuzzer runs the same code.
 *
 * The decision trusts NSS for names (numbers are taken as ids without a
 * look-up) and fails closed: an unknown name or a look-up error in any rule
 * that names the tunnel refuses the launch (SECURITY.md row 29), since
 * skipping it could skip a deny rule. main.c must decide before changing any
 * namespace, so NSS reads the host's files (SECURITY.md row 18).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"

#define POLICY_LINE_MAX 4096
#define ECHO_WORD_MAX 32
#define NSS_BUF_MAX (1024 * 1024)	/* getpwnam_r buffer cap when it keeps saying ERANGE */
#define ID_MAX 4294967294u		/* (uid_t)-1 means "no change" to set*id: never an id */

struct parser {
	struct policy *p;
	size_t cap;
	const char *fname;
	report_fn report;
	void *ctx;
	unsigned lineno;
	bool failed;
	bool too_many_reported;
};

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || lex_digit(c) ||
	       c == '_' || c == '.' || c == '-';
}

static bool word_is(struct span w, const char *s)
{
	return w.len == strlen(s) && memcmp(w.p, s, w.len) == 0;
}

/* A word of digits only is an id, not a name. */
static bool all_digits(struct span w)
{
	for (size_t i = 0; i < w.len; i++)
		if (!lex_digit(w.p[i]))
			return false;
	return w.len > 0;
}

__attribute__((format(printf, 2, 3)))
static void fail(struct parser *ps, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	ps->failed = true;
	/* A truncated message is still a report; the flag above is what counts. */
	n = snprintf(msg, sizeof msg, "%s line %u: ", ps->fname, ps->lineno);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof msg) {
		va_start(ap, fmt);
		vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
		va_end(ap);
	}
	ps->report(ps->ctx, msg);
}

/* Split the next blank-separated word off *rest; false when none is left. */
static bool next_word(const char **pos, const char *end, struct span *w)
{
	const char *s = *pos;

	while (s < end && lex_blank(*s))
		s++;
	if (s == end)
		return false;
	w->p = s;
	while (s < end && !lex_blank(*s))
		s++;
	w->len = (size_t)(s - w->p);
	*pos = s;
	return true;
}

static bool check_ident(struct parser *ps, struct rule *r, struct span w)
{
	const char *what = r->is_group ? "group" : "user";
	struct span name = w;
	uint64_t id;
	bool ok = w.len > 0 && w.len <= POLICY_IDENT_MAX && w.p[0] != '-';

	for (size_t i = 0; ok && i < w.len; i++)
		ok = is_ident_char(w.p[i]);
	if (r->is_group) {
		name.p--;	/* show the ':' the admin wrote */
		name.len++;
	}
	if (!ok) {
		if (lex_echoable(name, ECHO_WORD_MAX, lex_graph))
			fail(ps, "invalid %s name '%.*s'", what, (int)name.len, name.p);
		else
			fail(ps, "invalid %s name", what);
		return false;
	}
	if (all_digits(w) && !lex_uint(w, ID_MAX, &id)) {
		fail(ps, "%s id '%.*s' is out of range", what, (int)name.len, name.p);
		return false;
	}
	memcpy(r->ident, w.p, w.len);
	r->ident[w.len] = '\0';
	return true;
}

static bool add_tunnel(struct parser *ps, struct rule *r, struct span w)
{
	char name[TUNNEL_NAME_MAX + 1];

	if (w.len > TUNNEL_NAME_MAX) {
		fail(ps, "invalid tunnel name (longer than %d characters)", TUNNEL_NAME_MAX);
		return false;
	}
	memcpy(name, w.p, w.len);
	name[w.len] = '\0';
	if (!tunnel_name_valid(name)) {
		if (lex_echoable(w, ECHO_WORD_MAX, lex_graph))
			fail(ps, "invalid tunnel name '%.*s'", (int)w.len, w.p);
		else
			fail(ps, "invalid tunnel name");
		return false;
	}
	memcpy(r->tunnels[r->n_tunnels++], name, w.len + 1);
	return true;
}

static void parse_line(struct parser *ps, const char *s, size_t len)
{
	const char *hash = memchr(s, '#', len), *end = hash ? hash : s + len;
	struct rule r = { .lineno = ps->lineno };
	struct span w;
	bool ok, too_many = false;
	size_t words;

	if (!next_word(&s, end, &w))
		return;		/* blank or comment */
	if (word_is(w, "permit")) {
		r.permit = true;
	} else if (!word_is(w, "deny")) {
		fail(ps, "a rule must start with permit or deny");
		return;
	}
	if (!next_word(&s, end, &w)) {
		fail(ps, "%s names no user or :group", r.permit ? "permit" : "deny");
		return;
	}
	if (w.p[0] == ':') {
		r.is_group = true;
		w.p++;
		w.len--;
	}
	ok = check_ident(ps, &r, w);
	/* keep checking after an error, so one pass reports every fault */
	for (words = 0; next_word(&s, end, &w); words++) {
		if (r.n_tunnels < POLICY_MAX_TUNNELS_PER_RULE) {
			if (!add_tunnel(ps, &r, w))
				ok = false;
		} else if (!too_many) {
			fail(ps, "more than %d tunnels in one rule", POLICY_MAX_TUNNELS_PER_RULE);
			too_many = true;
			ok = false;
		}
	}
	if (words == 0) {
		fail(ps, "rule names no tunnel");
		ok = false;
	}
	if (!ok)
		return;
	if (ps->p->n_rules == POLICY_MAX_RULES) {
		if (!ps->too_many_reported)
			fail(ps, "more than %d rules", POLICY_MAX_RULES);
		ps->too_many_reported = true;
		return;
	}
	if (ps->p->n_rules == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct rule *rules;

		if (cap > POLICY_MAX_RULES)
			cap = POLICY_MAX_RULES;
		rules = realloc(ps->p->rules, cap * sizeof *rules);
		if (!rules) {
			fail(ps, "out of memory");
			return;
		}
		ps->p->rules = rules;
		ps->cap = cap;
	}
	ps->p->rules[ps->p->n_rules++] = r;
}

bool policy_parse(struct policy *p, const char *buf, size_t len, const char *fname,
		  report_fn report, void *ctx)
{
	struct parser ps = { .p = p, .fname = fname, .report = report, .ctx = ctx };
	size_t pos = 0;

	memset(p, 0, sizeof *p);
	for (struct span line; lex_line(buf, len, &pos, &line);) {
		ps.lineno++;
		if (line.len > POLICY_LINE_MAX)
			fail(&ps, "line is longer than %d bytes", POLICY_LINE_MAX);
		else if (memchr(line.p, '\0', line.len))
			fail(&ps, "line contains a NUL byte");
		else
			parse_line(&ps, line.p, line.len);
	}
	if (ps.failed)
		policy_free(p);
	return !ps.failed;
}

void policy_free(struct policy *p)
{
	free(p->rules);
	p->rules = NULL;
	p->n_rules = 0;
}

/* Resolve a user or group name to its id with the reentrant NSS calls, whose
 * buffer size is only a hint (sysconf may say -1): grow it on ERANGE. Returns
 * 0 with *found, or the look-up's error number. */
int policy_lookup(const char *name, bool group, uint64_t *id, bool *found)
{
	long hint = sysconf(group ? _SC_GETGR_R_SIZE_MAX : _SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 && hint <= NSS_BUF_MAX ? (size_t)hint : 16384;
	char *buf = NULL;
	int err;

	*found = false;
	for (;;) {
		char *bigger = realloc(buf, size);

		if (!bigger) {
			err = ENOMEM;
			break;
		}
		buf = bigger;
		if (group) {
			struct group gr, *res = NULL;

			err = getgrnam_r(name, &gr, buf, size, &res);
			if (!err && res) {
				*id = res->gr_gid;
				*found = true;
			}
		} else {
			struct passwd pw, *res = NULL;

			err = getpwnam_r(name, &pw, buf, size, &res);
			if (!err && res) {
				*id = res->pw_uid;
				*found = true;
			}
		}
		if (err != ERANGE || size >= NSS_BUF_MAX)
			break;
		size *= 2;
	}
	free(buf);
	return err;
}

static bool rule_names_tunnel(const struct rule *r, const char *tunnel)
{
	for (size_t i = 0; i < r->n_tunnels; i++)
		if (strcmp(r->tunnels[i], tunnel) == 0)
			return true;
	return false;
}

static bool caller_has_gid(const struct caller_ids *who, gid_t gid)
{
	if (who->gid == gid)
		return true;
	for (size_t i = 0; i < who->n_groups; i++)
		if (who->groups[i] == gid)
			return true;
	return false;
}

enum decision policy_decide(const struct policy *p, const struct caller_ids *who,
			    const char *tunnel, const struct rule **decider,
			    char *why, size_t whylen)
{
	const struct rule *last = NULL;

	*decider = NULL;
	if (whylen)
		why[0] = '\0';
	if (!tunnel)
		return DECIDE_DENY;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];
		const char *what = r->is_group ? "group" : "user";
		struct span ident = { r->ident, strlen(r->ident) };
		uint64_t id;
		bool found = true;
		bool match;

		if (!rule_names_tunnel(r, tunnel))
			continue;
		if (!all_digits(ident) || !lex_uint(ident, ID_MAX, &id)) {
			int err = policy_lookup(r->ident, r->is_group, &id, &found);

			if (err) {
				snprintf(why, whylen, "policy line %u: cannot look up %s '%s': %s",
					 r->lineno, what, r->ident, strerror(err));
				return DECIDE_ERROR;
			}
		}
		if (!found) {
			snprintf(why, whylen, "policy line %u: unknown %s '%s'", r->lineno, what,
				 r->ident);
			return DECIDE_ERROR;
		}
		if (r->is_group)
			match = caller_has_gid(who, (gid_t)id);
		else
			match = who->uid == (uid_t)id;
		if (match)
			last = r;	/* last match wins, as in doas.conf */
	}
	*decider = last;
	return last && last->permit ? DECIDE_PERMIT : DECIDE_DENY;
}
