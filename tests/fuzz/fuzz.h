/* Shared by the fuzz targets and their corpus runner. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant the target asserts: abort (which libFuzzer and the corpus
 * runner both report with the input) instead of assert(), so that NDEBUG
 * builds still check it. */
#define LXCF_FUZZ_CHECK(cond)                                                   \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__,        \
                    __LINE__, #cond);                                           \
            abort();                                                            \
        }                                                                       \
    } while (0)
