/* SPDX-License-Identifier: ISC */
/* uapi.h - wireguard-go's text control protocol (UAPI). */
#ifndef WGRUN_UAPI_H
#define WGRUN_UAPI_H

#include "backend.h"	/* struct wg_stats */
#include "tunnel.h"

/* Send the whole configuration of t as one set=1 request on the connected
 * stream fd; 0, a negative errno from the daemon, or -EIO. Every buffer that
 * held a key is wiped. */
int uapi_set(int fd, const struct tunnel *t, int timeout_ms);

/* Only the endpoints of the peers whose Endpoint is a host name (set=1
 * with each one's public key and endpoint): a re-resolution. Same returns. */
int uapi_set_endpoints(int fd, const struct tunnel *t, int timeout_ms);

/* Send get=1 and wait for the answer; 0 when the daemon answers errno=0. */
int uapi_ping(int fd, int timeout_ms);

/* Parse an answer (everything up to and including the empty line) and return
 * the daemon's errno value as a negative number or 0; -EBADMSG if malformed.
 * No I/O: exercised by the unit tests and the fuzzer. */
int uapi_parse_answer(const char *buf, size_t len);

/* get=1, keeping only the figures above (no key leaves this function; the
 * buffer that held them is wiped). 0 or -errno. */
int uapi_get_stats(int fd, struct wg_stats *st, int timeout_ms);

/* One line of a get answer (without its newline) into st; 1 at errno=0, a
 * negative errno at a failing errno=, else 0. No I/O: fuzzed. */
int uapi_stats_line(struct wg_stats *st, const char *line, size_t len);

#endif
