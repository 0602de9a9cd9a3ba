/* SPDX-License-Identifier: ISC */
/* ns.c - where wgrun stands, and checking namespace descriptors.
 *
 * A launch from inside `ip netns exec X` or a container must not pin a shared
 * tunnel's outer socket in X or read configuration through the caller's
 * mounts, so before anything is read we compare our namespaces and root with
 * PID 1's. Some sandboxes deny even root access to /proc/1/ns (PID 1 holding
 * capabilities root's bounding set lacks); then, and only when we are in the
 * initial PID namespace, PID 2 serves as the reference if it is the kernel
 * thread kthreadd, whose namespaces are by construction the initial ones. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#include "ns.h"

#define PF_KTHREAD 0x00200000UL

static int stat_id(const char *path, struct ns_id *id)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

/* Is PID 2 the kernel thread kthreadd? Field 9 of /proc/2/stat holds the task
 * flags, which no user process can fake; its parent is 0. */
static bool pid2_is_kthreadd(void)
{
	char buf[512], *p;
	unsigned long ppid, flags;
	ssize_t n;
	int fd = open("/proc/2/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %lu %*d %*d %*d %*d %lu", &ppid, &flags) != 2)
		return false;
	return ppid == 0 && (flags & PF_KTHREAD);
}

int ns_check_placement(char *why, size_t whylen)
{
	static const char *const kinds[] = { "mnt", "net", "user", "pid" };
	const char *ref = "1";
	char path[64];
	struct ns_id mine = { 0, 0 }, theirs = { 0, 0 };
	int r;

	r = stat_id("/proc/1/ns/net", &theirs);
	if (r == -EACCES || r == -EPERM) {
		if (!pid2_is_kthreadd()) {
			snprintf(why, whylen, "cannot inspect PID 1's namespaces: %s", strerror(-r));
			return r;
		}
		ref = "2";
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", ref, kinds[i]);
		if ((r = stat_id(path, &theirs)) < 0 ||
		    (snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]),
		     (r = stat_id(path, &mine)) < 0)) {
			snprintf(why, whylen, "cannot inspect %s namespaces: %s", kinds[i], strerror(-r));
			return r;
		}
		if (mine.dev != theirs.dev || mine.ino != theirs.ino) {
			snprintf(why, whylen,
				 "started inside another %s namespace than the system's; run wgrun from the host, not from a container or 'ip netns exec'",
				 kinds[i]);
			return -EPERM;
		}
	}
	snprintf(path, sizeof(path), "/proc/%s/root", ref);
	if ((r = stat_id(path, &theirs)) < 0 || (r = stat_id("/", &mine)) < 0) {
		snprintf(why, whylen, "cannot inspect the root directory: %s", strerror(-r));
		return r;
	}
	if (mine.dev != theirs.dev || mine.ino != theirs.ino) {
		snprintf(why, whylen, "started inside a chroot; run wgrun from the host");
		return -EPERM;
	}
	return 0;
}

int ns_identify(int fd, struct ns_id *id)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

int ns_verify_net(int fd, struct ns_id *id)
{
	struct statfs sfs;
	struct ns_id owner = { 0, 0 }, ours = { 0, 0 }, self = { 0, 0 };
	int ufd, r;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return -EINVAL;
	ufd = ioctl(fd, NS_GET_USERNS);
	if (ufd < 0)
		return -errno;
	r = ns_identify(ufd, &owner);
	close(ufd);
	if (r < 0)
		return r;
	if ((r = stat_id("/proc/self/ns/user", &ours)) < 0)
		return r;
	if (owner.dev != ours.dev || owner.ino != ours.ino)
		return -EPERM;
	if ((r = ns_identify(fd, id)) < 0 || (r = stat_id("/proc/self/ns/net", &self)) < 0)
		return r;
	if (id->dev == self.dev && id->ino == self.ino)
		return -EPERM;	/* never "join" the namespace we stand in */
	return 0;
}
