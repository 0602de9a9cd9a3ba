/* SPDX-License-Identifier: ISC */
/* noargv - exec a program with an empty argv (argc == 0), as PwnKit did. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *empty[] = { NULL };

	if (argc < 2) {
		fprintf(stderr, "usage: noargv PROGRAM\n");
		return 2;
	}
	execve(argv[1], empty, (char *[]){ NULL });
	perror("execve");
	return 1;
}
