#include "strategy/fault_plan.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <functional>
#include <optional>

namespace gort::harness {
namespace {

std::optional<FaultSite> site_by_name(std::string_view name) {
  for (int i = 0; i < kFaultSites; i++) {
    auto s = static_cast<FaultSite>(i);
    if (name == fault_site_name(s)) return s;
  }
  return std::nullopt;
}

std::string known_sites() {
  std::string out;
  for (int i = 0; i < kFaultSites; i++) {
    if (i > 0) out += ", ";
    out += fault_site_name(static_cast<FaultSite>(i));
  }
  return out;
}

std::optional<uint32_t> parse_uint(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "0.05" -> 50; nullopt unless digits[.digits] with at most 3 decimals.
std::optional<uint32_t> parse_per_mille(std::string_view s) {
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.size() > 4 || frac.size() > 3 || (dot != std::string_view::npos && frac.empty())) return std::nullopt;
  auto w = parse_uint(whole);
  if (!w) return std::nullopt;
  uint32_t f = 0;
  if (!frac.empty()) {
    auto fv = parse_uint(frac);
    if (!fv) return std::nullopt;
    f = *fv;
    for (size_t i = frac.size(); i < 3; i++) f *= 10;
  }
  return *w * 1000 + f;
}

std::string print_per_mille(uint32_t per_mille) {
  if (per_mille == 1000) return "1";
  std::string frac = std::to_string(1000 + per_mille).substr(1);  // three digits
  while (frac.back() == '0') frac.pop_back();
  return "0." + frac;
}

// One "site:spec" entry into plan; returns an error or "".
std::string parse_entry(std::string_view entry, FaultPlan& plan, std::array<bool, kFaultSites>& seen) {
  size_t colon = entry.find(':');
  if (colon == std::string_view::npos) return "\"" + std::string(entry) + "\" is not site:p=P or site:at=N/M";
  std::string_view name = entry.substr(0, colon), spec = entry.substr(colon + 1);
  auto site = site_by_name(name);
  if (!site) return "unknown fault site \"" + std::string(name) + "\" (known: " + known_sites() + ")";
  auto idx = static_cast<size_t>(*site);
  if (seen[idx]) return "fault site \"" + std::string(name) + "\" appears twice";
  seen[idx] = true;
  if (spec.starts_with("p=")) {
    auto pm = parse_per_mille(spec.substr(2));
    if (!pm || *pm == 0 || *pm > 1000) {
      return std::string(name) + ": \"" + std::string(spec) + "\": p must be in (0, 1] with at most 3 decimals";
    }
    plan.set(*site, FaultRule::probability(*pm));
    return "";
  }
  if (spec.starts_with("at=")) {
    std::vector<uint32_t> at;
    std::string_view rest = spec.substr(3);
    while (true) {
      size_t slash = rest.find('/');
      auto v = parse_uint(rest.substr(0, slash));
      if (!v || *v == 0 || *v > kMaxFaultOccurrence) {
        return std::string(name) + ": \"" + std::string(spec) + "\": occurrences are integers in [1, " +
               std::to_string(kMaxFaultOccurrence) + "] separated by /";
      }
      if (!at.empty() && *v <= at.back()) return std::string(name) + ": occurrences must be strictly increasing";
      if (at.size() == kMaxFaultOccurrences) {
        return std::string(name) + ": more than " + std::to_string(kMaxFaultOccurrences) + " occurrences";
      }
      at.push_back(*v);
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
    plan.set(*site, FaultRule::at(std::move(at)));
    return "";
  }
  return std::string(name) + ": \"" + std::string(spec) + "\" is neither p=P nor at=N/M";
}

}  // namespace

bool FaultRule::valid() const {
  switch (mode) {
    case Mode::kOff:
      return per_mille == 0 && occurrences.empty();
    case Mode::kProbability:
      return per_mille >= 1 && per_mille <= 1000 && occurrences.empty();
    case Mode::kOccurrences:
      if (per_mille != 0 || occurrences.empty() || occurrences.size() > kMaxFaultOccurrences) return false;
      if (occurrences.front() == 0 || occurrences.back() > kMaxFaultOccurrence) return false;
      return std::adjacent_find(occurrences.begin(), occurrences.end(), std::greater_equal<>()) == occurrences.end();
  }
  return false;
}

void FaultPlan::set(FaultSite s, FaultRule r) {
  assert(r.valid() && "FaultPlan::set: invalid rule");
  assert(static_cast<int>(s) < kFaultSites);
  rules_[static_cast<size_t>(s)] = std::move(r);
}

bool FaultPlan::empty() const {
  return std::all_of(rules_.begin(), rules_.end(), [](const FaultRule& r) { return r.mode == FaultRule::Mode::kOff; });
}

FaultPlanParse FaultPlan::parse(std::string_view text) {
  FaultPlanParse out;
  if (text.size() > kMaxFaultPlanText) {
    out.error = "fault plan longer than " + std::to_string(kMaxFaultPlanText) + " characters";
    return out;
  }
  std::array<bool, kFaultSites> seen{};
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string err = parse_entry(text.substr(0, comma), out.plan, seen);
    if (!err.empty()) {
      out.error = "fault plan: " + err;
      out.plan = FaultPlan();
      return out;
    }
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
    if (text.empty()) {
      out.error = "fault plan: trailing comma";
      out.plan = FaultPlan();
      return out;
    }
  }
  return out;
}

std::string FaultPlan::to_string() const {
  std::string out;
  for (int i = 0; i < kFaultSites; i++) {
    const FaultRule& r = rules_[static_cast<size_t>(i)];
    if (r.mode == FaultRule::Mode::kOff) continue;
    if (!out.empty()) out += ',';
    out += fault_site_name(static_cast<FaultSite>(i));
    if (r.mode == FaultRule::Mode::kProbability) {
      out += ":p=" + print_per_mille(r.per_mille);
    } else {
      out += ":at=";
      for (size_t k = 0; k < r.occurrences.size(); k++) {
        if (k > 0) out += '/';
        out += std::to_string(r.occurrences[k]);
      }
    }
  }
  return out;
}

FaultPlan FaultPlan::without_injected_panics() const {
  FaultPlan out = *this;
  for (FaultSite s : {FaultSite::kPanicAtYield, FaultSite::kPanicBeforeChanOp, FaultSite::kPanicAfterChanOp,
                      FaultSite::kPanicInDeferredCall, FaultSite::kPanicAfterWakeup}) {
    out.rules_[static_cast<size_t>(s)] = FaultRule::off();
  }
  assert(!out.armed(FaultSite::kPanicAtYield));
  return out;
}

}  // namespace gort::harness
