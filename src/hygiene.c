/* hygiene.c - a clean process state. Nothing here trusts what the caller
 * left: descriptors, signal dispositions, the mask, limits, cwd, umask. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
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

void hygiene_leave_cgroup(void)
{
	static const char *const procs[] = {
		"/sys/fs/cgroup/cgroup.procs",		/* cgroup2 alone */
		"/sys/fs/cgroup/unified/cgroup.procs",	/* hybrid layout */
		"/sys/fs/cgroup/freezer/cgroup.procs",	/* v1 freezer */
		"/sys/fs/cgroup/pids/cgroup.procs",
	};

	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		int fd = open(procs[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* Best effort: a hierarchy that refuses us is one the caller
		 * cannot use against us either. "0" means this process. */
		(void)!write(fd, "0", 1);
		close(fd);
	}
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
