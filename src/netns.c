/* SPDX-License-Identifier: ISC */
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
 * Names and locks in RUNDIR are rundir.c's; the namespace's contents
 * inside.c's; the WireGuard interface the backend's (backend.c). */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "backend.h"
#include "child.h"
#include "conf.h"
#include "config.h"
#include "inside.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "ns.h"
#include "proc.h"
#include "record.h"
#include "rundir.h"
#include "session.h"
#include "view.h"
#include "timing.h"

#define CREATE_TIMEOUT_MS WGRUN_CREATE_TIMEOUT_MS

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

/* The pinned namespace of tunnel name as its record says, with the record. */
static int open_recorded(int rundir_fd, const char *name, struct record *rec)
{
	char pin[128];
	int r;

	if ((r = record_read(rundir_fd, name, rec)) < 0)
		return r;
	if ((r = rundir_path(pin, sizeof(pin), name, RUN_PIN)) < 0)
		return r;
	return pin_open_checked(pin, rec);
}

/* Via = OTHER: is OTHER up in the namespace this tunnel's socket was made
 * in? A rebuilt OTHER (a new namespace) means this one must be rebuilt. */
static bool via_holds(int rundir_fd, const struct tunnel_src *src, const struct record *rec)
{
	struct record other;
	int fd;

	if (!src->t->via[0])
		return rec->via_ino == 0;
	if ((fd = open_recorded(rundir_fd, src->t->via, &other)) < 0)
		return false;
	close(fd);
	return backend_alive(&other) && record_carries(&other, rec);
}

static bool conf_matches(const struct record *rec, const struct tunnel_src *src)
{
	return rec->conf.dev == src->id.dev && rec->conf.ino == src->id.ino &&
	       rec->conf.size == src->id.size &&
	       rec->conf.ctime_sec == src->id.ctime_sec && rec->conf.ctime_nsec == src->id.ctime_nsec &&
	       rec->conf.mtime_sec == src->id.mtime_sec && rec->conf.mtime_nsec == src->id.mtime_nsec &&
	       rec->conf_hash == src->hash;
}

/* The whole warm check. On success returns the pin's descriptor and, when
 * stay is set, leaves us inside the namespace. */
static int check_warm(int rundir_fd, const struct tunnel_src *src, bool stay,
		      struct record *rec, char *why, size_t whylen)
{
	char pin[256], alias[256];
	int nsfd = -1, afd, hostfd = -1, r;
	struct nft_seen seen = { -1, -1 }, known;

	if ((r = record_read(rundir_fd, src->name, rec)) < 0) {
		snprintf(why, whylen, "no record");
		return 0;
	}
	if (!conf_matches(rec, src)) {
		snprintf(why, whylen, "the tunnel file changed since the tunnel was built");
		return 0;
	}
	if (rundir_path(pin, sizeof(pin), src->name, RUN_PIN) < 0 ||
	    rundir_path(alias, sizeof(alias), src->name, RUN_ALIAS) < 0)
		return -ENAMETOOLONG;
	nsfd = pin_open_checked(pin, rec);
	if (nsfd < 0) {
		snprintf(why, whylen, "namespace pin missing or not the recorded one");
		return 0;
	}
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
	if (!via_holds(rundir_fd, src, rec)) {
		snprintf(why, whylen, "the tunnel it goes through (Via = %s) is down or was rebuilt",
			 src->t->via);
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
	seen.gen = rundir_stamp_read(rundir_fd, src->name, RUN_NFTGEN, &seen.cookie);
	known = seen;
	if (!inside_intact(src->name, src->t, rec->ifindex, &seen)) {
		snprintf(why, whylen, "the tunnel interface or its kill switch is missing, or it is down");
		if (setns(hostfd, CLONE_NEWNET) < 0)
			_exit(EXIT_WGRUN);	/* never go on standing in the wrong place */
		close(hostfd);
		goto cold;
	}
	if (!stay && setns(hostfd, CLONE_NEWNET) < 0)
		_exit(EXIT_WGRUN);
	if (seen.gen != known.gen || seen.cookie != known.cookie)
		rundir_stamp_write(rundir_fd, src->name, RUN_NFTGEN, seen.gen, seen.cookie);
	close(hostfd);
	close(nsfd);
	return 1;
cold:
	close(nsfd);
	return 0;
}

int netns_join_warm(const struct tunnel_src *src, bool join, char *why, size_t whylen)
{
	struct record rec;
	int fd = rundir_open(), r;

	if (fd < 0) {
		snprintf(why, whylen, "%s does not exist yet", WGRUN_RUNDIR);
		return fd == -ENOENT ? 0 : fd;
	}
	r = check_warm(fd, src, join, &rec, why, whylen);
	/* A launch (or --up) is activity: --down --idle starts counting again.
	 * Only tunnels with IdleDown pay this one unlink. */
	if (r > 0 && rec.idle_down)
		rundir_forget(fd, src->name, RUN_IDLE);
	close(fd);
	return r;
}

/* ---- building, in the root child ---- */

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

/* Work the launch has given up on (a child frozen in the caller's cgroup
 * before it could leave it, then released) is not done (SECURITY.md row 34). */
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

static size_t carried(const char *name, const struct record *rec, bool take);

/* One build, from a namespace to its publication. */
struct build {
	const struct tunnel_src *src;
	int rundir_fd, hostfd, nsfd;
	int via_nsfd;		/* Via = OTHER: OTHER's namespace, else -1 */
	bool fresh;		/* a new namespace, not the published one */
	bool created;		/* the backend runs: undo it on failure */
	struct nl in;		/* route socket inside the namespace */
	struct record rec;
	char pinp[128], aliasp[128];
};

/* Stand in the namespace to configure: the published one when it is the
 * recorded one, so commands already inside reconnect (its old backend and
 * interface go first); otherwise a new one, after removing what is left. */
static int prepare(struct build *b, char *why, size_t whylen)
{
	const char *name = b->src->name;
	struct record old;
	int r;

	b->hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (b->hostfd < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot open the host network namespace: %s", strerror(-r));
		return r;
	}
	bool had = record_read(b->rundir_fd, name, &old) == 0;

	if (had) {
		backend_down(&old);
		b->nsfd = pin_open_checked(b->pinp, &old);
		if (b->nsfd >= 0)
			(void)inside_delete_iface(b->nsfd, name);
	}
	if (b->nsfd >= 0) {
		if (setns(b->nsfd, CLONE_NEWNET) == 0)
			return 0;
		r = -errno;
		snprintf(why, whylen, "cannot enter the tunnel namespace: %s", strerror(-r));
		return r;
	}
	/* A new namespace: what went through the old one (Via) goes first,
	 * so that no record names a namespace that is gone, whose inode
	 * number the kernel may give to another. */
	if (had)
		(void)carried(name, &old, true);
	(void)record_remove(b->rundir_fd, name);
	unpin(b->aliasp);
	unpin(b->pinp);
	b->fresh = true;
	if (unshare(CLONE_NEWNET) < 0 || (b->nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot create a network namespace: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* Inside: settings, lo and the kill switch; then, back in the host's
 * namespace, the backend and the interface's addresses and routes. */
static int configure(struct build *b, char *why, size_t whylen)
{
	const struct tunnel_src *src = b->src;
	int r = inside_prepare(&b->in, src->name, src->t, !b->fresh, why, whylen);

	if (setns(b->hostfd, CLONE_NEWNET) < 0)
		_exit(EXIT_WGRUN);	/* never go on standing in the wrong place */
	timing_mark("c.inside");
	if (r < 0)
		return r;
	if (src->t->via[0]) {
		struct record other;

		if ((b->via_nsfd = open_recorded(b->rundir_fd, src->t->via, &other)) < 0 ||
		    !backend_alive(&other)) {
			snprintf(why, whylen, "the tunnel it goes through (Via = %s) is not up", src->t->via);
			return -ENETDOWN;
		}
		b->rec.via_dev = other.ns_dev;
		b->rec.via_ino = other.ns_ino;
		b->rec.via_cookie = other.ns_cookie;
	}
	if ((r = backend_create(src->t, src->name, b->nsfd, b->via_nsfd, b->rundir_fd, &b->rec,
				why, whylen)) < 0)
		return r;
	b->created = true;
	timing_mark("c.backend");
	return inside_configure(&b->in, src->t, src->name, &b->rec.ifindex, why, whylen);
}

/* The record names the namespace, the backend and the file it came from. */
static int record_build(struct build *b, char *why, size_t whylen)
{
	struct ns_id id;
	socklen_t len;
	int r;

	if ((r = ns_identify(b->nsfd, &id)) < 0) {
		snprintf(why, whylen, "cannot identify the namespace: %s", strerror(-r));
		return r;
	}
	b->rec.ns_dev = id.dev;
	b->rec.ns_ino = id.ino;
	/* The route socket made inside tells the namespace's cookie. */
	len = sizeof(b->rec.ns_cookie);
	if (getsockopt(mnl_socket_get_fd(b->in.sock), SOL_SOCKET, SO_NETNS_COOKIE, &b->rec.ns_cookie,
		       &len) < 0)
		b->rec.ns_cookie = 0;	/* a kernel before 5.14: inode numbers alone */
	b->rec.conf = b->src->id;
	b->rec.conf_hash = b->src->hash;
	b->rec.idle_down = b->src->t->idle_down;
	/* Nothing is published later than the launch would wait for it. */
	if ((r = check_fresh(why, whylen)) < 0)
		return r;
	if ((r = record_write(b->rundir_fd, b->src->name, &b->rec)) < 0)
		snprintf(why, whylen, "cannot write the tunnel record: %s", strerror(-r));
	return r;
}

/* Publish last: the authoritative pin, then the alias for other tools. */
static int publish(struct build *b, char *why, size_t whylen)
{
	int r;

	if ((b->fresh && (r = pin(b->pinp, b->nsfd)) < 0) || (r = pin(b->aliasp, b->nsfd)) < 0) {
		snprintf(why, whylen, "cannot pin the namespace: %s", strerror(-r));
		(void)record_remove(b->rundir_fd, b->src->name);
		unpin(b->pinp);
		unpin(b->aliasp);
		return r;
	}
	backend_commit(b->rundir_fd, b->src->name);
	rundir_forget(b->rundir_fd, b->src->name, RUN_IDLE);
	if (b->fresh)	/* views of the namespace that is gone: never again */
		view_forget(b->src->name);
	return 0;
}

static int build(int rundir_fd, const struct tunnel_src *src, char *why, size_t whylen)
{
	struct build b = { .src = src, .rundir_fd = rundir_fd, .hostfd = -1, .nsfd = -1, .via_nsfd = -1 };
	int r;

	if ((r = rundir_path(b.pinp, sizeof(b.pinp), src->name, RUN_PIN)) < 0 ||
	    (r = rundir_path(b.aliasp, sizeof(b.aliasp), src->name, RUN_ALIAS)) < 0)
		return r;
	backend_pending(rundir_fd, src->name);
	timing_mark("c.start");
	if ((r = prepare(&b, why, whylen)) == 0 && (timing_mark("c.prepare"), r = configure(&b, why, whylen)) == 0 &&
	    (timing_mark("c.configure"), r = record_build(&b, why, whylen)) == 0)
		r = publish(&b, why, whylen);
	timing_mark("c.publish");
	/* The one clean-up path. A failed rebuild in place keeps the old
	 * record: the next launch finds the backend dead and rebuilds in this
	 * same namespace, so commands inside can still reconnect; meanwhile
	 * they have no way out. */
	if (r < 0 && b.created) {
		backend_down(&b.rec);
		backend_commit(rundir_fd, src->name);
		if (!b.fresh)
			(void)inside_delete_iface(b.nsfd, src->name);
	}
	nl_close(&b.in);
	if (b.nsfd >= 0)
		close(b.nsfd);
	if (b.via_nsfd >= 0)
		close(b.via_nsfd);
	if (b.hostfd >= 0)
		close(b.hostfd);
	return r;
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
	lockfd = rundir_lock(rundir_fd, launch->name, why, n);
	if (lockfd < 0)
		return lockfd;
	if ((r = check_fresh(why, n)) < 0 || (r = conf_tunnel_again(launch, &t, &src, why, n)) < 0)
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

int netns_open_up(const char *name)
{
	struct record rec;
	int fd = rundir_open(), r;

	if (fd < 0)
		return fd;
	r = open_recorded(fd, name, &rec);
	close(fd);
	return r;
}

int netns_open_pinned(const char *name, const struct record *rec)
{
	char pinp[256];

	if (rundir_path(pinp, sizeof(pinp), name, RUN_PIN) < 0)
		return -ENAMETOOLONG;
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

/* The tunnels whose socket lives in rec's namespace (Via = name): with
 * take, each is taken down first, and said so; the count either way. */
static size_t carried(const char *name, const struct record *rec, bool take)
{
	char other[TUNNEL_NAME_MAX + 1], why[256];
	struct record orec;
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir(WGRUN_RUNDIR);
	int fd = rundir_open();

	while (d && fd >= 0 && (e = readdir(d))) {
		if (!rundir_record_of(e->d_name, other) || record_read(fd, other, &orec) < 0 ||
		    !record_carries(rec, &orec))
			continue;
		n++;
		if (take && netns_down(other, NULL, NULL, why, sizeof(why)) == 0) {
			fprintf(stderr, "wgrun: tunnel '%s' went through '%s': taken down as well\n", other, name);
			audit("down tunnel=%s reason=carrier-down carrier=%s", other, name);
		}
	}
	if (d)
		closedir(d);
	if (fd >= 0)
		close(fd);
	return n;
}

int netns_down(const char *name, bool (*keep)(int rundir_fd, const char *name,
					       const struct record *rec, void *ctx),
	       void *ctx, char *why, size_t whylen)
{
	char pinp[128], aliasp[128], inside[160];
	struct record rec;
	int rundir_fd, lockfd, nsfd, r;
	size_t n;
	bool had;

	if (rundir_path(pinp, sizeof(pinp), name, RUN_PIN) < 0 ||
	    rundir_path(aliasp, sizeof(aliasp), name, RUN_ALIAS) < 0)
		return -ENAMETOOLONG;
	rundir_fd = rundir_open();
	if (rundir_fd < 0) {
		snprintf(why, whylen, "tunnel '%s' is not up", name);
		return -ENOENT;
	}
	lockfd = rundir_lock(rundir_fd, name, why, whylen);
	if (lockfd < 0) {
		close(rundir_fd);
		return lockfd;
	}
	timing_mark("d.start");
	backend_pending(rundir_fd, name);
	had = record_read(rundir_fd, name, &rec) == 0;
	if (had && keep && (keep(rundir_fd, name, &rec, ctx) || carried(name, &rec, false))) {
		close(lockfd);
		close(rundir_fd);
		snprintf(why, whylen, "tunnel '%s' is in use again", name);
		return -EBUSY;
	}
	if (had) {
		/* What goes through it first: it would carry nothing any more. */
		(void)carried(name, &rec, true);
		/* Interface and daemon go first, so no handshake outlives the pins. */
		backend_down(&rec);
		timing_mark("d.backend");
		nsfd = pin_open_checked(pinp, &rec);
		if (nsfd >= 0) {
			/* Something may still hold the namespace (a command inside):
			 * an interface left there would keep its host port and key. */
			if ((r = inside_delete_iface(nsfd, name)) < 0)
				fprintf(stderr, "wgrun: cannot delete tunnel '%s''s interface: %s\n", name,
					strerror(-r));
			close(nsfd);
		}
		timing_mark("d.iface");
		if ((n = proc_in_netns(rec.ns_dev, rec.ns_ino, NULL, inside, sizeof(inside))))
			fprintf(stderr, "wgrun: %zu process%s still inside (no way out now): %s\n",
				n, n == 1 ? "" : "es", inside);
	}
	timing_mark("d.scan");
	unpin(aliasp);
	unpin(pinp);
	session_forget(name);
	view_forget(name);
	timing_mark("d.forget");
	r = record_remove(rundir_fd, name);
	rundir_forget(rundir_fd, name, RUN_IDLE);
	rundir_forget(rundir_fd, name, RUN_NFTGEN);
	rundir_forget(rundir_fd, name, RUN_RESOLVED);
	backend_forget(name);
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
