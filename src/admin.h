/* SPDX-License-Identifier: ISC */
/* admin.h - the verbs that are not a launch. */
#ifndef WGRUN_ADMIN_H
#define WGRUN_ADMIN_H

#include "privs.h"

/* --check [USER TUNNEL], --list [-q], --status TUNNEL, --down --all.
 * Returns the exit status; dies on wgrun's own errors. */
int admin_main(int argc, char **argv, const struct caller *c);

#endif
