#include "check/sync_oracle.h"

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

namespace gort::harness {
namespace {

std::string g_name(uint64_t goid) { return "goroutine " + std::to_string(goid); }
std::string obj_name(const char* what, uint64_t obj) { return std::string(what) + " " + std::to_string(obj); }

// One lock (Mutex or RWMutex): who holds it now.
struct LockState {
  uint32_t writers = 0;  // Mutex holders count here too
  uint32_t readers = 0;
  uint64_t writer = 0;  // the last writer's goid
};

struct WaitGroupState {
  int64_t counter = 0;
  uint64_t zero_at = 0;  // the last event index at which the counter was zero (+1; 0: never)
  bool ever_added = false;
};

struct OnceState {
  bool began = false;
  bool ended = false;
  uint64_t runner = 0;
};

struct CondState {
  int64_t notified = 0;  // tickets below this were reached by a Signal or Broadcast
};

class SyncJudge {
 public:
  explicit SyncJudge(std::vector<TraceViolation>& out) : out_(out) {}

  void on(size_t i, const Event& e) {
    switch (e.kind) {
      case EventKind::kSyncAcquire:
        acquire(i, e);
        break;
      case EventKind::kSyncRelease:
        release(e);
        break;
      case EventKind::kSyncAdd: {
        WaitGroupState& wg = wgs_[e.obj];
        wg.counter = e.value;
        wg.ever_added = true;
        if (wg.counter == 0) wg.zero_at = i + 1;
        break;
      }
      case EventKind::kSyncWait:
        // WaitGroup: value = the counter the waiter saw; a Cond's waits
        // are judged at the wake.
        if (e.aux == kWaitGroupWait) {
          WaitGroupState& wg = wgs_[e.obj];
          if (e.value == 0) wg.zero_at = i + 1;
          wait_began_.try_emplace(key(e.goid, e.obj), i + 1);
        }
        break;
      case EventKind::kSyncWake:
        wake(i, e);
        break;
      case EventKind::kSyncOnce:
        once(i, e);
        break;
      case EventKind::kSyncNotify: {
        CondState& c = conds_[e.obj];
        if (e.aux == 1) {
          c.notified = e.value;
        } else if (e.value >= 0) {
          c.notified++;
        }
        break;
      }
      case EventKind::kSemaQueue: {
        std::deque<uint64_t>& q = sema_queues_[e.obj];
        if (e.aux == 1)
          q.push_front(e.goid);
        else
          q.push_back(e.goid);
        break;
      }
      case EventKind::kSemaDequeue: {
        std::deque<uint64_t>& q = sema_queues_[e.obj];
        const auto woken = static_cast<uint64_t>(e.value);
        if (q.empty() || q.front() != woken) {
          report(i, "sema.fifo",
                 g_name(e.goid) + " woke " + g_name(woken) + " from " + obj_name("semaphore", e.obj) +
                     ", whose head is " + (q.empty() ? std::string("nobody") : g_name(q.front())));
        }
        for (auto it = q.begin(); it != q.end(); ++it) {
          if (*it == woken) {
            q.erase(it);
            break;
          }
        }
        break;
      }
      default:
        break;
    }
  }

 private:
  // A waiter: (goid, object); exact, so no two waiters share an entry.
  static std::pair<uint64_t, uint64_t> key(uint64_t goid, uint64_t obj) { return {goid, obj}; }

  void report(size_t i, const char* rule, std::string why) { out_.push_back({i, rule, std::move(why)}); }

  void acquire(size_t i, const Event& e) {
    LockState& l = locks_[e.obj];
    if (e.aux == kSyncRead) {
      if (l.writers != 0) {
        report(i, "sync.rwmutex-exclusion",
               g_name(e.goid) + " read-locked " + obj_name("RWMutex", e.obj) + " while " + g_name(l.writer) +
                   " holds it for writing");
      }
      l.readers++;
      return;
    }
    if (l.writers != 0 || l.readers != 0) {
      const bool rw = e.aux == kSyncWrite;
      report(i, rw ? "sync.rwmutex-exclusion" : "sync.mutex-exclusion",
             g_name(e.goid) + (rw ? " write-locked " : " locked ") + obj_name(rw ? "RWMutex" : "Mutex", e.obj) +
                 " while " +
                 (l.writers != 0 ? g_name(l.writer) + " holds it" : std::to_string(l.readers) + " reader(s) hold it"));
    }
    l.writers++;
    l.writer = e.goid;
  }

  // An unheld release is Go's fatal error, which the sync package reports
  // itself (the run ends there): the model only forgets the holder.
  void release(const Event& e) {
    LockState& l = locks_[e.obj];
    uint32_t& held = e.aux == kSyncRead ? l.readers : l.writers;
    if (held > 0) held--;
  }

  void wake(size_t i, const Event& e) {
    if (e.aux == kWaitGroupWait) {
      auto wg = wgs_.find(e.obj);
      auto began = wait_began_.find(key(e.goid, e.obj));
      const uint64_t since = began != wait_began_.end() ? began->second : 0;
      const WaitGroupState none{};
      const WaitGroupState& state = wg != wgs_.end() ? wg->second : none;
      if (state.zero_at < since || state.zero_at == 0) {
        report(i, "sync.waitgroup-early",
               g_name(e.goid) + "'s Wait on " + obj_name("WaitGroup", e.obj) +
                   " returned, but the counter has not been zero since it began waiting (it is " +
                   std::to_string(state.counter) + ")");
      }
      if (began != wait_began_.end()) wait_began_.erase(began);
      return;
    }
    // A Cond's waiter: its ticket must have been reached.
    CondState& c = conds_[e.obj];
    if (e.value >= c.notified) {
      report(i, "sync.cond-unsignalled",
             g_name(e.goid) + " woke from " + obj_name("Cond", e.obj) + " with ticket " + std::to_string(e.value) +
                 ", but Signal and Broadcast have reached only tickets below " + std::to_string(c.notified));
    }
  }

  void once(size_t i, const Event& e) {
    OnceState& o = onces_[e.obj];
    if (e.aux == kOnceBegin) {
      if (o.began) {
        report(i, "sync.once-twice",
               g_name(e.goid) + " runs the function of " + obj_name("Once", e.obj) + ", which " + g_name(o.runner) +
                   " already ran");
      }
      o.began = true;
      o.runner = e.goid;
    } else if (e.aux == kOnceEnd) {
      o.ended = true;
    } else if (!o.ended) {
      report(i, "sync.once-early",
             g_name(e.goid) + "'s call of " + obj_name("Once", e.obj) + " returned before its function had " +
                 (o.began ? "returned" : "run"));
    }
  }

  std::vector<TraceViolation>& out_;
  std::unordered_map<uint64_t, LockState> locks_;
  std::unordered_map<uint64_t, WaitGroupState> wgs_;
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> wait_began_;  // (goid, WaitGroup) -> its kSyncWait index + 1
  std::unordered_map<uint64_t, OnceState> onces_;
  std::unordered_map<uint64_t, CondState> conds_;
  std::unordered_map<uint64_t, std::deque<uint64_t>> sema_queues_;
};

}  // namespace

void judge_sync(std::span<const Event> trace, std::vector<TraceViolation>& out) {
  SyncJudge judge(out);
  for (size_t i = 0; i < trace.size(); i++) judge.on(i, trace[i]);
}

}  // namespace gort::harness
