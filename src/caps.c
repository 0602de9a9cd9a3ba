/* SPDX-License-Identifier: ISC */
/* caps.c - this process's capability sets, by capget/capset alone: the two
 * system calls a library would wrap, without its reading /proc/PID/status
 * at start (a file to open under the caller's limits) or its load time. */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"

int caps_get(struct caps *c)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	c->effective = d[0].effective | (uint64_t)d[1].effective << 32;
	c->permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
	c->inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

int caps_set(const struct caps *c)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
		{ (uint32_t)c->effective, (uint32_t)c->permitted, (uint32_t)c->inheritable },
		{ (uint32_t)(c->effective >> 32), (uint32_t)(c->permitted >> 32),
		  (uint32_t)(c->inheritable >> 32) },
	};

	return syscall(SYS_capset, &hdr, d) < 0 ? -errno : 0;
}

bool caps_bounding(int cap)
{
	return prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1;
}

const char *caps_name(int cap)
{
	switch (cap) {
	case CAP_SYS_ADMIN: return "sys_admin";
	case CAP_NET_ADMIN: return "net_admin";
	case CAP_SETUID: return "setuid";
	case CAP_SETGID: return "setgid";
	case CAP_SETPCAP: return "setpcap";
	case CAP_KILL: return "kill";
	case CAP_DAC_OVERRIDE: return "dac_override";
	case CAP_NET_RAW: return "net_raw";
	default: return "a capability";
	}
}
