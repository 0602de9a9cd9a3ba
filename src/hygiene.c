/* SPDX-License-Identifier: ISC */
/* hygiene.c - a clean process state. Nothing here trusts what the caller
 * left: descriptors, signal dispositions, the mask, limits, cwd, umask. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

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
	struct rlimit core = { 0, 0 };
	int fd;

	/* Every other limit is the root child's (detach.c). */
	if (hygiene_signals() < 0)
		_exit(117);
	if (setrlimit(RLIMIT_CORE, &core) < 0)
		_exit(116);
	if (chdir("/") < 0)
		_exit(114);
	umask(022);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(113);
	if (fd > 2)
		close(fd);
}

int hygiene_sigchld_default(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	return sigaction(SIGCHLD, &sa, old) < 0 ? -errno : 0;
}
