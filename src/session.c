/* SPDX-License-Identifier: ISC */
/* session.c - the command's desktop session stays on its side of the tunnel.
 *
 * Programs hand work to a running instance of themselves through rendezvous
 * points in /tmp and in the runtime directory /run/user/UID: Chromium's
 * SingletonSocket (/tmp/.com.google.Chrome.*), tmux's server socket
 * (/tmp/tmux-UID), the session D-Bus (/run/user/UID/bus: Firefox's remote
 * service, D-Bus activation), systemd's user manager (/run/user/UID/systemd).
 * A program outside the tunnel that picks such work up carries it out over
 * the host's network. So the command gets a /tmp and a runtime directory of
 * the tunnel's and the user's own, kept in RUNDIR/session/NAME.UID and shared
 * by every launch of that user through that tunnel (programs inside still
 * find each other), with only what a desktop program needs bound back from
 * the host: the X11 sockets and the caller's X authority files in /tmp; the
 * Wayland, PulseAudio and PipeWire sockets, gdm's X authority and dconf's
 * flag file in the runtime directory. The session bus is bound back only
 * when the tunnel file says SessionBus = yes, and the host's /tmp is kept
 * only with SharedTmp = yes.
 *
 * Safety: RUNDIR is root's (0700), so nobody can plant anything on the way to
 * the session directories; but their contents are the user's (processes of
 * earlier launches can write there), so every mount point inside them is
 * opened O_NOFOLLOW relative to a held directory descriptor, checked to be
 * ours (root-owned, of the right type), and mounted on through that
 * descriptor: a symbolic link swapped in cannot redirect a mount. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "rundir.h"
#include "session.h"
#include "view.h"

#define SESSION_DIR RUNDIR_SESSION
#define MAX_ENTRIES 4096

/* Entries of the caller's runtime directory a desktop program needs and
 * that hand no work to a program outside. A trailing '*' matches a prefix. */
static const char *const runtime_keep[] = {
	"wayland-*", "pulse", "pipewire-*", "gdm", "dconf",
};

static bool name_matches(const char *name, const char *pattern)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '*')
		return !strncmp(name, pattern, n - 1);
	return !strcmp(name, pattern);
}

/* mkdir at dfd, or accept an existing one that is ours; an O_PATH fd of it. */
static int dir_at(int dfd, const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;
	int fd;

	if (mkdirat(dfd, name, mode) == 0) {
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		/* Our umask is 022 here: set what we mean, then the owner. */
		if (fchmod(fd, mode) < 0 || fchown(fd, uid, gid) < 0) {
			int r = -errno;
			close(fd);
			return r;
		}
		return fd;
	}
	if (errno != EEXIST)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != uid || (st.st_mode & 07777) != mode) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* A mount point named name in the user-writable directory dfd, made by root
 * and of the type of what goes on it; an O_PATH fd to mount through. */
static int mount_point_at(int dfd, const char *name, bool dir)
{
	/* Sticky and open like the host's, so that an X server inside can make
	 * its socket there when the host has none to bind. */
	mode_t mode = strcmp(name, ".X11-unix") ? 0755 : 01777;
	struct stat st;
	int fd;

	if (dir) {
		if (mkdirat(dfd, name, mode) == 0)
			(void)!fchmodat(dfd, name, mode, 0);	/* past our umask; else 0755 */
	} else if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) >= 0) {
		close(fd);
	}
	fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
		close(fd);
		return -EPERM;	/* not ours: the user's, or swapped */
	}
	return fd;
}

/* Bind hostdir/name (a directory, socket or file) onto dfd/name. Both ends
 * are held by descriptor: the caller owns /run/user/UID and may swap an
 * entry for a symbolic link between our look and our mount, which would
 * otherwise make root bind any path it names (a world-readable directory
 * below one only root may enter, say) into the command's view. */
static int bind_into(int hostdir, const char *shown, const char *name, int dfd,
		     bool (*keep)(const char *, const struct stat *, uid_t), uid_t uid,
		     char *why, size_t whylen)
{
	char source[64], target[64];
	struct stat st;
	int src, fd, r = 0;

	src = openat(hostdir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return 0;	/* gone meanwhile */
	if (fstat(src, &st) < 0 || S_ISLNK(st.st_mode) || !keep(name, &st, uid)) {
		close(src);
		return 0;	/* a link, or not what we keep: nothing to bind */
	}
	fd = mount_point_at(dfd, name, S_ISDIR(st.st_mode));
	/* A program inside made its own of that name (say pulse/, while the
	 * host had none): theirs stays, the host's is not bound. */
	if (fd == -EPERM) {
		close(src);
		return 0;
	}
	if (fd < 0) {
		snprintf(why, whylen, "cannot make the mount point for %s/%s in the tunnel's session: %s",
			 shown, name, strerror(-fd));
		close(src);
		return fd;
	}
	snprintf(source, sizeof(source), "/proc/self/fd/%d", src);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot bind %s/%s into the tunnel's session: %s", shown, name,
			 strerror(-r));
	}
	close(fd);
	close(src);
	return r;
}

/* Bind every entry of host directory `host` that keep() admits into dfd. */
static int bind_matching(const char *host, int dfd, bool (*keep)(const char *, const struct stat *, uid_t),
			 uid_t uid, char *why, size_t whylen)
{
	struct dirent *e;
	int r = 0, hfd;
	DIR *d;

	/* The parents (/, /tmp's, /run/user) are root's; the last is opened
	 * without following a link. */
	hfd = open(host, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (hfd < 0)
		return 0;
	d = fdopendir(hfd);
	if (!d) {
		close(hfd);
		return 0;
	}
	/* Names first: root opens nothing else of a directory any user fills
	 * (a FUSE mount there could block an fstat), and reads at most
	 * MAX_ENTRIES of it. */
	for (size_t count = 0; r == 0 && (e = readdir(d)) && count < MAX_ENTRIES; count++) {
		if (!keep(e->d_name, NULL, uid))
			continue;
		r = bind_into(dirfd(d), host, e->d_name, dfd, keep, uid, why, whylen);
	}
	closedir(d);
	return r;
}

/* /tmp: the X11 sockets, and X authority files the caller owns (sddm and
 * startx keep them there). */
/* With st NULL: by name alone, before anything is opened. The X socket
 * directory must be root's and sticky, as xtrans requires: on a host
 * without X, another user could have made one. */
static bool keep_tmp(const char *name, const struct stat *st, uid_t uid)
{
	if (!strcmp(name, ".X11-unix"))
		return !st || (S_ISDIR(st->st_mode) && st->st_uid == 0 && (st->st_mode & S_ISVTX));
	if (strncmp(name, "xauth", 5) && strncmp(name, ".xauth", 6))
		return false;
	return !st || (S_ISREG(st->st_mode) && st->st_uid == uid);
}

static bool keep_session_bus;	/* SessionBus = yes */

static bool keep_runtime(const char *name, const struct stat *st, uid_t uid)
{
	(void)st;	/* the caller's own directory: its entries are its own */
	(void)uid;
	if (keep_session_bus && !strcmp(name, "bus"))
		return true;
	for (size_t i = 0; i < sizeof(runtime_keep) / sizeof(runtime_keep[0]); i++)
		if (name_matches(name, runtime_keep[i]))
			return true;
	return false;
}

/* What bind_matching would bind from host: each entry keep() admits by name,
 * with its inode, type and owner (keep() decides on the last two). */
static void describe_dir(const char *host, bool (*keep)(const char *, const struct stat *, uid_t),
			 uid_t uid, struct view_desc *d)
{
	struct dirent *e;
	struct stat st;
	DIR *dir;
	int hfd = open(host, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	view_put_str(d, host);
	if (hfd < 0 || !(dir = fdopendir(hfd))) {
		if (hfd >= 0)
			close(hfd);
		view_put_end(d);	/* absent, or not a directory */
		return;
	}
	/* The directory itself: the view covers it (/tmp, /run/user/UID), and
	 * when the host removes it (a logout) the kernel takes that cover off. */
	if (view_put_identity(d, dirfd(dir), "") < 0)
		d->over = true;	/* not to be kept on a guess */
	for (size_t count = 0; (e = readdir(dir)) && count < MAX_ENTRIES; count++) {
		if (!keep(e->d_name, NULL, uid))
			continue;
		/* Only names keep() admits are looked at, as bind_matching does,
		 * and only what it binds counts (another user's xauth file in
		 * /tmp is not bound, and must not change the caller's view). */
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode) ||
		    !keep(e->d_name, &st, uid))
			continue;
		view_put_entry(d, e);
		if (view_put_identity(d, dirfd(dir), e->d_name) < 0)
			d->over = true;
		view_put(d, &st.st_mode, sizeof(st.st_mode));
	}
	closedir(dir);
	view_put_end(d);
}

void session_describe(uid_t uid, const struct tunnel *t, struct view_desc *d)
{
	char host_run[64];

	keep_session_bus = t->session_bus;
	snprintf(host_run, sizeof(host_run), "/run/user/%u", (unsigned)uid);
	if (!t->shared_tmp)
		describe_dir("/tmp", keep_tmp, uid, d);
	describe_dir(host_run, keep_runtime, uid, d);
}

/* Is the directory behind fd the root of a mount (its own file system)? */
static bool is_mount_root(int dfd, const char *name)
{
	struct stat a, b;

	return fstatat(dfd, name, &a, AT_SYMLINK_NOFOLLOW) == 0 && fstat(dfd, &b) == 0 &&
	       S_ISDIR(a.st_mode) && a.st_dev != b.st_dev;
}

/* RUNDIR/session (root's, 0700), made if need be; a descriptor of it. RUNDIR
 * exists: the tunnel is up. */
static int session_dir(char *why, size_t whylen)
{
	int top, fd;

	top = open(WGRUN_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0) {
		fd = -errno;
		snprintf(why, whylen, "cannot open %s: %s", WGRUN_RUNDIR, strerror(-fd));
		return fd;
	}
	fd = dir_at(top, "session", 0700, 0, 0);
	close(top);
	if (fd < 0)
		snprintf(why, whylen, "cannot prepare %s: %s", SESSION_DIR, strerror(-fd));
	return fd;
}

int session_host(const char *tunnel, uid_t uid, char *why, size_t whylen)
{
	char name[64], lock[72], path[128];
	int dfd, lfd = -1, r = 0;

	if ((dfd = session_dir(why, whylen)) < 0)
		return dfd;
	rundir_session_name(name, sizeof(name), tunnel, uid, "");
	rundir_session_name(lock, sizeof(lock), tunnel, uid, ".lock");
	snprintf(path, sizeof(path), "%s/%s", SESSION_DIR, name);
	/* Per tunnel and user: a caller who stops its launch here holds up only
	 * its own next ones, and each waits at most 5 s. */
	lfd = openat(dfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lfd < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot open %s/%s: %s", SESSION_DIR, lock, strerror(-r));
		goto out;
	}
	if (lock_bounded(lfd, 5000) < 0) {
		r = -ETIMEDOUT;
		snprintf(why, whylen, "%s/%s is held by another launch", SESSION_DIR, lock);
		goto out;
	}
	if (is_mount_root(dfd, name))
		goto out;
	if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(why, whylen, "cannot make %s: %s", path, strerror(-r));
		goto out;
	}
	/* A file system of its own, not the host's /run (which systemd,
	 * logind and udev need, and which has no per-user limit): capped as
	 * systemd caps a tmpfs /tmp. */
	if (mount("wgrun-session", path, "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0755,size=50%,nr_inodes=1m") < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot mount a tmpfs on %s: %s", path, strerror(-r));
	}
out:
	if (lfd >= 0)
		close(lfd);
	close(dfd);
	return r;
}

static void forget_one(const char *path)
{
	/* Commands still inside keep their view; the tmpfs goes with them. */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0 || errno == EINVAL)
		(void)rmdir(path);
	(void)unlink(path);	/* the NAME.UID.lock files */
}

void session_forget(const char *tunnel)
{
	rundir_each_of(SESSION_DIR, tunnel, forget_one);
}

int session_prepare(struct session *s, const char *tunnel, uid_t uid, gid_t gid,
		    const struct tunnel *t, char *why, size_t whylen)
{
	char name[64], host_run[64];
	int base = -1, fd, r;

	s->tmp_fd = s->runtime_fd = -1;
	s->uid = uid;
	keep_session_bus = t->session_bus;
	snprintf(host_run, sizeof(host_run), "/run/user/%u", (unsigned)uid);
	s->has_runtime = access(host_run, F_OK) == 0;
	if (t->shared_tmp && !s->has_runtime)
		return 0;
	if ((fd = session_dir(why, whylen)) < 0)
		return fd;
	rundir_session_name(name, sizeof(name), tunnel, uid, "");
	base = dir_at(fd, name, 0755, 0, 0);
	close(fd);
	if (base < 0) {
		snprintf(why, whylen, "cannot prepare %s/%s: %s", SESSION_DIR, name, strerror(-base));
		return base;
	}
	r = 0;
	if (!t->shared_tmp && (s->tmp_fd = dir_at(base, "tmp", 01777, 0, 0)) < 0) {
		r = s->tmp_fd;
		snprintf(why, whylen, "cannot prepare the tunnel's /tmp in %s/%s: %s", SESSION_DIR, name,
			 strerror(-r));
	}
	if (r == 0 && s->has_runtime && (s->runtime_fd = dir_at(base, "runtime", 0700, uid, gid)) < 0) {
		r = s->runtime_fd;
		snprintf(why, whylen, "cannot prepare the tunnel's runtime directory in %s/%s: %s",
			 SESSION_DIR, name, strerror(-r));
	}
	close(base);
	if (r == 0 && s->tmp_fd >= 0)
		r = bind_matching("/tmp", s->tmp_fd, keep_tmp, uid, why, whylen);
	/* Now, while the host's /run shows: the command's /run/user is not
	 * the host's (runview.c). */
	if (r == 0 && s->runtime_fd >= 0)
		r = bind_matching(host_run, s->runtime_fd, keep_runtime, uid, why, whylen);
	return r;
}

/* Mount the directory behind fd (with what is bound inside it) on path. */
static int cover(int fd, const char *path, char *why, size_t whylen)
{
	char from[64];

	snprintf(from, sizeof(from), "/proc/self/fd/%d", fd);
	if (mount(from, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		int r = -errno;
		snprintf(why, whylen, "cannot place the tunnel's own %s: %s", path, strerror(-r));
		return r;
	}
	return 0;
}

int session_place(struct session *s, char *why, size_t whylen)
{
	char host_run[64];
	int r = 0;

	snprintf(host_run, sizeof(host_run), "/run/user/%u", (unsigned)s->uid);
	if (s->tmp_fd >= 0)
		r = cover(s->tmp_fd, "/tmp", why, whylen);
	/* On the command's own /run/user/UID (runview.c), which the host
	 * cannot remove. */
	if (r == 0 && s->runtime_fd >= 0)
		r = cover(s->runtime_fd, host_run, why, whylen);
	session_close(s);
	return r;
}

void session_close(struct session *s)
{
	if (s->tmp_fd >= 0)
		close(s->tmp_fd);
	if (s->runtime_fd >= 0)
		close(s->runtime_fd);
	s->tmp_fd = s->runtime_fd = -1;
}
