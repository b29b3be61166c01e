/* report.h: the report of a run in each output format. Every format carries the same figures,
 * taken from one RtResult (runtime/result.h); docs/report-json.md documents the JSON schema.
 *
 * Renderers append to a Buf and never write a file themselves (output.h does, atomically), so a
 * failed run leaves no half-written report behind. */
#ifndef CJM_RENDER_REPORT_H
#define CJM_RENDER_REPORT_H

#include <stdbool.h>

#include "buf.h"
#include "result.h"

typedef enum { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV } RenderFormat;
typedef enum { CSV_STAGES, CSV_PERSONAS, CSV_TOUCHPOINTS, CSV_CHANNELS, CSV_REASONS } CsvTable;

/* The "schema" value of the JSON report; raised only when a key changes meaning or goes away. */
enum { REPORT_JSON_SCHEMA = 1 };

bool render_parse_format(const char *s, RenderFormat *f);
bool render_parse_csv_table(const char *s, CsvTable *t);

/* `file` is the journey file as named on the command line (shown in the report). */
void render_json(const RtResult *r, const char *file, Buf *out);
void render_table(const RtResult *r, const char *file, Buf *out);
void render_csv(const RtResult *r, CsvTable table, Buf *out);

/* Shared by the renderers: the journey's display names. */
const char *render_persona_name(const RtResult *r, int p);
bool render_implicit_persona(const RtResult *r);
/* Whether some touchpoint uses channel c: reports list only those (a catalogue such as
 * std/channels declares many that a journey never uses). */
bool render_channel_used(const RtResult *r, int c);

#endif
