/* SPDX-License-Identifier: ISC */
/* view.h - the command's mount view, made once per tunnel and user and
 * entered again while what it was made from has not changed. */
#ifndef WGRUN_VIEW_H
#define WGRUN_VIEW_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "tunnel.h"

/* Everything a view is made from, as bytes: compared exactly, never hashed,
 * so no choice of file names by the caller can pass one view off as
 * another. Longer than this, a view is made for the launch alone. */
#define VIEW_DESC_MAX 65536

struct view_desc {
	size_t len;
	bool over;
	char buf[VIEW_DESC_MAX];
};

static inline void view_put(struct view_desc *d, const void *p, size_t n)
{
	if (d->over || n > sizeof(d->buf) - d->len) {
		d->over = true;
		return;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

/* A string, framed by its length: no choice of names can make two lists
 * of them read alike. */
static inline void view_put_str(struct view_desc *d, const char *str)
{
	uint32_t n = (uint32_t)strlen(str);

	view_put(d, &n, sizeof(n));
	view_put(d, str, n);
}

/* The end of a list of entries. */
static inline void view_put_end(struct view_desc *d)
{
	uint32_t end = UINT32_MAX;

	view_put(d, &end, sizeof(end));
}

/* A directory entry as the view depends on it: its name, inode and type.
 * A file bound into a view is bound by inode: replaced, it is another. */
static inline void view_put_entry(struct view_desc *d, const struct dirent *e)
{
	uint64_t ino = e->d_ino;

	view_put_str(d, e->d_name);
	view_put(d, &ino, sizeof(ino));
	view_put(d, &e->d_type, 1);
}

/* The identity of dirfd/name (name "" for dirfd itself; a last link is not
 * followed): a file handle, which names one inode for its whole life, where
 * an inode number is given again as soon as it is free (ext4 does). Where
 * the file system has no handles, the inode number and its last change.
 * 0, or -errno when neither can be had. */
static inline int view_put_identity(struct view_desc *d, int dirfd, const char *name)
{
	_Alignas(struct file_handle) unsigned char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	struct file_handle *fh = (struct file_handle *)buf;
	int empty = name[0] ? 0 : AT_EMPTY_PATH, mnt;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW | empty) < 0)
		return -errno;
	/* The file system too: a handle names an inode within one. */
	view_put(d, &st.st_dev, sizeof(st.st_dev));
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(dirfd, name, fh, &mnt, empty) == 0) {
		view_put(d, "h", 1);
		view_put(d, &fh->handle_bytes, sizeof(fh->handle_bytes));
		view_put(d, &fh->handle_type, sizeof(fh->handle_type));
		view_put(d, fh->f_handle, fh->handle_bytes);
		return 0;
	}
	view_put(d, "i", 1);
	view_put(d, &st.st_ino, sizeof(st.st_ino));
	view_put(d, &st.st_ctim, sizeof(st.st_ctim));
	return 0;
}

/* In the tunnel's network namespace and the host's mount namespace: enter
 * the view of tunnel for uid if one made from the same host state is
 * pinned (RUNDIR/view/TUNNEL.UID), else make one (mounts_setup) and pin it
 * for the next launch. Either way the calling process ends in the command's
 * view. 0 or -errno with why. */
int view_enter(const struct tunnel *t, const char *tunnel, uid_t uid, gid_t gid,
	       char *why, size_t whylen);

/* --down, or a tunnel made in a new namespace: unpin and remove every view
 * of tunnel (commands still inside keep theirs until they end). */
void view_forget(const char *tunnel);

/* --down --idle: unpin every view past its age (it would never be entered
 * again, and it still holds the mounts it copied from the host). */
void view_expire(void);

#endif
