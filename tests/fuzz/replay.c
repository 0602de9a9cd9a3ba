/* SPDX-License-Identifier: ISC */
/* replay.c - run a fuzz target over saved inputs without libFuzzer, so the
 * corpus runs in the normal test suite under ASan/UBSan with gcc:
 *   replay FILE...    (link with one fuzz_*.c and the parser sources)
 * Exits non-zero if a file cannot be read; a parser bug aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *bigger = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (!bigger) {
				perror("realloc");
				ret = -1;
				goto out;
			}
			buf = bigger;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		perror(path);
		ret = -1;
		goto out;
	}
	/* exactly len bytes, not NUL-terminated: a read past the end is caught */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			ret = -1;
			goto out;
		}
		for (size_t i = 0; i < len; i++)
			exact[i] = buf[i];
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
out:
	free(buf);
	fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		if (replay(argv[i]) < 0)
			failed = 1;
		else
			printf("ok %s\n", argv[i]);
	}
	return failed;
}
