/* log_xes.h: XES (IEEE 1849), the XML event logs of process mining, read with expat as a stream:
 * each <event> is handed out when it closes, with its trace's case id (the trace's concept:name,
 * written before its events as tools do; a trace whose id comes after its events is held until
 * the id is known) and the trace's segment and channel when the event has none of its own. */
#ifndef CJM_LOG_XES_H
#define CJM_LOG_XES_H

#include "log.h"
#include "log_input.h"

typedef struct XesReader XesReader;

/* Reads `in` (closed with the reader); `cols`: the keys named by the caller (NULL: the
 * defaults), `tf`: how dates are written (LOG_TIME_AUTO: ISO 8601, as XES writes them). */
XesReader *xes_open(LogInput *in, const LogColumns *cols, LogTimeFormat tf);
/* 1, 0 at the end, -1 on an error (xes_error()). */
int xes_next(XesReader *x, LogEvent *ev);
const char *xes_error(const XesReader *x);
/* The keys taken for each role so far (NULL: none seen). */
const LogColumns *xes_columns_used(const XesReader *x);
LogInput *xes_input(const XesReader *x);
void xes_close(XesReader *x);

#endif
