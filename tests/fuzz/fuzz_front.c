/* fuzz_front.c: fuzz harness for the front end: parse the input (split into in-memory modules
 * that may import each other and the standard library), check it, free everything. Built with
 * libFuzzer by `make fuzz`, and with tests/fuzz/replay.c by `make test` to replay the corpus. */
#include <stdint.h>

#include "memfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzChecked c;
    fuzz_check(&c, data, size);
    fuzz_checked_free(&c);
    return 0;
}
