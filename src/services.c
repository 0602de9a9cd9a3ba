/* SPDX-License-Identifier: ISC */
/* services.c - tunnels without a launch, for services and timers.
 *
 * wgrun --up brings a tunnel up exactly as a first launch would (up.c: the
 * same checks, record and pins), for services that join its namespace
 * (NetworkNamespacePath=, nsenter, podman --network ns:), and runs nothing.
 * On a tunnel whose file changed it rebuilds in place: the namespace stays,
 * so what runs inside reconnects. Root's own verb: the policy governs the
 * users who launch commands, and --up runs none.
 *
 * wgrun --down --idle takes down the tunnels whose IdleDown has passed with
 * nobody inside. It notes in RUNDIR (NAME.idle) when it first found one
 * empty, so that a launch pays nothing but, on idle-managed tunnels only,
 * one unlink of that note (netns.c); the tunnel's own session bus daemon is
 * not somebody. The decision is taken again under the tunnel's lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "config.h"
#include "log.h"
#include "netns.h"
#include "proc.h"
#include "rundir.h"
#include "services.h"
#include "view.h"
#include "up.h"

#define MAX_TUNNELS 1024

static long long boot_s(void)
{
	struct timespec ts;

	/* BOOTTIME counts a suspend too: a tunnel idle across one is idle. */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec;
}

/* Is the tunnel up as recorded (for "rebuilt in place" and the idle scan)? */
static bool published(int rundir_fd, const char *name, struct record *rec)
{
	return rundir_fd >= 0 && record_read(rundir_fd, name, rec) == 0 && netns_pinned(name, rec);
}

static int up_one(const struct caller *c, const char *name)
{
	char why[512];
	struct tunnel t;
	struct tunnel_src src;
	struct record rec;
	int fd = rundir_open(), r;
	bool was = published(fd, name, &rec);

	if (fd >= 0)
		close(fd);
	r = up_tunnel(name, &t, &src, c, false, why, sizeof(why));
	if (r < 0) {
		warn("%s", why);
		return EXIT_WGRUN;
	}
	tunnel_free(&t);
	if (r == UP_WARM) {
		printf("%s: already up\n", name);
		audit("up tunnel=%s by=%s result=unchanged", name, c->name);
	} else if (was) {
		printf("%s: rebuilt in place from its changed tunnel file (same namespace: what runs inside reconnects)\n",
		       name);
		audit("up tunnel=%s by=%s result=rebuilt", name, c->name);
	} else {
		printf("%s: up\n", name);
		audit("up tunnel=%s by=%s result=built", name, c->name);
	}
	return 0;
}

int services_up(int argc, char **argv, const struct caller *c)
{
	static char names[MAX_TUNNELS][TUNNEL_NAME_MAX + 1];
	bool all = argc == 3 && !strcmp(argv[2], "--all");
	int status = 0;
	size_t n;

	if (!all && (argc != 3 || !tunnel_name_valid(argv[2])))
		die("usage: wgrun --up TUNNEL | --up --all (a valid tunnel name)");
	if (c->uid != 0)
		die("--up is for root only");
	if (!all)
		return up_one(c, argv[2]);
	n = conf_tunnel_names(names, MAX_TUNNELS, NULL);
	for (size_t i = 0; i < n; i++)
		if (up_one(c, names[i]) != 0)
			status = EXIT_WGRUN;
	return status;
}

/* When the note says the tunnel was first found empty; -1 without one. */
static long long note_read(int rundir_fd, const char *name)
{
	return rundir_stamp_read(rundir_fd, name, RUN_IDLE, NULL);
}

static size_t inside(const struct record *rec)
{
	return proc_in_netns(rec->ns_dev, rec->ns_ino, WGRUN_DBUS_DAEMON, NULL, 0);
}

long long services_idle_for(int rundir_fd, const char *name, const struct record *rec)
{
	long long since;

	if (!rec->idle_down || (since = note_read(rundir_fd, name)) < 0 || inside(rec))
		return -1;
	return boot_s() - since;
}

/* Under the lock: keep the tunnel when somebody came in, or a launch took
 * the note away, since the decision. */
static bool in_use_again(int rundir_fd, const char *name, const struct record *rec, void *since)
{
	return note_read(rundir_fd, name) != *(long long *)since || inside(rec) > 0;
}

static int down_if_idle(const struct caller *c, int rundir_fd, const char *name)
{
	struct record rec;
	long long since, now = boot_s();
	char why[512];
	int r;

	if (!published(rundir_fd, name, &rec) || !rec.idle_down)
		return 0;
	if (inside(&rec)) {
		rundir_forget(rundir_fd, name, RUN_IDLE);
		return 0;
	}
	if ((since = note_read(rundir_fd, name)) < 0) {
		rundir_stamp_write(rundir_fd, name, RUN_IDLE, now, 0);
		return 0;
	}
	if (now - since < rec.idle_down)
		return 0;
	r = netns_down(name, in_use_again, &since, why, sizeof(why));
	if (r == -EBUSY || r == -ENOENT)
		return 0;
	if (r < 0) {
		warn("cannot take tunnel '%s' down: %s", name, why);
		return EXIT_WGRUN;
	}
	audit("down tunnel=%s by=%s reason=idle idle=%llds", name, c->name, now - since);
	printf("%s: down, nobody inside for %llds (IdleDown %us)\n", name, now - since, rec.idle_down);
	return 0;
}

int services_down_idle(const struct caller *c)
{
	char name[TUNNEL_NAME_MAX + 1];
	struct dirent *e;
	int status = 0, fd = rundir_open();
	DIR *d;

	if (fd < 0 || !(d = opendir(WGRUN_RUNDIR))) {
		if (fd >= 0)
			close(fd);
		return 0;	/* nothing was ever up */
	}
	while ((e = readdir(d)))
		if (rundir_record_of(e->d_name, name) && down_if_idle(c, fd, name) != 0)
			status = EXIT_WGRUN;
	closedir(d);
	close(fd);
	/* Views nobody may enter any more let go of what they hold. */
	view_expire();
	return status;
}
