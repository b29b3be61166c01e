/* cjm.h: the face of the cjm library: the one header through which a client uses the core (the
 * cjm program in cli/, the fuzz harnesses in tests/fuzz, the unit tests, and later a language
 * server). A client includes this and its own headers, never a header of lang/, runtime/ or
 * render/ by name (tests/cli/layers.sh checks it): what the core offers is listed here, once, and
 * a new client needs to know nothing else.
 *
 * What a client gets, in the order it uses it:
 *
 *   load and check     checked.h   all of it at once: a journey loaded and checked, with each of
 *                                  its scenarios (checked_load), as every client starts
 *                      program.h   a Program: a file and its imports, read from disk or from the
 *                                  caller's files (ProgramFiles); the caller says where the
 *                                  standard library and the import path are
 *                      sema.h      the checked Model of the journey, and one per scenario
 *                      diag.h      diagnostics as data (severity, code, range, message, notes,
 *                                  fix-its) and their terminal printer
 *                      source.h    the source texts, lines and columns (bytes and UTF-16)
 *                      fmt.h       the canonical layout of a file (cjm fmt)
 *                      expr.h      expressions' operators and functions, and their values
 *   compile and run    model.h     the compiled model (rt_compile, rt_compile_with)
 *                      sim.h       the simulator
 *                      exact.h     the exact analysis
 *                      result.h    the figures of a run, whichever engine made them
 *                      kpi.h       the figures of kpis.md (retention, churn rate, CAC, LTV, NPS, ...)
 *                      compare.h   scenarios, removals and sweeps against the journey
 *                      attribution.h  conversions credited to channels by their removal effect
 *                      progress.h  how the long computations report how far they have got
 *   read data          log.h       event logs and path tables (CSV, gzip, XES), and CSV tables
 *   fit to data        fit.h       events mapped onto a journey (FitObs), estimates (FitResult)
 *                      rewrite.h   the fitted journey's text, and a scenario block of it
 *                      sql.h       the same observations computed where the data lives (cjm fit --sql)
 *                      validate.h  the journey simulated against the log's figures
 *                      discover.h  a first journey drawn from a log
 *                      score.h     the log's live customers scored by their simulated futures
 *   render to buffers  report.h    a run as a table, JSON, CSV or an HTML page
 *                      report_compare.h  a comparison likewise
 *                      fit_report.h  a fit as a table, JSON, CSV or HTML
 *                      graph.h     the flow graph and the journey map (through Graphviz)
 *                      diag_json.h diagnostics as JSON and SARIF
 *
 * with the helpers they are written in: buf.h (Buf, the growable string every renderer appends
 * to) and arena.h (xmalloc and friends; the arenas the syntax tree and Models live in). The lists
 * that define the language, lang/keywords.def and lang/expr.def, are part of the face too: a
 * client includes them by name, with its own X-macros defined (an editor's completions, a test's
 * table of every operator).
 *
 * The face follows the layers (docs/architecture.md): a part is included only when the client's
 * compiler can see that layer's headers, so a client whose folder may not use render/ (a language
 * server: lang and runtime) gets no render function and cannot call one.
 *
 * The unit tests are white-box tests of the layers' insides as well: they define CJM_INTERNALS
 * before including this, and get the inner modules they test too. No other client does. */
#ifndef CJM_H
#define CJM_H

/* lang/: every client may use it. */
#include "arena.h"
#include "buf.h"
#include "checked.h"
#include "diag.h"
#include "expr.h"
#include "fmt.h"
#include "names.h"
#include "program.h"
#include "sema.h"
#include "source.h"

#if __has_include("sim.h")
#include "attribution.h"
#include "compare.h"
#include "exact.h"
#include "kpi.h"
#include "model.h"
#include "progress.h"
#include "result.h"
#include "sim.h"
#endif

/* data/: event logs read (CSV, gzip, XES, path tables). */
#if __has_include("log.h")
#include "log.h"
#endif

/* fit/: a journey fitted to an event log, validated against it, live customers scored. */
#if __has_include("fit.h")
#include "discover.h"
#include "fit.h"
#include "rewrite.h"
#include "score.h"
#include "sql.h"
#include "validate.h"
#endif

#if __has_include("report.h")
#include "diag_json.h"
#include "figures.h"
#include "fit_report.h"
#include "graph.h"
#include "report.h"
#include "report_compare.h"
#endif

#ifdef CJM_INTERNALS
#include "parse.h"
#include "symtab.h"
#if __has_include("sim.h")
#include "hist.h"
#include "rng.h"
#include "skyline.h"
#endif
#if __has_include("report.h")
#include "chart.h"
#include "format.h"
#endif
#if __has_include("fit.h")
#include "observe.h"
#include "waits.h"
#endif
#endif

#endif
