/* SPDX-License-Identifier: ISC */
/* conf.h - loading the policy and tunnel files from CONFDIR. */
#ifndef WGRUN_CONF_H
#define WGRUN_CONF_H

#include "cfgfile.h"
#include "policy.h"
#include "tunnel.h"

/* What a file was when it was read: identity and a hash of its contents. */
struct conf_stamp {
	struct cfg_identity id;
	uint64_t hash;
};

/* A tunnel file as read for a launch: its name, model, and what it was. */
struct tunnel_src {
	const char *name;
	const struct tunnel *t;
	struct cfg_identity id;		/* of the tunnel file as read */
	uint64_t hash;			/* of its contents */
};

/* Read and parse CONFDIR/policy; parse errors go to report; stamp (if not
 * NULL) records the file read. 0, -EINVAL when the file has errors, or
 * another -errno with why (a file problem). */
int conf_load_policy(struct policy *p, struct conf_stamp *stamp, report_fn report, void *ctx,
		     char *why, size_t whylen);

/* Is CONFDIR/policy still the file of stamp? 0, -ESTALE or -errno, with why. */
int conf_policy_unchanged(const struct conf_stamp *stamp, char *why, size_t whylen);

/* Read and parse CONFDIR/tunnels/NAME.conf into t, filling src (identity and
 * hash of the file). Same returns; -ENOENT when the file does not exist. */
int conf_load_tunnel(const char *name, struct tunnel *t, struct tunnel_src *src,
		     report_fn report, void *ctx, char *why, size_t whylen);

/* Is CONFDIR/tunnels/NAME.conf still the file src was read from (identity and
 * contents), and still safe to read? 0, -ESTALE with why, or -errno with why. */
int conf_tunnel_unchanged(const struct tunnel_src *src, char *why, size_t whylen);

/* The tunnel names in CONFDIR/tunnels, sorted, at most max; files that are
 * not NAME.conf with a valid NAME are printed as problems (when problems is
 * not NULL, which counts them) and skipped. */
size_t conf_tunnel_names(char names[][TUNNEL_NAME_MAX + 1], size_t max, int *problems);

/* Under the builder's lock: the tunnel file as it is now, never the
 * launch's copy (old), which may be stale; its problems are not reported
 * again. The launch resolved its Endpoint names; they stand only for the
 * same bytes, and are copied. 0, -ESTALE when the file changed (the launch
 * reads it again and retries), or -errno with why. */
int conf_tunnel_again(const struct tunnel_src *old, struct tunnel *t, struct tunnel_src *src,
		      char *why, size_t whylen);

/* Follow t's Via chain (t is tunnel name's): every tunnel it goes through
 * has a tunnel file that parses, none appears twice, name not at all, at
 * most VIA_MAX deep. Each problem goes to report as "FILE line N: ...".
 * 0, or -EINVAL. */
#define VIA_MAX 8
int conf_check_via(const char *name, const struct tunnel *t, report_fn report, void *ctx);

#endif
