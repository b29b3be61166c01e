/* names.h: how the names of a log's events are compared with the names a journey gives them.
 *
 * One definition, used by the checker (two `events` lists may not claim the same name) and by
 * cjm fit (mapping a log's events onto stages, touchpoints and churn reasons): a name is compared
 * after ASCII letters are put in lower case and ' ', '_', '-' and '.' are removed, so that
 * "Signed Up", "signed_up", "signed-up" and "SIGNED.UP" are the same name. Other bytes (digits,
 * other punctuation, UTF-8 letters) are kept as they are. */
#ifndef CJM_NAMES_H
#define CJM_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the normalised form of the `len` bytes at `s` to `out` (room for `len` bytes; no NUL is
 * added) and returns its length, at most `len`. `out` may be `s` itself (normalising in place). */
size_t name_normalise(const char *s, size_t len, char *out);

/* Whether two names are the same once normalised (no memory needed). */
bool name_equal(const char *a, size_t alen, const char *b, size_t blen);

#endif
