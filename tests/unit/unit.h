/* unit.h: a minimal unit-test harness. Each test file defines `void unit_FILE(void)` (listed in
 * tests/unit/main.c) that calls TEST blocks; each CHECK failure prints "FAIL name: ..." and each
 * passing test "ok name", which tests/run.sh counts. */
#ifndef CJM_UNIT_H
#define CJM_UNIT_H

#include <stdbool.h>
#include <stdio.h>

extern int unit_failures;
extern const char *unit_current;
extern bool unit_current_failed;

void unit_begin(const char *name);
void unit_end(void);

#define TEST(name) for (int once_ = (unit_begin(name), 1); once_; once_ = (unit_end(), 0))

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            printf("FAIL %s: %s:%d: %s\n", unit_current, __FILE__, __LINE__, #cond);    \
            unit_current_failed = true;                                                 \
        }                                                                               \
    } while (0)

#define CHECK_STR(a, b)                                                                 \
    do {                                                                                \
        const char *a_ = (a), *b_ = (b);                                                \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                        \
            printf("FAIL %s: %s:%d: \"%s\" != \"%s\"\n", unit_current, __FILE__, __LINE__, \
                   a_ ? a_ : "(null)", b_ ? b_ : "(null)");                             \
            unit_current_failed = true;                                                 \
        }                                                                               \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                           \
    do {                                                                                \
        double a_ = (a), b_ = (b);                                                      \
        if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps))) {                                  \
            printf("FAIL %s: %s:%d: %.12g != %.12g\n", unit_current, __FILE__, __LINE__, a_, b_); \
            unit_current_failed = true;                                                 \
        }                                                                               \
    } while (0)

#endif
