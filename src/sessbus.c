/* SPDX-License-Identifier: ISC */
/* sessbus.c - a session bus of the tunnel's own, for programs inside.
 *
 * The caller's session bus is not reachable inside (session.c): through it
 * a program outside would carry out work asked for inside (Firefox's remote
 * service, D-Bus activation). But programs inside need a bus to find each
 * other: a second Firefox hands its URL to the first over it, GTK and
 * at-spi look for one. So every tunnel and user get a dbus-daemon of their
 * own at /run/user/UID/bus in the tunnel's runtime directory, started by the
 * first launch that finds none answering, and shared by the later ones.
 *
 * Runs after the drop, as the caller, with no_new_privs and the seccomp
 * filter: nothing here is privileged, and the daemon is an ordinary process
 * of the caller's inside the tunnel (what it activates runs there too). */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "config.h"
#include "hygiene.h"
#include "rundir.h"
#include "sessbus.h"

#define BUS_START_MS 5000

/* Does a bus answer at path? Its daemon's pid in *pid (SO_PEERCRED). */
static bool bus_answers(const char *path, pid_t *pid)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, r;

	*pid = 0;
	if (strlen(path) >= sizeof(sun.sun_path))
		return false;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (r == 0 && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		*pid = cred.pid;
	close(fd);
	return r == 0;
}

/* A daemon left from before the tunnel was rebuilt lives in the old network
 * namespace: what it activates would have no way out. It is the caller's
 * own process, and ours to replace. */
static bool in_our_netns(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return pid > 0 && stat(path, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Stop the daemon at pid, if it is one: held by a pidfd first, then checked
 * to be dbus-daemon (the pid SO_PEERCRED gave may have been recycled since,
 * even to another launch of the caller's), then signalled through the pidfd. */
static void stop_daemon(pid_t pid)
{
	char exe[64], target[256];
	ssize_t n;
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pfd < 0)
		return;
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	n = readlink(exe, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		if (!strcmp(target, WGRUN_DBUS_DAEMON))
			(void)syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
	}
	close(pfd);
}

static bool bus_here(const char *path)
{
	pid_t pid;

	if (!bus_answers(path, &pid))
		return false;
	if (in_our_netns(pid))
		return true;
	if (pid > 0)
		stop_daemon(pid);
	for (int i = 0; i < 100 && bus_answers(path, &pid); i++)
		usleep(10000);
	return false;
}

/* The daemon, detached from the launch: its own session, stdio on
 * /dev/null, only the pipe it reports its address on. */
static void start_daemon(const char *path, int report)
{
	char address[160], fdarg[32];
	int null;

	if (setsid() < 0 || fork() != 0)
		_exit(0);	/* the middle child goes; the daemon is reparented */
	/* Not the launch's signal state, cwd or umask-shaped accidents. */
	if (hygiene_signals() < 0 || chdir("/") < 0)
		_exit(1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(1);
	if (dup2(report, 3) < 0)
		_exit(1);
	hygiene_close_from(4);
	snprintf(address, sizeof(address), "--address=unix:path=%s", path);
	snprintf(fdarg, sizeof(fdarg), "--print-address=3");
	execl(WGRUN_DBUS_DAEMON, "dbus-daemon", "--session", "--nofork", "--nopidfile", address,
	      fdarg, (char *)NULL);
	_exit(127);
}

int sessbus_ensure(uid_t uid, char *why, size_t whylen)
{
	char dir[64], path[96], lock[96], buf[256];
	struct pollfd pfd;
	int lfd, p[2], r = 0;
	pid_t pid;

	snprintf(dir, sizeof(dir), "/run/user/%u", (unsigned)uid);
	snprintf(path, sizeof(path), "%s/bus", dir);
	if (access(dir, W_OK) < 0)
		return 0;	/* no runtime directory here */
	if (bus_here(path))
		goto ours;
	if (access(WGRUN_DBUS_DAEMON, X_OK) < 0) {
		snprintf(why, whylen, "%s is not installed", WGRUN_DBUS_DAEMON);
		return -ENOENT;
	}
	/* One launch starts it; the others wait for it (bounded). */
	snprintf(lock, sizeof(lock), "%s/.wgrun-bus.lock", dir);
	lfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lfd < 0) {
		snprintf(why, whylen, "%s: %s", lock, strerror(errno));
		return -errno;
	}
	if (lock_bounded(lfd, 3 * BUS_START_MS) < 0) {	/* longer than the holder's work */
		close(lfd);
		snprintf(why, whylen, "another launch holds %s", lock);
		return -ETIMEDOUT;
	}
	if (bus_here(path)) {
		close(lfd);
		goto ours;
	}
	(void)unlink(path);	/* a dead daemon's socket */
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		start_daemon(path, p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		r = -errno;
		snprintf(why, whylen, "fork: %s", strerror(errno));
		close(p[0]);
		goto out;
	}
	(void)waitpid(pid, NULL, 0);	/* the middle child, gone at once */
	/* The daemon prints its address once it listens. */
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, BUS_START_MS) != 1 || read(p[0], buf, sizeof(buf)) <= 0) {
		r = -ETIMEDOUT;
		snprintf(why, whylen, "%s did not start within %d s", WGRUN_DBUS_DAEMON,
			 BUS_START_MS / 1000);
	}
	close(p[0]);
out:
	close(lfd);
	if (r < 0)
		return r;
ours:
	snprintf(why, whylen, "unix:path=%s", path);
	return 1;
}
