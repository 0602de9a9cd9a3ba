/* policy.c - the admin policy: who may use which tunnel.
 *
 * The policy file is root's, but parsed as strictly as a tunnel file: one rule
 * a line, "permit|deny USER|:GROUP TUNNEL...", bounded line length and rule
 * count, locale-free character tests, every error reported with its line.
 * The parser does no I/O, so the fuzzer runs the same code.
 *
 * The decision trusts NSS for names (numbers are taken as ids without a
 * look-up) and fails closed: an unknown name or a look-up error in any rule
 * that names the tunnel refuses the launch (SECURITY-CHECKLIST item 29), since
 * skipping it could skip a deny rule. main.c must decide before changing any
 * namespace, so NSS reads the host's files (item 18).
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

struct word {
	const char *p;
	size_t len;
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       c == '_' || c == '.' || c == '-';
}

/* A word is echoed in a message only if it cannot smuggle control characters
 * or an unbounded length into the log. */
static bool echoable(struct word w)
{
	if (w.len == 0 || w.len > ECHO_WORD_MAX)
		return false;
	for (size_t i = 0; i < w.len; i++)
		if (w.p[i] < '!' || w.p[i] > '~')
			return false;
	return true;
}

static bool word_is(struct word w, const char *s)
{
	return w.len == strlen(s) && memcmp(w.p, s, w.len) == 0;
}

/* All digits (no sign or space), at most ID_MAX; false for anything else. */
static bool parse_id(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint32_t d;

		if (!is_digit(s[i]))
			return false;
		d = (uint32_t)(s[i] - '0');
		if (v > (ID_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return len > 0;
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
static bool next_word(const char **pos, const char *end, struct word *w)
{
	const char *s = *pos;

	while (s < end && is_blank(*s))
		s++;
	if (s == end)
		return false;
	w->p = s;
	while (s < end && !is_blank(*s))
		s++;
	w->len = (size_t)(s - w->p);
	*pos = s;
	return true;
}

static bool check_ident(struct parser *ps, struct rule *r, struct word w)
{
	const char *what = r->is_group ? "group" : "user";
	struct word name = w;
	uint32_t id;
	bool ok = w.len > 0 && w.len <= POLICY_IDENT_MAX && w.p[0] != '-';

	for (size_t i = 0; ok && i < w.len; i++)
		ok = is_ident_char(w.p[i]);
	if (r->is_group) {
		name.p--;	/* show the ':' the admin wrote */
		name.len++;
	}
	if (!ok) {
		if (echoable(name))
			fail(ps, "invalid %s name '%.*s'", what, (int)name.len, name.p);
		else
			fail(ps, "invalid %s name", what);
		return false;
	}
	if (all_digits(w.p, w.len) && !parse_id(w.p, w.len, &id)) {
		fail(ps, "%s id '%.*s' is out of range", what, (int)name.len, name.p);
		return false;
	}
	memcpy(r->ident, w.p, w.len);
	r->ident[w.len] = '\0';
	return true;
}

static bool add_tunnel(struct parser *ps, struct rule *r, struct word w)
{
	char name[TUNNEL_NAME_MAX + 1];

	if (w.len > TUNNEL_NAME_MAX) {
		fail(ps, "invalid tunnel name (longer than %d characters)", TUNNEL_NAME_MAX);
		return false;
	}
	memcpy(name, w.p, w.len);
	name[w.len] = '\0';
	if (!tunnel_name_valid(name)) {
		if (echoable(w))
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
	struct word w;
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
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;

		ps.lineno++;
		if (end - pos > POLICY_LINE_MAX)
			fail(&ps, "line is longer than %d bytes", POLICY_LINE_MAX);
		else if (memchr(buf + pos, '\0', end - pos))
			fail(&ps, "line contains a NUL byte");
		else
			parse_line(&ps, buf + pos, end - pos);
		pos = nl ? end + 1 : len;
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
static int lookup_id(const char *name, bool group, uint32_t *id, bool *found)
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
				*id = (uint32_t)res->gr_gid;
				*found = true;
			}
		} else {
			struct passwd pw, *res = NULL;

			err = getpwnam_r(name, &pw, buf, size, &res);
			if (!err && res) {
				*id = (uint32_t)res->pw_uid;
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
		size_t len = strlen(r->ident);
		uint32_t id;
		bool found = true;
		bool match;

		if (!rule_names_tunnel(r, tunnel))
			continue;
		if (!all_digits(r->ident, len) || !parse_id(r->ident, len, &id)) {
			int err = lookup_id(r->ident, r->is_group, &id, &found);

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
