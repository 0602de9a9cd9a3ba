/* SPDX-License-Identifier: ISC */
/* rundir.c - RUNDIR, root's directory of tunnel state: its names, its locks.
 *
 * RUNDIR (root-owned, 0700) is where no user can read, plant or swap a
 * file: records, locks, the userspace daemon's journal and socket, and the
 * authoritative namespace pins all live in it, and every name in it is made
 * here. The directories holding pins are shared mounts (as `ip netns` makes
 * them), so that an unpin propagates into every mount namespace copied from
 * the host; otherwise such a copy would keep a namespace alive. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lex.h"
#include "rundir.h"

#define LOCK_TIMEOUT_MS (WGRUN_CREATE_TIMEOUT_MS / 2)

int rundir_name(char *out, size_t n, const char *tunnel, enum run_file f)
{
	static const struct { const char *before, *after; } form[] = {
		[RUN_RECORD] = { "", ".state" }, [RUN_RECORD_TMP] = { "", ".state.tmp" },
		[RUN_LOCK] = { "", ".lock" }, [RUN_PENDING] = { "", ".pending" },
		[RUN_SOCKET] = { "", ".sock" }, [RUN_IDLE] = { "", ".idle" },
		[RUN_RESOLVED] = { "", ".resolved" }, [RUN_NFTGEN] = { "", ".nftgen" },
		[RUN_PIN] = { "ns/", "" },
	};
	int r;

	if (f == RUN_ALIAS)
		return -EINVAL;
	r = snprintf(out, n, "%s%s%s", form[f].before, tunnel, form[f].after);
	return r < 0 || (size_t)r >= n ? -ENAMETOOLONG : 0;
}

void rundir_forget(int rundir_fd, const char *tunnel, enum run_file f)
{
	char name[64];

	if (rundir_name(name, sizeof(name), tunnel, f) == 0)
		(void)unlinkat(rundir_fd, name, 0);
}

void rundir_stamp_write(int rundir_fd, const char *tunnel, enum run_file f, long long value,
			long long second)
{
	char file[64], tmp[96], buf[48];
	int fd, len = snprintf(buf, sizeof(buf), "%lld %lld\n", value, second);
	bool ok;

	if (rundir_name(file, sizeof(file), tunnel, f) < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", file, (int)getpid());
	(void)unlinkat(rundir_fd, tmp, 0);
	fd = openat(rundir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ok = write(fd, buf, (size_t)len) == len;
	if (close(fd) < 0 || !ok || renameat(rundir_fd, tmp, rundir_fd, file) < 0)
		(void)unlinkat(rundir_fd, tmp, 0);
}

long long rundir_stamp_read(int rundir_fd, const char *tunnel, enum run_file f, long long *second)
{
	char file[64], buf[48];
	long long v, w = -1;
	struct stat st;
	ssize_t n;
	int fd;

	if (rundir_name(file, sizeof(file), tunnel, f) < 0 ||
	    (fd = openat(rundir_fd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0)
		return -1;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lld %lld", &v, &w) < 1 || v < 0)
		return -1;
	if (second)
		*second = w;
	return v;
}

int rundir_path(char *out, size_t n, const char *tunnel, enum run_file f)
{
	char rel[64];
	int r;

	if (f == RUN_ALIAS)
		r = snprintf(out, n, "%s/wgrun-%s", WGRUN_NETNS_DIR, tunnel);
	else if ((r = rundir_name(rel, sizeof(rel), tunnel, f)) == 0)
		r = snprintf(out, n, "%s/%s", WGRUN_RUNDIR, rel);
	else
		return r;
	return r < 0 || (size_t)r >= n ? -ENAMETOOLONG : 0;
}

bool rundir_record_of(const char *entry, char *tunnel)
{
	size_t l = strlen(entry);

	if (l <= 6 || l - 6 > TUNNEL_NAME_MAX || strcmp(entry + l - 6, ".state"))
		return false;
	memcpy(tunnel, entry, l - 6);
	tunnel[l - 6] = '\0';
	return tunnel_name_valid(tunnel);
}

void rundir_session_name(char *out, size_t n, const char *tunnel, uid_t uid, const char *suffix)
{
	snprintf(out, n, "%s.%u%s", tunnel, (unsigned)uid, suffix);
}

int rundir_open_private(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int rundir_open(void)
{
	return rundir_open_private(WGRUN_RUNDIR);
}

void rundir_each_of(const char *dir, const char *tunnel, void (*fn)(const char *path))
{
	char path[512];
	size_t n = strlen(tunnel);
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, tunnel, n) || e->d_name[n] != '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		fn(path);
	}
	closedir(d);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int lock_bounded(int fd, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return -errno;
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(5000);
	}
	return 0;
}

/* Make path a shared mount point, as `ip netns` does for /run/netns. */
static int make_shared(const char *path)
{
	if (mount("", path, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	if (mount(path, path, "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("", path, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

static int mkdir_root(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0) {
		/* Our umask is 077; /run/netns must stay listable by users. */
		if (chmod(path, mode) < 0)
			return -errno;
	} else if (errno != EEXIST) {
		return -errno;
	}
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return -EPERM;
	return 0;
}

int rundir_prepare(char *why, size_t whylen)
{
	int fd, r;

	if ((r = mkdir_root(WGRUN_RUNDIR, 0700)) < 0 ||
	    (r = mkdir_root(WGRUN_RUNDIR "/ns", 0700)) < 0) {
		snprintf(why, whylen, "cannot prepare %s: %s", WGRUN_RUNDIR, strerror(-r));
		return r;
	}
	if ((r = mkdir_root(WGRUN_NETNS_DIR, 0755)) < 0) {
		snprintf(why, whylen, "cannot prepare %s: %s", WGRUN_NETNS_DIR, strerror(-r));
		return r;
	}
	fd = rundir_open();
	if (fd < 0) {
		snprintf(why, whylen, "%s: not a root-owned 0700 directory", WGRUN_RUNDIR);
		return fd;
	}
	/* Creators of different tunnels would otherwise race here and stack
	 * two bind mounts; the lock on RUNDIR itself is held only for this. */
	if ((r = lock_bounded(fd, LOCK_TIMEOUT_MS)) < 0) {
		close(fd);
		snprintf(why, whylen, "cannot lock %s within %d s: %s", WGRUN_RUNDIR,
			 LOCK_TIMEOUT_MS / 1000, strerror(-r));
		return r;
	}
	if ((r = make_shared(WGRUN_RUNDIR "/ns")) < 0 || (r = make_shared(WGRUN_NETNS_DIR)) < 0) {
		snprintf(why, whylen, "cannot make the namespace pin directories shared mounts: %s",
			 strerror(-r));
		close(fd);
		return r;
	}
	(void)flock(fd, LOCK_UN);	/* closing would release it as well */
	return fd;
}

int rundir_lock(int rundir_fd, const char *tunnel, char *why, size_t whylen)
{
	char lname[64];
	int fd, r;

	if ((r = rundir_name(lname, sizeof(lname), tunnel, RUN_LOCK)) < 0)
		return r;
	fd = openat(rundir_fd, lname, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot open lock %s/%s: %s", WGRUN_RUNDIR, lname, strerror(-r));
		return r;
	}
	if (lock_bounded(fd, LOCK_TIMEOUT_MS) < 0) {
		snprintf(why, whylen, "tunnel '%s' is locked by another launch for more than %d s",
			 tunnel, LOCK_TIMEOUT_MS / 1000);
		close(fd);
		return -ETIMEDOUT;
	}
	return fd;
}
