#include "strategy/trace.h"

#include <cassert>

namespace gort::harness {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

// One word into the running hash: FNV-1a's xor-then-multiply a word at a
// time (not a byte), then a fold of the high half, so every bit of v
// reaches the low bits. It only has to tell two traces apart.
uint64_t fnv(uint64_t h, uint64_t v) {
  h = (h ^ v) * kFnvPrime;
  return h ^ (h >> 29);
}

uint64_t rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }

// Two words per entry: the first names what it is (decision or event, its
// kind, the goroutine), the second folds the payload with independent
// multiplies, so the serial chain is two steps, not six.
uint64_t hash_entry(uint64_t h, const TraceEntry& t) {
  if (t.is_decision) {
    const Decision& d = t.decision;
    h = fnv(h, 1 | (static_cast<uint64_t>(d.kind) << 8) | (uint64_t{d.n} << 32));
    return fnv(h, d.chosen);
  }
  const Event& e = t.event;
  h = fnv(h, (static_cast<uint64_t>(e.kind) << 8) | (e.has_value ? 2 : 0) | (e.goid << 16));
  return fnv(h, e.obj * 0x9e3779b97f4a7c15ull + rotl(static_cast<uint64_t>(e.value), 21) * 0xc2b2ae3d27d4eb4full +
                    rotl(static_cast<uint64_t>(e.aux), 42) * 0x165667b19e3779f9ull);
}

bool same(const TraceEntry& a, const TraceEntry& b) {
  if (a.step != b.step || a.is_decision != b.is_decision) return false;
  if (a.is_decision) return a.decision == b.decision;
  const Event &x = a.event, &y = b.event;
  return x.kind == y.kind && x.goid == y.goid && x.obj == y.obj && x.value == y.value && x.aux == y.aux &&
         x.has_value == y.has_value;
}

std::string event_text(const Event& e) {
  std::string g = "g" + std::to_string(e.goid) + "  ";
  std::string c = "c" + std::to_string(e.obj);
  std::string value = e.has_value ? " value=" + std::to_string(e.value) : "";
  switch (e.kind) {
    case EventKind::kGoCreate:
      return g + "go create g" + std::to_string(e.obj);
    case EventKind::kGoRun:
      return g + "run";
    case EventKind::kGoPark:
      return g + "park (wait reason " + std::to_string(e.aux) + ")";
    case EventKind::kGoReady:
      return g + "ready g" + std::to_string(e.obj);
    case EventKind::kGoPreempt:
      return g + "preempted";
    case EventKind::kGoExit:
      return g + "exit";
    case EventKind::kChanMake:
      return g + "chan make " + c + " cap=" + std::to_string(e.aux);
    case EventKind::kChanSend:
      return g + "chan send " + c + value;
    case EventKind::kChanRecv:
      return g + "chan recv " + c + value + (e.aux != 0 ? " ok" : " !ok");
    case EventKind::kChanClose:
      return g + "chan close " + c;
    case EventKind::kSelect:
      return g + (e.aux < 0 ? std::string("select default") : "select case " + std::to_string(e.aux));
    case EventKind::kFault: {
      bool known = e.aux >= 0 && e.aux < kFaultSites;
      return g + "fault " + (known ? fault_site_name(static_cast<FaultSite>(e.aux)) : "?");
    }
    // What the caller got back, after the runtime's own event.
    case EventKind::kApiSend:
      return g + "api: send " + c + (e.aux == kApiNotReady ? " not ready" : " done" + value);
    case EventKind::kApiRecv:
      return g + "api: recv " + c +
             (e.aux == kApiNotReady   ? std::string(" not ready")
              : e.aux == kApiOkUnseen ? value
                                      : value + (e.aux != 0 ? " ok" : " !ok"));
    case EventKind::kApiSelect:
      return g + (e.aux < 0 ? std::string("api: select default") : "api: select case " + std::to_string(e.aux));
    // Semaphores and sync objects: s<n> numbers an address within the run.
    case EventKind::kSemaQueue:
      return g + "sema queue s" + std::to_string(e.obj) + (e.aux == 1 ? " at the head" : "");
    case EventKind::kSemaDequeue:
      return g + "sema wake g" + std::to_string(e.value) + " from s" + std::to_string(e.obj) +
             (e.aux == 1 ? " (hand-off)" : "");
    case EventKind::kSyncAcquire:
    case EventKind::kSyncRelease:
      return g + (e.kind == EventKind::kSyncAcquire ? "" : "un") +
             (e.aux == kSyncRead    ? "rlock"
              : e.aux == kSyncWrite ? "wlock"
                                    : "lock") +
             " s" + std::to_string(e.obj);
    case EventKind::kSyncAdd:
      return g + "waitgroup add " + std::to_string(e.aux) + " s" + std::to_string(e.obj) +
             " counter=" + std::to_string(e.value);
    case EventKind::kSyncWait:
    case EventKind::kSyncWake:
      return g + (e.kind == EventKind::kSyncWait ? "wait " : "wake ") +
             (e.aux == kCondWait ? "cond s" + std::to_string(e.obj) + " ticket="
                                 : "waitgroup s" + std::to_string(e.obj) + " counter=") +
             std::to_string(e.value);
    case EventKind::kSyncOnce:
      return g + "once s" + std::to_string(e.obj) +
             (e.aux == kOnceBegin ? " f begins"
              : e.aux == kOnceEnd ? " f ended"
                                  : " call returns");
    case EventKind::kSyncNotify:
      return g + (e.aux == 1 ? "broadcast cond s" : "signal cond s") + std::to_string(e.obj) +
             " ticket=" + std::to_string(e.value);
    default:
      return g + event_kind_name(e.kind);
  }
}

}  // namespace

TraceRecorder::TraceRecorder(TraceOptions options) : options_(options) {
  assert(options_.ring_capacity >= 1 && options_.keep_all_limit >= 1);
  // The ring grows as entries come (most runs are short): no up-front
  // allocation of ring_capacity entries per run.
  clear();
}

void TraceRecorder::clear() {
  buf_.clear();
  next_ = 0;
  recorded_ = 0;
  hash_ = kFnvOffset;
}

void TraceRecorder::push(const TraceEntry& entry) {
  hash_ = hash_entry(hash_, entry);
  recorded_++;
  if (options_.keep_all) {
    if (buf_.size() < options_.keep_all_limit) buf_.push_back(entry);
    return;
  }
  if (buf_.size() < options_.ring_capacity) {
    buf_.push_back(entry);
    next_ = buf_.size() == options_.ring_capacity ? 0 : buf_.size();
    return;
  }
  buf_[next_] = entry;
  next_ = next_ + 1 == buf_.size() ? 0 : next_ + 1;
}

void TraceRecorder::record(uint64_t step, const Event& e) {
  TraceEntry t;
  t.step = step;
  t.event = e;
  push(t);
}

void TraceRecorder::record(uint64_t step, const Decision& d) {
  TraceEntry t;
  t.step = step;
  t.is_decision = true;
  t.decision = d;
  push(t);
}

std::vector<TraceEntry> TraceRecorder::entries() const {
  if (options_.keep_all) return buf_;
  if (recorded_ <= buf_.size()) return {buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(recorded_)};
  std::vector<TraceEntry> out(buf_.begin() + static_cast<ptrdiff_t>(next_), buf_.end());
  out.insert(out.end(), buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(next_));
  return out;
}

bool TraceRecorder::complete() const {
  return recorded_ <= (options_.keep_all ? options_.keep_all_limit : options_.ring_capacity);
}

const char* event_kind_name(EventKind k) {
  static constexpr const char* kNames[kEventKinds] = {
      "go create", "run",       "park",       "ready",       "preempted",    "exit",         "chan make",
      "chan send", "chan recv", "chan close", "select",      "panic",        "recover",      "goexit",
      "yield",     "fault",     "api send",   "api recv",    "api select",   "m start",      "m idle",
      "m wake",    "m spin",    "sema queue", "sema wake",   "sync acquire", "sync release", "sync add",
      "sync wait", "sync wake", "sync once",  "sync notify", "drain end"};
  auto i = static_cast<size_t>(k);
  return i < kEventKinds ? kNames[i] : "?";
}

std::string render(const TraceEntry& t) {
  std::string out = "step " + std::to_string(t.step) + "  ";
  if (!t.is_decision) return out + event_text(t.event);
  const Decision& d = t.decision;
  if (is_fault(d.kind)) {
    return out + "fault " + fault_site_name(as_fault_site(d.kind)) + (d.chosen != 0 ? ": fired" : ": not fired");
  }
  return out + "decide " + decision_kind_name(d.kind) + " " + std::to_string(d.chosen) + " of " + std::to_string(d.n);
}

std::optional<TraceDifference> first_difference(std::span<const TraceEntry> a, std::span<const TraceEntry> b) {
  size_t common = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < common; i++) {
    if (!same(a[i], b[i]))
      return TraceDifference{i, "entry " + std::to_string(i) + ": " + render(a[i]) + " | " + render(b[i])};
  }
  if (a.size() == b.size()) return std::nullopt;
  const TraceEntry& extra = a.size() > b.size() ? a[common] : b[common];
  const char* longer = a.size() > b.size() ? "the first" : "the second";
  return TraceDifference{common,
                         "entry " + std::to_string(common) + ": only " + longer + " trace goes on: " + render(extra)};
}

}  // namespace gort::harness
