/* SPDX-License-Identifier: ISC */
/* resolve.c - Endpoint host names to addresses.
 *
 * Name service look-ups load NSS modules chosen by the host's configuration;
 * they must not run with root's privileges (sudo CVE-2025-32463 class), nor
 * take long while a lock is held. So they run before the lock, in a child
 * with the caller's ids and an empty environment (child.c), which answers
 * within RESOLVE_TIMEOUT_MS or is killed.
 *
 * A Via tunnel's names are asked through the tunnel it goes through, never
 * by the host, or they would leak outside it: the child enters OTHER's
 * network namespace and a mount namespace of its own whose resolv.conf
 * names OTHER's DNS servers only, with /run emptied (no nscd, no
 * systemd-resolved on the host's side), before it takes the caller's ids. */
#include <errno.h>
#include <sched.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "child.h"
#include "mounts.h"
#include "resolve.h"

#define RESOLVE_TIMEOUT_MS 5000

struct job {
	struct tunnel *t;
	const struct resolve_via *via;
};

/* As root, in the child, for a Via tunnel: stand where OTHER's commands do. */
static int through_other(const struct job *job, char *why, size_t n)
{
	struct stat st;
	int r;

	if (setns(job->via->nsfd, CLONE_NEWNET) < 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		snprintf(why, n, "cannot enter tunnel '%s' to resolve through it: %s", job->via->name,
			 strerror(errno));
		return -errno;
	}
	if ((r = mounts_resolver(job->via->t, why, n)) < 0)
		return r;
	/* Then /run emptied (the overlay keeps its layer under it): no nscd
	 * or systemd-resolved socket of the host's answers here. */
	if (mount("wgrun-resolve", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k") < 0 ||
	    /* where /var/run is a directory of its own, nscd's socket is there */
	    (lstat("/var/run", &st) == 0 && S_ISDIR(st.st_mode) &&
	     mount("wgrun-resolve", "/var/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k") < 0)) {
		snprintf(why, n, "cannot hide the host's /run from the look-up: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* In the child, still root: this copy of the tunnel is about to become the
 * caller's, so no key may be in it; then, for a Via tunnel, OTHER's view. */
static void wipe_keys(struct tunnel *t)
{
	explicit_bzero(t->private_key, sizeof(t->private_key));
	for (size_t i = 0; i < t->n_peers; i++)
		explicit_bzero(t->peers[i].preshared_key, sizeof(t->peers[i].preshared_key));
}

static int before_drop(void *arg, char *why, size_t n)
{
	const struct job *job = arg;

	wipe_keys(job->t);
	if (!job->via)
		return 0;
	wipe_keys(job->via->t);	/* OTHER's copy too: only its DNS= is needed */
	return through_other(job, why, n);
}

/* In the child, as the caller: the first answer for each host name, as
 * wg(8) takes it; a name without one is left AF_UNSPEC. */
static int look_up(void *arg, void *out, size_t n)
{
	struct tunnel *t = ((struct job *)arg)->t;
	struct ipaddr *addrs = out;

	for (size_t i = 0; i < t->n_peers && (i + 1) * sizeof(*addrs) <= n; i++) {
		struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;

		if (!peer_endpoint_named(&t->peers[i]) || getaddrinfo(t->peers[i].endpoint.host, NULL, &hints, &res) || !res)
			continue;
		if (res->ai_family == AF_INET) {
			addrs[i].family = AF_INET;
			memcpy(addrs[i].bytes, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
		} else if (res->ai_family == AF_INET6) {
			addrs[i].family = AF_INET6;
			memcpy(addrs[i].bytes, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
		}
		freeaddrinfo(res);
	}
	return 0;
}

int resolve_endpoints(struct tunnel *t, uid_t uid, gid_t gid, const struct resolve_via *via,
		      char *why, size_t whylen)
{
	static struct ipaddr addrs[TUNNEL_MAX_PEERS];
	struct job arg = { t, via };
	struct child_job job = {
		.ids = CHILD_CALLER, .uid = uid, .gid = gid, .timeout_ms = RESOLVE_TIMEOUT_MS,
		.prepare = before_drop, .fn = look_up, .arg = &arg,
	};
	size_t first = t->n_peers;
	bool answered;
	int r;

	for (size_t i = t->n_peers; i-- > 0;)
		if (peer_endpoint_named(&t->peers[i]))
			first = i;
	if (first == t->n_peers)
		return 0;
	r = child_run(&job, addrs, sizeof(addrs), &answered);
	if (answered && r < 0) {
		snprintf(why, whylen, "%s", (const char *)addrs);	/* the child's own message */
		return r;
	}
	if (!answered || r < 0) {
		snprintf(why, whylen, "cannot resolve Endpoint host '%s' of peer %zu%s%s within %d s%s",
			 t->peers[first].endpoint.host, first + 1, via ? " through tunnel " : "",
			 via ? via->name : "", RESOLVE_TIMEOUT_MS / 1000,
			 r == -ETIMEDOUT ? "" : " (the look-up failed)");
		return r < 0 ? r : -EIO;
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		if (!peer_endpoint_named(&t->peers[i]))
			continue;
		if (addrs[i].family != AF_INET && addrs[i].family != AF_INET6) {
			snprintf(why, whylen, "Endpoint host '%s' of peer %zu has no address",
				 t->peers[i].endpoint.host, i + 1);
			return -ENOENT;
		}
		t->peers[i].endpoint.addr = addrs[i];
	}
	return 0;
}
