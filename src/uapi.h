/* uapi.h - wireguard-go's text control protocol (UAPI). */
#ifndef WGRUN_UAPI_H
#define WGRUN_UAPI_H

#include "tunnel.h"

/* Send the whole configuration of t as one set=1 request on the connected
 * stream fd; 0, a negative errno from the daemon, or -EIO. Every buffer that
 * held a key is wiped. */
int uapi_set(int fd, const struct tunnel *t, int timeout_ms);

/* Send get=1 and wait for the answer; 0 when the daemon answers errno=0. */
int uapi_ping(int fd, int timeout_ms);

/* Parse an answer (everything up to and including the empty line) and return
 * the daemon's errno value as a negative number or 0; -EBADMSG if malformed.
 * No I/O: exercised by the unit tests and the fuzzer. */
int uapi_parse_answer(const char *buf, size_t len);

#endif
