/* SPDX-License-Identifier: ISC */
/* policy.h - the admin policy: parser (no I/O) and decision. */
#ifndef WGRUN_POLICY_H
#define WGRUN_POLICY_H

#include <sys/types.h>

#include "lex.h"	/* report_fn, TUNNEL_NAME_MAX */

#define POLICY_MAX_RULES 4096
#define POLICY_MAX_TUNNELS_PER_RULE 64
#define POLICY_IDENT_MAX 64

struct rule {
	bool permit;		/* permit or deny */
	bool is_group;		/* ident was written as :GROUP */
	char ident[POLICY_IDENT_MAX + 1];	/* user or group name, or a number */
	char tunnels[POLICY_MAX_TUNNELS_PER_RULE][TUNNEL_NAME_MAX + 1];
	size_t n_tunnels;
	unsigned lineno;
};

struct policy {
	struct rule *rules;	/* heap */
	size_t n_rules;
};

/* Parse a whole policy file: one rule a line, "permit|deny USER|:GROUP TUNNEL...",
 * '#' starts a comment, blank lines ignored, words split on spaces and tabs.
 * Every tunnel word must pass tunnel_name_valid(). Reports every problem,
 * then returns false if there was any (p is then freed). */
bool policy_parse(struct policy *p, const char *buf, size_t len, const char *fname,
		  report_fn report, void *ctx);
void policy_free(struct policy *p);

struct caller_ids {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
};

enum decision { DECIDE_ERROR = -1, DECIDE_DENY = 0, DECIDE_PERMIT = 1 };

/* Last matching rule wins, as in doas.conf; no matching rule denies.
 * Every rule's USER or GROUP is resolved with getpwnam_r/getgrnam_r (a number
 * is taken as an id); any look-up error or unknown name fails closed with
 * DECIDE_ERROR and a reason in why. *decider is the deciding rule or NULL. */
enum decision policy_decide(const struct policy *p, const struct caller_ids *who,
			    const char *tunnel, const struct rule **decider,
			    char *why, size_t whylen);

/* The id of user (or group) name through NSS: 0 with *found, or the look-up's
 * error number. A failure must refuse, never skip, a rule. */
int policy_lookup(const char *name, bool group, uint64_t *id, bool *found);

#endif
