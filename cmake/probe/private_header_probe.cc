// Must not compile: the runtime's private headers (here proc.h, the
// scheduler's internals) are reachable from no target outside the runtime.
// cmake/GortBoundaries.cmake builds this against every layer above the
// runtime and requires the compiler to say the header is not found.
#include "proc.h"
