/* wg_user.h - the userspace WireGuard backend (wireguard-go). */
#ifndef WGRUN_WG_USER_H
#define WGRUN_WG_USER_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"
#include "tunnel.h"

int wg_user_create(const struct tunnel *t, const char *ifname, int nsfd, int rundir_fd,
		   struct record *rec, char *why, size_t whylen);
bool wg_user_alive(const struct record *rec);
void wg_user_stop(const struct record *rec);

#endif
