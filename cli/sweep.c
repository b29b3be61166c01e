/* sweep.c: reading the text of --sweep (see sweep.h). */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The number that is all of [from, to) (blanks around it allowed), optionally followed by '%'
 * (then divided by 100). */
static bool parse_number(const char *from, const char *to, double *v, bool *percent)
{
    char text[64];
    while (from < to && *from == ' ') from++;
    while (to > from && to[-1] == ' ') to--;
    *percent = to > from && to[-1] == '%';
    if (*percent) to--;
    if (to - from <= 0 || to - from >= (long)sizeof text) return false;
    memcpy(text, from, (size_t)(to - from));
    text[to - from] = '\0';
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (*end || errno == ERANGE || !isfinite(x)) return false;
    *v = *percent ? x / 100 : x;
    return true;
}

/* Copies [from, to) without blanks at either end to *at, as a string; returns it. */
static const char *word(char **at, const char *from, const char *to)
{
    while (from < to && *from == ' ') from++;
    while (to > from && to[-1] == ' ') to--;
    char *w = *at;
    memcpy(w, from, (size_t)(to - from));
    w[to - from] = '\0';
    *at += to - from + 1;
    return w;
}

/* FROM..TO[/STEP] after the '='. */
static bool parse_range(CmpSweep *sw, const char *text, const char *range, Buf *err)
{
    const char *dots = strstr(range, ".."), *end = range + strlen(range);
    const char *slash = dots ? strchr(dots, '/') : NULL;
    bool pct_to = false, pct_step = false;
    if (!dots || !parse_number(range, dots, &sw->from, &sw->percent) ||
        !parse_number(dots + 2, slash ? slash : end, &sw->to, &pct_to) ||
        (slash && !parse_number(slash + 1, end, &sw->step, &pct_step))) {
        buf_printf(err, "the range of '%s' is FROM..TO[/STEP], as in 20%%..60%%/5", text);
        return false;
    }
    if (!slash) sw->step = (sw->to - sw->from) / 10;
    /* A step written without '%' after percentages is in percentage points: 20%..60%/5 steps by 5%. */
    else if (sw->percent && !pct_step) sw->step /= 100;
    if (!(sw->to >= sw->from) || !(sw->step > 0) || (sw->to - sw->from) / sw->step + 1 > CMP_SWEEP_MAX_POINTS) {
        buf_printf(err, "the range of '%s' must go up from FROM to TO in at most %d steps", text,
                   CMP_SWEEP_MAX_POINTS - 1);
        return false;
    }
    return true;
}

bool sweep_parse(SweepText *s, const char *text, Buf *err)
{
    memset(s, 0, sizeof *s);
    CmpSweep *sw = &s->sweep;
    const char *eq = strchr(text, '='), *arrow = strstr(text, "->"), *dot = strchr(text, '.');
    if (!eq) {
        buf_puts(err, "a sweep is PARAMETER=FROM..TO[/STEP], as in 'Consideration->Purchase=20%..60%/5'");
        return false;
    }
    /* Three words (the parameter, then its two parts), each at most as long as the text. */
    char *at = s->words = xmalloc(3 * (strlen(text) + 1));
    sw->what = word(&at, text, eq);
    if (arrow && arrow < eq) {
        sw->name = word(&at, text, arrow);
        sw->target = word(&at, arrow + 2, eq);
    } else if (dot && dot < eq) {
        sw->name = word(&at, text, dot);
        sw->attribute = word(&at, dot + 1, eq);
    } else {
        buf_printf(err, "cannot sweep '%s': " CMP_SWEEPABLE, sw->what);
        return false;
    }
    return parse_range(sw, text, eq + 1, err);
}

void sweep_free(SweepText *s)
{
    free(s->words);
    s->words = NULL;
}
