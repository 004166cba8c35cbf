#include "archcheck/archcheck.h"

#include "archcheck/checks.h"

namespace gort::archcheck {

const std::vector<Check>& all_checks() {
  static const std::vector<Check> checks = [] {
    std::vector<Check> c;
    add_trampoline_checks(c);
    add_runtime_checks(c);
    return c;
  }();
  return checks;
}

}  // namespace gort::archcheck
