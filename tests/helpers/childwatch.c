/* SPDX-License-Identifier: ISC */
/* childwatch PID SECONDS - as the caller would: watch PID's children for up
 * to SECONDS (until PID is gone, or 0.2 s after the first child appeared)
 * and try to stop each one the moment it appears. Prints "seen N signalable M"; a child the caller can signal is
 * continued again at once. Used to show that wgrun's root children are out
 * of the caller's reach from their first instruction. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 64

int main(int argc, char **argv)
{
	char path[64], buf[512];
	int seen[MAX_SEEN], n_seen = 0, signalable = 0;
	struct timespec start, now, first = { 0, 0 };

	if (argc != 3)
		return 2;
	snprintf(path, sizeof(path), "/proc/%s/task/%s/children", argv[1], argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t len;

		if (fd < 0)
			break;	/* the launch is over */
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len > 0) {
			buf[len] = '\0';
			for (char *p = strtok(buf, " \n"); p; p = strtok(NULL, " \n")) {
				int pid = atoi(p), known = 0;

				for (int i = 0; i < n_seen; i++)
					known |= seen[i] == pid;
				if (known || n_seen == MAX_SEEN)
					continue;
				seen[n_seen++] = pid;
				if (kill(pid, SIGSTOP) == 0) {
					kill(pid, SIGCONT);
					signalable++;
				}
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > atoi(argv[2]))
			break;
		/* One child seen and given a moment to change its ids: enough. */
		if (n_seen && !first.tv_sec)
			first = now;
		if (first.tv_sec && (now.tv_sec - first.tv_sec) * 1000000000L +
				    (now.tv_nsec - first.tv_nsec) > 200000000L)
			break;
	}
	printf("seen %d signalable %d\n", n_seen, signalable);
	return 0;
}
