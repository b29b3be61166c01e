/* replay.c: runs a fuzz harness over files (the committed corpus and crash reproducers) without
 * libFuzzer, so that `make test` (and `make asan`, and valgrind) replay every one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cjm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int failures = 0;
    for (int i = 1; i < argc; i++) {
        char *text;
        size_t len;
        int err;
        if (source_read_file(argv[i], &text, &len, &err) != READ_OK) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            failures++;
            continue;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)text, len);
        free(text);
    }
    printf("replayed %d inputs\n", argc - 1 - failures);
    return failures ? 1 : 0;
}
