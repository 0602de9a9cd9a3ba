/* SPDX-License-Identifier: ISC */
/* check.h - the one harness of the unit tests, so that every test counts,
 * reports and ends alike instead of each defining its own macros:
 *
 *   EXPECT("name", cond)   one named assertion: "ok name", or
 *                          "FAIL name: file:line: cond".
 *   RUN(fn) with CHECK(cond) inside fn: a test of several checks, named after
 *                          fn. Its first failing check is reported as
 *                          "FAIL fn: file:line: cond -- check_detail" (the
 *                          detail a helper may have set), the rest of fn still
 *                          runs, and fn counts as one failure.
 *   return check_verdict("suite");   at the end of main: prints
 *                          "suite: N passed, N failed" and gives the exit
 *                          status, non-zero when anything failed.
 *
 * Header-only: each test is one file of its own, so the counters are static. */
#ifndef WGRUN_TESTS_CHECK_H
#define WGRUN_TESTS_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#define CHECK_UNUSED __attribute__((unused))

static int check_passed CHECK_UNUSED;
static int check_failed CHECK_UNUSED;
static const char *check_current CHECK_UNUSED;	/* the RUN test under way */
static bool check_current_failed CHECK_UNUSED;
static char check_detail[600] CHECK_UNUSED;	/* set by helpers, shown with the first failure */

#define EXPECT(name, cond)                                                             \
	do {                                                                           \
		if (cond) {                                                            \
			printf("ok %s\n", (name));                                     \
			check_passed++;                                                \
		} else {                                                               \
			printf("FAIL %s: %s:%d: %s\n", (name), __FILE__, __LINE__,     \
			       #cond);                                                 \
			check_failed++;                                                \
		}                                                                      \
	} while (0)

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond) && !check_current_failed) {                                \
			printf("FAIL %s: %s:%d: %s%s%s\n", check_current, __FILE__,    \
			       __LINE__, #cond, check_detail[0] ? " -- " : "",         \
			       check_detail);                                          \
			check_current_failed = true;                                   \
		}                                                                      \
	} while (0)

#define RUN(test)                                                                      \
	do {                                                                           \
		check_current = #test;                                                 \
		check_current_failed = false;                                          \
		check_detail[0] = '\0';                                                \
		test();                                                                \
		if (check_current_failed) {                                            \
			check_failed++;                                                \
		} else {                                                               \
			printf("ok %s\n", #test);                                      \
			check_passed++;                                                \
		}                                                                      \
	} while (0)

static CHECK_UNUSED int check_verdict(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
