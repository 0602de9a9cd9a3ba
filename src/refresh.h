/* SPDX-License-Identifier: ISC */
/* refresh.h - a running tunnel's backend asked and told from a root child. */
#ifndef WGRUN_REFRESH_H
#define WGRUN_REFRESH_H

#include <stdbool.h>

#include "backend.h"
#include "conf.h"

/* The figures of the tunnel behind rec; zeros when it does not answer in
 * 2 s. */
void refresh_stats(const char *name, const struct record *rec, struct wg_stats *st);

/* Does tunnel src, up as recorded (rec filled), have Endpoint host names
 * that must be resolved again: no handshake for WGRUN_STALE_HANDSHAKE_S, or
 * never, and not looked at for as long? A healthy tunnel's look is noted,
 * so the launches after it pay one stat until the next. */
bool refresh_due(const struct tunnel_src *src, struct record *rec);

/* Point rec's peers at the addresses now in t, in place, and note when.
 * 0 or -errno. */
int refresh_endpoints(const char *name, const struct record *rec, const struct tunnel *t);

/* A cold start resolved src's names: note when. */
void refresh_built(const struct tunnel_src *src);

/* When the Endpoint names were last resolved, seconds since the epoch, or
 * -1. */
long long refresh_last(int rundir_fd, const char *name);

#endif
