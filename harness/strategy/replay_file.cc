#include "strategy/replay_file.h"

#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "gort/gort.h"

namespace gort::harness {
namespace {

using nlohmann::json;

std::optional<FaultSite> site_by_name(const std::string& name) {
  for (int i = 0; i < kFaultSites; i++) {
    if (name == fault_site_name(static_cast<FaultSite>(i))) return static_cast<FaultSite>(i);
  }
  return std::nullopt;
}

// A JSON string literal; invalid UTF-8 is replaced rather than thrown about.
std::string quote(const std::string& s) { return json(s).dump(-1, ' ', false, json::error_handler_t::replace); }

[[maybe_unused]] bool valid(const Decision& d) {
  return is_valid(d.kind) && d.n >= 2 && d.n <= kMaxDecisionOptions && d.chosen < d.n &&
         (!is_fault(d.kind) || d.n == 2);
}

// Reads fields with explicit type checks; the first problem becomes error.
// Invariant: once error is set, no field is read any more.
class FieldReader {
 public:
  explicit FieldReader(std::string_view source) : prefix_("replay file " + std::string(source) + ": ") {}

  bool fail(const std::string& what) {
    if (error_.empty()) error_ = prefix_ + what;
    return false;
  }
  const std::string& error() const { return error_; }

  const json* field(const json& obj, const char* key, const char* where = "") {
    auto it = obj.find(key);
    if (it == obj.end()) {
      fail(std::string(where) + "missing field \"" + key + "\"");
      return nullptr;
    }
    return &*it;
  }

  bool string(const json& obj, const char* key, std::string& out, const char* where = "") {
    const json* v = field(obj, key, where);
    if (v == nullptr) return false;
    if (!v->is_string()) return fail(std::string(where) + "\"" + key + "\": expected a string");
    out = v->get<std::string>();
    return true;
  }

  bool unsigned_int(const json& obj, const char* key, uint64_t max, uint64_t& out, const char* where = "") {
    const json* v = field(obj, key, where);
    if (v == nullptr) return false;
    if (!v->is_number_unsigned()) return fail(std::string(where) + "\"" + key + "\": expected an unsigned integer");
    out = v->get<uint64_t>();
    if (out > max)
      return fail(std::string(where) + "\"" + key + "\": " + std::to_string(out) + " exceeds " + std::to_string(max));
    return true;
  }

 private:
  std::string prefix_;
  std::string error_;
};

bool read_decisions(FieldReader& r, const json& root, std::vector<Decision>& out) {
  const json* list = r.field(root, "decisions");
  if (list == nullptr) return false;
  if (!list->is_array()) return r.fail("\"decisions\": expected an array");
  if (list->size() > kMaxReplayDecisions) {
    return r.fail("\"decisions\": more than " + std::to_string(kMaxReplayDecisions) + " entries");
  }
  out.reserve(list->size());
  for (size_t i = 0; i < list->size(); i++) {
    const json& e = (*list)[i];
    std::string at = "\"decisions\"[" + std::to_string(i) + "]: ";
    bool triple = e.is_array() && e.size() == 3 && e[0].is_number_unsigned() && e[1].is_number_unsigned() &&
                  e[2].is_number_unsigned();
    if (!triple) return r.fail(at + "expected [kind, n, chosen] (unsigned integers)");
    uint64_t kind = e[0].get<uint64_t>(), n = e[1].get<uint64_t>(), chosen = e[2].get<uint64_t>();
    if (kind >= kDecisionKinds) {
      return r.fail(at + "kind " + std::to_string(kind) + " is out of range (0.." + std::to_string(kDecisionKinds - 1) +
                    ")");
    }
    if (n < 2 || n > kMaxDecisionOptions) {
      return r.fail(at + "n " + std::to_string(n) + " is out of range (2.." + std::to_string(kMaxDecisionOptions) +
                    ")");
    }
    if (chosen >= n) return r.fail(at + "chosen " + std::to_string(chosen) + " is not below n " + std::to_string(n));
    Decision d{static_cast<DecisionKind>(kind), static_cast<uint32_t>(n), static_cast<uint32_t>(chosen)};
    if (is_fault(d.kind) && n != 2) return r.fail(at + "a fault decision (" + decision_kind_name(d.kind) + ") has n 2");
    out.push_back(d);
  }
  return true;
}

bool read_faults_fired(FieldReader& r, const json& root, size_t max, std::vector<FiredFault>& out) {
  const json* list = r.field(root, "faults_fired");
  if (list == nullptr) return false;
  if (!list->is_array()) return r.fail("\"faults_fired\": expected an array");
  if (list->size() > max) return r.fail("\"faults_fired\": more entries than decisions");
  for (size_t i = 0; i < list->size(); i++) {
    const json& e = (*list)[i];
    std::string at = "\"faults_fired\"[" + std::to_string(i) + "]: ";
    if (!e.is_object()) return r.fail(at + "expected {\"site\", \"step\"}");
    std::string name;
    uint64_t step = 0;
    if (!r.string(e, "site", name, at.c_str()) || !r.unsigned_int(e, "step", UINT64_MAX, step, at.c_str()))
      return false;
    auto site = site_by_name(name);
    if (!site) return r.fail(at + "unknown fault site " + quote(name));
    out.push_back({*site, step});
  }
  return true;
}

}  // namespace

std::string replay_json(const ReplayFile& f) {
  std::ostringstream o;
  o << "{\n";
  o << "  \"format\": " << quote(kReplayFormat) << ",\n";
  o << "  \"version\": " << kReplayVersion << ",\n";
  o << "  \"scenario\": " << quote(f.scenario) << ",\n";
  o << "  \"scenario_fingerprint\": " << quote(f.scenario_fingerprint) << ",\n";
  o << "  \"seed\": " << f.seed << ",\n";
  o << "  \"strategy\": " << quote(f.strategy) << ",\n";
  o << "  \"depth\": " << f.depth << ",\n";
  o << "  \"config\": {\"stack_size\": " << f.stack_size << ", \"procs\": " << f.procs
    << ", \"leaks\": " << quote(f.leaks) << "},\n";
  o << "  \"fault_plan\": " << quote(f.fault_plan.to_string()) << ",\n";
  o << "  \"decisions\": [";
  for (size_t i = 0; i < f.decisions.size(); i++) {
    const Decision& d = f.decisions[i];
    assert(valid(d) && "write_replay: invalid decision");
    o << (i == 0 ? "\n    [" : ",\n    [") << static_cast<int>(d.kind) << ", " << d.n << ", " << d.chosen << "]";
  }
  o << (f.decisions.empty() ? "],\n" : "\n  ],\n");
  o << "  \"faults_fired\": [";
  for (size_t i = 0; i < f.faults_fired.size(); i++) {
    const FiredFault& ff = f.faults_fired[i];
    o << (i == 0 ? "" : ", ") << "{\"site\": " << quote(fault_site_name(ff.site)) << ", \"step\": " << ff.step << "}";
  }
  o << "],\n";
  o << "  \"failure\": " << quote(f.failure) << "\n";
  o << "}\n";
  return o.str();
}

std::string write_replay(const std::string& path, const ReplayFile& file) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return "replay file " + path + ": cannot create: " + std::strerror(errno);
  out << replay_json(file);
  out.close();
  if (!out) return "replay file " + path + ": write failed";
  return "";
}

ReplayRead read_replay(const std::string& path) {
  ReplayRead result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = "replay file " + path + ": cannot open: " + std::strerror(errno);
    return result;
  }
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxReplayFileBytes) {
      result.error = "replay file " + path + ": larger than " + std::to_string(kMaxReplayFileBytes) + " bytes";
      return result;
    }
  }
  return parse_replay(text, path);
}

ReplayRead parse_replay(std::string_view text, std::string_view source) {
  ReplayRead result;
  FieldReader r(source);
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    std::string what = e.what();
    size_t bracket = what.find("] ");
    r.fail("not JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
    result.error = r.error();
    return result;
  }
  ReplayFile& f = result.file;
  std::string format, plan_text;
  uint64_t version = 0, depth = 0;
  const json* config = nullptr;
  bool ok = root.is_object() || r.fail("expected a JSON object");
  ok = ok && r.string(root, "format", format);
  ok = ok && (format == kReplayFormat || r.fail("\"format\": " + quote(format) + " is not " + quote(kReplayFormat)));
  ok = ok && r.unsigned_int(root, "version", UINT64_MAX, version);
  ok = ok && (version == kReplayVersion ||
              r.fail("\"version\": " + std::to_string(version) + " is not supported (this gort reads version " +
                     std::to_string(kReplayVersion) + ")"));
  ok = ok && r.string(root, "scenario", f.scenario) && r.string(root, "scenario_fingerprint", f.scenario_fingerprint);
  ok = ok && r.unsigned_int(root, "seed", UINT64_MAX, f.seed) && r.string(root, "strategy", f.strategy);
  ok = ok && r.unsigned_int(root, "depth", UINT32_MAX, depth);
  ok = ok && (config = r.field(root, "config")) != nullptr;
  ok = ok && (config->is_object() || r.fail("\"config\": expected an object"));
  ok = ok && r.unsigned_int(*config, "stack_size", UINT64_MAX, f.stack_size, "\"config\": ");
  uint64_t procs = 1;
  if (ok && config->contains("procs")) {
    ok = r.unsigned_int(*config, "procs", kMaxProcs, procs, "\"config\": ") &&
         (procs >= 1 || r.fail("\"config\": \"procs\": 0 is not a GOMAXPROCS (1.." + std::to_string(kMaxProcs) + ")"));
  }
  f.procs = static_cast<uint32_t>(procs);
  if (ok && config->contains("leaks")) {
    ok = r.string(*config, "leaks", f.leaks, "\"config\": ") &&
         (f.leaks == "off" || f.leaks == "report" || f.leaks == "definite" || f.leaks == "all" ||
          r.fail("\"config\": \"leaks\": " + quote(f.leaks) + " is not off, report, definite or all"));
  }
  ok = ok && r.string(root, "fault_plan", plan_text);
  if (ok) {
    FaultPlanParse plan = FaultPlan::parse(plan_text);
    ok = plan.ok() || r.fail("\"fault_plan\": " + plan.error);
    f.fault_plan = plan.plan;
  }
  ok = ok && read_decisions(r, root, f.decisions);
  ok = ok && read_faults_fired(r, root, f.decisions.size(), f.faults_fired);
  ok = ok && r.string(root, "failure", f.failure);
  f.depth = static_cast<uint32_t>(depth);
  if (!ok) {
    result.error = r.error();
    result.file = ReplayFile();
  }
  return result;
}

}  // namespace gort::harness
