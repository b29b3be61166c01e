/* fuzz_front.c: fuzz harness for the front end: parse the input (split into in-memory modules
 * that may import each other and the standard library), check it, format its main file, free
 * everything. Built with libFuzzer by `make fuzz`, and with tests/fuzz/replay.c by `make test` to
 * replay the corpus.
 *
 * The formatter is held to what `cjm fmt` promises: it never reports an internal error (it would
 * have changed a token), and formatting its own output changes nothing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "memfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Formats `text`; returns its status and leaves the result in `out`. */
static FmtStatus format_text(const char *text, size_t len, Buf *out)
{
    SourceSet set;
    source_set_init(&set);
    char *copy = malloc(len + 1);
    if (!copy) abort();
    memcpy(copy, text, len);
    copy[len] = '\0';
    uint32_t file = source_set_add(&set, "main.journey", "main.journey", copy, len);
    Diag diag;
    diag_init(&diag, &set, fuzz_sink(), false);
    FmtStatus st = fmt_source(&diag, file, out);
    diag_free(&diag);
    source_set_free(&set);
    return st;
}

static void check_formatter(void)
{
    size_t len;
    const char *text = memfs_main(&len);
    Buf once = BUF_INIT, twice = BUF_INIT;
    FmtStatus st = format_text(text, len, &once);
    if (st == FMT_INTERNAL) {
        fprintf(stderr, "fuzz_front: the formatter changed the tokens of its input\n");
        abort();
    }
    if (st == FMT_OK) {
        if (format_text(buf_str(&once), once.len, &twice) != FMT_OK || twice.len != once.len ||
            memcmp(buf_str(&once), buf_str(&twice), once.len) != 0) {
            fprintf(stderr, "fuzz_front: formatting the formatter's output changed it\n");
            abort();
        }
    }
    buf_free(&once);
    buf_free(&twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Checked c;
    fuzz_check(&c, data, size);
    check_formatter();
    fuzz_checked_free(&c);
    return 0;
}
