/* log_time.c: ISO 8601 and epoch times into days since the epoch (log_time.h), and
 * log_parse_time of log.h. */
#include "log_time.h"

#include <stdint.h>
#include <string.h>

static bool digit(char c) { return c >= '0' && c <= '9'; }

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!digit(s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The UTC offset at s[0, len): "Z", "±hh:mm", "±hhmm", "±hh", in seconds. */
static bool parse_offset(const char *s, size_t len, int *seconds)
{
    if (len == 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *seconds = 0;
        return true;
    }
    if (len < 3 || (s[0] != '+' && s[0] != '-')) return false;
    int h = digits(s + 1, 2), m = 0;
    if (h < 0 || h > 23) return false;
    if (len == 6 && s[3] == ':') m = digits(s + 4, 2);
    else if (len == 5) m = digits(s + 3, 2);
    else if (len != 3) return false;
    if (m < 0 || m > 59) return false;
    *seconds = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

/* hh:mm[:ss[.fff]] at s; *used gets its length. */
static bool parse_clock(const char *s, size_t len, double *seconds, size_t *used)
{
    if (len < 5 || s[2] != ':') return false;
    int h = digits(s, 2), mi = digits(s + 3, 2);
    if (h < 0 || h > 24 || mi < 0 || mi > 59) return false;
    size_t i = 5;
    double sec = 0;
    if (i < len && s[i] == ':') {
        if (len < i + 3) return false;
        int se = digits(s + i + 1, 2);
        if (se < 0 || se > 60) return false;
        sec = se;
        i += 3;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            if (i >= len || !digit(s[i])) return false;
            double scale = 0.1;
            while (i < len && digit(s[i])) {
                sec += (s[i] - '0') * scale;
                scale *= 0.1;
                i++;
            }
        }
    }
    if (h == 24 && (mi != 0 || sec != 0)) return false;
    *seconds = h * 3600.0 + mi * 60.0 + sec;
    *used = i;
    return true;
}

/* The day of "YYYY-MM-DD" at s, or false. */
static bool parse_date(const char *s, double *day)
{
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
    *day = (double)days_from_civil(y, m, d);
    return true;
}

bool time_parse_iso_cached(const char *s, size_t len, TimeCache *cache, double *days)
{
    if (len < 10 || s[4] != '-' || s[7] != '-') return false;
    double day;
    /* A log's consecutive events are mostly on the same day: its number is kept. */
    if (cache && cache->valid && memcmp(cache->date, s, 10) == 0) {
        day = cache->day;
    } else {
        if (!parse_date(s, &day)) return false;
        if (cache) {
            memcpy(cache->date, s, 10);
            cache->day = day;
            cache->valid = true;
        }
    }
    if (len == 10) {
        *days = day;
        return true;
    }
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
    double sec;
    size_t used;
    if (!parse_clock(s + 11, len - 11, &sec, &used)) return false;
    size_t rest = 11 + used;
    int offset = 0;
    if (rest < len && s[rest] == ' ') rest++; /* "2024-01-05 10:00:00 +01:00" */
    if (rest < len && !parse_offset(s + rest, len - rest, &offset)) return false;
    *days = day + (sec - offset) / 86400.0;
    return true;
}

bool time_parse_iso(const char *s, size_t len, double *days) { return time_parse_iso_cached(s, len, NULL, days); }

bool time_parse_epoch(const char *s, size_t len, bool ms, double *days)
{
    size_t i = 0;
    bool negative = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    if (i >= len || !digit(s[i])) return false;
    int64_t whole = 0;
    int n = 0;
    while (i < len && digit(s[i])) {
        if (++n > 17) return false;
        whole = whole * 10 + (s[i++] - '0');
    }
    double frac = 0;
    if (i < len && s[i] == '.') {
        i++;
        double scale = 0.1;
        while (i < len && digit(s[i])) {
            frac += (s[i++] - '0') * scale;
            scale *= 0.1;
        }
    }
    if (i != len) return false;
    /* Whole days and the rest apart, so that a big count of seconds keeps its precision. */
    int64_t per_day = ms ? 86400000 : 86400;
    double v = (double)(whole / per_day) + ((double)(whole % per_day) + frac) / (double)per_day;
    *days = negative ? -v : v;
    return true;
}

LogTimeFormat time_detect(const char *s, size_t len)
{
    if (len >= 10 && digit(s[0]) && s[4] == '-') return LOG_TIME_ISO;
    size_t i = 0, n = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) i++;
    while (i < len && digit(s[i])) {
        i++;
        n++;
    }
    if (n == 0) return LOG_TIME_AUTO;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && digit(s[i])) i++;
    }
    if (i != len) return LOG_TIME_AUTO;
    return n >= 12 ? LOG_TIME_EPOCH_MS : LOG_TIME_EPOCH_S;
}

bool time_parse_cached(const char *s, size_t len, LogTimeFormat format, TimeCache *cache, double *days)
{
    if (format == LOG_TIME_AUTO) format = time_detect(s, len);
    switch (format) {
    case LOG_TIME_ISO: return time_parse_iso_cached(s, len, cache, days);
    case LOG_TIME_EPOCH_S: return time_parse_epoch(s, len, false, days);
    case LOG_TIME_EPOCH_MS: return time_parse_epoch(s, len, true, days);
    case LOG_TIME_AUTO: break;
    }
    return false;
}

bool time_parse(const char *s, size_t len, LogTimeFormat format, double *days)
{
    return time_parse_cached(s, len, format, NULL, days);
}

const char *time_format_name(LogTimeFormat f)
{
    switch (f) {
    case LOG_TIME_ISO: return "ISO 8601";
    case LOG_TIME_EPOCH_S: return "epoch seconds";
    case LOG_TIME_EPOCH_MS: return "epoch milliseconds";
    case LOG_TIME_AUTO: break;
    }
    return "ISO 8601, a date, or epoch seconds or milliseconds";
}

bool log_parse_time(const char *s, size_t len, LogTimeFormat format, double *days)
{
    return time_parse(s, len, format, days);
}
