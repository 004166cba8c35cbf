// check_invariants: the runtime's invariants over one snapshot (invariants.h).
#include "check/invariants.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <string>
#include <vector>

namespace gort::harness {
namespace {

using introspect::Channel;
using introspect::Goroutine;
using introspect::GStatus;
using introspect::Snapshot;
using introspect::Waiter;

std::string chan_name(uint64_t id) { return "c" + std::to_string(id); }
std::string g_name(uint64_t goid) { return "g" + std::to_string(goid); }
std::string m_name(int64_t id) { return "M" + std::to_string(id); }
std::string p_name(int32_t id) { return "P" + std::to_string(id); }

const char* status_name(GStatus s) {
  switch (s) {
    case GStatus::kIdle:
      return "idle";
    case GStatus::kRunnable:
      return "runnable";
    case GStatus::kRunning:
      return "running";
    case GStatus::kSyscall:
      return "syscall";
    case GStatus::kWaiting:
      return "waiting";
    case GStatus::kPreempted:
      return "preempted";
    case GStatus::kDead:
      return "dead";
  }
  return "?";
}

// A waiter that can still be woken through this sudog: every non-select
// waiter, and a select waiter whose select no other case has won. A done
// select's sudogs are stale: dequeue drops them, pass 3 removes them.
bool live(const Waiter& w) { return !(w.is_select && w.select_done); }

// "[g5 g7]": the goids of q (live waiters only when live_only).
std::string queue_text(const std::vector<Waiter>& q, bool live_only) {
  std::string s = "[";
  bool first = true;
  for (const Waiter& w : q) {
    if (live_only && !live(w)) continue;
    if (!first) s += ' ';
    s += g_name(w.goid);
    first = false;
  }
  return s + "]";
}

bool has_live(const std::vector<Waiter>& q) {
  for (const Waiter& w : q) {
    if (live(w)) return true;
  }
  return false;
}

// "g5 runnable: M 0, runnext 1, local 1, global 0, gfree 0": every place.
std::string placement_text(const Goroutine& g) {
  return g_name(g.goid) + " " + status_name(g.status) + ": M " + std::to_string(g.on_m) + ", runnext " +
         std::to_string(g.in_runnext) + ", local runq " + std::to_string(g.in_local_runq) + ", global runq " +
         std::to_string(g.in_global_runq) + ", gfree " + std::to_string(g.in_gfree);
}

}  // namespace

// The checks share one pass's indexes. Texts are built only for what is
// reported: a consistent snapshot costs no string.
const std::vector<Violation>& InvariantChecker::check(const Snapshot& snap, bool resuming) {
  snap_ = &snap;
  out_.clear();
  by_goid_.clear();
  for (const Goroutine& g : snap.goroutines) by_goid_.emplace_back(g.goid, &g);
  std::sort(by_goid_.begin(), by_goid_.end());
  // Another M is inside an operation: only what no operation in flight can
  // disturb is decided, the rules of each channel whose lock is free.
  if (!snap.quiescent) {
    for (const Channel& c : snap.channels) {
      if (c.locked) continue;
      check_channel(c);
      check_lost_wakeups(c);
    }
    return out_;
  }
  for (const Channel& c : snap.channels) check_channel(c);
  for (size_t i = 1; i < by_goid_.size(); i++) {
    if (by_goid_[i].first == by_goid_[i - 1].first) {
      report("g.duplicate-goid", g_name(by_goid_[i].first) + " appears more than once");
    }
  }
  for (const Goroutine& g : snap.goroutines) check_placement(g);
  check_current_g();
  check_ms_and_ps();
  for (const Channel& c : snap.channels) check_waiters(c);
  // Every queue slot as (goid, channel), sorted: check_wait_queues looks
  // each waiting G up here instead of walking every channel per G.
  queue_slots_.clear();
  for (const Channel& c : snap.channels) {
    for (const auto* q : {&c.sendq, &c.recvq}) {
      for (const Waiter& w : *q) queue_slots_.emplace_back(w.goid, c.id);
    }
  }
  std::sort(queue_slots_.begin(), queue_slots_.end());
  for (const Goroutine& g : snap.goroutines) check_wait_queues(g);
  for (const Channel& c : snap.channels) check_lost_wakeups(c);
  check_semaphores();
  check_timers(resuming);
  return out_;
}

// The timers (timer.cc):
//   timer.heap-order     every P's heap is a min-heap by (when, creation
//                        order), and each timer records its own slot
//                        (deltimer and modtimer find it there)
//   timer.due-at-resume  with one P, when the scheduler resumes a goroutine
//                        no timer is due: findrunnable runs every due timer
//                        before it picks one, so a timeout or a sleep that
//                        ended (the clock moved at a clock jump, an idle
//                        wait or an early advance, Choice::kAdvanceClock)
//                        takes effect before anybody goes on. With several
//                        Ps another M may move the clock between this M's
//                        timer run and its pick, so it is not decided there.
void InvariantChecker::check_timers(bool resuming) {
  const Snapshot& snap = *snap_;
  assert(snap.quiescent && "check_timers: whole-state rules need a quiescent snapshot");
  for (const introspect::Processor& p : snap.procs) {
    if (p.timers_misplaced != 0) {
      report("timer.heap-order", p_name(p.id) + "'s timer heap has " + std::to_string(p.timers_misplaced) +
                                     " timer(s) out of heap order or away from the slot they record");
    }
  }
  if (!resuming || snap.procs.size() != 1) return;
  const introspect::Processor& p = snap.procs.front();
  if (p.next_timer <= snap.now) {
    report("timer.due-at-resume", p_name(p.id) + " resumes " + g_name(snap.current_goid) + " at " +
                                      std::to_string(snap.now) + " ns while a timer due at " +
                                      std::to_string(p.next_timer) + " ns has not run");
  }
}

void InvariantChecker::check_semaphores() {
  const Snapshot& snap = *snap_;
  for (const introspect::SemaRootView& r : snap.sema_roots) {
    // nwait changes with the queue under the root's lock: between
    // operations it counts exactly the queued waiters.
    if (!r.locked && r.nwait != r.queued) {
      report("sema.nwait", "semaphore root " + std::to_string(r.index) + " counts " + std::to_string(r.nwait) +
                               " waiters (nwait) but queues " + std::to_string(r.queued));
    }
  }
  sema_goids_.clear();
  bool any_can_run = false;
  for (const Goroutine& g : snap.goroutines) {
    if (g.status == GStatus::kRunnable || g.status == GStatus::kRunning) any_can_run = true;
  }
  for (const introspect::SemaWaiter& w : snap.sema_waiters) {
    sema_goids_.push_back(w.goid);
    const Goroutine* g = find(w.goid);
    if (g == nullptr || g->status != GStatus::kWaiting || std::string_view(g->wait_reason) != "semacquire") {
      report("sema.waiter-waiting", g_name(w.goid) + " is queued on a semaphore but is not waiting in [semacquire]");
    }
    // Nobody can run, so nobody woken is on its way to take the count: a
    // positive count with a waiter is a wake-up that was lost.
    if (!any_can_run && w.count > 0) {
      report("sema.lost-wakeup", g_name(w.goid) + " waits on a semaphore whose count is " + std::to_string(w.count) +
                                     ", and no goroutine can run to take it");
    }
  }
  std::sort(sema_goids_.begin(), sema_goids_.end());
  for (size_t i = 1; i < sema_goids_.size(); i++) {
    if (sema_goids_[i] == sema_goids_[i - 1]) {
      report("sema.waiter-once", g_name(sema_goids_[i]) + " is queued on semaphores more than once");
    }
  }
}

void InvariantChecker::report(const char* invariant, std::string detail) {
  out_.push_back({invariant, std::move(detail)});
}

const Goroutine* InvariantChecker::find(uint64_t goid) const {
  auto it = std::lower_bound(by_goid_.begin(), by_goid_.end(), std::pair<uint64_t, const Goroutine*>(goid, nullptr));
  return it != by_goid_.end() && it->first == goid ? it->second : nullptr;
}

// hchan's invariants (hchan.h, Go's chan.go).
void InvariantChecker::check_channel(const Channel& c) {
  auto name = [&c] { return chan_name(c.id); };
  if (c.qcount > c.dataqsiz) {
    report("chan.qcount-range",
           name() + ": qcount " + std::to_string(c.qcount) + " > dataqsiz " + std::to_string(c.dataqsiz));
  }
  if (c.dataqsiz == 0) {
    if (c.sendx != 0 || c.recvx != 0) {
      report("chan.ring-indices", name() + ": unbuffered, yet sendx " + std::to_string(c.sendx) + " recvx " +
                                      std::to_string(c.recvx) + " (want 0 0)");
    }
  } else if (c.sendx >= c.dataqsiz || c.recvx >= c.dataqsiz || c.sendx != (uint64_t{c.recvx} + c.qcount) % c.dataqsiz) {
    report("chan.ring-indices", name() + ": sendx " + std::to_string(c.sendx) + " recvx " + std::to_string(c.recvx) +
                                    " qcount " + std::to_string(c.qcount) + " dataqsiz " + std::to_string(c.dataqsiz) +
                                    " (want sendx == (recvx + qcount) % dataqsiz)");
  }
  // Both queues live at once: allowed only for one G selecting on both
  // sides of the channel (a send and a receive case on it).
  if (has_live(c.sendq) && has_live(c.recvq) && !one_select_on_both_sides(c)) {
    report("chan.one-queue-nonempty", name() + ": sendq " + queue_text(c.sendq, true) + " and recvq " +
                                          queue_text(c.recvq, true) + " both non-empty");
  }
  // The next three count every sudog, stale ones included, as chan_check
  // does: anything that buffers a value or parks first dequeues the other
  // queue, which drops stale sudogs.
  if (c.qcount > 0 && !c.recvq.empty()) {
    report("chan.buffered-with-receivers", name() + ": " + std::to_string(c.qcount) + " buffered, yet recvq " +
                                               queue_text(c.recvq, false) + " non-empty");
  }
  if (c.qcount < c.dataqsiz && !c.sendq.empty()) {
    report("chan.room-with-senders", name() + ": qcount " + std::to_string(c.qcount) + " < dataqsiz " +
                                         std::to_string(c.dataqsiz) + ", yet sendq " + queue_text(c.sendq, false) +
                                         " non-empty");
  }
  if (c.closed && !c.sendq.empty()) {
    report("chan.closed-with-senders", name() + ": closed, yet sendq " + queue_text(c.sendq, false) + " non-empty");
  }
}

bool InvariantChecker::one_select_on_both_sides(const Channel& c) {
  uint64_t goid = 0;
  for (const auto* q : {&c.sendq, &c.recvq}) {
    for (const Waiter& w : *q) {
      if (!live(w)) continue;
      if (!w.is_select) return false;
      if (goid == 0) goid = w.goid;
      if (w.goid != goid) return false;
    }
  }
  return true;
}

// Every G is in exactly the place its status says.
void InvariantChecker::check_placement(const Goroutine& g) {
  const uint32_t runqs = g.in_runnext + g.in_local_runq + g.in_global_runq;
  if (g.on_m > 1) report("g.on-two-ms", g_name(g.goid) + " is the current G of " + std::to_string(g.on_m) + " Ms");
  switch (g.status) {
    case GStatus::kRunning:
      // on an M (once: g.on-two-ms), in no run queue, not on a free list.
      if (g.on_m == 0 || runqs != 0 || g.in_gfree != 0) {
        report("g.running-placement", placement_text(g) + " (want M 1 only)");
      }
      break;
    case GStatus::kRunnable:
      if (runqs != 1 || g.on_m != 0 || g.in_gfree != 0) {
        report("g.runnable-placement", placement_text(g) + " (want exactly one run queue)");
      }
      break;
    case GStatus::kWaiting:
      if (runqs != 0 || g.on_m != 0 || g.in_gfree != 0) {
        report("g.waiting-placement", placement_text(g) + " (want nowhere: its wait queues hold it)");
      }
      break;
    case GStatus::kDead:
      if (g.in_gfree != 1 || runqs != 0 || g.on_m != 0) {
        report("g.dead-placement", placement_text(g) + " (want gfree 1 only)");
      }
      break;
    case GStatus::kIdle:
    case GStatus::kSyscall:
    case GStatus::kPreempted:
      // Only runnable Gs are queued, only dead ones are free.
      if (runqs != 0 || g.in_gfree != 0) report("g.other-placement", placement_text(g) + " (want no queue)");
      break;
  }
}

// Each M runs at most its curg, the M taking the snapshot runs
// current_goid (0: its scheduler), and every running G is some M's curg.
// (A snapshot without the Ms, as hand-built ones may be, is read as one M
// running current_goid.)
void InvariantChecker::check_current_g() {
  const Snapshot& snap = *snap_;
  const uint64_t cur_goid = snap.current_goid;
  auto current = [cur_goid] { return cur_goid == 0 ? std::string("its scheduler") : g_name(cur_goid); };
  if (cur_goid != 0) {
    const Goroutine* cur = find(cur_goid);
    if (cur == nullptr) {
      report("m.current-g", m_name(snap.current_m) + " runs " + current() + ", which is not in the snapshot");
    } else if (cur->status != GStatus::kRunning) {
      report("m.current-g", m_name(snap.current_m) + " runs " + current() + ", which is " + status_name(cur->status));
    }
  }
  for (const introspect::Machine& m : snap.ms) {
    if (m.curg == 0 || m.id == snap.current_m) continue;
    const Goroutine* g = find(m.curg);
    if (g == nullptr) {
      report("m.current-g", m_name(m.id) + " runs " + g_name(m.curg) + ", which is not in the snapshot");
    } else if (g->status != GStatus::kRunning) {
      report("m.current-g", m_name(m.id) + " runs " + g_name(m.curg) + ", which is " + status_name(g->status));
    }
  }
  for (const Goroutine& g : snap.goroutines) {
    if (g.status != GStatus::kRunning || g.goid == cur_goid) continue;
    const bool on_other_m = std::any_of(snap.ms.begin(), snap.ms.end(), [&](const introspect::Machine& m) {
      return m.curg == g.goid && m.id != snap.current_m;
    });
    if (!on_other_m) {
      report("m.current-g",
             g_name(g.goid) + " is running, but no M runs it (" + m_name(snap.current_m) + " runs " + current() + ")");
    }
  }
}

// Where the Ps and Ms are (Go's pidle, midle and nmspinning; proc.go):
//   sched.p-placement   every P is either on the idle list (once) or held
//                       by exactly the M it names, never both
//   sched.m-holds-p     an M on the idle M list holds no P and runs no G;
//                       an M running a G holds a P
//   sched.nmspinning    the count of spinning Ms is the number of Ms
//                       flagged spinning
//   sched.stack-two-ms  no two Ms run on one goroutine's stack
void InvariantChecker::check_ms_and_ps() {
  const Snapshot& snap = *snap_;
  for (const introspect::Processor& p : snap.procs) {
    if (p.idle_count > 1) {
      report("sched.p-placement", p_name(p.id) + " is on the idle P list " + std::to_string(p.idle_count) + " times");
    }
    const auto holders =
        std::count_if(snap.ms.begin(), snap.ms.end(), [&](const introspect::Machine& m) { return m.p == p.id; });
    if (p.idle_count > 0 && (p.m != -1 || holders != 0)) {
      report("sched.p-placement",
             p_name(p.id) + " is idle, yet held by " + m_name(p.m) + " (" + std::to_string(holders) + " M(s) name it)");
    } else if (p.idle_count == 0 && (p.m == -1 || holders != 1)) {
      report("sched.p-placement", p_name(p.id) + " is neither idle nor held by exactly one M (it names " +
                                      (p.m == -1 ? std::string("none") : m_name(p.m)) + ", " + std::to_string(holders) +
                                      " M(s) name it)");
    }
  }
  int32_t spinning = 0;
  for (const introspect::Machine& m : snap.ms) {
    if (m.spinning) spinning++;
    if (m.idle_count > 1) {
      report("sched.m-holds-p", m_name(m.id) + " is on the idle M list " + std::to_string(m.idle_count) + " times");
    }
    if (m.idle && (m.p != -1 || m.curg != 0)) {
      report("sched.m-holds-p", m_name(m.id) + " is idle, yet holds " +
                                    (m.p != -1 ? p_name(m.p) : std::string("no P")) + " and runs " +
                                    (m.curg != 0 ? g_name(m.curg) : std::string("no G")));
    }
    if (m.curg != 0 && m.p == -1) {
      report("sched.m-holds-p", m_name(m.id) + " runs " + g_name(m.curg) + " without a P");
    }
    if (m.on_stack_of == 0) continue;
    for (const introspect::Machine& other : snap.ms) {
      if (other.id > m.id && other.on_stack_of == m.on_stack_of) {
        report("sched.stack-two-ms",
               m_name(m.id) + " and " + m_name(other.id) + " both run on " + g_name(m.on_stack_of) + "'s stack");
      }
    }
  }
  if (spinning != snap.nmspinning) {
    report("sched.nmspinning",
           "nmspinning is " + std::to_string(snap.nmspinning) + ", but " + std::to_string(spinning) + " M(s) spin");
  }
}

// Every sudog in a queue belongs to a G that lists it, and a live one's G
// is parked. (A done select's G may already be runnable: its waker
// readied it; its other sudogs wait for pass 3.)
void InvariantChecker::check_waiters(const Channel& c) {
  for (const char* side : {"sendq", "recvq"}) {
    const auto& q = side[0] == 's' ? c.sendq : c.recvq;
    auto where = [&c, side] { return chan_name(c.id) + " " + side; };
    for (const Waiter& w : q) {
      const Goroutine* g = find(w.goid);
      if (g == nullptr) {
        report("sudog.owner-waiting", where() + ": " + g_name(w.goid) + " is not in the snapshot");
        continue;
      }
      if (!w.owned_by_g) {
        report("sudog.owned-by-g",
               where() + ": a sudog of " + g_name(w.goid) + " is not in " + g_name(w.goid) + "'s waiting list");
      }
      if (live(w) && g->status != GStatus::kWaiting) {
        report("sudog.owner-waiting", where() + ": " + g_name(w.goid) + " is " + status_name(g->status));
      }
      if (!live(w) && g->status == GStatus::kWaiting) {
        report("wakeup.select-won-not-readied",
               where() + ": " + g_name(w.goid) + "'s select was won by another case, yet it still waits");
      }
    }
  }
}

// A waiting G is queued on exactly the channels its sudogs name, as many
// times as they name each: once for a plain send or receive, once per
// case for a select (a select with two cases on one channel is there
// twice). A done select's G is no longer waiting and is not checked.
void InvariantChecker::check_wait_queues(const Goroutine& g) {
  if (g.status != GStatus::kWaiting || g.waiting_on.empty()) return;
  auto who = [&g] { return g_name(g.goid); };
  if (!g.in_select && g.waiting_on.size() != 1) {
    report("sudog.wait-queues", who() + " waits in a plain channel operation on " +
                                    std::to_string(g.waiting_on.size()) + " channels (want 1)");
    return;
  }
  // Both as sorted channel ids, one entry per sudog / per queue slot.
  named_ = g.waiting_on;
  std::sort(named_.begin(), named_.end());
  queued_.clear();
  auto [from, to] = std::equal_range(queue_slots_.begin(), queue_slots_.end(), std::pair<uint64_t, uint64_t>(g.goid, 0),
                                     [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto it = from; it != to; ++it) queued_.push_back(it->second);
  if (named_ == queued_) return;
  auto times = [](const std::vector<uint64_t>& ids, uint64_t c) {
    return static_cast<size_t>(std::upper_bound(ids.begin(), ids.end(), c) -
                               std::lower_bound(ids.begin(), ids.end(), c));
  };
  for (size_t i = 0; i < named_.size(); i++) {
    if (i > 0 && named_[i] == named_[i - 1]) continue;
    const uint64_t c = named_[i];
    const size_t n = times(named_, c), in_queues = times(queued_, c);
    if (in_queues != n) {
      report("sudog.wait-queues", who() + " waits on " + chan_name(c) + " with " + std::to_string(n) +
                                      " sudog(s) but is queued there " + std::to_string(in_queues) + " time(s)");
    }
  }
  for (size_t i = 0; i < queued_.size(); i++) {
    if (i > 0 && queued_[i] == queued_[i - 1]) continue;
    const uint64_t c = queued_[i];
    if (times(named_, c) == 0) {
      report("sudog.wait-queues", who() + " is queued on " + chan_name(c) + " " + std::to_string(times(queued_, c)) +
                                      " time(s), but its sudogs do not name it");
    }
  }
}

// No lost wake-up, decided at a quiescent point: a G parked in a plain
// (non-select) channel operation must not still be queued where that
// operation could complete now. Exactly:
//   in c's recvq while c has buffered values (qcount > 0) or c is closed;
//   in c's sendq while c is closed, or c is buffered with room
//   (qcount < dataqsiz), or a live waiter of another G is in c's recvq.
// Whoever made the operation possible (a send, a receive, close) had to
// hand it over and ready the G before releasing the channel's lock, so at
// a quiescent point no correct runtime shows this. It restates from the
// parked G's side what the channel rules say of the channel (a snapshot
// breaking chan.buffered-with-receivers with a plain receiver breaks this
// too), adding the closed-channel receiver and naming the forgotten G.
// Select waiters are left to the channel rules: a done select's sudogs
// legitimately linger until the G runs.
void InvariantChecker::check_lost_wakeups(const Channel& c) {
  auto name = [&c] { return chan_name(c.id); };
  for (const Waiter& w : c.recvq) {
    if (w.is_select) continue;
    if (c.qcount > 0) {
      report("wakeup.lost", g_name(w.goid) + " waits to receive on " + name() + ", which has " +
                                std::to_string(c.qcount) + " buffered value(s)");
    } else if (c.closed) {
      report("wakeup.lost", g_name(w.goid) + " waits to receive on " + name() + ", which is closed");
    }
  }
  for (const Waiter& w : c.sendq) {
    if (w.is_select) continue;
    if (c.closed) {
      report("wakeup.lost", g_name(w.goid) + " waits to send on " + name() + ", which is closed");
    } else if (c.dataqsiz > 0 && c.qcount < c.dataqsiz) {
      report("wakeup.lost", g_name(w.goid) + " waits to send on " + name() + ", which has room (" +
                                std::to_string(c.qcount) + " of " + std::to_string(c.dataqsiz) + ")");
    } else {
      for (const Waiter& r : c.recvq) {
        if (live(r) && r.goid != w.goid) {
          report("wakeup.lost", g_name(w.goid) + " waits to send on " + name() + " while " + g_name(r.goid) +
                                    " waits to receive there");
          break;
        }
      }
    }
  }
}

std::vector<Violation> check_invariants(const Snapshot& snap, bool resuming) {
  InvariantChecker checker;
  return checker.check(snap, resuming);
}

}  // namespace gort::harness
