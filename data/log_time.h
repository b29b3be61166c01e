/* log_time.h: times as logs write them, read into days since 1970-01-01T00:00:00Z: ISO 8601
 * (a date, or a date and a time with 'T' or a space, fractional seconds, 'Z' or a UTC offset
 * ±hh:mm, ±hhmm or ±hh; none: UTC), epoch seconds and epoch milliseconds. Hand-written, as the
 * reader parses one per event. */
#ifndef CJM_LOG_TIME_H
#define CJM_LOG_TIME_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* Parses one ISO 8601 time (the whole of s[0, len)). */
bool time_parse_iso(const char *s, size_t len, double *days);
/* Parses a number of seconds (or milliseconds: ms) since the epoch, integer or decimal. */
bool time_parse_epoch(const char *s, size_t len, bool ms, double *days);
/* The format LOG_TIME_AUTO takes from a first value: ISO 8601 when it looks like a date, epoch
 * milliseconds for an integer part of 12 digits or more, epoch seconds for a shorter number;
 * LOG_TIME_AUTO when it is none of them. */
LogTimeFormat time_detect(const char *s, size_t len);
/* A time in `format` (LOG_TIME_AUTO: detected from this value alone). */
bool time_parse(const char *s, size_t len, LogTimeFormat format, double *days);
/* The last date read, so that the next time on the same day skips the calendar. */
typedef struct TimeCache {
    char date[10];
    bool valid;
    double day;
} TimeCache;
bool time_parse_iso_cached(const char *s, size_t len, TimeCache *cache, double *days);
bool time_parse_cached(const char *s, size_t len, LogTimeFormat format, TimeCache *cache, double *days);
/* "ISO 8601", "epoch seconds", "epoch milliseconds" (for messages and reports). */
const char *time_format_name(LogTimeFormat f);

#endif
