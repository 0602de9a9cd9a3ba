/* SPDX-License-Identifier: ISC */
/* probe - try one system call inside wgrun's sandbox and print what happened,
 * in the manner of bubblewrap's try-syscall: the errno's name, or "ok".
 *   probe x32         getpid through the x32 ABI (the filter must kill us)
 *   probe socketcall  socket() through the i386 ABI's socketcall (ENOSYS)
 *   probe i386-socket socket(AF_VSOCK) through the i386 ABI (EAFNOSUPPORT)
 *   probe keyctl      keyctl(KEYCTL_GET_KEYRING_ID) (must stay allowed)
 *   probe io_uring    io_uring_setup (EPERM) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long int80(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static void show(long r)
{
	if (r >= 0)
		puts("ok");
	else
		puts(strerrorname_np((int)-r) ? strerrorname_np((int)-r) : "?");
}

int main(int argc, char **argv)
{
	long r;

	if (argc != 2)
		return 2;
	if (!strcmp(argv[1], "x32")) {
		r = syscall(0x40000000 | SYS_getpid);
		puts("survived");
		return 0;
	}
	if (!strcmp(argv[1], "socketcall")) {
		/* i386: socketcall = 102, SYS_SOCKET = 1; args behind a pointer */
		static int args[3] = { 2, 1, 0 };
		show(int80(102, 1, (long)(unsigned long)args, 0));
		return 0;
	}
	if (!strcmp(argv[1], "i386-socket")) {
		show(int80(359, 40, 1, 0));	/* i386 socket(AF_VSOCK, SOCK_STREAM, 0) */
		return 0;
	}
	if (!strcmp(argv[1], "keyctl")) {
		r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
		show(r < 0 ? -errno : 0);
		return 0;
	}
	if (!strcmp(argv[1], "io_uring")) {
		r = syscall(SYS_io_uring_setup, 1, NULL);
		show(r < 0 ? -errno : 0);
		return 0;
	}
	return 2;
}
