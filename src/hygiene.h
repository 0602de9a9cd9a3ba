/* hygiene.h - a clean process state: descriptors, signals, limits, ids. */
#ifndef WGRUN_HYGIENE_H
#define WGRUN_HYGIENE_H

/* Reopen any closed descriptor 0-2 on /dev/null, so no file opened later
 * lands on them (SECURITY-CHECKLIST item 2). Dies on failure. */
void hygiene_std_fds(void);

/* Close every descriptor from `from` up. */
void hygiene_close_from(int from);

/* Leave the caller's cgroups for the root of each hierarchy, so the caller
 * cannot freeze, kill or starve us; refuse when we could not. 0 or -errno. */
int hygiene_leave_cgroup(char *why, size_t whylen);

/* In a root child: default niceness, scheduling class, affinity, I/O
 * priority, OOM score and timer slack; out of the caller's cgroups; then a
 * fixed table of resource limits, refusing (with why naming the limit) when a
 * hard limit the caller lowered cannot be raised. Everything it starts
 * inherits this. 0 or -errno with why. */
int hygiene_root_child(char *why, size_t whylen);

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
