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
#include "resolve.h"
#include "up.h"

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

int up_tunnel(const char *name, struct tunnel *t, struct tunnel_src *src, const struct caller *c,
	      bool join, char *why, size_t whylen)
{
	char reason[512] = "";
	int r;

	for (int attempt = 1;; attempt++) {
		if ((r = load(name, t, src, why, whylen)) < 0)
			return r;
		if ((r = netns_join_warm(src, join, reason, sizeof(reason))) < 0) {
			snprintf(why, whylen, "cannot check tunnel '%s': %s", name, strerror(-r));
			break;
		}
		if (r > 0)
			return UP_WARM;
		if ((r = resolve_endpoints(t, c->uid, c->gid, reason, sizeof(reason))) < 0) {
			snprintf(why, whylen, "tunnel '%s': %s", name, reason);
			break;
		}
		r = netns_create(src, reason, sizeof(reason));
		if (r == -ESTALE && attempt < 3) {
			tunnel_free(t);
			continue;
		}
		if (r < 0) {
			audit("create-failed tunnel=%s uid=%u user=%s reason=%s", name,
			      (unsigned)c->uid, c->name, reason);
			snprintf(why, whylen, "cannot bring tunnel '%s' up: %s", name, reason);
			break;
		}
		audit("created tunnel=%s uid=%u user=%s", name, (unsigned)c->uid, c->name);
		if ((r = netns_join_warm(src, join, reason, sizeof(reason))) <= 0) {
			snprintf(why, whylen, "tunnel '%s' was built but is not usable: %s", name, reason);
			r = r < 0 ? r : -EIO;
			break;
		}
		return UP_BUILT;
	}
	tunnel_free(t);
	return r;
}
