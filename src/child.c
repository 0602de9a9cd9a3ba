/* SPDX-License-Identifier: ISC */
/* child.c - run one function in a child process, under a deadline.
 *
 * Two kinds of child: a root one, for work the caller must not interrupt
 * (building a tunnel, asking a shared daemon for figures), and one with the
 * caller's ids and an empty environment, for work that must not run as
 * root (name look-ups, whose NSS modules the host's configuration picks).
 *
 * Safety requirements (SECURITY.md rows 8, 26, 27 and 34):
 * - A root child is never, for one instruction, a process of the caller's.
 *   A child forked by a setuid program has the caller's real uid until it
 *   changes it, and the caller may SIGSTOP it at that instant and release
 *   it hours later. So every uid and gid is made root *before* the fork and
 *   the parent takes back exactly the ids it had after it.
 * - Signals are blocked across the fork: a terminal's ^Z, ^C or hangup goes
 *   to the whole foreground process group, with no permission check. The
 *   root child then leaves that group and the caller's cgroups, and takes
 *   fixed signals, limits and scheduling (detach.c); a job that may have
 *   been frozen before that can ask child_age_ms() and refuse work that
 *   has gone stale.
 * - The parent waits at most the job's deadline; when it gives up, it kills
 *   and reaps the child. Killing the parent does not stop a root child. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "child.h"
#include "detach.h"
#include "hygiene.h"
#include "log.h"
#include "timing.h"

static long long started_ms;	/* when the job was forked, CLOCK_BOOTTIME */

static long long boot_ms(void)
{
	struct timespec ts;

	/* BOOTTIME counts a suspend too: a job held across one is stale. */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

long long child_age_ms(void)
{
	return boot_ms() - started_ms;
}

/* In a child for the caller: exactly the caller's ids, no supplementary
 * groups, default signals, nothing of wgrun's environment, no descriptor
 * but the answer's (moved to 3), no core and not dumpable: once the caller
 * owns it, it may prlimit or signal it, so whatever it holds of wgrun's must
 * be gone before (the job's prepare wipes what the job gave it). */
static int become_caller(const struct child_job *job, int *out, char *why, size_t whylen)
{
	static const struct rlimit none = { 0, 0 };
	uid_t r, e, s;
	gid_t gr, ge, gs;

	errno = 0;
	if ((*out != 3 && dup2(*out, 3) < 0) || setrlimit(RLIMIT_CORE, &none) < 0)
		goto fail;
	*out = 3;
	hygiene_close_from(4);
	if (setgroups(0, NULL) < 0 || setresgid(job->gid, job->gid, job->gid) < 0 ||
	    setresuid(job->uid, job->uid, job->uid) < 0 || getresuid(&r, &e, &s) < 0 ||
	    getresgid(&gr, &ge, &gs) < 0 || r != job->uid || e != job->uid || s != job->uid ||
	    gr != job->gid || ge != job->gid || gs != job->gid ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || clearenv() != 0 || hygiene_signals() < 0)
		goto fail;
	return 0;
fail:
	snprintf(why, whylen, "cannot take the caller's ids: %s", errno ? strerror(errno) : "ids not as asked");
	return -EPERM;
}

static _Noreturn void child_main(const struct child_job *job, int out, void *buf, size_t n)
{
	int status;

	memset(buf, 0, n);
	timing_mark("c.fork");
	if (job->ids == CHILD_ROOT)
		status = detach_root(buf, n);
	else if ((status = job->prepare ? job->prepare(job->arg, buf, n) : 0) == 0)
		status = become_caller(job, &out, buf, n);
	timing_mark("c.detach");
	if (status == 0)
		status = job->fn(job->arg, buf, n);
	if (write(out, &status, sizeof(status)) != sizeof(status) || write(out, buf, n) != (ssize_t)n)
		_exit(EXIT_WGRUN);
	_exit(status < 0 ? EXIT_WGRUN : 0);
}

/* Read up to n bytes from fd until EOF or the deadline; bytes read, or -1
 * when the deadline passed first. */
static ssize_t read_until(int fd, void *buf, size_t n, long long deadline)
{
	size_t got = 0;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long long left = deadline - boot_ms();
		ssize_t r;
		int p;

		/* Past the deadline, still take what is already there: a parent
		 * the caller held must not throw away an answer that came. */
		p = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (p < 0 && errno != EINTR)
			return (ssize_t)got;
		if (p == 0 && left <= 0)
			return -1;
		if (p <= 0)
			continue;
		r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return (ssize_t)got;
		got += (size_t)r;
		if (got == n)
			return (ssize_t)got;
	}
}

static bool reaped_by(pid_t pid, long long deadline)
{
	for (;;) {
		pid_t w = waitpid(pid, NULL, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			return true;
		if (boot_ms() >= deadline)
			return false;
		usleep(1000);
	}
}

/* Reap pid by the deadline, else kill it first: never leave it behind. The
 * pid is ours until reaped (main keeps SIGCHLD at SIG_DFL, so the kernel does
 * not reap it behind our back), so kill() cannot hit a recycled pid. A child
 * that a cgroup-v1 freezer holds does not die of SIGKILL until thawed: give
 * it a second more, then leave it (it is root's and does nothing stale, see
 * child_age_ms). */
static void reap_bounded(pid_t pid, long long deadline)
{
	if (reaped_by(pid, deadline))
		return;
	(void)kill(pid, SIGKILL);
	(void)reaped_by(pid, boot_ms() + 1000);
}

/* Make every id root across the fork; 0 or -errno. */
struct saved_ids {
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
};

static int ids_to_root(struct saved_ids *s)
{
	if (getresuid(&s->ru, &s->eu, &s->su) < 0 || getresgid(&s->rg, &s->eg, &s->sg) < 0)
		return -errno;
	if (setresgid(0, 0, 0) < 0)
		return -errno;
	if (setresuid(0, 0, 0) < 0) {
		int r = -errno;
		if (setresgid(s->rg, s->eg, s->sg) < 0)
			die_errno(errno, "cannot take the caller's gids back");
		return r;
	}
	return 0;
}

static void ids_back(const struct saved_ids *s)
{
	/* gid first: changing it needs the root euid we are about to give up. */
	if (setresgid(s->rg, s->eg, s->sg) < 0 || setresuid(s->ru, s->eu, s->su) < 0)
		die_errno(errno, "cannot take the caller's ids back after starting a child");
}

int child_run(const struct child_job *job, void *out, size_t n, bool *answered)
{
	struct saved_ids ids;
	sigset_t all, old;
	long long deadline;
	int p[2], status = 0, r;
	ssize_t got;
	pid_t pid;

	*answered = false;
	if (job->ids != CHILD_ROOT && job->ids != CHILD_CALLER)
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) < 0) {
		r = -errno;
		goto fail_pipe;
	}
	if (job->ids == CHILD_ROOT && (r = ids_to_root(&ids)) < 0) {
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		goto fail_pipe;
	}
	started_ms = boot_ms();
	deadline = started_ms + job->timeout_ms;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_main(job, p[1], out, n);
	}
	r = -errno;
	if (job->ids == CHILD_ROOT)
		ids_back(&ids);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return r;
	}
	got = read_until(p[0], &status, sizeof(status), deadline);
	if (got == (ssize_t)sizeof(status))
		got = read_until(p[0], out, n, deadline) == (ssize_t)n ? 0 : -1;
	if (got == 0) {
		*answered = true;
		r = status;
	} else {
		r = boot_ms() >= deadline ? -ETIMEDOUT : -ECHILD;
		memset(out, 0, n);
		/* The deadline passed, or the child died: either way it goes. */
		(void)kill(pid, SIGKILL);
	}
	close(p[0]);
	reap_bounded(pid, deadline);
	return r;
fail_pipe:
	close(p[0]);
	close(p[1]);
	return r;
}
