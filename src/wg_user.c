/* SPDX-License-Identifier: ISC */
/* wg_user.c - the userspace backend: wireguard-go as a clean root daemon.
 *
 * Facts this code is built on, measured with Debian 12's wireguard-go
 * 0.0.20220316: it looks its TUN up by name in its own network namespace
 * and sets the MTU by name, so the TUN is made in the host namespace under a random
 * temporary name, down and without addresses, and moved and renamed into the
 * tunnel namespace with one netlink message once the daemon answers. It needs
 * a file at /var/run/wireguard/NAME.sock and exits when that disappears, so it
 * runs in its own mount namespace with a tmpfs on /run holding a placeholder;
 * its real control socket is a path socket in root-only RUNDIR, handed over as
 * WG_UAPI_FD. The daemon's every id is root, so the caller cannot signal it.
 *
 * Runs only in root children, in the host namespace: creation (netns.c) and
 * the figures of --list (admin.c). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "config.h"
#include "hygiene.h"
#include "log.h"
#include "nl.h"
#include "proc.h"
#include "rtnl.h"
#include "rundir.h"
#include "timing.h"
#include "uapi.h"
#include "wg_user.h"

#define DAEMON_ANSWER_MS 5000

static int tun_create(char name[IFNAMSIZ])
{
	struct ifreq ifr;
	uint8_t rnd[6];
	int fd;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	snprintf(name, IFNAMSIZ, "wgrun%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4]);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* This wireguard-go version expects a TUN with packet information. */
	ifr.ifr_flags = IFF_TUN;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* A path socket in RUNDIR: the daemon's control socket, made (server) or
 * connected to. The descriptor or -errno. */
static int uapi_socket(const char *path, bool server)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if (server && unlink(path) < 0 && errno != ENOENT)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (server)
		r = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0;
	else
		r = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0;
	if (r) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* In the daemon child, before exec: its own mount namespace whose /run is a
 * tmpfs holding only the placeholder it watches. Pins are detached first, so
 * this namespace never keeps a tunnel namespace alive. */
static void daemon_mounts(const char *tmpname)
{
	char path[64];
	int fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		_exit(120);
	/* Either may not be a mount point: nothing to detach then. */
	(void)umount2(WGRUN_NETNS_DIR, MNT_DETACH);
	(void)umount2(WGRUN_RUNDIR "/ns", MNT_DETACH);
	if (mount("tmpfs", "/var/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k") < 0)
		_exit(121);
	if (mkdir("/var/run/wireguard", 0700) < 0)
		_exit(122);
	snprintf(path, sizeof(path), "/var/run/wireguard/%s.sock", tmpname);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		_exit(123);
	close(fd);
}

static pid_t daemon_start(int tunfd, int uapifd, const char *tmpname)
{
	static char *const envp[] = {
		"WG_TUN_FD=3", "WG_UAPI_FD=4", "WG_PROCESS_FOREGROUND=1", "LOG_LEVEL=error",
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL
	};
	char name[IFNAMSIZ];
	pid_t pid;

	snprintf(name, sizeof(name), "%s", tmpname);
	pid = fork();
	if (pid != 0)
		return pid;
	/* Child: already all-root (the creation child is); make it a daemon. */
	if (setsid() < 0)
		_exit(119);
	hygiene_daemon();
	daemon_mounts(name);
	/* Lift both above 4 first: dup2 onto itself would keep FD_CLOEXEC, and
	 * one could sit where the other must go. */
	tunfd = fcntl(tunfd, F_DUPFD_CLOEXEC, 10);
	uapifd = fcntl(uapifd, F_DUPFD_CLOEXEC, 10);
	if (tunfd < 0 || uapifd < 0 || dup2(tunfd, 3) < 0 || dup2(uapifd, 4) < 0)
		_exit(118);
	hygiene_close_from(5);
	execve(WGRUN_WIREGUARD_GO, (char *[]){ "wireguard-go", "-f", name, NULL }, envp);
	_exit(127);
}

static int write_pending(int rundir_fd, const char *ifname, pid_t pid, unsigned long long start)
{
	char name[64], buf[128];
	int fd, n, r;

	if ((r = rundir_name(name, sizeof(name), ifname, RUN_PENDING)) < 0)
		return r;
	n = snprintf(buf, sizeof(buf), "%d %llu\n", (int)pid, start);
	(void)unlinkat(rundir_fd, name, 0);
	fd = openat(rundir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)n) != n)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

void wg_user_pending(int rundir_fd, const char *tunnel)
{
	char name[64], buf[128];
	unsigned long long start;
	int fd, pid;
	ssize_t n;

	if (rundir_name(name, sizeof(name), tunnel, RUN_PENDING) < 0)
		return;
	fd = openat(rundir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%d %llu", &pid, &start) == 2)
			proc_stop(pid, start, 1000);
	}
	(void)unlinkat(rundir_fd, name, 0);
}

bool wg_user_alive(const struct record *rec)
{
	return rec->daemon_pid > 1 && proc_start_time(rec->daemon_pid) == rec->daemon_start;
}

void wg_user_stop(const struct record *rec)
{
	proc_stop(rec->daemon_pid, rec->daemon_start, 1000);
}

/* TUN, daemon and the move, all from the namespace we stand in: the host's,
 * or that of the tunnel this one goes through (Via). */
static int create_here(const struct tunnel *t, const char *ifname, int nsfd, int rundir_fd,
		       struct record *rec, char *why, size_t whylen)
{
	char tmpname[IFNAMSIZ], sockpath[108];
	struct nl host = { 0 };
	int tunfd = -1, lfd = -1, cfd = -1, r, tmpindex;
	unsigned flags;
	pid_t pid = -1;
	unsigned long long start = 0;

	if ((r = rundir_path(sockpath, sizeof(sockpath), ifname, RUN_SOCKET)) < 0) {
		snprintf(why, whylen, "control socket path too long");
		return r;
	}
	if ((r = tunfd = tun_create(tmpname)) < 0) {
		snprintf(why, whylen, "cannot create a TUN device: %s", strerror(-r));
		goto fail;
	}
	if ((r = lfd = uapi_socket(sockpath, true)) < 0) {
		snprintf(why, whylen, "cannot create control socket %s: %s", sockpath, strerror(-r));
		goto fail;
	}
	pid = daemon_start(tunfd, lfd, tmpname);
	if (pid < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot start %s: %s", WGRUN_WIREGUARD_GO, strerror(errno));
		goto fail;
	}
	timing_mark("u.daemon-fork");
	start = proc_start_time(pid);
	/* Journal first: a creation killed from here on is undone by the next. */
	if ((r = write_pending(rundir_fd, ifname, pid, start)) < 0) {
		snprintf(why, whylen, "cannot write journal in %s: %s", WGRUN_RUNDIR, strerror(-r));
		goto fail;
	}
	close(tunfd);
	tunfd = -1;
	close(lfd);
	lfd = -1;
	cfd = uapi_socket(sockpath, false);
	if (cfd < 0 || (r = uapi_ping(cfd, DAEMON_ANSWER_MS)) < 0) {
		r = cfd < 0 ? cfd : r;
		snprintf(why, whylen, "%s did not answer on its control socket: %s",
			 WGRUN_WIREGUARD_GO, strerror(-r));
		goto fail;
	}
	timing_mark("u.daemon-answers");
	if ((r = uapi_set(cfd, t, DAEMON_ANSWER_MS)) < 0) {
		snprintf(why, whylen, "%s refused the configuration: %s", WGRUN_WIREGUARD_GO, strerror(-r));
		goto fail;
	}
	if ((r = nl_open(&host, NETLINK_ROUTE)) < 0 ||
	    (r = rtnl_link_get(&host, tmpname, &tmpindex, &flags)) < 0 ||
	    (r = rtnl_link_move(&host, tmpindex, nsfd, ifname)) < 0) {
		snprintf(why, whylen, "cannot move the tunnel interface into its namespace: %s", strerror(-r));
		goto fail;
	}
	timing_mark("u.set+move");
	nl_close(&host);
	close(cfd);
	rec->backend = BACKEND_USERSPACE;
	rec->daemon_pid = pid;
	rec->daemon_start = start;
	return 0;
fail:
	nl_close(&host);
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
	if (tunfd >= 0)
		close(tunfd);
	if (pid > 0) {
		proc_stop(pid, start ? start : proc_start_time(pid), 1000);
		(void)waitpid(pid, NULL, WNOHANG);
		wg_user_commit(rundir_fd, ifname);	/* nothing left to undo */
	}
	(void)unlink(sockpath);
	return r;
}

/* The journal has served once the record names the daemon. */
void wg_user_commit(int rundir_fd, const char *tunnel)
{
	rundir_forget(rundir_fd, tunnel, RUN_PENDING);
}

void wg_user_forget(const char *tunnel)
{
	char sock[128];

	if (rundir_path(sock, sizeof(sock), tunnel, RUN_SOCKET) == 0)
		(void)unlink(sock);
}

/* Root child only (admin.c asks through child.c): a caller who could stop
 * us while connected could pile up connections the shared daemon keeps. */
/* A connection to the daemon's control socket in RUNDIR, or -errno. */
static int connect_daemon(const char *tunnel)
{
	char sock[108];
	int r;

	if ((r = rundir_path(sock, sizeof(sock), tunnel, RUN_SOCKET)) < 0)
		return r;
	return uapi_socket(sock, false);
}

int wg_user_stats(const char *tunnel, struct wg_stats *st)
{
	int fd = connect_daemon(tunnel), r;

	if (fd < 0)
		return fd;
	r = uapi_get_stats(fd, st, 1000);
	close(fd);
	return r;
}

int wg_user_set_endpoints(const char *tunnel, const struct tunnel *t)
{
	int fd = connect_daemon(tunnel), r;

	if (fd < 0)
		return fd;
	r = uapi_set_endpoints(fd, t, DAEMON_ANSWER_MS);
	close(fd);
	return r;
}

int wg_user_create(const struct tunnel *t, const char *ifname, int nsfd, int via_nsfd,
		   int rundir_fd, struct record *rec, char *why, size_t whylen)
{
	int hostfd, r;

	if (via_nsfd < 0)
		return create_here(t, ifname, nsfd, rundir_fd, rec, why, whylen);
	/* The daemon is forked standing in OTHER's namespace, so its UDP
	 * socket is made there and its packets leave only through OTHER. */
	if ((hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0 ||
	    setns(via_nsfd, CLONE_NEWNET) < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot enter the namespace of the tunnel this one goes through: %s",
			 strerror(-r));
		if (hostfd >= 0)
			close(hostfd);
		return r;
	}
	r = create_here(t, ifname, nsfd, rundir_fd, rec, why, whylen);
	if (setns(hostfd, CLONE_NEWNET) < 0)
		_exit(EXIT_WGRUN);	/* never go on standing in the wrong place */
	close(hostfd);
	return r;
}
