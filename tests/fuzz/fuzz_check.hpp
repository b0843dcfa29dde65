// An invariant check that stays on in release builds (NDEBUG would silence assert) and aborts,
// which both libFuzzer and the replay ctest report as a failure.
#pragma once

#include <cstdio>
#include <cstdlib>

#define PANCAKE_FUZZ_CHECK(cond)                                                                                       \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond);                     \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (0)
