/* SPDX-License-Identifier: ISC */
/* record.c - read and write the tunnel record in RUNDIR.
 *
 * RUNDIR is created by wgrun, owned by root, mode 0700, so no user can read,
 * plant or swap a record. Writes go to a temporary name first and are renamed
 * into place, so a crash leaves the old record or the new one, never half. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lex.h"
#include "record.h"
#include "rundir.h"

#define RECORD_MAX 2048

int record_read(int rundir_fd, const char *tunnel, struct record *rec)
{
	char name[64], buf[RECORD_MAX + 1], *line, *save = NULL;
	struct stat st;
	ssize_t n;
	int fd, r;

	memset(rec, 0, sizeof(*rec));
	if ((r = rundir_name(name, sizeof(name), tunnel, RUN_RECORD)) < 0)
		return r;
	fd = openat(rundir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0) {
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, RECORD_MAX);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		uint64_t v;

		if (!eq)
			return -EBADMSG;
		*eq = '\0';
		if (!lex_uint((struct span){ eq + 1, strlen(eq + 1) }, UINT64_MAX, &v))
			return -EBADMSG;
		if (!strcmp(line, "ns_dev")) rec->ns_dev = v;
		else if (!strcmp(line, "ns_ino")) rec->ns_ino = v;
		else if (!strcmp(line, "ifindex")) rec->ifindex = (int)v;
		else if (!strcmp(line, "backend")) rec->backend = (enum backend_kind)v;
		else if (!strcmp(line, "daemon_pid")) rec->daemon_pid = (pid_t)v;
		else if (!strcmp(line, "daemon_start")) rec->daemon_start = v;
		else if (!strcmp(line, "conf_dev")) rec->conf.dev = v;
		else if (!strcmp(line, "conf_ino")) rec->conf.ino = v;
		else if (!strcmp(line, "conf_size")) rec->conf.size = v;
		else if (!strcmp(line, "conf_ctime_sec")) rec->conf.ctime_sec = (long long)v;
		else if (!strcmp(line, "conf_ctime_nsec")) rec->conf.ctime_nsec = (long long)v;
		else if (!strcmp(line, "conf_mtime_sec")) rec->conf.mtime_sec = (long long)v;
		else if (!strcmp(line, "conf_mtime_nsec")) rec->conf.mtime_nsec = (long long)v;
		else if (!strcmp(line, "conf_hash")) rec->conf_hash = v;
		else if (!strcmp(line, "idle_down")) rec->idle_down = (unsigned)v;
		else if (!strcmp(line, "via_dev")) rec->via_dev = v;
		else if (!strcmp(line, "via_ino")) rec->via_ino = v;
		else if (!strcmp(line, "ns_cookie")) rec->ns_cookie = v;
		else if (!strcmp(line, "via_cookie")) rec->via_cookie = v;
		else return -EBADMSG;
	}
	if (!rec->ns_ino || rec->ifindex <= 0 || rec->backend == BACKEND_NONE)
		return -EBADMSG;
	return 0;
}

int record_write(int rundir_fd, const char *tunnel, const struct record *rec)
{
	char name[64], tmp[64], buf[RECORD_MAX];
	int fd, len, r;

	if ((r = rundir_name(name, sizeof(name), tunnel, RUN_RECORD)) < 0 ||
	    (r = rundir_name(tmp, sizeof(tmp), tunnel, RUN_RECORD_TMP)) < 0)
		return r;
	len = snprintf(buf, sizeof(buf),
		       "ns_dev=%llu\nns_ino=%llu\nifindex=%d\nbackend=%d\n"
		       "daemon_pid=%d\ndaemon_start=%llu\n"
		       "conf_dev=%llu\nconf_ino=%llu\nconf_size=%llu\n"
		       "conf_ctime_sec=%lld\nconf_ctime_nsec=%lld\n"
		       "conf_mtime_sec=%lld\nconf_mtime_nsec=%lld\nconf_hash=%" PRIu64 "\nidle_down=%u\n"
		       "via_dev=%llu\nvia_ino=%llu\nns_cookie=%llu\nvia_cookie=%llu\n",
		       rec->ns_dev, rec->ns_ino, rec->ifindex, (int)rec->backend,
		       (int)rec->daemon_pid, rec->daemon_start,
		       rec->conf.dev, rec->conf.ino, rec->conf.size,
		       rec->conf.ctime_sec, rec->conf.ctime_nsec,
		       rec->conf.mtime_sec, rec->conf.mtime_nsec, rec->conf_hash, rec->idle_down,
		       rec->via_dev, rec->via_ino, rec->ns_cookie, rec->via_cookie);
	if (len < 0 || len >= (int)sizeof(buf))
		return -EOVERFLOW;
	/* A leftover temporary file from a crash is ours to replace. */
	if (unlinkat(rundir_fd, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(rundir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)len) != len) {
		r = errno ? -errno : -EIO;
		close(fd);
		unlinkat(rundir_fd, tmp, 0);
		return r;
	}
	if (close(fd) < 0) {
		r = -errno;
		unlinkat(rundir_fd, tmp, 0);
		return r;
	}
	if (renameat(rundir_fd, tmp, rundir_fd, name) < 0) {
		r = -errno;
		unlinkat(rundir_fd, tmp, 0);
		return r;
	}
	return 0;
}

int record_remove(int rundir_fd, const char *tunnel)
{
	char name[64];
	int r;

	if ((r = rundir_name(name, sizeof(name), tunnel, RUN_RECORD)) < 0)
		return r;
	if (unlinkat(rundir_fd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
