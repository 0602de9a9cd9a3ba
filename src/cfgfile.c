/* SPDX-License-Identifier: ISC */
/* cfgfile.c - open and read root-owned configuration safely.
 *
 * Trusts nothing about the path but that it was fixed at compile time: every
 * directory from / down is opened with O_NOFOLLOW and checked on its
 * descriptor (owner root, no group or other write), then the file itself is
 * opened relative to the last directory and checked with fstat, so a rename
 * or symlink swapped in between check and use cannot redirect the read
 * (SECURITY.md row 9). Files are read with read(2), never stdio, so
 * no copy of a key lingers in a stdio buffer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgfile.h"

static int dir_ok(int fd, const char *path, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "%s: not a directory", path);
		return -ENOTDIR;
	}
	if (st.st_uid != 0) {
		snprintf(why, whylen, "%s: owned by uid %u, must be owned by root",
			 path, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, whylen, "%s: writable by group or others (mode %04o)",
			 path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* The host's / as it was at start. A launch re-reads its configuration
 * after it has made the command's mount namespace, where /etc is an overlay
 * of ours; walking from this descriptor still reads the host's files. */
static int root_fd = -1;

int cfgfile_pin_root(void)
{
	if (root_fd < 0)
		root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return root_fd < 0 ? -errno : 0;
}

void cfgfile_unpin_root(void)
{
	if (root_fd >= 0)
		close(root_fd);
	root_fd = -1;
}

/* Open the absolute directory path component by component; returns an
 * O_PATH descriptor of the last one or a negative errno. */
static int open_dir_checked(const char *path, char *why, size_t whylen)
{
	char comp[256], sofar[4096];
	const char *p = path;
	int fd, r;

	if (path[0] != '/' || strlen(path) >= sizeof(sofar)) {
		snprintf(why, whylen, "%s: not an absolute path", path);
		return -EINVAL;
	}
	fd = root_fd >= 0 ? openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC) :
			    open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "/: %s", strerror(errno));
		return -errno;
	}
	strcpy(sofar, "/");
	for (;;) {
		r = dir_ok(fd, sofar, why, whylen);
		if (r < 0)
			goto fail;
		while (*p == '/')
			p++;
		if (!*p)
			return fd;
		size_t n = strcspn(p, "/");
		if (n >= sizeof(comp)) {
			r = -ENAMETOOLONG;
			snprintf(why, whylen, "%s: path component too long", path);
			goto fail;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		int next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			r = -errno;
			snprintf(why, whylen, "%s%s%s: %s", sofar,
				 strcmp(sofar, "/") ? "/" : "", comp,
				 errno == ENOTDIR || errno == ELOOP ?
				 "not a directory (symbolic links are refused)" : strerror(errno));
			goto fail;
		}
		close(fd);
		fd = next;
		if (strcmp(sofar, "/"))
			strcat(sofar, "/");
		strcat(sofar, comp);
	}
fail:
	close(fd);
	return r;
}

int cfgfile_check_dir(const char *path, char *why, size_t whylen)
{
	int fd = open_dir_checked(path, why, whylen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The opened file: a regular file of root's, not writable by others (nor,
 * when secret, readable), at most max bytes. 0, or -errno with why. */
static int check_file(int fd, struct stat *st, const char *dir, const char *name, bool secret,
		      size_t max, char *why, size_t whylen)
{
	int r = -EPERM;

	if (fstat(fd, st) < 0) {
		r = -errno;
		snprintf(why, whylen, "%s/%s: %s", dir, name, strerror(errno));
		return r;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, whylen, "%s/%s: not a regular file", dir, name);
		return r;
	}
	if (st->st_uid != 0) {
		snprintf(why, whylen, "%s/%s: owned by uid %u, must be owned by root",
			 dir, name, (unsigned)st->st_uid);
		return r;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, whylen, "%s/%s: writable by group or others (mode %04o)",
			 dir, name, (unsigned)(st->st_mode & 07777));
		return r;
	}
	/* Group read counts too: a group (or an ACL, which shows in the group
	 * bits) could read the private key. */
	if (secret && (st->st_mode & 077)) {
		snprintf(why, whylen, "%s/%s: readable by group or others (mode %04o); it holds a private key, chmod 600 it",
			 dir, name, (unsigned)(st->st_mode & 07777));
		return r;
	}
	if ((unsigned long long)st->st_size > max) {
		r = -EFBIG;
		snprintf(why, whylen, "%s/%s: larger than %zu bytes", dir, name, max);
		return r;
	}
	return 0;
}

int cfgfile_read(const char *dir, const char *name, bool secret, size_t max,
		 char **bufp, size_t *lenp, struct cfg_identity *id,
		 char *why, size_t whylen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int dfd, fd = -1, r;

	dfd = open_dir_checked(dir, why, whylen);
	if (dfd < 0)
		return dfd;
	/* O_NONBLOCK: a FIFO planted here must not hang us before fstat refuses it. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (errno == ELOOP)
			snprintf(why, whylen, "%s/%s: is a symbolic link, refused", dir, name);
		else
			snprintf(why, whylen, "%s/%s: %s", dir, name, strerror(errno));
		goto out;
	}
	if ((r = check_file(fd, &st, dir, name, secret, max, why, whylen)) < 0)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		snprintf(why, whylen, "%s/%s: out of memory", dir, name);
		goto out;
	}
	/* Read one byte past the size fstat gave, to notice a file that grew. */
	for (;;) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(why, whylen, "%s/%s: %s", dir, name, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (size_t)st.st_size) {
			r = -EAGAIN;
			snprintf(why, whylen, "%s/%s: changed while being read", dir, name);
			goto out;
		}
	}
	buf[len] = '\0';
	if (id) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->size = (unsigned long long)st.st_size;
		id->ctime_sec = st.st_ctim.tv_sec;
		id->ctime_nsec = st.st_ctim.tv_nsec;
		id->mtime_sec = st.st_mtim.tv_sec;
		id->mtime_nsec = st.st_mtim.tv_nsec;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	r = 0;
out:
	if (buf)
		cfgfile_release(buf, len);
	if (fd >= 0)
		close(fd);
	close(dfd);
	return r;
}

void cfgfile_release(char *buf, size_t len)
{
	if (!buf)
		return;
	explicit_bzero(buf, len + 1);
	free(buf);
}

uint64_t cfgfile_hash(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}
