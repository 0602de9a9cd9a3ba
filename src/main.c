/* SPDX-License-Identifier: ISC */
/* main.c - wgrun: run one command whose only egress is a WireGuard tunnel.
 *
 * main() reads as the security sequence: make the process state sane, check
 * where we stand and what we hold, capture the caller, parse argv, decide by
 * policy, read the tunnel, join it warm or build it cold, give the command
 * its own mounts, drop privileges once, no_new_privs, seccomp, exec.
 * There is no getenv, no locale and no helper program in the privileged part. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <syslog.h>

#include "admin.h"
#include "cfgfile.h"
#include "conf.h"
#include "config.h"
#include "hygiene.h"
#include "log.h"
#include "view.h"
#include "netns.h"
#include "ns.h"
#include "policy.h"
#include "privs.h"
#include "record.h"
#include "sessbus.h"
#include "filter.h"
#include "tunnel.h"
#include "timing.h"
#include "up.h"

static void usage(void)
{
	printf("usage: wgrun TUNNEL [--] COMMAND [ARG...]\n"
	       "       wgrun --list [-q] | --status TUNNEL\n"
	       "       wgrun --check [USER TUNNEL]          (root)\n"
	       "       wgrun --up TUNNEL | --up --all       (root)\n"
	       "       wgrun --down TUNNEL | --all | --idle (root)\n"
	       "       wgrun --help | --version\n"
	       "\n"
	       "Run COMMAND as you, in a network namespace whose only way out is the\n"
	       "WireGuard tunnel TUNNEL, as permitted by %s/policy.\n"
	       "Exit status: COMMAND's own; 125 for an error of wgrun's; 126 when COMMAND\n"
	       "cannot be run; 127 when it is not found.\n", WGRUN_CONFDIR);
}

static void caller_name(struct caller *c)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	/* NSS before any namespace or mount change (SECURITY.md row 18); log use only. */
	if (getpwuid_r(c->uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		log_field(c->name, sizeof(c->name), res->pw_name);
	else
		snprintf(c->name, sizeof(c->name), "#%u", (unsigned)c->uid);
}

static void load_policy(struct policy *p, struct conf_stamp *stamp)
{
	char why[512];
	int errors = 0, r = conf_load_policy(p, stamp, log_report, &errors, why, sizeof(why));

	if (r == -EINVAL)
		die("the policy has %d error%s; every launch is refused until it is fixed",
		    errors, errors == 1 ? "" : "s");
	if (r < 0)
		die("cannot read the policy: %s", why);
}

/* Returns the line of the permitting rule; every other outcome ends here. */
static unsigned decide(const struct policy *p, const struct caller *c, const char *tunnel,
		       const char *cmdname)
{
	struct caller_ids who = { c->uid, c->gid, c->groups, c->n_groups };
	const struct rule *rule = NULL;
	char why[512] = "";

	switch (policy_decide(p, &who, tunnel, &rule, why, sizeof(why))) {
	case DECIDE_PERMIT:
		return rule->lineno;
	case DECIDE_ERROR:
		audit("launch refused uid=%u user=%s tunnel=%s command=%s reason=policy-error (%s)",
		      (unsigned)c->uid, c->name, tunnel, cmdname, why);
		die("refused: %s", why);
	case DECIDE_DENY:
		if (rule) {
			audit("launch refused uid=%u user=%s tunnel=%s command=%s rule=%s/policy:%u",
			      (unsigned)c->uid, c->name, tunnel, cmdname, WGRUN_CONFDIR, rule->lineno);
			die("user %s may not use tunnel '%s' (%s/policy line %u)", c->name, tunnel,
			    WGRUN_CONFDIR, rule->lineno);
		}
		audit("launch refused uid=%u user=%s tunnel=%s command=%s rule=none",
		      (unsigned)c->uid, c->name, tunnel, cmdname);
		die("user %s may not use tunnel '%s' (no rule in %s/policy permits it)",
		    c->name, tunnel, WGRUN_CONFDIR);
	}
	die("internal error in the policy decision");
	return 0;
}

/* The caller can hold us for as long as it likes between any two steps
 * (SIGSTOP), so what let the launch go on must still hold right before the
 * drop (SECURITY.md row 35): the policy and the tunnel file are read
 * again, through the host's / (cfgfile_pin_root), not our /etc overlay, and
 * must be the files the decision and the join were made on; a change
 * refuses the launch (the next one decides on the new files). No NSS here:
 * we stand in the tunnel's namespaces now, where a network NSS module would
 * ask through the tunnel and masked resolvers (winbind) would fail. */
static void still_holds(const struct caller *c, const struct conf_stamp *policy,
			const struct tunnel_src *src, const char *cmdraw)
{
	char why[512] = "";
	int r;

	if ((r = conf_policy_unchanged(policy, why, sizeof(why))) < 0 ||
	    (r = conf_tunnel_unchanged(src, why, sizeof(why))) < 0) {
		audit("launch refused uid=%u user=%s tunnel=%s command=%s reason=%s",
		      (unsigned)c->uid, c->name, src->name, cmdraw,
		      r == -ESTALE ? "config-changed-during-launch" : "config-unreadable");
		die("%s; launch again", why);
	}
}

int main(int argc, char **argv)
{
	struct caller caller;
	struct policy policy = { 0 };
	struct conf_stamp policy_stamp;
	struct sigaction sigchld;
	struct tunnel tunnel;
	struct tunnel_src src;
	char why[512] = "", cmdname[64], cmdraw[100], cwd[PATH_MAX];
	unsigned rule_line;
	bool own_bus;
	const char *name;
	char **cmd;
	int r;

	/* 1. Stand on firm ground. */
	timing_mark("start");
	hygiene_std_fds();
	hygiene_close_from(3);	/* the caller's descriptors: nothing of theirs is ours */
	/* An ignored SIGCHLD survives exec: our children would be reaped behind
	 * our back, and a kill() on a timeout could hit a recycled pid. The
	 * caller's choice is given back to the command. */
	if (hygiene_sigchld_default(&sigchld) < 0)
		_exit(EXIT_WGRUN);
	log_open();
	/* PwnKit (CVE-2021-4034): never run without a real argv[0]. */
	if (argc < 1 || !argv[0] || !argv[0][0])
		die("started without argv[0]; refusing");
	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		usage();
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("wgrun %s\n", WGRUN_VERSION);
		return 0;
	}
	privs_check_start();
	if (ns_check_placement(why, sizeof(why)) < 0)
		die("%s", why);
	if (cfgfile_pin_root() < 0)
		die_errno(errno, "cannot open /");

	timing_mark("checks");
	/* 2. Capture the caller once. */
	privs_capture(&caller);
	caller_name(&caller);
	timing_mark("caller");

	/* 3. Parse argv by hand (no getopt: POSIXLY_CORRECT is the caller's). */
	if (argc < 2)
		die("no tunnel given; usage: wgrun TUNNEL [--] COMMAND [ARG...]");
	if (!strcmp(argv[1], "--check") || !strcmp(argv[1], "--list") || !strcmp(argv[1], "--status") ||
	    !strcmp(argv[1], "--down") || !strcmp(argv[1], "--up"))
		exit(admin_main(argc, argv, &caller));
	name = argv[1];
	if (!tunnel_name_valid(name)) {
		char shown[64];
		log_escape(shown, sizeof(shown), name);
		die("invalid tunnel name '%s': use 1-%d of a-z 0-9 _ -, starting with a letter or digit",
		    shown, TUNNEL_NAME_MAX);
	}
	cmd = argv + 2;
	if (*cmd && !strcmp(*cmd, "--"))
		cmd++;
	if (!*cmd)
		die("no command given; usage: wgrun TUNNEL [--] COMMAND [ARG...]");
	log_escape(cmdname, sizeof(cmdname), cmd[0]);	/* for stderr */
	log_field(cmdraw, sizeof(cmdraw), cmd[0]);	/* capped, one field in the log */

	/* The working directory is taken by its path: after the mounts the
	 * process's cwd still points into the host's /etc or /run underneath
	 * (SECURITY.md row 36), so it is entered again, as the caller, after the drop. */
	if (!getcwd(cwd, sizeof(cwd)))
		die("cannot tell the current working directory (%s); cd to one that exists",
		    strerror(errno));
	if (cwd[0] != '/')	/* old glibc: "(unreachable)/..." */
		die("the current working directory is outside the root directory; cd to one inside");

	/* 4. Decide. Nothing has been created yet. */
	load_policy(&policy, &policy_stamp);
	rule_line = decide(&policy, &caller, name, cmdraw);
	policy_free(&policy);
	timing_mark("policy");

	/* 5. Read the tunnel; join warm, or build it and join. */
	memset(&tunnel, 0, sizeof(tunnel));
	if (up_tunnel(name, &tunnel, &src, &caller, true, why, sizeof(why)) < 0)
		die("%s", why);
	timing_mark("join");

	/* 6. The command's own mounts: resolv.conf, masks, sysfs (made, or
	 * entered again when nothing they are made from has changed). */
	if ((r = view_enter(&tunnel, name, caller.uid, caller.gid, why, sizeof(why))) < 0)
		die("%s", why);
	timing_mark("mounts");

	/* 7. The decision still holds: the policy and the tunnel file as they are now. */
	still_holds(&caller, &policy_stamp, &src, cmdraw);
	own_bus = !tunnel.session_bus;
	tunnel_free(&tunnel);
	audit("launch granted uid=%u user=%s tunnel=%s command=%s rule=%s/policy:%u",
	      (unsigned)caller.uid, caller.name, name, cmdraw, WGRUN_CONFDIR, rule_line);
	closelog();
	cfgfile_unpin_root();	/* the host's unmasked /: O_CLOEXEC, and closed anyway */
	timing_mark("recheck");

	/* 8. Drop, once; then the working directory, entered as the caller in
	 * the command's own view; no_new_privs, seccomp, the PATH search. */
	privs_drop(&caller);
	if (chdir(cwd) < 0) {
		int err = errno;
		log_escape(cmdname, sizeof(cmdname), cwd);	/* the caller's text */
		die("cannot enter the working directory %s in the tunnel's view: %s", cmdname,
		    strerror(err));
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno(errno, "cannot set no_new_privs");
	if ((r = filter_install()) < 0)
		die_errno(-r, "cannot load the seccomp filter");
	timing_mark("drop");
	/* Programs inside find each other on a bus of the tunnel's own. */
	if (own_bus && (r = sessbus_ensure(caller.uid, why, sizeof(why))) < 0)
		warn("no session bus inside the tunnel: %s", why);
	/* Whatever the caller's address said (an abstract socket is another
	 * network namespace's): the tunnel's bus is at the usual place. */
	if (own_bus && r > 0 && setenv("DBUS_SESSION_BUS_ADDRESS", why, 1) < 0)
		die_errno(errno, "setenv");
	(void)sigaction(SIGCHLD, &sigchld, NULL);	/* as the caller left it */
	timing_mark("bus");
	execvp(cmd[0], cmd);
	r = errno;
	dprintf(STDERR_FILENO, "wgrun: %s: %s\n", cmdname,
		r == ENOENT ? "command not found" : strerror(r));
	_exit(r == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}
