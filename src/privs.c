/* SPDX-License-Identifier: ISC */
/* privs.c - the caller's identity, captured once, and the one privilege drop.
 *
 * Safety requirements:
 * - The caller's ids and groups are read once, here, at start (getgroups, not
 *   initgroups: no NSS, and exactly the groups the caller had), and kept in
 *   variables; nothing later asks geteuid() what we are.
 * - The drop runs in the known-good order: supplementary groups, gid, then the
 *   bounding set and ambient set while CAP_SETPCAP is still held, then uid,
 *   then the capability sets emptied. Every call is checked; any failure ends
 *   the launch with 125 (fail closed).
 * - CAP_NET_RAW stays in the bounding set only: with an empty bounding set
 *   the kernel refuses to exec programs carrying file capabilities (ping),
 *   and no_new_privs, set after this, keeps them from gaining anything.
 * - Then it is proven: setuid(0) must fail and every set must be empty. */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "caps.h"
#include "log.h"
#include "privs.h"

static const int needed_caps[] = {
	CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SETUID, CAP_SETGID, CAP_SETPCAP, CAP_KILL,
	CAP_DAC_OVERRIDE, CAP_NET_RAW,
};

void privs_check_start(void)
{
	struct caps have;
	int sb;

	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
		die("started with no_new_privs set, so the setuid bit had no effect; run wgrun outside such a sandbox");
	if (geteuid() != 0)
		die("not running as root: wgrun must be installed setuid root (chmod 4755, owner root)");
	sb = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (sb != 0)
		die("started with securebits 0x%x set; wgrun needs plain root", (unsigned)sb);
	if (caps_get(&have) < 0)
		die("cannot read our capabilities");
	for (size_t i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]); i++) {
		uint64_t bit = CAP_BIT(needed_caps[i]);

		if (!(have.permitted & bit) || !(have.effective & bit) || !caps_bounding(needed_caps[i]))
			die("started without capability %s (reduced bounding set?); wgrun needs it",
			    caps_name(needed_caps[i]));
	}
}

void privs_capture(struct caller *c)
{
	struct rlimit nofile;
	uid_t e, s;
	gid_t ge, gs;
	int n;

	memset(c, 0, sizeof(*c));
	if (getresuid(&c->uid, &e, &s) < 0 || getresgid(&c->gid, &ge, &gs) < 0)
		die_errno(errno, "cannot read our ids");
	n = getgroups(0, NULL);
	if (n < 0 || n > PRIVS_MAX_GROUPS)
		die("cannot read the caller's groups");
	c->groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!c->groups)
		die("out of memory");
	n = getgroups(n, c->groups);
	if (n < 0)
		die_errno(errno, "cannot read the caller's groups");
	c->n_groups = (size_t)n;
	c->umask = umask(077);
	if (getrlimit(RLIMIT_NOFILE, &c->nofile) < 0 || getrlimit(RLIMIT_CORE, &c->core) < 0 ||
	    getrlimit(RLIMIT_FSIZE, &c->fsize) < 0 || getrlimit(RLIMIT_NPROC, &c->nproc) < 0)
		die_errno(errno, "getrlimit");
	/* No core dump may hold a key. Only the soft limit: lowering the hard
	 * one could not be undone for the command without CAP_SYS_RESOURCE. */
	struct rlimit core = { 0, c->core.rlim_max };
	if (setrlimit(RLIMIT_CORE, &core) < 0)
		die_errno(errno, "cannot set RLIMIT_CORE");
	/* Enough descriptors for our own few. */
	nofile = c->nofile;
	if (nofile.rlim_cur < 64) {
		if (nofile.rlim_max < 64)
			die("RLIMIT_NOFILE hard limit %llu is too low; wgrun needs 64",
			    (unsigned long long)nofile.rlim_max);
		nofile.rlim_cur = 64;
		if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
			die_errno(errno, "cannot raise RLIMIT_NOFILE");
	}
}

static void restore_limits(const struct caller *c)
{
	if (setrlimit(RLIMIT_NOFILE, &c->nofile) < 0 || setrlimit(RLIMIT_CORE, &c->core) < 0 ||
	    setrlimit(RLIMIT_FSIZE, &c->fsize) < 0 || setrlimit(RLIMIT_NPROC, &c->nproc) < 0)
		die_errno(errno, "cannot restore the caller's resource limits");
	umask(c->umask);
}

void privs_drop(const struct caller *c)
{
	uid_t ru, e, s;
	gid_t gr, ge, gs;
	int r;

	restore_limits(c);
	if (setgroups(c->n_groups, c->groups) < 0)
		die_errno(errno, "setgroups");
	if (setresgid(c->gid, c->gid, c->gid) < 0)
		die_errno(errno, "setresgid");
	/* Bounding and ambient sets need CAP_SETPCAP: before the uid changes. */
	for (int cap = 0; cap <= 63; cap++) {
		if (cap == CAP_NET_RAW)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			die_errno(errno, "cannot drop capability %d from the bounding set", cap);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		die_errno(errno, "cannot clear the ambient capability set");
	if (setresuid(c->uid, c->uid, c->uid) < 0)
		die_errno(errno, "setresuid");
	/* A root caller keeps uid 0: empty its sets explicitly too. */
	if (caps_set(&(struct caps){ 0, 0, 0 }) < 0)
		die("cannot clear the capability sets");

	/* Prove it. */
	if (getresuid(&ru, &e, &s) < 0 || getresgid(&gr, &ge, &gs) < 0 ||
	    ru != c->uid || e != c->uid || s != c->uid ||
	    gr != c->gid || ge != c->gid || gs != c->gid)
		die("privilege drop did not take: ids are not the caller's");
	if (c->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		die("privilege drop did not take: uid 0 could be regained");
	if ((r = privs_verify_dropped()) < 0)
		die("privilege drop did not take: %s",
		    r == -EPERM ? "capabilities remain" : "the capability sets cannot be read");
}

/* Read with system calls that need no descriptor (a library reading
 * /proc/PID/status fails under a caller's RLIMIT_NOFILE of 3, and an
 * unchecked failure there would leave a cleared state to "prove" the drop). */
int privs_verify_dropped(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int cap, r;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective || data[i].permitted || data[i].inheritable)
			return -EPERM;
	/* Bounding set: CAP_NET_RAW only (see the top of this file). Ambient:
	 * empty. EINVAL marks the first capability this kernel does not know. */
	for (cap = 0; cap <= 63; cap++) {
		r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0 && errno == EINVAL && cap > CAP_NET_RAW)
			break;
		if (r < 0)
			return -errno;
		if (r > 0 && cap != CAP_NET_RAW)
			return -EPERM;
		r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
		if (r < 0)
			return -errno;
		if (r > 0)
			return -EPERM;
	}
	return 0;
}
