/* fuzz_front.c: fuzz harness for the front end: parse the input (split into in-memory modules
 * that may import each other and the standard library), check it, free everything. Built with
 * libFuzzer by `make fuzz`, and with tests/fuzz/replay.c by `make test` to replay the corpus. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "memfs.h"
#include "program.h"
#include "sema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

static void close_sink(void) { fclose(sink); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sink) {
        sink = fopen("/dev/null", "w");
        atexit(close_sink);
    }
    memfs_load((const char *)data, size, "stdlib");
    Program p;
    program_init(&p, "stdlib");
    p.files = memfs_files();
    Diag d;
    diag_init(&d, &p.sources, sink, false);
    size_t len;
    const char *text = memfs_main(&len);
    if (program_load_text(&p, "main.journey", text, len, &d) == LOAD_OK) {
        diag_defer(&d);
        Model *m = sema_check(&p, &d);
        diag_flush(&d);
        model_free(m);
    }
    diag_free(&d);
    program_free(&p);
    memfs_clear();
    return 0;
}
