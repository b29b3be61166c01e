/* log_columns.c: the roles of a log's columns and their default names (log_columns.h); the
 * defaults follow process mining's XES names as pm4py writes them and the usual analytics
 * exports' names (docs/data.md). */
#include "log_columns.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log_util.h"

static const char *const case_names[] = {"case:concept:name", "case_id", "customer_id", "user_id", "client_id", "case", NULL};
static const char *const event_names[] = {"concept:name", "event", "event_name", "activity", "action", NULL};
static const char *const time_names[] = {"time:timestamp", "timestamp", "event_time", "time", "date", NULL};
static const char *const channel_names[] = {"channel", "org:resource", "source", "medium", NULL};
static const char *const revenue_names[] = {"revenue", "value", "amount", NULL};
static const char *const cost_names[] = {"cost", NULL};
static const char *const segment_names[] = {"segment", "persona", "case:segment", NULL};
static const char *const score_names[] = {"score", "nps", "csat", "rating", NULL};

static const struct {
    const char *const *defaults;
    const char *title, *option;
} roles[NROLES] = {
    {case_names, "case", "--case"},          {event_names, "event", "--event"},
    {time_names, "time", "--time"},          {channel_names, "channel", "--channel"},
    {revenue_names, "revenue", "--revenue"}, {cost_names, "cost", "--cost"},
    {segment_names, "segment", "--segment"}, {score_names, "score", "--score"},
};

const char *const *role_defaults(LogRole r) { return roles[r].defaults; }
const char *role_title(LogRole r) { return roles[r].title; }
const char *role_option(LogRole r) { return roles[r].option; }
bool role_required(LogRole r) { return r <= ROLE_TIME; }

const char *columns_get(const LogColumns *c, LogRole r)
{
    if (!c) return NULL;
    const char *const v[NROLES] = {c->case_id, c->event, c->time, c->channel, c->revenue, c->cost, c->segment, c->score};
    return v[r];
}

void columns_set(LogColumns *c, LogRole r, const char *name)
{
    const char **v[NROLES] = {&c->case_id, &c->event, &c->time, &c->channel, &c->revenue, &c->cost, &c->segment, &c->score};
    *v[r] = name;
}

static bool fits(const char *name, size_t len, const char *want, bool trace_level)
{
    if (log_name_eq(name, len, want)) return true;
    /* A trace's attribute "segment" is the column "case:segment" of a flattened log. */
    return trace_level && strncmp(want, "case:", 5) == 0 && log_name_eq(name, len, want + 5);
}

int role_rank(const LogColumns *given, LogRole r, const char *name, size_t len, bool trace_level)
{
    const char *g = columns_get(given, r);
    if (g) return fits(name, len, g, trace_level) ? 0 : -1;
    const char *const *d = roles[r].defaults;
    for (int i = 0; d[i]; i++)
        if (fits(name, len, d[i], trace_level)) return i;
    return -1;
}

/* The usual number ("12.50", "-3", "7"): at most 15 digits, exact as an integer, and one
 * division by an exact power of ten rounds correctly, as strtod would. */
static bool simple_number(const char *s, size_t len, char point, double *v)
{
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = 0;
    bool negative = false;
    if (s[0] == '-' || s[0] == '+') negative = s[i++] == '-';
    int64_t m = 0;
    int ndigits = 0, frac = -1;
    for (; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            m = m * 10 + (s[i] - '0');
            if (++ndigits > 15) return false;
            if (frac >= 0) frac++;
        } else if (s[i] == point && frac < 0) {
            frac = 0;
        } else {
            return false;
        }
    }
    if (ndigits == 0) return false;
    double d = (double)m / pow10[frac > 0 ? frac : 0];
    *v = negative ? -d : d;
    return true;
}

bool log_parse_number(const char *s, size_t len, bool decimal_comma, double *v)
{
    if (len > 0 && simple_number(s, len, decimal_comma ? ',' : '.', v)) return true;
    char tmp[64];
    while (len > 0 && (*s == ' ' || *s == '\t')) s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (len == 0 || len >= sizeof tmp) return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' && decimal_comma) c = '.';
        /* strtod would take hexadecimal, "inf" and "nan": a log's number is none of them. */
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return false;
        tmp[i] = c;
    }
    tmp[len] = '\0';
    char *end;
    double d = strtod(tmp, &end);
    if (end != tmp + len || !isfinite(d)) return false;
    *v = d;
    return true;
}
