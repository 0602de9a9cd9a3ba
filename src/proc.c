/* SPDX-License-Identifier: ISC */
/* proc.c - process identity by pid and start time, and who is inside a
 * network namespace.
 * A pid alone may have been reused; pid plus start time names one process. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "proc.h"

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: count fields after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* fields 3..21 skipped, 22 is starttime */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return 0;
	/* A zombie is as good as gone. */
	if (p[2] == 'Z')
		return 0;
	return start;
}

void proc_stop(pid_t pid, unsigned long long start, int timeout_ms)
{
	struct pollfd pfd;
	int fd;

	if (pid <= 1 || !start)
		return;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return;
	/* The pidfd pins the process we check now; a later reuse cannot fool us. */
	if (proc_start_time(pid) != start)
		goto out;
	/* SIGKILL at once: the daemon keeps no state worth a clean exit, and its
	 * UDP socket must not outlive the interface a moment longer than needed. */
	if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0)
		goto out;
	pfd.fd = fd;
	pfd.events = POLLIN;
	(void)poll(&pfd, 1, timeout_ms);
out:
	close(fd);
}

/* Is /proc/PID/exe the program at path? */
static bool runs(const char *pid, const char *path)
{
	char link[300], exe[256];
	ssize_t l;

	snprintf(link, sizeof(link), "/proc/%s/exe", pid);
	l = readlink(link, exe, sizeof(exe) - 1);
	if (l < 0)
		return false;
	exe[l] = '\0';
	return !strcmp(exe, path);
}

size_t proc_in_netns(unsigned long long dev, unsigned long long ino, const char *ignore,
		     char *list, size_t n)
{
	char path[300];
	size_t count = 0, shown = 0, l;
	DIR *d = opendir("/proc");
	struct dirent *e;
	struct stat st;

	if (n)
		list[0] = '\0';
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", e->d_name);
		/* A process we cannot look at counts as inside: a wrong "nobody"
		 * would let --down --idle take a tunnel away from its users. But
		 * PID 1, which some sandboxes hide even from root, is never in a
		 * tunnel: wgrun runs only in its namespaces. */
		if (stat(path, &st) < 0) {
			if (errno == ENOENT || errno == ESRCH || !strcmp(e->d_name, "1"))
				continue;
		} else if (st.st_ino != ino || st.st_dev != dev || (ignore && runs(e->d_name, ignore))) {
			continue;
		}
		count++;
		l = n ? strlen(list) : 0;
		if (shown < 20 && l + 1 < n) {
			snprintf(list + l, n - l, "%s%s", shown ? " " : "", e->d_name);
			shown++;
		}
	}
	closedir(d);
	if (count > shown && n && (l = strlen(list)) + 5 < n)
		snprintf(list + l, n - l, " ...");
	return count;
}
