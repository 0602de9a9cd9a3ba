/* resolve.c - Endpoint host names to addresses.
 *
 * Name service look-ups load NSS modules chosen by the host's configuration;
 * they must not run with root's privileges (sudo CVE-2025-32463 class), nor
 * take long while a lock is held. So they run before the lock, in a child
 * that has dropped to the caller's ids with an empty environment, and the
 * parent waits at most RESOLVE_TIMEOUT_MS, then kills it. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "resolve.h"

#define RESOLVE_TIMEOUT_MS 5000

static void child(int out, struct tunnel *t, uid_t uid, gid_t gid)
{
	/* This copy of the tunnel runs as the caller: no key may be in it. */
	explicit_bzero(t->private_key, sizeof(t->private_key));
	for (size_t i = 0; i < t->n_peers; i++)
		explicit_bzero(t->peers[i].preshared_key, sizeof(t->peers[i].preshared_key));
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(1);
	clearenv();
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct endpoint *e = &t->peers[i].endpoint;
		struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
		struct ipaddr a = { 0 };

		if (!t->peers[i].has_endpoint || e->is_literal)
			continue;
		if (getaddrinfo(e->host, NULL, &hints, &res) == 0 && res) {
			/* First answer, as wg(8) takes it. */
			if (res->ai_family == AF_INET) {
				a.family = AF_INET;
				memcpy(a.bytes, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
			} else if (res->ai_family == AF_INET6) {
				a.family = AF_INET6;
				memcpy(a.bytes, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
			}
			freeaddrinfo(res);
		}
		if (write(out, &a, sizeof(a)) != sizeof(a))
			_exit(1);
	}
	_exit(0);
}

int resolve_endpoints(struct tunnel *t, uid_t uid, gid_t gid, char *why, size_t whylen)
{
	struct timespec ts;
	long long deadline;
	size_t need = 0;
	int p[2];
	pid_t pid;

	for (size_t i = 0; i < t->n_peers; i++)
		need += t->peers[i].has_endpoint && !t->peers[i].endpoint.is_literal;
	if (!need)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[0]);
		child(p[1], t, uid, gid);
	}
	close(p[1]);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + RESOLVE_TIMEOUT_MS;
	for (size_t i = 0; i < t->n_peers; i++) {
		struct endpoint *e = &t->peers[i].endpoint;
		struct ipaddr a;
		size_t got = 0;

		if (!t->peers[i].has_endpoint || e->is_literal)
			continue;
		while (got < sizeof(a)) {
			struct pollfd pfd = { p[0], POLLIN, 0 };
			long long now;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
			int n = now < deadline ? poll(&pfd, 1, (int)(deadline - now)) : 0;
			if (n < 0 && errno == EINTR)
				continue;
			ssize_t r = n > 0 ? read(p[0], (char *)&a + got, sizeof(a) - got) : -1;
			if (r <= 0) {
				kill(pid, SIGKILL);
				(void)waitpid(pid, NULL, 0);
				close(p[0]);
				snprintf(why, whylen, "cannot resolve Endpoint host '%s' of peer %zu within %d s",
					 e->host, i + 1, RESOLVE_TIMEOUT_MS / 1000);
				return -ETIMEDOUT;
			}
			got += (size_t)r;
		}
		if (a.family != AF_INET && a.family != AF_INET6) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, NULL, 0);
			close(p[0]);
			snprintf(why, whylen, "Endpoint host '%s' of peer %zu has no address", e->host, i + 1);
			return -ENOENT;
		}
		e->addr = a;
	}
	close(p[0]);
	(void)waitpid(pid, NULL, 0);
	return 0;
}
