/* SPDX-License-Identifier: ISC */
/* test_policy.c - behaviour of the policy parser and decision, one test per
 * behaviour. Prints "ok NAME" or "FAIL NAME: detail"; exits 1 on any failure.
 * Needs the user and group "root" (uid and gid 0), present on every Linux. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "policy.h"

/* Longer than the 32 characters useradd(8) allows, so no account has it. */
#define NO_SUCH_NAME "no_such_account_wgrun_test_0123456789"

struct reports {
	char msg[64][512];
	int n;
};
static struct reports rep;

static void collect(void *ctx, const char *msg)
{
	struct reports *r = ctx;

	if (r->n < 64)
		snprintf(r->msg[r->n], sizeof r->msg[0], "%s", msg);
	r->n++;
}

static bool parse(struct policy *p, const char *text)
{
	memset(&rep, 0, sizeof rep);
	return policy_parse(p, text, strlen(text), "policy.conf", collect, &rep);
}

static bool reported(const char *msg)
{
	for (int i = 0; i < rep.n && i < 64; i++)
		if (strcmp(rep.msg[i], msg) == 0)
			return true;
	snprintf(check_detail, sizeof check_detail, "%d report(s), first: %.500s", rep.n,
		 rep.n ? rep.msg[0] : "(none)");
	return false;
}

/* Parse text (which must be valid) and decide for who and tunnel. */
static enum decision decide(const char *text, const struct caller_ids *who, const char *tunnel,
			    unsigned *line, char *why, size_t whylen)
{
	struct policy p;
	const struct rule *r = (const struct rule *)1;	/* must be overwritten */
	enum decision d;

	if (!parse(&p, text)) {
		snprintf(check_detail, sizeof check_detail, "parse failed: %.500s", rep.n ? rep.msg[0] : "");
		return (enum decision)99;
	}
	d = policy_decide(&p, who, tunnel, &r, why, whylen);
	*line = r ? r->lineno : 0;
	if (d == DECIDE_ERROR)
		snprintf(check_detail, sizeof check_detail, "why: %.500s", why);
	policy_free(&p);
	return d;
}

static const gid_t user_groups[] = { 1000, 27, 100 };
static const struct caller_ids alice = { 1000, 1000, user_groups, 3 };
static const struct caller_ids root_caller = { 0, 0, NULL, 0 };

static void rules_are_parsed_into_fields(void)
{
	struct policy p;

	CHECK(parse(&p, "# admins\n\npermit alice work home  \ndeny\t:staff\twork # not staff\n"));
	CHECK(rep.n == 0 && p.n_rules == 2);
	if (p.n_rules == 2) {
		CHECK(p.rules[0].permit && !p.rules[0].is_group && strcmp(p.rules[0].ident, "alice") == 0);
		CHECK(p.rules[0].n_tunnels == 2 && strcmp(p.rules[0].tunnels[1], "home") == 0);
		CHECK(p.rules[0].lineno == 3);
		CHECK(!p.rules[1].permit && p.rules[1].is_group && strcmp(p.rules[1].ident, "staff") == 0);
		CHECK(p.rules[1].n_tunnels == 1 && p.rules[1].lineno == 4);
	}
	policy_free(&p);
	CHECK(p.rules == NULL && p.n_rules == 0);
}

static void root_matches_by_name(void)
{
	char why[256];
	unsigned line;

	CHECK(decide("permit root work\n", &root_caller, "work", &line, why, sizeof why) ==
	      DECIDE_PERMIT);
	CHECK(line == 1 && why[0] == '\0');
	CHECK(decide("permit root work\n", &alice, "work", &line, why, sizeof why) == DECIDE_DENY);
}

static void numeric_uid_matches_without_lookup(void)
{
	char why[256];
	unsigned line;

	/* 1000 need not exist in /etc/passwd: numbers are ids */
	CHECK(decide("permit 1000 work\n", &alice, "work", &line, why, sizeof why) == DECIDE_PERMIT);
	CHECK(decide("permit 4294967294 work\n", &alice, "work", &line, why, sizeof why) ==
	      DECIDE_DENY);
}

static void group_rule_matches_primary_group(void)
{
	char why[256];
	unsigned line;

	CHECK(decide("permit :root work\n", &root_caller, "work", &line, why, sizeof why) ==
	      DECIDE_PERMIT);
	CHECK(decide("permit :1000 work\n", &alice, "work", &line, why, sizeof why) == DECIDE_PERMIT);
	CHECK(decide("permit :root work\n", &alice, "work", &line, why, sizeof why) == DECIDE_DENY);
}

static void group_rule_matches_supplementary_group(void)
{
	static const gid_t groups[] = { 1000, 0 };
	const struct caller_ids bob = { 1000, 1000, groups, 2 };
	char why[256];
	unsigned line;

	CHECK(decide("permit :root work\n", &bob, "work", &line, why, sizeof why) == DECIDE_PERMIT);
	CHECK(decide("permit :27 work\n", &alice, "work", &line, why, sizeof why) == DECIDE_PERMIT);
	CHECK(decide("permit :28 work\n", &alice, "work", &line, why, sizeof why) == DECIDE_DENY);
}

static void last_match_wins(void)
{
	char why[256];
	unsigned line;

	CHECK(decide("permit :1000 work\ndeny 1000 work\n", &alice, "work", &line, why, sizeof why) ==
	      DECIDE_DENY);
	CHECK(line == 2);
	CHECK(decide("deny :1000 work\npermit 1000 work\npermit 5 work\n", &alice, "work", &line, why,
		     sizeof why) == DECIDE_PERMIT);
	CHECK(line == 2);
}

static void no_rule_denies(void)
{
	char why[256];
	unsigned line = 99;

	CHECK(decide("permit 1000 home\n", &alice, "work", &line, why, sizeof why) == DECIDE_DENY);
	CHECK(line == 0);	/* no deciding rule */
	CHECK(decide("# nothing yet\n", &alice, "work", &line, why, sizeof why) == DECIDE_DENY);
	CHECK(line == 0 && why[0] == '\0');
}

static void unknown_user_fails_closed(void)
{
	char why[256];
	unsigned line;

	/* even after a permit, an unresolvable later rule refuses the launch */
	CHECK(decide("permit 1000 work\npermit " NO_SUCH_NAME " work\n", &alice, "work", &line, why,
		     sizeof why) == DECIDE_ERROR);
	CHECK(strcmp(why, "policy line 2: unknown user '" NO_SUCH_NAME "'") == 0);
	CHECK(line == 0);
}

static void unknown_group_fails_closed(void)
{
	char why[256];
	unsigned line;

	CHECK(decide("deny :" NO_SUCH_NAME " work\n", &alice, "work", &line, why, sizeof why) ==
	      DECIDE_ERROR);
	CHECK(strcmp(why, "policy line 1: unknown group '" NO_SUCH_NAME "'") == 0);
}

static void rules_for_other_tunnels_are_not_resolved(void)
{
	char why[256];
	unsigned line;

	CHECK(decide("permit " NO_SUCH_NAME " home\npermit 1000 work\n", &alice, "work", &line, why,
		     sizeof why) == DECIDE_PERMIT);
}

static void short_why_buffer_is_safe(void)
{
	char why[8];
	unsigned line;

	CHECK(decide("permit " NO_SUCH_NAME " work\n", &alice, "work", &line, why, sizeof why) ==
	      DECIDE_ERROR);
	CHECK(strcmp(why, "policy ") == 0);
}

static void invalid_tunnel_name_is_named_when_printable(void)
{
	struct policy p;

	CHECK(!parse(&p, "permit alice Work\n") &&
	      reported("policy.conf line 1: invalid tunnel name 'Work'"));
	CHECK(!parse(&p, "permit alice ../etc\n") &&
	      reported("policy.conf line 1: invalid tunnel name '../etc'"));
	CHECK(!parse(&p, "permit alice a\x1b[2Jb\n") &&
	      reported("policy.conf line 1: invalid tunnel name"));
	CHECK(!parse(&p, "permit alice work-tunnel-name-16\n") &&
	      reported("policy.conf line 1: invalid tunnel name (longer than 15 characters)"));
	CHECK(p.rules == NULL && p.n_rules == 0);
}

static void malformed_rules_are_refused(void)
{
	struct policy p;

	CHECK(!parse(&p, "allow alice work\n") &&
	      reported("policy.conf line 1: a rule must start with permit or deny"));
	CHECK(!parse(&p, "Permit alice work\n") && rep.n == 1);
	CHECK(!parse(&p, "permit\n") && reported("policy.conf line 1: permit names no user or :group"));
	CHECK(!parse(&p, "deny alice\n") && reported("policy.conf line 1: rule names no tunnel"));
	CHECK(!parse(&p, "deny -bob\n") && rep.n == 2 &&
	      reported("policy.conf line 1: invalid user name '-bob'") &&
	      reported("policy.conf line 1: rule names no tunnel"));
	CHECK(!parse(&p, "permit -alice work\n") &&
	      reported("policy.conf line 1: invalid user name '-alice'"));
	CHECK(!parse(&p, "permit : work\n") && reported("policy.conf line 1: invalid group name ':'"));
	CHECK(!parse(&p, "permit :a:b work\n") &&
	      reported("policy.conf line 1: invalid group name ':a:b'"));
	CHECK(!parse(&p, "permit al$ice work\n") &&
	      reported("policy.conf line 1: invalid user name 'al$ice'"));
	CHECK(!parse(&p, "permit 4294967295 work\n") &&
	      reported("policy.conf line 1: user id '4294967295' is out of range"));
	CHECK(!parse(&p, "permit :99999999999999999999 work\n") &&
	      reported("policy.conf line 1: group id ':99999999999999999999' is out of range"));
	/* 64 characters is the longest ident, 65 is refused, unnamed */
	CHECK(parse(&p, "permit aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa w\n"));
	policy_free(&p);
	CHECK(!parse(&p, "permit aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa w\n") &&
	      reported("policy.conf line 1: invalid user name"));
}

static void every_error_reported_in_one_pass(void)
{
	struct policy p;

	CHECK(!parse(&p, "permit alice work\n"
			 "permitt bob work\n"
			 "deny :-staff Home w@rk\n"
			 "permit carol\n"));
	CHECK(rep.n == 5);
	CHECK(reported("policy.conf line 2: a rule must start with permit or deny"));
	CHECK(reported("policy.conf line 3: invalid group name ':-staff'"));
	CHECK(reported("policy.conf line 3: invalid tunnel name 'Home'"));
	CHECK(reported("policy.conf line 3: invalid tunnel name 'w@rk'"));
	CHECK(reported("policy.conf line 4: rule names no tunnel"));
	CHECK(p.rules == NULL && p.n_rules == 0);	/* freed on failure */
}

static void limits_are_enforced(void)
{
	static char text[1 << 20];
	struct policy p;
	int n;

	n = snprintf(text, sizeof text, "permit alice");
	for (int i = 0; i < 64; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, " t%d", i);
	CHECK(parse(&p, text) && p.rules[0].n_tunnels == 64);
	policy_free(&p);
	snprintf(text + n, sizeof text - (size_t)n, " t64 t65\n");
	CHECK(!parse(&p, text) && rep.n == 1 &&
	      reported("policy.conf line 1: more than 64 tunnels in one rule"));

	n = 0;
	for (int i = 0; i < 4098; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, "permit u%d work\n", i);
	CHECK(!parse(&p, text) && rep.n == 1 &&
	      reported("policy.conf line 4097: more than 4096 rules"));

	memset(text, ' ', 4097);
	memcpy(text, "permit alice work", 17);
	strcpy(text + 4097, "\npermit bob work\0deny x y\n");
	CHECK(!parse(&p, text) && reported("policy.conf line 1: line is longer than 4096 bytes"));
	text[4096] = '\0';
	CHECK(parse(&p, text) && p.n_rules == 1);	/* 4096 bytes is fine */
	policy_free(&p);
	memset(&rep, 0, sizeof rep);
	CHECK(!policy_parse(&p, "permit a w\ndeny\0b w\n", 20, "policy.conf", collect, &rep) &&
	      reported("policy.conf line 2: line contains a NUL byte") && rep.n == 1);
}

static void buffer_need_not_be_nul_terminated(void)
{
	const char *src = "permit alice work";
	char *exact = malloc(17);	/* ASan catches any read past the end */
	struct policy p;

	memcpy(exact, src, 17);
	memset(&rep, 0, sizeof rep);
	CHECK(policy_parse(&p, exact, 17, "policy.conf", collect, &rep) && p.n_rules == 1);
	CHECK(p.n_rules == 1 && strcmp(p.rules[0].tunnels[0], "work") == 0);
	policy_free(&p);
	free(exact);
}

int main(void)
{
	RUN(rules_are_parsed_into_fields);
	RUN(root_matches_by_name);
	RUN(numeric_uid_matches_without_lookup);
	RUN(group_rule_matches_primary_group);
	RUN(group_rule_matches_supplementary_group);
	RUN(last_match_wins);
	RUN(no_rule_denies);
	RUN(unknown_user_fails_closed);
	RUN(unknown_group_fails_closed);
	RUN(rules_for_other_tunnels_are_not_resolved);
	RUN(short_why_buffer_is_safe);
	RUN(invalid_tunnel_name_is_named_when_printable);
	RUN(malformed_rules_are_refused);
	RUN(every_error_reported_in_one_pass);
	RUN(limits_are_enforced);
	RUN(buffer_need_not_be_nul_terminated);
	return check_verdict("policy");
}
