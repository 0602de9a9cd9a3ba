/* SPDX-License-Identifier: ISC */
/* filter_load.c - load the seccomp filter that filter_gen.c exported at build
 * time (the rules and their reasons are in filter.c). no_new_privs must be
 * set first; the kernel then lets an unprivileged process install it. */
#include <errno.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "filter.h"
#include "filter_bpf.h"

int filter_install(void)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(filter_bpf) / sizeof(filter_bpf[0])),
		.filter = (struct sock_filter *)filter_bpf,
	};

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return -errno;
	return 0;
}
