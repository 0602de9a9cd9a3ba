/* SPDX-License-Identifier: ISC */
/* detach.c - take a freshly forked root child out of the caller's reach.
 *
 * A child that wgrun forks with every id root (child.c) still carries what
 * the caller gave its parent: the process group and session a terminal
 * signals, pending signals, dispositions and mask, niceness, scheduling
 * class, affinity, I/O priority, OOM score, timer slack, utilization clamps,
 * cgroups (which the caller may freeze or kill) and resource limits. Each is
 * reset here, in that order, and the child refuses to go on when one cannot
 * be (SECURITY.md rows 5, 8, 26 and 34). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "detach.h"
#include "hygiene.h"

static void join_root_cgroup(const char *procs)
{
	int fd = open(procs, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* Best effort: a hierarchy that refuses us is one the caller cannot
	 * use against us either. "0" means this process. */
	(void)!write(fd, "0", 1);
	close(fd);
}

/* Read /proc/self/cgroup whole (a caller can make its lines long). */
static ssize_t read_cgroups(char *buf, size_t n)
{
	size_t len = 0;
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t got = read(fd, buf + len, n - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			close(fd);
			return -errno;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len == n - 1) {
			close(fd);
			return -E2BIG;
		}
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Call fn(controllers, path) for each "ID:CONTROLLERS:PATH" line; stop at
 * the first nonzero return. An empty CONTROLLERS is cgroup2. */
static int each_cgroup(char *buf, int (*fn)(char *ctl, const char *path))
{
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c = strchr(line, ':'), *p;
		int r;

		if (!c || !(p = strchr(c + 1, ':')))
			return -EBADMSG;
		*p++ = '\0';
		if ((r = fn(c + 1, p)) != 0)
			return r;
	}
	return 0;
}

static int leave_one(char *ctl, const char *path)
{
	char file[300];

	if (!strcmp(path, "/") || !*ctl)
		return 0;	/* cgroup2 is handled up front */
	if (!strncmp(ctl, "name=", 5))
		ctl += 5;
	if (strlen(ctl) > 64 || strchr(ctl, '/') || ctl[0] == '.')
		return 0;
	snprintf(file, sizeof(file), "/sys/fs/cgroup/%s/cgroup.procs", ctl);
	join_root_cgroup(file);
	/* A comma list ("cpu,cpuacct") may be mounted under one name. */
	for (char *s2 = NULL, *part = strtok_r(ctl, ",", &s2); part; part = strtok_r(NULL, ",", &s2)) {
		snprintf(file, sizeof(file), "/sys/fs/cgroup/%s/cgroup.procs", part);
		join_root_cgroup(file);
	}
	return 0;
}

/* Where the caller could still reach us: any hierarchy with controllers, and
 * cgroup2 (freeze, kill); name= hierarchies only track. */
static int still_inside(char *ctl, const char *path)
{
	if (!strncmp(ctl, "name=", 5) || !strcmp(path, "/"))
		return 0;
	return 1;
}

/* Into the root of every hierarchy we are not at the root of, then check.
 * Each cgroup-v1 migration waits for an RCU grace period, so hierarchies
 * where we already sit at the root are left alone. */
static int leave_cgroups(char *why, size_t whylen)
{
	static char buf[1 << 16];
	ssize_t n;

	/* cgroup2, wherever mounted: always, and first. */
	join_root_cgroup("/sys/fs/cgroup/cgroup.procs");
	join_root_cgroup("/sys/fs/cgroup/unified/cgroup.procs");
	if ((n = read_cgroups(buf, sizeof(buf))) < 0 || each_cgroup(buf, leave_one) < 0 ||
	    (n = read_cgroups(buf, sizeof(buf))) < 0) {
		snprintf(why, whylen, "cannot read /proc/self/cgroup");
		return -EIO;
	}
	if (each_cgroup(buf, still_inside) != 0) {
		snprintf(why, whylen, "cannot leave the caller's cgroups (the caller could freeze the tunnel's daemon)");
		return -EPERM;
	}
	return 0;
}

/* Limits a root child (and so the shared daemon it starts) takes, whatever
 * the caller left: the kernel's own defaults where they matter, infinity
 * where it has none, and low values that any sane hard limit admits for
 * those that do not bind a root daemon. Without CAP_SYS_RESOURCE (root in
 * some containers) a hard limit the caller lowered cannot be raised again;
 * then the build is refused, naming the limit, rather than made under it. */
static const struct {
	int res;
	const char *name;
	rlim_t soft, hard;
} child_limits[] = {
	{ RLIMIT_CPU, "RLIMIT_CPU", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_FSIZE, "RLIMIT_FSIZE", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_DATA, "RLIMIT_DATA", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_STACK, "RLIMIT_STACK", 8 << 20, RLIM_INFINITY },
	{ RLIMIT_CORE, "RLIMIT_CORE", 0, 0 },
	{ RLIMIT_RSS, "RLIMIT_RSS", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_NPROC, "RLIMIT_NPROC", 1024, 1024 },	/* root is exempt anyway */
	{ RLIMIT_NOFILE, "RLIMIT_NOFILE", 1024, 4096 },
	{ RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", 64 << 10, 64 << 10 },
	{ RLIMIT_AS, "RLIMIT_AS", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_LOCKS, "RLIMIT_LOCKS", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING", 1024, 1024 },
	{ RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE", 819200, 819200 },
	{ RLIMIT_NICE, "RLIMIT_NICE", 0, 0 },
	{ RLIMIT_RTPRIO, "RLIMIT_RTPRIO", 0, 0 },
	{ RLIMIT_RTTIME, "RLIMIT_RTTIME", RLIM_INFINITY, RLIM_INFINITY },
};

static void limit_text(char *out, size_t n, rlim_t v)
{
	if (v == RLIM_INFINITY)
		snprintf(out, n, "unlimited");
	else
		snprintf(out, n, "%llu", (unsigned long long)v);
}

/* Every limit of the table, exactly; 0, or -EPERM with why naming the first
 * that cannot be had. */
static int set_child_limits(char *why, size_t whylen)
{
	for (size_t i = 0; i < sizeof(child_limits) / sizeof(child_limits[0]); i++) {
		struct rlimit want = { child_limits[i].soft, child_limits[i].hard }, cur;
		char have[32], need[32];

		if (setrlimit(child_limits[i].res, &want) == 0)
			continue;
		if (getrlimit(child_limits[i].res, &cur) < 0)
			cur.rlim_max = 0;
		limit_text(have, sizeof(have), cur.rlim_max);
		limit_text(need, sizeof(need), want.rlim_max);
		snprintf(why, whylen, "the caller's %s hard limit is too low to build a tunnel under it "
			 "(%s, the shared daemon gets %s, and root here may not raise it)",
			 child_limits[i].name, have, need);
		return -EPERM;
	}
	return 0;
}

/* Utilization clamps are inherited too; -1 restores the defaults. Kernels
 * without CONFIG_UCLAMP_TASK refuse, and then there is nothing to reset. */
static void reset_uclamp(void)
{
	struct {
		uint32_t size, policy;
		uint64_t flags;
		int32_t nice;
		uint32_t priority;
		uint64_t runtime, deadline, period;
		uint32_t util_min, util_max;
	} attr = {
		.size = sizeof(attr), .policy = SCHED_OTHER,
		.flags = 0x20 | 0x40,	/* SCHED_FLAG_UTIL_CLAMP_MIN | _MAX */
		.util_min = (uint32_t)-1, .util_max = (uint32_t)-1,
	};

	(void)syscall(SYS_sched_setattr, 0, &attr, 0);
}

/* Scheduling as a fresh root process has it: the caller must not starve
 * or doom the shared daemon through what it inherits. */
static int reset_scheduling(char *why, size_t whylen)
{
	cpu_set_t all;
	struct sched_param sp = { 0 };
	int fd;

	if (setpriority(PRIO_PROCESS, 0, 0) < 0 ||
	    sched_setscheduler(0, SCHED_OTHER, &sp) < 0) {
		snprintf(why, whylen, "cannot reset the scheduling priority: %s", strerror(errno));
		return -errno;
	}
	CPU_ZERO(&all);
	for (int c = 0; c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	if (sched_setaffinity(0, sizeof(all), &all) < 0) {
		snprintf(why, whylen, "cannot reset the CPU affinity: %s", strerror(errno));
		return -errno;
	}
	/* IOPRIO_WHO_PROCESS, class none: the default. */
	if (syscall(SYS_ioprio_set, 1, 0, 0) < 0) {
		snprintf(why, whylen, "cannot reset the I/O priority: %s", strerror(errno));
		return -errno;
	}
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		snprintf(why, whylen, "cannot reset oom_score_adj to 0: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EPERM;
	}
	close(fd);
	/* Timer slack survives fork and exec: a caller's 3 s slack would stretch
	 * every timed wait here and every timer of the daemon. */
	if (prctl(PR_SET_TIMERSLACK, 50000UL, 0, 0, 0) < 0) {
		snprintf(why, whylen, "cannot reset the timer slack: %s", strerror(errno));
		return -errno;
	}
	reset_uclamp();
	return 0;
}

/* No groups, every id root, a session of its own, nothing pending. */
static int settle_signals(char *why, size_t whylen)
{
	struct sigaction sa;
	uid_t r, e, s;
	gid_t gr, ge, gs;

	if (setgroups(0, NULL) < 0 || getresuid(&r, &e, &s) < 0 || getresgid(&gr, &ge, &gs) < 0) {
		snprintf(why, whylen, "cannot become root: %s", strerror(errno));
		return -EPERM;
	}
	if (r || e || s || gr || ge || gs) {
		snprintf(why, whylen, "cannot become root: ids are not all 0");
		return -EPERM;
	}
	if (setsid() < 0) {
		snprintf(why, whylen, "setsid: %s", strerror(errno));
		return -EPERM;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (int sig = 1; sig < _NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);	/* SIGKILL/SIGSTOP refuse: fine */
	if (hygiene_signals() < 0) {
		snprintf(why, whylen, "cannot reset signals: %s", strerror(errno));
		return -EPERM;
	}
	return 0;
}

int detach_root(char *why, size_t whylen)
{
	int r;

	if ((r = settle_signals(why, whylen)) < 0 || (r = reset_scheduling(why, whylen)) < 0)
		return r;
	/* Out of the caller's cgroups before anything slower: until then the
	 * caller could freeze us (the job checks its age, child_age_ms). */
	if ((r = leave_cgroups(why, whylen)) < 0)
		return r;
	return set_child_limits(why, whylen);
}
