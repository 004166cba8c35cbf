// A one-line progress bar for long gort check runs, drawn on stderr only
// when stderr is a terminal (CI logs get the summary alone).
#ifndef GORT_HARNESS_REPORT_PROGRESS_H
#define GORT_HARNESS_REPORT_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <string>

namespace gort::harness {

class ProgressBar {
 public:
  // total: units of work (e.g. scenarios x runs); 0 disables drawing.
  explicit ProgressBar(uint64_t total);
  ~ProgressBar();
  // Redraws at most every 100 ms: done units so far and what is running.
  void update(uint64_t done, const std::string& what);
  // Erases the bar so that the summary starts on a clean line.
  void finish();

 private:
  uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_REPORT_PROGRESS_H
