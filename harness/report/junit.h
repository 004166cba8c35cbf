// JUnit XML for CI systems: one <testsuite> per gort check, one
// <testcase> per scenario, a <failure> naming the first failing run and
// how to reproduce it.
#ifndef GORT_HARNESS_REPORT_JUNIT_H
#define GORT_HARNESS_REPORT_JUNIT_H

#include <string>
#include <vector>

namespace gort::harness {

struct JunitCase {
  std::string name;
  double seconds = 0;
  uint64_t runs = 0;
  std::string failure;  // empty: passed
  std::string details;  // the failure's body: reproduce command, replay file, dump
};

// The XML text (escaped; valid for any input strings).
std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases);
// Writes it; on failure returns a one-line error naming the file, else "".
std::string write_junit(const std::string& path, const std::string& suite, const std::vector<JunitCase>& cases);

}  // namespace gort::harness

#endif  // GORT_HARNESS_REPORT_JUNIT_H
