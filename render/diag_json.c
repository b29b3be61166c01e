/* diag_json.c: diagnostics as JSON and SARIF 2.1.0 (see diag_json.h). Knows the two layouts and
 * nothing of journeys; the rule descriptions of SARIF are the table below. Every object and array
 * is written by the Json writer (format.h); only strings are escaped here, in a way of their own
 * (put_string). */
#include "diag_json.h"

#include <string.h>

#include "format.h"

/* ---- strings and places ---- */

/* A JSON string of any bytes: valid UTF-8 is kept, control characters are escaped, and a byte
 * that is not valid UTF-8 (a binary file's, quoted in a message) becomes U+FFFD. */
static void put_string(Buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    buf_putc(b, '"');
    while (*p) {
        unsigned char c = *p;
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = n > 0 && !(n == 2 && c < 0xC2);
        for (size_t i = 1; ok && i < n; i++) ok = (p[i] & 0xC0) == 0x80;
        if (!ok) {
            buf_puts(b, "\\ufffd");
            p++;
        } else if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\u%04x", c);
            p++;
        } else {
            buf_add(b, (const char *)p, n);
            p += n;
        }
    }
    buf_putc(b, '"');
}

static void key_string(Json *j, const char *k, const char *v)
{
    json_key(j, k);
    put_string(j->b, v);
}

/* {"text": v}: SARIF's message objects. */
static void key_message(Json *j, const char *k, const char *v)
{
    json_key(j, k);
    json_open_line(j, '{');
    key_string(j, "text", v);
    json_close(j, '}');
}

static const SourceFile *file_of(const Diag *d, Loc loc) { return source_get(d->sources, loc.file); }

/* The file a diagnostic names: its place's file as the terminal shows it, else the checked one. */
static const char *file_name(const DiagFile *df, Loc loc)
{
    const SourceFile *f = file_of(df->diag, loc);
    return f ? f->name : strcmp(df->path, "-") == 0 ? "<stdin>" : df->path;
}

static void key_pos(Json *j, const char *k, SourcePos p)
{
    json_key(j, k);
    json_open_line(j, '{');
    json_num(j, "line", p.line);
    json_num(j, "column", p.column);
    json_num(j, "utf16Column", p.utf16_column);
    json_num(j, "offset", p.offset);
    json_close(j, '}');
}

/* "file" and "range" (null without a place). */
static void put_place(Json *j, const DiagFile *df, Loc loc)
{
    key_string(j, "file", file_name(df, loc));
    json_key(j, "range");
    const SourceFile *f = file_of(df->diag, loc);
    if (!f) {
        json_put_null(j);
        return;
    }
    json_open_line(j, '{');
    key_pos(j, "start", source_position(f, loc.off));
    key_pos(j, "end", source_position(f, loc.off + loc.len));
    json_close(j, '}');
}

static bool shown(const Diagnostic *e, bool warnings) { return warnings || e->kind != DIAG_WARNING; }

/* ---- JSON ---- */

static void json_notes(Json *j, const DiagFile *df, const Diagnostic *e, bool fixes)
{
    json_key(j, fixes ? "fixes" : "notes");
    json_open(j, '[');
    for (int k = 0; k < e->nnotes; k++) {
        const DiagNote *n = &e->notes[k];
        if (fixes && !n->fix) continue;
        json_next(j);
        json_open(j, '{');
        key_string(j, "message", n->message);
        put_place(j, df, n->loc);
        if (fixes) key_string(j, "replacement", n->fix);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void json_diagnostic(Json *j, const DiagFile *df, const Diagnostic *e)
{
    json_next(j);
    json_open(j, '{');
    key_string(j, "severity", e->kind == DIAG_ERROR ? "error" : "warning");
    key_string(j, "code", diag_code(e));
    key_string(j, "message", e->message);
    put_place(j, df, e->loc);
    json_notes(j, df, e, false);
    json_notes(j, df, e, true);
    json_close(j, '}');
}

void diag_write_json(Buf *out, const DiagFile *files, int nfiles, bool warnings)
{
    Json j = {out, 0, true, 0};
    json_open(&j, '{');
    json_num(&j, "version", DIAG_JSON_VERSION);
    json_key(&j, "files");
    json_open(&j, '[');
    for (int i = 0; i < nfiles; i++) {
        json_next(&j);
        json_open_line(&j, '{');
        key_string(&j, "path", files[i].path);
        json_num(&j, "errors", files[i].diag->errors);
        json_num(&j, "warnings", files[i].diag->warnings);
        json_close(&j, '}');
    }
    json_close(&j, ']');
    json_key(&j, "diagnostics");
    json_open(&j, '[');
    for (int i = 0; i < nfiles; i++)
        for (int k = 0; k < files[i].diag->n; k++)
            if (shown(&files[i].diag->items[k], warnings)) json_diagnostic(&j, &files[i], &files[i].diag->items[k]);
    json_close(&j, ']');
    json_close(&j, '}');
    buf_putc(out, '\n');
}

/* ---- SARIF 2.1.0 ---- */

static const struct {
    const char *code, *text;
} rules[] = {
    {"syntax", "The text is not a journey: a lexical or syntax error."},
    {"load", "A file or a module it imports cannot be read or found, or the imports form a cycle."},
    {"check", "A journey error: an unknown name, a wrong type, a value out of range, a duplicate."},
    {"out-of-memory", "cjm ran out of memory while loading or checking the journey."},
    {"otherwise-never-taken", "An 'otherwise' arrow that the other arrows leave no share to."},
    {"rule-does-nothing", "A rule without actions."},
    {"rule-never-fires", "A rule whose condition is always false."},
    {"unreachable-stage", "A stage that no arrow or rule leads to from the start."},
    {"stage-never-ends", "A stage customers cannot leave: no churn or end is reachable from it."},
    {"no-goal", "No stage is a goal, so no customer converts."},
    {"unused-touchpoint", "A stand-alone touchpoint that no stage shows and no rule touches."},
    {"unused-trait", "A persona trait no expression uses."},
};

static const char *rule_text(const char *code)
{
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        if (strcmp(rules[i].code, code) == 0) return rules[i].text;
    return "A problem cjm reports.";
}

/* A path as a URI reference: relative paths stay relative (to the folder cjm ran in, which code
 * scanning takes as the repository's root), absolute ones become file: URIs; bytes other than
 * unreserved characters and '/' are percent-encoded. */
static void put_uri(Buf *b, const char *path)
{
    Buf u = BUF_INIT;
    if (path[0] == '/') buf_puts(&u, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            buf_putc(&u, (char)*p);
        else
            buf_printf(&u, "%%%02X", *p);
    }
    put_string(b, buf_str(&u));
    buf_free(&u);
}

static void sarif_region(Json *j, const char *k, const SourceFile *f, Loc loc)
{
    SourcePos s = source_position(f, loc.off), e = source_position(f, loc.off + loc.len);
    json_key(j, k);
    json_open_line(j, '{');
    json_num(j, "startLine", s.line);
    json_num(j, "startColumn", s.utf16_column);
    json_num(j, "endLine", e.line);
    json_num(j, "endColumn", e.utf16_column);
    json_num(j, "byteOffset", loc.off);
    json_num(j, "byteLength", loc.len);
    json_close(j, '}');
}

static void sarif_artifact(Json *j, const char *path)
{
    json_key(j, "artifactLocation");
    json_open_line(j, '{');
    json_key(j, "uri");
    put_uri(j->b, path);
    json_close(j, '}');
}

/* "physicalLocation": {"artifactLocation": {...}, "region": {...}}, the region left out without
 * a place. */
static void sarif_physical(Json *j, const DiagFile *df, Loc loc)
{
    const SourceFile *f = file_of(df->diag, loc);
    json_key(j, "physicalLocation");
    json_open_line(j, '{');
    sarif_artifact(j, file_name(df, loc));
    if (f) sarif_region(j, "region", f, loc);
    json_close(j, '}');
}

static void sarif_related(Json *j, const DiagFile *df, const Diagnostic *e)
{
    if (e->nnotes == 0) return;
    json_key(j, "relatedLocations");
    json_open(j, '[');
    for (int k = 0; k < e->nnotes; k++) {
        json_next(j);
        json_open(j, '{');
        json_num(j, "id", k);
        key_message(j, "message", e->notes[k].message);
        sarif_physical(j, df, e->notes[k].loc);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void sarif_fixes(Json *j, const DiagFile *df, const Diagnostic *e)
{
    bool any = false;
    for (int k = 0; k < e->nnotes; k++) any |= e->notes[k].fix != NULL;
    if (!any) return;
    json_key(j, "fixes");
    json_open(j, '[');
    for (int k = 0; k < e->nnotes; k++) {
        const DiagNote *n = &e->notes[k];
        const SourceFile *f = file_of(df->diag, n->loc);
        if (!n->fix || !f) continue;
        json_next(j);
        json_open(j, '{');
        key_message(j, "description", n->message);
        json_key(j, "artifactChanges");
        json_open_line(j, '[');
        json_next(j);
        json_open(j, '{');
        sarif_artifact(j, f->name);
        json_key(j, "replacements");
        json_open(j, '[');
        json_next(j);
        json_open(j, '{');
        sarif_region(j, "deletedRegion", f, n->loc);
        key_message(j, "insertedContent", n->fix);
        json_close(j, '}');
        json_close(j, ']');
        json_close(j, '}');
        json_close(j, ']');
        json_close(j, '}');
    }
    json_close(j, ']');
}

/* The codes the results use, in order of first use (the run's rules; ruleIndex points here). */
typedef struct Codes {
    const char *code[64];
    int n;
} Codes;

static int code_index(Codes *c, const char *code)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->code[i], code) == 0) return i;
    if (c->n == (int)(sizeof c->code / sizeof *c->code)) return -1;
    c->code[c->n] = code;
    return c->n++;
}

static void sarif_result(Json *j, const DiagFile *df, const Diagnostic *e, int rule)
{
    json_next(j);
    json_open(j, '{');
    key_string(j, "ruleId", diag_code(e));
    if (rule >= 0) json_num(j, "ruleIndex", rule);
    key_string(j, "level", e->kind == DIAG_ERROR ? "error" : "warning");
    key_message(j, "message", e->message);
    json_key(j, "locations");
    json_open_line(j, '[');
    json_next(j);
    json_open(j, '{');
    sarif_physical(j, df, e->loc);
    json_close(j, '}');
    json_close(j, ']');
    sarif_related(j, df, e);
    sarif_fixes(j, df, e);
    json_close(j, '}');
}

static void sarif_rules(Json *j, const Codes *codes)
{
    json_key(j, "rules");
    json_open(j, '[');
    for (int i = 0; i < codes->n; i++) {
        json_next(j);
        json_open_line(j, '{');
        key_string(j, "id", codes->code[i]);
        key_message(j, "shortDescription", rule_text(codes->code[i]));
        json_close(j, '}');
    }
    json_close(j, ']');
}

/* The results, or (with `j` NULL) only the codes they use. */
static void sarif_results(Json *j, Codes *codes, const DiagFile *files, int nfiles, bool warnings)
{
    for (int i = 0; i < nfiles; i++) {
        for (int k = 0; k < files[i].diag->n; k++) {
            const Diagnostic *e = &files[i].diag->items[k];
            if (!shown(e, warnings)) continue;
            int rule = code_index(codes, diag_code(e));
            if (j) sarif_result(j, &files[i], e, rule);
        }
    }
}

void diag_write_sarif(Buf *out, const DiagFile *files, int nfiles, const char *version, bool warnings)
{
    /* The rules come before the results that point to them: the codes are gathered first. */
    Codes codes = {{0}, 0};
    sarif_results(NULL, &codes, files, nfiles, warnings);
    Json j = {out, 0, true, 0};
    json_open(&j, '{');
    key_string(&j, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    key_string(&j, "version", "2.1.0");
    json_key(&j, "runs");
    json_open(&j, '[');
    json_next(&j);
    json_open(&j, '{');
    json_key(&j, "tool");
    json_open(&j, '{');
    json_key(&j, "driver");
    json_open(&j, '{');
    key_string(&j, "name", "cjm");
    key_string(&j, "version", version);
    sarif_rules(&j, &codes);
    json_close(&j, '}');
    json_close(&j, '}');
    key_string(&j, "columnKind", "utf16CodeUnits");
    json_key(&j, "results");
    json_open(&j, '[');
    sarif_results(&j, &codes, files, nfiles, warnings);
    json_close(&j, ']');
    json_close(&j, '}');
    json_close(&j, ']');
    json_close(&j, '}');
    buf_putc(out, '\n');
}
