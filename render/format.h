/* format.h: the writers the text reports share: tables of aligned columns for a terminal (Grid),
 * JSON with one fixed layout (Json), CSV fields (RFC 4180), and durations for people (days,
 * hours, minutes). They know nothing of journeys.
 *
 * Ownership: a Grid owns its cells until grid_print() writes and frees them; Json appends to the
 * caller's Buf. */
#ifndef CJM_RENDER_FORMAT_H
#define CJM_RENDER_FORMAT_H

#include <stdbool.h>

#include "buf.h"

/* ---- aligned columns ---- */
enum { GRID_MAX_COLS = 14 };

typedef struct Grid {
    int ncols;
    bool right[GRID_MAX_COLS];  /* right-aligned (numbers) */
    char **cells;               /* row-major, ncols per row */
    int ncells, cap;
} Grid;

/* One column per character of `align`: 'r' right-aligned, anything else left-aligned. */
void grid_init(Grid *g, const char *align);
void grid_cell(Grid *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes the rows indented by two spaces, columns two spaces apart (widths in UTF-8 characters),
 * without trailing blanks, and frees the cells. */
void grid_print(Grid *g, Buf *out);

/* ---- JSON: keys in the order written, two-space indentation, numbers by render_number() ----
 * Every object and array is opened and closed here, either with each member on its own line
 * (json_open) or on one line, members separated by ", " (json_open_line): a rate object, an
 * interval, a row of a long table. Everything inside a one-line container stays on that line. */
typedef struct Json {
    Buf *b;
    int depth;
    bool first;     /* no value written yet at this depth */
    int line_depth; /* the depth of the outermost one-line container open, 0 when none */
} Json;

/* Before a value in an array: the comma and line break (", " on one line). */
void json_next(Json *j);
/* A string value with JSON's escapes (NULL as ""). */
void json_str(Buf *b, const char *s);
/* `"k": ` in an object. */
void json_key(Json *j, const char *k);
/* '{' or '[' and its closing partner: members one a line, or all on one line. */
void json_open(Json *j, char c);
void json_open_line(Json *j, char c);
void json_close(Json *j, char c);
/* Values after json_key() or json_next(). */
void json_put_num(Json *j, double v);       /* NaN and infinities as null */
void json_put_text(Json *j, const char *v); /* NULL as null */
void json_put_bool(Json *j, bool v);
void json_put_null(Json *j);
void json_put_pair(Json *j, double a, double b); /* [a, b] on one line (an interval) */
/* `"k": value` in an object. */
void json_num(Json *j, const char *k, double v);
void json_text(Json *j, const char *k, const char *v);
void json_bool(Json *j, const char *k, bool v);

/* ---- CSV: a field and its separator (',' or, for the last field, '\n') ---- */
void csv_str(Buf *b, const char *s, bool last);
void csv_num(Buf *b, double v, bool last); /* as in JSON; an unknown value is an empty field */

/* ---- numbers for people ----
 * v with `decimals` decimals as printf rounds it (the exact binary value; a tie goes to even, so
 * 0.125 is "0.12" and 2.5 is "2"): every view of a figure (a run's table and HTML, a comparison)
 * rounds here, so they show the same digits. A sign when `sign` ('+' for zero too), and no minus
 * on a value that rounds to zero ("-0.001" is "0.00"). */
void format_fixed(Buf *b, double v, int decimals, bool sign);

/* ---- durations for people: the table, the HTML report and the pictures (JSON and CSV keep days) ----
 * A duration in days is shown in the largest unit it reaches once rounded: "12.3 d" (a day or
 * more, one decimal), "5.2 h" (an hour or more), "42 min" (a minute or more), "20 s"; exactly 0
 * is "0 d". So 0.2 days is "4.8 h", not "0.2 d", and 0.99999 days is "1.0 d", not "24.0 h". */
typedef struct Duration {
    double value;        /* in `unit`, not yet rounded */
    int decimals;        /* to show */
    const char *unit;    /* "d", "h", "min" or "s" */
    double per_day;      /* units in a day (1, 24, 1440, 86400): another time in the same unit */
} Duration;
Duration duration_for_people(double days);
/* "5.2 h": the value, `space` (" ", or a no-break space in HTML), the unit; "-" when not finite. */
void format_duration(Buf *b, double days, const char *space);

#endif
