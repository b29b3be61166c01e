/* log_xes.c: the XES reader (log_xes.h), expat's SAX callbacks filling a queue of events.
 *
 * The input is fed to expat a block at a time; the callbacks append each closed <event> to the
 * queue (its strings in one pool, as offsets, since the pool grows), and xes_next hands them out
 * in order. Events of a trace whose case id is not yet known wait at the queue's tail ("not
 * ready") until the id comes or the trace ends. The pool is emptied when every event in it has
 * been handed out, so memory holds one block's events (or one such trace). */
#include "log_xes.h"

#include <expat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log_columns.h"
#include "log_time.h"
#include "log_util.h"

enum { FEED = 64 * 1024 };

/* A string in the pool: offset and length; len == SIZE_MAX: absent. */
typedef struct Ref {
    size_t off, len;
} Ref;

typedef struct QEvent {
    Ref str[NROLES];            /* case, name, channel, segment (the others unused) */
    int rank[NROLES];           /* how well each value's key fits its role (lower: better) */
    double num[NROLES];         /* time, revenue, cost, score */
    uint64_t line;
} QEvent;

typedef struct TraceState {
    bool open;
    char *attr[NROLES];         /* the trace's case id, channel and segment (malloc'd) */
    int rank[NROLES];
    size_t first;               /* its first event in the queue not yet given its case id */
    uint64_t line;
} TraceState;

/* The roles a key fits, as an event's and as a trace's attribute (role_rank's answers, -1: none),
 * kept for the few keys a log uses, since every attribute asks. */
enum { KEY_CACHE = 32 };
typedef struct KeyRoles {
    char *key;
    int event_rank[NROLES], trace_rank[NROLES];
} KeyRoles;

struct XesReader {
    LogInput *in;
    XML_Parser parser;
    LogColumns given;           /* the caller's names (NULL members: the defaults) */
    LogTimeFormat tf;
    QEvent *q;
    size_t n, cap, head, ready;
    char *pool;
    size_t pool_len, pool_cap;
    TraceState trace;
    bool in_event;
    int depth, trace_depth, event_depth;
    bool finished;
    char *error;
    LogColumns used;
    char *used_names[NROLES];
    uint64_t seen_events;
    KeyRoles keys[KEY_CACHE + 1];   /* the last one: a scratch entry once the cache is full */
    int nkeys;
};

static void fail(XesReader *x, char *message)
{
    if (!x->error) x->error = message;
    else free(message);
    XML_StopParser(x->parser, XML_FALSE);
}

static unsigned long long line_now(XesReader *x) { return (unsigned long long)XML_GetCurrentLineNumber(x->parser); }

static Ref pool_add(XesReader *x, const char *s, size_t len)
{
    if (x->pool_len + len + 1 > x->pool_cap) {
        x->pool_cap = (x->pool_len + len + 1) * 2;
        x->pool = log_realloc(x->pool, x->pool_cap);
    }
    memcpy(x->pool + x->pool_len, s, len);
    x->pool[x->pool_len + len] = '\0';
    Ref r = {x->pool_len, len};
    x->pool_len += len + 1;
    return r;
}

/* The element's name without a namespace prefix ("xes:event" -> "event"). */
static const char *local(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon ? colon + 1 : name;
}

static bool is_attribute(const char *el)
{
    static const char *const kinds[] = {"string", "date", "int", "float", "boolean", "id", NULL};
    for (int i = 0; kinds[i]; i++)
        if (strcmp(el, kinds[i]) == 0) return true;
    return false;
}

static void note_used(XesReader *x, LogRole r, const char *key)
{
    if (x->used_names[r]) return;
    x->used_names[r] = log_strndup(key, strlen(key));
    columns_set(&x->used, r, x->used_names[r]);
}

static const char *number_key(LogRole r) { return r == ROLE_TIME ? "time" : "number"; }

/* An attribute of the current event. */
static void rank_key(const XesReader *x, KeyRoles *k, const char *key)
{
    size_t klen = strlen(key);
    for (int r = 0; r < NROLES; r++) {
        k->event_rank[r] = r == ROLE_CASE ? -1 : role_rank(&x->given, (LogRole)r, key, klen, false);
        /* A trace gives its case id (its concept:name, or the key the caller named), channel and
         * segment to its events. */
        if (r == ROLE_CASE)
            k->trace_rank[r] = x->given.case_id ? role_rank(&x->given, ROLE_CASE, key, klen, true)
                                                : (strcmp(key, "concept:name") == 0 ? 0 : -1);
        else if (r == ROLE_CHANNEL || r == ROLE_SEGMENT)
            k->trace_rank[r] = role_rank(&x->given, (LogRole)r, key, klen, true);
        else
            k->trace_rank[r] = -1;
    }
}

static const KeyRoles *roles_of(XesReader *x, const char *key)
{
    for (int i = 0; i < x->nkeys; i++)
        if (strcmp(x->keys[i].key, key) == 0) return &x->keys[i];
    KeyRoles *k = &x->keys[x->nkeys < KEY_CACHE ? x->nkeys++ : KEY_CACHE];
    free(k->key);
    k->key = log_strndup(key, strlen(key));
    rank_key(x, k, key);
    return k;
}

static void event_attribute(XesReader *x, const char *key, const char *value)
{
    QEvent *e = &x->q[x->n - 1];
    size_t vlen = strlen(value);
    const KeyRoles *k = roles_of(x, key);
    for (int r = 0; r < NROLES; r++) {
        int rank = k->event_rank[r];
        if (rank < 0 || (e->rank[r] >= 0 && e->rank[r] <= rank)) continue;
        e->rank[r] = rank;
        if (r == ROLE_EVENT || r == ROLE_CHANNEL || r == ROLE_SEGMENT) {
            e->str[r] = vlen ? pool_add(x, value, vlen) : (Ref){0, SIZE_MAX};
        } else if (vlen) {
            bool ok = r == ROLE_TIME ? time_parse(value, vlen, x->tf == LOG_TIME_AUTO ? LOG_TIME_ISO : x->tf, &e->num[r])
                                     : log_parse_number(value, vlen, false, &e->num[r]);
            if (!ok) {
                fail(x, log_fmt("%s:%llu: attribute '%s': cannot read '%.60s' as a %s (%s)", input_name(x->in),
                                line_now(x), key, value, number_key((LogRole)r),
                                r == ROLE_TIME ? time_format_name(x->tf == LOG_TIME_AUTO ? LOG_TIME_ISO : x->tf) : "a decimal number"));
                return;
            }
        }
        note_used(x, (LogRole)r, key);
    }
}

/* Gives the trace's case id, channel and segment to its events that wait for them. */
static void complete_events(XesReader *x)
{
    TraceState *t = &x->trace;
    for (size_t i = t->first; i < x->n; i++) {
        QEvent *e = &x->q[i];
        e->str[ROLE_CASE] = pool_add(x, t->attr[ROLE_CASE], strlen(t->attr[ROLE_CASE]));
        if (e->str[ROLE_CHANNEL].len == SIZE_MAX && t->attr[ROLE_CHANNEL])
            e->str[ROLE_CHANNEL] = pool_add(x, t->attr[ROLE_CHANNEL], strlen(t->attr[ROLE_CHANNEL]));
        if (e->str[ROLE_SEGMENT].len == SIZE_MAX && t->attr[ROLE_SEGMENT])
            e->str[ROLE_SEGMENT] = pool_add(x, t->attr[ROLE_SEGMENT], strlen(t->attr[ROLE_SEGMENT]));
    }
    t->first = x->n;
    x->ready = x->n;
}

static void trace_attribute(XesReader *x, const char *key, const char *value)
{
    TraceState *t = &x->trace;
    const KeyRoles *k = roles_of(x, key);
    static const LogRole kept[] = {ROLE_CASE, ROLE_CHANNEL, ROLE_SEGMENT};
    for (int i = 0; i < 3; i++) {
        LogRole r = kept[i];
        int rank = k->trace_rank[r];
        if (rank < 0 || (t->attr[r] && t->rank[r] <= rank) || !*value) continue;
        free(t->attr[r]);
        t->attr[r] = log_strndup(value, strlen(value));
        t->rank[r] = rank;
        note_used(x, r, r == ROLE_CASE && !x->given.case_id ? "concept:name" : key);
    }
    /* Events before the id (rare) have waited for it. */
    if (t->attr[ROLE_CASE] && t->first < x->n) complete_events(x);
}

static void start_event(XesReader *x)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 256;
        x->q = log_realloc(x->q, x->cap * sizeof *x->q);
    }
    QEvent *e = &x->q[x->n++];
    for (int r = 0; r < NROLES; r++) {
        e->str[r] = (Ref){0, SIZE_MAX};
        e->rank[r] = -1;
        e->num[r] = NAN;
    }
    e->line = line_now(x);
    x->in_event = true;
    x->event_depth = x->depth;
}

static void end_event(XesReader *x)
{
    QEvent *e = &x->q[x->n - 1];
    x->in_event = false;
    x->seen_events++;
    if (e->str[ROLE_EVENT].len == SIZE_MAX) {
        fail(x, log_fmt("%s:%llu: an event with no concept:name (its name)", input_name(x->in), (unsigned long long)e->line));
        return;
    }
    if (isnan(e->num[ROLE_TIME])) {
        fail(x, log_fmt("%s:%llu: an event with no time:timestamp (its time)", input_name(x->in), (unsigned long long)e->line));
        return;
    }
    if (x->trace.attr[ROLE_CASE]) complete_events(x);
}

static void start_trace(XesReader *x)
{
    TraceState *t = &x->trace;
    for (int r = 0; r < NROLES; r++) {
        free(t->attr[r]);
        t->attr[r] = NULL;
        t->rank[r] = -1;
    }
    t->open = true;
    t->first = x->n;
    t->line = line_now(x);
    x->trace_depth = x->depth;
}

static void end_trace(XesReader *x)
{
    TraceState *t = &x->trace;
    t->open = false;
    if (t->first < x->n && !t->attr[ROLE_CASE])
        fail(x, log_fmt("%s:%llu: a trace with no %s (its case id)", input_name(x->in), (unsigned long long)t->line,
                        x->given.case_id ? x->given.case_id : "concept:name"));
}

static void XMLCALL on_start(void *data, const char *name, const char **atts)
{
    XesReader *x = data;
    x->depth++;
    if (x->error) return;
    const char *el = local(name);
    if (!x->trace.open && strcmp(el, "trace") == 0) {
        start_trace(x);
    } else if (x->trace.open && !x->in_event && strcmp(el, "event") == 0 && x->depth == x->trace_depth + 1) {
        start_event(x);
    } else if (is_attribute(el)) {
        const char *key = NULL, *value = NULL;
        for (int i = 0; atts[i]; i += 2) {
            if (strcmp(atts[i], "key") == 0) key = atts[i + 1];
            else if (strcmp(atts[i], "value") == 0) value = atts[i + 1];
        }
        if (!key || !value) return;
        /* Only an event's or a trace's own attributes: not those nested in another, nor a
         * <global>'s defaults. */
        if (x->in_event && x->depth == x->event_depth + 1) event_attribute(x, key, value);
        else if (x->trace.open && !x->in_event && x->depth == x->trace_depth + 1) trace_attribute(x, key, value);
    }
}

static void XMLCALL on_end(void *data, const char *name)
{
    XesReader *x = data;
    int depth = x->depth--;
    if (x->error) return;
    if (x->in_event && depth == x->event_depth) end_event(x);
    else if (x->trace.open && depth == x->trace_depth) end_trace(x);
    (void)name;
}

XesReader *xes_open(LogInput *in, const LogColumns *cols, LogTimeFormat tf)
{
    XesReader *x = log_zalloc(1, sizeof *x);
    x->in = in;
    x->tf = tf;
    if (cols) x->given = *cols;
    x->parser = XML_ParserCreate(NULL);
    if (!x->parser) {
        x->error = log_fmt("%s: cannot start the XML parser", input_name(in));
        x->finished = true;
        return x;
    }
    XML_SetUserData(x->parser, x);
    XML_SetElementHandler(x->parser, on_start, on_end);
    return x;
}

/* Feeds the parser one more block. */
static int feed(XesReader *x)
{
    void *buf = XML_GetBuffer(x->parser, FEED);
    if (!buf) {
        x->error = log_fmt("%s: out of memory for the XML parser", input_name(x->in));
        return -1;
    }
    long n = input_read(x->in, buf, FEED);
    if (n < 0) {
        x->error = log_strndup(input_error(x->in), strlen(input_error(x->in)));
        return -1;
    }
    if (XML_ParseBuffer(x->parser, (int)n, n == 0) == XML_STATUS_ERROR) {
        if (!x->error)
            x->error = log_fmt("%s:%llu: XML error: %s", input_name(x->in), line_now(x),
                               XML_ErrorString(XML_GetErrorCode(x->parser)));
        return -1;
    }
    if (x->error) return -1;
    if (n == 0) x->finished = true;
    return 0;
}

static LogStr to_str(const XesReader *x, Ref r)
{
    if (r.len == SIZE_MAX || r.len == 0) return (LogStr){NULL, 0};
    return (LogStr){x->pool + r.off, r.len};
}

int xes_next(XesReader *x, LogEvent *ev)
{
    while (x->head == x->ready) {
        if (x->error) return -1;
        if (x->finished) return 0;
        if (x->head == x->n) { /* all handed out: the pool starts again */
            x->head = x->ready = x->n = 0;
            x->trace.first = 0;
            x->pool_len = 0;
        }
        if (feed(x) < 0) return -1;
    }
    const QEvent *e = &x->q[x->head++];
    ev->case_id = to_str(x, e->str[ROLE_CASE]);
    ev->name = to_str(x, e->str[ROLE_EVENT]);
    ev->channel = to_str(x, e->str[ROLE_CHANNEL]);
    ev->segment = to_str(x, e->str[ROLE_SEGMENT]);
    ev->time = e->num[ROLE_TIME];
    ev->revenue = e->num[ROLE_REVENUE];
    ev->cost = e->num[ROLE_COST];
    ev->score = e->num[ROLE_SCORE];
    ev->line = e->line;
    return 1;
}

const char *xes_error(const XesReader *x) { return x->error; }
const LogColumns *xes_columns_used(const XesReader *x) { return &x->used; }
LogInput *xes_input(const XesReader *x) { return x->in; }

void xes_close(XesReader *x)
{
    if (!x) return;
    if (x->parser) XML_ParserFree(x->parser);
    input_close(x->in);
    for (int r = 0; r < NROLES; r++) {
        free(x->trace.attr[r]);
        free(x->used_names[r]);
    }
    for (int i = 0; i <= KEY_CACHE; i++) free(x->keys[i].key);
    free(x->q);
    free(x->pool);
    free(x->error);
    free(x);
}
