/* SPDX-License-Identifier: ISC */
/* cfgfile.h - safe opening and reading of root-owned configuration. */
#ifndef WGRUN_CFGFILE_H
#define WGRUN_CFGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_POLICY_MAX (64 * 1024)
#define CFG_TUNNEL_MAX (256 * 1024)

/* Read dir/name into a fresh heap buffer with read(2). dir and every directory
 * above it must be root-owned and not writable by group or others; the file is
 * opened with O_NOFOLLOW and checked on the opened descriptor: regular, owned
 * by root, not writable by group or others, when secret not readable by others
 * either, at most max bytes. Returns 0, or a negative errno with a message
 * naming the path in why (-ENOENT: the file does not exist). With ino/dev/
 * ctime out-parameters the caller can identify the file it read. */
struct cfg_identity {
	unsigned long long dev, ino, size;
	long long ctime_sec, ctime_nsec, mtime_sec, mtime_nsec;
};
int cfgfile_read(const char *dir, const char *name, bool secret, size_t max,
		 char **buf, size_t *len, struct cfg_identity *id,
		 char *why, size_t whylen);

/* Walk every later path from the current / (the host's, at start), whatever
 * mount namespace we stand in then. 0 or -errno. */
int cfgfile_pin_root(void);
/* Close it (before the drop: nothing the command could use). */
void cfgfile_unpin_root(void);

/* Wipe and free a buffer from cfgfile_read. */
void cfgfile_release(char *buf, size_t len);

/* Check that path (absolute) and every directory above it is root-owned and not
 * writable by group or others; 0 or negative errno with why. */
int cfgfile_check_dir(const char *path, char *why, size_t whylen);

/* FNV-1a over a file's bytes: detects an admin's edit, nothing more (the
 * file is root-owned; no adversary chooses its contents). */
uint64_t cfgfile_hash(const void *buf, size_t len);

#endif
