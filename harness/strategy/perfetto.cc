#include "strategy/perfetto.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace gort::harness {
namespace {

using nlohmann::json;

constexpr int kPid = 1;

json instant(uint64_t tid, uint64_t step, std::string name, const char* category) {
  return {
      {"name", std::move(name)}, {"cat", category}, {"ph", "i"}, {"s", "t"}, {"pid", kPid}, {"tid", tid}, {"ts", step}};
}

// Builds the events; invariant: running_ is the goroutine whose span is
// open since span_start_ (0 with no span open: goroutine ids start at 1).
class TimelineBuilder {
 public:
  void add(const TraceEntry& t) {
    last_step_ = t.step;
    if (t.is_decision) {
      if (is_fault(t.decision.kind) && t.decision.chosen != 0) {
        events_.push_back(instant(running_, t.step,
                                  std::string("fault ") + fault_site_name(as_fault_site(t.decision.kind)), "fault"));
        tracks_.insert(running_);
      }
      return;
    }
    const Event& e = t.event;
    if (e.kind != EventKind::kFault) tracks_.insert(e.goid);
    std::string c = " c" + std::to_string(e.obj);
    switch (e.kind) {
      case EventKind::kGoRun:
        close(t.step);
        running_ = e.goid;
        span_start_ = t.step;
        break;
      case EventKind::kGoPark:
      case EventKind::kGoPreempt:
      case EventKind::kGoExit:
        if (e.goid == running_) close(t.step);
        break;
      case EventKind::kGoCreate:
        tracks_.insert(e.obj);
        events_.push_back(instant(e.goid, t.step, "go create g" + std::to_string(e.obj), "goroutine"));
        break;
      case EventKind::kGoReady:
        events_.push_back(instant(e.goid, t.step, "ready g" + std::to_string(e.obj), "goroutine"));
        break;
      case EventKind::kChanMake:
      case EventKind::kChanSend:
      case EventKind::kChanRecv:
      case EventKind::kChanClose: {
        json ev = instant(e.goid, t.step, event_kind_name(e.kind) + c, "chan");
        if (e.has_value) ev["args"] = {{"value", e.value}};
        events_.push_back(std::move(ev));
        break;
      }
      case EventKind::kSelect:
        events_.push_back(
            instant(e.goid, t.step, e.aux < 0 ? "select default" : "select case " + std::to_string(e.aux), "chan"));
        break;
      // What the caller got back, in a category of its own ("api") that
      // the timeline can hide: it repeats the runtime's event unless the
      // two differ (the oracle's api.mismatch).
      case EventKind::kApiSend:
      case EventKind::kApiRecv: {
        std::string name = event_kind_name(e.kind) + c;
        if (e.aux == kApiNotReady) name += " not ready";
        json ev = instant(e.goid, t.step, name, "api");
        if (e.has_value) ev["args"] = {{"value", e.value}};
        if (e.kind == EventKind::kApiRecv && (e.aux == 0 || e.aux == 1)) ev["args"]["ok"] = e.aux == 1;
        events_.push_back(std::move(ev));
        break;
      }
      case EventKind::kApiSelect:
        events_.push_back(instant(
            e.goid, t.step, e.aux < 0 ? "api select default" : "api select case " + std::to_string(e.aux), "api"));
        break;
      case EventKind::kPanic:
      case EventKind::kRecover:
      case EventKind::kGoexit:
        events_.push_back(instant(e.goid, t.step, event_kind_name(e.kind), "goroutine"));
        break;
      default:
        break;
    }
  }

  json finish() {
    close(last_step_ + 1);
    json out = json::array();
    out.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", kPid}, {"args", {{"name", "gort run"}}}});
    for (uint64_t tid : tracks_) {
      std::string name = tid == 0 ? "scheduler" : "goroutine " + std::to_string(tid);
      out.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"args", {{"name", name}}}});
    }
    for (json& ev : events_) out.push_back(std::move(ev));
    return {{"traceEvents", std::move(out)}};
  }

 private:
  void close(uint64_t step) {
    if (running_ == 0) return;
    events_.push_back({{"name", "running"},
                       {"cat", "goroutine"},
                       {"ph", "X"},
                       {"pid", kPid},
                       {"tid", running_},
                       {"ts", span_start_},
                       {"dur", step - span_start_}});
    running_ = 0;
  }

  std::vector<json> events_;
  std::set<uint64_t> tracks_;
  uint64_t running_ = 0;
  uint64_t span_start_ = 0;
  uint64_t last_step_ = 0;
};

}  // namespace

std::string perfetto_json(std::span<const TraceEntry> entries) {
  TimelineBuilder b;
  for (const TraceEntry& t : entries) b.add(t);
  return b.finish().dump();
}

std::string write_perfetto(const std::string& path, std::span<const TraceEntry> entries) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return "trace file " + path + ": cannot create: " + std::strerror(errno);
  out << perfetto_json(entries) << '\n';
  out.close();
  if (!out) return "trace file " + path + ": write failed";
  return "";
}

}  // namespace gort::harness
