#include "archcheck/checks.h"

namespace gort::archcheck {
void add_runtime_checks(std::vector<Check>&) {}
}  // namespace gort::archcheck
