/* SPDX-License-Identifier: ISC */
/* sessbus.h - a session bus of the tunnel's own, for programs inside. */
#ifndef WGRUN_SESSBUS_H
#define WGRUN_SESSBUS_H

#include <sys/types.h>

/* After the drop, as the caller: unless a bus answers at /run/user/UID/bus
 * (the tunnel's runtime directory), start the tunnel's own dbus-daemon there
 * and wait until it listens. 1 with the bus's address in why when the
 * tunnel's bus is there, 0 when there is no runtime directory, or -errno
 * with why. */
int sessbus_ensure(uid_t uid, char *why, size_t whylen);

#endif
