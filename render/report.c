/* report.c: what the report formats share: option names and display names. */
#include <string.h>

#include "report.h"

bool render_parse_format(const char *s, RenderFormat *f)
{
    if (strcmp(s, "table") == 0) *f = FORMAT_TABLE;
    else if (strcmp(s, "json") == 0) *f = FORMAT_JSON;
    else if (strcmp(s, "csv") == 0) *f = FORMAT_CSV;
    else return false;
    return true;
}

bool render_parse_csv_table(const char *s, CsvTable *t)
{
    static const char *const names[] = {"stages", "personas", "touchpoints", "channels", "reasons"};
    for (int i = 0; i < 5; i++) {
        if (strcmp(s, names[i]) == 0) {
            *t = (CsvTable)i;
            return true;
        }
    }
    return false;
}

const char *render_persona_name(const RtResult *r, int p) { return r->model->personas[p]->name.s; }

/* A journey that declares no persona has one implicit persona, "everyone". */
bool render_implicit_persona(const RtResult *r)
{
    return r->model->npersonas == 1 && r->model->personas[0]->name.loc.file == 0;
}

bool render_channel_used(const RtResult *r, int c)
{
    for (int t = 0; t < r->rt->ntouch; t++)
        if (r->rt->touch[t].channel == c) return true;
    return false;
}
