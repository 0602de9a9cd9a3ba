/* SPDX-License-Identifier: ISC */
/* up.c - bring a tunnel up: warm when it is, built when it is not.
 *
 * One sequence for a launch (main.c, which then joins) and for wgrun --up
 * (services.c, which joins nothing and runs nothing): read the tunnel file,
 * check the tunnel warm, else resolve its Endpoint names as the caller and
 * build it in the root creation child (netns.c). The builder re-reads the
 * file under its lock; when it changed since we read it (-ESTALE), we read
 * it again, resolve again, and retry, a few times. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "netns.h"
#include "refresh.h"
#include "resolve.h"
#include "up.h"

static int up_chain(const char *name, struct tunnel *t, struct tunnel_src *src, const struct caller *c,
		    bool join, int depth, char *why, size_t whylen);

static int load(const char *name, struct tunnel *t, struct tunnel_src *src, char *why, size_t whylen)
{
	char reason[512];
	int errors = 0, r = conf_load_tunnel(name, t, src, log_report, &errors, reason, sizeof(reason));

	if (r == -ENOENT)
		snprintf(why, whylen, "unknown tunnel '%s': %s/tunnels/%s.conf does not exist", name,
			 WGRUN_CONFDIR, name);
	else if (r == -EINVAL)
		snprintf(why, whylen, "tunnel file %s/tunnels/%s.conf has %d error%s", WGRUN_CONFDIR, name,
			 errors, errors == 1 ? "" : "s");
	else if (r < 0)
		snprintf(why, whylen, "cannot read tunnel '%s': %s", name, reason);
	return r;
}

/* Endpoint names as the caller: by the host, or for Via = OTHER through
 * OTHER (other, up), never by the host. */
static int resolve(const char *name, struct tunnel *t, struct tunnel *other,
		   const struct caller *c, char *why, size_t whylen)
{
	struct resolve_via via = { .name = t->via, .nsfd = -1, .t = other };
	char reason[512] = "";
	int r = 0;

	if (other && (via.nsfd = netns_open_up(t->via)) < 0) {
		r = via.nsfd;
		snprintf(reason, sizeof(reason), "it goes through '%s', which is not up: %s", t->via,
			 strerror(-r));
	}
	if (r == 0)
		r = resolve_endpoints(t, c->uid, c->gid, other ? &via : NULL, reason, sizeof(reason));
	if (r < 0)
		snprintf(why, whylen, "tunnel '%s': %s", name, reason);
	if (via.nsfd >= 0)
		close(via.nsfd);
	return r;
}

/* A tunnel up as recorded whose Endpoint names may have moved (no handshake
 * for long): resolved again, as a cold start would, and its peers pointed
 * at the new addresses in place. Best effort: the launch goes on either
 * way, and fails closed through the tunnel it has. */
static void refresh_names(const char *name, struct tunnel *t, const struct tunnel_src *src,
			  struct tunnel *other, const struct caller *c)
{
	struct record rec;
	char why[512];
	int r;

	if (!refresh_due(src, &rec))
		return;
	if ((r = resolve(name, t, other, c, why, sizeof(why))) == 0 &&
	    (r = refresh_endpoints(name, &rec, t)) == 0)
		audit("re-resolved tunnel=%s uid=%u user=%s", name, (unsigned)c->uid, c->name);
	else
		audit("re-resolve-failed tunnel=%s uid=%u user=%s error=%d", name, (unsigned)c->uid,
		      c->name, -r);
}

/* One attempt: OTHER up first for Via = OTHER (as the caller, without a
 * policy decision: it carries only this tunnel's ciphertext), so that this
 * tunnel's warm check covers the whole chain; then warm, or resolve and
 * build. UP_WARM, UP_BUILT, or -errno with why. */
static int attempt(const char *name, struct tunnel *t, struct tunnel_src *src, const struct caller *c,
		   bool join, int depth, char *why, size_t whylen)
{
	struct tunnel other = { 0 };
	struct tunnel_src osrc;
	char reason[512] = "";
	int errors = 0, r;

	if (t->via[0]) {
		if (depth >= VIA_MAX || conf_check_via(name, t, log_report, &errors) < 0) {
			snprintf(why, whylen, "tunnel '%s': its Via chain is broken (see above)", name);
			return -EINVAL;
		}
		if ((r = up_chain(t->via, &other, &osrc, c, false, depth + 1, why, whylen)) < 0)
			return r;
	}
	refresh_names(name, t, src, t->via[0] ? &other : NULL, c);
	if ((r = netns_join_warm(src, join, reason, sizeof(reason))) < 0)
		snprintf(why, whylen, "cannot check tunnel '%s': %s", name, strerror(-r));
	else if (r > 0)
		r = UP_WARM;
	else if ((r = resolve(name, t, t->via[0] ? &other : NULL, c, why, whylen)) == 0 &&
		 (r = netns_create(src, reason, sizeof(reason))) < 0 && r != -ESTALE) {
		audit("create-failed tunnel=%s uid=%u user=%s reason=%s", name, (unsigned)c->uid,
		      c->name, reason);
		snprintf(why, whylen, "cannot bring tunnel '%s' up: %s", name, reason);
	} else if (r == 0) {
		audit("created tunnel=%s uid=%u user=%s", name, (unsigned)c->uid, c->name);
		refresh_built(src);
		if ((r = netns_join_warm(src, join, reason, sizeof(reason))) <= 0) {
			snprintf(why, whylen, "tunnel '%s' was built but is not usable: %s", name, reason);
			r = r < 0 ? r : -EIO;
		} else {
			r = UP_BUILT;
		}
	}
	tunnel_free(&other);
	return r;
}

static int up_chain(const char *name, struct tunnel *t, struct tunnel_src *src, const struct caller *c,
		    bool join, int depth, char *why, size_t whylen)
{
	int r;

	for (int n = 1;; n++) {
		if ((r = load(name, t, src, why, whylen)) < 0)
			return r;
		r = attempt(name, t, src, c, join, depth, why, whylen);
		if (r > 0)
			return r;
		tunnel_free(t);
		if (r != -ESTALE || n == 3)
			break;
	}
	if (r == -ESTALE)
		snprintf(why, whylen, "tunnel file %s/tunnels/%s.conf kept changing during the launch",
			 WGRUN_CONFDIR, name);
	return r;
}

int up_tunnel(const char *name, struct tunnel *t, struct tunnel_src *src, const struct caller *c,
	      bool join, char *why, size_t whylen)
{
	return up_chain(name, t, src, c, join, 0, why, whylen);
}
