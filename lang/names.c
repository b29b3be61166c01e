/* names.c: the normalised comparison of event names (see names.h). */
#include "names.h"

/* The separators a name may be written with: "Signed Up", "signed_up", "signed-up", "signed.up". */
static bool is_separator(char c) { return c == ' ' || c == '_' || c == '-' || c == '.'; }

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

size_t name_normalise(const char *s, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!is_separator(s[i])) out[n++] = lower(s[i]);
    return n;
}

/* The next byte of a's normalised form at or after *i, or -1 at its end. */
static int next_byte(const char *s, size_t len, size_t *i)
{
    while (*i < len && is_separator(s[*i])) (*i)++;
    return *i < len ? (unsigned char)lower(s[(*i)++]) : -1;
}

bool name_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;
    for (;;) {
        int x = next_byte(a, alen, &i), y = next_byte(b, blen, &j);
        if (x != y) return false;
        if (x < 0) return true;
    }
}
