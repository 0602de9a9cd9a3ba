/* SPDX-License-Identifier: ISC */
/* hygiene.h - a clean process state: descriptors, signals, daemons. */
#ifndef WGRUN_HYGIENE_H
#define WGRUN_HYGIENE_H

/* Reopen any closed descriptor 0-2 on /dev/null, so no file opened later
 * lands on them (SECURITY.md row 2). Dies on failure. */
void hygiene_std_fds(void);

/* Close every descriptor from `from` up. */
void hygiene_close_from(int from);

/* Default signal dispositions and an empty mask: the caller's choices of
 * ignored or blocked signals must not shape a root child. 0 or -errno. */
int hygiene_signals(void);

/* For a process that outlives the launch: default signal dispositions and an
 * empty mask, RLIMIT_CORE 0, bounded NOFILE, cwd /, umask 022, std fds on
 * /dev/null. Calls _exit on failure (only used in children). */
void hygiene_daemon(void);

/* SIGCHLD to SIG_DFL (no SA_NOCLDWAIT), the caller's disposition saved in old:
 * our children stay ours to reap. 0 or -errno. */
struct sigaction;
int hygiene_sigchld_default(struct sigaction *old);

#endif
