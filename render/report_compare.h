/* report_compare.h: the report of `cjm compare` (runtime/compare.h) in each output format: a
 * terminal table, JSON (schema in docs/compare.md), CSV (one row per variant and figure), and an
 * HTML section with its charts for `cjm report` (a forest plot of the scenarios' changes in
 * conversion, the tornado of removal effects, the line charts of a sweep).
 *
 * Renderers append to a Buf and write no file (cli/output.h does). `file` is the journey file as the
 * command line named it. */
#ifndef CJM_RENDER_REPORT_COMPARE_H
#define CJM_RENDER_REPORT_COMPARE_H

#include "buf.h"
#include "compare.h"

/* The version of the JSON report's schema (docs/compare.md): 2 since its figures are those of the
 * run's schema 3, under the same names. */
enum { COMPARE_JSON_SCHEMA = 2 };

void render_compare_table(const CmpResult *r, const Model *m, const char *file, Buf *out);
void render_compare_json(const CmpResult *r, const Model *m, const char *file, Buf *out);
void render_compare_csv(const CmpResult *r, Buf *out);
/* A <section id="compare-..."> for the HTML report (its styles are the report's). */
void render_compare_html(const CmpResult *r, Buf *out);

#endif
