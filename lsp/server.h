/* server.h: the language server's insides, shared by the files of lsp/ (none of it is seen
 * outside lsp/). Each file owns one part:
 *   rpc.c         reading and writing JSON-RPC messages (Content-Length framing, limits, JSON)
 *   server.c      the lifecycle (initialize, shutdown, exit), the table of methods, dispatch
 *   docs.c        open documents, URIs and paths, UTF-16 positions
 *   analysis.c    one check of a document (open buffers overlaying the disk for its imports),
 *                 its diagnostics as LSP JSON, and the index of names (declarations, references)
 *   features.c    hover, definition, references, rename, symbols, completion, formatting,
 *                 semantic tokens, code actions
 *   background.c  quick simulations of saved journeys on a thread of their own, behind hover and
 *                 code lenses
 *   memory.c      the allocator with a budget that jansson and lsp/ allocate through
 *
 * Threads: one thread reads, dispatches and answers; background.c's thread only simulates and,
 * when a run is done, sends a notification or request through lsp_send (which locks). */
#ifndef CJM_LSP_SERVER_H
#define CJM_LSP_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cjm.h"
#include "lsp.h"

/* JSON-RPC's and the protocol's error codes. */
enum {
    LSP_PARSE_ERROR = -32700,
    LSP_INVALID_REQUEST = -32600,
    LSP_METHOD_NOT_FOUND = -32601,
    LSP_INVALID_PARAMS = -32602,
    LSP_INTERNAL_ERROR = -32603,
    LSP_SERVER_NOT_INITIALIZED = -32002,
    LSP_REQUEST_FAILED = -32803,
    LSP_CONTENT_MODIFIED = -32801,
    LSP_REQUEST_CANCELLED = -32800,
};

/* A request's failure: a code above and a message for the client. */
typedef struct LspError {
    int code;
    char message[512];
} LspError;

/* Sets *e (printf-style message) and returns NULL, so that a handler can `return lsp_fail(...)`. */
json_t *lsp_fail(LspError *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

typedef struct LspAnalysis LspAnalysis;
typedef struct LspBackground LspBackground;

/* One document the client has opened (textDocument/didOpen .. didClose). */
typedef struct LspDoc {
    char *uri;              /* as the client sent it */
    char *path;             /* the file it names (a file: URI, percent-decoded), else the URI itself */
    int version;
    char *text;             /* NUL-terminated; len bytes */
    size_t len;
    LspAnalysis *analysis;  /* the last check of this version (analysis.c), or NULL */
    struct LspDoc *next;
} LspDoc;

typedef struct LspServer {
    LspOptions o;
    int in_fd, out_fd;
    pthread_mutex_t write_lock; /* one message at a time on out_fd */
    bool initialized;           /* `initialize` answered */
    bool shutdown;              /* `shutdown` answered: only `exit` is served now */
    json_t *client_capabilities; /* from `initialize` (owned), json_null() before it */
    LspDoc *docs;
    LspBackground *bg;
    uint64_t next_request_id;   /* of requests the server sends to the client */
} LspServer;

/* ---- rpc.c ---- */

/* Sends one message (steals `msg`); safe from any thread. A failure to write ends the server
 * (the client is gone) at the next read. */
void lsp_send(LspServer *s, json_t *msg);
/* A notification `method` with `params` (stolen; NULL: none). */
void lsp_notify(LspServer *s, const char *method, json_t *params);

/* ---- docs.c ---- */

LspDoc *lsp_doc_find(LspServer *s, const char *uri);
/* The document `params.textDocument.uri` names, or NULL with *e set (an error naming the URI:
 * not open). */
LspDoc *lsp_doc_of(LspServer *s, json_t *params, LspError *e);
/* A position {line, character} (UTF-16 code units, as the protocol counts) in d's text as a byte
 * offset; false when it is not a position of the text (a character past the line's end is the
 * line's end, as the specification says). */
bool lsp_doc_offset(const LspDoc *d, json_t *position, uint32_t *off);
/* A location of a loaded file as the protocol's Range, and Location {uri, range}. */
json_t *lsp_range(const SourceFile *f, Loc loc);
json_t *lsp_location(const SourceFile *f, Loc loc);
/* file: URIs and paths (percent-encoding both ways); malloc'd, NULL when `uri` is not one. */
char *lsp_uri_to_path(const char *uri);
char *lsp_path_to_uri(const char *path);

/* ---- analysis.c ---- */

/* d checked with its imports, open documents read in place of the files they name: cached on d
 * until its text changes. NULL only when memory ran out before anything could be checked. */
LspAnalysis *lsp_analyze(LspServer *s, LspDoc *d);
void lsp_analysis_free(LspAnalysis *a);
/* textDocument/publishDiagnostics for d (its own diagnostics; notes as relatedInformation). */
void lsp_publish_diagnostics(LspServer *s, LspDoc *d);

/* ---- background.c ---- */

/* What the last finished background run of a saved journey says of one stage or touchpoint. */
typedef struct LspFigures {
    double reached;         /* people who reached it (at least once) */
    double reached_share;   /* of the cohort */
    double conversion;      /* of those who reached it, the share that converted (NaN: unknown) */
    double mood;            /* mean mood on entry (stages) or NaN */
    unsigned long cohort;
} LspFigures;

void lsp_background_start(LspServer *s);
void lsp_background_stop(LspServer *s);
/* The journey saved at `path` changed (opened, saved) or its buffer changed: cancel a run of it
 * under way and start another from the saved file. Never blocks on a run. */
void lsp_background_schedule(LspServer *s, const char *path);
/* The figures of stage or touchpoint `name` of the journey at `path` from its last finished run;
 * false when there is none yet (or the journey does not run). */
bool lsp_background_figures(LspServer *s, const char *path, const char *name, LspFigures *out);

/* ---- the methods (server.c's table) ---- */

typedef json_t *(*LspRequestFn)(LspServer *s, json_t *params, LspError *e);
typedef void (*LspNotificationFn)(LspServer *s, json_t *params);

#endif
