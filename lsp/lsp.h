/* lsp.h: the face of the language server (`cjm lsp`) for the cjm program: serve the Language
 * Server Protocol 3.17 (JSON-RPC 2.0 with Content-Length framing) on a pair of file descriptors
 * until the client says `exit`. Everything else of lsp/ is internal (server.h).
 *
 * The server is a client of the library's face (include/cjm.h) with the layers lang/ and runtime/
 * only (Makefile: USES_lsp, FACE_lsp), and of jansson for JSON. docs/editors.md says how editors
 * start it. */
#ifndef CJM_LSP_H
#define CJM_LSP_H

#include <stddef.h>
#include <stdio.h>

typedef struct LspOptions {
    const char *stdlib_dir;   /* cjm's standard library folder (cli/paths.c), or NULL */
    const char *import_path;  /* CJM_PATH, ':'-separated, or NULL */
    size_t max_memory;        /* bytes the server may hold at once (its allocations and jansson's);
                                 0: LSP_DEFAULT_MAX_MEMORY. A check that needs more gets an
                                 "out of memory" diagnostic; the server goes on. */
    unsigned long run_cohort; /* customers of the background runs behind hover and code lenses;
                                 0: LSP_DEFAULT_RUN_COHORT */
    FILE *trace;              /* --trace FILE: every message in and out, for debugging; NULL: none */
} LspOptions;

enum { LSP_DEFAULT_RUN_COHORT = 10000 };
#define LSP_DEFAULT_MAX_MEMORY ((size_t)1 << 30)

/* Serves until `exit`: returns the process's exit status as the protocol says (0 after a
 * `shutdown` request, 1 when `exit` comes without one, or when the input ends first). */
int lsp_serve(int in_fd, int out_fd, const LspOptions *o);

#endif
