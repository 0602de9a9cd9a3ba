/* SPDX-License-Identifier: ISC */
/* view.c - the command's mount view, made once and entered again.
 *
 * Making the view (mounts.c) costs a new mount namespace and some thirty
 * mounts on every launch, and as much again to tear it down when the
 * command ends: most of a warm launch. So the view is pinned in
 * RUNDIR/view/TUNNEL.UID (root's, 0700) and a later launch of that user
 * through that tunnel enters it with setns, but only if everything the
 * view was made from is as it was then: the tunnel's namespace, the lines
 * of the tunnel file the view shows (DNS, search, SystemBus, SessionBus,
 * SharedTmp), the host's nsswitch.conf, the host's mount table, the
 * entries of the host's /run that runview.c binds, and the entries of /tmp
 * and /run/user/UID that session.c binds (by inode: a socket replaced by a
 * restarted server is another). These are kept as bytes in TUNNEL.UID.in
 * and compared exactly. Anything else, and a new view is made and pinned
 * in the old one's place; commands already in the old one keep it.
 *
 * The host's mount table is read as /proc/self/mountinfo without wgrun's
 * own pins and session file systems (under RUNDIR) and without namespace
 * files (nsfs: `ip netns add` and our own aliases), which no view shows and
 * whose coming and going would otherwise make a new view every time.
 *
 * Every id of the pinned view is root's; nothing of the caller's can reach
 * its mounts (the view's user namespace is the host's, so changing them
 * takes CAP_SYS_ADMIN there). A view is published only whole: made, then
 * described again and found unchanged, then its description renamed into
 * place, then pinned. A launch that dies half-way leaves no pin, or the old
 * one unmounted, and the next launch makes a view. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "lex.h"
#include "log.h"
#include "mounts.h"
#include "rundir.h"
#include "runview.h"
#include "session.h"
#include "timing.h"
#include "view.h"

#define VIEW_DIR WGRUN_RUNDIR "/view"

/* TUNNEL.UID.in: this, then the description. The pinned namespace's
 * identity ties the description to the pin it was written for. */
struct view_head {
	char magic[8];
	uint64_t made_ns;	/* CLOCK_BOOTTIME when pinned */
	uint64_t ns_dev, ns_ino;	/* the pinned mount namespace */
};
static const char view_magic[8] = "wgrunv2";

/* Descriptions are large: one for now, one read back. */
static struct view_desc now, then;

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool under_rundir(struct span mnt)
{
	size_t n = strlen(WGRUN_RUNDIR);

	return mnt.len >= n && !memcmp(mnt.p, WGRUN_RUNDIR, n) && (mnt.len == n || mnt.p[n] == '/');
}

/* The host's mount table, line by line, but for what no view shows:
 * wgrun's own state and namespace files. A line that cannot be read is
 * kept: it may be anything. */
static int describe_mounts(struct view_desc *d)
{
	static char buf[VIEW_DESC_MAX];
	struct span line, mnt, fstype;
	size_t pos = 0;
	ssize_t len = mounts_read_all("/proc/self/mountinfo", buf, sizeof(buf));

	if (len == -E2BIG) {
		d->over = true;	/* a host this large makes a view per launch */
		return 0;
	}
	if (len < 0)
		return (int)len;
	while (lex_line(buf, (size_t)len, &pos, &line)) {
		if (lex_mountinfo(line, &mnt, &fstype) &&
		    (under_rundir(mnt) || (fstype.len == 4 && !memcmp(fstype.p, "nsfs", 4))))
			continue;
		view_put(d, &line.len, sizeof(line.len));
		view_put(d, line.p, line.len);
	}
	view_put_end(d);
	return 0;
}

/* The identity of the directory at path: the view mounts on it. With
 * times, for /etc: a file replaced at its top changes them. */
static int put_dir(struct view_desc *d, const char *path, bool times)
{
	struct stat st;
	int r;

	/* A link there is not what the view expects: no view is kept. */
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	view_put_str(d, path);
	if ((r = view_put_identity(d, AT_FDCWD, path)) < 0)
		return r;
	if (times) {
		view_put(d, &st.st_mtim, sizeof(st.st_mtim));
		view_put(d, &st.st_ctim, sizeof(st.st_ctim));
	}
	return 0;
}

/* The tunnel's network namespace, whose sysfs the view shows, by its
 * cookie (never given twice in a boot; an inode number is), and the wgrun
 * binary that makes the view. */
static int put_netns_and_exe(struct view_desc *d)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	struct stat st;
	int r, fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	r = getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0 ? -errno : 0;
	close(fd);
	/* Before Linux 5.14 there is no cookie, and a namespace's inode number
	 * is given again once it is freed: no view is kept there. */
	if (r < 0)
		return r;
	view_put(d, &cookie, sizeof(cookie));
	if (stat("/proc/thread-self/ns/net", &st) < 0)
		return -errno;
	view_put(d, &st.st_dev, sizeof(st.st_dev));
	view_put(d, &st.st_ino, sizeof(st.st_ino));
	if (stat("/proc/self/exe", &st) < 0)
		return -errno;
	view_put(d, &st.st_dev, sizeof(st.st_dev));
	view_put(d, &st.st_ino, sizeof(st.st_ino));
	view_put(d, &st.st_size, sizeof(st.st_size));
	view_put(d, &st.st_mtim, sizeof(st.st_mtim));
	view_put(d, &st.st_ctim, sizeof(st.st_ctim));
	return 0;
}

/* The host's nsswitch.conf, rendered into the view's /etc: its text. */
static void put_nsswitch(struct view_desc *d)
{
	char text[8192];
	ssize_t n = mounts_read_all("/etc/nsswitch.conf", text, sizeof(text));

	if (n < 0)
		n = 0;	/* as mounts_resolver renders it then */
	view_put(d, &n, sizeof(n));
	view_put(d, text, (size_t)n);
}

/* Everything mounts_setup makes the view from; in the host's mount
 * namespace. Anything that cannot be read fails it: a view is then made for
 * the launch alone, never taken on a guess. */
static int describe(struct view_desc *d, const struct tunnel *t, uid_t uid, gid_t gid)
{
	char resolv[8192];
	unsigned char flags[3] = { t->system_bus, t->session_bus, t->shared_tmp };
	int r;

	timing_mark("v.start");
	d->len = 0;
	d->over = false;
	view_put(d, &uid, sizeof(uid));
	view_put(d, &gid, sizeof(gid));
	view_put(d, flags, sizeof(flags));
	if ((r = mounts_render_resolv(t, resolv, sizeof(resolv))) < 0)
		return r;
	view_put_str(d, resolv);
	/* What the view mounts on: a host directory replaced would take the
	 * mount with it, in every namespace. */
	if ((r = put_netns_and_exe(d)) < 0 || (r = put_dir(d, "/etc", true)) < 0 ||
	    (r = put_dir(d, "/sys", false)) < 0 || (r = put_dir(d, "/run", false)) < 0)
		return r;
	put_nsswitch(d);
	timing_mark("v.stats");
	if ((r = describe_mounts(d)) < 0)
		return r;
	timing_mark("v.mountinfo");
	if ((r = runview_describe(t->system_bus, d)) < 0)
		return r;
	timing_mark("v.run");
	session_describe(uid, t, d);
	return 0;
}

/* RUNDIR/view, root's and 0700. With make: made if need be, and a mount of
 * its own with private propagation, since a pin needs one (a namespace file
 * copied to peers could loop; the kernel refuses it on a shared mount, as
 * /run is under systemd). Opened after that, so that the descriptor is of
 * the mount the pins are on. */
static int view_dir(bool make)
{
	struct statx stx;

	if (make) {
		if (mkdir(VIEW_DIR, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (statx(AT_FDCWD, VIEW_DIR, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
			return -errno;
		if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
			return -ENOSYS;	/* before Linux 5.8 */
		if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) &&
		    mount(VIEW_DIR, VIEW_DIR, NULL, MS_BIND, NULL) < 0)
			return -errno;
		if (mount(NULL, VIEW_DIR, NULL, MS_PRIVATE, NULL) < 0)
			return -errno;
	}
	return rundir_open_private(VIEW_DIR);
}

/* Open the pin dfd/name and its description, and check the description's
 * head: it names that very pinned namespace (the pin is opened first, so
 * that one swapped meanwhile is never taken for the one described) and is
 * younger than WGRUN_VIEW_MAX_AGE_S. 0 with both descriptors (the
 * description's read past its head), or -errno with none. */
static int open_described(int dfd, const char *name, int *pfd, int *infd)
{
	struct view_head head;
	struct stat pin, in;
	char inname[80];
	int r = -ESTALE;

	*infd = -1;
	if (snprintf(inname, sizeof(inname), "%s.in", name) >= (int)sizeof(inname))
		return -ENAMETOOLONG;
	if ((*pfd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	*infd = openat(dfd, inname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*infd >= 0 && fstat(*pfd, &pin) == 0 && fstat(*infd, &in) == 0 && S_ISREG(in.st_mode) &&
	    in.st_uid == 0 && read(*infd, &head, sizeof(head)) == (ssize_t)sizeof(head) &&
	    !memcmp(head.magic, view_magic, sizeof(view_magic)) && head.ns_dev == pin.st_dev &&
	    head.ns_ino == pin.st_ino && boottime_ns() - head.made_ns <= WGRUN_VIEW_MAX_AGE_S * 1000000000ULL)
		return 0;
	if (*infd >= 0)
		close(*infd);
	close(*pfd);
	*pfd = *infd = -1;
	return r;
}

/* Enter the pinned view if it is young and its description is d's.
 * 0, or -errno. */
static int try_enter(int dfd, const char *name, const struct view_desc *d)
{
	size_t len = 0;
	ssize_t n = 0;
	int pfd, fd, r;

	if ((r = open_described(dfd, name, &pfd, &fd)) < 0)
		return r;
	while (len < sizeof(then.buf) && (n = read(fd, then.buf + len, sizeof(then.buf) - len)) > 0)
		len += (size_t)n;
	r = -ESTALE;
	/* An unpinned placeholder is a plain file: setns says EINVAL. */
	if (n >= 0 && len == d->len && !memcmp(then.buf, d->buf, len))
		r = setns(pfd, CLONE_NEWNS) < 0 ? -errno : 0;
	close(fd);
	close(pfd);
	return r;
}

/* Take every pin off path (a publisher killed half-way may have left one
 * under another). */
static void unpin_all(const char *path)
{
	for (int i = 0; i < 16 && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; i++)
		;
}

/* Is the tunnel still up in the network namespace we stand in? */
static bool tunnel_still_here(const char *tunnel)
{
	char pinp[PATH_MAX];
	struct stat a, b;

	return rundir_path(pinp, sizeof(pinp), tunnel, RUN_PIN) == 0 && stat(pinp, &a) == 0 &&
	       stat("/proc/thread-self/ns/net", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* In the host's mount namespace, holding the lock: pin the view (viewfd)
 * in the old one's place, then write its description, naming it. A --down
 * may have come while a stopped launch made it: the tunnel is checked after
 * the pin is up (--down unpins views after the tunnel), and the pin taken
 * off again if the tunnel has gone from this namespace. */
static int publish(int dfd, const char *tunnel, const char *name, int viewfd, const struct view_desc *d)
{
	struct view_head head = { .made_ns = boottime_ns() };
	char in[80], tmp[96], path[128], from[64];
	struct stat st;
	int fd, r = 0;

	memcpy(head.magic, view_magic, sizeof(view_magic));
	if (snprintf(in, sizeof(in), "%s.in", name) >= (int)sizeof(in) ||
	    snprintf(tmp, sizeof(tmp), "%s.in.tmp", name) >= (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dfd, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (fstat(viewfd, &st) < 0)
		return -errno;
	head.ns_dev = st.st_dev;
	head.ns_ino = st.st_ino;
	unpin_all(path);
	(void)unlinkat(dfd, in, 0);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	snprintf(from, sizeof(from), "/proc/self/fd/%d", viewfd);
	if (mount(from, path, NULL, MS_BIND, NULL) < 0)
		return -errno;
	(void)unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		r = -errno;
	else {
		if (write(fd, &head, sizeof(head)) != (ssize_t)sizeof(head) ||
		    write(fd, d->buf, d->len) != (ssize_t)d->len)
			r = -EIO;
		if (close(fd) < 0 && !r)
			r = -errno;
		if (r == 0 && renameat(dfd, tmp, dfd, in) < 0)
			r = -errno;
	}
	if (r == 0 && !tunnel_still_here(tunnel))
		r = -ESTALE;
	if (r < 0) {
		unpin_all(path);
		(void)unlinkat(dfd, tmp, 0);
		(void)unlinkat(dfd, in, 0);
	}
	return r;
}

/* Make the view (mounts_setup, which leaves us in it) and, if nothing it was
 * made from changed meanwhile, pin it for the next launch. */
static int make(int dfd, const char *name, const struct tunnel *t, const char *tunnel, uid_t uid,
		gid_t gid, char *why, size_t whylen)
{
	int hostfd, viewfd, r;

	hostfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (hostfd < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot open the host's mount namespace: %s", strerror(-r));
		return r;
	}
	if ((r = mounts_setup(t, tunnel, uid, gid, why, whylen)) < 0) {
		close(hostfd);
		return r;
	}
	viewfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (viewfd < 0 || setns(hostfd, CLONE_NEWNS) < 0) {
		/* Not kept: this launch's alone, as before views were kept. */
		if (viewfd >= 0)
			close(viewfd);
		close(hostfd);
		return 0;
	}
	close(hostfd);
	/* Described again now it is made: a host that changed during the
	 * making could otherwise leave a view behind its own description. */
	r = describe(&then, t, uid, gid);
	if (r == 0 && !then.over && then.len == now.len && !memcmp(then.buf, now.buf, now.len))
		r = publish(dfd, tunnel, name, viewfd, &now);
	if (r < 0 && r != -ESTALE)
		warn("cannot keep the command's view of tunnel '%s' for the next launch: %s", tunnel,
		     strerror(-r));
	if (setns(viewfd, CLONE_NEWNS) < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot enter the command's view again: %s", strerror(-r));
		close(viewfd);
		return r;
	}
	close(viewfd);
	return 0;
}

int view_enter(const struct tunnel *t, const char *tunnel, uid_t uid, gid_t gid,
	       char *why, size_t whylen)
{
	char name[64], lock[72];
	int dfd, lfd, r;

	rundir_session_name(name, sizeof(name), tunnel, uid, "");
	/* Not described, or too large to keep: a view for this launch alone. */
	if (describe(&now, t, uid, gid) < 0 || now.over)
		return mounts_setup(t, tunnel, uid, gid, why, whylen);
	timing_mark("v.describe");
	if ((dfd = view_dir(false)) >= 0) {
		r = try_enter(dfd, name, &now);
		close(dfd);
		timing_mark("v.enter");
		if (r == 0)
			return 0;
	}
	timing_mark("v.miss");
	/* What we make is root's, not the caller's group's (the egid is theirs). */
	if (setresgid((gid_t)-1, 0, (gid_t)-1) < 0) {
		r = -errno;
		snprintf(why, whylen, "setresgid: %s", strerror(-r));
		return r;
	}
	if ((dfd = view_dir(true)) < 0) {
		/* Slower, not worse: a view for this launch alone. */
		warn("cannot keep views in %s: %s", VIEW_DIR, strerror(-dfd));
		return mounts_setup(t, tunnel, uid, gid, why, whylen);
	}
	/* One maker per tunnel and user; a caller who stops it here holds up
	 * only its own launches, each for at most 5 s. */
	rundir_session_name(lock, sizeof(lock), tunnel, uid, ".lock");
	lfd = openat(dfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lfd < 0 || (r = lock_bounded(lfd, 5000)) < 0) {
		r = lfd < 0 ? -errno : r;
		snprintf(why, whylen, "cannot take %s/%s: %s", VIEW_DIR, lock, strerror(-r));
		if (lfd >= 0)
			close(lfd);
		close(dfd);
		return r;
	}
	/* Another launch may have made it while we waited. */
	if (try_enter(dfd, name, &now) < 0)
		r = make(dfd, name, t, tunnel, uid, gid, why, whylen);
	else
		r = 0;
	close(lfd);
	close(dfd);
	return r;
}

static void forget_one(const char *path)
{
	unpin_all(path);
	(void)unlink(path);	/* the pin, its description, its lock */
}

void view_forget(const char *tunnel)
{
	rundir_each_of(VIEW_DIR, tunnel, forget_one);
}

/* Is the pin at dfd/name young, and described by its own description? */
static bool pin_young(int dfd, const char *name)
{
	int pfd, fd;

	if (open_described(dfd, name, &pfd, &fd) < 0)
		return false;
	close(fd);
	close(pfd);
	return true;
}

void view_expire(void)
{
	char path[128], lock[96], in[96];
	struct dirent *e;
	int dfd = rundir_open_private(VIEW_DIR), lfd;
	DIR *d;

	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	/* Every pin (TUNNEL.UID: no suffix), described or not: one a killed
	 * launch left without its description, or whose description another
	 * launch replaced, holds as much as any. */
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strstr(e->d_name, ".in") || strstr(e->d_name, ".lock"))
			continue;
		if (snprintf(lock, sizeof(lock), "%s.lock", e->d_name) >= (int)sizeof(lock) ||
		    snprintf(in, sizeof(in), "%s.in", e->d_name) >= (int)sizeof(in) ||
		    snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd(d), e->d_name) >= (int)sizeof(path))
			continue;
		/* A launch making this view holds its lock: it is not ours to judge. */
		lfd = openat(dirfd(d), lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) < 0) {
			close(lfd);
			continue;
		}
		if (!pin_young(dirfd(d), e->d_name)) {
			unpin_all(path);
			if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno == EINVAL) {
				(void)unlinkat(dirfd(d), in, 0);
				(void)unlinkat(dirfd(d), e->d_name, 0);
			}
		}
		if (lfd >= 0)
			close(lfd);
	}
	closedir(d);
}
