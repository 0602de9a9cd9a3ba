/* SPDX-License-Identifier: ISC */
/* admin.c - the verbs that are not a launch: --check, --list, --status,
 * --down. They run with wgrun's privileges but never create anything, never
 * enter a namespace and never run a command.
 *
 * What each may tell whom: --check and --down are root's; --list and --status
 * answer any caller, about the tunnels the policy lets that caller use and no
 * others, and a tunnel the caller may not use is answered exactly like one
 * that does not exist. Nothing secret is printed: figures come from the
 * backend (backend_stats), which keeps no key. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "backend.h"
#include "cfgfile.h"
#include "child.h"
#include "conf.h"
#include "config.h"
#include "log.h"
#include "netns.h"
#include "record.h"
#include "refresh.h"
#include "rundir.h"
#include "services.h"

#define EXIT_PROBLEMS 1	/* --check found problems, or USER may not use TUNNEL */
#define MAX_TUNNELS 1024

static void count_report(void *ctx, const char *msg)
{
	int *problems = ctx;

	(*problems)++;
	printf("%s\n", msg);
}

static bool in_prefix(const struct ipaddr *a, const struct ipprefix *p)
{
	size_t full = p->plen / 8, rest = p->plen % 8;

	if (a->family != p->addr.family)
		return false;
	if (memcmp(a->bytes, p->addr.bytes, full))
		return false;
	return !rest || ((a->bytes[full] ^ p->addr.bytes[full]) & (0xff << (8 - rest))) == 0;
}

/* What --check says about a tunnel beyond its syntax. */
static void check_dns(const char *name, const struct tunnel *t, int *problems)
{
	char a[INET6_ADDRSTRLEN];

	if (!t->n_dns) {
		printf("%s/tunnels/%s.conf: no DNS=: commands get no name server at all\n", WGRUN_CONFDIR, name);
		(*problems)++;
	}
	for (size_t i = 0; i < t->n_dns; i++) {
		bool routed = false;
		for (size_t p = 0; p < t->n_peers && !routed; p++)
			for (size_t j = 0; j < t->peers[p].n_allowed && !routed; j++)
				routed = in_prefix(&t->dns[i], &t->peers[p].allowed[j]);
		if (!routed) {
			inet_ntop(t->dns[i].family, t->dns[i].bytes, a, sizeof(a));
			printf("%s/tunnels/%s.conf: DNS server %s is outside every peer's AllowedIPs: its queries have no route\n",
			       WGRUN_CONFDIR, name, a);
			(*problems)++;
		}
	}
}

/* A Via tunnel's Endpoint host names are asked of OTHER's DNS servers only:
 * without any, they cannot resolve (the launch fails closed). */
static void check_via_dns(const char *name, const struct tunnel *t, int *problems)
{
	struct tunnel other;
	struct tunnel_src src;
	char why[256];
	int errors = 0;

	if (!tunnel_has_named_endpoints(t) || conf_load_tunnel(t->via, &other, &src, count_report, &errors, why, sizeof(why)) < 0)
		return;
	if (!other.n_dns) {
		printf("%s/tunnels/%s.conf line %u: Via = %s, whose file has no DNS=: its Endpoint host names cannot be resolved\n",
		       WGRUN_CONFDIR, name, t->via_line, t->via);
		(*problems)++;
	}
	tunnel_free(&other);
}

/* Resolve every rule's user or group, as a launch would (fail closed). */
static void check_rule_names(const struct policy *p, int *problems)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];
		bool numeric = r->ident[0] && strspn(r->ident, "0123456789") == strlen(r->ident), found;
		uint64_t id;
		int err;

		if (numeric || (!(err = policy_lookup(r->ident, r->is_group, &id, &found)) && found))
			continue;
		printf("%s/policy line %u: %s %s '%s': every launch under this rule is refused\n",
		       WGRUN_CONFDIR, r->lineno, err ? "cannot look up" : "unknown",
		       r->is_group ? "group" : "user", r->ident);
		(*problems)++;
	}
}

static int check_all(void)
{
	static char names[MAX_TUNNELS][TUNNEL_NAME_MAX + 1];
	struct policy pol = { 0 };
	char why[512];
	int problems = 0, r;
	size_t n;

	r = conf_load_policy(&pol, NULL, count_report, &problems, why, sizeof(why));
	if (r < 0 && r != -EINVAL) {
		printf("%s\n", why);
		problems++;
	}
	if (r == 0)
		check_rule_names(&pol, &problems);
	if ((r = cfgfile_check_dir(WGRUN_CONFDIR "/tunnels", why, sizeof(why))) < 0) {
		printf("%s\n", why);
		problems++;
	}
	n = conf_tunnel_names(names, MAX_TUNNELS, &problems);
	for (size_t i = 0; i < n; i++) {
		struct tunnel t;
		struct tunnel_src src;

		r = conf_load_tunnel(names[i], &t, &src, count_report, &problems, why, sizeof(why));
		if (r < 0 && r != -EINVAL) {
			printf("%s\n", why);
			problems++;
		}
		if (r == 0) {
			check_dns(names[i], &t, &problems);
			if (t.via[0] && conf_check_via(names[i], &t, count_report, &problems) == 0)
				check_via_dns(names[i], &t, &problems);
			tunnel_free(&t);
		}
	}
	/* Rules naming tunnels that have no file. */
	for (size_t i = 0; i < pol.n_rules; i++) {
		for (size_t j = 0; j < pol.rules[i].n_tunnels; j++) {
			bool found = false;
			for (size_t k = 0; k < n && !found; k++)
				found = !strcmp(names[k], pol.rules[i].tunnels[j]);
			if (!found) {
				printf("%s/policy line %u: tunnel '%s' has no file %s/tunnels/%s.conf\n",
				       WGRUN_CONFDIR, pol.rules[i].lineno, pol.rules[i].tunnels[j],
				       WGRUN_CONFDIR, pol.rules[i].tunnels[j]);
				problems++;
			}
		}
	}
	policy_free(&pol);
	if (problems) {
		printf("%d problem%s found\n", problems, problems == 1 ? "" : "s");
		return EXIT_PROBLEMS;
	}
	printf("%s/policy and %zu tunnel file%s: no problems\n", WGRUN_CONFDIR, n, n == 1 ? "" : "s");
	return 0;
}

static int check_user(const char *user, const char *tunnel)
{
	char buf[16384], why[512];
	struct passwd pw, *res = NULL;
	struct policy pol = { 0 };
	const struct rule *rule = NULL;
	gid_t groups[1024];
	int ng = 1024, errors = 0, r;

	if (!tunnel_name_valid(tunnel))
		die("invalid tunnel name");
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		die("unknown user '%.64s'", user);
	if (getgrouplist(user, pw.pw_gid, groups, &ng) < 0)
		die("user '%.64s' has more than 1024 groups", user);
	r = conf_load_policy(&pol, NULL, count_report, &errors, why, sizeof(why));
	if (r == -EINVAL)
		die("the policy has %d error%s", errors, errors == 1 ? "" : "s");
	if (r < 0)
		die("cannot read the policy: %s", why);
	struct caller_ids who = { pw.pw_uid, pw.pw_gid, groups, (size_t)ng };
	switch (policy_decide(&pol, &who, tunnel, &rule, why, sizeof(why))) {
	case DECIDE_PERMIT:
		printf("permit: %s may use tunnel '%s' (%s/policy line %u)\n", user, tunnel,
		       WGRUN_CONFDIR, rule->lineno);
		r = 0;
		break;
	case DECIDE_DENY:
		if (rule)
			printf("deny: %s may not use tunnel '%s' (%s/policy line %u)\n", user, tunnel,
			       WGRUN_CONFDIR, rule->lineno);
		else
			printf("deny: %s may not use tunnel '%s' (no rule matches)\n", user, tunnel);
		r = EXIT_PROBLEMS;
		break;
	default:
		printf("refused: %s\n", why);
		r = EXIT_PROBLEMS;
	}
	policy_free(&pol);
	return r;
}

/* Up means: recorded, backend alive, pinned namespace the recorded one. */
static bool tunnel_up(int rundir_fd, const char *name, struct record *rec)
{
	return rundir_fd >= 0 && record_read(rundir_fd, name, rec) == 0 && backend_alive(rec) &&
	       netns_pinned(name, rec);
}

static void print_header(void)
{
	printf("%-15s  %-5s  %-9s  %-26s  %-22s  %12s  %12s  %s\n", "TUNNEL", "STATE", "BACKEND",
	       "LAST-HANDSHAKE", "EMPTY-FOR", "RECEIVED", "SENT", "VIA");
}

/* A span of seconds as wg show words one: the two largest units, such as
 * "1 hour, 5 minutes" or "42 seconds". */
static void span_words(char *out, size_t n, long long s)
{
	static const struct { const char *unit; long long secs; } units[] = {
		{ "day", 86400 }, { "hour", 3600 }, { "minute", 60 }, { "second", 1 },
	};
	size_t len = 0, shown = 0;

	out[0] = '\0';
	for (size_t i = 0; i < 4 && shown < 2 && len < n; i++) {
		long long v = s / units[i].secs;

		s %= units[i].secs;
		if (!v && !(i == 3 && !shown))
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s%lld %s%s", shown ? ", " : "", v,
					units[i].unit, v == 1 ? "" : "s");
		shown++;
	}
}

/* The tunnels rec's packets go through (Via), nearest first: "outer" or
 * "mid>outer"; "-" for none. Found by the namespace each socket was made in. */
static void via_chain(int rundir_fd, const struct record *rec, char *out, size_t n)
{
	char name[TUNNEL_NAME_MAX + 1];
	struct record cur = *rec, other;
	size_t len = 0;

	snprintf(out, n, "-");
	for (int depth = 0; cur.via_ino && depth < VIA_MAX; depth++) {
		struct dirent *e;
		DIR *d = opendir(WGRUN_RUNDIR);
		bool found = false;

		while (d && !found && (e = readdir(d)))
			found = rundir_record_of(e->d_name, name) && record_read(rundir_fd, name, &other) == 0 &&
				record_carries(&other, &cur);
		if (d)
			closedir(d);
		if (!found) {
			snprintf(out + len, n - len, "%s(gone)", len ? ">" : "");
			return;
		}
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ">" : "", name);
		if (len >= n)
			return;
		cur = other;
	}
}

static void print_tunnel(int rundir_fd, const char *name)
{
	struct record rec;
	struct wg_stats st;
	char when[40] = "never", empty[32] = "-", via[(TUNNEL_NAME_MAX + 1) * VIA_MAX + 8];
	long long idle;

	if (!tunnel_up(rundir_fd, name, &rec)) {
		printf("%-15s  %-5s  %-9s  %-26s  %-22s  %12s  %12s  %s\n", name, "down", "-", "-", "-", "-",
		       "-", "-");
		return;
	}
	refresh_stats(name, &rec, &st);
	if (st.last_handshake > 0) {
		long long age = (long long)time(NULL) - st.last_handshake;
		/* As wg show: "Now" within the second, else "N units ago". */
		if (age <= 0) {
			snprintf(when, sizeof(when), "Now");
		} else {
			span_words(when, sizeof(when) - 4, age);
			strcat(when, " ago");
		}
	}
	if ((idle = services_idle_for(rundir_fd, name, &rec)) >= 0)
		span_words(empty, sizeof(empty), idle);
	via_chain(rundir_fd, &rec, via, sizeof(via));
	printf("%-15s  %-5s  %-9s  %-26s  %-22s  %12llu  %12llu  %s\n", name, "up", backend_name(rec.backend),
	       when, empty, st.rx, st.tx, via);
}

/* --status: when the Endpoint host names were last resolved, if the
 * tunnel has any and is up. */
static void print_resolved(int rundir_fd, const char *name)
{
	struct record rec;
	long long when = rundir_fd >= 0 ? refresh_last(rundir_fd, name) : -1;
	char ago[40];

	if (when <= 0 || !tunnel_up(rundir_fd, name, &rec))
		return;
	if (time(NULL) - when <= 0) {
		snprintf(ago, sizeof(ago), "Now");
	} else {
		span_words(ago, sizeof(ago) - 4, time(NULL) - when);
		strcat(ago, " ago");
	}
	printf("%s: Endpoint host names resolved %s\n", name, ago);
}

static bool may_use(const struct policy *p, const struct caller *c, const char *tunnel)
{
	struct caller_ids who = { c->uid, c->gid, c->groups, c->n_groups };
	const struct rule *rule;
	char why[512];

	return policy_decide(p, &who, tunnel, &rule, why, sizeof(why)) == DECIDE_PERMIT;
}

static int list(const struct caller *c, const char *only, bool quiet)
{
	static char names[MAX_TUNNELS][TUNNEL_NAME_MAX + 1];
	struct policy pol = { 0 };
	char why[512];
	int errors = 0, rundir_fd, r;
	size_t n, shown = 0;

	r = conf_load_policy(&pol, NULL, count_report, &errors, why, sizeof(why));
	if (r == -EINVAL)
		die("the policy has errors");
	if (r < 0)
		die("cannot read the policy: %s", why);
	/* Decide before looking for the file, as a launch does: whether the
	 * file exists must not change what an unpermitted caller sees. */
	if (only && !may_use(&pol, c, only))
		die("no tunnel '%s' that you may use", only);
	n = conf_tunnel_names(names, MAX_TUNNELS, NULL);
	rundir_fd = open(WGRUN_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	for (size_t i = 0; i < n; i++) {
		if ((only && strcmp(names[i], only)) || !may_use(&pol, c, names[i]))
			continue;
		if (quiet) {
			printf("%s\n", names[i]);
		} else {
			if (!shown)
				print_header();
			print_tunnel(rundir_fd, names[i]);
			if (only)
				print_resolved(rundir_fd, names[i]);
		}
		shown++;
	}
	if (rundir_fd >= 0)
		close(rundir_fd);
	policy_free(&pol);
	/* Not permitted and not existing read the same. */
	if (only && !shown)
		die("no tunnel '%s' that you may use", only);
	return 0;
}

/* --down TUNNEL: a tunnel that is not up is said so, and is not an error. */
static int down_one(const struct caller *c, const char *name)
{
	char why[512] = "";
	int r = netns_down(name, NULL, NULL, why, sizeof(why));

	if (r == -ENOENT) {
		fprintf(stderr, "wgrun: %s\n", why);
		return 0;
	}
	if (r < 0)
		die("cannot take tunnel '%s' down: %s", name, why);
	audit("down tunnel=%s by=%s", name, c->name);
	return 0;
}

static int down_all(const struct caller *c)
{
	char why[512], name[TUNNEL_NAME_MAX + 1];
	struct dirent *e;
	int failed = 0;
	DIR *d = opendir(WGRUN_RUNDIR);

	if (!d)
		return 0;	/* nothing was ever up */
	while ((e = readdir(d))) {
		if (!rundir_record_of(e->d_name, name))
			continue;
		int r = netns_down(name, NULL, NULL, why, sizeof(why));
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			warn("cannot take tunnel '%s' down: %s", name, why);
			failed = 1;
		} else {
			audit("down tunnel=%s by=%s", name, c->name);
			printf("%s: down\n", name);
		}
	}
	closedir(d);
	return failed ? EXIT_WGRUN : 0;
}

static int down(int argc, char **argv, const struct caller *c)
{
	bool all = argc == 3 && !strcmp(argv[2], "--all"), idle = argc == 3 && !strcmp(argv[2], "--idle");

	if (!all && !idle && (argc != 3 || !tunnel_name_valid(argv[2])))
		die("usage: wgrun --down TUNNEL | --down --all | --down --idle (a valid tunnel name)");
	if (c->uid != 0)
		die("--down is for root only");
	if (idle)
		return services_down_idle(c);
	return all ? down_all(c) : down_one(c, argv[2]);
}

int admin_main(int argc, char **argv, const struct caller *c)
{
	const char *verb = argv[1];

	if (!strcmp(verb, "--check")) {
		if (c->uid != 0)
			die("--check is for root only");
		if (argc == 2)
			return check_all();
		if (argc == 4)
			return check_user(argv[2], argv[3]);
		die("usage: wgrun --check [USER TUNNEL]");
	}
	if (!strcmp(verb, "--list")) {
		if (argc == 2 || (argc == 3 && !strcmp(argv[2], "-q")))
			return list(c, NULL, argc == 3);
		die("usage: wgrun --list [-q]");
	}
	if (!strcmp(verb, "--status")) {
		if (argc != 3 || !tunnel_name_valid(argv[2]))
			die("usage: wgrun --status TUNNEL (a valid tunnel name)");
		return list(c, argv[2], false);
	}
	if (!strcmp(verb, "--down"))
		return down(argc, argv, c);
	if (!strcmp(verb, "--up"))
		return services_up(argc, argv, c);
	{
		char shown[64];
		log_escape(shown, sizeof(shown), verb);
		die("unknown option '%s'; see wgrun --help", shown);
	}
}
