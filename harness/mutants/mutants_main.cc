// gort-mutants: the mutants runner on its own (ctest's mutants_caught and
// `make mutants` use it; `gort mutants` is the same run_mutants).
//
//   gort-mutants [--mutant NAME]... [--runs N] [--seconds S] [--binary-seconds S]
//                [--run-timeout S] [--build-dir DIR] [--no-baseline] [--markdown] [--list]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gort/mutants.h"
#include "mutants/mutants.h"

namespace {

int usage() {
  std::printf(
      "usage: gort-mutants [--mutant NAME]... [--runs N] [--seconds S] [--binary-seconds S]\n"
      "                    [--run-timeout S] [--build-dir DIR] [--no-baseline] [--markdown] [--list]\n");
  return 2;
}

bool parse_number(const char* text, double* out) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != 0 || !(v > 0)) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  gort::harness::MutantsOptions o;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    bool has_value = i + 1 < argc;
    double v = 0;
    if (a == "--list") {
      for (const gort::MutantInfo& m : gort::kMutants) {
        std::printf("%2u  %-30s %-10s %s\n", static_cast<unsigned>(m.id), m.name, m.area, m.what);
      }
      return 0;
    } else if (a == "--mutant" && has_value) {
      o.mutants.push_back(argv[++i]);
    } else if (a == "--runs" && has_value && parse_number(argv[i + 1], &v)) {
      o.runs = static_cast<uint64_t>(v);
      i++;
    } else if (a == "--seconds" && has_value && parse_number(argv[i + 1], &v)) {
      o.seconds = v;
      i++;
    } else if (a == "--binary-seconds" && has_value && parse_number(argv[i + 1], &v)) {
      o.binary_seconds = v;
      i++;
    } else if (a == "--run-timeout" && has_value && parse_number(argv[i + 1], &v)) {
      o.run_timeout_seconds = v;
      i++;
    } else if (a == "--build-dir" && has_value) {
      o.build_dir = argv[++i];
    } else if (a == "--no-baseline") {
      o.baseline = false;
    } else if (a == "--markdown") {
      o.markdown = true;
    } else {
      return usage();
    }
  }
  return gort::harness::run_mutants(o);
}
