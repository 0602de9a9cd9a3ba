/* conf.h - loading the policy and tunnel files from CONFDIR. */
#ifndef WGRUN_CONF_H
#define WGRUN_CONF_H

#include <stddef.h>

#include "netns.h"
#include "policy.h"
#include "tunnel.h"

/* Read and parse CONFDIR/policy; parse errors go to report. 0, -EINVAL when
 * the file has errors, or another -errno with why (a file problem). */
int conf_load_policy(struct policy *p, report_fn report, void *ctx, char *why, size_t whylen);

/* Read and parse CONFDIR/tunnels/NAME.conf into t, filling src (identity and
 * hash of the file). Same returns; -ENOENT when the file does not exist. */
int conf_load_tunnel(const char *name, struct tunnel *t, struct tunnel_src *src,
		     report_fn report, void *ctx, char *why, size_t whylen);

/* Is CONFDIR/tunnels/NAME.conf still the file src was read from (identity and
 * contents), and still safe to read? 0, -ESTALE with why, or -errno with why. */
int conf_tunnel_unchanged(const struct tunnel_src *src, char *why, size_t whylen);

#endif
