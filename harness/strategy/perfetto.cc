#include "strategy/perfetto.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace gort::harness {
namespace {

using nlohmann::json;

constexpr int kPid = 1;    // the goroutines' tracks
constexpr int kMsPid = 2;  // the Ms' tracks (several Ms only)

json instant(uint64_t tid, uint64_t step, std::string name, const char* category) {
  return {
      {"name", std::move(name)}, {"cat", category}, {"ph", "i"}, {"s", "t"}, {"pid", kPid}, {"tid", tid}, {"ts", step}};
}

// Builds the events. Invariants: open_[m] is the goroutine M m runs since
// its span began (goid 0: none; goroutine ids start at 1); m_state_[m] the
// M's own state span (spinning or idle) open since it began; last_m_ the M
// of the latest event (decisions carry no M: they belong to it).
class TimelineBuilder {
 public:
  void add(const TraceEntry& t) {
    last_step_ = t.step;
    if (t.is_decision) {
      if (is_fault(t.decision.kind) && t.decision.chosen != 0) {
        const uint64_t running = open_[last_m_].goid;
        events_.push_back(
            instant(running, t.step, std::string("fault ") + fault_site_name(as_fault_site(t.decision.kind)), "fault"));
        tracks_.insert(running);
      }
      return;
    }
    const Event& e = t.event;
    last_m_ = e.m;
    ms_.insert(e.m);
    if (e.kind != EventKind::kFault) tracks_.insert(e.goid);
    std::string c = " c" + std::to_string(e.obj);
    switch (e.kind) {
      case EventKind::kGoRun:
        close(e.m, t.step);
        open_[e.m] = {e.goid, t.step};
        break;
      case EventKind::kGoPark:
      case EventKind::kGoPreempt:
      case EventKind::kGoExit:
        if (e.goid == open_[e.m].goid) close(e.m, t.step);
        break;
      case EventKind::kMSpin:
        close_state(e.m, t.step);
        if (e.aux == 1) m_state_[e.m] = {"spinning", t.step};
        break;
      case EventKind::kMIdle:
        close_state(e.m, t.step);
        m_state_[e.m] = {"idle", t.step};
        break;
      case EventKind::kMWake:
        close_state(e.m, t.step);
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
      // Semaphores and sync objects (s<n>: an address numbered per run),
      // in a category of their own.
      case EventKind::kSemaQueue:
      case EventKind::kSemaDequeue:
      case EventKind::kSyncAcquire:
      case EventKind::kSyncRelease:
      case EventKind::kSyncAdd:
      case EventKind::kSyncWait:
      case EventKind::kSyncWake:
      case EventKind::kSyncOnce:
      case EventKind::kSyncNotify: {
        json ev = instant(e.goid, t.step, event_kind_name(e.kind) + (" s" + std::to_string(e.obj)), "sync");
        ev["args"] = {{"value", e.value}, {"aux", e.aux}};
        events_.push_back(std::move(ev));
        break;
      }
      default:
        break;
    }
  }

  json finish() {
    for (auto& [m, open] : open_) close(m, last_step_ + 1);
    for (auto& [m, state] : m_state_) close_state(m, last_step_ + 1);
    json out = json::array();
    out.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", kPid}, {"args", {{"name", "gort run"}}}});
    for (uint64_t tid : tracks_) {
      std::string name = tid == 0 ? "scheduler" : "goroutine " + std::to_string(tid);
      out.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"args", {{"name", name}}}});
    }
    // A track per M, in a process of their own, once a run has several.
    if (several_ms()) {
      out.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", kMsPid}, {"args", {{"name", "Ms"}}}});
      for (int32_t m : ms_) {
        out.push_back({{"name", "thread_name"},
                       {"ph", "M"},
                       {"pid", kMsPid},
                       {"tid", m},
                       {"args", {{"name", "M" + std::to_string(m)}}}});
      }
    }
    for (json& ev : events_) out.push_back(std::move(ev));
    if (several_ms()) {
      for (json& ev : m_events_) out.push_back(std::move(ev));
    }
    return {{"traceEvents", std::move(out)}};
  }

 private:
  struct Span {
    uint64_t goid = 0;
    uint64_t start = 0;
  };
  struct StateSpan {
    const char* name = nullptr;  // null: none open
    uint64_t start = 0;
  };

  bool several_ms() const { return ms_.size() > 1 || (ms_.size() == 1 && *ms_.begin() != 0); }

  static json span(int pid, int64_t tid, std::string name, uint64_t start, uint64_t end) {
    return {{"name", std::move(name)},
            {"cat", pid == kPid ? "goroutine" : "m"},
            {"ph", "X"},
            {"pid", pid},
            {"tid", tid},
            {"ts", start},
            {"dur", end - start}};
  }

  // Ends the running span of M m's goroutine, on the goroutine's track and
  // on the M's (shown only once a run has several Ms).
  void close(int32_t m, uint64_t step) {
    Span& open = open_[m];
    if (open.goid == 0) return;
    events_.push_back(span(kPid, static_cast<int64_t>(open.goid), "running", open.start, step));
    m_events_.push_back(span(kMsPid, m, "g" + std::to_string(open.goid), open.start, step));
    open.goid = 0;
  }

  void close_state(int32_t m, uint64_t step) {
    StateSpan& state = m_state_[m];
    if (state.name == nullptr) return;
    m_events_.push_back(span(kMsPid, m, state.name, state.start, step));
    state.name = nullptr;
  }

  std::vector<json> events_;
  std::vector<json> m_events_;  // the Ms' tracks' spans
  std::set<uint64_t> tracks_;
  std::set<int32_t> ms_;
  std::map<int32_t, Span> open_;
  std::map<int32_t, StateSpan> m_state_;
  int32_t last_m_ = 0;
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
