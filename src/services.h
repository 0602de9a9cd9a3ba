/* SPDX-License-Identifier: ISC */
/* services.h - tunnels without a launch: --up, --down --idle, idle figures. */
#ifndef WGRUN_SERVICES_H
#define WGRUN_SERVICES_H

#include "privs.h"
#include "record.h"

/* wgrun --up TUNNEL | --up --all (root): the exit status. */
int services_up(int argc, char **argv, const struct caller *c);

/* wgrun --down --idle (root): the exit status. */
int services_down_idle(const struct caller *c);

/* Seconds the tunnel has been seen empty by --down --idle, or -1 when it
 * has not (not idle-managed, in use, or not looked at yet). */
long long services_idle_for(int rundir_fd, const char *name, const struct record *rec);

#endif
