/* SPDX-License-Identifier: ISC */
/* runas.c - drop to a user and exec, for the VM tests (no su/sudo in the VM).
 *
 *   runas [-t] UID GID [GROUP...] -- CMD [ARG...]
 *
 * Sets the supplementary groups (none if no GROUP is given), the gid and the
 * uid (real, effective and saved), then execvp()s CMD. With -t the command
 * runs in a child whose stdout goes through a pipe: runas copies it to its
 * own stdout and, at the end, prints on stderr
 *   runas: first-output-ms=F exit-ms=E
 * measured on CLOCK_MONOTONIC from just before the fork (F is -1 when the
 * command printed nothing), and exits with the command's status (128+N for
 * a signal). Built static on the host (gcc -static) by tests/vm/run. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end) {
		fprintf(stderr, "runas: not a number: %s\n", s);
		exit(125);
	}
	return v;
}

static void drop(uid_t uid, gid_t gid, const gid_t *groups, size_t n)
{
	if (setgroups(n, groups) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		fprintf(stderr, "runas: cannot drop to %u:%u: %s\n", (unsigned)uid,
			(unsigned)gid, strerror(errno));
		_exit(125);
	}
}

int main(int argc, char **argv)
{
	gid_t groups[64];
	size_t n = 0;
	int i = 1, timing = 0, p[2], st;
	double t0, first = -1;
	char buf[4096];
	ssize_t r;
	pid_t pid;

	if (i < argc && !strcmp(argv[i], "-t")) {
		timing = 1;
		i++;
	}
	if (argc - i < 4)
		goto usage;
	uid_t uid = (uid_t)num(argv[i++]);
	gid_t gid = (gid_t)num(argv[i++]);
	while (i < argc && strcmp(argv[i], "--")) {
		if (n == sizeof(groups) / sizeof(groups[0]))
			goto usage;
		groups[n++] = (gid_t)num(argv[i++]);
	}
	if (i >= argc - 1)
		goto usage;
	i++;	/* "--" */

	if (!timing) {
		drop(uid, gid, groups, n);
		execvp(argv[i], argv + i);
		fprintf(stderr, "runas: %s: %s\n", argv[i], strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}

	if (pipe(p) < 0) {
		perror("runas: pipe");
		return 125;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("runas: fork");
		return 125;
	}
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], 1) < 0)
			_exit(125);
		close(p[1]);
		drop(uid, gid, groups, n);
		execvp(argv[i], argv + i);
		fprintf(stderr, "runas: %s: %s\n", argv[i], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(p[1]);
	while ((r = read(p[0], buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (first < 0)
			first = now_ms() - t0;
		if (write(1, buf, (size_t)r) != r)
			break;
	}
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("runas: waitpid");
			return 125;
		}
	fprintf(stderr, "runas: first-output-ms=%.1f exit-ms=%.1f\n", first, now_ms() - t0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
usage:
	fprintf(stderr, "usage: runas [-t] UID GID [GROUP...] -- CMD [ARG...]\n");
	return 125;
}
