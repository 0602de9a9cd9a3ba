/* hygiene.c - a clean process state. Nothing here trusts what the caller
 * left: descriptors, signal dispositions, the mask, limits, cwd, umask. */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hygiene.h"
#include "log.h"

void hygiene_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* open() returns the lowest free descriptor: this one. */
		int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd != fd)
			_exit(EXIT_WGRUN);	/* no stderr to report on */
	}
}

void hygiene_close_from(int from)
{
	if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0)
		return;
	for (int fd = from; fd < 65536; fd++)
		close(fd);
}

int hygiene_become_root(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -errno;
	if (getresuid(&r, &e, &s) < 0 || getresgid(&gr, &ge, &gs) < 0)
		return -errno;
	if (r || e || s || gr || ge || gs)
		return -EPERM;
	return 0;
}

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

/* Move into the root of every hierarchy where /proc/self/cgroup shows us
 * elsewhere. Only those: each cgroup-v1 migration waits for an RCU grace
 * period, and the hierarchies where we already sit at the root need none. */
void hygiene_leave_cgroup(void)
{
	char buf[4096], path[300];
	ssize_t n;
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* "ID:CONTROLLERS:PATH"; an empty CONTROLLERS is cgroup2. */
		char *c = strchr(line, ':'), *p;

		if (!c || !(p = strchr(c + 1, ':')))
			continue;
		*p++ = '\0';
		c++;
		if (!strcmp(p, "/"))
			continue;
		if (!*c) {
			join_root_cgroup("/sys/fs/cgroup/cgroup.procs");
			join_root_cgroup("/sys/fs/cgroup/unified/cgroup.procs");
			continue;
		}
		if (!strncmp(c, "name=", 5))
			c += 5;
		if (strlen(c) > 64 || strchr(c, '/') || c[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/cgroup.procs", c);
		join_root_cgroup(path);
		/* A comma list ("cpu,cpuacct") may be mounted under one name. */
		for (char *s2 = NULL, *part = strtok_r(c, ",", &s2); part; part = strtok_r(NULL, ",", &s2)) {
			snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/cgroup.procs", part);
			join_root_cgroup(path);
		}
	}
}

/* Limits a root child sets whatever the caller left: values, and the least
 * it can work with when root lacks CAP_SYS_RESOURCE to raise a hard limit. */
static const struct {
	int res;
	const char *name;
	rlim_t want, least;
} child_limits[] = {
	{ RLIMIT_CPU, "RLIMIT_CPU", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_FSIZE, "RLIMIT_FSIZE", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_DATA, "RLIMIT_DATA", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_AS, "RLIMIT_AS", RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_STACK, "RLIMIT_STACK", 8 << 20, 8 << 20 },
	{ RLIMIT_CORE, "RLIMIT_CORE", 0, 0 },
	{ RLIMIT_NOFILE, "RLIMIT_NOFILE", 1024, 256 },
	{ RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", 8 << 20, 0 },
	{ RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING", 4096, 64 },
	{ RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE", 819200, 0 },
	{ RLIMIT_RTTIME, "RLIMIT_RTTIME", RLIM_INFINITY, RLIM_INFINITY },
};

int hygiene_root_child(char *why, size_t whylen)
{
	cpu_set_t all;
	struct sched_param sp = { 0 };
	int fd;

	for (size_t i = 0; i < sizeof(child_limits) / sizeof(child_limits[0]); i++) {
		struct rlimit want = { child_limits[i].want, child_limits[i].want }, cur;

		if (child_limits[i].want == RLIM_INFINITY || child_limits[i].res == RLIMIT_STACK)
			want.rlim_max = RLIM_INFINITY;
		if (setrlimit(child_limits[i].res, &want) == 0)
			continue;
		/* Without CAP_SYS_RESOURCE a lowered hard limit stays lowered:
		 * work under it only if it leaves enough, else refuse. */
		if (getrlimit(child_limits[i].res, &cur) < 0 ||
		    cur.rlim_max < child_limits[i].least) {
			snprintf(why, whylen, "the caller's %s hard limit is too low to build a tunnel under it",
				 child_limits[i].name);
			return -EPERM;
		}
		cur.rlim_cur = cur.rlim_max < child_limits[i].want ? cur.rlim_max : child_limits[i].want;
		if (setrlimit(child_limits[i].res, &cur) < 0) {
			snprintf(why, whylen, "cannot set %s: %s", child_limits[i].name, strerror(errno));
			return -errno;
		}
	}
	/* Niceness, scheduling class, CPU affinity, I/O priority and OOM score
	 * are inherited too; a caller could starve or doom the shared daemon. */
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
	hygiene_leave_cgroup();
	return 0;
}

int hygiene_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < _NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);	/* SIGKILL/SIGSTOP refuse: fine */
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL) < 0 ? -errno : 0;
}

void hygiene_daemon(void)
{
	struct rlimit core = { 0, 0 }, nofile = { 1024, 1024 };
	int fd;

	if (hygiene_signals() < 0)
		_exit(117);
	if (setrlimit(RLIMIT_CORE, &core) < 0)
		_exit(116);
	/* Raising the hard limit needs CAP_SYS_RESOURCE, which some systems
	 * withhold even from root; then keep the hard limit and cap the soft. */
	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0) {
		struct rlimit cur;
		if (getrlimit(RLIMIT_NOFILE, &cur) < 0 || cur.rlim_max < 64)
			_exit(115);
		cur.rlim_cur = cur.rlim_max < 1024 ? cur.rlim_max : 1024;
		if (setrlimit(RLIMIT_NOFILE, &cur) < 0)
			_exit(115);
	}
	if (chdir("/") < 0)
		_exit(114);
	umask(022);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(113);
	if (fd > 2)
		close(fd);
}
