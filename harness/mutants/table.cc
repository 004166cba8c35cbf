#include "mutants/table.h"

#include <algorithm>
#include <cstdio>

namespace gort::harness {
namespace {

std::string schedules(const MutantRow& r) {
  auto one = [](const std::optional<uint64_t>& n) { return n ? std::to_string(*n) : std::string("-"); };
  return one(r.random_walk) + " / " + one(r.pct);
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

std::string caught_by(const MutantRow& r) { return r.caught ? r.caught_by : "SURVIVED"; }

std::string pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

std::string render_table(const std::vector<MutantRow>& rows) {
  const std::string h_mutant = "mutant", h_area = "area", h_by = "caught by",
                    h_sched = "schedules to first catch (RW / PCT)", h_sec = "seconds";
  size_t w_mutant = h_mutant.size(), w_area = h_area.size(), w_by = h_by.size(), w_sched = h_sched.size();
  for (const MutantRow& r : rows) {
    w_mutant = std::max(w_mutant, r.mutant.size());
    w_area = std::max(w_area, r.area.size());
    w_by = std::max(w_by, caught_by(r).size());
    w_sched = std::max(w_sched, schedules(r).size());
  }
  std::string out = pad(h_mutant, w_mutant) + "  " + pad(h_area, w_area) + "  " + pad(h_by, w_by) + "  " +
                    pad_left(h_sched, w_sched) + "  " + h_sec + "\n";
  for (const MutantRow& r : rows) {
    out += pad(r.mutant, w_mutant) + "  " + pad(r.area, w_area) + "  " + pad(caught_by(r), w_by) + "  " +
           pad_left(schedules(r), w_sched) + "  " + pad_left(seconds(r.seconds), h_sec.size()) + "\n";
  }
  return out;
}

std::string render_markdown(const std::vector<MutantRow>& rows) {
  std::string out =
      "| mutant | area | caught by | schedules to first catch (random walk / PCT) | seconds |\n"
      "|---|---|---|---|---|\n";
  for (const MutantRow& r : rows) {
    std::string by = caught_by(r);
    // A pipe would end the cell.
    for (char& ch : by) {
      if (ch == '|') ch = '/';
    }
    out += "| `" + r.mutant + "` | " + r.area + " | " + by + " | " + schedules(r) + " | " + seconds(r.seconds) + " |\n";
  }
  return out;
}

}  // namespace gort::harness
