/* SPDX-License-Identifier: ISC */
/* runview.c - the command's own /run, with the host resolvers' runtime
 * directories masked in a way the host cannot undo.
 *
 * Why not a mount on each resolver directory: since Linux 3.18, when the host
 * removes a directory that is a mount point only in another namespace, the
 * kernel detaches that mount there. A resolver restarting (systemd's
 * RuntimeDirectory=, a package upgrade) removes and recreates its directory,
 * which would unmask it in every running command; and a resolver started
 * after the launch would never be masked. So the command gets a tmpfs as
 * /run, holding every entry of the host's /run bound back (directories with
 * their sub-mounts, files and sockets one by one, symbolic links copied),
 * except the masked paths, which are empty directories of this tmpfs,
 * present whether or not the host has them. The host can add, remove or
 * replace its own entries; it cannot reach into this tmpfs.
 *
 * Entries the host creates at the top of /run after the launch do not appear
 * in the command's /run; that is the price, and it concerns system daemons,
 * not a user's session (whose /run/user/UID exists before its programs run).
 *
 * /run/user is a directory of this tmpfs too, holding only the caller's UID,
 * on which session.c mounts the tunnel's runtime directory. Bound from the
 * host, its UID would be the host's directory, and when the host removes it
 * (a logout) the kernel takes the mount off it in every namespace: a command
 * still running would then find the host's next runtime directory, with the
 * desktop's session bus, where its own was. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "runview.h"
#include "view.h"

/* Relative to /run. Resolvers that answer outside the tunnel, and the system
 * bus (through which resolve1 is reached). */
static const char *const masked[] = {
	"systemd/resolve", "nscd", "avahi-daemon", "samba/winbindd", "dbus",
};
#define N_MASKED (sizeof(masked) / sizeof(masked[0]))
#define MAX_ENTRIES 4096

static bool keep_system_bus;	/* the tunnel file's SystemBus = yes */

/* Made here, not bound: see above. */
#define USER_DIR "user"

static bool mask_applies(size_t i)
{
	return !(keep_system_bus && !strcmp(masked[i], "dbus"));
}

static bool is_masked(const char *rel)
{
	for (size_t i = 0; i < N_MASKED; i++)
		if (mask_applies(i) && !strcmp(rel, masked[i]))
			return true;
	/* wgrun's own state is nobody's business inside. */
	return !strcmp(rel, WGRUN_RUNDIR + 5) && !strncmp(WGRUN_RUNDIR, "/run/", 5);
}

/* Does a masked path lie below rel? Then rel is rebuilt here, not bound. */
static bool holds_masked(const char *rel)
{
	size_t n = strlen(rel);

	for (size_t i = 0; i < N_MASKED; i++)
		if (mask_applies(i) && !strncmp(masked[i], rel, n) && masked[i][n] == '/')
			return true;
	return false;
}

static int bind_entry(const char *from, const char *to, mode_t type)
{
	int fd;

	if (S_ISDIR(type)) {
		if (mkdir(to, 0755) < 0)
			return -errno;
		return mount(from, to, NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;
	}
	/* A file, socket or FIFO: an empty file to mount it on. */
	fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return mount(from, to, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
}

/* Mirror host directory `host` (relative path rel under /run) into `ours`. */
static int mirror(const char *host, const char *ours, const char *rel, int depth,
		  char *why, size_t whylen)
{
	char from[PATH_MAX], to[PATH_MAX], sub[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	struct stat st;
	size_t count = 0;
	int r = 0;
	DIR *d = opendir(host);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) && r == 0) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (++count > MAX_ENTRIES) {
			snprintf(why, whylen, "%s has more than %d entries", host, MAX_ENTRIES);
			r = -E2BIG;
			break;
		}
		if (snprintf(from, sizeof(from), "%s/%s", host, e->d_name) >= (int)sizeof(from) ||
		    snprintf(to, sizeof(to), "%s/%s", ours, e->d_name) >= (int)sizeof(to) ||
		    snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= (int)sizeof(sub))
			continue;	/* names that long are no resolver's */
		if (lstat(from, &st) < 0)
			continue;	/* gone meanwhile */
		if (is_masked(sub))
			continue;	/* created empty below */
		if (!strcmp(sub, USER_DIR) && S_ISDIR(st.st_mode)) {
			if (mkdir(to, 0755) < 0)
				r = -errno;
			continue;
		}
		if (S_ISLNK(st.st_mode) && holds_masked(sub)) {
			/* Never mask through a link into the host's files: a real,
			 * empty directory stands in for it (only root makes such). */
			if (mkdir(to, 0755) < 0)
				r = -errno;
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(from, link, sizeof(link) - 1);
			if (n < 0)
				continue;
			link[n] = '\0';
			if (symlink(link, to) < 0)
				r = -errno;
		} else if (S_ISDIR(st.st_mode) && depth < 2 && holds_masked(sub)) {
			if (mkdir(to, st.st_mode & 07777) < 0)
				r = -errno;
			else
				r = mirror(from, to, sub, depth + 1, why, whylen);
		} else {
			r = bind_entry(from, to, st.st_mode);
			/* Gone or replaced since lstat (a pid file, a restarting
			 * daemon's socket): the host's business, not a failure. */
			if (r == -ENOENT || r == -ENOTDIR || r == -EISDIR) {
				(void)umount2(to, MNT_DETACH);
				(void)(S_ISDIR(st.st_mode) ? rmdir(to) : unlink(to));
				r = 0;
			}
		}
		if (r < 0 && !*why)
			snprintf(why, whylen, "cannot mirror %s: %s", from, strerror(-r));
	}
	closedir(d);
	return r;
}

/* mkdir -p of a masked path inside our own tmpfs (its parents are ours:
 * a parent of a masked path is never bound, see holds_masked). */
static int make_masked(const char *root, const char *rel)
{
	char path[PATH_MAX];
	size_t base = strlen(root);

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + base + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(path, 0755) < 0) {
				struct stat st;
				/* Existing: it must be a real directory of ours. */
				if (errno != EEXIST || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
					return errno == EEXIST ? -ENOTDIR : -errno;
			}
			if (!c)
				return 0;
			*p = c;
		}
	}
}

/* What mirror() makes depends on, in the order it looks: each entry's name,
 * inode and type (a file or socket is bound by inode; a link is copied,
 * and a new target is a new link), and the directories it rebuilds. */
static int describe(const char *host, const char *rel, int depth, struct view_desc *d)
{
	char from[PATH_MAX], sub[PATH_MAX];
	struct dirent *e;
	struct stat st;
	size_t count = 0;
	DIR *dir = opendir(host);

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	/* Rebuilt with the host's mode (mirror's mkdir). */
	if (fstat(dirfd(dir), &st) < 0) {
		closedir(dir);
		return -errno;
	}
	view_put_str(d, rel);
	view_put(d, &st.st_mode, sizeof(st.st_mode));
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (++count > MAX_ENTRIES) {
			d->over = true;	/* mirror() would refuse it anyway */
			break;
		}
		if (snprintf(from, sizeof(from), "%s/%s", host, e->d_name) >= (int)sizeof(from) ||
		    snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= (int)sizeof(sub))
			continue;
		if (is_masked(sub))
			continue;	/* an empty directory of ours, whatever the host has */
		if (e->d_type == DT_UNKNOWN) {
			if (lstat(from, &st) < 0)
				continue;
			e->d_type = IFTODT(st.st_mode);
		}
		if (e->d_type == DT_DIR && !strcmp(sub, USER_DIR))
			continue;	/* a directory of ours, as mirror() makes it */
		view_put_entry(d, e);
		if (e->d_type == DT_DIR && depth < 2 && holds_masked(sub)) {
			int r = describe(from, sub, depth + 1, d);
			if (r < 0) {
				closedir(dir);
				return r;
			}
		}
	}
	closedir(dir);
	view_put_end(d);
	return 0;
}

int runview_describe(bool system_bus, struct view_desc *d)
{
	keep_system_bus = system_bus;
	return describe("/run", "", 0, d);
}

int runview_build(const char *scratch_run, bool system_bus, uid_t uid, char *why, size_t whylen)
{
	char user[PATH_MAX], host[64];
	int r;

	*why = '\0';
	keep_system_bus = system_bus;
	if (mount("wgrun-run", scratch_run, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot mount a tmpfs for /run: %s", strerror(-r));
		return r;
	}
	if ((r = mirror("/run", scratch_run, "", 0, why, whylen)) < 0)
		return r;
	for (size_t i = 0; i < N_MASKED; i++) {
		if (mask_applies(i) && (r = make_masked(scratch_run, masked[i])) < 0) {
			snprintf(why, whylen, "cannot mask /run/%s: %s", masked[i], strerror(-r));
			return r;
		}
	}
	/* The mount point for the tunnel's runtime directory, where the host
	 * has the caller's. */
	snprintf(host, sizeof(host), "/run/%s/%u", USER_DIR, (unsigned)uid);
	if (access(host, F_OK) == 0) {
		snprintf(user, sizeof(user), "%s/%s/%u", scratch_run, USER_DIR, (unsigned)uid);
		if ((r = make_masked(scratch_run, user + strlen(scratch_run) + 1)) < 0) {
			snprintf(why, whylen, "cannot make %s in the command's /run: %s", host, strerror(-r));
			return r;
		}
	}
	if (mount(NULL, scratch_run, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0 ||
	    mount(scratch_run, "/run", NULL, MS_MOVE, NULL) < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot place the command's /run: %s", strerror(-r));
		return r;
	}
	return 0;
}
