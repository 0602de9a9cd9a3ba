/* SPDX-License-Identifier: ISC */
/* test_privs - the check that proves a privilege drop proves something even
 * when the process can open no file (a caller's RLIMIT_NOFILE of 3). */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "caps.h"
#include "privs.h"

/* In a child that still holds capabilities (the tests run as root), with no
 * descriptor left to open: the verification must say "not dropped". */
static int verify_with_no_free_descriptor(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit lim = { 3, 3 };

		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		if (setrlimit(RLIMIT_NOFILE, &lim) < 0)
			_exit(3);
		_exit(privs_verify_dropped() == 0 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Capability sets emptied but the bounding set left whole: a program with
 * file capabilities could still gain them were no_new_privs ever missing. */
static int verify_with_full_bounding_set(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (caps_set(&(struct caps){ 0, 0, 0 }) < 0)
			_exit(3);
		_exit(privs_verify_dropped() == 0 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("ok verification_needs_no_descriptor # skip: not root\n");
		return 0;
	}
	EXPECT("capabilities_held_are_never_verified_as_dropped", privs_verify_dropped() != 0);
	EXPECT("verification_with_no_free_descriptor_still_sees_capabilities",
	       verify_with_no_free_descriptor() == 1);
	EXPECT("bounding_set_left_whole_is_not_verified_as_dropped",
	       verify_with_full_bounding_set() == 1);
	return check_verdict("privs");
}
