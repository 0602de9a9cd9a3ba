/* SPDX-License-Identifier: ISC */
/* wg_user.h - the userspace WireGuard backend (wireguard-go); backend.c only. */
#ifndef WGRUN_WG_USER_H
#define WGRUN_WG_USER_H

#include "backend.h"

int wg_user_create(const struct tunnel *t, const char *ifname, int nsfd, int via_nsfd,
		   int rundir_fd, struct record *rec, char *why, size_t whylen);
bool wg_user_alive(const struct record *rec);
void wg_user_stop(const struct record *rec);
int wg_user_stats(const char *tunnel, struct wg_stats *st);
int wg_user_set_endpoints(const char *tunnel, const struct tunnel *t);
void wg_user_pending(int rundir_fd, const char *tunnel);
void wg_user_commit(int rundir_fd, const char *tunnel);
void wg_user_forget(const char *tunnel);

#endif
