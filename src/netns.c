/* netns.c - tunnel namespace lifecycle: lock, build, publish, join, remove.
 *
 * Safety requirements, in the manner of doas' timestamp.c:
 * - The record in RUNDIR (root-owned, 0700) is the authority. RUNDIR/ns/NAME
 *   is the authoritative pin; WGRUN_NETNS_DIR/wgrun-NAME is an alias for other
 *   tools (ip netns, systemd, podman), which any root tool may delete or
 *   pre-create, so a join checks both against the record.
 * - A namespace is published (pinned) only after it is fully configured and
 *   its record written; until then only the building process holds it, and
 *   it dies with that process. Rebuilding inside an already published
 *   namespace leaves it with no interface, hence no route out, meanwhile.
 * - Building runs in a child whose every id is root, in its own session and
 *   out of the caller's cgroup, so the caller can neither kill nor stop it
 *   half-way; the per-tunnel flock is held across build and publish, and
 *   every wait for it or for the child is bounded.
 * - The directories holding pins are shared mounts (as `ip netns` makes
 *   them), so that an unpin propagates into every mount namespace copied
 *   from the host; otherwise such a copy would keep a namespace alive. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

#include "backend.h"
#include "child.h"
#include "conf.h"
#include "config.h"
#include "hygiene.h"
#include "log.h"
#include "netns.h"
#include "nft.h"
#include "nl.h"
#include "ns.h"
#include "record.h"
#include "rtnl.h"
#include "session.h"

#define CREATE_TIMEOUT_MS WGRUN_CREATE_TIMEOUT_MS
#define LOCK_TIMEOUT_MS (CREATE_TIMEOUT_MS / 2)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int rundir_open(void)
{
	struct stat st;
	int fd = open(WGRUN_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void alias_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/wgrun-%s", WGRUN_NETNS_DIR, name);
}

static void pin_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/ns/%s", WGRUN_RUNDIR, name);
}

static bool same_ns(int fd, unsigned long long dev, unsigned long long ino)
{
	struct ns_id id;

	return ns_verify_net(fd, &id) == 0 && id.dev == dev && id.ino == ino;
}

/* Open a pin and check it is the recorded namespace; -ESTALE if not. */
static int pin_open_checked(const char *path, const struct record *rec)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!same_ns(fd, rec->ns_dev, rec->ns_ino)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

static bool conf_matches(const struct record *rec, const struct tunnel_src *src)
{
	return rec->conf.dev == src->id.dev && rec->conf.ino == src->id.ino &&
	       rec->conf.size == src->id.size &&
	       rec->conf.ctime_sec == src->id.ctime_sec && rec->conf.ctime_nsec == src->id.ctime_nsec &&
	       rec->conf.mtime_sec == src->id.mtime_sec && rec->conf.mtime_nsec == src->id.mtime_nsec &&
	       rec->conf_hash == src->hash;
}

/* Is the interface there and up, and the kill-switch table as we made it
 * (chains, hooks, policies, rule counts), as seen from inside the namespace?
 * Replacing the table instead would cost an RCU grace period per launch.
 * We must already stand in it. */
static bool iface_up_here(const struct tunnel_src *src, int ifindex)
{
	const char *name = src->name;
	struct nl nl;
	unsigned flags = 0;
	int idx = 0, r;

	if (nl_open(&nl, NETLINK_ROUTE) < 0)
		return false;
	r = rtnl_link_get(&nl, name, &idx, &flags);
	nl_close(&nl);
	return r == 0 && idx == ifindex && (flags & IFF_UP) &&
	       nft_check(src->t->allow_inbound) == 0;
}

/* The whole warm check. On success returns the pin's descriptor and, when
 * stay is set, leaves us inside the namespace. */
static int check_warm(int rundir_fd, const struct tunnel_src *src, bool stay,
		      struct record *rec, char *why, size_t whylen)
{
	char pin[256], alias[256];
	int nsfd = -1, afd, hostfd = -1, r;

	if ((r = record_read(rundir_fd, src->name, rec)) < 0) {
		snprintf(why, whylen, "no record");
		return 0;
	}
	if (!conf_matches(rec, src)) {
		snprintf(why, whylen, "the tunnel file changed since the tunnel was built");
		return 0;
	}
	pin_path(pin, sizeof(pin), src->name);
	nsfd = pin_open_checked(pin, rec);
	if (nsfd < 0) {
		snprintf(why, whylen, "namespace pin missing or not the recorded one");
		return 0;
	}
	alias_path(alias, sizeof(alias), src->name);
	afd = pin_open_checked(alias, rec);
	if (afd < 0) {
		snprintf(why, whylen, "%s missing or not the recorded namespace", alias);
		goto cold;
	}
	close(afd);
	if (!backend_alive(rec)) {
		snprintf(why, whylen, "the %s backend is not running", backend_name(rec->backend));
		goto cold;
	}
	hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (hostfd < 0) {
		r = -errno;
		close(nsfd);
		return r;
	}
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		r = -errno;
		close(hostfd);
		close(nsfd);
		return r;
	}
	if (!iface_up_here(src, rec->ifindex)) {
		snprintf(why, whylen, "the tunnel interface or its kill switch is missing, or it is down");
		if (setns(hostfd, CLONE_NEWNET) < 0)
			_exit(EXIT_WGRUN);	/* never go on standing in the wrong place */
		close(hostfd);
		goto cold;
	}
	if (!stay && setns(hostfd, CLONE_NEWNET) < 0)
		_exit(EXIT_WGRUN);
	close(hostfd);
	close(nsfd);
	return 1;
cold:
	close(nsfd);
	return 0;
}

int netns_join_warm(const struct tunnel_src *src, char *why, size_t whylen)
{
	struct record rec;
	int fd = rundir_open(), r;

	if (fd < 0) {
		snprintf(why, whylen, "%s does not exist yet", WGRUN_RUNDIR);
		return fd == -ENOENT ? 0 : fd;
	}
	r = check_warm(fd, src, true, &rec, why, whylen);
	close(fd);
	return r;
}

/* ---- building, in the root child ---- */

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

/* Every wait is bounded (SECURITY-CHECKLIST item 27). */
static int flock_bounded(int fd)
{
	long long deadline = now_ms() + LOCK_TIMEOUT_MS;

	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return -errno;
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(5000);
	}
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

static int rundir_prepare(char *why, size_t whylen)
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
	if ((r = flock_bounded(fd)) < 0) {
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

static int lock_tunnel(int rundir_fd, const char *name, char *why, size_t whylen)
{
	char lname[64];
	int fd;

	snprintf(lname, sizeof(lname), "%s.lock", name);
	fd = openat(rundir_fd, lname, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open lock %s/%s: %s", WGRUN_RUNDIR, lname, strerror(errno));
		return -errno;
	}
	if (flock_bounded(fd) < 0) {
		snprintf(why, whylen, "tunnel '%s' is locked by another launch for more than %d s",
			 name, LOCK_TIMEOUT_MS / 1000);
		close(fd);
		return -ETIMEDOUT;
	}
	return fd;
}

static void unpin(const char *path)
{
	/* Either may fail when nothing is there; that is the goal anyway. */
	(void)umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
	(void)unlink(path);
}

static int pin(const char *path, int nsfd)
{
	char src[64];
	int fd;

	unpin(path);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", nsfd);
	if (mount(src, path, "none", MS_BIND, NULL) < 0) {
		int err = -errno;
		(void)unlink(path);
		return err;
	}
	return 0;
}

static int write_sysctl(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

/* Settings a new namespace would otherwise copy from the host; we stand in
 * it. A namespace that could not be hardened is not published. */
static int harden_sysctls(char *why, size_t whylen)
{
	static const char *const zero[] = {
		"ipv4/ip_forward",
		"ipv4/conf/all/forwarding",
		"ipv4/conf/default/forwarding",
		"ipv4/conf/all/route_localnet",
		"ipv4/conf/default/route_localnet",
		"ipv4/conf/all/accept_redirects",
		"ipv4/conf/default/accept_redirects",
		"ipv4/conf/all/send_redirects",
		"ipv4/conf/default/send_redirects",
		"ipv4/conf/all/accept_source_route",
		"ipv4/conf/default/accept_source_route",
		"ipv6/conf/all/forwarding",
		"ipv6/conf/default/forwarding",
		"ipv6/conf/all/accept_ra",
		"ipv6/conf/default/accept_ra",
		"ipv6/conf/all/autoconf",
		"ipv6/conf/default/autoconf",
		"ipv6/conf/all/accept_redirects",
		"ipv6/conf/default/accept_redirects",
	};
	char path[128];
	int r;

	for (size_t i = 0; i <= sizeof(zero) / sizeof(zero[0]); i++) {
		bool last = i == sizeof(zero) / sizeof(zero[0]);
		/* Unprivileged ICMP sockets: ping works without CAP_NET_RAW inside. */
		const char *key = last ? "ipv4/ping_group_range" : zero[i];

		snprintf(path, sizeof(path), "/proc/sys/net/%s", key);
		r = write_sysctl(path, last ? "0 2147483647" : "0");
		/* A kernel booted with ipv6.disable=1 has no ipv6 keys at all. */
		if (r == -ENOENT && !strncmp(key, "ipv6/", 5))
			continue;
		if (r < 0) {
			snprintf(why, whylen, "cannot set net.%s in the tunnel namespace: %s",
				 key, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* Addresses, link up, routes from AllowedIPs, as wg-quick derives them. */
static int configure_inside(struct nl *in, const struct tunnel *t, const char *name,
			    int *ifindex, char *why, size_t whylen)
{
	unsigned flags;
	int r;

	if ((r = rtnl_link_get(in, name, ifindex, &flags)) < 0) {
		snprintf(why, whylen, "tunnel interface not found in its namespace: %s", strerror(-r));
		return r;
	}
	if (t->mtu && (r = rtnl_link_set_mtu(in, *ifindex, t->mtu)) < 0) {
		snprintf(why, whylen, "cannot set MTU %u: %s", t->mtu, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < t->n_addrs; i++) {
		if ((r = rtnl_addr_add(in, *ifindex, &t->addrs[i])) < 0) {
			snprintf(why, whylen, "cannot add address %zu of the tunnel: %s", i + 1, strerror(-r));
			return r;
		}
	}
	if ((r = rtnl_link_up(in, *ifindex)) < 0) {
		snprintf(why, whylen, "cannot bring the tunnel interface up: %s", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		for (size_t j = 0; j < t->peers[i].n_allowed; j++) {
			if ((r = rtnl_route_add(in, *ifindex, &t->peers[i].allowed[j])) < 0) {
				snprintf(why, whylen, "cannot add the route for AllowedIPs entry %zu of peer %zu: %s",
					 j + 1, i + 1, strerror(-r));
				return r;
			}
		}
	}
	return 0;
}

/* Delete our interface in nsfd if it is there (a rebuild in place). */
static void delete_iface_in(int nsfd, const char *name)
{
	struct nl nl;
	unsigned flags;
	int idx;

	if (nl_open_in(&nl, NETLINK_ROUTE, nsfd) < 0)
		return;
	if (rtnl_link_get(&nl, name, &idx, &flags) == 0)
		(void)rtnl_link_del(&nl, idx);
	nl_close(&nl);
}

/* Work the launch has given up on (a child frozen in the caller's cgroup
 * before it could leave it, then released) is not done (item 34). */
static int check_fresh(char *why, size_t whylen)
{
	long long age = child_age_ms();

	/* A margin before the launch's own deadline, at which it kills us: no
	 * build is cut off half-way through publishing. */
	if (age <= CREATE_TIMEOUT_MS / 4 * 3)
		return 0;
	snprintf(why, whylen, "this creation was held for %lld ms, too close to the %d s a launch waits; nothing was built",
		 age, CREATE_TIMEOUT_MS / 1000);
	return -ETIMEDOUT;
}

static int build(int rundir_fd, const struct tunnel_src *src, char *why, size_t whylen)
{
	char pinp[256], aliasp[256];
	struct record old, rec;
	struct nl in = { 0 };
	bool fresh = false;
	int hostfd = -1, nsfd = -1, r;

	memset(&rec, 0, sizeof(rec));
	pin_path(pinp, sizeof(pinp), src->name);
	alias_path(aliasp, sizeof(aliasp), src->name);
	backend_cleanup_pending(rundir_fd, src->name);

	hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (hostfd < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot open the host network namespace: %s", strerror(errno));
		return r;
	}
	/* Reuse the published namespace when it is the recorded one, so commands
	 * already inside reconnect; otherwise start from nothing. */
	if (record_read(rundir_fd, src->name, &old) == 0) {
		backend_stop(&old);
		nsfd = pin_open_checked(pinp, &old);
		if (nsfd >= 0)
			delete_iface_in(nsfd, src->name);
	}
	if (nsfd < 0) {
		(void)record_remove(rundir_fd, src->name);
		unpin(aliasp);
		unpin(pinp);
		fresh = true;
		if (unshare(CLONE_NEWNET) < 0 ||
		    (nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
			r = -errno;
			snprintf(why, whylen, "cannot create a network namespace: %s", strerror(errno));
			goto out;
		}
	} else if (setns(nsfd, CLONE_NEWNET) < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot enter the tunnel namespace: %s", strerror(errno));
		goto out;
	}
	/* Standing inside: settings and a route socket bound to this namespace. */
	if ((r = harden_sysctls(why, whylen)) < 0) {
		if (setns(hostfd, CLONE_NEWNET) < 0)
			_exit(EXIT_WGRUN);
		goto out;
	}
	r = nl_open(&in, NETLINK_ROUTE);
	if (r == 0) {
		int lo;
		unsigned fl;
		r = rtnl_link_get(&in, "lo", &lo, &fl);
		if (r == 0)
			r = rtnl_link_up(&in, lo);
	}
	/* The kill switch goes in before there is any interface to leak through. */
	if (r == 0 && (r = nft_install(src->name, src->t->allow_inbound, !fresh)) < 0) {
		if (setns(hostfd, CLONE_NEWNET) < 0)
			_exit(EXIT_WGRUN);
		snprintf(why, whylen, "cannot install the nftables kill switch in the tunnel namespace: %s",
			 strerror(-r));
		goto out;
	}
	if (setns(hostfd, CLONE_NEWNET) < 0)
		_exit(EXIT_WGRUN);
	if (r < 0) {
		snprintf(why, whylen, "cannot bring up lo in the tunnel namespace: %s", strerror(-r));
		goto out;
	}
	if ((r = backend_create(src->t, src->name, nsfd, rundir_fd, &rec, why, whylen)) < 0)
		goto out;
	if ((r = configure_inside(&in, src->t, src->name, &rec.ifindex, why, whylen)) < 0)
		goto undo;
	struct ns_id id;
	if ((r = ns_identify(nsfd, &id)) < 0) {
		snprintf(why, whylen, "cannot identify the namespace: %s", strerror(-r));
		goto undo;
	}
	rec.ns_dev = id.dev;
	rec.ns_ino = id.ino;
	rec.conf = src->id;
	rec.conf_hash = src->hash;
	/* Nothing is published later than the launch would wait for it. */
	if ((r = check_fresh(why, whylen)) < 0)
		goto undo;
	if ((r = record_write(rundir_fd, src->name, &rec)) < 0) {
		snprintf(why, whylen, "cannot write the tunnel record: %s", strerror(-r));
		goto undo;
	}
	/* Publish last: the authoritative pin, then the alias for other tools. */
	if ((fresh && (r = pin(pinp, nsfd)) < 0) || (r = pin(aliasp, nsfd)) < 0) {
		snprintf(why, whylen, "cannot pin the namespace: %s", strerror(-r));
		(void)record_remove(rundir_fd, src->name);
		unpin(pinp);
		unpin(aliasp);
		goto undo;
	}
	backend_commit(rundir_fd, src->name);
	r = 0;
	goto out;
undo:
	backend_stop(&rec);
	backend_commit(rundir_fd, src->name);
	/* A failed rebuild in place keeps the old record: the next launch finds
	 * the backend dead and rebuilds in this same namespace, so commands
	 * inside can still reconnect; meanwhile they have no way out. */
	if (!fresh)
		delete_iface_in(nsfd, src->name);
out:
	nl_close(&in);
	if (nsfd >= 0)
		close(nsfd);
	close(hostfd);
	return r;
}

static void report_none(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;	/* the launch that asked has reported this file already */
}

/* Under the lock: the tunnel file as it is now, never the launch's copy,
 * which may be stale. The launch resolved its Endpoint names; they stand
 * only for the same bytes. -ESTALE when the file changed: the launch reads
 * it again and retries. */
static int reread_tunnel(const struct tunnel_src *old, struct tunnel *t, struct tunnel_src *src,
			 char *why, size_t whylen)
{
	int errors = 0, r = conf_load_tunnel(old->name, t, src, report_none, &errors, why, whylen);

	if (r == 0 && (src->hash != old->hash || memcmp(&src->id, &old->id, sizeof(src->id))))
		r = -ESTALE;
	if (r == -ESTALE || r == -EINVAL || r == -ENOENT)
		snprintf(why, whylen, "tunnel file %s/tunnels/%s.conf changed during the launch",
			 WGRUN_CONFDIR, old->name);
	if (r < 0) {
		tunnel_free(t);
		return r == -EINVAL || r == -ENOENT ? -ESTALE : r;
	}
	for (size_t i = 0; i < t->n_peers && i < old->t->n_peers; i++)
		t->peers[i].endpoint.addr = old->t->peers[i].endpoint.addr;
	return 0;
}

/* The root child's job (child.c has made it root, in its own session, out
 * of the caller's cgroups): lock, re-read, check warm again, build. */
static int creator(void *arg, void *out, size_t n)
{
	const struct tunnel_src *launch = arg;
	struct tunnel_src src;
	struct tunnel t;
	struct record rec;
	char *why = out;
	int rundir_fd, lockfd, r;

	umask(077);
	if (chdir("/") < 0) {
		r = -errno;
		snprintf(why, n, "chdir /: %s", strerror(-r));
		return r;
	}
	rundir_fd = rundir_prepare(why, n);
	if (rundir_fd < 0)
		return rundir_fd;
	lockfd = lock_tunnel(rundir_fd, launch->name, why, n);
	if (lockfd < 0)
		return lockfd;
	if ((r = check_fresh(why, n)) < 0 || (r = reread_tunnel(launch, &t, &src, why, n)) < 0)
		return r;
	/* Another launch may have built it while we waited for the lock. */
	r = check_warm(rundir_fd, &src, false, &rec, why, n);
	if (r == 0)
		r = build(rundir_fd, &src, why, n);
	else if (r > 0)
		r = 0;
	else
		snprintf(why, n, "cannot check tunnel '%s': %s", launch->name, strerror(-r));
	tunnel_free(&t);
	return r;	/* the lock goes with the process */
}

int netns_create(const struct tunnel_src *src, char *why, size_t whylen)
{
	struct child_job job = {
		.ids = CHILD_ROOT, .timeout_ms = CREATE_TIMEOUT_MS, .fn = creator, .arg = (void *)src,
	};
	char msg[512];
	bool answered;
	int r = child_run(&job, msg, sizeof(msg), &answered);

	msg[sizeof(msg) - 1] = '\0';
	if (answered)
		snprintf(why, whylen, "%s", msg);
	else if (r == -ETIMEDOUT)
		snprintf(why, whylen, "building tunnel '%s' took longer than %d s", src->name,
			 CREATE_TIMEOUT_MS / 1000);
	else if (r == -ECHILD)
		snprintf(why, whylen, "the process building tunnel '%s' died", src->name);
	else
		snprintf(why, whylen, "cannot start the process that builds tunnel '%s': %s",
			 src->name, strerror(-r));
	return r;
}

/* ---- teardown ---- */

static void report_processes_inside(const struct record *rec)
{
	char path[300], list[512] = "";
	size_t n = 0, shown = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", e->d_name);
		if (stat(path, &st) < 0 || st.st_ino != rec->ns_ino || st.st_dev != rec->ns_dev)
			continue;
		n++;
		if (shown < 20) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s%s", shown ? " " : "", e->d_name);
			shown++;
		}
	}
	closedir(d);
	if (n)
		fprintf(stderr, "wgrun: %zu process%s still inside (no way out now): %s%s\n",
			n, n == 1 ? "" : "es", list, n > shown ? " ..." : "");
}

int netns_open_pinned(const char *name, const struct record *rec)
{
	char pinp[256];

	pin_path(pinp, sizeof(pinp), name);
	return pin_open_checked(pinp, rec);
}

bool netns_pinned(const char *name, const struct record *rec)
{
	int fd = netns_open_pinned(name, rec);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int netns_down(const char *name, char *why, size_t whylen)
{
	char pinp[256], aliasp[256], sock[256];
	struct record rec;
	int rundir_fd, lockfd, nsfd, r;
	bool had;

	pin_path(pinp, sizeof(pinp), name);
	alias_path(aliasp, sizeof(aliasp), name);
	rundir_fd = rundir_open();
	if (rundir_fd < 0) {
		snprintf(why, whylen, "tunnel '%s' is not up", name);
		return -ENOENT;
	}
	lockfd = lock_tunnel(rundir_fd, name, why, whylen);
	if (lockfd < 0) {
		close(rundir_fd);
		return lockfd;
	}
	backend_cleanup_pending(rundir_fd, name);
	had = record_read(rundir_fd, name, &rec) == 0;
	if (had) {
		/* Interface and daemon go first, so no handshake outlives the pins. */
		backend_stop(&rec);
		nsfd = pin_open_checked(pinp, &rec);
		if (nsfd >= 0) {
			delete_iface_in(nsfd, name);
			close(nsfd);
		}
		report_processes_inside(&rec);
	}
	unpin(aliasp);
	unpin(pinp);
	session_forget(name);
	r = record_remove(rundir_fd, name);
	snprintf(sock, sizeof(sock), "%s/%s.sock", WGRUN_RUNDIR, name);
	(void)unlink(sock);
	close(lockfd);
	close(rundir_fd);
	if (!had) {
		snprintf(why, whylen, "tunnel '%s' is not up", name);
		return -ENOENT;
	}
	if (r < 0)
		snprintf(why, whylen, "cannot remove the record: %s", strerror(-r));
	return r;
}
