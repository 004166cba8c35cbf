#include "scenario/leaks.h"

#include <cassert>
#include <iterator>

namespace gort::harness {
namespace {

constexpr const char* kPolicyNames[] = {"off", "report", "definite", "all"};

const char* kind_name(Leftover::Kind k) {
  switch (k) {
    case Leftover::Kind::kDefinite:
      return "definite leak";
    case Leftover::Kind::kPossible:
      return "possible leak";
    case Leftover::Kind::kExpected:
      return "expected (gort::expect_leak)";
  }
  return "?";  // coverage-excluded: a value outside the enum
}

bool fails(const Leftover& l, LeakPolicy policy) {
  if (l.kind == Leftover::Kind::kExpected) return false;
  if (policy == LeakPolicy::kFailAll) return true;
  return policy == LeakPolicy::kFailDefinite && l.kind == Leftover::Kind::kDefinite;
}

}  // namespace

const char* leak_policy_name(LeakPolicy p) {
  const auto i = static_cast<size_t>(p);
  assert(i < std::size(kPolicyNames) && "leak_policy_name: not a LeakPolicy");
  return kPolicyNames[i];
}

bool parse_leak_policy(const std::string& text, LeakPolicy* out) {
  assert(out != nullptr);
  for (size_t i = 0; i < std::size(kPolicyNames); i++) {
    if (text == kPolicyNames[i]) {
      *out = static_cast<LeakPolicy>(i);
      return true;
    }
  }
  return false;
}

LeakCount count_leaks(const Result& r) {
  LeakCount c;
  for (const Leftover& l : r.leftover) {
    c.definite += l.kind == Leftover::Kind::kDefinite;
    c.possible += l.kind == Leftover::Kind::kPossible;
    c.expected += l.kind == Leftover::Kind::kExpected;
  }
  assert(c.definite + c.possible + c.expected == r.leftover.size());
  return c;
}

std::string describe_leak(const Leftover& l) {
  assert(l.goid != 0 && "describe_leak: a leftover goroutine has an id");
  std::string out =
      "goroutine " + std::to_string(l.goid) + " [" + (l.wait_reason.empty() ? "runnable" : l.wait_reason) + "]";
  if (!l.waits_on.empty()) out += " on " + l.waits_on;
  return out + ": " + kind_name(l.kind) + ": " + l.why;
}

std::string leak_verdict(const Result& r, LeakPolicy policy, std::string* dump) {
  if (policy == LeakPolicy::kOff || policy == LeakPolicy::kReport) return "";
  const Leftover* first = nullptr;
  size_t failing = 0;
  for (const Leftover& l : r.leftover) {
    if (!fails(l, policy)) continue;
    if (first == nullptr) first = &l;
    failing++;
    if (dump != nullptr) *dump += (dump->empty() ? "" : "\n") + describe_leak(l) + "\n" + l.dump;
  }
  if (first == nullptr) return "";
  std::string verdict = "goroutine leak after main returned: " + describe_leak(*first);
  if (failing > 1) verdict += " (and " + std::to_string(failing - 1) + " more)";
  return verdict;
}

}  // namespace gort::harness
