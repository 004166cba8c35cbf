#include "report/progress.h"

#include <unistd.h>

#include <cstdio>

namespace gort::harness {

ProgressBar::ProgressBar(uint64_t total) : total_(total), enabled_(total > 0 && isatty(2) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(uint64_t done, const std::string& what) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done < total_) return;
  last_ = now;
  constexpr int kWidth = 30;
  uint64_t clamped = done > total_ ? total_ : done;
  int filled = static_cast<int>(clamped * kWidth / total_);
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; i++) bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
  bar[kWidth] = 0;
  fprintf(stderr, "\r[%s] %3d%% %-24.24s", bar, static_cast<int>(clamped * 100 / total_), what.c_str());
  fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  fprintf(stderr, "\r%70s\r", "");
  fflush(stderr);
  drawn_ = false;
}

}  // namespace gort::harness
