/* SPDX-License-Identifier: ISC */
/* filter.c - the command's seccomp filter (SECURITY.md rows 20, 22),
 * built with libseccomp at compile time by filter_gen.c; filter_load.c loads
 * the resulting BPF at run time, so a launch pays no filter compilation.
 *
 * Blocked calls fail with an errno, never kill: browsers stack their own
 * filters and must see a clean failure. Built for the native and the 32-bit
 * x86 ABIs; any other ABI (x32 included) kills, since its syscall numbers
 * would bypass the rules. What stays allowed on purpose: user namespaces,
 * clone3, chroot, seccomp, prctl and keyctl (browser sandboxes, Kerberos).
 * socket() is limited to families that respect network namespaces; on the
 * 32-bit ABI socketcall fails with ENOSYS, since its arguments sit behind a
 * pointer the filter cannot read, and libc then uses the direct calls. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "filter_build.h"

static const int blocked[] = {
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
	SCMP_SYS(userfaultfd), SCMP_SYS(perf_event_open), SCMP_SYS(uselib),
	SCMP_SYS(syslog), SCMP_SYS(quotactl), SCMP_SYS(acct),
};

static const int allowed_families[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };

static int add_rules(scmp_filter_ctx ctx)
{
	int r;

	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), blocked[i], 0)) < 0)
			return r;
	/* The terminal is shared with the caller's shell, outside the tunnel:
	 * compare the low 32 bits of the request (CVE-2017-5226). */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX))) < 0)
		return r;
	/* socket(): refuse every family but the allowed ones. The domain is an
	 * int: compare its low 32 bits only. The kernel knows fewer than 64
	 * families and refuses larger values itself. */
	for (int f = 0; f < 64; f++) {
		bool ok = false;
		for (size_t i = 0; i < sizeof(allowed_families) / sizeof(allowed_families[0]); i++)
			ok |= allowed_families[i] == f;
		if (!ok && (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
						 SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)f))) < 0)
			return r;
	}
	return 0;
}

scmp_filter_ctx filter_build(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return NULL;
	/* Any ABI not added below kills the process (x32 among them). */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		goto fail;
#if defined(__x86_64__)
	if ((r = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 && r != -EEXIST)
		goto fail;
#endif
	if ((r = add_rules(ctx)) < 0)
		goto fail;
#if defined(__x86_64__)
	/* socketcall exists only on the 32-bit ABI. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(socketcall), 0)) < 0)
		goto fail;
#endif
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}
